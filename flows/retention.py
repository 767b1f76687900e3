"""Retention: after a closed mediation's retention period, every piece of private free text goes;
what remains is what aggregates need (stages, timings, outcomes, check-in numbers, round counts)."""

from __future__ import annotations

from datetime import datetime

from flows.models import Answer, Mediation

PURGED = "—"


def closed_at(m: Mediation) -> datetime | None:
    """When the mediation closed, or None while it is open."""
    if m.is_open:
        return None
    return m.history[-1].at if m.history else m.updated_at


def purge(m: Mediation, now: datetime) -> Mediation:
    """A copy of a closed mediation with every private text removed (raises on an open one)."""
    if m.is_open:
        raise ValueError("only a closed mediation is purged")
    p = m.model_copy(deep=True)
    p.hopes = None
    p.topic = PURGED
    p.end_reason = PURGED if p.end_reason else None
    for party in p.parties:
        party.answers = {
            key: Answer(text=PURGED, share=answer.share) for key, answer in party.answers.items()
        }
    for loop in p.loops:
        loop.moved_on = PURGED if loop.moved_on else None
        for round_ in loop.rounds:
            round_.reflection = PURGED
            round_.missing = PURGED if round_.missing else None
    for item in p.agreement:
        item.who = PURGED
        item.what = PURGED
    p.purged_at = now
    p.updated_at = now
    return p
