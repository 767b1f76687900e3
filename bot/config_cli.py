"""`commonground config export|import`: a workspace's configuration as YAML on the command line.

    commonground config export [--team T …] [--file F]
    commonground config import FILE [--team T …] [--merge]

`--team` takes a Slack team id (`T0123`) or a storage key (`E0123.T0456` for an Enterprise Grid
org); without it, Slack's `auth.test` names the bot token's workspace. An import is validated whole
before anything is written, audited as a change by the command line, and a malformed file names its
line. Without `--merge` the file is the whole configuration (settings it leaves out take their
defaults); with `--merge` only the settings it gives change.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.admin import CLI_ACTOR, ChangedMeanwhile, export_config, import_config, save_change
from bot.config_store import ConfigStore
from bot.settings import Settings
from bot.store import StoreUnavailable, VersionConflict, team_key
from bot.webclient import slack_error
from flows.config import ConfigImportError


class CliProblem(Exception):
    """Something the person running the command can fix; the message says what."""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `config export` and `config import` to the console script."""
    config = sub.add_parser("config", help="export or import a workspace's configuration as YAML")
    actions = config.add_subparsers(dest="config_command", required=True)
    export = actions.add_parser("export", help="print (or write) the configuration as YAML")
    export.add_argument("--team", action="append", default=[], help="team id or key (repeatable)")
    export.add_argument("--file", help="write to this file instead of printing")
    imp = actions.add_parser("import", help="validate a YAML file and make it the configuration")
    imp.add_argument("file", help="the YAML file (- reads standard input)")
    imp.add_argument("--team", action="append", default=[], help="team id or key (repeatable)")
    imp.add_argument("--merge", action="store_true", help="change only the settings the file gives")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a `config` subcommand; 0 on success, 1 when nothing could be done (the reason on stderr)."""
    try:
        if args.config_command == "export":
            teams, text = asyncio.run(_export(settings, args.team))
            if args.file:
                Path(args.file).write_text(text, encoding="utf-8")
                print(f"Wrote the configuration of {', '.join(teams)} to {args.file}.", file=sys.stderr)
            else:
                sys.stdout.write(text)
        else:
            text = sys.stdin.read() if args.file == "-" else _read(args.file)
            asyncio.run(_import(settings, text, args.team, merge=args.merge))
    except CliProblem as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CliProblem(f"Cannot read {path}: {exc.strerror or exc}.") from None


def as_team_key(value: str) -> str:
    """A storage key from what `--team` was given: a team id, or a key with the org (`E1.T2`)."""
    value = value.strip()
    return value if "." in value else team_key(None, value)


async def default_team(settings: Settings) -> str:
    """The bot token's workspace, as Slack's `auth.test` names it."""
    hint = "name the workspace with --team T0123"
    if settings.slack_bot_token is None:  # installed from a link: there is no one workspace
        raise CliProblem(f"The app is installed into several workspaces; {hint}.")
    client = AsyncWebClient(token=settings.bot_token(), base_url=settings.slack_api_url)
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        raise CliProblem(f"Slack's auth.test failed ({slack_error(exc)}); {hint}.") from None
    except (OSError, aiohttp.ClientError) as exc:
        raise CliProblem(f"Could not reach Slack ({exc}); {hint}.") from None
    return team_key(response.get("enterprise_id"), response.get("team_id"))


async def _teams(settings: Settings, given: list[str]) -> list[str]:
    return [as_team_key(t) for t in given] if given else [await default_team(settings)]


async def _export(settings: Settings, given: list[str]) -> tuple[list[str], str]:
    from bot.runtime import open_services

    teams = await _teams(settings, given)
    async with open_services(settings) as services:
        configs = _configs(services.service.configs)
        documents = []
        for team in teams:
            try:
                config = await configs.get(team)
            except StoreUnavailable as exc:
                raise CliProblem(f"Redis is not reachable: {exc}") from None
            documents.append(f"# team: {team}\n{export_config(config)}")
    return teams, "---\n".join(documents)


async def _import(settings: Settings, text: str, given: list[str], *, merge: bool) -> None:
    from bot.runtime import open_services

    teams = await _teams(settings, given)
    async with open_services(settings) as services:
        configs = _configs(services.service.configs)
        for team in teams:
            try:
                saved = await save_change(
                    configs,
                    team,
                    actor=CLI_ACTOR,
                    action="cli:import",
                    at=datetime.now(UTC),
                    change=lambda current: import_config(text, current, merge=merge),
                )
            except ConfigImportError as exc:
                raise CliProblem(f"Nothing was imported into {team}. {exc}") from None
            except StoreUnavailable as exc:
                raise CliProblem(f"Redis is not reachable: {exc}") from None
            except (VersionConflict, ChangedMeanwhile):
                raise CliProblem(f"The configuration of {team} kept changing; please try again.") from None
            if saved.fields:
                print(f"Imported into {team}: {', '.join(saved.fields)}.")
            else:
                print(f"Nothing to change in {team}: it already has this configuration.")


def _configs(configs: ConfigStore | None) -> ConfigStore:
    if configs is None:  # open_services always builds one
        raise CliProblem("This installation keeps no workspace configuration.")
    return configs
