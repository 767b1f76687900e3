"""The console script as a person runs it: config errors name the variable; `serve` boots on the
embedded Redis and answers /healthz; `manifest` and `keygen` print what they promise."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import ConfigError, load_settings
from tests.support.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_missing_signing_secret_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        load_settings()


def test_empty_signing_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "  ")
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET must not be empty"):
        load_settings()


def test_external_redis_needs_an_encryption_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("COMMONGROUND_ENCRYPTION_KEY", raising=False)
    with pytest.raises(ConfigError, match="COMMONGROUND_ENCRYPTION_KEY is not set"):
        load_settings()


def test_serve_exits_2_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is not set" in err and "SLACK_SIGNING_SECRET is not set" in err


def test_manifest_and_keygen(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["features"]["slash_commands"][0]["command"] == "/mediate"
    assert main(["keygen"]) == 0
    key = capsys.readouterr().out.strip()
    assert len(key) == 44


def test_serve_boots_on_the_embedded_redis(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "REDIS_", "COMMONGROUND_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-local",
        SLACK_SIGNING_SECRET="local-secret",
        SLACK_API_URL="http://127.0.0.1:9/api/",
        PORT=str(port),
        COMMONGROUND_DATA_DIR=str(tmp_path / "data"),
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and status != 200 and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    status = response.status
            except OSError:
                time.sleep(0.2)
        if status != 200:
            proc.terminate()
            output = proc.communicate(timeout=10)[0].decode(errors="replace")
            raise AssertionError(f"serve did not answer /healthz: {output[-2000:]}")
        request = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events", data=b"x=1", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 401  # unsigned requests are refused
        key = tmp_path / "data" / "encryption.key"
        assert key.exists() and key.stat().st_mode & 0o077 == 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0  # a clean, graceful stop
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_coach_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coach", "You always change the plan at the last minute."]) == 0
    out = capsys.readouterr().out
    assert "blame" in out and "absolute" in out
    assert (
        main(
            [
                "coach",
                "--json",
                "--original",
                "I felt anxious when the date moved.",
                "--reflection",
                "But you never asked.",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["forward"] is False
