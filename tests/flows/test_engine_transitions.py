"""Every transition of the peer flow: from a point, a command → the new state and the exact effects.

Points are named places in the flow, reached through real commands (see conftest.POINTS). `given` adds
commands after the point; `defn` changes stage parameters of the peer definition for that case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from flows import commands as c
from flows.definition import FlowDefinition
from flows.effects import (
    Effect,
    JointPost,
    Notice,
    Notify,
    OpenJointSpace,
    PostToJoint,
    RefreshHome,
    Schedule,
    UpdatePosted,
)
from flows.engine import Transition
from flows.models import (
    FinishStatus,
    JointKind,
    JointSpace,
    LoopStatus,
    Mediation,
    Outcome,
    Role,
    Share,
    Stage,
    Verdict,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
ALICE, BOB = "UALICE", "UBOB"
INI, RES = Role.INITIATOR, Role.RESPONDENT
HOME = RefreshHome()
FOLLOW_UP_IN_14_DAYS = Schedule(timer="follow_up", at=NOW + timedelta(days=14))
PURGE_LATER = Schedule(timer="purge", at=NOW + timedelta(days=180))  # every close: retention's default
ANSWERS = {
    "happened": "In Monday's stand-up my design was dropped without a word to me.",
    "feelings": "I felt hurt and a bit embarrassed.",
    "needs": "I need to be consulted about changes to my work.",
    "requests": "Would you tell me before the meeting next time?",
}
KEYS = list(ANSWERS)
ALL = dict.fromkeys(KEYS, Share.ALL)
HIGH = [10, 9, 9, 10]


def upd(ref: str) -> UpdatePosted:
    return UpdatePosted(ref=ref)


def to(role: Role, notice: Notice, speaker: Role | None = None, by: str | None = None) -> Notify:
    return Notify(role=role, notice=notice, speaker=speaker, by=by)


def both(notice: Notice, by: str | None = None) -> list[Effect]:
    return [to(INI, notice, by=by), to(RES, notice, by=by)]


def loop_pair(notice: Notice, speaker: Role) -> list[Effect]:
    """A reflection-loop notice to the loop's speaker, then its listener."""
    return [to(speaker, notice, speaker), to(speaker.other, notice, speaker)]


def post(kind: JointPost, item_id: str | None = None) -> PostToJoint:
    return PostToJoint(post=kind, item_id=item_id)


@dataclass(frozen=True)
class Case:
    id: str
    point: str
    command: c.Command
    expect: dict[str, Any]
    effects: list[Effect]
    given: tuple[c.Command, ...] = ()
    defn: dict[str, Any] = field(default_factory=dict)


