"""The sandbox's Block Kit renderer: every block and element, mrkdwn, modals, messages, and no XSS."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest

from bot.sandbox.render import mrkdwn, render_blocks, render_home, render_message, render_modal

NAMES = {"U1": "Ann Okafor", "U2": "Bob Lindqvist", "U3": "Maya Chen"}
ALL_USERS = list(NAMES.items())
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def users(user_id: str) -> str:
    return NAMES[user_id]


# --- a tiny DOM over html.parser ------------------------------------------------------------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def walk(self) -> list[Node]:
        found = [self]
        for child in self.children:
            if isinstance(child, Node):
                found += child.walk()
        return found


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [k for k, _ in attrs]
        assert len(names) == len(set(names)), f"duplicate attribute on <{tag}>: {names}"
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"</{tag}>"
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    """Parse ``html``, asserting every tag is closed in order and no attribute is repeated."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    assert builder.stack == [builder.root], f"unclosed: {[n.tag for n in builder.stack[1:]]}"
    return builder.root


def find(html: str | Node, tag: str | None = None, text: str | None = None, **want: Any) -> list[Node]:
    """Elements with ``tag`` whose attributes match ``want`` (``data_x`` is ``data-x``; True = present,
    None = absent) and whose text contains ``text``."""
    root = parse(html) if isinstance(html, str) else html
    found = []
    for node in root.walk()[1:]:
        if tag is not None and node.tag != tag:
            continue
        ok = True
        for key, value in want.items():
            name = key.rstrip("_").replace("_", "-")
            if value is None:
                ok = ok and name not in node.attrs
            elif value is True:
                ok = ok and name in node.attrs
            else:
                ok = ok and node.attrs.get(name) == value
        if ok and (text is None or text in node.text):
            found.append(node)
    return found


def one(html: str | Node, tag: str | None = None, text: str | None = None, **want: Any) -> Node:
    found = find(html, tag, text, **want)
    assert len(found) == 1, (
        f"{len(found)} × <{tag} {want}> {text!r} in {html if isinstance(html, str) else ''}"
    )
    return found[0]


