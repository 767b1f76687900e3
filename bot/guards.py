"""Who may open which private modal, checked before any private text is put in front of anyone."""

from __future__ import annotations

from flows.engine import pulse_open
from flows.errors import RefusalCode
from flows.models import LoopStatus, Mediation, Party, Stage


def party_or_refusal(m: Mediation, user_id: str) -> Party | RefusalCode:
    """The user's party in this mediation, or why they have none."""
    party = m.party_of(user_id)
    return party if party is not None else RefusalCode.NOT_A_PARTY


def can_open(m: Mediation, user_id: str, what: str) -> RefusalCode | None:
    """None when `user_id` may open the modal `what` now, else the reason they may not."""
    party = party_or_refusal(m, user_id)
    if isinstance(party, RefusalCode):
        return party
    if what in ("answers", "understood"):
        return None  # their own answers; the reflections they took part in
    if not m.is_open:
        return RefusalCode.CLOSED
    if m.paused:
        return RefusalCode.PAUSED
    if what in ("intake", "sharing"):
        if m.stage is not Stage.INTAKE:
            return RefusalCode.WRONG_STAGE
        if what == "sharing" and party.intake_saved_at is None:
            return RefusalCode.NOT_YOUR_TURN
        return None
    if what == "reflect":
        loop = m.loop_for_listener(party.role)
        if m.stage is not Stage.REFLECTION or loop is None:
            return RefusalCode.WRONG_STAGE
        if loop.status is LoopStatus.WAITING_REFLECTION:
            return None
        return RefusalCode.NOT_YOUR_TURN if loop.status is LoopStatus.PENDING else RefusalCode.ALREADY_DONE
    if what == "answer":
        loop = m.loop_for_speaker(party.role)
        if m.stage is not Stage.REFLECTION or loop is None:
            return RefusalCode.WRONG_STAGE
        if loop.status is LoopStatus.WAITING_ANSWER:
            return None
        return RefusalCode.ALREADY_DONE if loop.status.ended else RefusalCode.NOT_YOUR_TURN
    if what == "check_in":
        if m.stage is Stage.JOINT:  # a check-in during the conversation, once asked
            if party.pulse is not None:
                return RefusalCode.ALREADY_DONE
            return None if pulse_open(m, party.role) else RefusalCode.NOT_YOUR_TURN
        if m.stage is not Stage.ALLIANCE:
            return RefusalCode.WRONG_STAGE
        return RefusalCode.ALREADY_DONE if party.check_in is not None else None
    if what == "propose":
        return None if m.stage is Stage.JOINT else RefusalCode.WRONG_STAGE
    if what == "finish":
        if m.stage is not Stage.JOINT:
            return RefusalCode.WRONG_STAGE
        pending = m.pending_finish
        return RefusalCode.FINISH_AWAITS_YOU if pending and pending.proposer is not party.role else None
    raise ValueError(f"unknown modal {what!r}")
