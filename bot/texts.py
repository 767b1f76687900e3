"""Every user-facing string of the Slack app, in one place.

The voice follows the coach's rules for ourselves: warm, specific, never judging the person.
`{other}`-style placeholders are filled with Slack mentions (`<@U123>`), never with private text.
"""

from __future__ import annotations

from flows.errors import FieldProblem, RefusalCode
from flows.models import LoopStatus, Outcome, Stage

APP_NAME = "Common Ground"

# --- /mediate ---------------------------------------------------------------------------------------

HELP = (
    "*Common Ground* helps two colleagues understand each other before they talk it out.\n"
    "• `/mediate @colleague what it's about` — invite a colleague to a mediation\n"
    "• `/mediate status` — where your mediations stand\n"
    "• `/mediate cancel` (or `/mediate cancel @colleague`) — end a mediation you are part of\n"
    "• `/mediate help` — this message\n"
    "Everything you write privately stays private: it is shown only to you, and to your colleague only "
    "where you choose to share it. Your App Home tab shows all your mediations."
)
USAGE = "To start, type `/mediate @colleague what it's about`. Type `/mediate help` for everything else."
UNKNOWN_SUBCOMMAND = "I didn't recognise that. " + USAGE
STATUS_NONE = "You have no mediations yet. " + USAGE
STATUS_HEADER = "*Your mediations*"
CANCEL_NONE = "You have no open mediation to cancel."
CANCEL_WHICH = "You have more than one open mediation. Which one would you like to end?"
CANCEL_THIS = "End this one"
NOT_YET_AVAILABLE = (
    "Facilitated mediations and the prepare flow are on their way. For now, `/mediate @colleague topic` "
    "starts a mediation between the two of you."
)
CANCEL_NOT_FOUND = "You have no open mediation with <@{other}>."
CANCELLED_BY_YOU = "The mediation with <@{other}> is closed. Thank you for giving it a try."
SELF = "A mediation needs two people, so you can't invite yourself. Who would you like to talk with?"
BOT_USER = "<@{user}> is an app, not a person, so it can't take part in a mediation."
DEACTIVATED = "<@{user}>'s account is deactivated, so they can't take part in a mediation."
USER_UNKNOWN = "I couldn't find that person in this workspace. Please pick them from the list."
ALREADY_OPEN = (
    "You and <@{other}> already have an open mediation. You can pick it up from your App Home, "
    "or end it with `/mediate cancel @{other_name}` before starting a new one."
)
ALREADY_OPEN_FIELD = "You and this colleague already have an open mediation. Continue it from your App Home."
STORE_DOWN = (
    "Sorry, Common Ground can't reach its storage right now, so nothing was saved. "
    "Please try again in a minute."
)
SOMETHING_WRONG = "Sorry, something went wrong on our side and nothing was changed. Please try again."

# --- start modal --------------------------------------------------------------------------------------

START_TITLE = "Start a mediation"
START_SUBMIT = "Send invitation"
START_INTRO = (
    "Your colleague will get a private invitation explaining how this works. Taking part is voluntary "
    "for both of you."
)
START_COLLEAGUE = "Who would you like to talk with?"
START_TOPIC = "What is it about?"
START_TOPIC_HINT = (
    "A few neutral words your colleague will see in the invitation, e.g. “the release deadlines”."
)
START_HOPES = "What do you hope for? (only you will see this)"
START_HOPES_HINT = "Private: a note to yourself. It is never shown to your colleague."

# --- DMs (notices) --------------------------------------------------------------------------------------