def pt(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def opt(value: str, text: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"text": pt(text or value.title()), "value": value, **extra}


# --- blocks -------------------------------------------------------------------------------------

# (block, [(tag, text, attrs), …]) — each expectation must match exactly one element.
BLOCK_CASES: list[tuple[str, dict[str, Any], list[tuple[str, str | None, dict[str, Any]]]]] = [
    (
        "header",
        {"type": "header", "block_id": "h", "text": pt("Ground rules")},
        [
            (
                "h2",
                "Ground rules",
                {"class_": "bk-block bk-header", "data_block_id": "h", "data_type": "header"},
            )
        ],
    ),
    (
        "section-mrkdwn",
        {"type": "section", "block_id": "s", "text": md("*Hi* <@U1>")},
        [
            ("div", None, {"data_block_id": "s", "data_type": "section"}),
            ("strong", "Hi", {}),
            ("span", "@Ann Okafor", {"class_": "bk-mention", "data_user_id": "U1"}),
        ],
    ),
    (
        "section-plain",
        {"type": "section", "block_id": "s", "text": pt("*not bold*\nline two")},
        [("div", "*not bold*line two", {"class_": "bk-section-text"}), ("br", None, {})],
    ),
    (
        "section-fields",
        {"type": "section", "block_id": "s", "fields": [md("*Stage*\nIntake"), pt("Started")]},
        [
            ("div", None, {"class_": "bk-fields"}),
            ("div", "StageIntake", {"class_": "bk-field"}),
            ("div", "Started", {"class_": "bk-field"}),
        ],
    ),
    (
        "section-accessory",
        {
            "type": "section",
            "block_id": "s",
            "text": md("Ready?"),
            "accessory": {"type": "button", "action_id": "go", "text": pt("Go"), "value": "v1"},
        },
        [
            ("div", "Go", {"class_": "bk-accessory"}),
            ("button", "Go", {"data_action_id": "go", "data_block_id": "s", "data_value": "v1"}),
        ],
    ),
    (
        "section-image-accessory",
        {
            "type": "section",
            "block_id": "s",
            "text": md("Look"),
            "accessory": {"type": "image", "image_url": "https://x.test/a.png", "alt_text": "A"},
        },
        [("img", None, {"class_": "bk-accessory-image", "src": "https://x.test/a.png", "alt": "A"})],
    ),
    (
        "context",
        {
            "type": "context",
            "block_id": "c",
            "elements": [
                md("_step 2 of 4_"),
                {"type": "image", "image_url": "https://x.test/i.png", "alt_text": "i"},
            ],
        },
        [
            ("div", None, {"class_": "bk-block bk-context", "data_block_id": "c"}),
            ("em", "step 2 of 4", {}),
            ("img", None, {"class_": "bk-context-image", "src": "https://x.test/i.png", "alt": "i"}),
        ],
    ),
    (
        "divider",
        {"type": "divider", "block_id": "d"},
        [("hr", None, {"class_": "bk-block bk-divider", "data_block_id": "d"})],
    ),
    (
        "image",
        {
            "type": "image",
            "block_id": "i",
            "image_url": "https://x.test/p.png",
            "alt_text": "chart",
            "title": pt("Outcomes"),
        },
        [
            ("figure", None, {"data_block_id": "i", "data_type": "image"}),
            ("figcaption", "Outcomes", {}),
            ("img", None, {"src": "https://x.test/p.png", "alt": "chart"}),
        ],
    ),
    (
        "image-unsafe-url",
        {"type": "image", "block_id": "i", "image_url": "javascript:alert(1)", "alt_text": "chart"},
        [("span", "chart", {"class_": "bk-image-missing"})],
    ),
    (
        "actions",
        {
            "type": "actions",
            "block_id": "a",
            "elements": [
                {"type": "button", "action_id": "yes", "text": pt("Yes"), "value": "1", "style": "primary"},
                {"type": "button", "action_id": "no", "text": pt("No"), "value": "0", "style": "danger"},
            ],
        },
        [
            ("div", None, {"class_": "bk-block bk-actions", "data_block_id": "a"}),
            ("button", "Yes", {"class_": "bk-button bk-primary", "data_block_id": "a"}),
            ("button", "No", {"class_": "bk-button bk-danger", "data_block_id": "a"}),
        ],
    ),
    (
        "input",
        {
            "type": "input",
            "block_id": "topic",
            "label": pt("Topic"),
            "hint": pt("A few words"),
            "optional": True,
            "element": {"type": "plain_text_input", "action_id": "value"},
        },
        [
            (
                "div",
                None,
                {"class_": "bk-block bk-input-block", "data_block_id": "topic", "data_dispatch": None},
            ),
            ("label", "Topic (optional)", {"class_": "bk-label", "for": True}),
            ("span", "(optional)", {"class_": "bk-optional"}),
            ("div", "A few words", {"class_": "bk-hint"}),
            ("input", None, {"name": "topic/value", "data_dispatch": None}),
        ],
    ),
    (
        "input-dispatch",
        {
            "type": "input",
            "block_id": "b",
            "dispatch_action": True,
            "label": pt("Who"),
            "element": {"type": "users_select", "action_id": "who"},
        },
        [
            ("div", None, {"data_block_id": "b", "data_dispatch": "true"}),
            ("select", None, {"name": "b/who", "data_dispatch": "true", "data_type": "users_select"}),
        ],
    ),
    (
        "rich_text",
        {
            "type": "rich_text",
            "block_id": "r",
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "hello ", "style": {"bold": True}},
                        {"type": "user", "user_id": "U2"},
                    ],
                }
            ],
        },
        [("strong", "hello", {}), ("span", "@Bob Lindqvist", {"class_": "bk-mention", "data_user_id": "U2"})],
    ),
    (
        "unsupported-block",
        {"type": "video", "block_id": "v", "title": pt("x")},
        [("div", "Unsupported block: video", {"class_": "bk-block bk-unsupported", "data_type": "video"})],
    ),
]


@pytest.mark.parametrize(("block", "expected"), [c[1:] for c in BLOCK_CASES], ids=[c[0] for c in BLOCK_CASES])
def test_block(block: dict[str, Any], expected: list[tuple[str, str | None, dict[str, Any]]]) -> None:
    html = render_blocks([block], users=users, surface="message", all_users=ALL_USERS)
    root = parse(html)
    for tag, text, want in expected:
        one(root, tag, text, **want)


# --- elements -----------------------------------------------------------------------------------


