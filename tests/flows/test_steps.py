"""Whether a step a message offered is still open, and what happened to it: decided from the
mediation's state alone (flows.steps), each command played one minute after the one before so that
every date says which command it came from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows import commands as c
from flows import engine
from flows.definition import load_builtin
from flows.effects import Notice, Notify
from flows.models import JointKind, Mediation, Outcome, Role, Share
from flows.steps import Done, DoneKind, Offer, Step, offer_for, pending_step, step_done

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PEER = load_builtin("peer")
FACILITATED = load_builtin("facilitated")
A, B, HOST = "UANN", "UBOB", "UMAYA"
INI, RES = Role.INITIATOR, Role.RESPONDENT
ANSWERS = {"happened": "It happened.", "feelings": "Hurt.", "needs": "Respect.", "requests": "Ask me."}
ALL = dict.fromkeys(ANSWERS, Share.ALL)


def minute(n: int) -> datetime:
    return START + timedelta(minutes=n)


class Play:
    """A peer (or facilitated) mediation played command by command, command n at minute n."""

    def __init__(self, facilitated: bool = False) -> None:
        self.definition = FACILITATED if facilitated else PEER
        if facilitated:
            cmd = c.StartFacilitated(actor=HOST, first=A, second=B, topic="t")
            self.m = engine.start_facilitated(
                cmd, self.definition, START, mediation_id="m", team="-.T"
            ).mediation
        else:
            start = c.Start(actor=A, respondent=B, topic="t")
            self.m = engine.start(start, self.definition, START, mediation_id="m", team="-.T").mediation
        self.n = 0
        self.sent: list[tuple[Notify, Offer]] = []  # every notice with buttons, as the adapter records it

    def __call__(self, *commands: c.Command) -> Mediation:
        for command in commands:
            self.n += 1
            transition = engine.apply(self.m, command, self.definition, minute(self.n))
            self.m = transition.mediation
            for effect in transition.effects:
                if isinstance(effect, Notify) and (offer := offer_for(self.m, effect.role, effect.notice)):
                    self.sent.append((effect, offer))
        return self.m

    def offer(self, role: Role, notice: Notice, nth: int = -1) -> Offer:
        """The offer of the `nth` message with `notice` sent to `role`."""
        found = [offer for notify, offer in self.sent if notify.role is role and notify.notice is notice]
        assert found, f"no {notice} for {role}"
        return found[nth]

    def done(self, role: Role, notice: Notice, nth: int = -1) -> Done | None:
        return step_done(self.m, self.offer(role, notice, nth))


def to_intake(p: Play) -> None:
    p(c.Accept(actor=B), c.AgreeGroundRules(actor=A), c.AgreeGroundRules(actor=B))  # minutes 1-3


def to_reflection(p: Play) -> None:
    to_intake(p)
    for who in (A, B):  # minutes 4-7
        p(c.SaveIntake(actor=who, answers=ANSWERS), c.ChooseSharing(actor=who, shares=ALL))


def to_alliance(p: Play) -> None:
    to_reflection(p)
    p(
        c.SubmitReflection(actor=B, text="You felt hurt."),  # 8
        c.AnswerReflection(actor=A, confirmed=True),  # 9
        c.SubmitReflection(actor=A, text="Respect matters to you."),  # 10
        c.AnswerReflection(actor=B, confirmed=True),  # 11
    )


def test_the_invitation_is_open_until_answered_and_then_says_when() -> None:
    p = Play()
    invitation = Offer(role=RES, step=Step.ANSWER_INVITATION)
    assert offer_for(p.m, RES, Notice.INVITATION) == invitation
    assert offer_for(p.m, RES, Notice.REMINDER) == invitation
    assert step_done(p.m, invitation) is None
    p(c.Postpone(actor=B))
    assert step_done(p.m, invitation) is None  # "not now" keeps it open
    p(c.Accept(actor=B))
    assert step_done(p.m, invitation) == Done(kind=DoneKind.ACCEPTED, at=minute(2))
    p(c.AgreeGroundRules(actor=A))
    assert step_done(p.m, invitation) == Done(kind=DoneKind.ACCEPTED, at=minute(2))  # stays what it was


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (c.Decline(actor=B), DoneKind.DECLINED),
        (c.Expire(), DoneKind.ENDED),
        (c.Cancel(actor=A), DoneKind.ENDED),
    ],
)
def test_an_unanswered_invitation_closes_with_the_mediation(command: c.Command, kind: DoneKind) -> None:
    p = Play()
    p(command)
    assert step_done(p.m, Offer(role=RES, step=Step.ANSWER_INVITATION)) == Done(kind=kind, at=minute(1))


def test_ground_rules_are_done_for_each_person_when_they_agree() -> None:
    p = Play()
    p(c.Accept(actor=B), c.AgreeGroundRules(actor=A))
    assert p.done(INI, Notice.GROUND_RULES) == Done(kind=DoneKind.AGREED, at=minute(2))
    assert p.done(RES, Notice.GROUND_RULES) is None
    p(c.AgreeGroundRules(actor=B))
    assert p.done(RES, Notice.GROUND_RULES) == Done(kind=DoneKind.AGREED, at=minute(3))


def test_answers_are_done_once_saved_and_shared_and_sharing_stays_open_until_both_finish() -> None:
    p = Play()
    to_intake(p)
    p(c.SaveIntake(actor=A, answers=ANSWERS))
    assert p.done(INI, Notice.INTAKE_OPEN) is None  # saved, but not yet chosen what to share
    p(c.ChooseSharing(actor=A, shares=ALL))
    assert p.done(INI, Notice.INTAKE_OPEN) == Done(kind=DoneKind.SHARED, at=minute(5))
    assert p.offer(INI, Notice.INTAKE_WAITING) == Offer(role=INI, step=Step.CHANGE_SHARING)
    assert p.done(INI, Notice.INTAKE_WAITING) is None  # what Bob may read can still change
    assert p.done(RES, Notice.INTAKE_OPEN) is None
    p(c.SaveIntake(actor=B, answers=ANSWERS), c.ChooseSharing(actor=B, shares=ALL))
    assert p.done(INI, Notice.INTAKE_WAITING) == Done(kind=DoneKind.SHARED, at=minute(5))
    assert p.done(RES, Notice.INTAKE_OPEN) == Done(kind=DoneKind.SHARED, at=minute(7))


def test_each_listening_round_is_its_own_step() -> None:
    p = Play()
    to_reflection(p)
    assert p.offer(RES, Notice.REFLECT) == Offer(role=RES, step=Step.REFLECT, round=0)
    assert p.done(RES, Notice.REFLECT) is None
    p(c.SubmitReflection(actor=B, text="You felt hurt."))  # 8
    assert p.done(RES, Notice.REFLECT) == Done(kind=DoneKind.REFLECTED, at=minute(8))
    assert p.offer(INI, Notice.ANSWER_REFLECTION) == Offer(role=INI, step=Step.ANSWER_REFLECTION, round=0)
    assert p.done(INI, Notice.ANSWER_REFLECTION) is None
    p(c.AnswerReflection(actor=A, confirmed=False, missing="That I was embarrassed."))  # 9
    assert p.done(INI, Notice.ANSWER_REFLECTION) == Done(kind=DoneKind.ADDED_MISSING, at=minute(9))
    # "Try again" offers the second round: open, while the first round's message stays done.
    assert p.offer(RES, Notice.TRY_AGAIN) == Offer(role=RES, step=Step.REFLECT, round=1)
    assert p.done(RES, Notice.TRY_AGAIN) is None
    assert p.done(RES, Notice.REFLECT) == Done(kind=DoneKind.REFLECTED, at=minute(8))
    p(c.SubmitReflection(actor=B, text="You felt hurt and embarrassed."))  # 10
    assert p.done(RES, Notice.TRY_AGAIN) == Done(kind=DoneKind.REFLECTED, at=minute(10))
    assert p.offer(INI, Notice.ANSWER_REFLECTION).round == 1
    assert p.done(INI, Notice.ANSWER_REFLECTION) is None
    p(c.AnswerReflection(actor=A, confirmed=True))  # 11
    assert p.done(INI, Notice.ANSWER_REFLECTION) == Done(kind=DoneKind.CONFIRMED, at=minute(11))
    assert p.done(INI, Notice.ANSWER_REFLECTION, nth=0) == Done(kind=DoneKind.ADDED_MISSING, at=minute(9))


def test_check_in_and_repair_are_dated_by_the_change_that_did_them() -> None:
    p = Play()
    to_alliance(p)
    assert p.done(INI, Notice.CHECK_IN) is None
    p(c.SubmitCheckIn(actor=A, scores=[10, 10, 10, 2]))  # 12: low, offers repair
    assert p.done(INI, Notice.CHECK_IN) == Done(kind=DoneKind.CHECKED_IN, at=minute(12))
    assert p.done(INI, Notice.REPAIR) is None
    p(c.ChooseRepair(actor=A, choice=c.Repair.PAUSE))  # 13: a break, both are told with Resume
    assert p.done(INI, Notice.REPAIR) == Done(kind=DoneKind.CHOSE, at=minute(13))
    assert p.offer(RES, Notice.PAUSED) == Offer(role=RES, step=Step.RESUME)
    assert p.done(RES, Notice.PAUSED) is None
    p(c.Resume(actor=A))  # 14
    assert p.done(RES, Notice.PAUSED) == Done(kind=DoneKind.RESUMED, at=minute(14))


def test_stopping_after_the_check_in_ends_every_open_step() -> None:
    p = Play()
    to_alliance(p)
    p(c.SubmitCheckIn(actor=A, scores=[10, 10, 10, 2]), c.ChooseRepair(actor=A, choice=c.Repair.STOP))
    assert p.done(RES, Notice.CHECK_IN) == Done(kind=DoneKind.ENDED, at=minute(13))
    assert p.done(INI, Notice.REPAIR) == Done(kind=DoneKind.ENDED, at=minute(13))


def test_cancelling_ends_what_was_open_and_keeps_what_was_done() -> None:
    p = Play()
    to_intake(p)
    p(c.Cancel(actor=A))  # 4
    assert p.done(INI, Notice.INTAKE_OPEN) == Done(kind=DoneKind.ENDED, at=minute(4))
    assert p.done(RES, Notice.INTAKE_OPEN) == Done(kind=DoneKind.ENDED, at=minute(4))
    assert p.done(RES, Notice.GROUND_RULES) == Done(kind=DoneKind.AGREED, at=minute(3))


def test_the_follow_up_lives_after_the_close_until_answered_or_reopened() -> None:
    p = Play()
    to_alliance(p)
    p(
        c.SubmitCheckIn(actor=A, scores=[10] * 4),
        c.SubmitCheckIn(actor=B, scores=[10] * 4),
        c.JointSpaceOpened(channel_id="G1", kind=JointKind.GROUP_DM),
        c.ProposeItem(actor=A, who="Bob", what="Send notes."),
        c.AcceptItem(actor=B, item_id="i1"),
        c.ProposeFinish(actor=A, outcome=Outcome.AGREED),  # 17
        c.AnswerFinish(actor=B, proposal_id="f1", confirmed=True),  # 18: closed
        c.FollowUp(),  # 19
    )
    assert p.done(INI, Notice.FOLLOW_UP) is None and p.done(RES, Notice.FOLLOW_UP) is None
    p(c.AnswerFollowUp(actor=A, holding=False))  # 20: reopened
    assert p.done(INI, Notice.FOLLOW_UP) == Done(kind=DoneKind.ANSWERED, at=minute(20))
    assert p.done(RES, Notice.FOLLOW_UP) == Done(kind=DoneKind.MOVED_ON, at=minute(20))


def test_a_loop_the_host_moved_on_from_is_done_for_both() -> None:
    p = Play(facilitated=True)
    p(c.Accept(actor=A), c.Accept(actor=B), c.AgreeGroundRules(actor=A), c.AgreeGroundRules(actor=B))
    for who in (A, B):
        p(c.SaveIntake(actor=who, answers=ANSWERS), c.ChooseSharing(actor=who, shares=ALL))
    p(c.SubmitReflection(actor=B, text="You felt hurt."))  # 9
    p(c.MoveOn(actor=HOST, reason="Let's talk it through together."))  # 10
    assert p.done(INI, Notice.ANSWER_REFLECTION) == Done(kind=DoneKind.MOVED_ON, at=minute(10))
    assert p.done(RES, Notice.REFLECT) == Done(kind=DoneKind.REFLECTED, at=minute(9))


def test_the_hosts_reminder_offers_what_waits_then() -> None:
    p = Play(facilitated=True)
    assert offer_for(p.m, INI, Notice.NUDGED) == Offer(role=INI, step=Step.ANSWER_INVITATION)
    p(c.Accept(actor=A))
    assert pending_step(p.m, INI) is None and offer_for(p.m, INI, Notice.NUDGED) is None  # nothing waits
    p(c.Accept(actor=B))
    assert offer_for(p.m, INI, Notice.NUDGED) == Offer(role=INI, step=Step.AGREE_RULES)


@pytest.mark.parametrize(
    "notice",
    [
        Notice.INVITATION_SENT,
        Notice.ACCEPTED,
        Notice.DECLINED,
        Notice.REFLECTION_WAITING,
        Notice.WAITING_CHECK_IN,
        Notice.LOOP_CONFIRMED,
        Notice.CLOSED,
        Notice.CANCELLED,
    ],
)
def test_notices_without_buttons_offer_no_step(notice: Notice) -> None:
    assert offer_for(Play().m, INI, notice) is None


def test_changing_what_you_share_ends_with_the_mediation() -> None:
    p = Play()
    to_intake(p)
    p(c.SaveIntake(actor=A, answers=ANSWERS), c.ChooseSharing(actor=A, shares=ALL), c.Cancel(actor=B))
    assert p.done(INI, Notice.INTAKE_WAITING) == Done(kind=DoneKind.ENDED, at=minute(6))
