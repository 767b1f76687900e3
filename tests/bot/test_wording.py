"""Each reader is addressed as themselves: "You confirmed that Bob understood you", never their own
name in the third person; the host reads who did what."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import texts
from bot.views import modals
from bot.views.common import DATE_ONLY, calendar_day, slack_date
from bot.views.home import home_view
from bot.views.joint import joint_message
from bot.views.messages import facilitator_message, notice_message
from flows.effects import JointPost, Notice
from flows.models import Answer, Role, Share
from tests.bot.test_views import PEER, joint_mediation

ANN, BOB, MAYA = "UA", "UB", "UMAYA"


def text_for(
    role: Role, notice: Notice, speaker: Role | None = None, by: str | None = None, host: bool = False
) -> str:
    m = joint_mediation().model_copy(update={"facilitator": MAYA if host else None})
    return notice_message(m, role, notice, PEER, speaker=speaker, by=by).text


@pytest.mark.parametrize("notice", [Notice.LOOP_CONFIRMED, Notice.LOOP_NOT_YET, Notice.LOOP_SKIPPED])
@pytest.mark.parametrize("reader", list(Role))
def test_loop_notices_never_name_their_reader(notice: Notice, reader: Role) -> None:
    me = ANN if reader is Role.INITIATOR else BOB
    text = text_for(reader, notice, speaker=Role.INITIATOR)
    assert f"<@{me}>" not in text
    assert text.startswith("You") or " you " in text


def test_the_speaker_reads_that_they_confirmed() -> None:
    assert text_for(Role.INITIATOR, Notice.LOOP_CONFIRMED, Role.INITIATOR) == (
        f"You confirmed that <@{BOB}> understood you."
    )
    assert text_for(Role.RESPONDENT, Notice.LOOP_CONFIRMED, Role.INITIATOR) == (
        f"<@{ANN}> confirmed that you understood them."
    )


@pytest.mark.parametrize("notice", [Notice.PAUSED, Notice.RESUMED])
def test_pause_and_resume_say_who_as_each_reader_sees_it(notice: Notice) -> None:
    mine = text_for(Role.INITIATOR, notice, by=ANN)
    theirs = text_for(Role.RESPONDENT, notice, by=ANN)
    hosted = text_for(Role.RESPONDENT, notice, by=MAYA, host=True)
    assert mine.startswith("You ") and f"<@{ANN}>" not in mine and f"<@{BOB}>" in mine
    assert theirs.startswith(f"<@{ANN}> ") and f"<@{BOB}>" not in theirs
    assert hosted.startswith(f"<@{MAYA}>, who hosts,")


@pytest.mark.parametrize(
    "notice",
    [Notice.ACCEPTED, Notice.POSTPONED, Notice.DECLINED, Notice.PAUSED, Notice.RESUMED, Notice.REOPENED],
)
def test_the_host_reads_who_did_what(notice: Notice) -> None:
    m = joint_mediation().model_copy(update={"facilitator": MAYA})
    assert facilitator_message(m, notice, by=BOB).text.startswith(f"<@{BOB}> ")
    assert "<@>" not in facilitator_message(m, notice).text  # unnamed (older records) still reads well


def test_no_label_says_optional_itself() -> None:
    """Slack adds "(optional)" to an optional input's label; a label that says it too reads it twice."""
    said = [name for name, value in vars(texts).items() if isinstance(value, str) and "(optional)" in value]
    assert said == []


def test_a_plain_text_hint_holds_no_mention() -> None:
    """Hints are plain text: a <@U…> mention would show as raw markup."""
    view = modals.answer_modal(joint_mediation(), Role.INITIATOR)
    hints = [b["hint"]["text"] for b in view["blocks"] if b.get("hint")]
    assert hints and not any("<@" in h for h in hints)


def test_the_host_reads_waiting_steps_about_them() -> None:
    assert set(texts.WAITING_THEIR) == set(texts.WAITING)
    assert not any(" your " in f" {v} " or v.startswith("you") for v in texts.WAITING_THEIR.values())


def summary_for(ann_needs: str | None, bob_needs: str | None, host: bool = False) -> str:
    """The joint summary's text when Ann and Bob shared these needs answers (None: kept private)."""
    m = joint_mediation().model_copy(update={"facilitator": MAYA if host else None}, deep=True)
    for party, said in ((m.initiator, ann_needs), (m.respondent, bob_needs)):
        party.answers["needs"] = Answer(text=said or "kept", share=Share.ALL if said else Share.NONE)
    return str(joint_message(m, JointPost.SUMMARY, PEER).blocks)


def test_the_joint_space_names_each_persons_needs_even_with_no_word_in_common() -> None:
    text = summary_for("I need to count on you to keep your word.", "Some breathing room in the evenings.")
    assert f"<@{ANN}>: trust" in text and f"<@{BOB}>: rest" in text
    assert "start by telling" not in text and "*What you both care about:*" not in text


def test_needs_both_name_are_said_once_more() -> None:
    text = summary_for("Clarity about who decides.", "Clarity and support.")
    assert "*What you both care about:* clarity" in text


def test_a_need_in_words_of_their_own_is_pointed_to_never_quoted() -> None:
    own = "Xylophone moonlight."  # nothing our list knows
    for host in (False, True):
        text = summary_for(own, "Support.", host=host)
        assert own not in text and "What we understood" in text


def test_only_when_nobody_shared_needs_are_they_invited_to_start_there() -> None:
    assert "start by telling" in summary_for(None, None)
    kept = summary_for("Support.", None)
    assert "start by telling" not in kept and "kept what matters to them private" in kept


def test_moments_are_slack_date_tokens_and_days_are_plain_dates() -> None:
    at = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)
    assert slack_date(at) == "<!date^1796565900^{date_short_pretty} at {time}|6 Dec 2026 14:05 UTC>"
    assert slack_date(at, DATE_ONLY) == "<!date^1796565900^{date_short_pretty}|6 Dec 2026>"
    assert calendar_day(date(2027, 1, 1)) == "Fri 1 Jan 2027"


def test_app_home_shows_since_as_a_date_token() -> None:
    view = home_view([joint_mediation()], ANN, datetime(2026, 12, 6, tzinfo=UTC))
    assert "<!date^" in str(view["blocks"])
