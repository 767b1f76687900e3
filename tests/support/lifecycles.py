"""Scripted mediations for storage tests and the storage benchmark: the commands that take a peer
mediation to a given point, each after a whole number of hours (so that stage durations land exactly
on the Outcomes counters' buckets)."""

from __future__ import annotations

from datetime import timedelta

from flows import commands as c
from flows.models import JointKind, Outcome, Share

KINDS = (
    "invitation",
    "declined",
    "intake",
    "cancelled",
    "reflection",
    "joint",
    "agreed",
    "holding",
    "reopened",
)
"""Where a scripted mediation ends: open at invitation, intake done, reflection with rounds, joint
with items; closed declined, cancelled after intake, agreed; agreed and then a follow-up that holds,
or one that reopens the joint stage."""

_ANSWERS = (
    {
        "happened": "On Monday the release date moved in the planning call and I only heard about it after.",
        "feelings": "I felt anxious and left out, and a bit embarrassed in front of the customer.",
        "needs": "I need to be included when dates change, and some predictability for testing.",
        "requests": "Would you be willing to message me the same day when a date moves?",
    },
    {
        "happened": "The customer asked for the date on Friday; I changed it in the tracker that evening.",
        "feelings": "I felt rushed and under pressure, and frustrated that nobody had time to talk.",
        "needs": "I need trust that I can make quick calls, and support when the customer pushes.",
        "requests": "Could we agree who decides on a date change and how fast others hear of it?",
    },
)


def script(kind: str, a: str, b: str, variant: int = 0) -> list[tuple[timedelta, c.Command]]:
    """The commands (each with the time since the previous one) that take a mediation started by `a`
    with `b` to `kind` (one of `KINDS`). `variant` varies the timings, scores and rounds."""
    if kind not in KINDS:
        raise ValueError(kind)
    hours = timedelta(hours=1 + variant % 5)
    steps: list[c.Command] = []
    if kind == "declined":
        steps.append(c.Decline(actor=b))
    if kind in KINDS[2:] and kind != "declined":
        steps += [c.Accept(actor=b), c.AgreeGroundRules(actor=a), c.AgreeGroundRules(actor=b)]
        for who, answers in ((a, _ANSWERS[0]), (b, _ANSWERS[1])):
            steps += [
                c.SaveIntake(actor=who, answers=answers),
                c.ChooseSharing(actor=who, shares=dict.fromkeys(answers, Share.ALL)),
            ]
    if kind == "cancelled":
        steps.append(c.Cancel(actor=a))
    if kind in ("reflection", "joint", "agreed", "holding", "reopened"):
        steps.append(c.SubmitReflection(actor=b, text="You felt left out when the date moved without you."))
        for _ in range(variant % 3):
            steps += [
                c.AnswerReflection(
                    actor=a, confirmed=False, missing="That predictability for testing matters."
                ),
                c.SubmitReflection(actor=b, text="You felt left out, and you need predictability to test."),
            ]
    if kind in ("joint", "agreed", "holding", "reopened"):
        steps += [
            c.AnswerReflection(actor=a, confirmed=True),
            c.SubmitReflection(actor=a, text="You felt rushed and need trust to make quick calls."),
            c.AnswerReflection(actor=b, confirmed=True),
            c.SubmitCheckIn(actor=a, scores=[9 + (variant + i) % 2 for i in range(4)]),
            c.SubmitCheckIn(actor=b, scores=[10 - (variant * i) % 2 for i in range(4)]),
            c.JointSpaceOpened(channel_id=f"G{variant}", kind=JointKind.GROUP_DM),
        ]
        for n in range(1, 4):
            steps.append(
                c.ProposeItem(actor=a if n % 2 else b, who="Bob", what=f"Item {n}: message the team.")
            )
        steps += [c.AcceptItem(actor=b, item_id="i1"), c.AcceptItem(actor=a, item_id="i2")]
    if kind in ("agreed", "holding", "reopened"):
        steps += [
            c.ProposeFinish(actor=a, outcome=Outcome.PARTLY_AGREED),
            c.AnswerFinish(actor=b, proposal_id="f1", confirmed=True),
            c.FollowUp(),
        ]
    if kind == "holding":
        steps += [c.AnswerFollowUp(actor=a, holding=True), c.AnswerFollowUp(actor=b, holding=True)]
    if kind == "reopened":
        steps.append(c.AnswerFollowUp(actor=b, holding=False))
    return [(hours, step) for step in steps]
