"""Text for the sandbox renderer: Slack mrkdwn, text objects and ``rich_text`` blocks, as safe HTML.

Part of :mod:`bot.sandbox.render` (which re-exports :func:`mrkdwn`). Everything that comes from a
message, a view or a person is HTML-escaped here or in :func:`attrs`; nothing is ever interpreted as
HTML. Links are kept only for ``http``, ``https`` and ``mailto`` addresses.
"""

from __future__ import annotations

import contextlib
import html
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UserNames = Callable[[str], str]
"""``users(user_id) -> display name`` (may raise ``KeyError`` or return the id for unknown users)."""

AttrValue = str | int | float | bool | None

_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_PH_OPEN}(\\d+){_PH_CLOSE}")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_FENCE = re.compile(r"```(.*?)```", re.DOTALL)
_TOKEN = re.compile(r"`([^`\n]+)`|<([^<>\n]+)>")
_QUOTE = re.compile(r"^(?:>|&gt;) ?(.*)$")
_BULLET = re.compile(r"^\s*(?:•|◦|▪|-) +(\S.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,9})[.)] +(\S.*)$")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_IMAGE_SCHEMES = frozenset({"http", "https"})

EMOJI: dict[str, str] = {
    "+1": "👍",
    "-1": "👎",
    "thumbsup": "👍",
    "wave": "👋",
    "handshake": "🤝",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "warning": "⚠️",
    "information_source": "ℹ️",
    "bulb": "💡",
    "speech_balloon": "💬",
    "memo": "📝",
    "calendar": "📆",
    "date": "📅",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "lock": "🔒",
    "pause_button": "⏸️",
    "tada": "🎉",
    "heart": "❤️",
    "pray": "🙏",
    "smile": "😄",
    "slightly_smiling_face": "🙂",
    "eyes": "👀",
    "ear": "👂",
    "dove_of_peace": "🕊️",
    "seedling": "🌱",
    "sparkles": "✨",
    "star": "⭐",
    "house": "🏠",
    "bell": "🔔",
    "leftwards_arrow_with_hook": "↩️",
}


# --- the reader: whose client draws the text (Slack shows dates in the reader's time zone) --------


@dataclass(frozen=True)
class Reader:
    """The person a text is drawn for: their time zone, and the time "today" is judged at (None: now)."""

    tz: tzinfo = UTC
    now: float | None = None


_DEFAULT_READER = Reader()
_READER: ContextVar[Reader | None] = ContextVar("sandbox_reader", default=None)


def as_zone(tz: str | tzinfo | None) -> tzinfo:
    """``tz`` as a time zone: an IANA name (``Europe/London``) or a tzinfo; UTC when None or unknown."""
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz) if tz else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@contextlib.contextmanager
def reading_as(tz: str | tzinfo | None = None, now: float | None = None) -> Iterator[Reader]:
    """Draw text for a reader in time zone ``tz`` at time ``now`` within the block. With neither
    given, the current reader stays (so nested render calls keep their caller's reader)."""
    current = reader()
    if tz is None and now is None:
        yield current
        return
    new_reader = Reader(as_zone(tz) if tz is not None else current.tz, now)
    token = _READER.set(new_reader)
    try:
        yield new_reader
    finally:
        _READER.reset(token)


def reader() -> Reader:
    """The reader text is being drawn for (UTC, now, unless inside :func:`reading_as`)."""
    return _READER.get() or _DEFAULT_READER


def esc(value: object) -> str:
    """HTML-escape ``value`` (quotes included), for text content and attribute values alike."""
    return html.escape(str(value), quote=True)


def attrs(pairs: Mapping[str, AttrValue]) -> str:
    """Render attributes: ``None``/``False`` are left out, ``True`` is a bare attribute, the rest escaped.

    Keys are written by this package, never taken from input.
    """
    out: list[str] = []
    for key, value in pairs.items():
        if value is None or value is False:
            continue
        out.append(f" {key}" if value is True else f' {key}="{esc(value)}"')
    return "".join(out)


