"""Action and callback ids: the names the app's buttons and modals answer to."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """`action_id`s of interactive elements (the value carries the mediation id)."""

    INVITE_ACCEPT = "cg_invite_accept"
    INVITE_POSTPONE = "cg_invite_postpone"
    INVITE_DECLINE = "cg_invite_decline"
    RULES_AGREE = "cg_rules_agree"
    INTAKE_OPEN = "cg_intake_open"
    SHARING_OPEN = "cg_sharing_open"
    ANSWERS_VIEW = "cg_answers_view"
    REFLECT_OPEN = "cg_reflect_open"
    ANSWER_OPEN = "cg_answer_open"
    CHECK_IN_OPEN = "cg_check_in_open"
    REPAIR_CONTINUE = "cg_repair_continue"
    REPAIR_PAUSE = "cg_repair_pause"
    REPAIR_STOP = "cg_repair_stop"
    RESUME = "cg_resume"
    UNDERSTOOD_VIEW = "cg_understood_view"
    ITEM_PROPOSE = "cg_item_propose"
    ITEM_ACCEPT = "cg_item_accept"
    JOINT_PAUSE = "cg_joint_pause"
    JOINT_DONE = "cg_joint_done"
    CANCEL_ONE = "cg_cancel_one"
    KEEP_WORDS = "cg_keep_words"
    FOLLOW_UP_YES = "cg_follow_up_yes"
    FOLLOW_UP_NO = "cg_follow_up_no"
    FAC_NUDGE = "cg_fac_nudge"
    FAC_PAUSE = "cg_fac_pause"
    FAC_RESUME = "cg_fac_resume"
    FAC_MOVE_ON = "cg_fac_move_on"
    FAC_JOINT = "cg_fac_joint"
    FAC_END = "cg_fac_end"
    SAFETY_GO_ON = "cg_safety_go_on"
    SAFETY_CONTACT_FIRST = "cg_safety_contact_first"
    SAFETY_PAUSE = "cg_safety_pause"
    DELETE_MY_DATA = "cg_delete_my_data"  # the value carries nothing: it is always the clicker's own data
    FINISH_CONFIRM = "cg_finish_confirm"
    FINISH_NOT_YET = "cg_finish_not_yet"
    FINISH_WITHDRAW = "cg_finish_withdraw"
    EXTEND_INVITATION = "cg_extend_invitation"  # keep an unanswered invitation open longer, once
    MY_HOURS_OPEN = "cg_my_hours_open"  # App Home: set one's own working hours


class Shortcut(StrEnum):
    """`callback_id`s of the app's shortcuts (manifest.json)."""

    START = "cg_start"  # global: start a mediation
    HOST = "cg_host"  # message: host a mediation about this message


class Callback(StrEnum):
    """`callback_id`s of modals."""

    START = "cg_start"
    INTAKE = "cg_intake"
    INTAKE_REVIEW = "cg_intake_review"
    SHARING = "cg_sharing"
    REFLECT = "cg_reflect"
    ANSWER = "cg_answer"
    CHECK_IN = "cg_check_in"
    PROPOSE = "cg_propose"
    INFO = "cg_info"
    FACILITATE = "cg_facilitate"
    MOVE_ON = "cg_fac_move_on_submit"
    JOINT_CHOICE = "cg_fac_joint_submit"
    END = "cg_fac_end_submit"
    DELETE_RECEIPT = "cg_delete_receipt"
    FINISH = "cg_finish"
    MY_HOURS = "cg_my_hours"


def item_value(mediation_id: str, item_id: str) -> str:
    """The button value naming one agreement item."""
    return f"{mediation_id}:{item_id}"


def split_item_value(value: str) -> tuple[str, str]:
    """(mediation id, item id) from `item_value`."""
    mediation_id, _, item_id = value.partition(":")
    return mediation_id, item_id
