"""The counselling-transcript measurement: pairs read as AnnoMI lays them out, scored as the app scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.coach.counselling import evaluate_counselling, pairs_from_csv, pairs_from_jsonl, read_ids

HEADER = (
    "transcript_id,mi_quality,video_title,video_url,topic,utterance_id,interlocutor,timestamp,"
    "utterance_text,main_therapist_behaviour,client_talk_type\n"
)
# our own lines, in AnnoMI's columns (a quoted field, "" for a quote, a repeated annotator row)
CSV = HEADER + (
    '7,high,"A ""demo""",u,t,0,therapist,00:00:01,"Hi, thanks for coming in.",other,n/a\n'
    "7,high,x,u,t,1,client,00:00:05,\"Honestly, um, I've been so tired since the night shifts started, "
    'and my partner says I snap at the kids.",n/a,neutral\n'
    "7,high,x,u,t,2,therapist,00:00:12,\"You're worn out since the night shifts began, and snapping at the "
    'kids is not the parent you want to be.",reflection,n/a\n'
    "7,high,x,u,t,2,therapist,00:00:12,\"You're worn out since the night shifts began, and snapping at the "
    'kids is not the parent you want to be.",reflection,n/a\n'
    "7,high,x,u,t,3,client,00:00:20,Yeah. It's not me.,n/a,change\n"
    '7,high,x,u,t,4,therapist,00:00:22,"Okay. And how many nights a week do you work?",question,n/a\n'
    '7,high,x,u,t,5,therapist,00:00:25,"What else?",question,n/a\n'
    "8,low,y,u,t,0,client,00:00:01,I don't really want to be here.,n/a,sustain\n"
    '8,low,y,u,t,1,therapist,00:00:03,"Well, the guidelines say two drinks a day.",therapist_input,n/a\n'
)


def test_pairs_are_a_labelled_reply_after_a_client_turn() -> None:
    pairs = pairs_from_csv(CSV)
    # utterance 5 follows a therapist turn; utterance 1 of transcript 8 is input, not reflection/question
    assert [(p.key, p.label) for p in pairs] == [((7, 2), "reflection"), ((7, 4), "question")]
    assert pairs[0].client.startswith("Honestly, um, I've been so tired")
    assert pairs[1].client == "Yeah. It's not me."
    assert pairs[0].quality == "high"


def test_ids_keep_one_sample(tmp_path: Path) -> None:
    ids = tmp_path / "sample.ids"
    ids.write_text("# a comment\n7,4\n\n9,1  # not in the source\n", encoding="utf-8")
    assert read_ids(ids) == {(7, 4), (9, 1)}


def test_jsonl_pairs_read_the_same_fields(tmp_path: Path) -> None:
    f = tmp_path / "pairs.jsonl"
    f.write_text(
        '{"transcript_id": 3, "utterance_id": 9, "mi_quality": "low", "client": "a", "therapist": "b",'
        ' "label": "question"}\n\n',
        encoding="utf-8",
    )
    (p,) = pairs_from_jsonl(f)
    assert (p.key, p.quality, p.client, p.therapist, p.label) == ((3, 9), "low", "a", "b", "question")


@pytest.mark.timeout(300)
def test_a_reflection_outscores_a_question_and_only_it_passes() -> None:
    r = evaluate_counselling(pairs_from_csv(CSV))
    assert (r.reflections, r.questions) == (1, 1)
    assert r.auc == 1.0
    assert (r.reflections_passed, r.questions_passed) == (1, 0)
    assert r.auc_by_quality == {"high": 1.0}