def decode_entities(text: str) -> str:
    """Decode, once, the three entities Slack uses in text (``&amp; &lt; &gt;``)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def emojize(text: str) -> str:
    """Replace known ``:shortcodes:`` by their emoji; unknown ones stay as typed."""
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def safe_url(url: object, *, image: bool = False) -> str | None:
    """Return ``url`` if it is an absolute http(s) (or, for links, mailto) address, else ``None``."""
    if not isinstance(url, str) or not url or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        return None
    scheme, sep, _ = url.partition(":")
    if not sep or scheme.lower() not in (_IMAGE_SCHEMES if image else _LINK_SCHEMES):
        return None
    return url


def user_name(users: UserNames, user_id: str, fallback: str = "") -> str:
    """The display name of ``user_id``; ``fallback`` (or the id) when ``users`` does not know it."""
    try:
        name = users(user_id)
    except (KeyError, LookupError, ValueError):
        name = ""
    if not name or name == user_id:
        return fallback or user_id
    return str(name)


def mention_chip(users: UserNames, user_id: str, fallback: str = "") -> str:
    """``@Name`` as a chip with ``data-user-id``."""
    name = user_name(users, user_id, fallback)
    return f'<span class="bk-mention"{attrs({"data-user-id": user_id})}>@{esc(name)}</span>'


# --- Slack date tokens ---------------------------------------------------------------------------

_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DATE_TOKEN = re.compile(
    r"\{(date_num|date_short_pretty|date_long_pretty|date_pretty|date_short|date_long|date|time_secs|time)\}"
)
_INTEGER = re.compile(r"-?\d{1,12}")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _clock(moment: datetime, seconds: bool) -> str:
    hour = moment.hour % 12 or 12
    secs = f":{moment.second:02d}" if seconds else ""
    return f"{hour}:{moment.minute:02d}{secs} {'AM' if moment.hour < 12 else 'PM'}"


def _relative(moment: datetime, now: datetime) -> str | None:
    days = (moment.date() - now.date()).days
    return {-1: "yesterday", 0: "today", 1: "tomorrow"}.get(days)


def format_date(
    timestamp: int, template: str, tz: str | tzinfo | None = None, now: float | None = None
) -> str:
    """Slack's date formatting (``<!date^…>`` and rich_text ``date`` elements) as plain text.

    Replaces ``{date_num}`` (2014-02-18), ``{date}`` (February 18th, 2014), ``{date_short}`` (Feb 18,
    2014), ``{date_long}`` (Tuesday, February 18th, 2014), their ``_pretty`` forms (``today``,
    ``yesterday`` or ``tomorrow`` when it is one of those in ``tz``, capitalised at the start of
    the text), ``{time}`` (6:39 AM) and ``{time_secs}`` (6:39:42 AM), in time zone ``tz`` (daylight
    saving included). Anything else in ``template`` is kept as it is. ``now`` (default: the current
    time) decides what "today" is. Raises ``ValueError``/``OverflowError`` for an impossible time.
    """
    zone = as_zone(tz)
    moment = datetime.fromtimestamp(timestamp, tz=UTC).astimezone(zone)
    today = datetime.fromtimestamp(time.time() if now is None else now, tz=UTC).astimezone(zone)
    month, day, year = _MONTHS[moment.month - 1], moment.day, moment.year
    plain = {
        "date_num": f"{year:04d}-{moment.month:02d}-{day:02d}",
        "date": f"{month} {_ordinal(day)}, {year}",
        "date_short": f"{month[:3]} {day}, {year}",
        "date_long": f"{_DAYS[moment.weekday()]}, {month} {_ordinal(day)}, {year}",
        "time": _clock(moment, seconds=False),
        "time_secs": _clock(moment, seconds=True),
    }
    relative = _relative(moment, today)

    def swap(found: re.Match[str]) -> str:
        token = found.group(1)
        if token.endswith("_pretty"):
            if relative is None:
                return plain[token.removesuffix("_pretty")]
            return relative.capitalize() if found.start() == 0 else relative
        return plain[token]

    return _DATE_TOKEN.sub(swap, template)


def date_html(timestamp: object, template: object, link: object = None, fallback: object = "") -> str:
    """A date in the reader's time zone (see :func:`reading_as`) as safe HTML: ``<time>`` with the
    formatted text, inside a link when ``link`` is a safe URL. A malformed date (a timestamp that is
    not a whole number, no template) shows its ``fallback`` text, escaped."""
    current = reader()
    whole = isinstance(timestamp, str | int) and not isinstance(timestamp, bool)
    stamp = str(timestamp).strip() if whole else ""
    if not _INTEGER.fullmatch(stamp) or not isinstance(template, str) or not template:
        return emojize(esc(fallback or ""))
    try:
        text = format_date(int(stamp), decode_entities(template), current.tz, current.now)
        iso = datetime.fromtimestamp(int(stamp), tz=UTC).astimezone(current.tz).isoformat()
    except (ValueError, OverflowError, OSError):
        return emojize(esc(fallback or ""))
    shown = f"<time{attrs({'class': 'bk-date', 'datetime': iso})}>{emojize(esc(text))}</time>"
    url = safe_url(decode_entities(link)) if isinstance(link, str) else None
    if url is None:
        return shown
    anchor = attrs({"class": "bk-link", "href": url, "target": "_blank", "rel": "noopener noreferrer"})
    return f"<a{anchor}>{shown}</a>"


def _date_parts(target: str) -> tuple[str, str, str | None]:
    """``!date^TIMESTAMP^TEMPLATE[^LINK]`` → (timestamp, template, link)."""
    parts = target.split("^")
    timestamp = parts[1] if len(parts) > 1 else ""
    template = parts[2] if len(parts) > 2 else ""
    link = "^".join(parts[3:]) if len(parts) > 3 else None
    return timestamp, template, link


def _date_plain(target: str, fallback: str) -> str:
    timestamp, template, _ = _date_parts(target)
    current = reader()
    if not _INTEGER.fullmatch(timestamp) or not template:
        return fallback
    try:
        return format_date(int(timestamp), decode_entities(template), current.tz, current.now)
    except (ValueError, OverflowError, OSError):
        return fallback


# --- mrkdwn ------------------------------------------------------------------------------------


def _marker(mark: str) -> re.Pattern[str]:
    m = re.escape(mark)
    # Opens after start/space/punctuation, closes before end/space/punctuation; no space inside the marks.
    return re.compile(rf"(?<![^\W_])(?<!{m}){m}(?=[^\s{m}])(.+?)(?<=[^\s{m}]){m}(?![^\W_])(?!{m})")


_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_marker("*"), "strong"),
    (_marker("_"), "em"),
    (_marker("~"), "del"),
)


def _format(text: str) -> str:
    """Apply *bold*, _italic_ and ~strike~ to escaped text, leftmost first, so tags always nest."""
    out: list[str] = []
    pos = 0
    while True:
        best: tuple[re.Match[str], str] | None = None
        for pattern, tag in _MARKERS:
            found = pattern.search(text, pos)
            if found and (best is None or found.start() < best[0].start()):
                best = (found, tag)
        if best is None:
            out.append(text[pos:])
            return "".join(out)
        found, tag = best
        out.append(text[pos : found.start()])
        out.append(f"<{tag}>{_format(found.group(1))}</{tag}>")
        pos = found.end()


def _plain_segment(text: str) -> str:
    return emojize(esc(decode_entities(text)))


def _angle(body: str, users: UserNames) -> str:
    """``<…>``: a mention, a special mention, a channel, a date or a link; anything else literally."""
    target, _, label = body.partition("|")
    label = decode_entities(label)
    if target.startswith("@"):
        return mention_chip(users, target[1:], label)
    if target.startswith("#"):
        name = label or target[1:]
        return (
            f'<span class="bk-mention bk-channel"{attrs({"data-channel-id": target[1:]})}>#{esc(name)}</span>'
        )
    if target.startswith("!"):
        command = target[1:]
        if command in ("here", "channel", "everyone"):
            return f'<span class="bk-mention bk-broadcast">@{esc(command)}</span>'
        if command.startswith("subteam^"):
            return f'<span class="bk-mention">{esc(label or "@group")}</span>'
        if command.startswith("date^"):
            timestamp, template, link = _date_parts(target)
            return date_html(timestamp, template, link, label)
    url = safe_url(decode_entities(target))
    if url is not None:
        link = attrs({"class": "bk-link", "href": url, "target": "_blank", "rel": "noopener noreferrer"})
        return f"<a{link}>{emojize(esc(label or url))}</a>"
    if label:  # a link Slack would not follow (javascript:, a bare word…): its label, unlinked
        return emojize(esc(label))
    return esc(decode_entities(f"<{body}>"))


def _angle_plain(body: str, users: UserNames) -> str:
    """``<…>`` inside code: the text a person would read, without chips or links."""
    target, _, label = body.partition("|")
    label = decode_entities(label)
    if target.startswith("@"):
        return "@" + user_name(users, target[1:], label)
    if target.startswith("!date^"):
        return _date_plain(target, label)
    if target.startswith(("#", "!")):
        return label or target
    if label or safe_url(decode_entities(target)):
        return label or decode_entities(target)
    return decode_entities(f"<{body}>")


def _code_text(text: str, users: UserNames) -> str:
    parts: list[str] = []
    pos = 0
    for found in re.finditer(r"<([^<>\n]+)>", text):
        parts.append(decode_entities(text[pos : found.start()]))
        parts.append(_angle_plain(found.group(1), users))
        pos = found.end()
    parts.append(decode_entities(text[pos:]))
    return esc("".join(parts))


def inline(line: str, users: UserNames) -> str:
    """One line of mrkdwn (no block syntax) as HTML."""
    slots: list[str] = []

    def stash(fragment: str) -> str:
        slots.append(fragment)
        return f"{_PH_OPEN}{len(slots) - 1}{_PH_CLOSE}"

    out: list[str] = []
    pos = 0
    for found in _TOKEN.finditer(line):
        out.append(_plain_segment(line[pos : found.start()]))
        if found.group(1) is not None:
            out.append(stash(f'<code class="bk-code">{_code_text(found.group(1), users)}</code>'))
        else:
            out.append(stash(_angle(found.group(2), users)))
        pos = found.end()
    out.append(_plain_segment(line[pos:]))
    return _PLACEHOLDER.sub(lambda m: slots[int(m.group(1))], _format("".join(out)))


def _line_kind(line: str) -> tuple[str, str, int]:
    if found := _QUOTE.match(line):
        return "quote", found.group(1), 0
    if found := _BULLET.match(line):
        return "ul", found.group(1), 0
    if found := _NUMBERED.match(line):
        return "ol", found.group(2), int(found.group(1))
    return "text", line, 0


def _lines(text: str, users: UserNames) -> str:
    groups: list[tuple[str, list[tuple[str, int]]]] = []
    for line in text.split("\n"):
        kind, body, number = _line_kind(line)
        if groups and groups[-1][0] == kind:
            groups[-1][1].append((body, number))
        else:
            groups.append((kind, [(body, number)]))
    out: list[str] = []
    for index, (kind, items) in enumerate(groups):
        if kind == "text":
            lines = [body for body, _ in items]
            # A blank line next to a list or a quote is the block's own margin.
            if index > 0 and lines[0] == "" and len(lines) > 1:
                lines = lines[1:]
            if index < len(groups) - 1 and lines[-1] == "" and len(lines) > 1:
                lines = lines[:-1]
            out.append("<br>".join(inline(body, users) for body in lines))
        elif kind == "quote":
            inner = "<br>".join(inline(body, users) for body, _ in items)
            out.append(f'<blockquote class="bk-quote">{inner}</blockquote>')
        else:
            entries = "".join(f"<li>{inline(body, users)}</li>" for body, _ in items)
            start = items[0][1]
            extra = attrs({"start": start}) if kind == "ol" and start != 1 else ""
            out.append(f'<{kind} class="bk-list"{extra}>{entries}</{kind}>')
    return "".join(out)


def mrkdwn(text: str, *, users: UserNames, tz: str | tzinfo | None = None, now: float | None = None) -> str:
    """Slack mrkdwn to safe HTML, for a reader in time zone ``tz`` (see :func:`reading_as`).

    Handles *bold*, _italic_, ~strike~ (nested, leftmost first), `code`, fenced ```pre```, ``>`` quote
    lines, ``•``/``-`` bullet and ``1.`` numbered lines as lists, line breaks, links
    (``<https://x|label>``, ``<https://x>``; http, https and mailto only), mentions (``<@U1>`` and
    ``<@U1|name>`` as an ``@Name`` chip, the name from ``users``), ``<!here>``/``<!channel>`` chips,
    ``<#C1|name>``, date tokens (``<!date^1392734382^{date_short_pretty} at {time}|fallback>``, see
    :func:`format_date`, in the reader's time zone) and known ``:emoji:``. Slack's entities ``&amp;
    &lt; &gt;`` are decoded once and everything is re-escaped, so no input ever becomes markup.
    """
    with reading_as(tz, now):
        return _mrkdwn(text, users)


def _mrkdwn(text: str, users: UserNames) -> str:
    text = str(text).replace("\r\n", "\n").replace(_PH_OPEN, "").replace(_PH_CLOSE, "")
    out: list[str] = []
    pos = 0
    for found in _FENCE.finditer(text):
        before = text[pos : found.start()]
        if before.startswith("\n") and pos > 0:
            before = before[1:]
        before = before.removesuffix("\n")
        if before:
            out.append(_lines(before, users))
        code = found.group(1).removeprefix("\n").removesuffix("\n")
        out.append(f'<pre class="bk-pre">{_code_text(code, users)}</pre>')
        pos = found.end()
    rest = text[pos:]
    if pos > 0:
        rest = rest.removeprefix("\n")
    if rest or pos == 0:
        out.append(_lines(rest, users))
    return "".join(out)


def plain_text(text: object, *, emoji: bool = True) -> str:
    """A ``plain_text`` string: escaped, never interpreted; newlines kept as ``<br>``."""
    escaped = esc(text)
    if emoji:
        escaped = emojize(escaped)
    return escaped.replace("\n", "<br>")


def raw_text(obj: object) -> str:
    """The text of a text object (or a bare string) without markup, for attributes and ``<option>``."""
    if isinstance(obj, dict):
        text = str(obj.get("text", ""))
        if obj.get("type") == "mrkdwn":
            text = decode_entities(text)
        return emojize(text) if obj.get("emoji", True) else text
    return emojize(str(obj)) if isinstance(obj, str) else ""


def text_html(obj: object, users: UserNames) -> str:
    """A text object as HTML: ``mrkdwn`` formatted, ``plain_text`` (or a bare string) escaped."""
    if isinstance(obj, dict):
        if obj.get("type") == "mrkdwn":
            return mrkdwn(str(obj.get("text", "")), users=users)
        return plain_text(obj.get("text", ""), emoji=obj.get("emoji", True) is not False)
    if isinstance(obj, str):
        return plain_text(obj)
    return ""


# --- rich_text (what people's messages carry) ---------------------------------------------------


def _rich_inline(element: Any, users: UserNames) -> str:
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    if kind == "text":
        body = plain_text(element.get("text", ""))
    elif kind == "link":
        url = safe_url(element.get("url"))
        label = plain_text(element.get("text") or element.get("url") or "")
        if url is None:
            body = label
        else:
            link = attrs({"class": "bk-link", "href": url, "target": "_blank", "rel": "noopener noreferrer"})
            body = f"<a{link}>{label}</a>"
    elif kind == "user":
        return mention_chip(users, str(element.get("user_id", "")))
    elif kind == "channel":
        channel = str(element.get("channel_id", ""))
        return (
            f'<span class="bk-mention bk-channel"{attrs({"data-channel-id": channel})}>#{esc(channel)}</span>'
        )
    elif kind == "broadcast":
        return f'<span class="bk-mention bk-broadcast">@{esc(element.get("range", "here"))}</span>'
    elif kind == "usergroup":
        return f'<span class="bk-mention">@{esc(element.get("usergroup_id", ""))}</span>'
    elif kind == "emoji":
        name = str(element.get("name", ""))
        return esc(EMOJI.get(name, f":{name}:"))
    elif kind == "date":
        body = date_html(  # in the reader's time zone, as Slack's client shows it
            element.get("timestamp"), element.get("format"), element.get("url"), element.get("fallback")
        )
    else:
        return f'<span class="bk-unsupported">Unsupported element: {esc(kind)}</span>'
    style = element.get("style")
    if isinstance(style, dict):
        for key, tag in (("code", "code"), ("strike", "del"), ("italic", "em"), ("bold", "strong")):
            if style.get(key):
                cls = ' class="bk-code"' if tag == "code" else ""
                body = f"<{tag}{cls}>{body}</{tag}>"
    return body


def _rich_section(section: Any, users: UserNames) -> str:
    elements = section.get("elements", []) if isinstance(section, dict) else []
    return "".join(_rich_inline(e, users) for e in elements if isinstance(elements, list))


def rich_text(block: Mapping[str, Any], users: UserNames) -> str:
    """The inside of a ``rich_text`` block (sections, lists, quotes, preformatted)."""
    out: list[str] = []
    elements = block.get("elements", [])
    for part in elements if isinstance(elements, list) else []:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "rich_text_section":
            out.append(f'<div class="bk-rich-section">{_rich_section(part, users)}</div>')
        elif kind == "rich_text_quote":
            out.append(f'<blockquote class="bk-quote">{_rich_section(part, users)}</blockquote>')
        elif kind == "rich_text_preformatted":
            out.append(f'<pre class="bk-pre">{_rich_section(part, users)}</pre>')
        elif kind == "rich_text_list" and isinstance(part, dict):
            tag = "ol" if part.get("style") == "ordered" else "ul"
            items = part.get("elements", [])
            entries = "".join(
                f"<li>{_rich_section(item, users)}</li>"
                for item in (items if isinstance(items, list) else [])
            )
            out.append(f'<{tag} class="bk-list">{entries}</{tag}>')
        else:
            out.append(f'<div class="bk-unsupported">Unsupported element: {esc(kind)}</div>')
    return "".join(out)