CASES = [
    # --- invitation ------------------------------------------------------------------------------
    Case(
        "accept",
        "invitation",
        c.Accept(actor=BOB),
        {"stage": Stage.GROUND_RULES, "respondent.accepted_at": NOW, "postponed": False},
        [to(INI, Notice.ACCEPTED), *both(Notice.GROUND_RULES), HOME],
    ),
    Case(
        "accept-after-postponing",
        "postponed",
        c.Accept(actor=BOB),
        {"stage": Stage.GROUND_RULES, "respondent.accepted_at": NOW, "postponed": False},
        [to(INI, Notice.ACCEPTED), *both(Notice.GROUND_RULES), HOME],
    ),
    Case(
        "postpone",
        "invitation",
        c.Postpone(actor=BOB),
        {"stage": Stage.INVITATION, "postponed": True, "respondent.accepted_at": None},
        [to(INI, Notice.POSTPONED), HOME],
    ),
    Case(
        "decline",
        "invitation",
        c.Decline(actor=BOB),
        {"stage": Stage.CLOSED, "outcome": Outcome.DECLINED, "closed_reason": "declined"},
        [to(INI, Notice.DECLINED), to(RES, Notice.DECLINE_THANKS), PURGE_LATER, HOME],
    ),
    Case(
        "decline-after-postponing",
        "postponed",
        c.Decline(actor=BOB),
        {"stage": Stage.CLOSED, "outcome": Outcome.DECLINED, "closed_reason": "declined"},
        [to(INI, Notice.DECLINED), to(RES, Notice.DECLINE_THANKS), PURGE_LATER, HOME],
    ),
    Case(
        "expire",
        "invitation",
        c.Expire(),
        {"stage": Stage.CLOSED, "outcome": Outcome.EXPIRED, "closed_reason": "expired"},
        [to(INI, Notice.EXPIRED), PURGE_LATER, HOME],
    ),
    Case(
        "expire-after-postponing",
        "postponed",
        c.Expire(),
        {"stage": Stage.CLOSED, "outcome": Outcome.EXPIRED, "closed_reason": "expired"},
        [to(INI, Notice.EXPIRED), PURGE_LATER, HOME],
    ),
    # --- ground rules ----------------------------------------------------------------------------
    Case(
        "ground-rules-initiator-first",
        "ground_rules",
        c.AgreeGroundRules(actor=ALICE),
        {"stage": Stage.GROUND_RULES, "initiator.ground_rules_at": NOW, "respondent.ground_rules_at": None},
        [HOME],
    ),
    Case(
        "ground-rules-respondent-first",
        "ground_rules",
        c.AgreeGroundRules(actor=BOB),
        {"stage": Stage.GROUND_RULES, "initiator.ground_rules_at": None, "respondent.ground_rules_at": NOW},
        [HOME],
    ),
    Case(
        "ground-rules-both-open-intake",
        "ground_rules_initiator",
        c.AgreeGroundRules(actor=BOB),
        {"stage": Stage.INTAKE, "respondent.ground_rules_at": NOW, "history.-1.stage": Stage.INTAKE},
        [*both(Notice.INTAKE_OPEN), HOME],
    ),
    # --- intake: saving --------------------------------------------------------------------------
    Case(
        "save-intake",
        "intake",
        c.SaveIntake(actor=ALICE, answers=ANSWERS),
        {
            "stage": Stage.INTAKE,
            "initiator.intake_saved_at": NOW,
            "initiator.sharing_chosen_at": None,
            "initiator.answers.happened.text": ANSWERS["happened"],
            "initiator.answers.requests.share": Share.NONE,
            "respondent.answers": {},
        },
        [HOME],
    ),
    Case(
        "save-intake-strips-whitespace",
        "intake",
        c.SaveIntake(actor=BOB, answers={k: f"  {v}\n" for k, v in ANSWERS.items()}),
        {"respondent.answers.needs.text": ANSWERS["needs"], "respondent.intake_saved_at": NOW},
        [HOME],
    ),
    Case(
        "save-intake-takes-the-default-share",
        "intake",
        c.SaveIntake(actor=ALICE, answers=ANSWERS),
        {f"initiator.answers.{k}.share": Share.SUMMARY for k in KEYS},
        [HOME],
        defn={"intake": {"default_share": "summary"}},
    ),
    Case(
        "re-save-after-sharing-reopens-the-choice-keeping-unchanged-shares",
        "intake_done_initiator",
        c.SaveIntake(actor=ALICE, answers={**ANSWERS, "needs": "I need a say."}),
        {
            "initiator.sharing_chosen_at": None,
            "initiator.intake_saved_at": NOW,
            "initiator.answers.happened.share": Share.ALL,
            "initiator.answers.needs.share": Share.NONE,
            "initiator.answers.needs.text": "I need a say.",
        },
        [HOME],
    ),
    Case(
        "re-save-keeps-a-summary-of-an-unchanged-answer",
        "intake_saved_initiator",
        c.SaveIntake(actor=ALICE, answers=ANSWERS),
        {
            "initiator.answers.happened.share": Share.SUMMARY,
            "initiator.answers.happened.summary": "A design was dropped.",
            "initiator.sharing_chosen_at": None,
        },
        [HOME],
        given=(
            c.ChooseSharing(
                actor=ALICE,
                shares={"happened": Share.SUMMARY},
                summaries={"happened": "A design was dropped."},
            ),
        ),
    ),
    # --- intake: choosing what to share ----------------------------------------------------------
    Case(
        "share-all",
        "intake_saved_initiator",
        c.ChooseSharing(actor=ALICE, shares=ALL),
        {
            "initiator.sharing_chosen_at": NOW,
            **{f"initiator.answers.{k}.share": Share.ALL for k in KEYS},
            **{f"initiator.answers.{k}.summary": None for k in KEYS},
            "stage": Stage.INTAKE,
        },
        [to(INI, Notice.INTAKE_WAITING), HOME],
    ),
    Case(
        "share-a-summary",
        "intake_saved_initiator",
        c.ChooseSharing(
            actor=ALICE,
            shares={"happened": Share.SUMMARY, "needs": Share.ALL},
            summaries={"happened": "  A design was dropped.  ", "needs": "ignored: not a summary share"},
        ),
        {
            "initiator.answers.happened.share": Share.SUMMARY,
            "initiator.answers.happened.summary": "A design was dropped.",
            "initiator.answers.happened.text": ANSWERS["happened"],
            "initiator.answers.needs.share": Share.ALL,
            "initiator.answers.needs.summary": None,
            "initiator.answers.feelings.share": Share.NONE,
            "initiator.answers.requests.share": Share.NONE,
        },
        [to(INI, Notice.INTAKE_WAITING), HOME],
    ),
    Case(
        "share-nothing",
        "intake_saved_initiator",
        c.ChooseSharing(actor=ALICE, shares={}),
        {"initiator.sharing_chosen_at": NOW, **{f"initiator.answers.{k}.share": Share.NONE for k in KEYS}},
        [to(INI, Notice.INTAKE_WAITING), HOME],
    ),
    Case(
        "share-respondent-first",
        "intake",
        c.ChooseSharing(actor=BOB, shares=ALL),
        {"respondent.sharing_chosen_at": NOW, "initiator.sharing_chosen_at": None},
        [to(RES, Notice.INTAKE_WAITING), HOME],
        given=(c.SaveIntake(actor=BOB, answers=ANSWERS),),
    ),
    Case(
        "revise-sharing-before-the-other-finishes",
        "intake_done_initiator",
        c.ChooseSharing(actor=ALICE, shares={"feelings": Share.ALL}),
        {
            "stage": Stage.INTAKE,
            "initiator.answers.happened.share": Share.NONE,
            "initiator.answers.feelings.share": Share.ALL,
        },
        [HOME],
    ),
    Case(
        "revise-after-the-other-saved-but-has-not-chosen",
        "intake_saved_both",
        c.ChooseSharing(actor=ALICE, shares={}),
        {"stage": Stage.INTAKE, "initiator.answers.happened.share": Share.NONE},
        [HOME],
    ),
    Case(
        "both-chose-open-reflection-respondent-reflects-first",
        "intake_saved_both",
        c.ChooseSharing(actor=BOB, shares=ALL),
        {
            "stage": Stage.REFLECTION,
            "loops.0.speaker": INI,
            "loops.0.listener": RES,
            "loops.0.status": LoopStatus.WAITING_REFLECTION,
            "loops.1.speaker": RES,
            "loops.1.listener": INI,
            "loops.1.status": LoopStatus.PENDING,
        },
        [to(RES, Notice.REFLECT), to(INI, Notice.REFLECTION_WAITING), HOME],
    ),
    Case(
        "first-speaker-respondent-initiator-reflects-first",
        "intake_saved_both",
        c.ChooseSharing(actor=BOB, shares=ALL),
        {
            "loops.0.speaker": RES,
            "loops.0.status": LoopStatus.WAITING_REFLECTION,
            "loops.1.speaker": INI,
            "loops.1.status": LoopStatus.PENDING,
        },
        [to(INI, Notice.REFLECT), to(RES, Notice.REFLECTION_WAITING), HOME],
        defn={"reflection": {"first_speaker": "respondent"}},
    ),
    Case(
        "initiator-shared-nothing-that-direction-is-skipped",
        "intake_saved_both",
        c.ChooseSharing(actor=BOB, shares=ALL),
        {
            "stage": Stage.REFLECTION,
            "loops.0.status": LoopStatus.SKIPPED,
            "loops.1.status": LoopStatus.WAITING_REFLECTION,
        },
        [
            *loop_pair(Notice.LOOP_SKIPPED, INI),
            to(INI, Notice.REFLECT),
            to(RES, Notice.REFLECTION_WAITING),
            HOME,
        ],
        given=(c.ChooseSharing(actor=ALICE, shares={}),),
    ),
    Case(
        "respondent-shared-nothing-second-direction-waits-pending",
        "intake_saved_both",
        c.ChooseSharing(actor=BOB, shares={}),
        {"loops.0.status": LoopStatus.WAITING_REFLECTION, "loops.1.status": LoopStatus.PENDING},
        [to(RES, Notice.REFLECT), to(INI, Notice.REFLECTION_WAITING), HOME],
    ),
    Case(
        "nobody-shared-anything-both-skipped-straight-to-alliance",
        "intake_saved_both",
        c.ChooseSharing(actor=BOB, shares={}),
        {
            "stage": Stage.ALLIANCE,
            "loops.0.status": LoopStatus.SKIPPED,
            "loops.1.status": LoopStatus.SKIPPED,
            "history.-2.stage": Stage.REFLECTION,
            "history.-1.stage": Stage.ALLIANCE,
        },
        [
            *loop_pair(Notice.LOOP_SKIPPED, INI),
            *loop_pair(Notice.LOOP_SKIPPED, RES),
            *both(Notice.CHECK_IN),
            HOME,
        ],
        given=(c.ChooseSharing(actor=ALICE, shares={}),),
    ),
    Case(
        "a-summary-alone-is-enough-to-reflect",
        "intake_saved_both",
        c.ChooseSharing(actor=BOB, shares=ALL),
        {"loops.0.status": LoopStatus.WAITING_REFLECTION},
        [to(RES, Notice.REFLECT), to(INI, Notice.REFLECTION_WAITING), HOME],
        given=(
            c.ChooseSharing(
                actor=ALICE, shares={"needs": Share.SUMMARY}, summaries={"needs": "To be asked."}
            ),
        ),
    ),
    Case(
        "without-a-reflection-stage-intake-leads-to-alliance",
        "intake_saved_both",
        c.ChooseSharing(actor=BOB, shares=ALL),
        {"stage": Stage.ALLIANCE, "loops": []},
        [*both(Notice.CHECK_IN), HOME],
        defn={"reflection": None},
    ),
    # --- reflection, sequential --------------------------------------------------------------------
    Case(
        "listener-reflects",
        "reflection",
        c.SubmitReflection(actor=BOB, text="  You felt left out.  "),
        {
            "loops.0.status": LoopStatus.WAITING_ANSWER,
            "loops.0.rounds.0.reflection": "You felt left out.",
            "loops.0.rounds.0.submitted_at": NOW,
            "loops.0.rounds.0.verdict": None,
            "loops.1.status": LoopStatus.PENDING,
        },
        [to(INI, Notice.ANSWER_REFLECTION), HOME],
    ),
    Case(
        "speaker-confirms-next-direction-starts",
        "reflection_answer",
        c.AnswerReflection(actor=ALICE, confirmed=True, missing="ignored when confirmed"),
        {
            "stage": Stage.REFLECTION,
            "loops.0.status": LoopStatus.CONFIRMED,
            "loops.0.rounds.0.verdict": Verdict.CONFIRMED,
            "loops.0.rounds.0.missing": None,
            "loops.0.rounds.0.answered_at": NOW,
            "loops.0.confirmed_reflection": "You felt left out.",
            "loops.1.status": LoopStatus.WAITING_REFLECTION,
        },
        [
            *loop_pair(Notice.LOOP_CONFIRMED, INI),
            to(INI, Notice.REFLECT),
            to(RES, Notice.REFLECTION_WAITING),
            HOME,
        ],
    ),
    Case(
        "speaker-says-partly-listener-tries-again",
        "reflection_answer",
        c.AnswerReflection(actor=ALICE, confirmed=False, missing="  That I was embarrassed. "),
        {
            "loops.0.status": LoopStatus.WAITING_REFLECTION,
            "loops.0.rounds.0.verdict": Verdict.PARTLY,
            "loops.0.rounds.0.missing": "That I was embarrassed.",
            "loops.0.rounds.0.answered_at": NOW,
            "loops.1.status": LoopStatus.PENDING,
        },
        [to(RES, Notice.TRY_AGAIN), HOME],
    ),
    Case(
        "second-round-reflection",
        "reflection_partly",
        c.SubmitReflection(actor=BOB, text="You felt left out and embarrassed."),
        {
            "loops.0.status": LoopStatus.WAITING_ANSWER,
            "loops.0.rounds.1.reflection": "You felt left out and embarrassed.",
        },
        [to(INI, Notice.ANSWER_REFLECTION), HOME],
    ),
    Case(
        "second-direction-reflection",
        "reflection_second",
        c.SubmitReflection(actor=ALICE, text="You did not expect it to matter."),
        {
            "loops.1.status": LoopStatus.WAITING_ANSWER,
            "loops.1.rounds.0.reflection": "You did not expect it to matter.",
        },
        [to(RES, Notice.ANSWER_REFLECTION), HOME],
    ),
    Case(
        "both-directions-ended-alliance-opens",
        "reflection_second_answer",
        c.AnswerReflection(actor=BOB, confirmed=True),
        {"stage": Stage.ALLIANCE, "loops.1.status": LoopStatus.CONFIRMED, "history.-1.stage": Stage.ALLIANCE},
        [*loop_pair(Notice.LOOP_CONFIRMED, RES), *both(Notice.CHECK_IN), HOME],
    ),
    Case(
        "max-rounds-one-partly-is-not-yet-and-moves-on",
        "reflection_answer",
        c.AnswerReflection(actor=ALICE, confirmed=False, missing="The embarrassment."),
        {
            "loops.0.status": LoopStatus.NOT_YET,
            "loops.0.rounds.0.verdict": Verdict.PARTLY,
            "loops.1.status": LoopStatus.WAITING_REFLECTION,
        },
        [
            *loop_pair(Notice.LOOP_NOT_YET, INI),
            to(INI, Notice.REFLECT),
            to(RES, Notice.REFLECTION_WAITING),
            HOME,
        ],
        defn={"reflection": {"max_rounds": 1}},
    ),
    Case(
        "no-alliance-stage-reflection-leads-to-joint",
        "reflection_second_answer",
        c.AnswerReflection(actor=BOB, confirmed=True),
        {"stage": Stage.JOINT},
        [*loop_pair(Notice.LOOP_CONFIRMED, RES), OpenJointSpace(kind=JointKind.GROUP_DM), HOME],
        defn={"alliance": None},
    ),
    # --- alliance check-in -------------------------------------------------------------------------
    Case(
        "check-in-high-first-waits-for-the-other",
        "alliance",
        c.SubmitCheckIn(actor=ALICE, scores=HIGH),
        {"initiator.check_in": HIGH, "initiator.ready_for_joint": True, "stage": Stage.ALLIANCE},
        [to(INI, Notice.WAITING_CHECK_IN), HOME],
    ),
    Case(
        "check-in-at-the-thresholds-is-not-low",
        "alliance",
        c.SubmitCheckIn(actor=BOB, scores=[9, 9, 9, 9]),
        {"respondent.check_in": [9, 9, 9, 9], "respondent.ready_for_joint": True},
        [to(RES, Notice.WAITING_CHECK_IN), HOME],
    ),
    Case(
        "check-in-low-item-offers-repair",
        "alliance",
        c.SubmitCheckIn(actor=ALICE, scores=[10, 10, 10, 8]),
        {"initiator.check_in": [10, 10, 10, 8], "initiator.ready_for_joint": False, "stage": Stage.ALLIANCE},
        [to(INI, Notice.REPAIR), HOME],
    ),
    Case(
        "check-in-low-total-offers-repair",
        "alliance",
        c.SubmitCheckIn(actor=ALICE, scores=[9, 9, 9, 8]),
        {"initiator.check_in": [9, 9, 9, 8], "initiator.ready_for_joint": False},
        [to(INI, Notice.REPAIR), HOME],
        defn={"alliance": {"low_item": 0}},
    ),
    Case(
        "check-in-total-at-threshold-is-not-low",
        "alliance",
        c.SubmitCheckIn(actor=ALICE, scores=[9, 9, 9, 9]),
        {"initiator.ready_for_joint": True},
        [to(INI, Notice.WAITING_CHECK_IN), HOME],
        defn={"alliance": {"low_item": 0}},
    ),
    Case(
        "check-in-all-zero-is-fine-when-thresholds-are-zero",
        "alliance",
        c.SubmitCheckIn(actor=ALICE, scores=[0, 0, 0, 0]),
        {"initiator.ready_for_joint": True},
        [to(INI, Notice.WAITING_CHECK_IN), HOME],
        defn={"alliance": {"low_item": 0, "low_total": 0}},
    ),
    Case(
        "both-ready-joint-opens",
        "alliance_initiator_ready",
        c.SubmitCheckIn(actor=BOB, scores=HIGH),
        {"stage": Stage.JOINT, "respondent.ready_for_joint": True, "joint": None},
        [OpenJointSpace(kind=JointKind.GROUP_DM), HOME],
    ),
    Case(
        "joint-space-kind-follows-the-definition",
        "alliance_initiator_ready",
        c.SubmitCheckIn(actor=BOB, scores=HIGH),
        {"stage": Stage.JOINT},
        [OpenJointSpace(kind=JointKind.PRIVATE_CHANNEL), HOME],
        defn={"joint": {"space": "private_channel"}},
    ),
    Case(
        "high-check-in-while-the-other-decides-on-repair",
        "alliance_initiator_low",
        c.SubmitCheckIn(actor=BOB, scores=HIGH),
        {"respondent.ready_for_joint": True, "initiator.ready_for_joint": False, "stage": Stage.ALLIANCE},
        [HOME],
    ),
    Case(
        "repair-continue-waits-for-the-other",
        "alliance_initiator_low",
        c.ChooseRepair(actor=ALICE, choice=c.Repair.CONTINUE),
        {"initiator.ready_for_joint": True, "stage": Stage.ALLIANCE, "paused": False},
        [to(INI, Notice.WAITING_CHECK_IN), HOME],
    ),
    Case(
        "repair-continue-when-the-other-is-ready-opens-joint",
        "alliance_low_other_ready",
        c.ChooseRepair(actor=ALICE, choice=c.Repair.CONTINUE),
        {"stage": Stage.JOINT},
        [OpenJointSpace(kind=JointKind.GROUP_DM), HOME],
    ),
    Case(
        "repair-continue-when-the-other-is-also-low",
        "alliance_initiator_low",
        c.ChooseRepair(actor=ALICE, choice=c.Repair.CONTINUE),
        {"stage": Stage.ALLIANCE, "initiator.ready_for_joint": True, "respondent.ready_for_joint": False},
        [HOME],
        given=(c.SubmitCheckIn(actor=BOB, scores=[0, 10, 10, 10]),),
    ),
    Case(
        "repair-pause",
        "alliance_initiator_low",
        c.ChooseRepair(actor=ALICE, choice=c.Repair.PAUSE),
        {"paused": True, "initiator.ready_for_joint": True, "stage": Stage.ALLIANCE},
        [*both(Notice.PAUSED, by=ALICE), HOME],
    ),
    Case(
        "repair-stop",
        "alliance_initiator_low",
        c.ChooseRepair(actor=ALICE, choice=c.Repair.STOP),
        {"stage": Stage.CLOSED, "outcome": Outcome.CANCELLED, "closed_reason": "stopped_after_check_in"},
        [to(RES, Notice.CANCELLED), PURGE_LATER, HOME],
    ),
    Case(
        "resume-after-repair-pause-with-the-other-ready-opens-joint",
        "alliance_low_other_ready",
        c.Resume(actor=BOB),
        {"paused": False, "stage": Stage.JOINT},
        [*both(Notice.RESUMED, by=BOB), OpenJointSpace(kind=JointKind.GROUP_DM), HOME],
        given=(c.ChooseRepair(actor=ALICE, choice=c.Repair.PAUSE),),
    ),
    Case(
        "resume-after-repair-pause-before-the-other-checked-in",
        "alliance_repair_paused",
        c.Resume(actor=BOB),
        {"paused": False, "stage": Stage.ALLIANCE},
        [*both(Notice.RESUMED, by=BOB), HOME],
    ),
    Case(
        "without-a-joint-stage-the-flow-closes-after-alliance",
        "alliance_initiator_ready",
        c.SubmitCheckIn(actor=BOB, scores=HIGH),
        {"stage": Stage.CLOSED, "outcome": Outcome.NO_AGREEMENT, "closed_reason": "flow_complete"},
        [PURGE_LATER, HOME],
        defn={"joint": None},
    ),
    # --- joint ---------------------------------------------------------------------------------
    Case(
        "joint-space-opened",
        "joint_opening",
        c.JointSpaceOpened(channel_id="G42", kind=JointKind.PRIVATE_CHANNEL),
        {"joint": JointSpace(channel_id="G42", kind=JointKind.PRIVATE_CHANNEL), "stage": Stage.JOINT},
        [post(JointPost.SUMMARY), HOME],
    ),
    Case(
        "joint-space-opened-while-paused-is-recorded-and-says-paused",
        "joint_opening",
        c.JointSpaceOpened(channel_id="G42", kind=JointKind.GROUP_DM),
        {"joint.channel_id": "G42", "paused": True},
        [post(JointPost.SUMMARY), post(JointPost.PAUSED), HOME],
        given=(c.Pause(actor=BOB),),
    ),
    Case(
        "propose-item",
        "joint",
        c.ProposeItem(actor=ALICE, who="  Bob ", what=" Share the agenda a day early. ", by_when=TODAY),
        {
            "agreement.0.id": "i1",
            "agreement.0.proposer": INI,
            "agreement.0.who": "Bob",
            "agreement.0.what": "Share the agenda a day early.",
            "agreement.0.by_when": TODAY,
            "agreement.0.accepted_by": [INI],
            "agreement.0.proposed_at": NOW,
            "agreement.0.accepted": False,
        },
        [post(JointPost.ITEM_PROPOSED, "i1"), HOME],
    ),
    Case(
        "propose-item-without-a-date",
        "joint",
        c.ProposeItem(actor=BOB, who="Both of us", what="Meet weekly."),
        {"agreement.0.by_when": None, "agreement.0.proposer": RES, "agreement.0.accepted_by": [RES]},
        [post(JointPost.ITEM_PROPOSED, "i1"), HOME],
    ),
    Case(
        "propose-second-item",
        "joint_item",
        c.ProposeItem(actor=BOB, who="Alice", what="Flag concerns early.", by_when=date(2026, 4, 1)),
        {"agreement.1.id": "i2", "agreement.1.proposer": RES, "agreement.0.id": "i1"},
        [post(JointPost.ITEM_PROPOSED, "i2"), HOME],
    ),
    Case(
        "propose-before-the-space-is-open",
        "joint_opening",
        c.ProposeItem(actor=ALICE, who="Bob", what="Share the agenda."),
        {"agreement.0.id": "i1", "joint": None},
        [post(JointPost.ITEM_PROPOSED, "i1"), HOME],
    ),
    Case(
        "accept-item",
        "joint_item",
        c.AcceptItem(actor=BOB, item_id="i1"),
        {"agreement.0.accepted_by": [INI, RES], "agreement.0.accepted": True},
        [HOME],  # the adapter updates the item message in place,
    ),
    # --- finishing together: one proposes an outcome, the other confirms or says not yet ------------
    Case(
        "propose-finish-agreed",
        "joint_agreed",
        c.ProposeFinish(actor=ALICE, outcome=Outcome.AGREED),
        {
            "stage": Stage.JOINT,
            "finish_proposals.0.id": "f1",
            "finish_proposals.0.proposer": INI,
            "finish_proposals.0.outcome": Outcome.AGREED,
            "finish_proposals.0.status": FinishStatus.PENDING,
            "finish_proposals.0.proposed_at": NOW,
        },
        [post(JointPost.FINISH_PROPOSED, "f1"), HOME],
    ),
    Case(
        "propose-finish-without-agreement-while-an-item-waits",
        "joint_item",
        c.ProposeFinish(actor=BOB, outcome=Outcome.NO_AGREEMENT),
        {"finish_proposals.0.proposer": RES, "agreement.0.withdrawn_at": None},
        [post(JointPost.FINISH_PROPOSED, "f1"), HOME],
    ),
    Case(
        "propose-finish-partly-with-one-accepted-item",
        "joint_agreed",
        c.ProposeFinish(actor=BOB, outcome=Outcome.PARTLY_AGREED),
        {"finish_proposals.0.outcome": Outcome.PARTLY_AGREED},
        [post(JointPost.FINISH_PROPOSED, "f1"), HOME],
        given=(c.ProposeItem(actor=BOB, who="Alice", what="Flag concerns early."),),
    ),
    Case(
        "proposing-again-replaces-ones-own-proposal",
        "joint_finish_proposed",
        c.ProposeFinish(actor=ALICE, outcome=Outcome.PARTLY_AGREED),
        {
            "finish_proposals.0.status": FinishStatus.REPLACED,
            "finish_proposals.0.settled_at": NOW,
            "finish_proposals.1.id": "f2",
            "finish_proposals.1.outcome": Outcome.PARTLY_AGREED,
            "finish_proposals.1.status": FinishStatus.PENDING,
        },
        [upd("finish:f1"), post(JointPost.FINISH_PROPOSED, "f2"), HOME],
    ),
    Case(
        "propose-finish-before-the-space-is-open-asks-the-other-in-a-dm",
        "joint_opening",
        c.ProposeFinish(actor=ALICE, outcome=Outcome.NO_AGREEMENT),
        {"finish_proposals.0.status": FinishStatus.PENDING, "joint": None},
        [to(RES, Notice.FINISH_PROPOSED), HOME],
    ),
    Case(
        "confirm-finish-closes-agreed",
        "joint_finish_proposed",
        c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=True),
        {
            "stage": Stage.CLOSED,
            "outcome": Outcome.AGREED,
            "closed_reason": "finished_together",
            "finish_proposals.0.status": FinishStatus.CONFIRMED,
            "finish_proposals.0.settled_at": NOW,
            "initiator.done_at": NOW,
            "respondent.done_at": NOW,
            "history.-1.stage": Stage.CLOSED,
        },
        [
            upd("finish:f1"),
            post(JointPost.FINAL),
            *both(Notice.CLOSED),
            FOLLOW_UP_IN_14_DAYS,
            PURGE_LATER,
            HOME,
        ],
    ),
    Case(
        "confirm-finish-withdraws-the-pending-items-visibly",
        "joint_agreed",
        c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=True),
        {
            "outcome": Outcome.PARTLY_AGREED,
            "agreement.0.withdrawn_at": None,
            "agreement.1.withdrawn_at": NOW,
            "agreement.1.accepted": False,
        },
        [
            upd("finish:f1"),
            upd("item:i2"),
            post(JointPost.FINAL),
            *both(Notice.CLOSED),
            FOLLOW_UP_IN_14_DAYS,
            PURGE_LATER,
            HOME,
        ],
        given=(
            c.ProposeItem(actor=BOB, who="Alice", what="Flag concerns early."),
            c.ProposeFinish(actor=ALICE, outcome=Outcome.PARTLY_AGREED),
        ),
    ),
    Case(
        "confirm-finish-without-agreement-schedules-no-follow-up",
        "joint_item",
        c.AnswerFinish(actor=ALICE, proposal_id="f1", confirmed=True),
        {"outcome": Outcome.NO_AGREEMENT, "agreement.0.withdrawn_at": NOW},
        [upd("finish:f1"), upd("item:i1"), post(JointPost.FINAL), *both(Notice.CLOSED), PURGE_LATER, HOME],
        given=(c.ProposeFinish(actor=BOB, outcome=Outcome.NO_AGREEMENT),),
    ),
    Case(
        "not-yet-keeps-the-conversation-open-and-tells-the-proposer",
        "joint_finish_proposed",
        c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=False),
        {"stage": Stage.JOINT, "finish_proposals.0.status": FinishStatus.NOT_YET, "outcome": None},
        [upd("finish:f1"), to(INI, Notice.FINISH_NOT_YET), HOME],
    ),
    Case(
        "the-proposer-withdraws",
        "joint_finish_proposed",
        c.WithdrawFinish(actor=ALICE, proposal_id="f1"),
        {"stage": Stage.JOINT, "finish_proposals.0.status": FinishStatus.WITHDRAWN},
        [upd("finish:f1"), HOME],
    ),
    Case(
        "an-item-proposed-afterwards-withdraws-the-proposal",
        "joint_finish_proposed",
        c.ProposeItem(actor=BOB, who="Alice", what="Flag concerns early."),
        {"finish_proposals.0.status": FinishStatus.ITEMS_CHANGED, "agreement.1.id": "i2"},
        [upd("finish:f1"), post(JointPost.ITEM_PROPOSED, "i2"), HOME],
    ),
    Case(
        "an-item-accepted-afterwards-withdraws-the-proposal",
        "joint_item",
        c.AcceptItem(actor=BOB, item_id="i1"),
        {"finish_proposals.0.status": FinishStatus.ITEMS_CHANGED, "agreement.0.accepted": True},
        [upd("finish:f1"), HOME],
        given=(c.ProposeFinish(actor=ALICE, outcome=Outcome.NO_AGREEMENT),),
    ),
    Case(
        "after-not-yet-either-may-propose-again",
        "joint_finish_proposed",
        c.ProposeFinish(actor=BOB, outcome=Outcome.AGREED),
        {"finish_proposals.1.id": "f2", "finish_proposals.1.proposer": RES},
        [post(JointPost.FINISH_PROPOSED, "f2"), HOME],
        given=(c.AnswerFinish(actor=BOB, proposal_id="f1", confirmed=False),),
    ),
    Case(
        "cancel-settles-an-open-proposal",
        "joint_finish_proposed",
        c.Cancel(actor=BOB),
        {"outcome": Outcome.CANCELLED, "finish_proposals.0.status": FinishStatus.CLOSED},
        [to(INI, Notice.CANCELLED), upd("finish:f1"), post(JointPost.FINAL), PURGE_LATER, HOME],
    ),
]


