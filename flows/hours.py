"""Each person's own time: their time zone, quiet hours and working days, and when they may be reached.

Pure: `zoneinfo` (the standard library's IANA database) turns a moment into the person's wall clock.
A timer that would reach someone in their quiet hours, or on a day they do not work, waits for their
next working moment (`next_working`). Daylight-saving changes are the zone's business: a working day
that starts at 08:00 starts at 08:00 on the wall clock, whatever the offset that day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

WEEKDAYS = (0, 1, 2, 3, 4)  # Monday to Friday (Python's `date.weekday()`)
DEFAULT_QUIET_START = time(20, 0)
DEFAULT_QUIET_END = time(8, 0)
_SEARCH_DAYS = 8  # a working moment is always within a week (at least one working day is required)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone of this name, or UTC for a name the database does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def known_zone(name: str) -> bool:
    """True when `name` is a zone the IANA database knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class WorkingHours(BaseModel):
    """When a person may be reached: not between `quiet_start` and `quiet_end` (wall clock; the quiet
    span may run over midnight), and only on `working_days` (0 = Monday … 6 = Sunday)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quiet_start: time = DEFAULT_QUIET_START
    quiet_end: time = DEFAULT_QUIET_END
    working_days: list[int] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1, max_length=7)

    @field_validator("working_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(not 0 <= day <= 6 for day in value):
            raise ValueError("working days are 0 (Monday) to 6 (Sunday)")
        return sorted(set(value))

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _minutes(cls, value: time) -> time:
        return value.replace(second=0, microsecond=0, tzinfo=None)

    def quiet_at(self, clock: time) -> bool:
        """True when this wall-clock time falls in the quiet span."""
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False  # no quiet hours at all
        if start < end:
            return start <= clock < end
        return clock >= start or clock < end

    def _openings(self, day: date) -> list[time]:
        """The wall-clock times on a working day at which a working span begins."""
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return [time(0)]
        if start < end:  # quiet in the middle of the day: working from midnight, and again from `end`
            return [time(0), end] if start > time(0) else [end]
        return [end]  # quiet over midnight: the day's working span opens at `end`


class PersonTime(BaseModel):
    """A person's time zone and working hours, as a timer command carries them to the engine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tz: str = "UTC"
    hours: WorkingHours = Field(default_factory=WorkingHours)

    def local(self, at: datetime) -> datetime:
        """`at` on this person's wall clock."""
        return _aware(at).astimezone(zone(self.tz))

    def reachable(self, at: datetime) -> bool:
        """True when `at` is in this person's working hours, on a working day."""
        local = self.local(at)
        return local.weekday() in self.hours.working_days and not self.hours.quiet_at(local.time())


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def next_working(person: PersonTime, at: datetime) -> datetime:
    """`at` itself when the person may be reached then, else the first moment after it that they may
    (in UTC). A wall-clock opening that does not exist that day (skipped by a spring-forward change)
    is taken at the same offset as the moment before it, which lands just after the change."""
    at = _aware(at).astimezone(UTC)
    if person.reachable(at):
        return at
    tz = zone(person.tz)
    first = person.local(at).date()
    for offset in range(_SEARCH_DAYS):
        day = first + timedelta(days=offset)
        if day.weekday() not in person.hours.working_days:
            continue
        for opening in person.hours._openings(day):
            candidate = datetime.combine(day, opening, tzinfo=tz).astimezone(UTC)
            if candidate > at and person.reachable(candidate):
                return candidate
    return at  # unreachable in practice (a working day always has a working span): never hold a timer


def quiet_until(person: PersonTime | None, at: datetime) -> datetime | None:
    """None when a timer may reach this person at `at` (or nothing is known of their time), else
    the moment it should wait for."""
    if person is None or person.reachable(at):
        return None
    return next_working(person, at)
