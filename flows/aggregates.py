"""Anonymous aggregate outcomes for workspace admins (DESIGN.md §3: counts only, small groups hidden).

`aggregate(mediations, now=...)` turns mediations into an `Aggregates` report, per flow:

- **outcomes**: how many mediations ended in each outcome, with open ones under "open", and the flow's
  total; plus one line over all flows;
- **stage_days**: the median number of days a mediation spent in each stage (from its `history`: from
  entering a stage to entering the next; the current stage of an open mediation counts up to `now`;
  time in a stage entered more than once is added up per mediation);
- **alliance**: the average check-in score per item (by position: item 1, item 2, …) and of each party's
  total, over the parties who checked in;
- **rounds**: the median and mean number of rounds of the reflection loops that ended confirmed, and the
  share of loops that ended "not yet" (a facilitator moving on from a loop ends it so too) among those
  that ended either way (skipped loops had no rounds and are left out).

`aggregate_counted(counters, runs, now=...)` gives the same report from what the store keeps as
mediations change (so that it never reads them all): the sum of each mediation's `tally` (counters:
outcomes, stage durations in `duration_bucket`s, check-in and round histograms) and the `Running`
stage of each open one. The hiding rules below are applied the same way to both.

Only stages, timings, outcomes, scores and round counts are read. No topic, answer, reflection,
correction, agreement item or user id is read, and none can appear in the report.

Every number is a `Cell` with `n`, the number of mediations it is computed from (for a count, the count
itself). The hiding rules:

1. **Small groups.** A cell computed from fewer than `min_group` mediations is hidden (`hidden=True`,
   `value=None`, `n=None`: for a count, `n` *is* the value). Zero counts are hidden like any other small
   count, so "none" and "a few" look alike, and every flow lists every outcome and stage type in a fixed
   order, so the shape of the report says nothing either.
2. **Complementary suppression.** The outcome counts form a table with published sums: each flow's
   cells add up to the flow's total, each outcome's cells over the flows add up to its all-flows total,
   and the totals add up to the grand total. Each such sum is a *line*. A line with exactly one hidden
   member would give that member away by subtraction, so another member is hidden too
   (`complementary=True`), repeatedly until no line has exactly one hidden member. The member chosen:
   an all-flows total if the line has a visible one (they are published nowhere else, and this keeps each
   flow's own counts), else the smallest visible count of the line (the first in report order on a
   tie). A flow's own total is never chosen while another member can be (its size is also told by the
   `n` of the flow's other sections); should it ever be hidden, all of that flow's cells are.
3. **Check-in total.** The average total is the sum of the item averages when every party answered every
   item, so it is hidden whenever an item of the same flow is.

Limits: medians and averages of different flows are never combined, so they give no sums to subtract;
but the `n` of different sections count different things (mediations that reached a stage, that checked
in, …) and an admin who already knows most of the facts may narrow a hidden count down from them. Run
twice over time, the report changes by whatever happened in between; keep the groups large.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from flows.models import LoopStatus, Mediation, Outcome, Stage, StageEntry

MIN_GROUP = 5
"""Cells computed from fewer mediations than this are hidden (DESIGN.md §3)."""

OPEN = "open"
"""The outcome key under which open mediations are counted."""

OUTCOME_KEYS: tuple[str, ...] = (OPEN, *(o.value for o in Outcome))
"""The outcome columns of every outcome line, in report order."""

STAGE_KEYS: tuple[str, ...] = tuple(s.value for s in Stage if s is not Stage.CLOSED)
"""The stage types of every `stage_days` mapping, in flow order."""

_SECONDS_PER_DAY = 86_400


class Section(StrEnum):
    """The parts of the report, in the order `Aggregates.rows()` gives them."""

    OUTCOMES = "outcomes"
    STAGE_DAYS = "stage_days"
    ALLIANCE = "alliance"
    ROUNDS = "rounds"


class Cell(BaseModel):
    """One number of the report and how many mediations it is computed from.

    Hidden cells carry neither: `value` and `n` are None and `hidden` is True. `complementary` tells that
    the cell was hidden although its own group is large enough, so that a small one cannot be worked out.
    """

    model_config = ConfigDict(frozen=True)

    n: int | None
    value: int | float | None
    hidden: bool = False
    complementary: bool = False


class OutcomeLine(BaseModel):
    """Counts by outcome (keys: `OUTCOME_KEYS`, open mediations under "open") and their total."""

    model_config = ConfigDict(frozen=True)

    counts: dict[str, Cell]
    total: Cell


class AllianceAverages(BaseModel):
    """Average check-in scores over the parties who checked in: per item (0-10) and of their totals."""

    model_config = ConfigDict(frozen=True)

    items: tuple[Cell, ...]
    total: Cell


class ReflectionRounds(BaseModel):
    """Rounds of the loops that ended confirmed, and the share of ended loops that ended "not yet"."""

    model_config = ConfigDict(frozen=True)

    median: Cell
    mean: Cell
    not_yet_share: Cell


class FlowAggregates(BaseModel):
    """The report for one flow."""

    model_config = ConfigDict(frozen=True)

    flow: str
    outcomes: OutcomeLine
    stage_days: dict[str, Cell]
    alliance: AllianceAverages
    rounds: ReflectionRounds


class Row(BaseModel):
    """One display-ready line of the report: what it is, the text to show, and its `n` (None if hidden).

    `flow` is None on the all-flows outcome line. `section` and `key` name the number for a caller with
    its own wording (`key` is an outcome or stage key, `item1`…, `total`, `median`, `mean`, `not_yet`).
    """

    model_config = ConfigDict(frozen=True)

    section: Section
    flow: str | None
    key: str
    label: str
    text: str
    n: int | None
    hidden: bool


OUTCOME_LABELS: dict[str, str] = {
    OPEN: "Open",
    Outcome.AGREED.value: "Agreed",
    Outcome.PARTLY_AGREED.value: "Partly agreed",
    Outcome.NO_AGREEMENT.value: "No agreement",
    Outcome.DECLINED.value: "Declined",
    Outcome.EXPIRED.value: "Expired",
    Outcome.CANCELLED.value: "Cancelled",
    Outcome.ESCALATED.value: "Escalated",
}

STAGE_LABELS: dict[str, str] = {
    Stage.INVITATION.value: "Invitation",
    Stage.GROUND_RULES.value: "Ground rules",
    Stage.INTAKE.value: "Private intake",
    Stage.REFLECTION.value: "Reflective listening",
    Stage.ALLIANCE.value: "Check-in",
    Stage.JOINT.value: "Joint discussion",
}


class Aggregates(BaseModel):
    """The anonymous report: one entry per flow (sorted by flow id) and the all-flows outcome line.

    `enough_closed` tells whether at least `min_group` mediations have closed (over all flows); until
    then an admin is shown no figure at all. How many have closed is not kept: below `min_group` it is
    a small count like any other, and told over time it would date a mediation the admin knows of.
    """

    model_config = ConfigDict(frozen=True)

    as_of: datetime
    min_group: int
    enough_closed: bool
    flows: dict[str, FlowAggregates]
    all_flows: OutcomeLine

    def rows(self) -> list[Row]:
        """Display-ready rows: the all-flows outcomes first, then each flow's sections in order."""
        rows = self._outcome_rows(None, self.all_flows)
        for flow in self.flows.values():
            rows += self._outcome_rows(flow.flow, flow.outcomes)
            for key, cell in flow.stage_days.items():
                label = f"{STAGE_LABELS[key]}: median days"
                rows.append(self._row(Section.STAGE_DAYS, flow.flow, key, label, cell, _days))
            for index, cell in enumerate(flow.alliance.items, start=1):
                label = f"Check-in item {index}: average"
                rows.append(self._row(Section.ALLIANCE, flow.flow, f"item{index}", label, cell, _out_of_10))
            label = "Check-in total: average"
            rows.append(self._row(Section.ALLIANCE, flow.flow, "total", label, flow.alliance.total, _one))
            rounds = flow.rounds
            for key, label, cell, fmt in (
                ("median", "Rounds to confirmation: median", rounds.median, _one),
                ("mean", "Rounds to confirmation: mean", rounds.mean, _one),
                ("not_yet", "Loops ended not yet", rounds.not_yet_share, _percent),
            ):
                rows.append(self._row(Section.ROUNDS, flow.flow, key, label, cell, fmt))
        return rows

    def _outcome_rows(self, flow: str | None, line: OutcomeLine) -> list[Row]:
        rows = [
            self._row(Section.OUTCOMES, flow, key, OUTCOME_LABELS[key], cell, _count)
            for key, cell in line.counts.items()
        ]
        rows.append(self._row(Section.OUTCOMES, flow, "total", "Total", line.total, _count))
        return rows

    def _row(
        self,
        section: Section,
        flow: str | None,
        key: str,
        label: str,
        cell: Cell,
        fmt: Callable[[float], str],
    ) -> Row:
        if cell.value is None:
            text = "hidden (protects a small group)" if cell.complementary else f"fewer than {self.min_group}"
        else:
            text = fmt(cell.value)
        return Row(section=section, flow=flow, key=key, label=label, text=text, n=cell.n, hidden=cell.hidden)


