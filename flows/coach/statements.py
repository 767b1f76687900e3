"""Statement review: gentle nudges about a party's own words (shared/COACHING.md §2).

The review works on a normalised copy of the text (same length, so offsets stay valid) with quoted
speech masked out, sentence by sentence. Each detector is a small rule over word classes and clause
structure: who the subject is (you / a third person / me / a process), negation scope, questions.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from flows.coach import lexicon as lx
from flows.coach.models import Nudge, NudgeKind, StatementReview
from flows.coach.suggest import Context, make_nudge
from flows.coach.text import (
    Doc,
    GatedRegex,
    LazyPattern,
    PhraseMatcher,
    mask_spans,
    normalise,
    quote_spans,
    sentence_spans,
    tokens,
)

_Trie = dict[str, "_Trie"]


def _alt(words: tuple[str, ...] | list[str] | frozenset[str]) -> str:
    """A compact regex alternation of phrases (a character trie; inner spaces match any whitespace).

    Compiles and matches much faster than a flat ``a|b|c`` list of hundreds of words.
    """
    if len(words) < 40:
        return "|".join(
            re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True)
        )
    trie: _Trie = {}
    for w in set(words):
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            lit = r"\s+" if ch == " " else re.escape(ch)
            branches.append(lit + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?" if len(branches) > 1 or len(branches[0]) > 1 else body + "?"
        return body

    return emit(trie)


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: NudgeKind
    start: int
    end: int
    info: str = ""


# --- word classes -------------------------------------------------------------------------------
_SECOND = frozenset({"you", "you're", "you've", "you'd", "you'll", "ya", "u", "yourself"})
_FIRST = frozenset(
    {
        "i",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "me",
        "my",
        "we",
        "we're",
        "we've",
        "we'd",
        "our",
        "us",
        "myself",
        "ourselves",
        "mine",
        "im",
        "ive",
    }
)
_THIRD = frozenset(
    {
        "he",
        "she",
        "they",
        "he's",
        "she's",
        "they're",
        "they've",
        "he'd",
        "she'd",
        "they'd",
        "his",
        "her",
        "their",
        "him",
        "them",
    }
)
_PERSON_NOUNS = frozenset(
    {
        "genius",
        "manager",
        "boss",
        "lead",
        "colleague",
        "colleagues",
        "people",
        "everyone",
        "everybody",
        "nobody",
        "someone",
        "somebody",
        "customer",
        "customers",
        "client",
        "clients",
        "director",
        "guy",
        "guys",
        "man",
        "woman",
        "teacher",
        "nurse",
        "doctor",
        "engineer",
        "engineers",
        "developer",
        "designer",
        "chef",
        "supervisor",
        "landlord",
        "neighbour",
        "neighbor",
        "partner",
        "coworker",
        "co-worker",
        "teammate",
        "teammates",
        "management",
        "leadership",
        "hr",
        "cto",
        "ceo",
        "owner",
        "admin",
        "staff",
        "intern",
        "reviewer",
        "reviewers",
        "author",
        "pm",
        "tech",
        "officer",
    }
)
_PROCESS_NOUNS = frozenset(
    {
        "pipeline",
        "build",
        "builds",
        "test",
        "tests",
        "suite",
        "deploy",
        "deploys",
        "release",
        "meeting",
        "meetings",
        "standup",
        "stand-up",
        "rota",
        "schedule",
        "system",
        "tool",
        "policy",
        "process",
        "server",
        "app",
        "printer",
        "bus",
        "train",
        "ci",
        "script",
        "job",
        "jobs",
        "alarm",
        "report",
        "reports",
        "sprint",
        "retro",
        "review",
        "reviews",
        "code",
        "form",
        "queue",
        "shift",
        "shifts",
        "door",
        "office",
        "kitchen",
        "machine",
        "it",
        "this",
        "that",
        "there",
        "the",
        "a",
        "an",
    }
)
_SKIP_LEAD = frozenset(
    {
        "and",
        "but",
        "so",
        "also",
        "then",
        "honestly",
        "frankly",
        "seriously",
        "typical",
        "well",
        "oh",
        "yeah",
        "look",
        "plus",
        "like",
        "now",
        "just",
        "basically",
        "again",
        "classic",
        "really",
        "clearly",
        "obviously",
        "literally",
        "as",
        "usual",
        "of",
        "course",
    }
)
# question and auxiliary words are not the subject ("why do you always…")
_SKIP_LEAD = _SKIP_LEAD | frozenset(
    [
        "why",
        "how",
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "can",
        "could",
        "would",
        "will",
        "have",
        "has",
        "had",
        "must",
        "should",
    ]
)
_NEGATORS = re.compile(
    r"\b(?:not|no|never|n't|dont|didnt|doesnt|isnt|wasnt|arent|werent|cannot|hardly|nobody|neither)\b|n't\b"
)
_NEG_FRAME = LazyPattern(
    r"\b(?:i\s+(?:don't|do\s+not|didn't|never)\s+(?:think|believe|mean|say|said|feel|find|consider)|"
    r"not\s+(?:saying|that|calling|suggesting|implying)|doesn't\s+mean|wouldn't\s+say|far\s+from)\b"
)

# --- detectors ----------------------------------------------------------------------------------
_FEEL_FRAME = (
    r"\b(?:i|we)\s+(?:(?:really|just|honestly|sometimes|often|still|also|always|kind\s+of|kinda|"
    r"somehow|genuinely|actually|increasingly|now)\s+)*(?:feel|felt|am\s+feeling|'m\s+feeling|"
    r"was\s+feeling|have\s+felt|'ve\s+felt|have\s+been\s+feeling|'ve\s+been\s+feeling|keep\s+feeling|"
    r"end\s+up\s+feeling|ended\s+up\s+feeling|started\s+feeling|start\s+to\s+feel|started\s+to\s+feel)"
)
_TAF = GatedRegex(
    _FEEL_FRAME + r"\s+(?:(?:like|as\s+if|as\s+though)\b(?!\s+\w+ing\b)|that\b|"
    r"(?=(?:you|you're|he|she|they|he's|she's|they're|it's|this|nobody|no\s+one|everyone|everybody|"
    r"people|the|my|our|your|his|her|their|i'm|i\s+am|we're|i'll|i've|i\s+have|i\s+can't|i\s+don't|"
    r"i\s+was|i\s+wasn't|there's|management|someone|somebody)\b))"
    r"|\b(?:it|this)\s+(?:really\s+|just\s+|honestly\s+|sometimes\s+)?(?:feels|felt)\s+(?:like|as\s+if|"
    r"as\s+though)\b(?!\s+\w+ing\b)"
)
_FAUX_FRAME = GatedRegex(
    _FEEL_FRAME
    + r"|\b(?:made|makes|make|left|leaves|leave)\s+me\s+feel(?:ing)?\b|\bleft\s+me\b|\bleaves\s+me\b"
    r"|\bi(?:'m|\s+am)\s+feeling\b|\bfeeling\b"
)
_INTENS = LazyPattern(
    r"\s*(?:,\s*)?(?:so|really|very|quite|pretty|a\s+bit|a\s+little|kind\s+of|kinda|totally|completely|"
    r"somewhat|rather|extremely|utterly|deeply|incredibly|honestly|just|more\s+and\s+more|increasingly|"
    r"frankly|and|or|but|also|even|a\s+lot|too|both|then|and\s+then|later|eventually|at\s+first|slightly|,)\b\s*"
)
_FAUX_RE = PhraseMatcher(tuple(lx.FAUX_FEELINGS))
_REAL_FEELING_WORDS = frozenset(w for fam in lx.FEELING_FAMILIES.values() for w in fam)
_REAL_RE = PhraseMatcher(_REAL_FEELING_WORDS)

_DEMAND = GatedRegex(
    r"\byou(?:'ve\s+got\s+to|'d\s+better|'ll\s+have\s+to|'re\s+going\s+to\s+have\s+to|'re\s+to)\b"
    r"|\byou\s+(?:(?:really|just|absolutely|seriously|simply|all|both|guys|now|also|definitely|then)\s+)*"
    r"(?:must(?!\s+(?:be|have|'ve|feel|think|know|see|realise|realize)\b)|have\s+to|need\s+to|"
    r"should(?:n't|\s+not)?|'ve\s+got\s+to|have\s+got\s+to|got\s+to|gotta|had\s+better|'d\s+better|"
    r"ought\s+to|are\s+going\s+to\s+have\s+to|'re\s+going\s+to\s+have\s+to|will\s+have\s+to|"
    r"'ll\s+have\s+to|'re\s+to|are\s+to)\b"
    r"|\bi\s+(?:expect|demand|insist)\s+(?:that\s+)?you\b"
    r"|(?:^|(?<=[.!?,;]\s))(?:please\s+)?(?:just\s+)?(?:stop|quit)\s+[\w']+ing\b"
    r"|(?:^|(?<=[.!?,;]\s))(?:please\s+)?(?:just\s+)?make\s+sure\s+(?:you|that\s+you)\b"
    r"|(?:^|(?<=[.!?]\s))(?:cut\s+it\s+out|knock\s+it\s+off)\b"
    r"|(?:^|(?<=[.!?]\s))(?:don't|do\s+not|never)\s+(?:ever\s+)?(?!blame|worry|get\s+me|mind|forget|be\s+sorry)"
    r"(?:touch|change|move|talk|speak|send|cc|email|call|interrupt|do|go|take|use|make|put|schedule|"
    r"book|assign|give|tell|leave|contact|message|ping|raise|edit|delete|override|come)\b"
)
_DEMAND_BLOCK = LazyPattern(
    r"\b(?:if|when|whenever|unless|what|whatever|anything|everything|something|all|which|who|whom|where|"
    r"how|why|whether|case|do|does|did|thing|things|stuff|everything|that's|than|wherever)\s*$"
)
_DEMAND_IDIOM = LazyPattern(
    r"\byou\s+should\s+(?:have|'ve)\s+(?:seen|heard|been\s+there|tasted|watched|felt)\b"
    r"|\byou\s+(?:should|need\s+to|ought\s+to)\s+know\b"
    r"|\byou\s+(?:should|must)\s+be\s+(?:so\s+|really\s+|very\s+)?(?:proud|pleased|happy|glad|relieved|thrilled|"
    r"exhausted|tired|shattered|worn\s+out)\b"
    r"|\byou\s+(?:must|should)\s+(?:have|'ve)\s+(?:been|felt|had)\b"
)
_SHOULD_HAVE = re.compile(r"\bi\s+(?:should|must)\s+(?:have|'ve)\b")

_ABSOLUTE = GatedRegex(
    r"\b(?:" + _alt(lx.ABSOLUTE_FREQUENCY) + r")\b"
    r"|\b(?:nobody|no\s+one|no-one|none\s+of\s+(?:you|them|us))\s+(?:[\w']+\s+){0,4}?ever\b"
)
_ABS_POSITIVE = LazyPattern(
    r"\s+(?:so\s+|very\s+|really\s+)?(?:welcome|happy\s+to|glad\s+to|kind|helpful|generous|patient|great|"
    r"supportive|there\s+for|on\s+time|ready\s+to\s+help|fair|reliable|complains|lets\s+(?:me|us)\s+down|"
    r"misses\s+a|forgets\s+to\s+(?:thank|say\s+thanks))\b"
)
_WITH_YOU = re.compile(r"\b(?:with|from|about|around)\s+you\b")
_ABS_HEDGE = re.compile(
    r"(?:\bnot|n't|\balmost|\bnearly|\bnot\s+quite|\bhardly|\bif|\bfor|\bas|\balmost\s+never)\s*$"
)

_BLAME = GatedRegex(
    r"\b(?:(?:it's|it\s+is|it\s+was|that's|that\s+is|that\s+was|this\s+is|this\s+was|all)\s+"
    r"(?:all\s+|entirely\s+|completely\s+|totally\s+|100%\s+)?)?(?:your|his|her|their)\s+fault\b"
    r"|\bbecause\s+of\s+you\b|\bdue\s+to\s+you\b|\bthat's\s+on\s+you\b"
    r"|\bthanks\s+to\s+your?\b(?=[^.!?]*\b(?:had\s+to|have\s+to|missed|lost|late|failed|broke|broken|couldn't|"
    r"can't|wasted|ruined|down|nobody|no\s+one|again|stuck|stayed|redo|redoing|blew|mess|delayed|behind|angry|"
    r"complain|spent|fixing|overtime|extra|cancel|cancelled|whole\s+weekend|evenings?))"
    r"|\byou(?:'re|\s+are)\s+(?:the\s+)?(?:reason|cause|problem)\b|\byou\s+caused\b"
    r"|\byou\s+(?:\w+\s+)?(?:made|make|makes|forced|force|forces)\s+me\s+(?!a\b|an\b|the\b|some\b|coffee\b|laugh\b|smile\b)\w+"
    r"|\byou(?:'ve|\s+have|\s+had)?\s+(?:just\s+|totally\s+|completely\s+|really\s+|basically\s+)?"
    r"(?:ruined|ruin|ruins|wrecked|wreck|wrecks|destroyed|destroy|destroys|sabotaged|sabotage|"
    r"screwed\s+up|screw\s+up|screws\s+up|messed\s+up|mess\s+up|messes\s+up|botched|botch|derailed|"
    r"derail|trashed|blew\s+it|blew\s+up|dropped\s+the\s+ball|threw\s+me\s+under\s+the\s+bus|"
    r"let\s+(?:[\w']+\s+){1,3}down|lied|keep\s+\w+ing|kept\s+\w+ing|"
    r"(?:embarrassed|humiliated|undermined|belittled|insulted|betrayed|used|blindsided)\s+me)\b"
    r"|\byou(?:'ve|\s+have)?\s+(?:made|turned)\s+(?:this|it|everything|my|the)(?:\s+[\w-]+){0,2}\s+"
    r"(?:into\s+)?(?:a\s+|an\s+)?(?:nightmare|hell|impossible|miserable|mess|harder|worse|disaster)\b"
    r"|\b(?:this\s+is\s+|it's\s+|that's\s+)?all\s+because\s+(?:of\s+)?you\b|\bthis\s+is\s+because\s+you\b"
    r"|\byou\s+(?:just\s+|clearly\s+|obviously\s+|simply\s+|really\s+|honestly\s+)?(?:don't|do\s+not|didn't|"
    r"never|won't|can't\s+be\s+bothered\s+to)\s+(?:even\s+)?(?:care|listen|respect|bother|value|"
    r"appreciate|pull\s+your\s+weight|give\s+a|think\s+about\s+(?:anyone|anybody|others|other\s+people|us|me))\b"
    r"|\byou\s+only\s+(?:ever\s+)?(?:care|think|talk)\s+about\b|\byou\s+(?:act|acted|treat|treated|talk|talked|behave|"
    r"behaved)\s+(?:to\s+me\s+)?(?:like|as\s+if|as\s+though)\b|\byou\s+think\s+you(?:'re|\s+are|\s+can|\s+own)\b"
    r"|\byou\s+can't\s+even\b|\byou\s+couldn't\s+even\b"
)
_COUNTERFACTUAL = GatedRegex(
    r"\bif\s+you(?:'d|\s+had|\s+would\s+have)\s+(?!(?:like|prefer|rather|want|be\s+willing|be\s+able|be\s+open|"
    r"be\s+free|care|love|mind)\b)(?:just\s+|only\s+)?[^.!?]{2,80}?,?\s*(?:[\w']+\s+){0,3}?"
    r"(?:we|i|it|this|that|they|nothing|none|everything|things|the\s+\w+|\w+)"
    r"(?:'d|\s+would|\s+wouldn't|'d\s+not|\s+could|\s+couldn't|\s+might)\s+(?:not\s+)?(?:have|be|\w+)\b"
)

_EVAL_RE = PhraseMatcher(lx.JUDGEMENT_ADJECTIVES)
_INSULT_RE = PhraseMatcher(lx.INSULTS)
_SOFT_INSULTS = frozenset(
    {
        "stupid",
        "dumb",
        "silly",
        "joke",
        "a joke",
        "genius",
        "baby",
        "fool",
        "princess",
        "ridiculous",
        "disgusting",
        "useless",
        "laughable",
        "einstein",
        "sherlock",
    }
)
_LOOK_FRAME = LazyPattern(
    r"\b(?:look|looks|looked|looking|feel|feels|felt|feeling|seem|seemed|sound|sounded|call|called|"
    r"calling|treat|treated|treating)\s+(?:\w+\s+){0,3}$"
)
_SARCASM_STRONG = GatedRegex(
    r"(?:^|(?<=[.!?]\s))oh,?\s+(?:sure|great|wonderful|fantastic|brilliant|perfect|lovely|nice|terrific|"
    r"good|joy|yes|right|fine)\b"
    r"|\b(?:wow|gee|golly)\b[,!.]?\s*(?:thanks|thank\s+you|great|nice|amazing|impressive|just\s+great|"
    r"really|so|what|just)\b"
    r"|\bthanks\s+(?:a\s+bunch|for\s+nothing|a\s+million|a\s+lot)\s*[.!]"
    r"|\bthanks\s+for\s+(?:finally|bothering|gracing|nothing)\b"
    r"|\blove\s+that\s+for\s+me\b|\bjust\s+what\s+i\s+needed\b|\bjust\s+(?:great|perfect|brilliant|"
    r"fantastic|wonderful|lovely)\s*[.!]"
    r"|\bhow\s+(?:nice|kind|thoughtful|generous|lovely|considerate|sweet|good)\s+of\s+you\b"
    r"|(?:^|(?<=[.!?]\s))(?:how\s+|so\s+|very\s+|real(?:ly)?\s+)?(?:nice|good|kind|big|decent|sweet|thoughtful|"
    r"generous|considerate)\s+of\s+you\s+to\b"
    r"|\b(?:nice|good|kind|big|decent|sweet|thoughtful|generous|considerate)\s+of\s+you\s+to\s+(?:finally|actually|"
    r"bother|grace|join\s+us|show\s+up|turn\s+up|remember|even)\b"
    r"|\bwhat\s+a\s+(?:surprise|shock|shocker)\b|\bbig\s+surprise\b|\bshocker\b|\bwho\s+knew\b"
    r"|\byeah,?\s+right\b|\breal(?:ly)?\s+mature\b|\bmust\s+be\s+nice\b|\bgood\s+luck\s+with\s+that\b"
    r"|\bway\s+to\s+go\b|\bnice\s+going\b|\bslow\s+clap\b|\bbravo\b|\bspare\s+me\b|\bcry\s+me\s+a\s+river\b"
    r"|\bboo\s+hoo\b|\bgrow\s+up\b|\bget\s+a\s+life\b|\bget\s+over\s+yourself\b|\byour\s+highness\b"
    r"|(?:^|(?<=[.!?]\s))(?:real|very|so|how|really)\s+(?:professional|mature|classy|smart|clever|"
    r"considerate|thoughtful|grown-up)\s*[,!.]|\bcongratulations,?\s+you(?:'ve)?\s+(?:managed|succeeded|finally)\b"
    r"|\bwho\s+made\s+you\s+(?:the\s+)?(?:boss|king|queen|god|manager)\b|\bget\s+a\s+grip\b"
    r"|\beye[\s-]?roll\b|\bsmh\b|\blol\b|\bso-called\b|\bfor\s+once\b|\bpoor\s+you\b|\bmy\s+heart\s+bleeds\b"
    r"|\bwhat\s+a\s+tragedy\b|\bthe\s+horror\b|\bwelcome\s+to\s+the\s+real\s+world\b"
    r"|\bmust\s+be\s+(?:so\s+|really\s+)?(?:hard|tough|awful|exhausting|difficult|terrible|rough)\b[^.!?]{0,12},\s+"
    r"(?:having|being)\b"
    r"|(?:^|(?<=[.!?]\s))(?:typical|classic|unbelievable|priceless|charming)\s*[.!]"
    r"|\b(?:typical|classic)\s+(?:you|him|her|them|of\s+you)\b"
    r"|(?:^|(?<=[.!?]\s))(?:only|just)\s+(?:\w+\s+){0,2}(?:minutes|hours|days|weeks|months)\s+late\b"
    r"|\b(?:genius|brilliant|great|smart|clever|nice|fantastic|excellent|amazing|wonderful|awesome|lovely|"
    r"stellar|superb|perfect|inspired|bold|top)\s+(?:move|idea|plan|call|choice|decision|timing|work|job|"
    r"thinking|strategy|planning|effort|touch)\b,?\s+(?:(?:as\s+(?:always|usual|ever)|once\s+again|yet\s+again|"
    r"again)\s*,?\s+)?(?:to\s+\w+|(?:\w+\s+)?\w+ing)\b"
    r"|\bfinally\s+(?:show(?:ed|s)?\s+up|decided\s+to|bothered|grac(?:e|ed)|join(?:ed)?\s+us)\b"
)
_SARCASM_WEAK = GatedRegex(
    r"(?:^|(?<=[.!?]\s))(?:wow|oh|great|thanks|thank\s+you|really\s+helpful|very\s+helpful|so\s+helpful|"
    r"super\s+helpful|awesome|lovely|perfect|fantastic|brilliant|nice|sure|cool|amazing|wonderful)\b"
    r"|(?:^|(?<=[.!?,]\s))another\s+['\"]"
    r"|\b(?:really|very|so|super)\s+(?:helpful|useful|professional|considerate|thoughtful|classy|mature)"
    r"\s*[.!]"
)
_SCARE_QUOTE = GatedRegex(
    r"\b(?:the|your|this|that|another|these|those|his|her|their|some|a|an|my|our|so-called|such)\s+"
    r"(['\"])([_ ]{1,30})\1"
)

_DEFENSIVE = GatedRegex(
    r"\b(?:not|never|hardly|isn't|wasn't|aren't|weren't|doesn't|didn't|ain't)\s+(?:really\s+|entirely\s+|exactly\s+|even\s+)?(?:my|our)\s+"
    r"(?:fault|problem|responsibility|doing|mistake|call|job|issue)\b"
    r"|\bnot\s+on\s+me\b|\b(?:don't|do\s+not|stop|quit)\s+blam(?:e|ing)\s+me\b|\bwhy\s+(?:are\s+you|is\s+everyone)\s+blaming\s+me\b"
    r"|\bblame\s+(?:\w+\s+){0,3}not\s+me\b"
    r"|(?:^|(?<=[.!?]\s))(?:yes|yeah|yep|sure|ok|okay|right|fine|true|well)\s*,?\s+but\b"
    r"|\bi(?:'m|\s+am|\s+was|\s+wasn't)\s+not\s+the\s+one\s+(?:who|that)\b|\bi'm\s+not\s+the\s+one\s+(?:who|that)\b"
    r"|\bhow\s+(?:is|was)\s+(?:that|this|it)\s+(?:my|our)\s+(?:fault|problem)\b|\bdon't\s+look\s+at\s+me\b"
    r"|\beveryone\s+(?:else\s+)?does\s+(?:it|that|the\s+same)\b"
    r"|\byou(?:'re|\s+are|\s+were)\s+the\s+one\s+(?:who|that)\b|\bwhat\s+about\s+(?:you|when\s+you)\b"
    r"|\byou(?:'re|\s+are)\s+one\s+to\s+talk\b|\blook\s+who's\s+talking\b|\byou\s+do\s+it\s+too\b"
    r"|\bwhat\s+(?:was|am|were|are)\s+(?:i|we)\s+supposed\s+to\s+do\b"
    r"|\bhow\s+(?:was|am|were|would|could)\s+(?:i|we)\s+(?:supposed\s+to\s+|have\s+|possibly\s+)?know(?:n)?\b"
    r"|\bwhat\s+else\s+(?:could|was|should)\s+(?:i|we)\b|\bi\s+had\s+no\s+(?:other\s+)?(?:choice|option)\b"
    r"|\b(?:i|we)\s+(?:was|were|am|'m|'re|are)\s+(?:only|just|simply)\s+(?:following|doing\s+(?:my|our|what)|"
    r"trying\s+to\s+help)\b"
    r"|\bi\s+(?:did|do)\s+nothing\s+wrong\b|\bi\s+(?:didn't|haven't)\s+do(?:ne)?\s+anything\s+wrong\b"
    r"|\bi've\s+done\s+nothing\s+wrong\b|\bit\s+wasn't\s+me\b|\bi\s+never\s+said\s+that\b"
    r"|\bthat's\s+not\s+(?:true|what\s+happened)\b|\bin\s+my\s+defen[cs]e\b"
    r"|\bi\s+was\s+(?:just\s+)?(?:told|asked)\s+to\b|\bi\s+was\s+(?:just\s+)?following\s+(?:orders|instructions|the)\b"
)
_STONEWALL = GatedRegex(
    r"(?:^|(?<=[.!?,;]\s)|(?<=^oh\s)|(?<=^ok\s)|(?<=^okay\s)|(?<=^fine\s)|(?<=^yeah\s))"
    r"whatever(?=\s*(?:[.!,;]|$))"
    r"|(?:^|(?<=[.!?,;]\s))whatever\s+you\s+(?:say|want|think)\b"
    r"|(?:^|(?<=[.!?,;]\s))(?:just\s+)?forget\s+(?:it|about\s+it)\b"
    r"|\b(?:i'm|i\s+am|we're|we\s+are)\s+(?:so\s+|just\s+)?done(?=\s*(?:[.!,;]|$)|\s+(?:talking|discussing|arguing|"
    r"explaining|trying|here|with\s+(?:this|you|it|that|all\s+this|all\s+of\s+this|this\s+conversation|"
    r"this\s+discussion|the\s+conversation)\s*(?:[.!,;]|$)))"
    r"|(?:^|(?<=[.!?]\s))(?:ok(?:ay)?,?\s+)?fine\s*(?:[.!]|,(?!\s+(?:by|with|for)\b))"
    r"|(?:^|(?<=[.!?,]\s))do\s+(?:it\s+your\s+(?:way|own\s+way)|what(?:ever)?\s+you\s+(?:want|like|think))\b"
    r"|\bhave\s+it\s+your\s+(?:own\s+)?way\b|\bsuit\s+yourself\b|\bi\s+give\s+up\b"
    r"|\bi\s+(?:don't|do\s+not)\s+(?:even\s+)?care\s+(?:anymore|any\s+more)\b"
    r"|\bi\s+(?:don't|do\s+not)\s+care(?=\s*[.!]|$)"
    r"|\bi'm\s+not\s+(?:going\s+to\s+)?(?:discuss|discussing|talk\s+about|talking\s+about|doing)\s+this\b"
    r"|\b(?:there's|there\s+is)\s+no\s+point\s+(?:in\s+)?(?:talking|discussing|trying|arguing|even)\b"
    r"|\bnot\s+worth\s+(?:it|arguing|discussing|talking)\b|\bend\s+of\s+(?:discussion|story|conversation)\b"
    r"|\bleave\s+me\s+alone\b|\btalk\s+to\s+the\s+hand\b|\b(?:(?:i\s+have|i've|i've\s+got|i\s+got)\s+)?nothing\s+(?:more\s+|else\s+)?to\s+say\b"
    r"|\bi'm\s+out\s*[.!]|\bconversation\s+over\b|\b(?:let's\s+)?(?:just\s+)?drop\s+it\b|\bno\s+comment\b"
    r"|(?:^|(?<=[.!?]\s))never\s+mind\s*[.!]"
)


def _sentence_of(spans: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    i = bisect_right(spans, (pos, 1 << 62)) - 1
    if i >= 0 and spans[i][0] <= pos < spans[i][1]:
        return spans[i]
    for a, b in spans:
        if a <= pos < b:
            return a, b
    return spans[-1] if spans else (0, 0)


_CLAUSE_END = re.compile(r"[,;:.!?]|\s+(?:and|but|because|so|when|while|which)\s")
_CLAUSE_START = re.compile(r"[,;:]\s*|\s(?:and|but|because|so|when|while|if)\s")


def _clause_end(norm: str, pos: int, sent_end: int) -> int:
    m = _CLAUSE_END.search(norm, pos, sent_end)
    end = m.start() if m else sent_end
    while end > pos and norm[end - 1] in " .!?,;:":
        end -= 1
    return end


def _clause_start(norm: str, pos: int, sent_start: int) -> int:
    best = sent_start
    for m in _CLAUSE_START.finditer(norm, sent_start, pos):
        best = m.end()
    return best


def _negated(norm: str, pos: int, sent_start: int) -> bool:
    cstart = _clause_start(norm, pos, sent_start)
    before = norm[cstart:pos]
    if _NEGATORS.search(before):
        return True
    return bool(_NEG_FRAME.search(norm[sent_start:pos]))


def _subject_class(norm: str, cstart: int, pos: int) -> str:
    """'second', 'first', 'third' or 'thing' for the subject of the clause ending before ``pos``."""
    toks = tokens(norm, cstart, pos)
    for i, t in enumerate(toks):
        w = t.low
        if w in _SKIP_LEAD:
            continue
        if w in _SECOND:
            return "second"
        if w == "your":
            nxt = toks[i + 1].low if i + 1 < len(toks) else ""
            return "third" if nxt in _PERSON_NOUNS or nxt in {"team", "people", "boss"} else "second"
        if w in _FIRST:
            return "first"
        if w in _THIRD or w in _PERSON_NOUNS:
            return "third"
        if w in {"every", "each", "whenever", "when", "any", "all"}:
            return "scan"
        if w in {"the", "a", "an", "this", "that", "these", "those", "some", "our", "their", "his", "her"}:
            # "the new guy", "that one engineer": a person noun within the next three words
            if any(t2.low in _PERSON_NOUNS for t2 in toks[i + 1 : i + 4]):
                return "third"
            return "thing"
        return "name" if w not in _PROCESS_NOUNS else "thing"
    return "none"


_CAPITAL_NAME = re.compile(r"[A-Z][a-z]+")


def _find_hits(text: str) -> list[_Hit]:
    norm = normalise(text)
    qspans = quote_spans(norm)
    masked = mask_spans(norm, qspans)
    sents = sentence_spans(masked)
    doc = Doc(masked, sents)
    hits: list[_Hit] = []

    def is_question(pos: int) -> bool:
        a, b = _sentence_of(sents, pos)
        return masked[a:b].rstrip().endswith("?")

    taf_spans: list[tuple[int, int]] = []
    # thought dressed as a feeling
    for m in _TAF.finditer(doc):
        a, b = _sentence_of(sents, m.start())
        end = _clause_end(masked, m.end() + 1, b)
        if end <= m.end():
            end = m.end()
        hits.append(_Hit(NudgeKind.THOUGHT_AS_FEELING, m.start(), end))
        taf_spans.append((m.start(), b))

    # faux feelings after a feeling frame
    for m in _FAUX_FRAME.finditer(doc):
        if any(a <= m.start() < b for a, b in taf_spans) and not masked[m.start() :].startswith("feeling"):
            # "I feel like I'm ignored" is handled as a thought; faux words still count after "feel"
            pass
        pos = m.end()
        for _ in range(6):
            im = _INTENS.match(masked, pos)
            while im and im.end() > pos:
                pos = im.end()
                im = _INTENS.match(masked, pos)
            while pos < len(masked) and masked[pos] == " ":
                pos += 1
            fm = _FAUX_RE.match(doc, pos)
            if fm:
                if masked[pos:].startswith("used to"):
                    break
                hits.append(_Hit(NudgeKind.FAUX_FEELING, fm.start(), fm.end(), fm.group()))
                pos = fm.end()
                continue
            rm = _REAL_RE.match(doc, pos)
            if rm:
                pos = rm.end()
                continue
            break

    # demands
    for m in _DEMAND.finditer(doc):
        a, b = _sentence_of(sents, m.start())
        if is_question(m.start()):
            continue
        pre = masked[a : m.start()]
        if _DEMAND_BLOCK.search(pre) or _DEMAND_IDIOM.match(masked, m.start()):
            continue
        hits.append(_Hit(NudgeKind.DEMAND, m.start(), _clause_end(masked, m.end(), b), m.group()))

    # absolutes about a person (with blame when the person is "you")
    for m in _ABSOLUTE.finditer(doc):
        a, b = _sentence_of(sents, m.start())
        cstart = _clause_start(masked, m.start(), a)
        if _ABS_HEDGE.search(masked[max(a, m.start() - 14) : m.start()]):
            continue
        if _ABS_POSITIVE.match(masked, m.end()):
            continue  # "you're always welcome", "she never complains": praise is not a verdict
        word = m.group()
        if word.startswith(("nobody", "no one", "no-one", "none of")):
            hits.append(_Hit(NudgeKind.ABSOLUTE, m.start(), m.end()))
            continue
        if word.startswith("you"):
            subj = "second"
        else:
            subj = _subject_class(masked, cstart, m.start())
            if subj == "name":
                tok = tokens(masked, cstart, m.start())
                head = next((t for t in tok if t.low not in _SKIP_LEAD), None)
                subj = "third" if head and _CAPITAL_NAME.fullmatch(text[head.start : head.end]) else "thing"
        if (subj in {"scan", "none", "thing"} and m.start() - cstart < 3) or subj == "scan":
            # "every time I ask…, you act…": look for the person further on in the sentence
            rest = tokens(masked, m.end(), b)
            later = next((t.low for t in rest[:14] if t.low in _SECOND or t.low in _THIRD), "")
            subj = "second" if later in _SECOND else ("third" if later else "thing")
        if subj in {"thing", "none"} and word.startswith("as ") and m.start() > a:
            subj = _subject_class(masked, a, m.start())  # "you forgot again, as usual"
        if subj == "thing" and _WITH_YOU.search(masked, cstart, _clause_end(masked, m.end(), b) + 1):
            subj = "second"  # "it's always the same with you"
        if is_question(m.start()) and not re.search(r"\bwhy\b", masked[a : m.start()]):
            continue
        if subj == "second":
            hits.append(_Hit(NudgeKind.ABSOLUTE, m.start(), m.end()))
            if not any(x <= m.start() < y for x, y in taf_spans):
                hits.append(_Hit(NudgeKind.BLAME, cstart, _clause_end(masked, m.end(), b), "absolute"))
        elif subj == "third":
            hits.append(_Hit(NudgeKind.ABSOLUTE, m.start(), m.end()))

    # blame
    for rx in (_BLAME, _COUNTERFACTUAL):
        for m in rx.finditer(doc):
            a, b = _sentence_of(sents, m.start())
            if any(x <= m.start() < y for x, y in taf_spans):
                continue
            if _negated(masked, m.start(), a) and "fault" in m.group():
                continue
            if _NEG_FRAME.search(masked[a : m.start()]):
                continue
            hits.append(_Hit(NudgeKind.BLAME, m.start(), _clause_end(masked, m.end(), b), m.group()))

    # evaluation: judgement adjectives about someone other than me
    for pm in _EVAL_RE.finditer(doc):
        a, b = _sentence_of(sents, pm.start())
        word = pm.group()
        if is_question(pm.start()) or _negated(masked, pm.start(), a):
            continue
        cstart = _clause_start(masked, pm.start(), a)
        subj = _subject_class(masked, cstart, pm.start())
        if subj == "first":
            continue
        prev = masked[max(a, pm.start() - 20) : pm.start()]
        if re.search(
            r"\b(?:feel|felt|feeling|look|looked|seem|seemed|sound|sounded)\s+(?:so\s+|really\s+)?$", prev
        ):
            continue
        if word in lx.WEAK_JUDGEMENTS and subj not in {"second", "third", "name"}:
            continue
        hits.append(_Hit(NudgeKind.EVALUATION, pm.start(), pm.end(), word))

    # contempt: insults, mockery, sarcasm
    weak = 0
    marked = False
    weak_first: tuple[int, int] | None = None
    for pm in _INSULT_RE.finditer(doc):
        a, b = _sentence_of(sents, pm.start())
        word = pm.group()
        prev = masked[max(a, pm.start() - 24) : pm.start()]
        if _negated(masked, pm.start(), a) or _LOOK_FRAME.search(prev):
            continue
        if word in _SOFT_INSULTS:
            if word in {"joke", "a joke"} and not re.search(
                r"(?:you're|you\s+are|is|'s|was|what|such)\s+(?:a\s+)?$", prev
            ):
                continue
            if word == "baby" and not re.search(r"(?:a|such\s+a|cry)\s+$", prev):
                continue
            if word == "fool" and re.search(r"\bmade?\s+(?:a\s+)?$", prev):
                continue
            if word == "genius" and re.search(r"(?:is|'s|was)\s+a\s+$", prev):
                continue
            cstart = _clause_start(masked, pm.start(), a)
            if _subject_class(masked, cstart, pm.start()) == "first":
                continue
        hits.append(_Hit(NudgeKind.CONTEMPT, pm.start(), pm.end(), word))
    for m in _SARCASM_STRONG.finditer(doc):
        hits.append(_Hit(NudgeKind.CONTEMPT, m.start(), m.end(), "sarcasm"))
    for m in _SCARE_QUOTE.finditer(doc):
        a, _b = _sentence_of(sents, m.start())
        prev = masked[max(a, m.start() - 24) : m.start()]
        if re.search(
            r"\b(?:said|says|say|wrote|write|comment|comments|called|like|message|reply|word|words|"
            r"phrase|told|asked|read)\s*$",
            prev,
        ):
            continue
        weak += 1
        marked = True
        weak_first = weak_first or (m.start(), m.end())
    for m in _SARCASM_WEAK.finditer(doc):
        weak += 1
        marked = marked or m.group().startswith(("wow", "oh", "sure", "another"))
        weak_first = weak_first or (m.start(), m.end())
    # two weak cues, one of them marked (scare quotes, "wow", "oh", "sure"): sincere thanks stays quiet
    if weak >= 2 and marked and weak_first is not None:
        hits.append(_Hit(NudgeKind.CONTEMPT, weak_first[0], weak_first[1], "sarcasm"))

    # defensiveness
    for m in _DEFENSIVE.finditer(doc):
        hits.append(_Hit(NudgeKind.DEFENSIVENESS, m.start(), m.end(), m.group()))

    # stonewalling
    for m in _STONEWALL.finditer(doc):
        hits.append(_Hit(NudgeKind.STONEWALLING, m.start(), m.end(), m.group()))

    return hits


def _dedupe(hits: list[_Hit]) -> list[_Hit]:
    out: list[_Hit] = []
    for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start), h.kind.value)):
        if any(o.kind == h.kind and o.start < h.end and h.start < o.end for o in out):
            continue
        out.append(h)
    return out


def rule_review(text: str) -> StatementReview:
    """The hand-written rules' nudges for a party's own words (the learned model's rule features).

    Deterministic; :func:`flows.coach.decide.review_statement` decides which kinds to raise.
    """
    hits = _dedupe(_find_hits(text))
    ctx = Context(normalise(text))
    nudges: list[Nudge] = [make_nudge(text, h.kind, h.start, h.end, h.info, ctx) for h in hits]
    return StatementReview(text=text, nudges=nudges)


__all__ = ["rule_review"]
