"""What the engine asks the world to do. The Slack adapter carries these out, in order."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.models import JointKind, Role


class Notice(StrEnum):
    """A private message to one party; the adapter renders it from the mediation's state."""

    INVITATION = "invitation"
    INVITATION_SENT = "invitation_sent"
    POSTPONED = "postponed"
    DECLINED = "declined"
    DECLINE_THANKS = "decline_thanks"
    ACCEPTED = "accepted"
    GROUND_RULES = "ground_rules"
    INTAKE_OPEN = "intake_open"
    INTAKE_WAITING = "intake_waiting"
    REFLECT = "reflect"
    REFLECTION_WAITING = "reflection_waiting"
    ANSWER_REFLECTION = "answer_reflection"
    TRY_AGAIN = "try_again"
    LOOP_CONFIRMED = "loop_confirmed"
    LOOP_NOT_YET = "loop_not_yet"
    LOOP_SKIPPED = "loop_skipped"
    CHECK_IN = "check_in"
    REPAIR = "repair"
    WAITING_CHECK_IN = "waiting_check_in"
    PAUSED = "paused"
    RESUMED = "resumed"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    UNREACHABLE = "unreachable"
    EXPIRED = "expired"
    REMINDER = "reminder"
    NUDGED = "nudged"
    FOLLOW_UP = "follow_up"
    HOLDING = "holding"
    REOPENED = "reopened"
    MOVED_ON = "moved_on"
    # safety choice and deleting one's data: the other party and a host learn only these neutral facts
    SAFETY_CHOICE = "safety_choice"  # to the person whose words signalled a concern: go on / contact / pause
    SAFETY_CONTACTS = "safety_contacts"  # to them: the workspace's contacts; paused until they go on
    SAFETY_PAUSED = "safety_paused"  # to them: paused, as they asked
    PAUSED_BY_REQUEST = "paused_by_request"  # to everyone else: paused at a participant's request
    GOES_ON = "goes_on"  # to everyone else: it goes on (no name of who paused it)
    CLOSED_BY_REQUEST = "closed_by_request"  # to everyone else: closed at a participant's request
    FINISH_PROPOSED = "finish_proposed"  # only when there is no joint space to post the proposal in
    FINISH_NOT_YET = "finish_not_yet"
    # timers: a step that waited too long, the invitation's last day, check-ins over time
    STALLED = "stalled"  # to the person a step waits on: one kind reminder, with the step's button
    STALLED_OTHER = "stalled_other"  # to the other: they have not had time yet; nothing to do
    EXPIRY_WARNING = "expiry_warning"  # to an invited person: the invitation closes in a day
    EXPIRY_SOON = "expiry_soon"  # to the one who invited (or the host): it closes in a day; extend once
    EXTENDED = "extended"  # the invitation stays open longer
    PULSE = "pulse"  # a check-in some days into the conversation: how is it going?
    PULSE_LOW = "pulse_low"  # after a low answer: a pause, or one of the workspace's contacts
    PULSE_THANKS = "pulse_thanks"


class Notify(BaseModel):
    """Send one party a private message (a DM from the bot)."""

    model_config = ConfigDict(frozen=True)

    role: Role
    notice: Notice
    speaker: Role | None = None  # for reflection-loop notices: the loop whose speaker this is
    by: str | None = None  # who did what the notice reports (a party or the facilitator), when it matters


class NotifyFacilitator(BaseModel):
    """Tell the facilitator something (stages and names only, never a party's private text)."""

    model_config = ConfigDict(frozen=True)

    notice: Notice
    by: str | None = None  # who did what the notice reports, so the host reads who did what


class OpenJointSpace(BaseModel):
    """Open the joint space for both parties (and the facilitator), then report back with
    `JointSpaceOpened`. For a thread, `channel_id` names the existing private channel."""

    model_config = ConfigDict(frozen=True)

    kind: JointKind
    channel_id: str | None = None


class JointPost(StrEnum):
    """A message in the joint space."""

    SUMMARY = "summary"
    ITEM_PROPOSED = "item_proposed"
    PAUSED = "paused"
    RESUMED = "resumed"
    FINAL = "final"
    FINISH_PROPOSED = "finish_proposed"


class PostToJoint(BaseModel):
    """Post in the joint space (only text both parties agreed may be seen there)."""

    model_config = ConfigDict(frozen=True)

    post: JointPost
    item_id: str | None = None  # ITEM_PROPOSED: the item; FINISH_PROPOSED: the proposal


def item_ref(item_id: str) -> str:
    """How a posted agreement item's message is named for `UpdatePosted`."""
    return f"item:{item_id}"


def finish_ref(proposal_id: str) -> str:
    """How a posted proposal to finish is named for `UpdatePosted`."""
    return f"finish:{proposal_id}"


class UpdatePosted(BaseModel):
    """Redraw a message posted earlier (an agreement item, a proposal to finish) from the current
    state: once settled it shows what happened and keeps no live button."""

    model_config = ConfigDict(frozen=True)

    ref: str


class RefreshHome(BaseModel):
    """Everything that shows the state should show the new state: both parties' App Home, and the
    direct messages whose offered step is now done (see `flows.steps`)."""

    model_config = ConfigDict(frozen=True)


class Timer(StrEnum):
    """What a timer does when the worker delivers it: each kind is one engine command
    (`flows.commands.TIMER_COMMANDS`). The values are stored in Redis: never rename one."""

    REMINDER = "reminder"  # remind the invited person, while the invitation is unanswered
    EXPIRE = "expire"  # close an invitation nobody answered
    FOLLOW_UP = "follow_up"  # ask both whether the agreement holds
    PURGE = "purge"  # remove a closed mediation's private text after the retention period
    STALLED = "stalled"  # look for a step that has waited too long on one person
    EXPIRY_WARNING = "expiry_warning"  # the invitation closes in a day: say so, offer to extend once
    CHECK_IN = "check_in"  # some days into the joint conversation: ask each person how it is going


class Schedule(BaseModel):
    """Wake the mediation at `at` with a timer of this kind (the worker delivers it)."""

    model_config = ConfigDict(frozen=True)

    timer: Timer
    at: datetime


Effect = Notify | NotifyFacilitator | OpenJointSpace | PostToJoint | UpdatePosted | RefreshHome | Schedule