def _count(value: float) -> str:
    return str(int(value))


def _days(value: float) -> str:
    return f"{value:.1f} days"


def _out_of_10(value: float) -> str:
    return f"{value:.1f} / 10"


def _one(value: float) -> str:
    return f"{value:.1f}"


def _percent(value: float) -> str:
    return f"{value:.0%}"


# --- collecting ------------------------------------------------------------------------------------


class Contribution(BaseModel):
    """What one mediation gives the report, and nothing else: its flow, outcome (or "open"), the time
    it spent in each stage it left (microseconds by stage key), the stage whose time still runs (open
    ones), each party's check-in scores and each reflection loop's status and number of rounds. No text,
    no user id. The store folds it into counters (`tally`) and, for an open one, keeps its `running`
    stage."""

    model_config = ConfigDict(frozen=True)

    flow: str
    outcome: str
    stage_us: dict[str, int] = {}
    current: str | None = None
    since: datetime | None = None
    check_ins: list[list[int]] = []
    loops: list[tuple[str, int]] = []

    def time_per_stage(self, now: datetime) -> dict[str, timedelta]:
        """Time spent in each stage, the running one counted up to `now`."""
        spent = {key: timedelta(microseconds=us) for key, us in self.stage_us.items()}
        if self.current is not None and self.since is not None:
            spent[self.current] = spent.get(self.current, timedelta()) + max(now - self.since, timedelta())
        return spent


