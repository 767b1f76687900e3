"""Every surface the app builds is valid Block Kit within Slack's limits, in every state, including
the largest inputs the app accepts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot import texts as t
from bot.sandbox.blockkit import validate_message, validate_view
from bot.views import modals
from bot.views.home import home_view
from bot.views.joint import joint_message
from bot.views.messages import done_message, facilitator_message, notice_message, status_blocks
from flows import commands as c
from flows import engine
from flows.definition import load_builtin
from flows.effects import JointPost, Notice
from flows.models import JointKind, Mediation, Outcome, Role, Share
from flows.steps import Done, DoneKind, offer_for

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PEER = load_builtin("peer")
LONG = "x" * 1500


def joint_mediation(topic: str = "t" * 150, long_text: str = LONG) -> Mediation:
    """A mediation played to the joint stage with the longest inputs the flow accepts."""
    m = engine.start(
        c.Start(actor="UA", respondent="UB", topic=topic, hopes="h" * 1000),
        PEER,
        NOW,
        mediation_id="m1",
        team="-.T",
    ).mediation
    steps: list[c.Command] = [
        c.Accept(actor="UB"),
        c.AgreeGroundRules(actor="UA"),
        c.AgreeGroundRules(actor="UB"),
    ]
    answers = {q.key: long_text for q in PEER.intake().questions}
    for user in ("UA", "UB"):
        steps += [
            c.SaveIntake(actor=user, answers=answers),
            c.ChooseSharing(actor=user, shares={k: Share.ALL for k in answers}),
        ]
    steps += [
        c.SubmitReflection(actor="UB", text=long_text),
        c.AnswerReflection(actor="UA", confirmed=False, missing=long_text),
        c.SubmitReflection(actor="UB", text=long_text),
        c.AnswerReflection(actor="UA", confirmed=True),
        c.SubmitReflection(actor="UA", text=long_text),
        c.AnswerReflection(actor="UB", confirmed=True),
        c.SubmitCheckIn(actor="UA", scores=[10, 10, 10, 10]),
        c.SubmitCheckIn(actor="UB", scores=[10, 10, 10, 10]),
        c.JointSpaceOpened(channel_id="G1", kind=JointKind.GROUP_DM),
    ]
    for step in steps:
        m = engine.apply(m, step, PEER, NOW).mediation
    for i in range(engine.ITEMS_MAX):
        m = engine.apply(
            m, c.ProposeItem(actor="UA", who="w" * 100, what="y" * 300, by_when=date(2027, 1, 1)), PEER, NOW
        ).mediation
        m = engine.apply(m, c.AcceptItem(actor="UB", item_id=f"i{i + 1}"), PEER, NOW).mediation
    m = engine.apply(m, c.ProposeFinish(actor="UA", outcome=Outcome.AGREED), PEER, NOW).mediation
    return engine.apply(m, c.AnswerFinish(actor="UB", proposal_id="f1", confirmed=True), PEER, NOW).mediation


@pytest.mark.parametrize("facilitator", [None, "UMAYA"], ids=["peer", "facilitated"])
@pytest.mark.parametrize("notice", list(Notice))
@pytest.mark.parametrize("role", list(Role))
def test_every_notice_is_valid_block_kit(notice: Notice, role: Role, facilitator: str | None) -> None:
    m = joint_mediation().model_copy(update={"facilitator": facilitator})
    message = notice_message(m, role, notice, PEER, speaker=Role.INITIATOR)
    assert message.text
    assert validate_message(message.text, message.blocks) == []


def played(count: int, facilitator: str | None = None) -> Mediation:
    """A mediation after the first `count` commands of the peer flow (the longest inputs)."""
    m = engine.start(
        c.Start(actor="UA", respondent="UB", topic="t"), PEER, NOW, mediation_id="m1", team="-.T"
    )
    mediation = m.mediation.model_copy(update={"facilitator": facilitator})
    answers = {q.key: "It happened." for q in PEER.intake().questions}
    shares = dict.fromkeys(answers, Share.ALL)
    commands: list[c.Command] = [
        c.Accept(actor="UB"),
        c.AgreeGroundRules(actor="UA"),
        c.AgreeGroundRules(actor="UB"),
        c.SaveIntake(actor="UA", answers=answers),
        c.ChooseSharing(actor="UA", shares=shares),
        c.SaveIntake(actor="UB", answers=answers),
        c.ChooseSharing(actor="UB", shares=shares),
        c.SubmitReflection(actor="UB", text="You felt hurt."),
        c.AnswerReflection(actor="UA", confirmed=True),
        c.SubmitReflection(actor="UA", text="You felt alone."),
        c.AnswerReflection(actor="UB", confirmed=True),
        c.SubmitCheckIn(actor="UA", scores=[10, 10, 10, 2]),
    ]
    for command in commands[:count]:
        mediation = engine.apply(mediation, command, PEER, NOW).mediation
    return mediation


@pytest.mark.parametrize("facilitator", [None, "UMAYA"], ids=["peer", "facilitated"])
@pytest.mark.parametrize("count", [0, 1, 2, 3, 5, 7, 8, 9, 11, 12])
@pytest.mark.parametrize("role", list(Role))
def test_a_message_has_buttons_exactly_when_it_offers_a_step(
    count: int, role: Role, facilitator: str | None
) -> None:
    m = played(count, facilitator)
    for notice in Notice:
        message = notice_message(m, role, notice, PEER, speaker=Role.INITIATOR)
        has_buttons = any(block["type"] == "actions" for block in message.blocks)
        assert has_buttons == (offer_for(m, role, notice) is not None), notice


@pytest.mark.parametrize("kind", list(DoneKind))
def test_every_done_message_keeps_its_words_and_loses_its_buttons(kind: DoneKind) -> None:
    m = played(12, "UMAYA").model_copy(update={"topic": "t" * 150})
    done = Done(kind=kind, at=datetime(2026, 12, 6, 14, 5, tzinfo=UTC))
    offered = 0
    for notice in Notice:
        for role in Role:
            offer = offer_for(m, role, notice)
            if offer is None:
                continue
            offered += 1
            original = notice_message(m, role, notice, PEER, speaker=Role.INITIATOR)
            message = done_message(m, notice, PEER, Role.INITIATOR, offer, done)
            assert validate_message(message.text, message.blocks) == []
            assert [b for b in message.blocks if b["type"] == "actions"] == []
            assert message.blocks[: len(original.blocks) - 1] == original.blocks[:-1]  # the words stay
            line = str(message.blocks[-1])
            assert "<!date^1796565900^{date_short_pretty} at {time}|6 Dec 2026 14:05 UTC>" in line
            assert t.STEP_DONE[kind].split("{when}")[0] in line
    assert offered >= 10


@pytest.mark.parametrize("notice", list(Notice))
def test_every_facilitator_notice_is_valid(notice: Notice) -> None:
    m = joint_mediation().model_copy(update={"facilitator": "UMAYA"})
    message = facilitator_message(m, notice)
    assert validate_message(message.text, message.blocks) == []


@pytest.mark.parametrize("post", list(JointPost))
def test_every_joint_post_is_valid(post: JointPost) -> None:
    m = joint_mediation()
    message = joint_message(m, post, PEER, item_id="i1")
    assert validate_message(message.text, message.blocks) == []


def test_closing_message_with_the_most_items_stays_under_50_blocks() -> None:
    message = notice_message(joint_mediation(), Role.INITIATOR, Notice.CLOSED, PEER)
    assert len(message.blocks) <= 50
    assert validate_message(message.text, message.blocks) == []


def test_modals_with_the_longest_inputs_are_valid() -> None:
    m = joint_mediation()
    views = [
        modals.start_modal("UB", "t" * 400),
        modals.info_modal(t.NOT_FOUND),
        modals.saved_modal(),
        modals.understood_modal(m),
        modals.propose_modal(m),
        modals.check_in_modal(m, PEER),
    ]
    for role in Role:
        views += [
            modals.intake_modal(m, role, PEER),
            modals.sharing_modal(m, role, PEER),
            modals.answers_modal(m, role, PEER),
            modals.reflect_modal(m, role, PEER),
            modals.answer_modal(m, role),
        ]
    for view in views:
        assert validate_view(view, expected_type="modal") == [], view["callback_id"]
        assert len(view["private_metadata"]) <= 3000


def test_home_with_many_mediations_stays_within_100_blocks() -> None:
    base = joint_mediation()
    mediations = [
        base.model_copy(update={"id": f"m{i}", "updated_at": NOW + timedelta(minutes=i)}) for i in range(40)
    ]
    view = home_view(mediations, "UA", NOW)
    assert validate_view(view, expected_type="home") == []
    assert t.HOME_MORE.format(count=40 - 15) in str(view["blocks"])


def test_status_message_is_valid() -> None:
    blocks = status_blocks([joint_mediation()] * 30, "UA")
    assert validate_message(t.STATUS_HEADER, blocks) == []


def test_user_text_cannot_mention_or_ping() -> None:
    m = joint_mediation(topic="<!channel> <@U999> & co")
    message = notice_message(m, Role.RESPONDENT, Notice.INVITATION, PEER)
    assert "<!channel>" not in str(message.blocks) and "<@U999>" not in str(message.blocks)
    assert "&lt;!channel&gt;" in str(message.blocks)


def test_every_refusal_has_kind_words() -> None:
    from flows.errors import RefusalCode

    assert set(t.REFUSALS) == set(RefusalCode)
