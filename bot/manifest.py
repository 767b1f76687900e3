"""The Slack app manifest (manifest.json at the repository root), filled in for a deployment:
`commonground manifest [--url URL] [--socket-mode]` prints it ready to paste into
https://api.slack.com/apps ("Create New App" › "From an app manifest")."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

EVENTS_PATH = "/slack/events"
REDIRECT_PATH = "/slack/oauth_redirect"


class ManifestProblem(ValueError):
    """The given URL cannot be put in a manifest (the message says why)."""


def manifest_text() -> str:
    """The manifest as shipped: manifest.json at the repository root (or inside the package)."""
    root = Path(__file__).resolve().parent.parent / "manifest.json"
    if root.exists():
        return root.read_text(encoding="utf-8")
    return resources.files("bot").joinpath("manifest.json").read_text(encoding="utf-8")


def base_manifest() -> dict[str, Any]:
    """The shipped manifest, parsed."""
    found = json.loads(manifest_text())
    if not isinstance(found, dict):
        raise ManifestProblem("manifest.json does not hold an object")
    return found


def bot_scopes() -> list[str]:
    """The bot scopes the manifest asks for (what an install from a link asks for by default)."""
    return [str(s) for s in base_manifest()["oauth_config"]["scopes"]["bot"]]


def base_url(url: str) -> str:
    """The app's public root from what was given (`https://cg.example.com`, with or without a path
    ending in /slack/events); Slack accepts only https request URLs."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ManifestProblem(f"--url must be an https:// address Slack can reach, not {url!r}")
    path = parts.path.rstrip("/").removesuffix(EVENTS_PATH)
    return f"https://{parts.netloc}{path}"


def filled_manifest(url: str | None = None, *, socket_mode: bool = False) -> dict[str, Any]:
    """The manifest for a deployment: with `url`, every request URL (the slash command, events,
    interactivity) is `<url>/slack/events` and the OAuth redirect URL `<url>/slack/oauth_redirect`
    (needed to install from a link, harmless otherwise); with `socket_mode`, Socket Mode is on and
    the request URLs are removed (Slack sends everything over the socket)."""
    manifest = copy.deepcopy(base_manifest())
    features, settings = manifest.setdefault("features", {}), manifest.setdefault("settings", {})
    events = f"{base_url(url)}{EVENTS_PATH}" if url else None
    if url:
        manifest.setdefault("oauth_config", {})["redirect_urls"] = [f"{base_url(url)}{REDIRECT_PATH}"]
    for command in features.get("slash_commands", []):
        if socket_mode:
            command.pop("url", None)
        elif events:
            command["url"] = events
    for section in ("event_subscriptions", "interactivity"):
        if section not in settings:
            continue
        if socket_mode:
            settings[section].pop("request_url", None)
        elif events:
            settings[section]["request_url"] = events
    settings["socket_mode_enabled"] = socket_mode
    return manifest