INVITATION = (
    "Hi <@{respondent}>, <@{initiator}> would like to talk something through with you, "
    "with Common Ground's help: *{topic}*"
)
INVITATION_HOW = (
    "*How it works:* each of you first writes down privately what happened and what matters to you. "
    "Then each of you says back what you understood of the other, until the other feels understood. "
    "Only then do you talk together.\n"
    "*It is voluntary:* you can say no, or not now, and <@{initiator}> will be told kindly.\n"
    "*It is confidential:* what you write stays private unless you choose to share it."
)
ACCEPT = "Accept"
NOT_NOW = "Not now"
DECLINE = "Decline"
INVITATION_SENT = (
    "Your invitation to <@{respondent}> about *{topic}* is on its way. I'll let you know when they answer."
)
INVITATION_ANSWERED = "You answered this invitation: *{answer}*."
ANSWER_ACCEPTED = "accepted"
ANSWER_NOT_NOW = "not now"
ANSWER_DECLINED = "declined"
ACCEPTED = "<@{respondent}> accepted your invitation about *{topic}*."
POSTPONED = (
    "<@{respondent}> isn't ready to start yet. The invitation stays open, and I'll let you know "
    "if anything changes."
)
POSTPONED_ACK = "No problem. The invitation stays open: you can accept it here whenever you are ready."
DECLINED = (
    "<@{respondent}> has decided not to take part, and that choice deserves respect. It may help to "
    "prepare for a conversation on your own, or to talk with someone you trust, such as your manager, "
    "HR or your employee assistance programme."
)
DECLINE_THANKS = "Thank you for letting us know. Nothing more will happen, and <@{initiator}> has been told."
GROUND_RULES = "Before you begin, please read the working agreement for your mediation with <@{other}>:"
GROUND_RULES_AGREE = "I agree"
GROUND_RULES_DONE = "You agreed to the working agreement."
INTAKE_OPEN = (
    "Thank you both. Now it's your private moment: tell your side in four short answers. Only you will "
    "see them; afterwards you choose what <@{other}> may read."
)
INTAKE_BUTTON = "Write my answers"
INTAKE_WAITING = "Thank you, your answers are saved. I'll let you know when <@{other}> has finished theirs."
REFLECT = (
    "<@{other}> has shared their account with you. Read it, then say back in your own words what you "
    "heard: what happened for them, how they felt and what matters to them."
)
REFLECT_BUTTON = "Read and reflect"
REFLECTION_WAITING = "<@{other}> is now reading what you shared and will say back what they heard."
ANSWER_REFLECTION = "<@{other}> has said back what they heard from you. Does it capture what you meant?"
ANSWER_BUTTON = "Read their reflection"
TRY_AGAIN = "<@{other}> read your reflection and added what was missing. Would you like to try again?"
TRY_AGAIN_BUTTON = "Try again"
LOOP_CONFIRMED = "<@{speaker}> confirmed that <@{listener}> understood them."
LOOP_NOT_YET = (
    "<@{listener}> and <@{speaker}> are not fully there yet after {rounds} rounds, and that's all right. "
    "What <@{speaker}> added is kept for the conversation, and we move on."
)
LOOP_SKIPPED = (
    "<@{speaker}> chose not to share their answers, so there is nothing for <@{listener}> to reflect in "
    "this direction. We move on."
)
CHECK_IN = (
    "Before you talk together, a short check-in: how is this going for you so far? Your numbers help "
    "us adjust; <@{other}> won't see them."
)
CHECK_IN_BUTTON = "Check in"
WAITING_CHECK_IN = "Thank you. The conversation opens as soon as <@{other}> has checked in too."
REPAIR = (
    "Thank you for being honest: it sounds like something isn't quite right for you yet. You can go "
    "on, take a break, or stop; all three are fine choices."
)
REPAIR_CONTINUE = "Go on to the conversation"
REPAIR_PAUSE = "Take a break"
REPAIR_STOP = "Stop the mediation"
PAUSED = "The mediation with <@{other}> is paused. Either of you can resume it when you're ready."
RESUME = "Resume"
RESUMED = "<@{other}> resumed the mediation. Pick up where you left off."
CLOSED = "The mediation with <@{other}> about *{topic}* is closed: {outcome}."
CLOSED_ITEMS = "*What you agreed:*"
CANCELLED = "<@{other}> has ended the mediation about *{topic}*. Thank you for the part you played."
UNREACHABLE = (
    "We can no longer reach <@{other}> on Slack, so the mediation about *{topic}* has ended. "
    "Nothing you wrote was shared."
)
EXPIRED = (
    "<@{respondent}> didn't answer your invitation about *{topic}*, so it has expired. You might talk "
    "with someone you trust, or invite them again later."
)
REMINDER = "A gentle reminder: <@{initiator}> invited you to talk about *{topic}*. Would you like to?"