def in_actions(element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": "blk", "elements": [element]}


def in_input(element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "input", "block_id": "blk", "label": pt("Field"), "element": element}


COMMON = {"data_action_id": "act", "data_block_id": "blk"}
ELEMENT_CASES: list[tuple[str, dict[str, Any], list[tuple[str, str | None, dict[str, Any]]]]] = [
    (
        "button",
        in_actions({"type": "button", "action_id": "act", "text": pt("Accept"), "value": "m1"}),
        [
            (
                "button",
                "Accept",
                {
                    **COMMON,
                    "type": "button",
                    "class_": "bk-button",
                    "data_type": "button",
                    "data_action": "click",
                    "data_value": "m1",
                    "name": None,
                },
            )
        ],
    ),
    (
        "button-primary",
        in_actions(
            {"type": "button", "action_id": "act", "text": pt("Go"), "value": "1", "style": "primary"}
        ),
        [("button", "Go", {"class_": "bk-button bk-primary", "data_action": "click"})],
    ),
    (
        "button-danger-confirm-url",
        in_actions(
            {
                "type": "button",
                "action_id": "act",
                "text": pt("Stop"),
                "style": "danger",
                "url": "https://x.test/",
                "confirm": {
                    "title": pt("Sure?"),
                    "text": pt("Really"),
                    "confirm": pt("Yes"),
                    "deny": pt("No"),
                },
            }
        ),
        [
            (
                "button",
                "Stop",
                {
                    "class_": "bk-button bk-danger",
                    "data_value": "",
                    "data_url": "https://x.test/",
                    "data_confirm_title": "Sure?",
                    "data_confirm_text": "Really",
                },
            )
        ],
    ),
    (
        "static_select",
        in_actions(
            {
                "type": "static_select",
                "action_id": "act",
                "placeholder": pt("Pick one"),
                "options": [opt("a"), opt("b")],
                "initial_option": opt("b"),
            }
        ),
        [
            (
                "select",
                None,
                {**COMMON, "data_type": "static_select", "name": "blk/act", "data_dispatch": "true"},
            ),
            ("option", "Pick one", {"value": "", "selected": None}),
            ("option", "A", {"value": "a", "selected": None}),
            ("option", "B", {"value": "b", "selected": True}),
        ],
    ),
    (
        "static_select-groups",
        in_actions(
            {
                "type": "static_select",
                "action_id": "act",
                "option_groups": [{"label": pt("Group"), "options": [opt("g1")]}],
            }
        ),
        [
            ("optgroup", "G1", {"label": "Group"}),
            ("option", "Select an item", {"value": "", "selected": True}),
        ],
    ),
    (
        "users_select",
        in_actions({"type": "users_select", "action_id": "act", "initial_user": "U2"}),
        [
            ("select", None, {**COMMON, "data_type": "users_select", "multiple": None, "name": "blk/act"}),
            ("option", "Select a user", {"value": "", "selected": None}),
            ("option", "Ann Okafor", {"value": "U1", "selected": None}),
            ("option", "Bob Lindqvist", {"value": "U2", "selected": True}),
            ("option", "Maya Chen", {"value": "U3", "selected": None}),
        ],
    ),
    (
        "multi_users_select",
        in_input({"type": "multi_users_select", "action_id": "act", "initial_users": ["U1", "U3"]}),
        [
            (
                "select",
                None,
                {**COMMON, "data_type": "multi_users_select", "multiple": True, "name": "blk/act"},
            ),
            ("option", "Ann Okafor", {"value": "U1", "selected": True}),
            ("option", "Bob Lindqvist", {"value": "U2", "selected": None}),
            ("option", "Maya Chen", {"value": "U3", "selected": True}),
        ],
    ),
    (
        "radio_buttons",
        in_input(
            {
                "type": "radio_buttons",
                "action_id": "act",
                "options": [opt("all", "Everything"), opt("none", "Nothing", description=md("_keep it_"))],
                "initial_option": opt("none", "Nothing"),
            }
        ),
        [
            ("div", None, {"class_": "bk-radios", "role": "radiogroup", "data_type": "radio_buttons"}),
            ("input", None, {**COMMON, "type": "radio", "name": "blk/act", "value": "all", "checked": None}),
            ("input", None, {**COMMON, "type": "radio", "name": "blk/act", "value": "none", "checked": True}),
            ("label", "Everything", {"class_": "bk-choice"}),
            ("em", "keep it", {}),
        ],
    ),
    (
        "checkboxes",
        in_input(
            {
                "type": "checkboxes",
                "action_id": "act",
                "options": [opt("one"), opt("two"), opt("three")],
                "initial_options": [opt("one"), opt("three")],
            }
        ),
        [
            ("div", None, {"class_": "bk-checkboxes", "data_type": "checkboxes"}),
            ("input", None, {"type": "checkbox", "name": "blk/act", "value": "one", "checked": True}),
            ("input", None, {"type": "checkbox", "name": "blk/act", "value": "two", "checked": None}),
            (
                "input",
                None,
                {"type": "checkbox", "value": "three", "checked": True, "data_type": "checkboxes"},
            ),
        ],
    ),
    (
        "plain_text_input",
        in_input(
            {
                "type": "plain_text_input",
                "action_id": "act",
                "initial_value": "hello",
                "max_length": 80,
                "placeholder": pt("Say it"),
            }
        ),
        [
            (
                "input",
                None,
                {
                    **COMMON,
                    "type": "text",
                    "name": "blk/act",
                    "value": "hello",
                    "maxlength": "80",
                    "placeholder": "Say it",
                    "data_type": "plain_text_input",
                },
            )
        ],
    ),
    (
        "plain_text_input-multiline",
        in_input(
            {
                "type": "plain_text_input",
                "action_id": "act",
                "multiline": True,
                "initial_value": "line 1\nline 2",
                "max_length": 3000,
            }
        ),
        [
            (
                "textarea",
                "line 1\nline 2",
                {"name": "blk/act", "maxlength": "3000", "class_": "bk-input bk-textarea"},
            )
        ],
    ),
    (
        "number_input",
        in_input(
            {
                "type": "number_input",
                "action_id": "act",
                "is_decimal_allowed": False,
                "min_value": "0",
                "max_value": "10",
                "initial_value": "7",
            }
        ),
        [
            (
                "input",
                None,
                {
                    **COMMON,
                    "type": "number",
                    "name": "blk/act",
                    "min": "0",
                    "max": "10",
                    "step": "1",
                    "value": "7",
                    "data_type": "number_input",
                },
            )
        ],
    ),
    (
        "number_input-decimal",
        in_input({"type": "number_input", "action_id": "act", "is_decimal_allowed": True}),
        [("input", None, {"type": "number", "step": "any", "min": None, "max": None, "value": ""})],
    ),
    (
        "overflow",
        in_actions({"type": "overflow", "action_id": "act", "options": [opt("pause"), opt("stop")]}),
        [
            ("select", None, {**COMMON, "class_": "bk-overflow", "data_type": "overflow", "name": None}),
            ("option", "⋯", {"value": ""}),
            ("option", "Pause", {"value": "pause", "data_value": "pause"}),
            ("option", "Stop", {"value": "stop", "data_value": "stop"}),
        ],
    ),
    (
        "datepicker",
        in_input({"type": "datepicker", "action_id": "act", "initial_date": "2025-03-01"}),
        [
            (
                "input",
                None,
                {
                    **COMMON,
                    "type": "date",
                    "name": "blk/act",
                    "value": "2025-03-01",
                    "data_type": "datepicker",
                },
            )
        ],
    ),
    (
        "unsupported-element",
        in_actions({"type": "workflow_button", "action_id": "act", "text": pt("Run")}),
        [
            (
                "span",
                "Unsupported element: workflow_button",
                {"class_": "bk-unsupported", "data_type": "workflow_button"},
            )
        ],
    ),
    (
        "unsupported-accessory",
        {
            "type": "section",
            "block_id": "blk",
            "text": md("x"),
            "accessory": {"type": "conversations_select"},
        },
        [("span", "Unsupported element: conversations_select", {"class_": "bk-unsupported"})],
    ),
]


@pytest.mark.parametrize(
    ("block", "expected"), [c[1:] for c in ELEMENT_CASES], ids=[c[0] for c in ELEMENT_CASES]
)
def test_element(block: dict[str, Any], expected: list[tuple[str, str | None, dict[str, Any]]]) -> None:
    html = render_blocks([block], users=users, surface="modal", all_users=ALL_USERS)
    root = parse(html)
    for tag, text, want in expected:
        one(root, tag, text, **want)


def test_users_select_without_all_users_offers_the_selected_user() -> None:
    html = render_blocks(
        [in_actions({"type": "users_select", "action_id": "act", "initial_user": "U3"})],
        users=users,
        surface="home",
    )
    assert [o.attrs["value"] for o in find(html, "option")] == ["", "U3"]
    one(html, "option", "Maya Chen", selected=True)


# --- mrkdwn -------------------------------------------------------------------------------------

MENTION_ANN = '<span class="bk-mention" data-user-id="U1">@Ann Okafor</span>'
LINK = '<a class="bk-link" href="{}" target="_blank" rel="noopener noreferrer">{}</a>'
MRKDWN_CASES = [
    ("plain", "hello", "hello"),
    ("bold", "*bold*", "<strong>bold</strong>"),
    ("italic", "_it_", "<em>it</em>"),
    ("strike", "~gone~", "<del>gone</del>"),
    ("code", "`a *b* <c>`", '<code class="bk-code">a *b* &lt;c&gt;</code>'),
    ("pre", "```\nx = *1*\n  y```", '<pre class="bk-pre">x = *1*\n  y</pre>'),
    ("pre-between", "a\n```b```\nc", 'a<pre class="bk-pre">b</pre>c'),
    ("bold-italic", "*bold _italic_*", "<strong>bold <em>italic</em></strong>"),
    ("italic-bold", "_a *b*_", "<em>a <strong>b</strong></em>"),
    ("crossed-marks-nest", "*a _b* c_", "<strong>a _b</strong> c_"),
    ("not-in-words", "snake_case_name 2*3*4", "snake_case_name 2*3*4"),
    ("no-space-inside", "* not bold *", "* not bold *"),
    ("two-bolds", "*a* and *b*", "<strong>a</strong> and <strong>b</strong>"),
    ("mention", "hi <@U1>", "hi " + MENTION_ANN),
    ("mention-named", "<@U1|ann>", MENTION_ANN),
    ("mention-unknown", "<@U9|zed>", '<span class="bk-mention" data-user-id="U9">@zed</span>'),
    ("mention-in-bold", "*to <@U1>*", f"<strong>to {MENTION_ANN}</strong>"),
    ("here", "<!here>", '<span class="bk-mention bk-broadcast">@here</span>'),
    ("channel-broadcast", "<!channel>", '<span class="bk-mention bk-broadcast">@channel</span>'),
    (
        "link-label",
        "<https://x.test/a?b=1&amp;c=2|the *site*>",
        LINK.format("https://x.test/a?b=1&amp;c=2", "the *site*"),
    ),
    ("link-bare", "<https://x.test>", LINK.format("https://x.test", "https://x.test")),
    ("mailto", "<mailto:hr@x.test|HR>", LINK.format("mailto:hr@x.test", "HR")),
    ("link-javascript", "<javascript:alert(1)|click>", "click"),
    ("unknown-angle", "<script>", "&lt;script&gt;"),
    ("entities", "a &lt;b&gt; &amp;amp; c", "a &lt;b&gt; &amp;amp; c"),
    ("quote", "> said\n> twice\nafter", '<blockquote class="bk-quote">said<br>twice</blockquote>after'),
    ("quote-entity", "&gt; quoted", '<blockquote class="bk-quote">quoted</blockquote>'),
    ("bullets", "• one\n- *two*", '<ul class="bk-list"><li>one</li><li><strong>two</strong></li></ul>'),
    ("numbered", "1. first\n2. second", '<ol class="bk-list"><li>first</li><li>second</li></ol>'),
    ("numbered-start", "3. third", '<ol class="bk-list" start="3"><li>third</li></ol>'),
    ("list-around", "Intro\n\n• a\n\nOutro", 'Intro<ul class="bk-list"><li>a</li></ul>Outro'),
    ("line-breaks", "a\nb\n\nc", "a<br>b<br><br>c"),
    ("emoji", ":wave: :nope:", "👋 :nope:"),
    ("quotes-escaped", 'it\'s "x"', "it&#x27;s &quot;x&quot;"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in MRKDWN_CASES], ids=[c[0] for c in MRKDWN_CASES]
)
def test_mrkdwn(text: str, expected: str) -> None:
    html = mrkdwn(text, users=users)
    assert html == expected
    parse(html)


# --- messages, modals, home ---------------------------------------------------------------------


def test_message_text_fallback_and_author() -> None:
    html = render_message({"ts": "1700000000.000100", "user": "U1", "text": "*hi*"}, users=users)
    outer = one(html, "div", None, class_="bk-message", data_ts="1700000000.000100")
    one(outer, "span", "Ann Okafor", class_="bk-author")
    one(outer, "time", "22:13", datetime="2023-11-14T22:13:20.000100+00:00")
    one(outer, "strong", "hi")
    assert not find(outer, "div", None, class_="bk-ephemeral-label")
    assert not find(outer, "span", None, class_="bk-app-badge")


def test_message_blocks_win_over_text_and_bot_badge() -> None:
    message = {
        "ts": "1.2",
        "user": "U3",
        "bot_id": "B1",
        "text": "fallback",
        "blocks": [{"type": "section", "block_id": "s", "text": md("from blocks")}],
        "edited": {"user": "U3", "ts": "1.3"},
    }
    html = render_message(message, users=users)
    assert "fallback" not in html
    one(html, "div", "from blocks", class_="bk-section-text")
    one(html, "span", "APP", class_="bk-app-badge")
    one(html, "span", "(edited)", class_="bk-edited")


def test_ephemeral_message_is_labelled() -> None:
    html = render_message({"ts": "5.0", "user": "U3", "text": "psst", "ephemeral": True}, users=users)
    one(html, "div", None, class_="bk-message bk-ephemeral", data_ts="5.0")
    one(html, "div", "Only visible to you", class_="bk-ephemeral-label")
    one(html, "span", "APP", class_="bk-app-badge")


def test_message_without_user_is_from_the_app() -> None:
    html = render_message({"ts": "5.0", "text": "x", "is_ephemeral": True}, users=users)
    one(html, "span", "Common Ground", class_="bk-author")
    one(html, "div", "Only visible to you", class_="bk-ephemeral-label")


MODAL = {
    "id": "V1",
    "type": "modal",
    "callback_id": "start",
    "title": pt("Start a mediation"),
    "submit": pt("Send"),
    "close": pt("Not now"),
    "blocks": [
        {"type": "section", "block_id": "intro", "text": md("Tell us *briefly*.")},
        {
            "type": "input",
            "block_id": "topic",
            "label": pt("Topic"),
            "hint": pt("Keep it short"),
            "element": {"type": "plain_text_input", "action_id": "value", "initial_value": "initial"},
        },
        {
            "type": "input",
            "block_id": "hopes",
            "label": pt("Hopes"),
            "optional": True,
            "element": {"type": "plain_text_input", "action_id": "value", "multiline": True},
        },
        {
            "type": "input",
            "block_id": "who",
            "label": pt("Colleague"),
            "element": {"type": "users_select", "action_id": "value", "initial_user": "U2"},
        },
        {
            "type": "input",
            "block_id": "how",
            "label": pt("How to meet"),
            "element": {
                "type": "radio_buttons",
                "action_id": "value",
                "options": [opt("dm"), opt("channel")],
            },
        },
    ],
    "state": {
        "values": {
            "topic": {"value": {"type": "plain_text_input", "value": "typed <b>"}},
            "who": {"value": {"type": "users_select", "selected_user": "U3"}},
            "how": {"value": {"type": "radio_buttons", "selected_option": opt("channel")}},
        }
    },
    "errors": {"topic": "Please keep the topic under 150 characters.", "intro": "not an input"},
}


def test_modal_frame() -> None:
    html = render_modal(MODAL, users=users, all_users=ALL_USERS)
    root = parse(html)
    assert root.children and isinstance(root.children[0], Node)
    form = one(
        root, "form", None, class_="bk-modal", data_view_id="V1", data_callback_id="start", role="dialog"
    )
    assert form is root.children[0]
    title = one(form, "h2", "Start a mediation", class_="bk-modal-title")
    assert form.attrs["aria-labelledby"] == title.attrs["id"]
    one(form, "button", "×", data_modal_close=True, type="button")
    one(form, "button", "Not now", data_modal_close=True, type="button", data_action=None)
    one(form, "button", "Send", type="submit", class_="bk-button bk-primary", data_action=None)


def test_modal_state_errors_optional_hint() -> None:
    root = parse(render_modal(MODAL, users=users, all_users=ALL_USERS))
    topic = one(root, "div", None, data_block_id="topic")
    assert topic.attrs["class"] == "bk-block bk-input-block bk-has-error"
    one(topic, "input", None, name="topic/value", value="typed <b>", required=True)  # state wins over initial
    one(topic, "div", "Please keep the topic under 150 characters.", class_="bk-error", role="alert")
    one(topic, "div", "Keep it short", class_="bk-hint")
    label = one(topic, "label", "Topic", class_="bk-label")
    assert label.attrs["for"] == one(topic, "input").attrs["id"]
    hopes = one(root, "div", None, data_block_id="hopes")
    one(hopes, "span", "(optional)", class_="bk-optional")
    one(hopes, "textarea", None, name="hopes/value", required=None)
    assert not find(hopes, "div", None, class_="bk-error")
    one(root, "option", "Maya Chen", value="U3", selected=True)
    one(root, "option", "Bob Lindqvist", value="U2", selected=None)
    one(root, "input", None, value="channel", checked=True, required=True)
    one(root, "input", None, value="dm", checked=None)
    one(root, "div", "not an input", class_="bk-error")  # errors are never dropped


def test_modal_initial_values_and_no_submit() -> None:
    view = {key: value for key, value in MODAL.items() if key not in ("state", "errors", "submit", "close")}
    root = parse(render_modal(view, users=users, all_users=ALL_USERS))
    one(root, "input", None, name="topic/value", value="initial")
    one(root, "option", "Bob Lindqvist", value="U2", selected=True)
    one(root, "button", "Cancel", data_modal_close=True)
    assert not find(root, "button", None, type="submit")
    assert not find(root, "div", None, class_="bk-error")


def test_state_keyword_accepts_values_or_the_state_object() -> None:
    block = in_input({"type": "datepicker", "action_id": "act", "initial_date": "2025-01-01"})
    values = {"blk": {"act": {"type": "datepicker", "selected_date": "2025-02-02"}}}
    for state in (values, {"values": values}):
        html = render_blocks([block], users=users, surface="modal", state=state)
        one(html, "input", None, type="date", value="2025-02-02")
    cleared = {"blk": {"act": {"type": "datepicker", "selected_date": None}}}
    one(render_blocks([block], users=users, surface="modal", state=cleared), "input", None, value="")


def test_home() -> None:
    view = {
        "id": "VH",
        "type": "home",
        "blocks": [{"type": "header", "block_id": "h", "text": pt("Welcome")}],
    }
    html = render_home(view, users=users)
    outer = one(html, "div", None, class_="bk-home", data_view_id="VH")
    one(outer, "h2", "Welcome", data_block_id="h")


def test_inputs_outside_modals_are_not_required() -> None:
    html = render_blocks(
        [in_input({"type": "plain_text_input", "action_id": "act"})], users=users, surface="home"
    )
    one(html, "input", None, name="blk/act", required=None)


def test_unknown_surface_is_refused() -> None:
    with pytest.raises(ValueError, match="surface"):
        render_blocks([], users=users, surface="channel")


def test_malformed_blocks_are_visible() -> None:
    html = render_blocks(["oops", {"block_id": "x"}], users=users, surface="message")  # type: ignore[list-item]
    assert len(find(html, "div", "Unsupported block", class_="bk-block bk-unsupported")) == 2


# --- XSS ----------------------------------------------------------------------------------------

P = "<script>alert(1)</script>\" onmouseover=\"alert(1)' onfocus='x"
# Without angle brackets, so that links and mentions are parsed as such, with the payload inside.
P2 = "x\" onmouseover=\"alert(1)' onfocus='y &amp;lt;script&amp;gt;"
BAD_URL = "javascript:alert(1)"
QUOTED_LINK = '<https://x.test/a"onmouseover="alert(1)\'|quoted>'


def _evil_option(p: str) -> dict[str, Any]:
    return {"text": pt(p), "value": p, "description": md(p), "url": BAD_URL}


def _evil_blocks(p: str) -> list[dict[str, Any]]:
    option = _evil_option(p)
    el = {"action_id": p, "placeholder": pt(p)}
    return [
        {"type": "header", "block_id": p, "text": pt(p)},
        {
            "type": "section",
            "block_id": p,
            "text": md(
                f"{p} *{p}* <{BAD_URL}|{p}> <https://x.test/{p}|{p}> {QUOTED_LINK}"
                f" <@{p}|{p}> `{p}` ```{p}``` > {p}"
            ),
            "fields": [md(p), pt(p)],
            "accessory": {"type": "image", "image_url": BAD_URL, "alt_text": p},
        },
        {
            "type": "section",
            "block_id": p,
            "text": pt(p),
            "accessory": {"type": "overflow", **el, "options": [option]},
        },
        {
            "type": "context",
            "block_id": p,
            "elements": [md(p), pt(p), {"type": "image", "image_url": p, "alt_text": p}],
        },
        {"type": "image", "block_id": p, "image_url": "https://x.test/" + p, "alt_text": p, "title": pt(p)},
        {"type": p, "block_id": p},
        {
            "type": "actions",
            "block_id": p,
            "elements": [
                {
                    "type": "button",
                    "action_id": p,
                    "text": pt(p),
                    "value": p,
                    "url": BAD_URL,
                    "style": p,
                    "accessibility_label": p,
                    "confirm": {"title": pt(p), "text": md(p), "confirm": pt(p), "deny": pt(p)},
                },
                {
                    "type": "static_select",
                    **el,
                    "options": [option],
                    "option_groups": [{"label": pt(p), "options": [option]}],
                },
                {"type": "users_select", **el, "initial_user": p},
                {"type": "multi_users_select", **el, "initial_users": [p]},
                {"type": "datepicker", **el, "initial_date": p},
                {"type": p, **el},
            ],
        },
        {
            "type": "input",
            "block_id": p,
            "label": pt(p),
            "hint": pt(p),
            "element": {"type": "plain_text_input", **el, "initial_value": p},
        },
        {
            "type": "input",
            "block_id": p,
            "label": pt(p),
            "element": {
                "type": "plain_text_input",
                **el,
                "multiline": True,
                "initial_value": f"</textarea>{p}",
            },
        },
        {
            "type": "input",
            "block_id": p,
            "label": pt(p),
            "element": {
                "type": "number_input",
                **el,
                "is_decimal_allowed": False,
                "min_value": p,
                "max_value": p,
                "initial_value": p,
            },
        },
        {
            "type": "input",
            "block_id": p,
            "label": pt(p),
            "element": {"type": "radio_buttons", **el, "options": [option], "initial_option": option},
        },
        {
            "type": "input",
            "block_id": p,
            "label": pt(p),
            "element": {"type": "checkboxes", **el, "options": [option], "initial_options": [option]},
        },
        {"type": "input", "block_id": "x", "label": pt(p), "element": p},
        {
            "type": "rich_text",
            "block_id": p,
            "elements": [
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": p, "style": {"bold": True, "code": True}},
                        {"type": "link", "url": BAD_URL, "text": p},
                        {"type": "user", "user_id": p},
                        {"type": "emoji", "name": p},
                        {"type": p},
                    ],
                },
                {"type": p},
            ],
        },
    ]


