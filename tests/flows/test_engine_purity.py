"""`apply` is a pure function: it never changes its input, gives equal outputs for equal inputs, and a
refusal changes nothing. Checked for every point of the flow against every kind of command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from flows import commands as c
from flows.definition import FlowDefinition
from flows.engine import Transition, apply, start
from flows.errors import Refused
from flows.models import JointKind, Mediation, Outcome, Role, SafetyOption, Share

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ALICE, BOB, MALLORY = "UALICE", "UBOB", "UMALLORY"
ANSWERS = {"happened": "It happened.", "feelings": "Hurt.", "needs": "Respect.", "requests": "Ask me."}


def _by(actor: str) -> list[c.Command]:
    return [
        c.Accept(actor=actor),
        c.Postpone(actor=actor),
        c.Decline(actor=actor),
        c.AgreeGroundRules(actor=actor),
        c.SaveIntake(actor=actor, answers=ANSWERS),
        c.SaveIntake(actor=actor, answers={"happened": ""}),
        c.ChooseSharing(actor=actor, shares=dict.fromkeys(ANSWERS, Share.ALL)),
        c.ChooseSharing(actor=actor, shares={"needs": Share.SUMMARY}, summaries={"needs": "Respect."}),
        c.ChooseSharing(actor=actor, shares={}),
        c.SubmitReflection(actor=actor, text="You felt hurt."),
        c.AnswerReflection(actor=actor, confirmed=True),
        c.AnswerReflection(actor=actor, confirmed=False, missing="The respect part."),
        c.SubmitCheckIn(actor=actor, scores=[10, 10, 10, 10]),
        c.SubmitCheckIn(actor=actor, scores=[1, 2, 3, 4]),
        c.SubmitCheckIn(actor=actor, scores=[11]),
        *[c.ChooseRepair(actor=actor, choice=choice) for choice in c.Repair],
        c.Pause(actor=actor),
        c.Resume(actor=actor),
        c.ProposeItem(actor=actor, who="Bob", what="Send notes.", by_when=date(2026, 3, 9)),
        c.ProposeItem(actor=actor, who="", what="x", by_when=date(2020, 1, 1)),
        c.AcceptItem(actor=actor, item_id="i1"),
        c.AcceptItem(actor=actor, item_id="nope"),
        *[c.ProposeFinish(actor=actor, outcome=o) for o in (Outcome.AGREED, Outcome.NO_AGREEMENT)],
        c.AnswerFinish(actor=actor, proposal_id="f1", confirmed=True),
        c.AnswerFinish(actor=actor, proposal_id="f1", confirmed=False),
        c.WithdrawFinish(actor=actor, proposal_id="f1"),
        c.Cancel(actor=actor),
        c.ExtendInvitation(actor=actor),
        # Facilitator commands: refused for parties and strangers in a peer mediation.
        c.NudgeParty(actor=actor, role=Role.RESPONDENT),
        c.MoveOn(actor=actor, reason="We have tried three times."),
        c.ChooseJointSpace(actor=actor, kind=JointKind.PRIVATE_CHANNEL),
        c.EndWithOutcome(actor=actor, outcome=Outcome.NO_AGREEMENT),
        c.AnswerFollowUp(actor=actor, holding=True),
        c.AnswerFollowUp(actor=actor, holding=False),
        *[c.ChooseSafety(actor=actor, choice=choice) for choice in SafetyOption],
        c.EraseMyData(actor=actor),
    ]


EVERY_COMMAND: list[c.Command] = [
    *_by(ALICE),
    *_by(BOB),
    *_by(MALLORY),
    c.JointSpaceOpened(channel_id="G1", kind=JointKind.GROUP_DM),
    c.PartyUnreachable(role=Role.INITIATOR, error="account_inactive"),
    c.PartyUnreachable(role=Role.RESPONDENT, error="user_not_found"),
    c.Expire(),
    c.FollowUp(),
    c.Remind(),
    c.WarnExpiry(),
    c.Stalled(),
    c.CheckIn(),
    c.Purge(),
]


def test_every_command_type_is_exercised() -> None:
    assert {type(cmd) for cmd in EVERY_COMMAND} == set(c.Command.__args__)  # type: ignore[attr-defined]


def _outcome(
    m: Mediation, command: c.Command, d: FlowDefinition, now: datetime
) -> Transition | tuple[str, dict[str, str]]:
    try:
        return apply(m, command, d, now)
    except Refused as refused:
        return (refused.code.value, {k: v.value for k, v in refused.fields.items()})


def test_commands_from_every_point(
    any_point: str, peer: FlowDefinition, play_to: Callable[..., Mediation]
) -> None:
    """From each point, every command: input untouched, same answer twice, no state shared with the input."""
    m = play_to(any_point)
    snapshot = m.model_dump()
    later = NOW + timedelta(hours=5)
    carried_out = 0
    for command in EVERY_COMMAND:
        first = _outcome(m, command, peer, later)
        assert m.model_dump() == snapshot, f"{command!r} changed its input"
        second = _outcome(m, command, peer, later)
        assert first == second, f"{command!r} is not deterministic"
        if isinstance(first, Transition):
            carried_out += 1
            new = first.mediation
            assert new is not m
            assert new.updated_at == later
            # nothing mutable is shared: changing the result leaves the input alone
            new.history.clear()
            new.loops.clear()
            new.agreement.clear()
            new.initiator.answers.clear()
            new.respondent.answers.clear()
            assert m.model_dump() == snapshot, f"{command!r} shares state with its input"
    # the matrix is meaningful only if each open point lets something through
    assert carried_out > 0 or not m.is_open


def test_reached_states_survive_the_store(any_point: str, play_to: Callable[..., Mediation]) -> None:
    """Each state round-trips through JSON, the way the store keeps it."""
    m = play_to(any_point)
    assert Mediation.model_validate_json(m.model_dump_json()) == m


def test_start_is_deterministic_and_does_not_touch_its_command(peer: FlowDefinition) -> None:
    command = c.Start(actor=ALICE, respondent=BOB, topic="Topic", hopes="Hopes")
    before = command.model_dump()
    one = start(command, peer, NOW, mediation_id="M", team="T")
    two = start(command, peer, NOW, mediation_id="M", team="T")
    assert one == two
    assert command.model_dump() == before


def test_the_definition_is_left_as_it_was(peer: FlowDefinition, play_to: Callable[..., Mediation]) -> None:
    before = peer.model_dump()
    for point in ("reflection", "alliance_initiator_ready", "joint"):
        m = play_to(point)
        for command in EVERY_COMMAND:
            _outcome(m, command, peer, NOW)
    assert peer.model_dump() == before


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(days=3), timedelta(days=400)])
def test_the_clock_is_only_the_now_passed_in(
    offset: timedelta, peer: FlowDefinition, play_to: Callable[..., Mediation]
) -> None:
    at = NOW + offset
    t = apply(play_to("ground_rules_initiator"), c.AgreeGroundRules(actor=BOB), peer, at)
    assert (t.mediation.updated_at, t.mediation.respondent.ground_rules_at, t.mediation.history[-1].at) == (
        at,
        at,
        at,
    )
