"""The statement encoder: it loads from the committed files, reads at most MAX_TOKENS word pieces, its
cross-fitted logits cover every training statement and carry signal, and the coach answers without it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from flows.coach import encoder, review_statement
from flows.coach.decide import statement_features, statement_probabilities
from flows.coach.embed import get_embedder
from flows.coach.features import NUDGE_KINDS
from flows.coach.model import get_model
from flows.coach.training import encoder_key, file_digests, read_encoder_cv, read_rows

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from coach_train import DEV, ENCODER_CV, training_files  # noqa: E402


@pytest.fixture(scope="module")
def shipped() -> encoder.StatementEncoder:
    enc = encoder.get_encoder()
    assert enc is not None, "the committed encoder must load"
    return enc


def test_the_shipped_encoder_gives_one_logit_per_kind(shipped: encoder.StatementEncoder) -> None:
    out = shipped.logits("You always change the plan.")
    assert len(out) == len(NUDGE_KINDS) and all(np.isfinite(out))
    assert shipped.logits("You always change the plan.") == out  # the same text, the same logits


def test_the_encoder_reads_at_most_max_tokens(shipped: encoder.StatementEncoder) -> None:
    head = "I felt left out when the rota changed without a word to me. "
    long = head * 40  # far past MAX_TOKENS word pieces
    longer = long + "You are useless and everyone knows it. " * 10
    assert shipped.logits(long) == shipped.logits(longer)
    assert shipped.logits(head) != shipped.logits(long)


def test_the_read_beside_the_rules_equals_the_read_in_series(shipped: encoder.StatementEncoder) -> None:
    # review_statement starts the encoder on its own thread; training passes the logits in: same vectors
    text = "You always move the rota. I feel ignored. Fix it by Friday. Whatever, forget it."
    embedder = get_embedder()
    assert embedder is not None
    threaded = statement_features(text, embedder)
    serial = statement_features(text, embedder, encoded=shipped.logits(text))
    assert threaded == serial
    assert len(threaded) == 5  # the whole text and its four sentences


def test_only_the_whole_text_carries_the_encoders_logits(shipped: encoder.StatementEncoder) -> None:
    # the encoder reads the text once; its sentences are read by the heads without it, which were
    # trained for vectors like theirs: the heads with the encoder, given a sentence without its reading,
    # used to miss the insult (and the whole text's reading found no contempt until the tenth round's
    # rows joined the heads' training data; the sentence alone must be enough)
    text = (
        "You always do this. I feel that you're sabotaging me. You're an idiot. Whatever. "
        "Not my fault. I feel used. You must stop. Your work is sloppy."
    )
    embedder = get_embedder()
    assert embedder is not None
    logits = shipped.logits(text)
    vectors = statement_features(text, embedder, encoded=logits)
    n = len(NUDGE_KINDS)
    assert vectors[0][-n:] == logits
    plain = get_model().variant("statement", True, encoded=False)
    assert len(vectors) == 9 and all(len(v) == len(plain.features) for v in vectors[1:])
    whole, per_sentence, _reading, variant = statement_probabilities(text)
    assert variant is get_model().variant("statement", True)
    assert per_sentence == [plain.probabilities(v) for v in vectors[1:]]
    assert whole == variant.probabilities(vectors[0])
    insult = per_sentence[2]["contempt"]
    assert insult >= variant.heads["contempt"].threshold
    assert "contempt" in review_statement(text).kinds


def test_the_encoder_threads_start_on_first_use_and_stop_on_close() -> None:
    run = encoder.StatementEncoder(encoder.open_session(encoder.MODEL_FILE), encoder.load_tokenizer())
    assert run._pool is None
    assert run.submit("You never listen.").result() == run.logits("You never listen.")
    assert run._pool is not None
    run.close()
    assert run._pool is None


def test_the_encoder_tells_an_i_statement_from_sarcasm(shipped: encoder.StatementEncoder) -> None:
    k = NUDGE_KINDS.index("contempt")
    calm = shipped.logits(
        "When the deadline moved without notice I felt anxious, because I need time to plan."
    )
    attack = shipped.logits(
        "Oh brilliant, another masterpiece of planning from you. Should I alert the press?"
    )
    assert attack[k] > calm[k] + 2.0


def test_every_training_statement_has_cross_fitted_logits() -> None:
    # a training row added after `make coach-encoder` ran would be read with the shipped encoder, which
    # was fitted on it: training refuses that, and so does this test
    cv = read_encoder_cv(ENCODER_CV)
    rows = read_rows(training_files("statements"))
    assert len(rows) > 1500
    for r in rows:
        got = cv.get(encoder_key(r["text"]))
        assert got is not None, r["text"]
        assert len(got) == len(NUDGE_KINDS)


def test_statements_filed_by_the_shipped_encoder_are_its_reading_of_training_statements(
    shipped: encoder.StatementEncoder,
) -> None:
    # `make coach-encoder-read` files the shipped encoder's logits of statements that joined training
    # after it was fine-tuned: they must be its own reading, of training statements
    body = json.loads(ENCODER_CV.read_text(encoding="utf-8"))
    filed = set(body.get("read_by_shipped", []))
    by_key = {encoder_key(r["text"]): r["text"] for r in read_rows(training_files("statements"))}
    assert filed <= by_key.keys()
    for key in sorted(filed)[::25]:
        # onnxruntime's float kernels differ in the last bits by instruction set, and a last bit can move
        # an activation's 8-bit rounding: an AVX2-only EPYC read the logits a VNNI Xeon filed up to 0.1
        # apart (2026-12-07); another model's reading is a whole logit or more away
        assert body["logits"][key] == pytest.approx(shipped.logits(by_key[key]), abs=0.25)


def test_the_cross_fitted_logits_carry_each_kind() -> None:
    # a floor under what `make coach-encoder` gave on 2026-12-06 (ROC AUC 0.90 demand to 0.99 thoughts as
    # feelings): an encoder that learned nothing, or logits filed under the wrong texts, falls far below
    from flows.coach.evaluate import roc_auc

    cv = read_encoder_cv(ENCODER_CV)
    rows = read_rows(training_files("statements"))
    logits = np.asarray([cv[encoder_key(r["text"])] for r in rows])
    for i, kind in enumerate(NUDGE_KINDS):
        y = np.asarray([kind in r["kinds"] for r in rows])
        assert roc_auc(logits[y, i].tolist(), logits[~y, i].tolist()) > 0.87, kind


def test_the_model_was_trained_against_this_cv_file() -> None:
    digest = get_model().meta["files"]
    assert ENCODER_CV.name in digest
    assert digest[ENCODER_CV.name] == file_digests([ENCODER_CV])[ENCODER_CV.name]
    assert json.loads(ENCODER_CV.read_text(encoding="utf-8"))["max_tokens"] == encoder.MAX_TOKENS


@pytest.mark.skipif(not DEV.exists(), reason="shared/coach-dev not present")
def test_the_model_was_trained_with_the_dev_set() -> None:
    # a model trained where ../shared/coach-dev was missing differs from what make coach-train gives here
    digest = get_model().meta["files"]
    for name, value in file_digests([DEV / "statements.jsonl", DEV / "reflections.jsonl"]).items():
        assert digest.get(name) == value, name


def test_the_coach_answers_without_the_encoder() -> None:
    text = "You always change the plan at the last minute."
    encoder._reset_for_tests(None)
    try:
        whole, _per_sentence, _reading, variant = statement_probabilities(text)
        assert set(whole) == set(NUDGE_KINDS)
        assert variant is get_model().variant("statement", True, encoded=False)  # embeddings, no encoder
        assert review_statement(text).kinds
    finally:
        encoder._reset_for_tests()


def test_a_text_longer_than_the_window_is_read_without_the_encoder(
    shipped: encoder.StatementEncoder,
) -> None:
    # the encoder's budget is one window; a longer text is read by the heads trained without it, and
    # sentence by sentence, so a jibe at its end is still found
    opening = "On Monday the delivery came late and the fridge log was not signed, so I rang the depot. "
    text = opening * 4 + "Oh brilliant, another masterpiece of planning from you. Should I alert the press?"
    short = "Oh brilliant, another masterpiece of planning from you. Should I alert the press?"
    assert not shipped.fits(text) and shipped.fits(short)
    _whole, _per_sentence, _reading, variant = statement_probabilities(text)
    assert variant is get_model().variant("statement", True, encoded=False)
    _whole, _per_sentence, _reading, variant = statement_probabilities(short)
    assert variant is get_model().variant("statement", True)
    assert "contempt" in review_statement(text).kinds
    assert "contempt" in review_statement(short).kinds


@pytest.mark.parametrize(
    "words",
    [1, 20, 40, 55, 61, 62, 63, 64, 200],
)
@pytest.mark.parametrize("word", ["no", "unprofessionally", "ok,", "x.y"])
def test_read_if_fits_reads_exactly_the_texts_that_fit(
    shipped: encoder.StatementEncoder, word: str, words: int
) -> None:
    # one tokenisation for both questions, and the short cut by word count agrees with the tokenizer
    text = " ".join([word] * words)
    pending = shipped.read_if_fits(text)
    assert (pending is not None) == shipped.fits(text)
    if pending is not None:
        assert pending.result() == shipped.logits(text)