def _evil_outputs(p: str) -> list[str]:
    def evil_users(user_id: str) -> str:
        return p + user_id

    blocks = _evil_blocks(p)
    view = {
        "id": p,
        "callback_id": p,
        "title": pt(p),
        "submit": pt(p),
        "close": pt(p),
        "blocks": blocks,
        "state": {"values": {p: {p: {"type": "plain_text_input", "value": p}}}},
        "errors": {p: p},
    }
    evil_all = [(p, p), ("U1", p)]
    message = {"ts": p, "user": p, "text": p, "blocks": blocks, "ephemeral": True, "edited": p, "bot_id": p}
    return [
        render_message(message, users=evil_users, all_users=evil_all),
        render_message({"ts": p, "user": p, "text": f"*{p}* <@U1> {p}", "username": p}, users=evil_users),
        render_message({"ts": "1", "text": p, "username": p}, users=evil_users),
        render_modal(view, users=evil_users, all_users=evil_all),
        render_home(view, users=evil_users, all_users=evil_all),
        render_blocks(blocks, users=evil_users, surface="message", errors={p: p}),
        mrkdwn(f"{p}\n• {p}\n1. {p}\n> {p}", users=evil_users),
    ]


@pytest.mark.parametrize("index", range(7))
@pytest.mark.parametrize("payload", [P, P2], ids=["script", "quotes"])
def test_no_xss(payload: str, index: int) -> None:
    html = _evil_outputs(payload)[index]
    assert "<script" not in html.lower()
    root = parse(html)
    for node in root.walk()[1:]:
        assert node.tag != "script"
        for name, value in node.attrs.items():
            assert not name.startswith("on"), f"<{node.tag} {name}=…>"
            if name in ("href", "src", "data-url"):
                assert value is not None and value.startswith("https://"), f"<{node.tag} {name}={value!r}>"
    assert "onmouseover" in root.text  # shown, as text


def test_xss_payload_round_trips_in_attributes() -> None:
    html = render_blocks(
        [in_actions({"type": "button", "action_id": P, "text": pt("x"), "value": P})],
        users=users,
        surface="message",
    )
    button = one(html, "button")
    assert button.attrs["data-action-id"] == P
    assert button.attrs["data-value"] == P
    assert button.attrs["data-block-id"] == "blk"