OUTCOMES = {
    Outcome.AGREED: "you reached an agreement",
    Outcome.PARTLY_AGREED: "you agreed on part of what you discussed",
    Outcome.NO_AGREEMENT: "closed without an agreement, with thanks for trying",
    Outcome.DECLINED: "declined",
    Outcome.EXPIRED: "the invitation expired",
    Outcome.CANCELLED: "ended before the conversation finished",
    Outcome.ESCALATED: "passed on to the contact you chose",
}

STAGES = {
    Stage.INVITATION: "Invitation sent",
    Stage.GROUND_RULES: "Working agreement",
    Stage.INTAKE: "Private answers",
    Stage.REFLECTION: "Listening to each other",
    Stage.ALLIANCE: "Check-in",
    Stage.JOINT: "Talking together",
    Stage.CLOSED: "Closed",
}

LOOP_STATUS = {
    LoopStatus.PENDING: "not started",
    LoopStatus.WAITING_REFLECTION: "waiting for a reflection",
    LoopStatus.WAITING_ANSWER: "waiting for an answer",
    LoopStatus.CONFIRMED: "understood ✓",
    LoopStatus.NOT_YET: "not fully there yet",
    LoopStatus.SKIPPED: "nothing shared",
}

# --- modals -----------------------------------------------------------------------------------------

INTAKE_TITLE = "Your private answers"
INTAKE_SUBMIT = "Next"
INTAKE_INTRO = "Only you can see these answers. On the next screen you choose what <@{other}> may read."
SHARING_TITLE = "What to share"
SHARING_SUBMIT = "Save"
SHARING_INTRO = (
    "For each answer, choose what <@{other}> may read: all of it, a summary you write, or nothing. "
    "You can change this until you both have finished."
)
SHARE_ALL = "Share all of it"
SHARE_SUMMARY = "Share a summary"
SHARE_NONE = "Keep it to myself"
SUMMARY_LABEL = "Summary to share (if you chose a summary)"
SAVED_TITLE = "Saved"
SAVED = "Thank you, that's saved. You can close this window."
ANSWERS_TITLE = "Your answers"
ANSWERS_INTRO = "Only you can see this. Shared with <@{other}>: marked below."
ANSWER_SHARED = {"all": "shared in full", "summary": "shared as a summary", "none": "kept private"}
REFLECT_TITLE = "Reflect"
REFLECT_SUBMIT = "Send"
REFLECT_SHARED_HEADER = "What <@{other}> shared with you"
REFLECT_CORRECTIONS = "What <@{other}> said was missing last time"
REFLECT_PREVIOUS = "Your last reflection"
REFLECT_LABEL = "What did you hear? Say it back in your own words."
REFLECT_HINT = "For example: what happened for them, how they felt, and what matters to them."
ANSWER_TITLE = "Their reflection"
ANSWER_SUBMIT = "Send answer"
ANSWER_INTRO = "<@{other}> said back what they heard from you:"
ANSWER_CHOICE = "Does this capture what you meant?"
ANSWER_YES = "Yes, that's it"
ANSWER_PARTLY = "Partly"
ANSWER_MISSING = "What is missing or not quite right?"
ANSWER_MISSING_HINT = "Only <@{other}> will see this, so they can try again."
CHECK_IN_TITLE = "Check-in"
CHECK_IN_SUBMIT = "Send"
CHECK_IN_INTRO = "0 means not at all, 10 means completely."
PROPOSE_TITLE = "Propose a next step"
PROPOSE_SUBMIT = "Propose"
PROPOSE_WHO = "Who"
PROPOSE_WHAT = "Does what"
PROPOSE_WHEN = "By when (optional)"
UNDERSTOOD_TITLE = "What you understood"
NOTICE_TITLE = "Common Ground"
CLOSE = "Close"
CANCEL = "Cancel"

# --- the coach -------------------------------------------------------------------------------------

