"""Working hours as people set them: quiet hours (two time pickers) and working days (checkboxes),
in the admin's *Working hours* form and in each person's own modal from App Home."""

from __future__ import annotations

from datetime import time
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    CheckboxesElement,
    InputBlock,
    Option,
    TimePickerElement,
)

from bot import texts as t
from bot.submitted import Values, choices, value
from bot.views.common import actions, button, context, modal, section
from bot.views.ids import Action, Callback
from flows.hours import WorkingHours

QUIET_START, QUIET_END, WORKING_DAYS, FOLLOW_WORKSPACE = "quiet_start", "quiet_end", "working_days", "follow"
OPTION_MAX = 75  # Slack's limit for an option's text and description


def hours_blocks(hours: WorkingHours) -> list[Block]:
    """The inputs for quiet hours and working days, filled with `hours`."""
    options = [Option(value=str(day), text=name) for day, name in enumerate(t.WEEKDAYS)]
    initial = [o for o in options if int(o.value or 0) in hours.working_days] or None
    return [
        InputBlock(
            block_id=QUIET_START,
            label=t.HOURS_QUIET_START,
            hint=t.HOURS_QUIET_HINT,
            element=TimePickerElement(action_id="value", initial_time=_hhmm(hours.quiet_start)),
        ),
        InputBlock(
            block_id=QUIET_END,
            label=t.HOURS_QUIET_END,
            element=TimePickerElement(action_id="value", initial_time=_hhmm(hours.quiet_end)),
        ),
        InputBlock(
            block_id=WORKING_DAYS,
            label=t.HOURS_DAYS,
            element=CheckboxesElement(action_id="value", options=options, initial_options=initial),
        ),
    ]


def read_hours(values: Values) -> dict[str, Any]:
    """The submitted hours as `WorkingHours` fields (validated by the caller)."""
    days = [int(d) for d in choices(values, WORKING_DAYS) if d.isdigit()]
    return {
        "quiet_start": value(values, QUIET_START) or "20:00",
        "quiet_end": value(values, QUIET_END) or "08:00",
        "working_days": days,
    }


def hours_text(hours: WorkingHours) -> str:
    """ "Quiet 20:00–08:00; working days Mon, Tue, Wed, Thu, Fri"."""
    days = ", ".join(t.WEEKDAYS_SHORT[d] for d in hours.working_days)
    return t.HOURS_SUMMARY.format(start=_hhmm(hours.quiet_start), end=_hhmm(hours.quiet_end), days=days)


def _hhmm(at: time) -> str:
    return at.strftime("%H:%M")


def home_hours_blocks(own: WorkingHours | None, workspace: WorkingHours) -> list[Block]:
    """App Home: the hours in which timers may reach this person, and the button to change them."""
    line = t.HOME_HOURS_OWN if own is not None else t.HOME_HOURS_WORKSPACE
    change: ButtonElement = button(t.HOME_HOURS_BUTTON, Action.MY_HOURS_OPEN, "me")
    return [
        section(t.HOME_HOURS_HEADER),
        context(line.format(hours=hours_text(own or workspace))),
        actions(change, block_id="my_hours"),
    ]


def my_hours_modal(own: WorkingHours | None, workspace: WorkingHours) -> dict[str, Any]:
    """The person's own working hours, or the workspace's to follow."""
    follow = Option(value="yes", text=t.HOURS_FOLLOW, description=hours_text(workspace)[:OPTION_MAX])
    blocks: list[Block] = [
        section(t.HOURS_INTRO),
        InputBlock(
            block_id=FOLLOW_WORKSPACE,
            label=t.HOURS_FOLLOW_LABEL,
            optional=True,
            element=CheckboxesElement(
                action_id="value", options=[follow], initial_options=[follow] if own is None else None
            ),
        ),
        *hours_blocks(own or workspace),
    ]
    return modal(Callback.MY_HOURS, t.HOURS_TITLE, blocks, submit=t.ADMIN_SAVE, close=t.CLOSE)
