"""Safety screening: mediation is the wrong tool for harassment, violence, discrimination or a threat.
Where a person's own words signal one of these, they are told so plainly and offered the workspace's
escalation contacts. A signal, not a verdict: nothing is blocked or reported on their behalf."""

from __future__ import annotations

import re
from enum import StrEnum


class Concern(StrEnum):
    """What a text may signal."""

    HARASSMENT = "harassment"
    VIOLENCE = "violence"
    DISCRIMINATION = "discrimination"
    THREAT = "threat"


_PATTERNS = {
    Concern.HARASSMENT: (
        r"\b(harass\w*|sexual(ly)?\s+(comment|remark|advance|touch)\w*|stalk\w*|grop\w*|touched me)\b"
    ),
    Concern.VIOLENCE: r"\b(hit|punch\w*|shov\w*|push\w*|slap\w*|kick\w*)\s+me\b|\b(assault\w*|violen\w*)\b",
    Concern.DISCRIMINATION: r"\b(discriminat\w*|racis\w*|sexis\w*|homophob\w*|transphob\w*|slurs?)\b",
    Concern.THREAT: r"\b(threat\w*|(going|gonna) to (hurt|get) (me|you)|kill (me|you))\b",
}
_COMPILED = {concern: re.compile(pattern, re.IGNORECASE) for concern, pattern in _PATTERNS.items()}


def concerns(*texts: str) -> list[Concern]:
    """The concerns these texts signal, in a fixed order."""
    joined = "\n".join(texts)
    return [concern for concern, pattern in _COMPILED.items() if pattern.search(joined)]