REVIEW_TITLE = "A gentle check"
REVIEW_INTRO = (
    "Your answers are saved. A few phrases may be hard for <@{other}> to hear. The notes below are "
    "suggestions only: change what you like, or keep your words as they are."
)
REVIEW_SUBMIT = "Save my changes"
REVIEW_KEEP = "Keep my words"
REVIEW_NOTE = "*{quote}* — {message}\n_{suggestion}_"
REFLECTION_NOT_YET = "Not sent yet. {reasons}"
REFLECTION_TIPS = "It's on its way. A thought for next time: {tips}"
LIVE_NUDGE = "Only you can see this: {message} {suggestion}"

# --- joint space --------------------------------------------------------------------------------------

JOINT_HEADER = "Welcome to your conversation"
JOINT_INTRO = "<@{a}> and <@{b}>, thank you for listening to each other. Here is where you stand."
JOINT_DIRECTION = "• <@{listener}> listening to <@{speaker}>: {status}"
JOINT_SHARED_NEEDS = "*What you both care about:* {needs}"
JOINT_NO_SHARED_NEEDS = "*What you both care about:* start by telling each other what matters most to you."
JOINT_AGENDA = "*Agenda*"
JOINT_UNDERSTOOD = "What we understood"
JOINT_PROPOSE = "Propose a next step"
JOINT_PAUSE = "Pause"
JOINT_DONE = "We've finished"
JOINT_ITEM = "*Proposed by <@{proposer}>:* {who} — {what}{when}"
JOINT_ITEM_WHEN = ", by {date}"
JOINT_ITEM_ACCEPT = "Accept"
JOINT_ITEM_AGREED = "✅ Agreed by both"
JOINT_ITEM_WAITING = "Waiting for <@{other}> to accept"
JOINT_PAUSED = "The conversation is paused. Either of you can resume it from here."
JOINT_RESUMED = "The conversation has resumed."
JOINT_FINAL = "This mediation is closed: {outcome}."

# --- App Home -----------------------------------------------------------------------------------------

HOME_HEADER = "Common Ground"
HOME_INTRO = (
    "A private place to prepare, listen and talk things through with a colleague. "
    "Start with `/mediate @colleague what it's about`."
)
HOME_EMPTY = "You have no mediations yet."
HOME_ITEM = "*With <@{other}>* — {topic}\n{stage} · since {since}"
HOME_WAITING_YOU = "Waiting on you: {what}"
HOME_WAITING_OTHER = "Waiting on <@{other}>"
HOME_PAUSED = "Paused"
HOME_CLOSED = "Closed: {outcome}"
HOME_MY_ANSWERS = "My answers"
HOME_SHARING = "What I share"
HOME_MORE = "…and {count} older mediations."
WAITING = {
    "accept": "accept or decline the invitation",
    "rules": "agree to the working agreement",
    "intake": "write your private answers",
    "sharing": "choose what to share",
    "reflect": "say back what you heard",
    "answer": "answer their reflection",
    "check_in": "check in",
    "repair": "choose how to go on",
    "joint": "talk together",
}

# --- refusals -----------------------------------------------------------------------------------------

REFUSALS = {
    RefusalCode.NOT_A_PARTY: "This belongs to someone else's mediation, so I can't do that for you.",
    RefusalCode.NOT_YOUR_STEP: "This step is for the other person in the mediation.",
    RefusalCode.NOT_YOUR_TURN: "It isn't your turn for this yet. I'll message you when it is.",
    RefusalCode.WRONG_STAGE: "This step has already moved on. Your App Home shows where things stand now.",
    RefusalCode.ALREADY_DONE: "That's already done.",
    RefusalCode.CLOSED: "This mediation is closed, so nothing more can change.",
    RefusalCode.PAUSED: "This mediation is paused. Resume it first, from your DM or App Home.",
    RefusalCode.INVALID_INPUT: "Some answers need another look.",
    RefusalCode.SELF: SELF,
    RefusalCode.ITEM_NOT_FOUND: "I couldn't find that agreement item.",
    RefusalCode.OWN_ITEM: "You proposed this one; it's waiting for the other person to accept.",
    RefusalCode.TOO_MANY_ITEMS: "That's a lot of items! Please agree on the ones you have first.",
}
NOT_FOUND = "I couldn't find that mediation. It may have been removed."