def _definition(
    peer: FlowDefinition, variant: Callable[..., FlowDefinition], defn: dict[str, Any]
) -> FlowDefinition:
    return variant(**defn) if defn else peer


@pytest.mark.parametrize("case", CASES, ids=[k.id for k in CASES])
def test_transition(
    case: Case,
    peer: FlowDefinition,
    variant: Callable[..., FlowDefinition],
    play_to: Callable[..., Mediation],
    drive: Callable[..., Mediation],
    step: Callable[..., Transition],
    check: Callable[[Mediation, dict[str, Any]], None],
) -> None:
    d = _definition(peer, variant, case.defn)
    before = drive(play_to(case.point, d), case.given, d)
    t = step(before, case.command, d)
    assert t.effects == case.effects
    check(t.mediation, case.expect)
    assert t.mediation.updated_at == NOW
    # history only grows, and always ends with the current stage
    assert t.mediation.history[: len(before.history)] == before.history
    assert t.mediation.history[-1].stage is t.mediation.stage


# --- pause and resume from every stage that allows it -------------------------------------------------

PAUSABLE = [
    "ground_rules",
    "ground_rules_initiator",
    "intake",
    "intake_saved_initiator",
    "intake_done_initiator",
    "reflection",
    "reflection_answer",
    "reflection_second",
    "alliance",
    "alliance_initiator_low",
    "alliance_initiator_ready",
    "joint_opening",
    "joint",
    "joint_item",
]
IN_JOINT_SPACE = {"joint", "joint_item"}