def contribution(m: Mediation) -> Contribution:
    """What this mediation gives the report (see `Contribution`)."""
    history = list(m.history)
    if not history and m.is_open:
        history = [StageEntry(stage=m.stage, at=m.created_at)]
    spent: dict[str, timedelta] = {}
    current: str | None = None
    since: datetime | None = None
    for index, entry in enumerate(history):
        if entry.stage is Stage.CLOSED:
            continue
        if index + 1 < len(history):
            until = history[index + 1].at
        elif m.is_open:
            current, since = entry.stage.value, entry.at
            continue
        else:
            continue  # a closed mediation whose history lacks the closing entry: no end to measure to
        spent[entry.stage.value] = spent.get(entry.stage.value, timedelta()) + max(
            until - entry.at, timedelta()
        )
    return Contribution(
        flow=m.flow,
        outcome=m.outcome.value if m.outcome is not None and not m.is_open else OPEN,
        stage_us={key: value // timedelta(microseconds=1) for key, value in spent.items()},
        current=current,
        since=since,
        check_ins=[list(p.check_in) for p in m.parties if p.check_in],
        loops=[(lp.status.value, len(lp.rounds)) for lp in m.loops],
    )


# Counters of every mediation. Every field is "kind|flow|…" and counts mediations, parties or loops;
# stage durations go into minute buckets that widen with length (1 min below a day, 10 min below ten
# days, an hour beyond), so a workspace's counters stay small however many mediations close.
_SEP = "|"


def duration_bucket(spent: timedelta) -> int:
    """The bucket (in minutes) a time spent in a stage is counted under."""
    minutes = (spent + timedelta(seconds=30)) // timedelta(minutes=1)
    step = 1 if minutes < 1440 else 10 if minutes < 14_400 else 60
    return (minutes + step // 2) // step * step


@dataclass(frozen=True, slots=True)
class Running:
    """The stage an open mediation is in, whose time runs on: its flow and stage, when it entered it
    (microseconds since the epoch) and the time it spent there before (a stage entered again). A plain
    dataclass: the report reads one per open mediation."""

    flow: str
    stage: str
    since_us: int
    prior_us: int = 0

    def encode(self) -> str:
        """A short text form: flow|stage|since|prior."""
        return _SEP.join((self.flow, self.stage, str(self.since_us), str(self.prior_us)))

    @classmethod
    def decode(cls, text: str) -> Running:
        """Read `encode`'s text (raises ValueError on anything else)."""
        flow, stage, since, prior = text.split(_SEP)
        return cls(flow, stage, int(since), int(prior))

    def spent(self, now: datetime) -> timedelta:
        """Time in the stage up to `now`."""
        since = _EPOCH + timedelta(microseconds=self.since_us)
        return timedelta(microseconds=self.prior_us) + max(now - since, timedelta())


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def running(k: Contribution) -> Running | None:
    """The running stage of an open mediation's contribution (None when closed)."""
    if k.current is None or k.since is None:
        return None
    since_us = (k.since - _EPOCH) // timedelta(microseconds=1)
    return Running(k.flow, k.current, since_us, k.stage_us.get(k.current, 0))


def tally(k: Contribution) -> dict[str, int]:
    """The counters one mediation adds: everything it gives the report but the time of the stage an
    open one is in (see `running`)."""
    f = k.flow
    counts: Counter[str] = Counter()
    counts[_SEP.join(("o", f, k.outcome))] += 1
    for stage, us in k.stage_us.items():
        if stage != k.current:
            counts[_SEP.join(("d", f, stage, str(duration_bucket(timedelta(microseconds=us)))))] += 1
    check_ins = [scores for scores in k.check_ins if scores]
    if check_ins:
        counts[_SEP.join(("c", f))] += 1
        answered: set[int] = set()
        for scores in check_ins:
            counts[_SEP.join(("t", f, str(sum(scores))))] += 1
            for index, score in enumerate(scores):
                counts[_SEP.join(("s", f, str(index), str(score)))] += 1
                answered.add(index)
        for index in answered:
            counts[_SEP.join(("m", f, str(index)))] += 1
    confirmed = [rounds for status, rounds in k.loops if status == LoopStatus.CONFIRMED.value]
    not_yet = sum(status == LoopStatus.NOT_YET.value for status, _ in k.loops)
    for rounds in confirmed:
        counts[_SEP.join(("r", f, str(rounds)))] += 1
    for kind, value in (
        ("ri", int(bool(confirmed))),
        ("el", len(confirmed) + not_yet),
        ("ny", not_yet),
        ("ei", int(bool(confirmed) or bool(not_yet))),
    ):
        if value:
            counts[_SEP.join((kind, f))] += value
    return dict(counts)


def tally_delta(before: Contribution | None, after: Contribution | None) -> dict[str, int]:
    """How the counters change when a mediation goes from `before` to `after` (None: not stored)."""
    delta: Counter[str] = Counter()
    if after is not None:
        delta.update(tally(after))
    if before is not None:
        delta.subtract(tally(before))
    return {field: n for field, n in delta.items() if n}


@dataclass
class _Stat:
    """A number before hiding: its value (None when there is nothing to compute) and its `n`."""

    n: int
    value: int | float | None


@dataclass
class _FlowData:
    """What one flow's mediations contribute, before any statistic is taken."""

    outcomes: Counter[str] = field(default_factory=Counter)
    stage_days: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    item_scores: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    item_mediations: Counter[int] = field(default_factory=Counter)
    party_totals: list[int] = field(default_factory=list)
    checked_in: int = 0
    confirmed_rounds: list[int] = field(default_factory=list)
    confirmed_in: int = 0
    ended_loops: int = 0
    not_yet_loops: int = 0
    ended_in: int = 0

    def add(self, k: Contribution, now: datetime) -> None:
        """Add one mediation: its outcome, time per stage, check-ins and reflection rounds."""
        self.outcomes[k.outcome] += 1
        for stage, spent in k.time_per_stage(now).items():
            self.stage_days[stage].append(spent.total_seconds() / _SECONDS_PER_DAY)

        check_ins = [scores for scores in k.check_ins if scores]
        if check_ins:
            self.checked_in += 1
            answered: set[int] = set()
            for scores in check_ins:
                self.party_totals.append(sum(scores))
                for index, score in enumerate(scores):
                    self.item_scores[index].append(score)
                    answered.add(index)
            self.item_mediations.update(answered)

        confirmed = [rounds for status, rounds in k.loops if status == LoopStatus.CONFIRMED.value]
        not_yet = sum(status == LoopStatus.NOT_YET.value for status, _ in k.loops)
        self.confirmed_rounds += confirmed
        self.confirmed_in += bool(confirmed)
        self.ended_loops += len(confirmed) + not_yet
        self.not_yet_loops += not_yet
        self.ended_in += bool(confirmed) or bool(not_yet)

    def add_counter(self, kind: str, parts: list[str], n: int) -> None:
        """Add one counter of closed mediations (a field of `tally`, without its kind and flow)."""
        if kind == "o":
            self.outcomes[parts[0]] += n
        elif kind == "d":
            self.stage_days[parts[0]] += [int(parts[1]) * 60 / _SECONDS_PER_DAY] * n
        elif kind == "s":
            self.item_scores[int(parts[0])] += [int(parts[1])] * n
        elif kind == "m":
            self.item_mediations[int(parts[0])] += n
        elif kind == "t":
            self.party_totals += [int(parts[0])] * n
        elif kind == "c":
            self.checked_in += n
        elif kind == "r":
            self.confirmed_rounds += [int(parts[0])] * n
        elif kind == "ri":
            self.confirmed_in += n
        elif kind == "el":
            self.ended_loops += n
        elif kind == "ny":
            self.not_yet_loops += n
        elif kind == "ei":
            self.ended_in += n


def _round(value: float, places: int = 2) -> float:
    return round(value, places)


def _median(values: list[float] | list[int], n: int) -> _Stat:
    return _Stat(n, _round(statistics.median(values)) if values else None)


def _mean(values: list[int], n: int) -> _Stat:
    return _Stat(n, _round(sum(values) / len(values)) if values else None)


# --- hiding ----------------------------------------------------------------------------------------

_Key = tuple[str, ...]


def _suppress(
    values: dict[_Key, int], lines: list[list[_Key]], tier: Callable[[_Key], int], min_group: int
) -> tuple[set[_Key], set[_Key]]:
    """Primary and complementary suppression over additive lines: (hidden as small, hidden as complement).

    `values` is in report order (used to break ties); `tier` ranks the members a complement may be taken
    from (lower first; ties by smallest value, then report order).
    """
    order = {key: index for index, key in enumerate(values)}
    small = {key for key, value in values.items() if value < min_group}
    hidden = set(small)
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(key in hidden for key in line) != 1:
                continue
            visible = [key for key in line if key not in hidden]
            if not visible:  # a one-member line: nothing to subtract from
                continue
            pick = min(visible, key=lambda key: (tier(key), values[key], order[key]))
            hidden.add(pick)
            changed = True
    return small, hidden - small


def _cell(stat: _Stat, min_group: int, *, complement: bool = False) -> Cell:
    """A cell from a number: hidden when its group is small (or when told to, as a complement)."""
    if stat.n < min_group or stat.value is None:
        return Cell(n=None, value=None, hidden=True)
    if complement:
        return Cell(n=None, value=None, hidden=True, complementary=True)
    return Cell(n=stat.n, value=stat.value)


# --- the report ------------------------------------------------------------------------------------


def aggregate(
    mediations: Iterable[Mediation],
    *,
    now: datetime,
    min_group: int = MIN_GROUP,
    flows: Iterable[str] = (),
) -> Aggregates:
    """The anonymous report over these mediations as of `now` (see the module docstring for the rules).

    `flows` names flows to list even when no mediation used them (every enabled flow, say), so that
    whether a flow was used at all is not told by its presence. The result does not depend on the order
    of the mediations.
    """
    if min_group < 1:
        raise ValueError("min_group must be at least 1")
    data: dict[str, _FlowData] = {flow: _FlowData() for flow in flows}
    for mediation in mediations:
        data.setdefault(mediation.flow, _FlowData()).add(contribution(mediation), now)
    return _report(data, now, min_group)


def aggregate_counted(
    counters: Mapping[str, int],
    runs: Iterable[Running],
    *,
    now: datetime,
    min_group: int = MIN_GROUP,
    flows: Iterable[str] = (),
) -> Aggregates:
    """The same report as `aggregate`, from the counters (the sum of every mediation's `tally`) and
    the running stage of each open one. Stage durations that ended count to their `duration_bucket`;
    everything else is exact."""
    if min_group < 1:
        raise ValueError("min_group must be at least 1")
    data: dict[str, _FlowData] = {flow: _FlowData() for flow in flows}
    for name, n in counters.items():
        kind, flow, *parts = name.split(_SEP)
        if n > 0:
            data.setdefault(flow, _FlowData()).add_counter(kind, parts, n)
    now_us = (now - _EPOCH) // timedelta(microseconds=1)
    for run in runs:  # one per open mediation: plain integer arithmetic, the same value as `spent`
        spent_us = run.prior_us + max(now_us - run.since_us, 0)
        data.setdefault(run.flow, _FlowData()).stage_days[run.stage].append(
            spent_us / 10**6 / _SECONDS_PER_DAY
        )
    return _report(data, now, min_group)


def _report(data: dict[str, _FlowData], now: datetime, min_group: int) -> Aggregates:
    """The report from each flow's collected data."""
    flow_ids = sorted(data)

    # The outcome table, its margins and its lines, in report order.
    values: dict[_Key, int] = {}
    for key in OUTCOME_KEYS:
        values["all", key] = sum(data[f].outcomes[key] for f in flow_ids)
    values["all", "total"] = sum(sum(data[f].outcomes.values()) for f in flow_ids)
    for f in flow_ids:
        for key in OUTCOME_KEYS:
            values["flow", f, key] = data[f].outcomes[key]
        values["flow", f, "total"] = sum(data[f].outcomes.values())
    lines: list[list[_Key]] = [[("flow", f, key) for key in (*OUTCOME_KEYS, "total")] for f in flow_ids]
    lines += [[*(("flow", f, key) for f in flow_ids), ("all", key)] for key in OUTCOME_KEYS]
    lines.append([("all", key) for key in (*OUTCOME_KEYS, "total")])
    lines.append([*(("flow", f, "total") for f in flow_ids), ("all", "total")])

    def tier(key: _Key) -> int:
        if key[0] == "all":
            return 0
        return 2 if key[-1] == "total" else 1

    _, complements = _suppress(values, lines, tier, min_group)

    def outcome_line(prefix: _Key) -> OutcomeLine:
        def cell(key: str) -> Cell:
            full = (*prefix, key)
            return _cell(_Stat(values[full], values[full]), min_group, complement=full in complements)

        return OutcomeLine(counts={key: cell(key) for key in OUTCOME_KEYS}, total=cell("total"))

    report = {
        f: _flow_report(
            f, data[f], outcome_line(("flow", f)), min_group, hide_all=("flow", f, "total") in complements
        )
        for f in flow_ids
    }
    closed_count = sum(values["all", key] for key in OUTCOME_KEYS if key != OPEN)
    return Aggregates(
        as_of=now,
        min_group=min_group,
        enough_closed=closed_count >= min_group,
        flows=report,
        all_flows=outcome_line(("all",)),
    )


def _flow_report(
    flow: str, d: _FlowData, outcomes: OutcomeLine, min_group: int, *, hide_all: bool
) -> FlowAggregates:
    """One flow's sections from its collected data, its outcome line already hidden as needed."""

    def cell(stat: _Stat, *, complement: bool = False) -> Cell:
        return _cell(stat, min_group, complement=complement or hide_all)

    stage_days = {key: cell(_median(d.stage_days[key], len(d.stage_days[key]))) for key in STAGE_KEYS}
    items = tuple(
        cell(_mean(d.item_scores[index], d.item_mediations[index])) for index in range(len(d.item_scores))
    )
    total = cell(_mean(d.party_totals, d.checked_in), complement=any(item.hidden for item in items))
    not_yet = _Stat(d.ended_in, _round(d.not_yet_loops / d.ended_loops, 3) if d.ended_loops else None)
    rounds = ReflectionRounds(
        median=cell(_median(d.confirmed_rounds, d.confirmed_in)),
        mean=cell(_mean(d.confirmed_rounds, d.confirmed_in)),
        not_yet_share=cell(not_yet),
    )
    return FlowAggregates(
        flow=flow,
        outcomes=outcomes,
        stage_days=stage_days,
        alliance=AllianceAverages(items=items, total=total),
        rounds=rounds,
    )
