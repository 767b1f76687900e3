"""Encryption of private text at rest (Fernet: AES-128-CBC with HMAC-SHA256)."""

from __future__ import annotations

import base64
import os
import zlib
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Cipher:
    """Encrypts and decrypts stored documents. Several comma-separated keys allow rotation:
    the first encrypts, every one decrypts."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError("no encryption key given")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])
        except (ValueError, TypeError) as exc:
            raise ValueError(
                "COMMONGROUND_ENCRYPTION_KEY is not a valid key (32 url-safe base64-encoded bytes)"
            ) from exc

    def encrypt(self, plaintext: bytes) -> bytes:
        """Encrypt bytes."""
        return self._fernet.encrypt(plaintext)

    def decrypt(self, token: bytes) -> bytes:
        """Decrypt bytes written by `encrypt` (raises `InvalidToken` with the wrong key)."""
        return self._fernet.decrypt(token)

    def pack(self, plaintext: bytes) -> bytes:
        """Compress, then encrypt, into the compact stored form: a marker byte and the Fernet token's
        raw bytes (not its base64 text, a quarter shorter)."""
        token = self._fernet.encrypt(zlib.compress(plaintext, 6))
        return PACKED + base64.urlsafe_b64decode(token)

    def unpack(self, blob: bytes) -> bytes:
        """Read what `pack` wrote, or an older plain `encrypt` token (raises `InvalidToken` with the
        wrong key, `zlib.error` or `ValueError` on a damaged value)."""
        if blob[:1] == PACKED:
            return zlib.decompress(self._fernet.decrypt(base64.urlsafe_b64encode(blob[1:])))
        return self._fernet.decrypt(blob)


PACKED = b"\x01"
"""The first byte of a packed value (a Fernet token's text starts with "g")."""


def new_key() -> str:
    """A fresh random key, as text."""
    return Fernet.generate_key().decode()


def local_key(data_dir: Path) -> str:
    """The key for local runs: kept in `data_dir/encryption.key`, created on first use (mode 0600)."""
    path = data_dir / "encryption.key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


__all__ = ["Cipher", "InvalidToken", "local_key", "new_key"]
