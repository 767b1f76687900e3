"""The Outcomes report from counters (what the store keeps as mediations change) equals the report
over the mediations themselves."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from flows.aggregates import aggregate, aggregate_counted, contribution, duration_bucket, running, tally
from flows.models import Mediation
from tests.flows.conftest import NOW, POINTS, make_play_to


def counted(mediations: list[Mediation]) -> tuple[dict[str, int], list]:  # type: ignore[type-arg]
    counters: Counter[str] = Counter()
    runs = []
    for m in mediations:
        k = contribution(m)
        counters.update(tally(k))
        if (run := running(k)) is not None:
            runs.append(run)
    return dict(counters), runs


def test_every_point_of_the_flow_counts_the_same() -> None:
    mediations = [make_play_to(point) for point in POINTS] * 3
    for now in (NOW, NOW + timedelta(days=3, hours=5)):
        for min_group in (1, 5):
            counters, runs = counted(mediations)
            assert aggregate_counted(counters, runs, now=now, min_group=min_group) == aggregate(
                mediations, now=now, min_group=min_group
            )


def test_running_stages_are_only_those_of_open_mediations() -> None:
    for point in POINTS:
        m = make_play_to(point)
        run = running(contribution(m))
        assert (run is not None) == (
            m.is_open and bool(m.history) and m.history[-1].stage.value == m.stage.value
        )


def test_duration_buckets_widen_with_length() -> None:
    assert duration_bucket(timedelta(minutes=59, seconds=29)) == 59
    assert duration_bucket(timedelta(hours=30, minutes=4)) == 30 * 60
    assert duration_bucket(timedelta(days=12, minutes=29)) == 12 * 1440
    assert duration_bucket(timedelta(days=12, minutes=31)) == 12 * 1440 + 60
