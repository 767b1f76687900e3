"""What Slack sends the app, parsed once at the edge into small pydantic models.

Every request to `POST /slack/events` is read here before Bolt or a listener sees it
(`read_body` then `parse`, called by `bot.web`; `bot.middleware.ParsePayloads` parses Socket
Mode's). A request of a kind the app answers (a slash command, a click, a modal submission, a shortcut,
an event it listens to) must match its model: the ids are Slack ids, the texts are strings, the
modal's `state.values` hold only what Slack's inputs hold. Anything else is `Malformed`: the app
answers 200 and does nothing, so no malformed field ever reaches a command, a key or a Web API call.

The models keep only what the app reads (unknown extra fields are ignored, as Slack adds fields);
listeners read the parsed model from the Bolt context with `of(context, Kind)`.
"""

from __future__ import annotations

import codecs
import json
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

# Slack's ids: users (U…, W…, USLACKBOT), teams (T…), orgs (E…), channels (C…, G…, D…), views (V…).
SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{1,40}$")]
# Opaque tokens Slack hands out (trigger ids, timestamps, hashes, callback and action ids).
Token = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Text = Annotated[str, StringConstraints(max_length=20_000)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://", max_length=2000)]

PAYLOAD_KEY = "payload"
"""Where the parsed model is kept in the Bolt context."""


class Malformed(ValueError):
    """A request Slack would never send the app (kind only: the body is never kept or logged)."""

    def __init__(self, kind: str, field: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.field = field  # the top-level field that did not fit (a name of ours, never a value)


class Model(BaseModel):
    """Slack's objects: extra fields ignored, nothing coerced into a string."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Ref(Model):
    """An object Slack names by id (`user`, `team`, `channel`, `enterprise`)."""

    id: SlackId


class Option(Model):
    """A chosen option of a select, radio buttons or checkboxes."""

    value: Text


class StateValue(Model):
    """One input's value in `view.state.values[block_id][action_id]`; an empty input is null."""

    type: Token | None = None
    value: Text | None = None
    selected_option: Option | None = None
    selected_options: list[Option] | None = None
    selected_user: SlackId | None = None
    selected_users: list[SlackId] | None = None
    selected_conversation: SlackId | None = None
    selected_channel: SlackId | None = None
    selected_date: Token | None = None
    selected_time: Token | None = None


Values = dict[Token, dict[Token, StateValue]]


class State(Model):
    """`view.state`: what the person typed and chose."""

    values: Values = Field(default_factory=dict)


class View(Model):
    """A modal or App Home as a payload carries it."""

    id: SlackId
    callback_id: str = ""
    private_metadata: Annotated[str, StringConstraints(max_length=3000)] = ""
    hash: Token | None = None
    state: State = Field(default_factory=State)

    def values(self) -> dict[str, dict[str, dict[str, Any]]]:
        """`state.values` as Slack sent them (inputs Slack left out stay out), for `bot.submitted`."""
        return {
            block: {action: state.model_dump(exclude_unset=True) for action, state in actions.items()}
            for block, actions in self.state.values.items()
        }


class Container(Model):
    """Where a click happened."""

    type: Token | None = None
    channel_id: SlackId | None = None
    message_ts: Token | None = None
    view_id: SlackId | None = None


class MessageRef(Model):
    """The message a click or a message shortcut was on (only its timestamp and author are read)."""

    ts: Token | None = None
    user: SlackId | None = None


class Action(Model):
    """The clicked or changed element of a `block_actions` payload."""

    action_id: Token
    block_id: Token | None = None
    value: Text | None = None
    action_ts: Token | None = None
    selected_option: Option | None = None


class Interaction(Model):
    """What every interaction payload carries: who acted, where, and the trigger to open a modal."""

    user: Ref
    team: Ref | None = None
    enterprise: Ref | None = None
    trigger_id: Token | None = None
    channel: Ref | None = None
    container: Container | None = None
    response_url: Url | None = None

    @property
    def user_id(self) -> str:
        """Who acted."""
        return self.user.id

    @property
    def channel_id(self) -> str | None:
        """The conversation the person acted in, if any."""
        return (self.channel.id if self.channel else None) or (
            self.container.channel_id if self.container else None
        )


class BlockActions(Interaction):
    """A click (or choice) in a message, App Home or a modal."""

    type: Literal["block_actions"]
    trigger_id: Token
    actions: Annotated[list[Action], Field(min_length=1)]
    message: MessageRef | None = None
    view: View | None = None

    @property
    def action(self) -> Action:
        """The element acted on (Slack sends one)."""
        return self.actions[0]

    @property
    def value(self) -> str:
        """The clicked element's value ("" when it has none)."""
        return self.action.value or ""


class ViewSubmission(Interaction):
    """A modal submitted."""

    type: Literal["view_submission"]
    view: View


class Shortcut(Interaction):
    """A global shortcut (`shortcut`) or a message shortcut (`message_action`)."""

    type: Literal["shortcut", "message_action"]
    callback_id: Token
    trigger_id: Token
    message: MessageRef | None = None


class ViewClosed(Interaction):
    """A modal closed with `notify_on_close` (no trigger id)."""

    type: Literal["view_closed"]
    view: View


class SlashCommand(Model):
    """A slash command (form fields)."""

    command: Token
    user_id: SlackId
    team_id: SlackId | None = None
    enterprise_id: SlackId | None = None
    channel_id: SlackId | None = None
    text: Text = ""
    trigger_id: Token
    response_url: Url | None = None


class AppHomeOpened(Model):
    """`app_home_opened`."""

    type: Literal["app_home_opened"]
    user: SlackId
    tab: Token | None = None
    channel: SlackId | None = None


class MessageEvent(Model):
    """A `message` event in a conversation the app is in (edits and bots included: listeners skip)."""

    type: Literal["message"]
    channel: SlackId
    user: SlackId | None = None
    text: Text | None = None
    subtype: Token | None = None
    bot_id: Token | None = None
    thread_ts: Token | None = None
    ts: Token | None = None


class AppUninstalled(Model):
    """`app_uninstalled`: the workspace (or org) removed the app."""

    type: Literal["app_uninstalled"]


class RevokedTokens(Model):
    """Whose tokens were revoked: user ids of user tokens (`oauth`) and of the bot (`bot`)."""

    oauth: list[SlackId] = Field(default_factory=list, max_length=1000)
    bot: list[SlackId] = Field(default_factory=list, max_length=1000)


class TokensRevoked(Model):
    """`tokens_revoked`: some of the app's tokens in the workspace no longer work."""

    type: Literal["tokens_revoked"]
    tokens: RevokedTokens


class Authorization(Model):
    """One entry of an event's `authorizations`."""

    team_id: SlackId | None = None
    enterprise_id: SlackId | None = None
    user_id: SlackId | None = None
    is_enterprise_install: bool | None = None


class EventCallback(Model):
    """An Events API envelope with an event the app listens to."""

    type: Literal["event_callback"]
    event_id: Token
    team_id: SlackId | None = None
    enterprise_id: SlackId | None = None
    authorizations: list[Authorization] | None = None
    event: Annotated[
        AppHomeOpened | MessageEvent | AppUninstalled | TokensRevoked, Field(discriminator="type")
    ]


class UrlVerification(Model):
    """Slack checking the request URL (Bolt answers the challenge)."""

    type: Literal["url_verification"]
    challenge: Token


Payload = (
    BlockActions | ViewSubmission | Shortcut | ViewClosed | SlashCommand | EventCallback | UrlVerification
)

# The events the app listens to; any other event is acknowledged and dropped at the edge.
EVENTS = ("app_home_opened", "message", "app_uninstalled", "tokens_revoked")
_KINDS: dict[str, type[Model]] = {
    "block_actions": BlockActions,
    "view_submission": ViewSubmission,
    "shortcut": Shortcut,
    "message_action": Shortcut,
    "view_closed": ViewClosed,
    "event_callback": EventCallback,
    "url_verification": UrlVerification,
}


def kind_of(body: dict[str, Any]) -> str:
    """A request's kind as Bolt would route it ("command", an interaction's or envelope's type)."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) and kind in _KINDS else "unknown"


def parse(body: Any) -> Payload | None:
    """The model of a parsed body; None for a well-formed request the app does not answer (an event
    it does not listen to). Raises `Malformed` for anything else."""
    if not isinstance(body, dict):
        raise Malformed("not an object")
    kind = kind_of(body)
    if kind == "unknown":
        raise Malformed("unknown")
    if kind == "event_callback":
        event = body.get("event")
        if isinstance(event, dict) and isinstance(event.get("type"), str) and event["type"] not in EVENTS:
            return None
    model = SlashCommand if kind == "command" else _KINDS[kind]
    try:
        parsed: Payload = model.model_validate(body)  # type: ignore[assignment]
    except ValidationError as exc:
        first = exc.errors()[0]["loc"][:1]
        name = str(first[0]) if first and str(first[0]) in model.model_fields else ""
        raise Malformed(kind, name) from None
    return parsed


def unquote_form(value: str) -> str:
    """`urllib.parse.unquote_plus`, about 15 times faster on the long, mostly escaped `payload` field
    of an interaction (the standard library decodes escapes one by one in Python; this hands the
    common case to C). Text it cannot take that way (a backslash, raw non-ASCII, a bad escape,
    invalid UTF-8) goes to the standard library, so the result is always the same."""
    if "%" not in value:
        return value.replace("+", " ")
    if "\\" in value or not value.isascii():
        return unquote_plus(value)
    try:
        escaped = value.replace("+", " ").replace("%", "\\x").encode("ascii")
        return codecs.escape_decode(escaped)[0].decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return unquote_plus(value)


def form_fields(text: str) -> dict[str, str]:
    """A form-encoded body's fields, as `dict(parse_qsl(text, keep_blank_values=True))` gives them."""
    fields: dict[str, str] = {}
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            fields[unquote_form(name)] = unquote_form(value)
    return fields


def read_body(raw: bytes, content_type: str | None) -> Any:
    """A signed request body decoded exactly as Bolt decodes it (JSON; a form whose `payload` field
    holds JSON; a slash command's form fields); `Malformed` when it cannot be read."""
    try:
        text = raw.decode("utf-8")
        body: Any
        if content_type == "application/json" or text.startswith("{"):
            body = json.loads(text)
        elif "payload" in text:  # as Bolt: any body mentioning it is read as an interaction
            body = json.loads(form_fields(text).get("payload") or "{}")
        else:
            body = form_fields(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed("unreadable") from None
    return body


M = TypeVar("M", bound=Model)


def of(context: Any, kind: type[M]) -> M:
    """The request's parsed model from the Bolt context (put there by the edge)."""
    found = context.get(PAYLOAD_KEY) if hasattr(context, "get") else None
    if not isinstance(found, kind):
        raise LookupError(f"no {kind.__name__} parsed for this request")
    return found
