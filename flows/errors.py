"""Why the engine refuses a command. The adapter turns each code into kind words for the person."""

from __future__ import annotations

from enum import StrEnum


class RefusalCode(StrEnum):
    """Why a command was refused."""

    NOT_A_PARTY = "not_a_party"
    NOT_YOUR_STEP = "not_your_step"
    NOT_YOUR_TURN = "not_your_turn"
    WRONG_STAGE = "wrong_stage"
    ALREADY_DONE = "already_done"
    CLOSED = "closed"
    PAUSED = "paused"
    INVALID_INPUT = "invalid_input"
    SELF = "self"
    ITEM_NOT_FOUND = "item_not_found"
    OWN_ITEM = "own_item"
    TOO_MANY_ITEMS = "too_many_items"
    NOT_THE_FACILITATOR = "not_the_facilitator"
    FACILITATOR_IS_PARTY = "facilitator_is_party"
    NOTHING_TO_MOVE_ON = "nothing_to_move_on"
    OUTCOME_NOT_ALLOWED = "outcome_not_allowed"
    HELD_BY_REQUEST = "held_by_request"  # paused at a participant's request: only they can go on
    OUTCOME_NEEDS_ALL_ACCEPTED = "outcome_needs_all_accepted"  # "agreed": items, every one accepted
    OUTCOME_NEEDS_ACCEPTED_ITEM = "outcome_needs_accepted_item"  # "partly agreed": one accepted item
    FINISH_AWAITS_YOU = "finish_awaits_you"  # the other proposed to finish: answer that first
    FINISH_NOT_OPEN = "finish_not_open"  # no such proposal waits for an answer (any more)
    OWN_FINISH = "own_finish"  # the proposer cannot confirm their own proposal
    ITEM_WITHDRAWN = "item_withdrawn"  # the item was withdrawn when the mediation closed
    EXTENDED_ONCE = "extended_once"  # an invitation is kept open longer only once


class FieldProblem(StrEnum):
    """What is wrong with one input field."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    OUT_OF_RANGE = "out_of_range"
    IN_THE_PAST = "in_the_past"
    UNKNOWN = "unknown"


class Refused(Exception):
    """The engine will not carry out a command; nothing changed."""

    def __init__(self, code: RefusalCode, fields: dict[str, FieldProblem] | None = None) -> None:
        super().__init__(code.value if not fields else f"{code.value}: {fields}")
        self.code = code
        self.fields: dict[str, FieldProblem] = fields or {}

    @property
    def silent(self) -> bool:
        """True when the person already got what they asked for (a double click, a retry)."""
        return self.code is RefusalCode.ALREADY_DONE