FIELD_PROBLEMS = {
    FieldProblem.EMPTY: "Please write something here.",
    FieldProblem.TOO_LONG: "Please keep this under {limit} characters.",
    FieldProblem.OUT_OF_RANGE: "Please choose a number from 0 to 10.",
    FieldProblem.IN_THE_PAST: "Please choose a date from today on.",
    FieldProblem.UNKNOWN: "This field isn't part of the form.",
}
MISSING_NEEDED = "Please say what is missing, so they can try again."


def field_problem(problem: FieldProblem, limit: int | None = None) -> str:
    """The text shown under one modal field."""
    return FIELD_PROBLEMS[problem].format(limit=limit or "")


# --- prepare ------------------------------------------------------------------------------------------
# `/mediate prepare`: one person practises a hard conversation. Nothing is sent to anyone or saved.

PREPARE_TITLE = "Prepare on your own"
PREPARE_INTRO = (
    "A private space to practise a conversation you find hard. First you write what happened, then you "
    "shape it into words the other person can hear, and then you practise listening to their side. "
    "Nothing here is sent to anyone or saved: when you close this window, it is gone."
)
PREPARE_STATEMENT_LABEL = "What happened, and how did it affect you?"
PREPARE_STATEMENT_HINT = (
    "Write it as it comes to you. On the next screen the coach suggests gentler wording, if it finds any."
)
PREPARE_NEXT = "Next"
PREPARE_WORDS_TITLE = "Finding your words"
PREPARE_WORDS_INTRO = (
    "Here is what the coach noticed. These are suggestions only: shape the words below as you like, "
    "or keep your own words as they are."
)
PREPARE_WROTE = "*What you wrote*"
PREPARE_WORDS_LABEL = "Your words for the conversation"
PREPARE_WORDS_HINT = "One way to put it: When …, I felt …, because I need …. Would you be willing to …?"
PREPARE_SCAFFOLD = "When …, I felt …, because I need …. Would you be willing to …?"
PREPARE_KEEP = "Keep my words"
PREPARE_USE_WORDS = "Use these words"
PREPARE_IMAGINE_TITLE = "Their side"
PREPARE_CLEAN = (
    "The coach has no suggestions: your words read clearly and kindly, so they are ready to take with you."
)
PREPARE_IMAGINE_INTRO = (
    "Now picture the conversation from their side. How might they describe what happened, how it felt "
    "for them, and what matters to them?"
)
PREPARE_IMAGINE_LABEL = "What might they say about it?"
PREPARE_IMAGINE_HINT = "Write it in their voice, as generously as you can, starting with “I …”."
PREPARE_PRACTICE_TITLE = "Practise listening"
PREPARE_IMAGINED = "*What you imagine they might say*"
PREPARE_PRACTICE_LABEL = "Practise listening: say back what you imagine they'd want you to understand"
PREPARE_PRACTICE_HINT = "In your own words: what happened for them, how they felt, and what matters to them."
PREPARE_AGAIN_HINT = "Change what you like and try again, or finish when you're ready."
PREPARE_CHECK = "Check my listening"
PREPARE_TRY_AGAIN = "Try again"
PREPARE_FINISH = "Finish"
PREPARE_BANDS = {
    "heard": "They would likely feel heard. That's careful listening.",
    "close": "You're most of the way there. A little more, and they would likely feel fully heard.",
    "start": (
        "A good start. Listening like this takes practice, and the notes below can help them feel heard."
    ),
}
PREPARE_SCORE = "Listening score: {score} of 100"
PREPARE_LANDED = "*What landed*"
PREPARE_TO_TRY = "*What could help*"
PREPARE_DONE_TITLE = "Ready when you are"
PREPARE_DONE_WORDS = "*Your words to take into the conversation*"
PREPARE_DONE_PRIVATE = (
    "Nothing was sent to anyone, and nothing was saved. If you'd like to keep your words, copy them "
    "before you close this window."
)
PREPARE_DONE_NEXT = (
    "When you feel ready, `/mediate @colleague what it's about` invites them to a mediation. Or you may "
    "simply talk with them: you have prepared well."
)
