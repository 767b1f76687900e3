"""Quiet hours and working days in each person's own zone, across daylight-saving changes (2026: the
US changes on 8 March and 1 November, Europe on 29 March and 25 October, all Sundays)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from flows.hours import PersonTime, WorkingHours, next_working, quiet_until

EVERY_DAY = list(range(7))


def z(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def person(tz: str, **hours: object) -> PersonTime:
    return PersonTime(tz=tz, hours=WorkingHours.model_validate(hours))


CASES = [
    # (id, person, due at, the moment it may reach them)
    ("london-working-now", person("Europe/London"), z(2026, 12, 1, 13, 30), z(2026, 12, 1, 13, 30)),
    ("london-before-work", person("Europe/London"), z(2026, 12, 1, 7, 30), z(2026, 12, 1, 8, 0)),
    ("new-york-same-moment", person("America/New_York"), z(2026, 12, 1, 7, 30), z(2026, 12, 1, 13, 0)),
    ("berlin-same-moment", person("Europe/Berlin"), z(2026, 12, 1, 7, 30), z(2026, 12, 1, 7, 30)),
    ("london-evening-to-morning", person("Europe/London"), z(2026, 12, 1, 20, 0), z(2026, 12, 2, 8, 0)),
    ("friday-night-to-monday", person("Europe/London"), z(2026, 12, 4, 21, 0), z(2026, 12, 7, 8, 0)),
    ("saturday-noon-to-monday", person("America/New_York"), z(2026, 12, 5, 17, 0), z(2026, 12, 7, 13, 0)),
    # the weekend the US springs forward: Monday 08:00 is EDT (UTC-4), not EST
    ("ny-spring-forward", person("America/New_York"), z(2026, 3, 8, 3, 0), z(2026, 3, 9, 12, 0)),
    # the weekend it falls back: Monday 08:00 is EST (UTC-5)
    ("ny-fall-back", person("America/New_York"), z(2026, 10, 31, 1, 0), z(2026, 11, 2, 13, 0)),
    ("london-spring-forward", person("Europe/London"), z(2026, 3, 27, 20, 30), z(2026, 3, 30, 7, 0)),
    ("london-fall-back", person("Europe/London"), z(2026, 10, 23, 20, 0), z(2026, 10, 26, 8, 0)),
    # someone who works every day: the short night still ends at 08:00 on the wall clock
    (
        "ny-every-day-short-night",
        person("America/New_York", working_days=EVERY_DAY),
        z(2026, 3, 8, 5, 0),
        z(2026, 3, 8, 12, 0),
    ),
    (
        "ny-every-day-long-night",
        person("America/New_York", working_days=EVERY_DAY),
        z(2026, 11, 1, 5, 0),
        z(2026, 11, 1, 13, 0),
    ),
    # an opening the spring-forward skips (02:30 does not exist): just after the change, 03:30 EDT
    (
        "ny-opening-that-does-not-exist",
        person("America/New_York", quiet_start=time(22), quiet_end=time(2, 30), working_days=EVERY_DAY),
        z(2026, 3, 8, 6, 0),
        z(2026, 3, 8, 7, 30),
    ),
    # an opening the fall-back repeats (01:30 happens twice): the first one, still EDT
    (
        "ny-opening-that-happens-twice",
        person("America/New_York", quiet_start=time(22), quiet_end=time(1, 30), working_days=EVERY_DAY),
        z(2026, 11, 1, 4, 0),
        z(2026, 11, 1, 5, 30),
    ),
    (
        "quiet-over-lunch",
        person("Europe/Berlin", quiet_start=time(12), quiet_end=time(13)),
        z(2026, 12, 1, 11, 30),
        z(2026, 12, 1, 12, 0),
    ),
    (
        "no-quiet-hours-weekend-only",
        person("UTC", quiet_start=time(0), quiet_end=time(0)),
        z(2026, 12, 5, 3, 0),
        z(2026, 12, 7, 0, 0),
    ),
    ("unknown-zone-is-utc", person("Mars/Olympus"), z(2026, 12, 1, 7, 0), z(2026, 12, 1, 8, 0)),
]


@pytest.mark.parametrize(("who", "due", "reached"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_next_working_moment(who: PersonTime, due: datetime, reached: datetime) -> None:
    assert next_working(who, due) == reached
    assert who.reachable(reached)
    assert quiet_until(who, due) == (None if reached == due else reached)


def test_nothing_known_of_a_person_never_holds_a_timer() -> None:
    assert quiet_until(None, z(2026, 12, 5, 3, 0)) is None


def test_working_hours_are_validated() -> None:
    with pytest.raises(ValueError):
        WorkingHours(working_days=[])
    with pytest.raises(ValueError):
        WorkingHours(working_days=[7])
    assert WorkingHours(working_days=[4, 0, 0]).working_days == [0, 4]
