"""Every user-facing string of the Slack app, in one place.

The voice follows the coach's rules for ourselves: warm, specific, never judging the person.
`{other}`-style placeholders are filled with Slack mentions (`<@U123>`), never with private text.
"""

from __future__ import annotations

from flows.errors import FieldProblem, RefusalCode
from flows.models import FinishStatus, LoopStatus, Outcome, Stage
from flows.steps import DoneKind

APP_NAME = "Common Ground"

# --- /mediate ---------------------------------------------------------------------------------------

HELP = (
    "*Common Ground* helps two colleagues understand each other before they talk it out.\n"
    "• `/mediate @colleague what it's about` — invite a colleague to a mediation\n"
    "• `/mediate status` — where your mediations stand\n"
    "• `/mediate cancel` (or `/mediate cancel @colleague`) — end a mediation you are part of\n"
    "• `/mediate facilitate @one @other what it's about` — host a mediation between two colleagues\n"
    "• `/mediate prepare` — practise a hard conversation on your own; nothing is sent to anyone\n"
    "• `/mediate delete-my-data` — erase everything you wrote, in every mediation (you confirm first)\n"
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
FLOW_OFF = (
    "Your workspace hasn't switched this on. Your Slack admins can turn it on in Common Ground's App Home."
)
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
TOPIC_SHORTENED = (
    "What you typed was longer than {limit} characters, so the topic below is shortened at a word; the "
    "rest is in your private note further down, where only you will see it. Edit both as you like."
)
TOPIC_SHORTENED_HOST = (
    "What you typed was longer than {limit} characters, so the topic above is shortened at a word. "
    "The rest, for you to reuse: {rest}"
)
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
# Reflection-loop notices, to the speaker and to the listener, each addressed as themselves.
LOOP_CONFIRMED = {
    "speaker": "You confirmed that <@{listener}> understood you.",
    "listener": "<@{speaker}> confirmed that you understood them.",
}
LOOP_NOT_YET = {
    "speaker": (
        "You and <@{listener}> are not fully there yet after {rounds} rounds, and that's all right. "
        "What you added is kept for the conversation, and we move on."
    ),
    "listener": (
        "You and <@{speaker}> are not fully there yet after {rounds} rounds, and that's all right. "
        "What <@{speaker}> added is kept for the conversation, and we move on."
    ),
}
LOOP_SKIPPED = {
    "speaker": (
        "You chose not to share your answers, so there is nothing for <@{listener}> to reflect in this "
        "direction. We move on."
    ),
    "listener": (
        "<@{speaker}> chose not to share their answers, so there is nothing for you to reflect in this "
        "direction. We move on."
    ),
}
CHECK_IN = (
    "Before you talk together, a short check-in: how is this going for you so far? Your numbers help "
    "us adjust; <@{other}> won't see them."
)
CHECK_IN_FACILITATED = (
    "Before you talk together, a short check-in: how is this going for you so far? <@{other}> won't "
    "see your numbers; <@{facilitator}>, who hosts, sees the numbers so they can help, never your words."
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
RESUMED = "The mediation with <@{other}> has resumed. Pick up where you left off."
# Pause and resume, told to each reader as themselves: by you, by the other person, by the host.
BY_YOU, BY_OTHER, BY_HOST = "you", "other", "host"
PAUSED_BY = {
    BY_YOU: "You paused the mediation with <@{other}>. Either of you can resume it when you're ready.",
    BY_OTHER: "<@{by}> paused the mediation with you. Either of you can resume it when you're ready.",
    BY_HOST: (
        "<@{by}>, who hosts, paused your mediation with <@{other}>. Either of you can resume it when "
        "you're ready."
    ),
}
RESUMED_BY = {
    BY_YOU: "You resumed the mediation with <@{other}>. Pick up where you left off.",
    BY_OTHER: "<@{by}> resumed the mediation with you. Pick up where you left off.",
    BY_HOST: "<@{by}>, who hosts, resumed your mediation with <@{other}>. Pick up where you left off.",
}
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

# --- timers, in each person's own working hours ------------------------------------------------------
FAC_REMINDER = (
    "A gentle reminder: <@{facilitator}> invited you and <@{other}> to talk about *{topic}*. Would you "
    "like to?"
)
EXPIRY_WARNING = (
    "The invitation from <@{initiator}> to talk about *{topic}* stays open until {when}. If you'd like "
    "to, you can still accept; declining is fine too."
)
FAC_EXPIRY_WARNING = (
    "The invitation from <@{facilitator}> to talk with <@{other}> about *{topic}* stays open until "
    "{when}. If you'd like to, you can still accept; declining is fine too."
)
EXPIRY_SOON = (
    "<@{respondent}> hasn't answered your invitation about *{topic}* yet; it closes {when}. If you think "
    "they need more time, you can keep it open {days} days longer, once."
)
EXTEND_BUTTON = "Keep it open longer"
EXTENDED = "The invitation about *{topic}* now stays open until {when}."
STALLED = (
    "A kind nudge about *{topic}*: <@{other}> is waiting for you to {what}. Whenever you have a "
    "moment; nothing is lost meanwhile."
)
STALLED_NOTHING = "Nothing is waiting on you in the mediation about *{topic}* right now."
STALLED_OTHER = (
    "<@{by}> has not had time yet for the next step about *{topic}*; you don't need to do anything. "
    "I'll let you know when it moves on."
)
PULSE = (
    "You and <@{other}> have been talking about *{topic}* for a while. A short check-in: how is it "
    "going for you? <@{other}> won't see your numbers."
)
PULSE_FACILITATED = (
    "You and <@{other}> have been talking about *{topic}* for a while. A short check-in: how is it "
    "going for you? <@{other}> won't see your numbers; <@{facilitator}>, who hosts, sees the numbers, "
    "never your words."
)
PULSE_LOW = (
    "Thank you for being honest. If the conversation isn't going well for you, you can pause it at any "
    "time, or talk with someone first:"
)
PULSE_PAUSE = "Pause the conversation"
PULSE_THANKS = "Thank you for checking in. The conversation goes on whenever you're ready."

# Working hours: when reminders, follow-ups and check-ins may reach someone (in their own time zone).
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS_TITLE = "My working hours"
HOURS_INTRO = (
    "Reminders, follow-ups and check-ins reach you only in your working hours, in your own time zone "
    "(as Slack knows it). Something due in your quiet hours waits for your next working hour."
)
HOURS_QUIET_START = "Quiet from"
HOURS_QUIET_END = "Quiet until"
HOURS_QUIET_HINT = "Quiet hours may run over midnight, like 20:00 until 08:00."
HOURS_DAYS = "Working days"
HOURS_FOLLOW_LABEL = "Workspace hours"
HOURS_FOLLOW = "Use the workspace's hours"
HOURS_SUMMARY = "quiet {start}–{end}; working days {days}"
HOURS_INVALID = "Please choose the quiet hours and at least one working day."
HOURS_SAVED = "Saved. Reminders reach you in these hours: {hours}."
HOURS_SAVED_WORKSPACE = "Saved. You follow the workspace's hours: {hours}."
HOME_HOURS_HEADER = "*When I may reach you*"
HOME_HOURS_OWN = "Your own hours: {hours}."
HOME_HOURS_WORKSPACE = "The workspace's hours: {hours}."
HOME_HOURS_BUTTON = "Set my working hours"
ADMIN_TIMEZONE_LABEL = "Time zone when Slack doesn't say"
ADMIN_TIMEZONE_HINT = "A name like Europe/London. Used for anyone whose own time zone can't be read."
ADMIN_HOURS_INTRO = (
    "Reminders, follow-ups and check-ins reach each person only in these hours, in their own time zone. "
    "Anyone may set their own hours in App Home."
)
ADMIN_STALL_LABEL = "Hours a step may wait on one person before a kind reminder (0: never)"
ADMIN_EXTEND_LABEL = "Days an unanswered invitation may be kept open longer, once"
ADMIN_CHECK_IN_DAYS_LABEL = "Days into the conversation for a check-in, and between check-ins (0: none)"

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
ANSWER_MISSING_HINT = (
    "Only the person who reflected will see this, so they can try again."  # plain text: no mentions
)
CHECK_IN_TITLE = "Check-in"
CHECK_IN_SUBMIT = "Send"
CHECK_IN_INTRO = "0 means not at all, 10 means completely."
PROPOSE_TITLE = "Propose a next step"
PROPOSE_SUBMIT = "Propose"
PROPOSE_WHO = "Who"
PROPOSE_WHAT = "Does what"
PROPOSE_WHEN = "By when"  # Slack adds "(optional)" itself
UNDERSTOOD_TITLE = "What you understood"
NOTICE_TITLE = "Common Ground"
CLOSE = "Close"
CANCEL = "Cancel"

# --- follow-up -------------------------------------------------------------------------------------

FOLLOW_UP = (
    "It's been a while since you and <@{other}> agreed on next steps about *{topic}*. "
    "Is the agreement holding for you?"
)
FOLLOW_UP_YES = "Yes, it's holding"
FOLLOW_UP_NO = "Not really"
HOLDING = "You and <@{other}> both say your agreement about *{topic}* is holding. Well done, both of you."
REOPENED = (
    "The agreement about *{topic}* isn't holding for one of you, so your conversation is open again, "
    "in the same place. That happens; picking it up again is a good sign."
)

# --- facilitated mediations ----------------------------------------------------------------------

FAC_INVITATION = (
    "Hi <@{me}>, <@{facilitator}> invites you and <@{other}> to a facilitated conversation, with "
    "Common Ground's help: *{topic}*"
)
FAC_INVITATION_HOW = (
    "*How it works:* each of you first writes down privately what happened and what matters to you. "
    "Then each of you says back what you understood of the other, until the other feels understood. "
    "Only then do you talk together, with <@{facilitator}> hosting.\n"
    "*It is voluntary:* you can say no, or not now.\n"
    "*It is confidential:* what you write stays private unless you choose to share it. "
    "<@{facilitator}> sees where things stand, but not what you write."
)
FAC_DECLINED = (
    "<@{other}> has decided not to take part, and that choice deserves respect. The mediation is closed."
)
FAC_NUDGED = "<@{facilitator}> sends a kind reminder about *{topic}*. Waiting on you: {what}."
FAC_NUDGED_NOTHING = "<@{facilitator}> checked in about *{topic}*. Nothing is waiting on you right now."
FAC_MOVED_ON = (
    "<@{facilitator}> has moved on from the listening stage: “{reason}” What each of you added is kept "
    "for the conversation."
)
# To the host, saying who did what ({by}: the person who acted).
FAC_NOTICES = {
    "invitation_sent": (
        "You are hosting a mediation between <@{a}> and <@{b}> about *{topic}*. Both are invited; "
        "your App Home shows where it stands."
    ),
    "accepted": (
        "<@{by}> accepted the invitation to your mediation about *{topic}*. Your App Home shows who is "
        "waiting on whom."
    ),
    "postponed": "<@{by}> asked for a little more time before your mediation about *{topic}* starts.",
    "declined": "<@{by}> declined the mediation about *{topic}*, so it is closed.",
    "paused": "<@{by}> paused your mediation about *{topic}*.",
    "resumed": "<@{by}> resumed your mediation about *{topic}*.",
    "expired": "The invitations to your mediation about *{topic}* expired.",
    "reopened": "<@{by}> says the agreement about *{topic}* isn't holding, so the mediation is open again.",
    "expiry_soon": (
        "Not everyone has answered the invitations to your mediation about *{topic}*; they close {when}. "
        "You can keep them open longer, once."
    ),
    "extended": "The invitations to your mediation about *{topic}* now stay open until {when}.",
}
# The same, when who acted is not known (older timers and records).
FAC_NOTICES_UNNAMED = {
    "accepted": "An invitation to your mediation about *{topic}* was accepted.",
    "postponed": "Someone in your mediation about *{topic}* asked for a little more time before starting.",
    "declined": "The mediation about *{topic}* was declined, and it is closed.",
    "paused": "Your mediation about *{topic}* is paused.",
    "resumed": "Your mediation about *{topic}* has resumed.",
    "reopened": "The agreement in your mediation about *{topic}* isn't holding; it is open again.",
}
FAC_JOINT_ROOT = (
    "A conversation between <@{a}> and <@{b}> about *{topic}*, hosted by <@{facilitator}>. "
    "It continues in this thread."
)
FACILITATE_TITLE = "Host a mediation"
FACILITATE_SUBMIT = "Invite them"
FACILITATE_INTRO = (
    "Both people get a private invitation explaining how this works; taking part is voluntary. "
    "You will see where things stand, but not what either of them writes."
)
FACILITATE_FIRST = "First person"
FACILITATE_SECOND = "Second person"
FACILITATE_NOT_ALLOWED = (
    "Hosting mediations is open to the facilitators your admins chose. Your admins can add you."
)
FACILITATE_YOURSELF = "You are hosting, so you can't be one of the two people. Please choose two others."
FACILITATE_SAME = "Please choose two different people."
HOSTED_HEADER = "Mediations you host"
HOSTED_ITEM = "*<@{a}> and <@{b}>* — {topic}\n{stage} · since {since}"
HOSTED_WAITING = "Waiting on <@{who}>: {what}"
HOSTED_STALLED = "This step has waited a while: <@{who}> had a kind reminder {when}."
HOSTED_CHECK_IN = "Check-in: <@{who}> {scores} (total {total})"
HOSTED_PULSE = "Check-in during the conversation: <@{who}> {scores} (total {total})"
HOSTED_NUDGE = "Remind {name}"
HOSTED_NUDGED = "Done: {people} got a kind reminder of what waits on them."
AND = " and "
HOSTED_MOVE_ON = "Move on"
HOSTED_JOINT = "Joint space"
HOSTED_END = "End"
MOVE_ON_TITLE = "Move on"
MOVE_ON_LABEL = "Why move on? Both people will read this."
MOVE_ON_SUBMIT = "Move on"
JOINT_CHOICE_TITLE = "Joint space"
JOINT_CHOICE_LABEL = "Where should they talk?"
JOINT_CHOICE_GROUP_DM = "A group DM with both of them and you"
JOINT_CHOICE_CHANNEL = "A new private channel"
JOINT_CHOICE_THREAD = "A thread in a private channel you all share"
JOINT_CHOICE_WHICH = "Which channel (for a thread)"
JOINT_CHOICE_NONE = (
    "For a thread, invite Common Ground to a private channel where both people and you are members. "
    "Public channels can't be used: anyone could read along."
)
JOINT_CHOICE_PUBLIC = "That channel is public, so anyone could read along. Please choose a private channel."
JOINT_CHOICE_MEMBERS = "Everyone needs to be a member of that channel: both people, you and Common Ground."
JOINT_CHOICE_PICK = "Please choose the channel for the thread."
JOINT_CHOICE_SUBMIT = "Save"
END_TITLE = "End the mediation"
END_LABEL = "How did it end?"
END_SUBMIT = "End it"

# --- safety --------------------------------------------------------------------------------------

SAFETY_HEADER = "If something feels unsafe"
SAFETY_SIGNAL = (
    "Some of what you wrote sounds like it may involve {concerns}. Mediation isn't the right tool for "
    "that, and you don't have to handle it alone."
)
SAFETY_CONTACT = "• *{label}*{who}{details}"
SAFETY_NO_CONTACTS = "Your manager, HR or your employee assistance programme can help."
SAFETY_STARTED_TITLE = "Invitation sent"
SAFETY_STARTED = "Your invitation is on its way. Before you go on, a word about safety."
CONCERNS = {
    "harassment": "harassment",
    "violence": "violence",
    "discrimination": "discrimination",
    "threat": "a threat",
}

# --- after a safety signal, and deleting your data ----------------------------------------------------
# Everyone but the person who chose learns only that it is paused (or closed) at a participant's request.

SAFETY_CHOICE = (
    "Some of what you wrote sounds like it may involve {concerns}. Mediation may not be the right "
    "place for that, and nothing will be rushed: the conversation with <@{other}> won't open until you "
    "choose. Only you see this. How would you like to go on?"
)
SAFETY_CHOICE_SOMETHING = "something that feels unsafe"
SAFETY_STARTED_CHOICE = (
    "I've also sent you a private message: the conversation with your colleague won't open until you "
    "choose how to go on."
)
SAFETY_GO_ON = "Go on with the mediation"
SAFETY_CONTACT_FIRST = "Talk to a contact first"
SAFETY_PAUSE = "Pause it"
SAFETY_CONTACTS = (
    "Here is who can help. The mediation stays paused until you choose to go on; <@{other}> is told "
    "only that it is paused at a participant's request."
)
SAFETY_PAUSED = (
    "The mediation is paused, as you asked. <@{other}> is told only that it is paused at a "
    "participant's request. Go on whenever you are ready; you can also end it with `/mediate cancel`."
)
PAUSED_BY_REQUEST = (
    "Your mediation about *{topic}* is paused at a participant's request. I'll let you know when it goes on."
)
GOES_ON = "Your mediation about *{topic}* goes on. Pick up where you left off."
CLOSED_BY_REQUEST = (
    "Your mediation with <@{other}> was closed at a participant's request. Thank you for the part you played."
)
FAC_SAFETY_NOTICES = {
    "paused_by_request": "Your mediation about *{topic}* is paused at a participant's request.",
    "goes_on": "Your mediation about *{topic}* goes on.",
    "closed_by_request": ("Your mediation between <@{a}> and <@{b}> was closed at a participant's request."),
}
HOME_HELD = "Paused at a participant's request"
HOME_SAFETY_PENDING = "Waiting on you: choose how to go on. Only you see this."

DELETE_BUTTON = "Delete my data"
DELETE_WHAT = (
    "*Delete my data* erases everything you wrote in every mediation you are part of, open or closed: "
    "your private answers and summaries, the reflections and corrections you wrote, the next steps you "
    "proposed, your private note of what you hoped for, and the topic of each mediation you started. "
    "Open mediations close; the other person is told only that theirs closed at a participant's request. "
    "Your mediations leave your App Home and `/mediate status`.\n"
    "What stays, with no words of yours: that a mediation took place and with whom (the other person "
    "still sees it in their list), its stages, dates and outcome, and check-in numbers for your "
    "workspace's anonymous counts. Messages already in Slack (these DMs, a joint conversation) are "
    "Slack's: you can delete your own there."
)
DELETE_CONFIRM_TITLE = "Delete your data?"
DELETE_CONFIRM_TEXT = (
    "Everything you wrote in all your mediations is erased for good, and your open mediations close "
    "(the other person is told only that it closed at a participant's request). This can't be undone."
)
DELETE_CONFIRM_YES = "Delete it"
DELETE_CONFIRM_NO = "Keep it"
DELETE_WORKING_TITLE = "Deleting your data"
DELETE_WORKING = "Deleting your data…"
DELETE_RECEIPT_TITLE = "Your data is deleted"
DELETE_RECEIPT = (
    "*Done, {when}.* From {count} mediation(s) I erased everything you wrote: answers, summaries, "
    "reflections, corrections, proposed next steps, your private notes and the topics you wrote. "
    "{closed} open mediation(s) closed; the other person was told only that it closed at a "
    "participant's request. Your mediations no longer show in your App Home or `/mediate status`."
)
DELETE_RECEIPT_NONE = "*Done, {when}.* There was nothing of yours left to delete."
DELETE_RECEIPT_KEPT = (
    "Kept, with no words of yours: that each mediation took place and with whom, its stages, dates and "
    "outcome, and check-in numbers."
)

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

# What the coach's reason codes (flows.coach.ReasonCode) say to the writer of a reflection. In
# COACH_DISTORTED, "{name}" (always a subject) is the person reflected: a Slack mention in mrkdwn,
# "they" in plain text.
COACH_REASONS = {
    "not_a_reflection_rebuttal": (
        "Some of this is your own account of what happened. It matters too, and there will be a turn "
        "for it: for now, try saying back only what they told you."
    ),
    "not_a_reflection_advice": (
        "This offers a solution or explains how things are. It may be a good one, but first they need to "
        "feel heard: say back what happened for them and what matters to them."
    ),
    "not_a_reflection_question": (
        "This is a question rather than a reflection. Try saying back what you understood first; a "
        'closing "Did I get that right?" is welcome.'
    ),
    "judgement": (
        "This gives a verdict on them rather than saying back what they shared. Try leaving out your "
        "verdict and keeping only their experience."
    ),
    "off_topic": (
        "This moves away from what they told you. Your side matters too; for now, try keeping the "
        "focus on what happened for them."
    ),
    "minimising": (
        "This makes it sound smaller than it felt for them. Try staying with how big it was for them, "
        "even if it looks small from where you are."
    ),
    "facts_covered": "You picked up the key things that happened for them.",
    "facts_missing": (
        "Some of what happened for them is missing. Try including the main events they described."
    ),
    "facts_distorted": (
        "A detail seems different from what they said. It's worth checking it against their words."
    ),
    "feeling_named": "You named how it felt for them.",
    "feeling_missing": (
        'Try naming how it felt for them, in any words: worried, hurt, "it knocked you sideways".'
    ),
    "need_named": "You named what matters to them.",
    "need_missing": 'Try adding what matters to them, e.g. "being asked first matters to you".',
    "parroting": (
        "This stays very close to their exact words. "
        "Putting it in your own words helps them hear that you understood."
    ),
    "own_words": "You put it in your own words.",
}
# A wrong detail, named: "{said}" is what the speaker wrote, "{wrote}" what the reflection says.
COACH_DISTORTED = {
    "number": "{name} said {said}, and you wrote {wrote}. It's worth checking against their words.",
    "day": "{name} mentioned {said}, and you wrote {wrote}. It's worth checking against their words.",
    "name": "{name} spoke of {said}, and you wrote {wrote}. It's worth checking who was involved.",
    "actor": "{name} told it the other way round: it's worth checking who did what.",
    "negation": '{name} wrote "{said}", and your words say "{wrote}". It\'s worth checking which it was.',
}
COACH_THEY = "they"
COACH_CLI_CLEAN = "No nudges — this reads as a clear I-statement."
LIVE_NUDGE = "{message} {suggestion}"  # an ephemeral: Slack marks it "Only visible to you"
# why the coach noticed some words, by nudge kind (flows.coach.NudgeKind); the suggestion comes with them
NUDGE_MESSAGES = {
    "blame": "This puts the fault on them, which usually makes people defend rather than listen.",
    "absolute": "Words like 'always' and 'never' turn one event into a verdict on the person.",
    "contempt": "Mockery or name-calling is hard to hear past, even when the point underneath is fair.",
    "defensiveness": "This defends rather than engages, so the other person may feel unheard.",
    "stonewalling": "This closes the conversation; a named break keeps the door open.",
    "faux_feeling": "This word describes what you think they did, more than how you feel.",
    "thought_as_feeling": "'I feel that/like…' introduces a thought, not a feeling.",
    "demand": "'You must / should / have to' is a demand; people are more open to a request.",
    "evaluation": "This is a judgement; describing what happened is easier to hear.",
}

# --- joint space --------------------------------------------------------------------------------------

JOINT_HEADER = "Welcome to your conversation"
JOINT_INTRO = "<@{a}> and <@{b}>, thank you for listening to each other. Here is where you stand."
JOINT_DIRECTION = "• <@{listener}> listening to <@{speaker}>: {status}"
JOINT_SHARED_NEEDS = "*What you both care about:* {needs}"
JOINT_NO_SHARED_NEEDS = (
    "*What matters to each of you:* neither of you has shared it yet; you might start by telling each "
    "other what matters most to you."
)
JOINT_NEEDS_HEADER = "*What matters to each of you*"
JOINT_NEEDS_OF = "• <@{who}>: {needs}"
JOINT_NEEDS_SEE_UNDERSTOOD = (
    "• <@{who}> shared what matters to them: *What we understood* shows it to you both."
)
JOINT_NEEDS_NOT_SHARED = "• <@{who}> has kept what matters to them private so far."
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
HOME_EMPTY = "You are not taking part in a mediation yourself."
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
# The same steps as a host reads them in App Home: "Waiting on Bob: their private answers".
WAITING_THEIR = {
    "accept": "their answer to the invitation",
    "rules": "their agreement to the working agreement",
    "intake": "their private answers",
    "sharing": "their choice of what to share",
    "reflect": "saying back what they heard",
    "answer": "their answer to a reflection",
    "check_in": "their check-in",
    "repair": "their choice of how to go on",
    "joint": "the conversation together",
}

# --- done steps and late clicks ----------------------------------------------------------------------
# A message that offered a step keeps its words and, once the step is done, says what happened instead
# of offering its buttons ({when} is a Slack date: "today at 2:05 PM", "Dec 6, 2026 at 2:05 PM"). A
# click on an old button gets one sentence.

STEP_TAKEN_CARE_OF = (
    "That step is already taken care of — nothing more is needed from you here. "
    "Your App Home shows where things stand."
)
STEP_DONE = {
    DoneKind.ACCEPTED: "You accepted ({when}).",
    DoneKind.DECLINED: "This invitation was declined ({when}).",
    DoneKind.AGREED: "You agreed to the working agreement ({when}).",
    DoneKind.SHARED: "You shared your answers ({when}).",
    DoneKind.REFLECTED: "You sent your reflection ({when}).",
    DoneKind.CONFIRMED: "You confirmed that you felt understood ({when}).",
    DoneKind.ADDED_MISSING: "You added what was missing ({when}).",
    DoneKind.CHECKED_IN: "You checked in ({when}).",
    DoneKind.CHOSE: "You chose how to go on ({when}).",
    DoneKind.RESUMED: "The mediation was resumed ({when}).",
    DoneKind.ANSWERED: "You answered ({when}). Thank you for letting us know.",
    DoneKind.MOVED_ON: "This step is closed: the mediation moved on ({when}).",
    DoneKind.ENDED: "This step is closed: the mediation ended ({when}).",
    DoneKind.WENT_ON: "You chose to go on with the mediation ({when}).",
    DoneKind.CONTACT_FIRST: "You chose to talk to a contact first; it is paused meanwhile ({when}).",
    DoneKind.PAUSED: "You chose to pause the mediation ({when}).",
    DoneKind.EXTENDED: "The invitation was kept open longer ({when}).",
}

# --- refusals -----------------------------------------------------------------------------------------

REFUSALS = {
    RefusalCode.NOT_A_PARTY: "This belongs to someone else's mediation, so I can't do that for you.",
    RefusalCode.NOT_YOUR_STEP: "This step is for the other person in the mediation.",
    RefusalCode.NOT_YOUR_TURN: "It isn't your turn for this yet. I'll message you when it is.",
    RefusalCode.WRONG_STAGE: STEP_TAKEN_CARE_OF,
    RefusalCode.ALREADY_DONE: STEP_TAKEN_CARE_OF,
    RefusalCode.EXTENDED_ONCE: "The invitation was kept open longer once already; it closes as planned.",
    RefusalCode.CLOSED: STEP_TAKEN_CARE_OF,
    RefusalCode.PAUSED: "This mediation is paused. Resume it first, from your DM or App Home.",
    RefusalCode.INVALID_INPUT: "Some answers need another look.",
    RefusalCode.SELF: SELF,
    RefusalCode.ITEM_NOT_FOUND: "I couldn't find that agreement item.",
    RefusalCode.OWN_ITEM: "You proposed this one; it's waiting for the other person to accept.",
    RefusalCode.TOO_MANY_ITEMS: "That's a lot of items! Please agree on the ones you have first.",
    RefusalCode.NOT_THE_FACILITATOR: "Only the person hosting this mediation can do that.",
    RefusalCode.FACILITATOR_IS_PARTY: FACILITATE_YOURSELF,
    RefusalCode.NOTHING_TO_MOVE_ON: (
        "Both of them have finished the listening stage, so there is nothing to move on from."
    ),
    RefusalCode.OUTCOME_NOT_ALLOWED: "Please choose agreed, partly agreed, no agreement, or ended early.",
    RefusalCode.HELD_BY_REQUEST: (
        "This mediation is paused at a participant's request. It goes on when they are ready."
    ),
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


# --- admin --------------------------------------------------------------------------------------------
# The admin section of App Home and its modals. Admins see settings and anonymous counts only.

ADMIN_HEADER = "Workspace settings"
ADMIN_INTRO = (
    "You can see this because you administer Common Ground in this workspace. Here you shape how "
    "mediations run. You see settings and anonymous counts only: what people write stays with them."
)
ADMIN_SUMMARY = "*Flows on:* {flows}\n*Facilitators:* {facilitators} · *Private text kept for:* {days} days"
ADMIN_NO_FLOWS = "none (nobody can start a mediation)"
ADMIN_FLOW_LINE = "*{name}* · version {version}"
ADMIN_FLOW_NAMES = {
    "peer": "Peer mediation",
    "facilitated": "Facilitated mediation",
    "prepare": "Prepare on your own",
}
ADMIN_FLOW_HINTS = {
    "peer": "Two colleagues, with no one else involved.",
    "facilitated": "A manager or facilitator hosts two colleagues.",
    "prepare": "One person practises a hard conversation; nothing is sent.",
}
ADMIN_POLICIES = {
    "everyone": "everyone",
    "listed": "the people listed",
    "usergroup": "members of a user group",
}
ADMIN_BUTTONS = {
    "flows": "Flows on and off",
    "people": "Admins and facilitators",
    "safety": "Safety and contacts",
    "retention": "Retention",
    "hours": "Working hours",
    "prompts": "Prompts",
    "process": "Steps and timings",
    "outcomes": "Outcomes",
    "audit": "Change log",
    "export": "Export YAML",
    "import": "Import YAML",
}
ADMIN_TITLES = {
    "flows": "Flows",
    "people": "Admins, facilitators",
    "safety": "Safety and contacts",
    "retention": "Retention",
    "hours": "Working hours",
    "prompts": "Prompts",
    "process": "Steps and timings",
    "outcomes": "Outcomes",
    "audit": "Change log",
    "export": "Export",
    "import": "Import",
}
ADMIN_SAVE = "Save"
ADMIN_IMPORT_SUBMIT = "Import"

ADMIN_FLOWS_LABEL = "Which flows can people start?"
ADMIN_FLOWS_HINT = "Turning a flow off stops new mediations of it; the ones already running carry on."

ADMIN_PEOPLE_ADMINS = "Also admins, besides Slack's workspace admins and owners"
ADMIN_PEOPLE_POLICY = "Who may host a facilitated mediation?"
ADMIN_PEOPLE_FACILITATORS = "Facilitators (when the people listed may host)"
ADMIN_PEOPLE_GROUP = "User group ID (when members of a user group may host)"
ADMIN_PEOPLE_GROUP_HINT = "It starts with S, for example S0123ABCD. You can copy it from the group's profile."
ADMIN_PEOPLE_NEED_LISTED = "Please list at least one person, or choose another option above."

ADMIN_SAFETY_TEXT = "What people read when mediation may not be the right place"
ADMIN_SAFETY_HINT = "Shown with the contacts below, for example when someone mentions harassment or a threat."
ADMIN_CONTACT_HEADER = "*Contact {number}*"
ADMIN_CONTACT_LABEL = "Name, such as HR or Employee Assistance Programme"
ADMIN_CONTACT_USER = "Person on Slack"
ADMIN_CONTACT_DETAILS = "How to reach them"
ADMIN_CONTACT_NEEDS_LABEL = "Please give this contact a name, such as HR."

ADMIN_RETENTION_LABEL = "Days to keep private text after a mediation closes"
ADMIN_RETENTION_HINT = "After this, what people wrote is deleted. Counts for the outcomes report remain."

ADMIN_PROMPTS_INTRO = (
    "The words people see in *{name}*. Changes apply to mediations that start from now on; the ones "
    "already running keep the words they started with."
)
ADMIN_QUESTION_LABEL = "Question: {key}"
ADMIN_QUESTION_HINT = "Hint under the question: {key}"
ADMIN_QUESTION_KEYS = {
    "happened": "what happened",
    "feelings": "how it affected them",
    "needs": "what matters to them",
    "requests": "what they would like",
}
ADMIN_INTRO_LABEL = "Your own words in the invitation"
ADMIN_INTRO_HINT = "Shown to the invited colleague above the explanation of how it works."
ADMIN_RULES_LABEL = "Working agreement, one point per line"
ADMIN_RULES_HINT = "Both people agree to these before they begin. Up to 10 points."

ADMIN_PROCESS_INTRO = (
    "How *{name}* runs. Changes apply to mediations that start from now on; the ones already running "
    "keep the settings they started with."
)
ADMIN_ROUNDS_LABEL = "Rounds of listening in each direction"
ADMIN_ROUNDS_HINT = "After this many tries, the mediation moves on honestly: not fully there yet."
ADMIN_ORDER_LABEL = "Listening order"
ADMIN_ORDERS = {
    "sequential": "One direction after the other",
    "simultaneous": "Both directions at once",
}
ADMIN_FIRST_LABEL = "Who is listened to first (one direction after the other)"
ADMIN_FIRST = {
    "initiator": "The person who asked for the mediation",
    "respondent": "The invited colleague",
}
ADMIN_SHARE_LABEL = "What each answer shares, until its author chooses"
ADMIN_SHARES = {
    "all": "All of it",
    "summary": "A summary the author writes",
    "none": "Nothing",
}
ADMIN_SPACE_LABEL = "Where the two talk together"
ADMIN_SPACES = {
    "group_dm": "A group DM with both of them",
    "private_channel": "A new private channel",
}
ADMIN_REMINDER_LABEL = "Hours before a reminder about an unanswered invitation"
ADMIN_EXPIRE_LABEL = "Days before an unanswered invitation expires"
ADMIN_FOLLOW_UP_LABEL = "Days after an agreement to ask whether it holds"
ADMIN_FOLLOW_UP_HINT = "0 means no follow-up."

ADMIN_EXPORT_INTRO = (
    "This workspace's settings as YAML. Copy it to keep a record, or to set up another workspace with "
    "`commonground config import`."
)
ADMIN_EXPORT_CUT = "The rest is too long to show here. `commonground config export` gives all of it."
ADMIN_IMPORT_INTRO = (
    "Paste YAML in the shape of the export. You may paste only the settings you want to change: the "
    "ones you leave out keep their current values, and a list you give replaces the whole list. Slack "
    "takes up to 3000 characters here; `commonground config import` takes a whole file."
)
ADMIN_IMPORT_LABEL = "YAML to import"
ADMIN_IMPORT_PLACEHOLDER = "retention_days: 90"
ADMIN_IMPORT_PROBLEM = "Nothing was changed. {problem}"

ADMIN_SAVED_TITLE = "Saved"
ADMIN_SAVED = "Saved, thank you. What changed:"
ADMIN_SAVED_DEFINITION = (
    "New mediations use version {version}; running ones keep the version they started with."
)
ADMIN_UNCHANGED = "Nothing needed saving: these settings were already in place."
ADMIN_CHANGED_MEANWHILE = (
    "Someone else changed these settings while you were editing. Please close this window and open it "
    "again to see their changes."
)

ADMIN_REFUSED = (
    "Only Common Ground's admins in this workspace can change these settings. If you need access, "
    "a workspace admin can add you."
)

ADMIN_AUDIT_INTRO = "The latest changes, newest first: who, when and which settings."
ADMIN_AUDIT_EMPTY = "No changes yet."
ADMIN_AUDIT_LINE = "{when} · <@{actor}> · {action} · {what}"
ADMIN_AUDIT_LINE_CLI = "{when} · command line · {action} · {what}"
ADMIN_AUDIT_REFUSED = "refused"
ADMIN_AUDIT_NO_FIELDS = "nothing changed"
ADMIN_AUDIT_OPEN = "opened {what}"

ADMIN_OUTCOMES_INTRO = (
    "Anonymous counts over every mediation in this workspace. A number drawn from fewer than {min} "
    "mediations is hidden, so that no one can be recognised."
)
ADMIN_OUTCOMES_ALL = "All flows"
ADMIN_OUTCOMES_COUNTS = "*Outcomes*"
ADMIN_OUTCOMES_DAYS = "*Median days in each step*"
ADMIN_OUTCOMES_ALLIANCE = "*Check-in averages, 0 to 10*"
ADMIN_OUTCOMES_ROUNDS = "*Listening rounds until the speaker felt understood*"
ADMIN_OUTCOMES_LINE = "{label}: {value}"
ADMIN_OUTCOMES_FROM = "{value} (from {n})"
ADMIN_OUTCOME_LABELS = {
    "open": "Still open",
    "agreed": "Reached an agreement",
    "partly_agreed": "Agreed on part",
    "no_agreement": "Closed without an agreement",
    "declined": "Invitation declined",
    "expired": "Invitation expired",
    "cancelled": "Ended early",
    "escalated": "Passed on to a contact",
    "total": "All mediations",
}
ADMIN_STAGE_LABELS = {
    "invitation": "Invitation",
    "ground_rules": "Working agreement",
    "intake": "Private answers",
    "reflection": "Listening to each other",
    "alliance": "Check-in",
    "joint": "Talking together",
}
ADMIN_ALLIANCE_ITEM = "Question {number}"
ADMIN_ALLIANCE_TOTAL = "Total of the four"
ADMIN_ROUNDS_MEDIAN = "Median"
ADMIN_ROUNDS_MEAN = "Average"
ADMIN_ROUNDS_NOT_YET = "Directions that ended not fully there yet"

ADMIN_FIELD_TOO_LONG = "Please keep this to {limit} characters or fewer."
ADMIN_FIELD_EMPTY = "Please fill this in."
ADMIN_FIELD_RANGE = "Please choose a whole number from {low} to {high}."
ADMIN_FIELD_NUMBER = "Please enter a whole number."
ADMIN_FIELD_TOO_MANY = "Please keep this to {limit} or fewer."
ADMIN_FIELD_USER_GROUP = "This doesn't look like a user group ID. It starts with S, for example S0123ABCD."
ADMIN_FIELD_OTHER = "Please check this: {problem}"

# --- admin: the outcomes screen under the threshold, and settings named in words ----------------------
# The Outcomes screen before enough mediations have closed, and hidden figures as one line. Then how
# *Saved* and the change log name a setting: by its form's label where that reads as a name, else by
# the short names below (bot/setting_words.py holds the one mapping from a setting's path to these).

ADMIN_OUTCOMES_NOT_YET = (
    "Figures appear once {min} mediations have closed. Until then this screen stays empty, so that no "
    "one can be recognised from a small number."
)
ADMIN_OUTCOMES_HIDDEN_SOME = "_Hidden to protect small groups: {labels}_"
ADMIN_OUTCOMES_HIDDEN_ALL = "_Hidden for now, to protect small groups._"
ADMIN_OUTCOMES_FLOW_HIDDEN = "_Figures for this flow are hidden for now, to protect small groups._"

ADMIN_SETTING_LINE = "{name}: {value}"
ADMIN_SETTING_IN_FLOW = "{flow} — {name}"
ADMIN_SETTING_PART = "{name}, {part}"
ADMIN_SETTING_NAMES = {
    "enabled_flows": "Flows switched on",
    "admins": ADMIN_PEOPLE_ADMINS,
    "facilitator_policy": "Who may host",
    "facilitators": ADMIN_PEOPLE_FACILITATORS,
    "facilitator_group": ADMIN_PEOPLE_GROUP,
    "safety_text": ADMIN_SAFETY_TEXT,
    "escalation_contacts": "Escalation contacts",
    "retention_days": ADMIN_TITLES["retention"],
    "working_hours.quiet_start": HOURS_QUIET_START,
    "working_hours.quiet_end": HOURS_QUIET_END,
    "working_hours.working_days": HOURS_DAYS,
    "working_hours": ADMIN_TITLES["hours"],
    "default_timezone": ADMIN_TIMEZONE_LABEL,
    "stall_hours": ADMIN_STALL_LABEL,
    "invitation.extend_days": ADMIN_EXTEND_LABEL,
    "joint.check_in_days": ADMIN_CHECK_IN_DAYS_LABEL,
    "name": "Name",
    "description": "Description",
    "version": "Version",
    "stages": "Steps",
    "invitation.intro": ADMIN_INTRO_LABEL,
    "invitation.reminder_hours": ADMIN_REMINDER_LABEL,
    "invitation.expire_days": ADMIN_EXPIRE_LABEL,
    "ground_rules.rules": "Working agreement",
    "intake.questions": "Questions",
    "intake.default_share": ADMIN_SHARE_LABEL,
    "reflection.max_rounds": ADMIN_ROUNDS_LABEL,
    "reflection.order": ADMIN_ORDER_LABEL,
    "reflection.first_speaker": ADMIN_FIRST_LABEL,
    "alliance.items": "Check-in questions",
    "joint.space": ADMIN_SPACE_LABEL,
    "joint.follow_up_days": ADMIN_FOLLOW_UP_LABEL,
    "joint.agenda": "Agenda of the joint conversation",
}
ADMIN_SETTING_ITEMS = {
    "ground_rules.rules": "Working agreement, point {number}",
    "alliance.items": "Check-in question {number}",
    "joint.agenda": "Agenda, point {number}",
}
ADMIN_SETTING_QUESTION = "Question {number}"
ADMIN_SETTING_QUESTION_PARTS = {
    "hint": "hint under it",
    "max_length": "longest answer",
}
ADMIN_SETTING_CONTACT = "Contact {number}"
ADMIN_SETTING_CONTACT_PARTS = {
    "label": "name",
    "user_id": "person on Slack",
    "details": "how to reach them",
}
ADMIN_SETTING_ITEM = "item {number}"
ADMIN_SETTING_DAYS = "{n} days"
ADMIN_SETTING_ON = "On"
ADMIN_SETTING_OFF = "Off"
ADMIN_SETTING_EMPTY = "none"
ADMIN_SETTING_QUOTED = "“{text}”"
# --- the end of a mediation: finishing together, the host's End, confirm dialogs -------------------
# Finishing is a joint act: one party proposes an outcome, the other confirms it or says not yet.

FINISH_TITLE = "Finish together"
FINISH_INTRO = (
    "Choose how it ended. <@{other}> is asked to confirm before the mediation closes; until then "
    "you can keep talking."
)
FINISH_LABEL = "How did it end?"
FINISH_SUGGESTED = "Suggested from your agreement items: *{outcome}*."
FINISH_ITEMS_OPEN = (
    "{count} item(s) not yet accepted by both. If it closes now they are withdrawn; you can still "
    "accept them first."
)
FINISH_SUBMIT = "Propose"
FINISH_OPTIONS = {
    Outcome.AGREED: "We reached an agreement",
    Outcome.PARTLY_AGREED: "We agreed on part of it",
    Outcome.NO_AGREEMENT: "We didn't reach an agreement",
}
FINISH_LABELS = {
    Outcome.AGREED: "agreed",
    Outcome.PARTLY_AGREED: "partly agreed",
    Outcome.NO_AGREEMENT: "no agreement, with thanks for trying",
}
FINISH_POST = (
    "<@{proposer}> proposes to finish here. The outcome, in their words: *{outcome}*. <@{other}>, "
    "does that fit for you too? Nothing closes until you confirm."
)
FINISH_POST_ITEMS_OPEN = "Items not accepted by both when it closes are withdrawn."
FINISH_CONFIRM = "Yes, close it"
FINISH_NOT_YET = "Not yet"
FINISH_WITHDRAW = "Withdraw"
FINISH_STATUS = {
    FinishStatus.PENDING: "Waiting for <@{other}> to confirm.",
    FinishStatus.CONFIRMED: "✅ <@{other}> confirmed, and the mediation is closed.",
    FinishStatus.NOT_YET: "<@{other}> isn't ready to finish yet, so the conversation goes on.",
    FinishStatus.WITHDRAWN: "<@{proposer}> withdrew this proposal.",
    FinishStatus.REPLACED: "<@{proposer}> replaced this with a new proposal.",
    FinishStatus.ITEMS_CHANGED: (
        "Withdrawn: the agreement items changed after it was proposed. Either of you can propose to "
        "finish again."
    ),
    FinishStatus.CLOSED: "The mediation closed before this was answered.",
}
FINISH_PROPOSED_DM = (
    "<@{other}> proposes to finish the mediation about *{topic}*. The outcome, in their words: "
    "*{outcome}*. Does that fit for you too? Nothing closes until you confirm."
)
FINISH_NOT_YET_DM = (
    "<@{other}> isn't ready to finish yet, and that's all right. The conversation stays open: keep "
    "talking, and either of you can propose to finish again later."
)
JOINT_ITEM_WITHDRAWN = "Withdrawn: not accepted by both before the mediation closed."

# The host's End: wording about them, never "you".
END_OUTCOMES = {
    Outcome.AGREED: "They reached an agreement",
    Outcome.PARTLY_AGREED: "They agreed on part of it",
    Outcome.NO_AGREEMENT: "They didn't reach an agreement",
}
END_EARLY_OUTCOME = "Ended without agreement"
END_EARLY_INTRO = (
    "They haven't reached the joint conversation, so it can only end without agreement. Both of "
    "them will read your reason in a private message."
)
END_JOINT_INTRO = (
    "Record what happened. Agreement items accepted by both: {accepted} of {total}. “They reached an "
    "agreement” needs every item accepted; “part of it” needs at least one."
)
END_REASON_LABEL = "What led to ending it here? Both of them will read this."
END_REASON_OPTIONAL = "Anything both of them should read?"  # Slack adds "(optional)"
CLOSED_BY_HOST = "<@{facilitator}> has ended the mediation with <@{other}> about *{topic}*: {outcome}."
CLOSED_HOST_REASON = "*Why it ended, in <@{facilitator}>'s words:* {reason}"
FAC_NOTICES["closed"] = "<@{a}> and <@{b}> closed their mediation about *{topic}*. {outcome}."

REFUSALS.update(
    {
        RefusalCode.OUTCOME_NOT_ALLOWED: "Please choose agreed, partly agreed or no agreement.",
        RefusalCode.OUTCOME_NEEDS_ALL_ACCEPTED: (
            "“Agreed” needs at least one agreement item, each accepted by both. Please choose another "
            "outcome, or accept the open items first."
        ),
        RefusalCode.OUTCOME_NEEDS_ACCEPTED_ITEM: (
            "“Partly agreed” needs at least one item accepted by both. Please choose another outcome."
        ),
        RefusalCode.FINISH_AWAITS_YOU: (
            "The other person has already proposed to finish. Please answer that first: confirm it, "
            "or say not yet."
        ),
        RefusalCode.FINISH_NOT_OPEN: (
            "That proposal to finish is no longer open. The conversation shows where things stand."
        ),
        RefusalCode.OWN_FINISH: (
            "You proposed this, so it's waiting for the other person. You can withdraw it if you like."
        ),
        RefusalCode.ITEM_WITHDRAWN: "This item was withdrawn when the mediation closed.",
    }
)

# Confirm dialogs on buttons that cannot be undone (Block Kit `confirm`: title ≤ 100, text ≤ 300,
# buttons ≤ 30 characters).
CONFIRM_BACK = "Go back"
CONFIRM_DECLINE_TITLE = "Decline the invitation?"
CONFIRM_DECLINE_TEXT = "The mediation closes and the others are told, gently. You can't undo this."
CONFIRM_DECLINE_OK = "Decline"
CONFIRM_FINISH_TITLE = "Propose to finish?"
CONFIRM_FINISH_TEXT = "You choose how it ended; the other person confirms before anything closes."
CONFIRM_FINISH_OK = "Choose the outcome"
CONFIRM_CLOSE_TITLE = "Close the mediation?"
CONFIRM_CLOSE_TEXT = (
    "The outcome recorded: {outcome}. Items not accepted by both are withdrawn, and you both get the "
    "agreed items in a private message. This can't be undone."
)
CONFIRM_CLOSE_OK = "Yes, close it"
CONFIRM_CANCEL_TITLE = "End this mediation?"
CONFIRM_CANCEL_TEXT = "It closes for both of you, and the other person is told. This can't be undone."
CONFIRM_CANCEL_OK = "End it"
CONFIRM_END_TITLE = "End this mediation?"
CONFIRM_END_TEXT = "You'll record how it ended. Both people are told, and it can't be undone."
CONFIRM_END_OK = "Choose the outcome"
CONFIRM_STOP_TITLE = "Stop the mediation?"
CONFIRM_STOP_TEXT = "It closes for both of you, and the other person is told. This can't be undone."
CONFIRM_STOP_OK = "Stop it"

# Delivery (bot/effects.py): something of a change did not reach someone. {who}: "<@U…>" (and
# "<@U…>"), or the joint conversation. Never says what it was (it may be private to them).
DELIVERY_DELAYED = "Something didn't reach {who} yet; we'll keep trying. You don't need to do anything."
DELIVERY_FAILED = (
    "Something couldn't be delivered to {who}, even after trying for a while. Slack may be having "
    "trouble: you could let them know to check Common Ground's App Home."
)
DELIVERY_JOINT_SPACE = "your joint conversation"
# --- the request edge (issue 10) ----------------------------------------------------------------------
# When Slack could not show a window in time (an expired trigger), or a field arrived in a shape the
# app cannot read.

TOOK_TOO_LONG = "That took a moment too long — please try again."
INPUT_UNREADABLE = "This couldn't be read. Please check it and try again."
# Storage under load and unreadable records (issue 10: a conflict that could not be resolved after
# every retry; a mediation whose stored record cannot be read).
TOO_BUSY = "Lots happening at once — please try again in a moment. Nothing was changed."
UNREADABLE = (
    "Sorry, I can't open this mediation right now: its record couldn't be read. Nothing was changed, "
    "and your other mediations are fine. If it keeps happening, please let your workspace admin know."
)

# --- installing from a link (bot/oauth.py) ----------------------------------------------------------

NOT_INSTALLED = (
    "Common Ground is not installed in this workspace any more, so nothing was done. "
    "An admin can add it again from the install link."
)
INSTALL_PAGE_TITLE = "Add Common Ground to Slack"
INSTALL_PAGE_TEXT = (
    "Common Ground helps two colleagues understand each other before they talk it out. "
    "Adding it to your workspace asks Slack for the permissions it needs to send its messages and "
    "open its forms; what people write privately stays encrypted and private."
)
INSTALL_BUTTON = "Add to Slack"
INSTALLED_TITLE = "Common Ground is installed"
INSTALLED_TEXT = (
    "Thank you. Common Ground is now part of {workspace}. Type `/mediate help` in Slack to begin, "
    "or open the app's Home tab."
)
INSTALLED_OPEN_SLACK = "Open Slack"
INSTALL_FAILED_TITLE = "Common Ground was not installed"
INSTALL_FAILED_TEXT = {
    "access_denied": "The installation was cancelled in Slack. Nothing was installed.",
    "invalid_browser": "This link was opened in another browser than the one that started it. "
    "Please start again from the install link, in one browser.",
    "invalid_state": "This install link has expired or was used already. Please start again from the "
    "install link.",
    "storage_error": "Slack agreed, but Common Ground could not save the installation. Please try again "
    "in a minute.",
}
INSTALL_FAILED_OTHER = "Slack did not complete the installation. Please start again from the install link."
INSTALL_AGAIN = "Start again"
