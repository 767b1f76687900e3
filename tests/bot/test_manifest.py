"""`commonground manifest [--url URL] [--socket-mode]`: the manifest ready to paste."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.manifest import base_manifest


def printed(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["manifest", *args]) == 0
    found = json.loads(capsys.readouterr().out)
    assert isinstance(found, dict)
    return found


def urls(manifest: dict[str, object]) -> list[str]:
    """Every URL in the manifest, wherever it is."""
    text = json.dumps(manifest)
    return [part.split('"')[0] for part in text.split('"https://')[1:]]


def test_as_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert printed(capsys) == base_manifest()


def test_the_url_in_every_place_it_belongs(capsys: pytest.CaptureFixture[str]) -> None:
    manifest = printed(capsys, "--url", "https://cg.example.org/")
    events = "https://cg.example.org/slack/events"
    features, settings = manifest["features"], manifest["settings"]
    assert isinstance(features, dict) and isinstance(settings, dict)
    assert [c["url"] for c in features["slash_commands"]] == [events]
    assert settings["event_subscriptions"]["request_url"] == events
    assert settings["interactivity"]["request_url"] == events
    assert manifest["oauth_config"]["redirect_urls"] == ["https://cg.example.org/slack/oauth_redirect"]  # type: ignore[index]
    assert settings["socket_mode_enabled"] is False
    assert not [u for u in urls(manifest) if "YOUR-APP" in u]
    # the same from the events URL itself, or a path below the root
    assert printed(capsys, "--url", events) == manifest
    nested = printed(capsys, "--url", "https://example.org/cg")
    assert nested["settings"]["interactivity"]["request_url"] == "https://example.org/cg/slack/events"  # type: ignore[index]


def test_socket_mode_removes_the_request_urls(capsys: pytest.CaptureFixture[str]) -> None:
    manifest = printed(capsys, "--socket-mode")
    settings = manifest["settings"]
    assert isinstance(settings, dict) and settings["socket_mode_enabled"] is True
    assert urls(manifest) == []
    assert (
        settings["event_subscriptions"]["bot_events"]
        == base_manifest()["settings"]["event_subscriptions"]["bot_events"]
    )
    # with a URL too: only the OAuth redirect URL (installing still goes through a browser)
    both = printed(capsys, "--socket-mode", "--url", "https://cg.example.org")
    assert urls(both) == ["cg.example.org/slack/oauth_redirect"]


def test_a_url_slack_cannot_use_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--url", "http://cg.example.org"]) == 2
    assert "https://" in capsys.readouterr().err
