"""Aggregate outcomes for admins: exact counts, medians and averages, small groups hidden, nothing private.

Every mediation here is played through the real engine (`flows.engine.start` and `apply`) on a fixed
clock: a `Journey` says where a mediation ends and how many days it spends in each stage; `play` turns it
into commands, each stage's last command `days` after the stage was entered.
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flows import commands as c
from flows.aggregates import (
    OUTCOME_KEYS,
    STAGE_KEYS,
    Aggregates,
    Cell,
    Row,
    Section,
    aggregate,
)
from flows.definition import FlowDefinition, load_builtin
from flows.engine import apply, start
from flows.models import JointKind, LoopStatus, Mediation, Outcome, Share, Stage

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)  # every mediation starts here
NOW = T0 + timedelta(days=28)  # the report is made here
ALICE, BOB = "UALICE", "UBOB"
HIGH = (10, 9, 9, 10)
LOW = (10, 10, 10, 8)
SECRET = "secret"  # every private text below contains it

PEER = load_builtin("peer")


def flow_like_peer(flow_id: str, version: int = 1, **alliance: Any) -> FlowDefinition:
    """The peer definition under another id (or version), its alliance stage changed as given."""
    data = PEER.model_dump(mode="json")
    data["id"], data["version"] = flow_id, version
    for stage in data["stages"]:
        if stage["type"] == "alliance":
            stage.update(alliance)
    return FlowDefinition.model_validate(data)


FACILITATED = flow_like_peer("facilitated")  # a second flow id for the tables (played like peer)


@dataclass(frozen=True)
class Journey:
    """How one mediation goes.

    `end`: a stage where it stays open ("invitation" … "joint", or "alliance_half": only Alice checked
    in), or how it closed: "declined", "expired", "cancelled" (in intake), "stopped" (after a low
    check-in) or "finished" (outcome from `items`: all accepted → agreed, some → partly, none → no
    agreement). `days`: days spent in invitation, ground rules, intake, reflection, alliance, joint.
    `partly`: "partly" answers before the confirmation, per direction (3 = the round limit: not yet).
    """

    end: str
    days: tuple[float, ...] = (1, 1, 1, 1, 1, 1)
    partly: tuple[int, int] = (0, 0)
    scores: tuple[tuple[int, ...], tuple[int, ...]] = (HIGH, HIGH)
    items: tuple[bool, ...] = (True,)
    flow: FlowDefinition = PEER


def play(journey: Journey, index: int = 0) -> Mediation:
    """Start a mediation at T0 and drive it through the engine along `journey`."""
    d = journey.flow
    private = f"{SECRET}-{index}"
    command = c.Start(actor=ALICE, respondent=BOB, topic=f"Topic {private}", hopes=f"Hopes {private}")
    m = start(command, d, T0, mediation_id=f"med-{private}", team="T1").mediation
    at = T0

    def stage(days: float, *commands: c.Command) -> None:
        """Run the commands on arrival, except the last: `days` later (that one leaves the stage)."""
        nonlocal m, at
        for position, cmd in enumerate(commands):
            if position == len(commands) - 1:
                at += timedelta(days=days)
            m = apply(m, cmd, d, at).mediation

    def answers(who: str) -> dict[str, str]:
        return {key: f"{who} {key} {private}" for key in ("happened", "feelings", "needs", "requests")}

    def loop(speaker: str, listener: str, partly: int) -> list[c.Command]:
        out: list[c.Command] = []
        for attempt in range(d.reflection().max_rounds):
            out.append(c.SubmitReflection(actor=listener, text=f"{listener} heard {attempt} {private}"))
            if attempt < partly:
                missing = f"{speaker} missing {attempt} {private}"
                out.append(c.AnswerReflection(actor=speaker, confirmed=False, missing=missing))
            else:
                out.append(c.AnswerReflection(actor=speaker, confirmed=True))
                break
        return out

    def check_in(actor: str, scores: tuple[int, ...]) -> list[c.Command]:
        params = d.alliance()
        assert params is not None
        out: list[c.Command] = [c.SubmitCheckIn(actor=actor, scores=list(scores))]
        if sum(scores) < params.low_total or min(scores) < params.low_item:
            out.append(c.ChooseRepair(actor=actor, choice=c.Repair.CONTINUE))
        return out

    j = journey
    if j.end == "invitation":
        return m
    if j.end in ("declined", "expired"):
        stage(j.days[0], c.Decline(actor=BOB) if j.end == "declined" else c.Expire())
        return m
    stage(j.days[0], c.Accept(actor=BOB))
    if j.end == "ground_rules":
        return m
    stage(j.days[1], c.AgreeGroundRules(actor=ALICE), c.AgreeGroundRules(actor=BOB))
    if j.end == "intake":
        return m
    if j.end == "cancelled":
        stage(j.days[2], c.Cancel(actor=ALICE))
        return m
    shares = dict.fromkeys(("happened", "feelings", "needs", "requests"), Share.ALL)
    stage(
        j.days[2],
        c.SaveIntake(actor=ALICE, answers=answers(ALICE)),
        c.ChooseSharing(actor=ALICE, shares=shares),
        c.SaveIntake(actor=BOB, answers=answers(BOB)),
        c.ChooseSharing(actor=BOB, shares=shares),
    )
    if j.end == "reflection":
        return m
    # sequential, initiator first: Bob reflects Alice, then Alice reflects Bob
    stage(j.days[3], *loop(ALICE, BOB, j.partly[0]), *loop(BOB, ALICE, j.partly[1]))
    if j.end == "alliance":
        return m
    if j.end == "alliance_half":
        stage(0, *check_in(ALICE, j.scores[0]))
        return m
    if j.end == "stopped":
        stage(
            j.days[4],
            c.SubmitCheckIn(actor=ALICE, scores=list(LOW)),
            c.ChooseRepair(actor=ALICE, choice=c.Repair.STOP),
        )
        return m
    stage(j.days[4], *check_in(ALICE, j.scores[0]), *check_in(BOB, j.scores[1]))
    assert m.stage is Stage.JOINT
    opened: list[c.Command] = [c.JointSpaceOpened(channel_id="GJOINT", kind=JointKind.GROUP_DM)]
    for number, accepted in enumerate(j.items, start=1):
        opened.append(c.ProposeItem(actor=ALICE, who=f"Bob {private}", what=f"Item {number} {private}"))
        if accepted:
            opened.append(c.AcceptItem(actor=BOB, item_id=f"i{number}"))
    if j.end == "joint":
        stage(0, *opened)
        return m
    assert j.end == "finished", j.end
    outcome = Outcome.AGREED if j.items and all(j.items) else Outcome.NO_AGREEMENT
    if any(j.items) and not all(j.items):
        outcome = Outcome.PARTLY_AGREED
    finish = c.AnswerFinish(actor=ALICE, proposal_id="f1", confirmed=True)
    stage(j.days[5], *opened, c.ProposeFinish(actor=BOB, outcome=outcome), finish)
    return m


def group(*parts: tuple[int, Journey]) -> list[Journey]:
    """Journeys repeated: group((2, a), (1, b)) == [a, a, b]."""
    return [journey for count, journey in parts for _ in range(count)]


def played(journeys: Sequence[Journey]) -> list[Mediation]:
    return [play(journey, index) for index, journey in enumerate(journeys)]


AGREED = Journey("finished")
PARTLY = Journey("finished", items=(True, False))
NO_AGREEMENT = Journey("finished", items=())
DECLINED = Journey("declined")
EXPIRED = Journey("expired", days=(7,))
CANCELLED = Journey("cancelled")
STOPPED = Journey("stopped")
OPEN_INTAKE = Journey("intake")


def shown(cell: Cell) -> int | float | str:
    """A cell as a table entry: its value, "hidden" (small group) or "complement"."""
    if cell.complementary:
        assert cell.hidden and cell.value is None and cell.n is None
        return "complement"
    if cell.hidden:
        assert cell.value is None and cell.n is None
        return "hidden"
    assert cell.value is not None
    return cell.value


def counts(agg: Aggregates, flow: str | None) -> dict[str, int | float | str]:
    """The outcome line of a flow (None: all flows) as {key: entry}, the total under "total"."""
    line = agg.all_flows if flow is None else agg.flows[flow].outcomes
    return {**{key: shown(cell) for key, cell in line.counts.items()}, "total": shown(line.total)}


def line_of(**entries: int | str) -> dict[str, int | float | str]:
    """An expected outcome line: the entries given, every other outcome hidden."""
    return {**dict.fromkeys(OUTCOME_KEYS, "hidden"), **entries}


def assert_no_lone_hidden(agg: Aggregates) -> None:
    """No published sum of counts has exactly one hidden member (nothing recoverable by subtraction)."""
    flows = list(agg.flows.values())
    lines: list[list[Cell]] = [[*f.outcomes.counts.values(), f.outcomes.total] for f in flows]
    lines += [[*(f.outcomes.counts[key] for f in flows), agg.all_flows.counts[key]] for key in OUTCOME_KEYS]
    lines.append([*agg.all_flows.counts.values(), agg.all_flows.total])
    lines.append([*(f.outcomes.total for f in flows), agg.all_flows.total])
    for line in lines:
        if len(line) < 2:  # no flows: a total alone is no sum
            continue
        assert sum(cell.hidden for cell in line) != 1, line
        if not any(cell.hidden for cell in line):
            assert sum(cell.value or 0 for cell in line[:-1]) == line[-1].value


# --- counts by outcome and flow ---------------------------------------------------------------------


@dataclass(frozen=True)
class CountCase:
    id: str
    journeys: list[Journey]
    expect: dict[str | None, dict[str, int | float | str]]  # flow (None: all flows) -> outcome line
    min_group: int = 5


COUNT_CASES = [
    CountCase("five agreed are shown", group((5, AGREED)), {"peer": line_of(agreed=5, total=5)}),
    CountCase("four agreed are hidden, the total too", group((4, AGREED)), {"peer": line_of(total="hidden")}),
    CountCase(
        "open mediations count under open, whatever their stage",
        [Journey(s) for s in ("invitation", "ground_rules", "intake", "reflection", "alliance", "joint")],
        {"peer": line_of(open=6, total=6), None: line_of(open=6, total=6)},
    ),
    CountCase(
        "every way of closing",
        group(
            (5, AGREED),
            (6, PARTLY),
            (7, NO_AGREEMENT),
            (5, DECLINED),
            (5, EXPIRED),
            (3, CANCELLED),
            (2, STOPPED),
        ),
        {
            "peer": line_of(
                agreed=5, partly_agreed=6, no_agreement=7, declined=5, expired=5, cancelled=5, total=33
            )
        },
    ),
    CountCase(
        "two small outcomes hide each other and need no complement",
        group((9, AGREED), (2, DECLINED), (1, OPEN_INTAKE)),
        {"peer": line_of(agreed=9, total=12), None: line_of(agreed=9, total=12)},
    ),
    CountCase(
        # escalated (none) is the only small cell: the smallest other (declined, 2) is hidden with it
        "complementary suppression in a flow's line",
        group(
            (3, OPEN_INTAKE),
            (5, AGREED),
            (4, PARTLY),
            (3, NO_AGREEMENT),
            (2, DECLINED),
            (6, EXPIRED),
            (3, CANCELLED),
        ),
        {
            flow: {
                "open": 3,
                "agreed": 5,
                "partly_agreed": 4,
                "no_agreement": 3,
                "declined": "complement",
                "expired": 6,
                "cancelled": 3,
                "escalated": "hidden",
                "total": 26,
            }
            for flow in ("peer", None)
        },
        min_group=2,
    ),
    CountCase(
        "on a tie the complement is the first in report order",
        group(
            (6, OPEN_INTAKE),
            (7, AGREED),
            (5, PARTLY),
            (6, NO_AGREEMENT),
            (5, DECLINED),
            (8, EXPIRED),
            (9, CANCELLED),
        ),
        {
            flow: {
                "open": 6,
                "agreed": 7,
                "partly_agreed": "complement",
                "no_agreement": 6,
                "declined": 5,
                "expired": 8,
                "cancelled": 9,
                "escalated": "hidden",
                "total": 46,
            }
            for flow in ("peer", None)
        },
    ),
    CountCase(
        # facilitated's 3 agreed would be 10 - 7: the all-flows totals are hidden instead of peer's cells
        "a small flow hides the all-flows totals that would give it away",
        [*group((7, AGREED)), *group((3, Journey("finished", flow=FACILITATED)))],
        {
            "peer": line_of(agreed=7, total=7),
            "facilitated": line_of(total="hidden"),
            None: line_of(agreed="complement", total="complement"),
        },
    ),
    CountCase(
        "two flows large enough add up",
        [*group((5, AGREED), (6, DECLINED)), *group((8, Journey("finished", flow=FACILITATED)))],
        {
            "peer": line_of(agreed=5, declined=6, total=11),
            "facilitated": line_of(agreed=8, total=8),
            # facilitated's declined (none) is hidden, so the all-flows 6 would tell it: hidden too
            None: line_of(agreed=13, declined="complement", total=19),
        },
    ),
]


@pytest.mark.parametrize("case", COUNT_CASES, ids=[case.id for case in COUNT_CASES])
def test_counts_by_outcome_and_flow(case: CountCase) -> None:
    agg = aggregate(played(case.journeys), now=NOW, min_group=case.min_group)
    assert {flow: counts(agg, flow) for flow in case.expect} == case.expect
    assert list(agg.flows) == sorted({j.flow.id for j in case.journeys})
    assert_no_lone_hidden(agg)


@pytest.mark.parametrize(("size", "visible"), [(4, False), (5, True), (6, True)])
def test_a_count_is_shown_from_five_mediations(size: int, visible: bool) -> None:
    agg = aggregate(played(group((size, AGREED))), now=NOW)
    cell = agg.flows["peer"].outcomes.counts["agreed"]
    expected = Cell(n=size, value=size) if visible else Cell(n=None, value=None, hidden=True)
    assert cell == expected


@pytest.mark.parametrize(("min_group", "visible"), [(3, True), (4, True), (5, False)])
def test_min_group_is_the_threshold(min_group: int, visible: bool) -> None:
    agg = aggregate(played(group((4, DECLINED))), now=NOW, min_group=min_group)
    assert (agg.flows["peer"].outcomes.counts["declined"].value == 4) is visible


def test_min_group_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="min_group"):
        aggregate([], now=NOW, min_group=0)


# --- median days per stage --------------------------------------------------------------------------


def finished(*days: float) -> Journey:
    return Journey("finished", days=days)


@dataclass(frozen=True)
class StageCase:
    id: str
    journeys: list[Journey]
    expect: Mapping[str, float | str]  # stage -> median days or "hidden"


STAGE_CASES = [
    StageCase(
        "medians of finished mediations",
        [
            finished(1, 0.5, 2, 1, 0.25, 3),
            finished(2, 0.5, 3, 2, 0.25, 4),
            finished(3, 1.5, 4, 3, 0.25, 5),
            finished(4, 0.5, 5, 4, 0.75, 6),
            finished(5, 2.5, 6, 5, 1.25, 7),
        ],
        {
            "invitation": 3,
            "ground_rules": 0.5,
            "intake": 4,
            "reflection": 3,
            "alliance": 0.25,
            "joint": 5,
        },
    ),
    StageCase(
        "an even number of mediations: the mean of the middle two",
        [finished(d, 1, 1, 1, 1, 1) for d in (1, 2, 3, 4, 5, 6)],
        {stage: 1 for stage in STAGE_KEYS} | {"invitation": 3.5},
    ),
    StageCase(
        # intake was entered at T0 + invitation + 1 day, and is measured up to NOW (T0 + 28 days)
        "the current stage of an open mediation counts up to now",
        [Journey("intake", days=(d, 1)) for d in (1, 2, 3, 4, 5)],
        {"invitation": 3, "ground_rules": 1, "intake": 24} | dict.fromkeys(STAGE_KEYS[3:], "hidden"),
    ),
    StageCase(
        "closed mediations count the stages they went through",
        [*group((3, Journey("declined", days=(2,)))), *group((2, Journey("expired", days=(7,))))],
        {"invitation": 2} | dict.fromkeys(STAGE_KEYS[1:], "hidden"),
    ),
    StageCase(
        "four mediations in a stage are hidden, five are shown",
        [*group((4, finished(1, 1, 1, 1, 1, 2))), Journey("alliance", days=(1, 1, 1, 1))],
        {"invitation": 1, "ground_rules": 1, "intake": 1, "reflection": 1, "alliance": 1, "joint": "hidden"},
    ),
]


@pytest.mark.parametrize("case", STAGE_CASES, ids=[case.id for case in STAGE_CASES])
def test_median_days_per_stage(case: StageCase) -> None:
    agg = aggregate(played(case.journeys), now=NOW)
    stage_days = agg.flows["peer"].stage_days
    assert list(stage_days) == list(STAGE_KEYS)
    assert {stage: shown(cell) for stage, cell in stage_days.items()} == case.expect


def test_a_stage_cell_counts_the_mediations_that_entered_it() -> None:
    journeys = [*group((5, finished(1, 1, 1, 1, 1, 1))), *group((2, DECLINED)), Journey("joint")]
    stage_days = aggregate(played(journeys), now=NOW).flows["peer"].stage_days
    assert {stage: cell.n for stage, cell in stage_days.items()} == {
        "invitation": 8,
        "ground_rules": 6,
        "intake": 6,
        "reflection": 6,
        "alliance": 6,
        "joint": 6,
    }


# --- alliance check-in averages ---------------------------------------------------------------------


@dataclass(frozen=True)
class AllianceCase:
    id: str
    journeys: list[Journey]
    items: list[float | str]
    total: float | str
    n: int | None


ALLIANCE_CASES = [
    AllianceCase(
        "every party checked in",
        [
            Journey("finished", scores=((10, 9, 9, 10), (9, 9, 10, 10))),
            Journey("finished", scores=((10, 10, 10, 10), (9, 9, 9, 9))),
            Journey("finished", scores=((9, 9, 9, 9), (10, 9, 9, 10))),
            Journey("joint", scores=((10, 10, 9, 9), (9, 10, 10, 9))),
            Journey("stopped"),  # Alice's low check-in: (10, 10, 10, 8)
        ],
        # item 1: (10+9+10+9+9+10+10+9+10)/9 = 86/9; totals 38,38,40,36,36,38,38,38,38 → 340/9
        [9.56, 9.44, 9.44, 9.33],
        37.78,
        5,
    ),
    AllianceCase(
        "only the parties who checked in count, low check-ins included",
        [
            *group((4, Journey("finished", scores=(LOW, (5, 5, 5, 5))))),
            Journey("alliance_half", scores=((0, 0, 0, 0), HIGH)),
        ],
        # item 1: (4*10 + 4*5 + 0)/9; totals: 4*38 + 4*20 + 0 = 232/9
        [6.67, 6.67, 6.67, 5.78],
        25.78,
        5,
    ),
    AllianceCase(
        "four mediations are hidden",
        group((4, Journey("finished"))),
        ["hidden"] * 4,
        "hidden",
        None,
    ),
    AllianceCase(
        "mediations without a check-in do not count",
        [*group((4, Journey("finished"))), *group((3, Journey("alliance"))), *group((5, DECLINED))],
        ["hidden"] * 4,
        "hidden",
        None,
    ),
    AllianceCase("no check-in at all: no items", group((5, DECLINED)), [], "hidden", None),
]


@pytest.mark.parametrize("case", ALLIANCE_CASES, ids=[case.id for case in ALLIANCE_CASES])
def test_alliance_check_in_averages(case: AllianceCase) -> None:
    alliance = aggregate(played(case.journeys), now=NOW).flows["peer"].alliance
    assert [shown(cell) for cell in alliance.items] == case.items
    assert shown(alliance.total) == case.total
    assert alliance.total.n == case.n


def test_the_total_is_hidden_when_an_item_is() -> None:
    """A newer definition with a fifth item, used by two mediations: item 5 (n=2) and the total hide."""
    alliance = PEER.alliance()
    assert alliance is not None
    five = flow_like_peer("peer", version=2, items=[*alliance.items, "I would do this again."])
    journeys = [
        *group((5, Journey("finished"))),
        *group((2, Journey("finished", flow=five, scores=((10,) * 5, (9,) * 5)))),
    ]
    averages = aggregate(played(journeys), now=NOW).flows["peer"].alliance
    assert [cell.n for cell in averages.items] == [7, 7, 7, 7, None]
    # item 4: ten parties said 10, two said 10 and two said 9 → 138/14
    assert [shown(cell) for cell in averages.items][3:] == [9.86, "hidden"]
    assert shown(averages.total) == "complement"


# --- reflection rounds to confirmation --------------------------------------------------------------


@dataclass(frozen=True)
class RoundsCase:
    id: str
    partly: list[tuple[int, int]]  # one finished mediation per entry
    median: float | str
    mean: float | str
    not_yet: float | str


ROUNDS_CASES = [
    RoundsCase(
        # confirmed loops' rounds: 1,1 2,1 3,2 (not yet),1 1,3 → 1 1 1 1 1 2 2 3 3
        "medians, means and the share of not yet",
        [(0, 0), (1, 0), (2, 1), (3, 0), (0, 2)],
        1,
        1.67,
        0.1,
    ),
    RoundsCase("every loop confirmed at once", [(0, 0)] * 5, 1, 1, 0),
    RoundsCase("an even number of loops", [(0, 1)] * 3 + [(1, 1)] * 2, 2, 1.7, 0),
    RoundsCase("four mediations are hidden", [(1, 1)] * 4, "hidden", "hidden", "hidden"),
    RoundsCase(
        "a mediation of two not-yet loops counts for the share only",
        [(0, 0)] * 4 + [(3, 3)],
        "hidden",
        "hidden",
        0.2,
    ),
]


@pytest.mark.parametrize("case", ROUNDS_CASES, ids=[case.id for case in ROUNDS_CASES])
def test_reflection_rounds_to_confirmation(case: RoundsCase) -> None:
    mediations = played([Journey("finished", partly=p) for p in case.partly])
    statuses = {lp.status for m in mediations for lp in m.loops}
    assert statuses <= {LoopStatus.CONFIRMED, LoopStatus.NOT_YET}
    rounds = aggregate(mediations, now=NOW).flows["peer"].rounds
    assert (shown(rounds.median), shown(rounds.mean), shown(rounds.not_yet_share)) == (
        case.median,
        case.mean,
        case.not_yet,
    )


def test_open_loops_are_not_counted() -> None:
    """Mediations still reflecting (or never reflecting) give no rounds."""
    journeys = [*group((4, Journey("finished"))), *group((3, Journey("reflection"))), *group((3, DECLINED))]
    rounds = aggregate(played(journeys), now=NOW).flows["peer"].rounds
    assert rounds.median.hidden and rounds.mean.hidden and rounds.not_yet_share.hidden


# --- empty input, open mediations, determinism ------------------------------------------------------


def test_no_mediations() -> None:
    agg = aggregate([], now=NOW)
    assert agg.flows == {}
    assert counts(agg, None) == line_of(total="hidden")
    rows = agg.rows()
    assert [(r.key, r.text, r.n) for r in rows] == [
        (k, "fewer than 5", None) for k in (*OUTCOME_KEYS, "total")
    ]
    assert_no_lone_hidden(agg)


def test_flows_without_mediations_are_listed_when_asked() -> None:
    agg = aggregate(played(group((5, AGREED))), now=NOW, flows=["prepare", "peer"])
    assert list(agg.flows) == ["peer", "prepare"]
    prepare = agg.flows["prepare"]
    assert counts(agg, "prepare") == line_of(total="hidden")
    assert all(cell.hidden for cell in prepare.stage_days.values())
    assert prepare.alliance.items == () and prepare.alliance.total.hidden
    # prepare's hidden zeros would be told by the all-flows line (5 - 5): its sums are hidden instead
    assert counts(agg, None) == line_of(agreed="complement", total="complement")
    assert_no_lone_hidden(agg)


def test_open_mediations_are_measured_up_to_now() -> None:
    journeys = group((5, Journey("invitation")))
    for days, expected in ((1, 1), (28, 28), (28.5, 28.5)):
        agg = aggregate(played(journeys), now=T0 + timedelta(days=days))
        assert shown(agg.flows["peer"].stage_days["invitation"]) == expected
        assert counts(agg, "peer") == line_of(open=5, total=5)


MIXED = group(
    (5, AGREED),
    (3, PARTLY),
    (6, DECLINED),
    (2, EXPIRED),
    (4, OPEN_INTAKE),
    (5, Journey("finished", partly=(1, 3), days=(2, 1, 3, 4, 1, 2))),
    (2, Journey("alliance_half")),
) + group((6, Journey("finished", flow=FACILITATED)), (1, Journey("joint", flow=FACILITATED)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_order_of_the_mediations_does_not_matter(seed: int) -> None:
    mediations = played(MIXED)
    expected = aggregate(mediations, now=NOW)
    shuffled = list(mediations)
    random.Random(seed).shuffle(shuffled)
    again = aggregate(iter(shuffled), now=NOW)
    assert again == expected
    assert again.model_dump_json() == expected.model_dump_json()
    assert again.rows() == expected.rows()
    assert_no_lone_hidden(again)


def test_mediations_are_left_unchanged() -> None:
    mediations = played(MIXED)
    before = [m.model_dump_json() for m in mediations]
    aggregate(mediations, now=NOW)
    assert [m.model_dump_json() for m in mediations] == before


# --- nothing private --------------------------------------------------------------------------------


def private_texts(m: Mediation) -> list[str]:
    """Every free text and identifier a mediation holds."""
    texts = [m.id, m.team, m.topic, m.hopes or "", m.facilitator or "", *m.user_ids]
    for party in m.parties:
        texts += [a.text for a in party.answers.values()] + [a.summary or "" for a in party.answers.values()]
    for loop in m.loops:
        texts += [r.reflection for r in loop.rounds] + [r.missing or "" for r in loop.rounds]
        texts.append(loop.moved_on or "")
    for item in m.agreement:
        texts += [item.who, item.what]
    return [t for t in texts if t]


def test_no_private_text_in_the_report() -> None:
    mediations = played(MIXED)
    texts = {t for m in mediations for t in private_texts(m)}
    assert len(texts) > 100  # topics, answers, reflections, corrections, items, ids
    agg = aggregate(mediations, now=NOW, min_group=1)
    dumped = agg.model_dump_json() + json.dumps([r.model_dump(mode="json") for r in agg.rows()])
    assert SECRET not in dumped.lower()
    assert [t for t in texts if t in dumped] == []


# --- display rows -----------------------------------------------------------------------------------


def test_rows_are_display_ready() -> None:
    journeys = [
        *group((5, Journey("finished", partly=(1, 0), days=(2, 1, 1, 1, 1, 1)))),
        *group((4, DECLINED)),
        *group((2, Journey("finished", flow=FACILITATED))),
    ]
    rows = aggregate(played(journeys), now=NOW).rows()
    peer = [r for r in rows if r.flow == "peer"]
    assert [(r.section, r.key) for r in rows if r.flow is None] == [
        (Section.OUTCOMES, k) for k in (*OUTCOME_KEYS, "total")
    ]
    assert [r.section for r in peer] == [Section.OUTCOMES] * 9 + [Section.STAGE_DAYS] * 6 + [
        Section.ALLIANCE
    ] * 5 + [Section.ROUNDS] * 3
    by_key = {(r.section, r.key): r for r in peer}
    assert by_key[Section.OUTCOMES, "agreed"] == Row(
        section=Section.OUTCOMES, flow="peer", key="agreed", label="Agreed", text="5", n=5, hidden=False
    )
    assert by_key[Section.OUTCOMES, "declined"] == Row(
        section=Section.OUTCOMES,
        flow="peer",
        key="declined",
        label="Declined",
        text="fewer than 5",
        n=None,
        hidden=True,
    )
    assert (by_key[Section.OUTCOMES, "total"].text, by_key[Section.OUTCOMES, "total"].n) == ("9", 9)
    assert [(r.label, r.text, r.n) for r in peer if r.section is not Section.OUTCOMES] == [
        ("Invitation: median days", "2.0 days", 9),
        ("Ground rules: median days", "1.0 days", 5),
        ("Private intake: median days", "1.0 days", 5),
        ("Reflective listening: median days", "1.0 days", 5),
        ("Check-in: median days", "1.0 days", 5),
        ("Joint discussion: median days", "1.0 days", 5),
        ("Check-in item 1: average", "10.0 / 10", 5),
        ("Check-in item 2: average", "9.0 / 10", 5),
        ("Check-in item 3: average", "9.0 / 10", 5),
        ("Check-in item 4: average", "10.0 / 10", 5),
        ("Check-in total: average", "38.0", 5),
        ("Rounds to confirmation: median", "1.5", 5),
        ("Rounds to confirmation: mean", "1.5", 5),
        ("Loops ended not yet", "0%", 5),
    ]
    complement = [(r.flow, r.key, r.text) for r in rows if r.text.startswith("hidden")]
    assert complement == [
        (None, "agreed", "hidden (protects a small group)"),
        (None, "total", "hidden (protects a small group)"),
    ]


@pytest.mark.parametrize(
    ("min_group", "text"), [(3, "fewer than 3"), (5, "fewer than 5"), (10, "fewer than 10")]
)
def test_the_hidden_text_names_the_threshold(min_group: int, text: str) -> None:
    rows = aggregate(played(group((2, AGREED))), now=NOW, min_group=min_group).rows()
    assert {r.text for r in rows if r.hidden} == {text}


def test_every_combination_of_small_outcomes_leaves_nothing_to_subtract() -> None:
    """A sweep over small tables of two flows: no published sum ever has exactly one hidden member."""
    kinds = [AGREED, DECLINED, OPEN_INTAKE]
    base = {kind.end: play(kind) for kind in kinds}
    other = {kind.end: play(Journey(kind.end, flow=FACILITATED)) for kind in kinds}
    for sizes in itertools.product((0, 2, 5, 7), repeat=4):
        a, b, x, y = sizes
        mediations = [base["finished"]] * a + [base["declined"]] * b + [other["finished"]] * x
        mediations += [other["intake"]] * y
        agg = aggregate(mediations, now=NOW, flows=["peer", "facilitated"])
        assert_no_lone_hidden(agg)
        assert counts(agg, "peer")["total"] == (a + b if a + b >= 5 else "hidden")


def test_outcome_keys_cover_every_outcome() -> None:
    assert tuple(OUTCOME_KEYS) == ("open", *(o.value for o in Outcome))


@pytest.mark.parametrize(
    ("journeys", "enough"),
    [
        ([], False),
        (group((4, AGREED), (20, OPEN_INTAKE)), False),  # open ones do not count
        (group((2, DECLINED), (2, EXPIRED)), False),
        (group((2, DECLINED), (3, Journey("finished", flow=FACILITATED))), True),  # over all flows
        (group((5, AGREED)), True),
        (group((9, CANCELLED)), True),
    ],
)
def test_figures_wait_until_enough_mediations_have_closed(journeys: list[Journey], enough: bool) -> None:
    agg = aggregate(played(journeys), now=NOW)
    assert agg.enough_closed is enough
    closed = sum(not m.is_open for m in played(journeys))
    assert aggregate(played(journeys), now=NOW, min_group=max(closed, 1)).enough_closed is (closed > 0)