@pytest.mark.parametrize("who", [ALICE, BOB], ids=["initiator", "respondent"])
@pytest.mark.parametrize("point", PAUSABLE)
def test_pause_from_every_stage(
    point: str, who: str, play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    before = play_to(point)
    t = step(before, c.Pause(actor=who))
    joint = [post(JointPost.PAUSED)] if point in IN_JOINT_SPACE else []
    assert t.effects == [*both(Notice.PAUSED, by=who), *joint, HOME]  # the pauser too, with Resume
    assert t.mediation.paused is True
    assert t.mediation.model_dump(exclude={"paused", "updated_at"}) == before.model_dump(
        exclude={"paused", "updated_at"}
    )


@pytest.mark.parametrize(("pauser", "resumer"), [(ALICE, BOB), (ALICE, ALICE), (BOB, ALICE)])
@pytest.mark.parametrize("point", PAUSABLE)
def test_resume_from_every_stage(
    point: str,
    pauser: str,
    resumer: str,
    play_to: Callable[..., Mediation],
    drive: Callable[..., Mediation],
    step: Callable[..., Transition],
) -> None:
    before = play_to(point)
    paused = drive(before, [c.Pause(actor=pauser)])
    t = step(paused, c.Resume(actor=resumer))
    joint = [post(JointPost.RESUMED)] if point in IN_JOINT_SPACE else []
    assert t.effects == [*both(Notice.RESUMED, by=resumer), *joint, HOME]  # resume tells both people
    assert t.mediation.paused is False
    assert t.mediation.timer_log == {"resumed": NOW}  # a wait for a step starts again from here
    assert t.mediation.model_dump(exclude={"updated_at", "timer_log"}) == before.model_dump(
        exclude={"updated_at", "timer_log"}
    )


# --- cancel and unreachable from every open stage -----------------------------------------------------


def _check_cancel(before: Mediation, who: str, t: Transition) -> None:
    role = INI if who == ALICE else RES
    joint = [post(JointPost.FINAL)] if before.joint is not None else []
    # pending items and an open proposal to finish are settled visibly at the close
    settled = [upd(f"item:{i.id}") for i in before.agreement if i.pending]
    settled += [upd(f"finish:{p.id}") for p in before.finish_proposals if p.status is FinishStatus.PENDING]
    assert t.effects == [to(role.other, Notice.CANCELLED), *settled, *joint, PURGE_LATER, HOME]
    m = t.mediation
    assert (m.stage, m.outcome, m.closed_reason, m.paused) == (
        Stage.CLOSED,
        Outcome.CANCELLED,
        f"cancelled_by_{role.value}",
        False,
    )
    assert m.history[-1].stage is Stage.CLOSED and m.history[:-1] == before.history


@pytest.mark.parametrize("who", [ALICE, BOB], ids=["by-initiator", "by-respondent"])
def test_cancel_from_every_open_stage(
    open_point: str, who: str, play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    before = play_to(open_point)
    _check_cancel(before, who, step(before, c.Cancel(actor=who)))


@pytest.mark.parametrize("who", [ALICE, BOB], ids=["by-initiator", "by-respondent"])
@pytest.mark.parametrize("point", PAUSABLE)
def test_cancel_while_paused(
    point: str,
    who: str,
    play_to: Callable[..., Mediation],
    drive: Callable[..., Mediation],
    step: Callable[..., Transition],
) -> None:
    before = drive(play_to(point), [c.Pause(actor=BOB)])
    _check_cancel(before, who, step(before, c.Cancel(actor=who)))


@pytest.mark.parametrize("role", [INI, RES], ids=["initiator-gone", "respondent-gone"])
def test_party_unreachable_from_every_open_stage(
    open_point: str, role: Role, play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    before = play_to(open_point)
    t = step(before, c.PartyUnreachable(role=role, error="account_inactive"))
    settled = [upd(f"item:{i.id}") for i in before.agreement if i.pending]
    settled += [upd(f"finish:{p.id}") for p in before.finish_proposals if p.status is FinishStatus.PENDING]
    assert t.effects == [to(role.other, Notice.UNREACHABLE), *settled, PURGE_LATER, HOME]
    m = t.mediation
    assert (m.stage, m.outcome, m.closed_reason, m.paused) == (
        Stage.CLOSED,
        Outcome.CANCELLED,
        "unreachable:account_inactive",
        False,
    )


def test_cancel_in_the_joint_space_posts_the_final_message_after_notifying(
    play_to: Callable[..., Mediation], step: Callable[..., Transition]
) -> None:
    t = step(play_to("joint_item"), c.Cancel(actor=BOB))
    assert t.effects == [to(INI, Notice.CANCELLED), upd("item:i1"), post(JointPost.FINAL), PURGE_LATER, HOME]
    assert t.mediation.agreement[0].withdrawn_at == NOW


def test_the_whole_happy_path_records_every_stage(play_to: Callable[..., Mediation]) -> None:
    m = play_to("finished")
    assert [e.stage for e in m.history] == [
        Stage.INVITATION,
        Stage.GROUND_RULES,
        Stage.INTAKE,
        Stage.REFLECTION,
        Stage.ALLIANCE,
        Stage.JOINT,
        Stage.CLOSED,
    ]
    assert (m.outcome, m.closed_reason) == (Outcome.AGREED, "finished_together")
    assert m.updated_at == NOW and NOW - m.created_at == timedelta(0)
