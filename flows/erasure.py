"""Deleting one person's data from a mediation ("delete my data").

Everything the person wrote goes: their intake answers and summaries, the reflections they wrote, the
corrections they gave, the agreement items they proposed, their private hopes, and the topic when they
wrote it (they started a peer mediation; a host's topic is the host's words and stays). So does the
record of a safety concern in their words. What remains is what the other person and the workspace's
anonymous counts need and what carries no words of theirs: who took part (the other person's list still
says with whom), stages and timings, the outcome, check-in numbers and round counts, and what the other
person wrote.
"""

from __future__ import annotations

from datetime import datetime

from flows.models import Answer, Mediation, Role

ERASED = "—"  # the same mark as a retention purge leaves


def wrote_topic(m: Mediation, role: Role) -> bool:
    """True when this role's person wrote the mediation's topic (the initiator of a peer mediation)."""
    return role is Role.INITIATOR and not m.facilitated


def erase_party(m: Mediation, role: Role, now: datetime) -> None:
    """Remove, in place, every text the person with `role` wrote (the engine calls it on its own copy)."""
    party = m.party(role)
    party.answers = {key: Answer(text=ERASED, share=answer.share) for key, answer in party.answers.items()}
    party.safety = None
    party.erased_at = now
    if role is Role.INITIATOR:
        m.hopes = None
    if wrote_topic(m, role):
        m.topic = ERASED
    for loop in m.loops:
        for round_ in loop.rounds:
            if loop.listener is role:
                round_.reflection = ERASED
            if loop.speaker is role and round_.missing:
                round_.missing = ERASED
    for item in m.agreement:
        if item.proposer is role:
            item.who = ERASED
            item.what = ERASED
