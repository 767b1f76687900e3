"""`commonground coach`: try the coach from a terminal.

commonground coach "You always change the plan at the last minute."
commonground coach --original "…" --reflection "…"
commonground coach --json "…"
"""

from __future__ import annotations

import argparse
import json
import sys

from bot import texts as t
from bot.coach_words import nudge_message, reason_text
from flows.coach import ReflectionScore, StatementReview, review_statement, score_reflection


def _print_review(review: StatementReview) -> None:
    if not review.nudges:
        print(t.COACH_CLI_CLEAN)
        return
    print(f"{len(review.nudges)} nudge{'s' if len(review.nudges) != 1 else ''}:")
    for n in review.nudges:
        print(f'\n- {n.kind.value}: "{review.text[n.span[0] : n.span[1]]}" (chars {n.span[0]}–{n.span[1]})')
        print(f"  {nudge_message(n)}")
        print(f"  Suggestion: {n.suggestion}")


def _print_score(res: ReflectionScore) -> None:
    print(f"Score: {res.score:.0f}/100")
    print(f"Passed on to them: {'yes' if res.gate_passed else 'no (not yet a reflection)'}")
    print(f"A faithful, complete reflection: {'yes' if res.forward else 'no'} (read as: {res.label})")
    print(
        f"Parts: facts {res.facts:g}/35, feelings {res.feelings:g}/20, needs {res.needs:g}/20, "
        f"own words {res.own_words:g}/15, neutrality {res.neutrality:g}/10"
    )
    print("Reasons:")
    for r in res.reasons:
        print(f"- [{r.code.value}] {reason_text(r)}")


def main(argv: list[str] | None = None) -> int:
    """Run the coach CLI; returns a process exit code (0 ok, 2 usage error)."""
    ap = argparse.ArgumentParser(
        prog="commonground coach",
        description="Review a statement, or score a reflection against the original.",
    )
    ap.add_argument("text", nargs="*", help="a statement to review")
    ap.add_argument("--original", help="what the other person said (with --reflection)")
    ap.add_argument("--reflection", help="your reflection of it (with --original)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    args = ap.parse_args(argv)

    if args.original is not None or args.reflection is not None:
        if not args.original or not args.reflection:
            print("commonground coach: --original and --reflection go together", file=sys.stderr)
            return 2
        res = score_reflection(args.original, args.reflection)
        if args.json:
            print(json.dumps(res.model_dump(mode="json"), ensure_ascii=False, indent=2))
        else:
            _print_score(res)
        return 0

    text = " ".join(args.text).strip()
    if not text:
        ap.print_usage(sys.stderr)
        print("commonground coach: give a statement, or --original and --reflection", file=sys.stderr)
        return 2
    review = review_statement(text)
    if args.json:
        print(json.dumps(review.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        _print_review(review)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
