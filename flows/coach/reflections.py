"""Reflection scoring: how well a paraphrase says back what the other party shared (COACHING.md §3).

Roles: in the *original*, "I" is the speaker (B) and "you" is the listener (A). In the *reflection*,
"I" is A and "you" is B. The scorer maps both onto roles (B/A) before comparing, so a copy that only
swaps I/you is still a copy, and a reflection that puts the wrong person in a role is a distortion.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import cast

from flows.coach import lexicon as lx
from flows.coach.statements import _SARCASM_STRONG
from flows.coach.text import (
    Doc,
    GatedRegex,
    LazyPattern,
    PhraseMatcher,
    clause_spans,
    may_hold_number,
    normalise,
    numbers,
    sentence_spans,
    stem,
    words,
)

W_FACTS, W_FEEL, W_NEED, W_OWN, W_NEUTRAL = 35.0, 20.0, 20.0, 15.0, 10.0
_NUMBER_WORD_SET = frozenset(
    [
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "dozen",
    ]
)
FORWARD_AT = 70

_STOPWORDS_TEXT = (
    "a about above after again against all am an and any are as at be because been before being below "
    "between both but by can could did do does doing down during each few for from further had has have "
    "having he her here hers herself him himself his how i if in into is it its itself just me more most "
    "my myself no nor not now of off on once only or other our ours ourselves out over own same she "
    "should so some such than that the their theirs them themselves then there these they this those "
    "through to too under until up very was we were what when where which while who whom why will with "
    "would you your yours yourself yourselves i'm i've i'd i'll you're you've you'd you'll it's that's "
    "there's don't didn't doesn't isn't wasn't weren't can't couldn't won't wouldn't shouldn't haven't "
    "hasn't hadn't let's he's she's they're we're we've they've what's im ive dont cant also get got gets "
    "getting go going went gone make made makes really still even much many lot lots like one thing "
    "things something anything everything way back again well actually maybe kind bit quite said say says "
    "told tell asked ask know knew think thought feel felt feeling want wanted need needs needed matter "
    "matters us ok okay yes yeah sure whole every always never ever since though however yet already "
    "honestly right able "
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_B_PRON = {"i": "B", "me": "B", "my": "B", "mine": "B", "myself": "B", "im": "B", "ive": "B"}
_A_PRON = {"you": "A", "your": "A", "yours": "A", "yourself": "A", "u": "A"}
_CONTRACT = {"'m": ["be"], "'re": ["be"], "'ve": ["have"], "'d": ["would"], "'ll": ["will"], "'s": ["be"]}
_BE = {"am", "is", "are", "was", "were", "be", "been"}

_FEEL_WORD_FAMILY: dict[str, str] = {w: fam for fam, ws in lx.FEELING_FAMILIES.items() for w in ws}
_FEEL_RE = PhraseMatcher(tuple(_FEEL_WORD_FAMILY))
_FAUX_RE = PhraseMatcher(tuple(lx.FAUX_FEELINGS))
# An ambiguous word ("lost", "down", "small", "hurt") counts as a feeling only right after a feeling frame
# ("you felt small", "it left you lost", "that hurt"), with nothing but intensifiers in between.
_FEEL_FRAME = LazyPattern(
    r"(?:\b(?:feel|feels|felt|feeling|you're|you\s+are|you\s+were|you've\s+been|you'd\s+been|you\s+get|"
    r"you\s+got|left\s+you|leaves\s+you|leaving\s+you|made\s+you|makes\s+you|seem|seems|seemed|sound|sounds|"
    r"sounded|been|it's\s+been|was|were|is|became|become|getting|how\s+it\s+left\s+you|it|that|this|and|"
    r"came\s+away|,)\s*(?:(?:so|really|very|quite|a\s+bit|a\s+little|pretty|kind\s+of|somewhat|rather|"
    r"completely|totally|utterly|deeply|more|even|also|both|too|and|feeling|badly|a\s+lot|incredibly|"
    r"increasingly|pretty)\s+)*$)|^\s*$"
)
_PHYSICAL_HURT = re.compile(
    r"\b(?:get|got|gets|getting|was|were|be|been)\s+(?:badly\s+)?hurt\b|\bhurt\s+(?:his|her|their|my|your)\b"
)
_NEG = re.compile(r"\b(?:not|no|never|n't|dont|didnt|wasnt|isnt|weren't|wasn't|isn't|aren't|without)\b|n't\b")

_NEED_RE = GatedRegex(
    r"\byou(?:'re|\s+are|'d|\s+would)?\s+(?:really\s+|also\s+|just\s+|still\s+|clearly\s+|simply\s+)?"
    r"(?:need|needs|needed|want|wanted|'d\s+like|would\s+like|like|asking\s+for|ask\s+for|asked\s+for|"
    r"hoping|hope|hoped|care\s+about|cared\s+about|value|looking\s+for|deserve|wish|wished|expect)\b"
    r"|\b(?:matters?|mattered|means|meant|counts)\s+(?:a\s+lot\s+|so\s+much\s+|a\s+great\s+deal\s+|most\s+|"
    r"deeply\s+|really\s+|a\s+lot\s+more\s+)?(?:to|for)\s+you\b"
    r"|\b(?:important|essential|vital|key|precious|central|non-negotiable)\s+(?:to|for)\s+you\b"
    r"|\b(?:comes?|came)\s+first\s+for\s+you\b|\bwhat\s+you(?:'re|\s+are)?\s+(?:need|want|asking|after|looking|"
    r"hoping|wanted|needed)\b|\byou(?:'re|\s+are)\s+after\b|\bfor\s+you,?\s+(?:it's|what\s+matters)\b"
    r"|\byou(?:'d|\s+would)\s+(?:prefer|rather|appreciate|welcome|love)\b|\byour\s+(?:need|needs|wish|hope|request)\b"
    r"|\byou(?:'re|\s+are|\s+were)\s+(?:keen|counting\s+on|relying\s+on|wanting|needing|longing|after)\b"
    r"|\b(?:a\s+)?(?:priority|must)\s+for\s+you\b|\bwhat\s+would\s+help\s+(?:you\s+)?(?:is|would\s+be)\b"
    r"|\byou\s+(?:value|rely\s+on|deserve)\b|\bnon-negotiable\s+for\s+you\b"
    r"|\b(?:is|are|that's|that\s+is)\s+what\s+would\s+help\b|\bwould\s+(?:really\s+)?help\s+you\b"
    r"|\bwhat\s+you(?:'d|\s+would)\s+(?:like|want|prefer|love|need)\b|\byou(?:'d|\s+would)\s+feel\s+(?:better|easier|"
    r"safer|calmer|more\s+\w+)\s+if\b|\byou(?:'re|\s+are)\s+looking\s+to\b"
    r"|\byou(?:'re|\s+are)\s+not\s+(?:willing|prepared|ready)\s+to\s+(?:give\s+up|lose|compromise|let\s+go)\b"
    r"|\bfor\s+you,?\s+(?:[\w'-]+\s+){1,4}(?:should|has\s+to|have\s+to|needs\s+to|must)\b"
)
_NEED_NOUN_RE = PhraseMatcher(lx.NEED_WORDS)

_CHECKIN = LazyPattern(
    r"^(?:so,?\s+|and\s+)?(?:did|have|do|am|is|does|was|would|could|can|has)\s+(?:i|that|this|there)\b.{0,40}"
    r"\b(?:right|it|understood|understand|get|got|hear|heard|miss|missed|missing|close|fair|accurate|"
    r"capture|captured|correct|sum|meant|mean|sound|say|said|summed|fit|fits|land|landed|follow|more|else|"
    r"anything|add|missing|left)\b"
    r"|^(?:is|does)\s+that\s+(?:right|it|fair|close|accurate|about\s+right|correct|sound\s+right)"
    r"|^(?:anything|what)\s+(?:else\s+)?(?:did\s+)?i(?:'ve)?\s+(?:miss|missed|leave|left|get\s+wrong)"
    r"|^(?:right|correct|fair|yes|is\s+that\s+it|close|am\s+i\s+close)\s*\?$"
    r"|\b(?:that|this)\s+(?:right|fair|accurate|close|about\s+right|a\s+fair\s+summary)\s*\?$"
    r"|\bi(?:'ve)?\s+(?:got|get|understood|heard|missed|captured|left\s+out|misunderstood)\b[^?]{0,30}\?$"
    r"|\banything\s+(?:else|to\s+add|i(?:'ve)?\s+(?:missed|left\s+out|got\s+wrong))\b|^how\s+(?:close|accurate)\b"
    r"|\b(?:how's|how\s+is|does)\s+that\s+(?:sound|fit|land|compare)\b|\bam\s+i\s+(?:on\s+track|close|right)\b"
)
_QWORD = LazyPattern(
    r"^(?:so,?\s+|and\s+|but\s+|ok,?\s+|okay,?\s+|well,?\s+)?(?:who|what|when|where|why|which|how|do|does|did|"
    r"are|is|was|were|would|could|can|will|have|has|had|should|shall|am|isn't|aren't|don't|didn't|wasn't|"
    r"won't|wouldn't|couldn't|whose)\b"
)
_ADVICE = GatedRegex(
    r"(?:^|(?<=[.!?]\s)|(?<=[.!?]\s\s))(?!(?:let\s+me|let's\s+see|tell\s+me\s+(?:if|whether)|see\s+if|stop\s+me|"
    r"check\s+(?:me|my\s+understanding|i've|i\s+have)|correct\s+me)\b)(?:(?:so|then|honestly|maybe|perhaps|just|next\s+time|in\s+future|"
    r"in\s+the\s+future|going\s+forward|also|and)\s*,?\s+)*(?:just\s+)?"
    r"(?:try|put|ask|call|send|use|find|talk|speak|tell|take|write|book|set|start|make|let|keep|give|go|"
    r"check|bring|raise|document|escalate|switch|share|add|block|mute|wear|buy|consider|remember|email|"
    r"message|plan|learn|focus|relax|ignore|push|step|loop|cc|flag|record|note|leave|skip|sort|stop|"
    r"don't|do(?!\s+(?:you|i|we|they|he|she|it|your)\b)|be|get|grab|move|pick|sit|think|look|speak|sleep|turn|"
    r"see|reach|post|stick|batch)\b"
    r"|\bi\s+think\s+you\s+(?:need|should|ought|have|must)\s+to\b|\bi\s+think\s+you\s+should\b"
    r"|(?:^|(?<=[.!?]\s))(?:maybe|perhaps|just|next\s+time,?|in\s+future,?|why\s+not)\s+(?!(?:you|i|we|it|they|he|she|"
    r"the|that|this|a|an|not|because|one|two|three|a\s+few|once|twice|me|my|your|so|as|like|what|when|how|about|"
    r"after|before|for|to|in|on|at|over|under|enough|only|some|another|then|now|still|again|being|having|"
    r"there|here|all|both|each|every|no|yes|ok|okay|right|fine|sorry|thinking|wondering|feeling)\b)[a-z]{3,}\b"
    r"|\byou\s+(?:should(?!\s+(?:have|'ve|be|not\s+have)\b)|could(?!\s+(?:have|'ve|plan|say|finish|land|get\s+your)\b)|"
    r"might\s+want\s+to|may\s+want\s+to|ought\s+to|might\s+try|"
    r"might\s+consider|can\s+always|could\s+always|can\s+just|need\s+to\s+learn|need\s+to\s+try|"
    r"'d\s+better|had\s+better|must\s+(?!be|have|'ve))"
    r"|\b(?:have|had)\s+you\s+(?:tried|thought\s+about|considered|asked)\b|\bwhy\s+(?:don't|not|didn't)\s+you\b"
    r"|\bwhat\s+if\s+you\b|\bhow\s+about\s+(?:you|trying|just|we)\b|\bi(?:'d|\s+would)\s+(?:suggest|recommend|"
    r"advise)\b|\bmy\s+(?:advice|suggestion|tip)\b|\bit\s+(?:might|would|could|may)\s+help\s+(?:if\s+you|to)\b"
    r"|\bnext\s+time,?\s+(?:just|try|you\s+(?:could|should|can|might))\b|\bcould\s+you\s+(?:maybe\s+|just\s+|"
    r"perhaps\s+)?(?:find|try|get|ask|put|use|talk|send|book|start|share)\b|\bif\s+i\s+were\s+you\b"
    r"|\bthe\s+trick\s+is\b|\byou\s+don't\s+have\s+to\s+(?:handle|do|deal|carry|take)\b"
    r"|\bthat\s+would\s+make\s+(?:\w+\s+)?(?:easier|simpler|better)\b"
)
_ADVICE_BLOCK = re.compile(r"\b(?:so|so\s+that|that|where|when|if|until|before|and\s+so)\s+$")

_REBUT_MARKER = GatedRegex(
    r"\b(?:but|however|although|though|that\s+said|having\s+said\s+that|even\s+so|then\s+again|"
    r"on\s+the\s+other\s+hand|in\s+fairness|to\s+be\s+fair|in\s+my\s+defen[cs]e|the\s+thing\s+is|"
    r"the\s+truth\s+is|the\s+reality\s+is|the\s+fact\s+is)\b"
    r"|(?:^|(?<=[.!?]\s))still\b"
    # "yet" as a conjunction ("…, yet I had to"), not the adverb ("you hadn't agreed yet")
    r"|\byet\b(?!\s*[,.;:!?]|$)(?=\s+(?:i|we|you|the|it|that|this|my|your|there|they|he|she|[a-z]+ed)\b)"
)
_STRONG_REBUT = GatedRegex(
    r"\b(?:the\s+thing\s+is|in\s+my\s+defen[cs]e|to\s+be\s+fair|in\s+fairness|the\s+truth\s+is|"
    r"the\s+reality\s+is|the\s+fact\s+is|that's\s+not\s+(?:true|what\s+happened|fair)|that\s+isn't\s+true|"
    r"i\s+had\s+no\s+(?:choice|option|room)|not\s+my\s+fault|i\s+was\s+(?:only|just)\s+(?:trying|following|doing)|"
    r"i\s+was\s+actually|(?:i|we)\s+did\s+(?:tell|say|send|mention|warn|try|ask)|"
    r"i\s+(?:can't|cannot|couldn't)\s+(?:override|change|help|do\s+anything|control)|"
    r"nothing\s+(?:i|we)\s+could\s+(?:do|have\s+done)|(?:my|our)\s+hands\s+(?:were|are)\s+tied|out\s+of\s+my\s+hands|"
    r"(?:wasn't|isn't|was\s+not|is\s+not|not)\s+(?:my\s+call|up\s+to\s+me|my\s+decision)|"
    r"i\s+was\s+(?:told|asked|instructed)\s+to|(?:i|we)\s+had\s+no\s+(?:choice|option|say|other\s+option))\b"
    r"|\bthough\s*(?:[.,!]|$)|(?:^|(?<=[.!?]\s))(?:still|actually|in\s+fact)\s*,"
)
_ACK = GatedRegex(
    r"(?:^|(?<=[.!?]\s))(?:i\s+(?:hear|understand|can\s+see|see|get|know|realise|realize|appreciate|"
    r"can\s+imagine)|i'm\s+sorry|i\s+am\s+sorry|sorry|fair\s+enough|ok|okay|you\s+(?:feel|were|felt|had))\b"
    r"|\bi\s+get\s+it\b"
)
_JUSTIFY = LazyPattern(
    r"\b(?:because|since|so\s+(?:i|we)|had\s+to|have\s+to|couldn't|can't|cannot|wasn't\s+able|"
    r"no\s+(?:room|choice|time|option|way)|rules?|policy|process|procedure|protocol|required|requirement|"
    r"mandatory|standard|(?:isn't|not|wasn't)\s+(?:realistic|possible|feasible|practical|my|up\s+to)|"
    r"really\s+did|did\s+have|actually|in\s+fact|only\s+\w+ing|just\s+\w+ing|limited\s+to|"
    r"short(?:-staffed)?|understaffed|busy|swamped|stretched|overloaded|too\s+much|for\s+us|on\s+our\s+side|"
    r"came\s+from|(?:the\s+client|management|head\s+office|leadership|the\s+boss|hr|finance|legal|the\s+director|"
    r"the\s+customer|the\s+customers|they)\s+(?:asked|wanted|decided|told|said|insisted|required|change|changed)|"
    r"budget|deadline|approved|approve|automatically|the\s+system|the\s+software|the\s+tool|"
    r"(?:asked|told|wanted|needed|instructed)\s+(?:me|us)\s+to|fault|faulty|broken|glitch|bug|itself|themselves|"
    r"by\s+design|anyway|everyone\s+else|nobody\s+else|other\s+people)\b"
)
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|we|we're|we've|we'd|my|our|us|me)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|you're|you've|you'd|you'll|your|yours|yourself)\b")

_JUDGE_ADJ = (
    *lx.JUDGEMENT_ADJECTIVES,
    "oversensitive",
    "sensitive",
    "touchy",
    "precious",
    "fussy",
    "picky",
    "inflexible",
    "uptight",
    "negative",
    "emotional",
    "defensive",
    "paranoid",
    "overreacting",
    "overdramatic",
    "thin-skinned",
    "particular",
    "territorial",
    "possessive",
    "intense",
    "extreme",
)
# "you're (being) (a bit) X": X is looked up in a word set (cheaper than a regex of every adjective)
_YOU_ARE_X = GatedRegex(
    r"\byou(?:'re|\s+are|\s+were|\s+seem|\s+sound|\s+come\s+across\s+as|\s+can\s+be|'ve\s+been|\s+get)\s+"
    r"(?:being\s+|just\s+|a\s+bit\s+|quite\s+|too\s+|so\s+|rather\s+|really\s+|very\s+|overly\s+|pretty\s+|"
    r"kind\s+of\s+|a\s+little\s+|awfully\s+|way\s+too\s+|bit\s+|such\s+|an?\s+|a\s+real\s+|\w+\s+)*?"
    r"((?:a\s+)?[\w'-]+)\b"
)
_JUDGEMENT = GatedRegex(
    r"\btaking\s+(?:\w+\s+){0,4}(?:too\s+)?personally\b|\bkeeping\s+score\b|\bplaying\s+the\s+victim\b"
    r"|\bsomething\s+(?:for\s+you|you\s+(?:need|have|ought))\s+to\s+work\s+on\b|\ba\s+risk\s+you\s+(?:chose|decided|took)\b"
    r"|\byou(?:'d|\s+would)\s+(?:just\s+)?rather\b.{0,60}\bthan\b"
    r"|\b(?:isn't|is\s+not|not)\s+(?:really\s+)?how\s+(?:a\s+)?(?:good\s+)?\w+\s+works?\b"
    r"|\blooking\s+for\s+(?:a\s+reason|an\s+excuse|someone\s+to\s+blame|trouble|a\s+fight)\b|\bout\s+to\s+get\s+me\b"
    r"|\btrying\s+to\s+(?:get\s+me|make\s+me\s+look|score\s+points)\b|\bget(?:ting)?\s+me\s+in(?:to)?\s+trouble\b"
    r"|\byou\s+need\s+to\s+be\s+(?:more|less)\b|\byou\s+(?:could|should)\s+(?:try\s+to\s+)?be\s+(?:more|less)\b"
    r"|\b(?:overreacting|overthinking|mak(?:e|ing)\s+a\s+(?:big\s+deal|fuss|drama|scene|mountain|song\s+and\s+dance)|"
    r"blowing\s+(?:it|this|things)\s+out\s+of"
    r"|too\s+touchy|thin[- ]skinned|toughen\s+up|thicker\s+skin|your\s+(?:own\s+)?(?:problem|issue|fault))\b"
    r"|\bwhich\s+(?:honestly\s+|frankly\s+|really\s+)?(?:is|isn't)\s+(?:something\s+for\s+you|on\s+you|your\s+"
    r"(?:problem|issue|job)|(?:really\s+)?how|a\s+bit\s+much|kind\s+of\s+(?:the|your))\b"
    r"|\b(?:it|that)\s+was\s+clearly\b|\bthat's\s+(?:just\s+)?(?:teaching|retail|life|business|the\s+job|"
    r"how\s+it\s+works|how\s+it\s+is)\b|\byou\s+knew\s+the\s+risk\b|\bthat's\s+on\s+you\b"
)
_I_THINK_YOU = re.compile(r"\bi\s+think\s+you(?:'re|\s+are)\s+((?:\w+\s+){0,2}\w+)")
_JUDGED_WORDS = frozenset(_JUDGE_ADJ) | frozenset(lx.INSULTS)
_INSULT_AT_YOU = GatedRegex(r"\byou(?:'re|\s+are)\s+(?:a\s+|an\s+|such\s+a\s+|so\s+|really\s+)?(?:[\w-]+)\b")
_MINIMISE = GatedRegex(
    r"\b(?:it|that|this|those|these|they)(?:'s|\s+is|\s+was|\s+were|\s+are)\s+(?!(?:only|just)\s+(?:after|before|"
    r"when|then|because|once|later|as|through|until|by|from|at|in|on|since|now|recently)\b)(?:only|just|merely|simply|"
    r"hardly|barely)\b"
    r"|(?:^|(?<=[.!?]\s))(?:only|just)\s+(?:a|an|one|two|a\s+couple|a\s+few|once|twice|\d+)\b"
    r"|\b(?:not|hardly|isn't|wasn't)\s+(?:a\s+)?(?:big\s+deal|the\s+end\s+of\s+the\s+world|that\s+bad|a\s+disaster|"
    r"that\s+serious|a\s+big\s+thing|a\s+huge\s+deal)\b|\bno\s+big\s+deal\b"
    r"|\b(?:nobody|no\s+one|no-one)(?:'s|\s+is|\s+will|\s+would|\s+even|\s+really|\s+was|\s+else)\b[^.!?]{0,40}?"
    r"\b(?:remember|notice|noticed|care|cares|mind|minded|in\s+danger|hurt|bothered|see|saw)\b"
    r"|\bi\s+doubt\s+(?:anyone|anybody|they|it)\b|\b(?:totally|completely|perfectly|pretty|quite|just|"
    r"entirely)\s+normal\b|\beveryone\s+(?:feels|gets|goes\s+through|has|struggles|makes|deals)\b"
    r"|\bhappens\s+to\s+(?:everyone|everybody|all\s+of\s+us|the\s+best)\b|\bdon't\s+let\s+it\s+(?:get\s+to|bother)\b"
    r"|\byou're\s+doing\s+(?:fine|great|ok|okay)\b|\bno\s+harm\s+done\b|\bcould\s+have\s+been\s+worse\b"
    r"|(?<!or\s)\bat\s+least\s+(?:it|nobody|no\s+one|they|nothing|the)\b|\bit's\s+not\s+like\b"
    r"|\b(?:was|were|is|are|turned\s+out)\s+(?:fine|ok|okay|alright)\s+in\s+the\s+end\b|\bno\s+need\s+to\s+(?:make|get)\b"
    r"|\bseemed\s+(?:fine|ok|okay|happy|alright|all\s+right)\b|\bget\s+over\s+it\b|\bmove\s+on\b|\bcalm\s+down\b"
    r"|\bit's\s+nothing\b|\bout\s+of\s+proportion\b|\b(?:tiny|little|small|minor)\s+(?:thing|moment|"
    r"issue|mistake|slip|hiccup|detail)\b|\bthese\s+things\s+happen\b|\bpart\s+of\s+the\s+job\b"
    r"|\bmost\s+[\w-]+(?:\s+[\w-]+)?\s+(?:are|were)\s+(?:quiet|fine|ok|okay)\b|\bnobody\s+was\s+really\b"
    r"|\bjust\s+(?:normal|how|part)\b|\bnot\s+(?:really\s+)?(?:in\s+danger|a\s+problem)\b"
    r"|\bcrazy\s+night\s+for\s+everyone\b|\bfor\s+everyone\b[^.!?]{0,20}\bnormal\b|\bit\s+was\s+(?:a\s+)?(?:tiny|"
    r"little|small|quick|short)\b"
)

_DAYS = GatedRegex(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|"
    r"july|august|september|october|november|december)\b"
)
_NOT_NAMES = frozenset(
    {
        "i",
        "slack",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "english",
        "did",
        "is",
        "have",
        "hr",
        "qa",
        "api",
        "pr",
        "ok",
    }
)


@dataclass(slots=True)
class _Text:
    raw: str
    norm: str
    sents: list[tuple[int, int]]
    doc: Doc
    words: list[str] = field(default_factory=list)  # what ``words(norm)`` gives
    role_tokens: list[str] = field(default_factory=list)
    content: set[str] = field(default_factory=set)
    sent_content: list[set[str]] = field(default_factory=list)
    sent_numbers: list[set[int]] = field(default_factory=list)
    nums: set[int] = field(default_factory=set)
    word_runs: list[str] | None = None  # ``\w+`` runs, on first use (see _runs)


_PRON_CONTRACTED = frozenset({"it", "that", "there", "what", "he", "she"})


def _role_of(w: str, speaker_is_b: bool) -> tuple[str, ...]:
    """The role tokens one word becomes: "I" -> B (the speaker) or A, "you're" -> A/B + "be", …"""
    base, suffix = w, ""
    if "'" in w:
        for c in _CONTRACT:
            if w.endswith(c) and len(w) > len(c):
                base, suffix = w[: -len(c)], c
                break
    if base in _B_PRON or base == "i":
        head = "B" if speaker_is_b else "A"
    elif base in _A_PRON:
        head = "A" if speaker_is_b else "B"
    elif base in _BE:
        head = "be"
    else:
        head = stem(base) if base not in STOPWORDS else base
    if not suffix:
        return (head,)
    return (head, *(_CONTRACT[suffix] if base not in _PRON_CONTRACTED else ["be"]))


@lru_cache(maxsize=16384)
def _role_of_b(w: str) -> tuple[str, ...]:
    return _role_of(w, True)


@lru_cache(maxsize=16384)
def _role_of_a(w: str) -> tuple[str, ...]:
    return _role_of(w, False)


def _role_tokens(ws: list[str], speaker_is_b: bool) -> list[str]:
    # map() and chain run in C; the role of each word is cached
    return list(chain.from_iterable(map(_role_of_b if speaker_is_b else _role_of_a, ws)))


@lru_cache(maxsize=16384)
def _content_stem(w: str) -> str | None:
    """The stem of a content word (not a stopword, longer than two letters, not a number), else None."""
    return stem(w) if w not in STOPWORDS and len(w) > 2 and not w.isdigit() else None


def _content_words(ws: list[str]) -> set[str]:
    found = set(map(_content_stem, ws))
    found.discard(None)
    return cast("set[str]", found)


def _content(norm: str) -> set[str]:
    return _content_words(words(norm))


_OTHER_DIGIT = re.compile(r"[^\D0-9]")  # a decimal digit other than 0-9 (numbers() reads those too)


def _prep(raw: str, speaker_is_b: bool) -> _Text:
    norm = normalise(raw)
    sents = sentence_spans(norm)
    doc = Doc(norm, sents)
    ws, starts, ends = doc.words()
    # Every word lies inside one sentence span (spans end and start at white space or punctuation), so
    # the words of each sentence are a run of the text's words: no need to tokenise each sentence again.
    sent_words: list[list[str]] = []
    i = 0
    for a, b in sents:
        i = bisect_left(starts, a, i)
        j = bisect_right(ends, b, i)
        sent_words.append(ws[i:j])
        i = j
    sent_content = [_content_words(sw) for sw in sent_words]
    # numbers() finds nothing in a sentence none of whose words holds a digit or a number word
    other_digits = not norm.isascii() and _OTHER_DIGIT.search(norm) is not None
    sent_numbers = [
        numbers(norm[a:b]) if other_digits or any(map(may_hold_number, sw)) else set()
        for (a, b), sw in zip(sents, sent_words, strict=True)
    ]
    return _Text(
        raw,
        norm,
        sents,
        doc,
        ws,
        _role_tokens(ws, speaker_is_b),
        set().union(*sent_content),
        sent_content,
        sent_numbers,
        set().union(*sent_numbers),
    )


_WORD_RUN = re.compile(r"\w+")
# The words _FIRST_PERSON and _SECOND_PERSON match are whole \w runs ("i'm" matches as "i", "you're" as
# "you"), so counting runs counts their matches; the runs that show the text addresses "you" (or "u"):
_FIRST_RUNS = frozenset({"i", "we", "my", "our", "us", "me"})
_SECOND_RUNS = frozenset({"you", "your", "yours", "yourself"})
_ADDRESS_RUNS = _SECOND_RUNS | {"u"}


def _runs(t: _Text) -> list[str]:
    """The ``\\w+`` runs of the text (one scan serves every count of first- and second-person words)."""
    if t.word_runs is None:
        t.word_runs = _WORD_RUN.findall(t.norm)
    return t.word_runs


def _copy_stats(orig: list[str], refl: list[str], n: int = 4) -> tuple[float, int]:
    """Share of reflection tokens inside an n-gram copied from the original, and the longest run."""
    if len(refl) < n or len(orig) < n:
        return 0.0, 0
    grams = set(zip(*(orig[k:] for k in range(n)), strict=False))
    hits = [i for i, gram in enumerate(zip(*(refl[k:] for k in range(n)), strict=False)) if gram in grams]
    if not hits:
        return 0.0, 0
    covered = [False] * len(refl)
    run_of_n = [True] * n
    for i in hits:
        covered[i : i + n] = run_of_n
    longest = run = 0
    for c in covered:
        run = run + 1 if c else 0
        longest = max(longest, run)
    return sum(covered) / len(refl), longest


_FEEL_CHECK_SELF = re.compile(r"\b(?:hurt|embarrass|stung|upset|frustrat|worr)")
_FEEL_SELF = LazyPattern(
    r"\b(?:i|i'm|i\s+was|i've\s+been|i\s+felt|i\s+feel|me\s+too|for\s+me)\b\s*(?:\w+\s+){0,2}"
    r"(?:hurt|embarrass|stung|upset|frustrat|worr|stress|anxious|tired|sad)"
)
_FEEL_VERB = re.compile(r"\b(?:feel|felt|feeling)\b")
_NOT_JUST = re.compile(r"\b(?:not\s+just|n't\s+just)\b")


class _Clauses:
    """The clauses of a text, split sentence by sentence only where a lookup needs them.

    ``before(pos)`` is the last clause (of the whole text) starting at or before ``pos``: the clauses of
    all sentences, in order, searched with bisect, without splitting sentences nobody asks about.
    """

    __slots__ = ("_by_sent", "_sent_starts", "t")

    def __init__(self, t: _Text) -> None:
        self.t = t
        self._sent_starts = [a for a, _ in t.sents]
        self._by_sent: dict[int, tuple[list[tuple[int, int]], list[int]]] = {}

    def _of(self, si: int) -> tuple[list[tuple[int, int]], list[int]]:
        got = self._by_sent.get(si)
        if got is None:
            a, b = self.t.sents[si]
            spans = clause_spans(self.t.norm, a, b)
            got = self._by_sent[si] = (spans, [c[0] for c in spans])
        return got

    def before(self, pos: int) -> tuple[int, int] | None:
        si = bisect_right(self._sent_starts, pos) - 1
        while si >= 0:
            spans, starts = self._of(si)
            j = bisect_right(starts, pos) - 1
            if j >= 0:
                return spans[j]
            si -= 1
        return None


def _feelings(t: _Text, for_reflection: bool, want_faux: bool = True) -> tuple[set[str], bool]:
    """Feeling families attributed to B; and whether a faux feeling was attributed to B.

    With ``want_faux`` False the second value is not worked out (always False).
    """
    fams: set[str] = set()
    feel_matches = _FEEL_RE.finditer(t.doc)
    faux_matches = _FAUX_RE.finditer(t.doc) if want_faux else []
    if not feel_matches and not faux_matches:
        return fams, False
    clauses = _Clauses(t)
    verdict: dict[tuple[int, int], bool] = {}

    def clause_ok(span: tuple[int, int]) -> bool:
        if span in verdict:
            return verdict[span]
        ca, cb = span
        clause = t.norm[ca:cb]
        has_first = bool(_FIRST_PERSON.search(clause))
        has_second = bool(_SECOND_PERSON.search(clause))
        ok = True
        if for_reflection and has_first and not has_second:
            # A speaking of themselves ("hard for me too"), unless it is B's feeling about A's act
            ok = bool(_FEEL_CHECK_SELF.search(clause)) and not _FEEL_SELF.search(clause)
        if not for_reflection and has_second and not has_first:
            ok = False
        verdict[span] = ok
        return ok

    for m in feel_matches:
        span = clauses.before(m.start())
        if span is None or m.start() >= span[1] or not clause_ok(span):
            continue
        ca, cb = span
        w = m.group()
        pre = t.norm[ca : m.start()]
        if w in lx.AMBIGUOUS_FEELINGS and not _FEEL_FRAME.search(pre[-40:]):
            continue
        if w == "hurt" and _PHYSICAL_HURT.search(t.norm, ca, cb):
            continue
        if _NEG.search(pre[-25:]) and not _NOT_JUST.search(pre[-25:]):
            continue
        fams.add(_FEEL_WORD_FAMILY[w])
    faux = False
    for m in faux_matches:
        span = clauses.before(m.start())
        if span is not None and _FEEL_VERB.search(t.norm, span[0], span[1]):
            faux = True
            break
    return fams, faux


_NEED_NEG = re.compile(r"(?:\b(?:do|did|not|never)|n't)\s+$")


def _need_named(t: _Text) -> tuple[bool, bool]:
    """(marker of a need attributed to B, a need word present)."""
    marker = False
    for m in _NEED_RE.iterate(t.doc):
        pre = t.norm[max(0, m.start() - 12) : m.start()]
        if _NEED_NEG.search(pre):
            continue
        seg = t.norm[m.start() : m.end() + 20]
        if re.search(r"\bneed\s+to\s+(?:learn|try|stop|calm|relax|toughen|work\s+on|get\s+over)\b", seg):
            continue
        marker = True
        break
    return marker, bool(_NEED_NOUN_RE.search(t.doc))


_FEEL_STEMS = frozenset(stem(w) for w in _FEEL_WORD_FAMILY)


def _point_coverage(orig: _Text, refl: _Text) -> tuple[float, float]:
    """(share of the original's points covered, share of the original's content words reused)."""
    rc = refl.content
    rc_pref = {w[:5] for w in rc if len(w) >= 5}
    rnums = refl.nums
    points = 0
    covered = 0.0
    for i in range(len(orig.sents)):
        words = orig.sent_content[i] - _FEEL_STEMS
        if len(words) < 2:
            continue
        points += 1
        hit = {w for w in words if w in rc or (len(w) >= 5 and w[:5] in rc_pref)}
        nums = orig.sent_numbers[i] & rnums
        score = (len(hit) + 2 * len(nums)) / max(2.0, min(len(words), 6) * 0.5)
        covered += min(1.0, score)
    frac = covered / points if points else 0.0
    total = len(orig.content) or 1
    reuse = len(orig.content & rc) / total
    return frac, reuse


_TIMES_WORDS = {"twice": 2, "thrice": 3}
_PAIR_WORDS = frozenset(_TIMES_WORDS) | _NUMBER_WORD_SET  # words _number_pairs looks at (and digits)
_NUM_FILLER = frozenset({"more", "other", "extra", "whole", "full", "long", "short", "straight", "separate"})


@lru_cache(maxsize=4096)
def _word_numbers(w: str) -> frozenset[int]:
    return frozenset(numbers(w))


def _number_pairs(t: _Text, window: int) -> dict[str, set[int]]:
    """Counted nouns and their numbers: "four times" -> tim: {4}; "twice" -> tim: {2}.

    With ``window`` > 1 every number up to that many words either side of a noun counts for it, so
    "5 of the last 8 weekends" gives weekend: {5, 8} (used, leniently, for the original).
    """
    out: dict[str, set[int]] = {}
    if not t.nums:
        return out
    ws = t.words
    nums: list[tuple[int, int]] = []
    for i in [i for i, w in enumerate(ws) if w in _PAIR_WORDS or w[0].isdigit()]:
        w = ws[i]
        if w in _TIMES_WORDS:
            out.setdefault(stem("times"), set()).add(_TIMES_WORDS[w])
        elif w[0].isdigit() or w in _NUMBER_WORD_SET:
            got = _word_numbers(w)
            if len(got) == 1:
                nums.append((i, next(iter(got))))
    is_num = {i for i, _ in nums}

    def noun_at(j: int) -> str | None:
        if j < 0 or j >= len(ws) or j in is_num:
            return None
        w = ws[j]
        if len(w) < 3 or w in STOPWORDS or w in _NUM_FILLER or w in _TIMES_WORDS:
            return None
        return stem(w)

    for i, val in nums:
        if window == 1:
            j = i + 1
            if j < len(ws) and ws[j] in _NUM_FILLER:
                j += 1
            targets = [noun_at(j)]
        else:
            targets = [noun_at(j) for j in range(i - window + 1, i + window + 1) if j != i]
        for noun in targets:
            if noun:
                out.setdefault(noun, set()).add(val)
    return out


def _number_clash(orig: _Text, refl: _Text) -> tuple[int, set[int]] | None:
    """A number the original uses, but for a different count ("six weeks" said as "six times")."""
    rp = _number_pairs(refl, 1)
    if not rp:
        return None
    op = _number_pairs(orig, 6)
    for noun, vals in sorted(rp.items()):
        if noun in op and not vals & op[noun]:
            return min(vals), op[noun]
    return None


_RAW_WORD = re.compile(r"[\w'-]+")


def _number_phrase(raw: str, value: int) -> str:
    """The words that say ``value`` in a text, with the word after them: "four times", "3 pm"."""
    toks = list(_RAW_WORD.finditer(raw))
    for i, m in enumerate(toks):
        w = m.group().lower()
        if _TIMES_WORDS.get(w) == value or value in _word_numbers(w):
            nxt = toks[i + 1].group().lower() if i + 1 < len(toks) else ""
            with_next = nxt.isalpha() and nxt not in STOPWORDS and w not in _TIMES_WORDS
            end = toks[i + 1].end() if with_next else m.end()
            return raw[m.start() : end]
    return str(value)


_CAPITAL = re.compile("[A-Z\u212a]")


def _capitalised(t: _Text) -> list[tuple[str, int, int]]:
    """The words longer than two letters, not first in a sentence, whose first raw character is upper case.

    Where normalising kept every character in its place (the same length), the first character of a
    word is upper case exactly when it is A-Z or the Kelvin sign: the only characters that lower-case to
    an ASCII letter. So only the words starting at those characters are looked at.
    """
    starts = {a for a, _ in t.sents}
    raw = t.raw
    toks = t.doc.tokens
    if len(raw) != len(t.norm):
        # Offsets are the normalised text's; past the raw text's end there is no capital to find.
        return [
            tok
            for tok in toks
            if tok[1] not in starts and len(tok[0]) > 2 and tok[1] < len(raw) and raw[tok[1]].isupper()
        ]
    token_starts = t.doc.token_starts
    out: list[tuple[str, int, int]] = []
    for m in _CAPITAL.finditer(raw):
        a = m.start()
        i = bisect_left(token_starts, a)
        if i < len(toks) and token_starts[i] == a and a not in starts and len(toks[i][0]) > 2:
            out.append(toks[i])
    return out


def _names(t: _Text) -> list[str]:
    return [
        t.raw[a:b]
        for w, a, b in _capitalised(t)
        if w.isalpha()
        and t.raw[a + 1 : b].islower()
        and t.raw[a - 1 : a] not in {"'", '"'}
        and w not in _NOT_NAMES
    ]


def _distortions(orig: _Text, refl: _Text) -> list[Distortion]:
    found: list[Distortion] = []
    # a unit change is a fair paraphrase: "48 hours" as "two days", "two weeks" as "14 days"
    extra_nums = {
        n
        for n in refl.nums - orig.nums
        if not any(m == n * k or n == m * k for m in orig.nums for k in (7, 12, 24, 60))
    }
    clash = _number_clash(orig, refl)
    if extra_nums:
        n = min(extra_nums)
        near = sorted(orig.nums, key=lambda m: abs(m - n))[:1]
        said = _number_phrase(orig.raw, near[0]) if near else ""
        found.append(Distortion("number", _number_phrase(refl.raw, n), said))
    elif clash:
        wrote, said_vals = clash
        found.append(
            Distortion(
                "number",
                _number_phrase(refl.raw, wrote),
                " or ".join(_number_phrase(orig.raw, v) for v in sorted(said_vals)),
            )
        )
    orig_days = {m.group() for m in _DAYS.finditer(orig.doc)}
    extra_days = {m.group() for m in _DAYS.finditer(refl.doc)} - orig_days
    if extra_days:
        found.append(
            Distortion(
                "day",
                ", ".join(sorted(d.capitalize() for d in extra_days)),
                ", ".join(sorted(d.capitalize() for d in orig_days)),
            )
        )
    orig_words = orig.doc.index  # the words of the original (as keys)
    # a new name only counts as a distortion when the original names people itself
    orig_names = _names(orig)
    names = (
        []
        if not orig_names
        else [
            refl.raw[a:b]
            for w, a, b in _capitalised(refl)
            if w.isalpha() and refl.raw[a + 1 : b].islower() and refl.raw[a - 1 : a] not in {"'", '"'}
        ]
    )
    extra_names = {n for n in names if n.lower() not in orig_words and n.lower() not in _NOT_NAMES}
    if extra_names:
        found.append(Distortion("name", ", ".join(sorted(extra_names)), ", ".join(sorted(set(orig_names)))))
    swap = _role_swaps(orig, refl)
    if swap:
        found.append(Distortion("actor", swap, ""))
    if not any(d.kind == "number" for d in found):
        count = _count_or_frequency(orig, refl)
        if count:
            found.append(count)
    flip = _negation_flip(orig, refl)
    if flip:
        found.append(flip)
    return found


_TIMES = re.compile(
    r"\b(?:(once|twice|thrice)|(a\s+couple\s+of|a\s+few|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|\d+)\s+(?:more\s+|whole\s+|separate\s+)?times)\b"
)
_TIMES_VALUE = {"once": 1, "twice": 2, "thrice": 3, "a couple of": 2, "a few": 3}
_ORDINAL = re.compile(
    r"\b(second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|2nd|3rd|4th|5th|6th|7th|8th|9th|10th)\s+"
    r"(?:time|week|month|day|shift|night|weekend|year)\b"
)
_FREQUENCY = re.compile(
    r"\b(?:every\s+(?:single\s+)?(day|night|morning|evening|week|weekend|shift|month|year|time)|each\s+"
    r"(day|night|morning|week|weekend|shift|month)|(daily|nightly|weekly|monthly|yearly|annually)|most\s+"
    r"(days|nights|mornings|weeks|weekends|evenings)|once\s+a\s+(day|night|week|month|year|fortnight)|"
    r"every\s+other\s+(day|week|weekend|month))\b"
)
_FREQ_KEY = {"daily": "day", "nightly": "night", "weekly": "week", "monthly": "month", "yearly": "year"}


def _times(norm: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for m in _TIMES.finditer(norm):
        word = m.group(1) or m.group(2)
        val = _TIMES_VALUE.get(word)
        if val is None:
            got = _word_numbers(word)
            val = next(iter(got)) if len(got) == 1 else (1 if word == "one" else None)
        if val is not None:
            out.setdefault(val, m.group())
    return out


def _frequencies(norm: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _FREQUENCY.finditer(norm):
        key = next(g for g in m.groups() if g)
        if m.group(4):
            key = "most " + key
        elif m.group(5):
            key = "once a " + key
        elif m.group(6):
            key = "every other " + key
        out.setdefault(_FREQ_KEY.get(key, key), m.group())
    return out


def _count_or_frequency(orig: _Text, refl: _Text) -> Distortion | None:
    """How many times, which time, how often: said one way in the original, another in the reflection."""
    ot, rt = _times(orig.norm), _times(refl.norm)
    if ot and rt and not set(ot) & set(rt):
        return Distortion("number", next(iter(rt.values())), next(iter(ot.values())))
    oo = {m.group(1): m.group() for m in _ORDINAL.finditer(orig.norm)}
    ro = {m.group(1): m.group() for m in _ORDINAL.finditer(refl.norm)}
    if oo and ro and not set(oo) & set(ro):
        return Distortion("number", next(iter(ro.values())), next(iter(oo.values())))
    of, rf = _frequencies(orig.norm), _frequencies(refl.norm)
    if of and rf and not set(of) & set(rf):
        return Distortion("number", next(iter(rf.values())), next(iter(of.values())))
    return None


_NEGATOR = re.compile(
    r"\b(?:not|never|no|nobody|noone|nothing|without|neither|nor|rather\s+than|instead\s+of)\b|n't\b"
)
_EVENT_VERB = re.compile(
    r"\b(?:told|tell|telling|asked|ask|asking|invited|invite|warned|warn|paid|pay|included|include|"
    r"consulted|consult|replied|reply|answered|answer|signed|approved|approve|booked|book|copied|cc'd|"
    r"credited|credit|thanked|thank|informed|inform|mentioned|mention|showed|shown|turned\s+up|came|"
    r"checked|check|called|call|emailed|email|offered|offer|agreed|agree|knew|know|heard|given|gave|"
    r"got|received|sent|send|explained|explain|apologised|apologized|apologise|apologize|listened|listen)\b"
)


def _polarity(norm: str) -> dict[str, bool]:
    """For each event verb (stemmed) of a text: True when some mention of it is not negated."""
    out: dict[str, bool] = {}
    for m in _EVENT_VERB.finditer(norm):
        start = max(
            norm.rfind(".", 0, m.start()),
            norm.rfind(",", 0, m.start()),
            norm.rfind(";", 0, m.start()),
            norm.rfind(" and ", 0, m.start()) + 4,
            norm.rfind(" but ", 0, m.start()) + 4,
            m.start() - 28,
        )
        negated = bool(_NEGATOR.search(norm, start + 1, m.start()))
        key = stem(m.group().split()[0])
        out[key] = out.get(key, False) or not negated
    return out


def _negation_flip(orig: _Text, refl: _Text) -> Distortion | None:
    """An event the original says did *not* happen, told as if it did (or the other way round)."""
    op, rp = _polarity(orig.norm), _polarity(refl.norm)
    for key, positive in rp.items():
        if key in op and op[key] != positive:
            m = next((m for m in _EVENT_VERB.finditer(refl.norm) if stem(m.group().split()[0]) == key), None)
            n = next((n for n in _EVENT_VERB.finditer(orig.norm) if stem(n.group().split()[0]) == key), None)
            if m is None or n is None:
                continue
            return Distortion("negation", _clause_at(refl, m.start()), _clause_at(orig, n.start()))
    return None


def _clause_at(t: _Text, pos: int) -> str:
    """The words around ``pos``, up to the clause's ends, at most about eight words."""
    a = max(t.norm.rfind(ch, 0, pos) for ch in ".,;!?\n") + 1
    ends = [e for e in (t.norm.find(ch, pos) for ch in ".,;!?\n") if e != -1]
    b = min(ends) if ends else len(t.raw)
    words_ = t.raw[a:b].split()
    return " ".join(words_[:9]).strip()


_ROLE_VERB = GatedRegex(
    r"\b(i|you|we)\s+(?:(?:also|just|then|only|never|always|already|even|really|still|had|have|'ve|'d)\s+)*([a-z]+ed|"
    r"took|told|said|sent|put|gave|made|wrote|left|came|went|got|found|brought|moved|booked|asked|signed|"
    r"announced|presented|changed|cut|rewrote|forwarded|shouted|called|repeated)\b"
)
_ROLE_SKIP = frozenset(
    {
        "felt",
        "needed",
        "wanted",
        "liked",
        "hoped",
        "worried",
        "tired",
        "used",
        "got",
        "supposed",
        "asked",
        "called",
        "shocked",
        "stressed",
        "exhausted",
        "embarrassed",
        "panicked",
        "frustrated",
        "disappointed",
        "interested",
        "excited",
        "surprised",
        "confused",
        "annoyed",
        "scared",
        "deflated",
        "humiliated",
        "hurt",
        "started",
        "tried",
        "seemed",
        "looked",
        "sounded",
        "happened",
        "went",
        "came",
        "made",
    }
)


def _role_pairs(t: _Text, speaker_is_b: bool) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for m in _ROLE_VERB.finditer(t.doc):
        who, verb = m.group(1), m.group(2)
        if verb in _ROLE_SKIP or verb in STOPWORDS:
            continue
        if who == "we":
            continue
        role = ("B" if who == "i" else "A") if speaker_is_b else ("A" if who == "i" else "B")
        out.add((role, stem(verb)))
    return out


def _role_swaps(orig: _Text, refl: _Text) -> str:
    op = _role_pairs(orig, True)
    rp = _role_pairs(refl, False)
    for role, verb in sorted(rp):
        other = "A" if role == "B" else "B"
        if (other, verb) in op and (role, verb) not in op:
            return verb
    return ""


# a sentence that only acknowledges ("Okay.", "Mm-hmm.", "I see."), as a listener's turn often opens
_BACKCHANNEL = re.compile(
    r"^(?:ok(?:ay)?|right|alright|all\s+right|m+-?hm+|uh-?huh|yeah|i\s+see|got\s+it|hmm+|sure)\s*[.!]*$"
)


def _questions(t: _Text) -> tuple[int, int, int]:
    """(real questions, closing check-ins, declarative sentences); an acknowledgement alone is none."""
    real = checkin = decl = 0
    for a, b in t.sents:
        s = t.norm[a:b].strip()
        if _BACKCHANNEL.match(s):
            continue
        if s.endswith("?"):
            if _CHECKIN.search(s) or len(s.split()) <= 3:
                checkin += 1
            elif _QWORD.search(s):
                real += 1
            else:
                decl += 1
        else:
            decl += 1
    return real, checkin, decl


def _rebuttal(orig: _Text, refl: _Text) -> bool:
    norm = refl.norm
    m = _STRONG_REBUT.search(refl.doc)
    if m is not None:
        # "though" in B's story ("even though you'd booked it") is not a rebuttal
        if "though" in m.group() and not _FIRST_PERSON.search(norm[max(0, m.start() - 80) : m.start()]):
            pass
        else:
            return True
    ack = bool(_ACK.search(refl.doc))
    ack_lead = bool(_ACK_LEAD.match(norm))
    orig_pref = {x[:5] for x in orig.content}
    for m in _REBUT_MARKER.iterate(refl.doc):
        sent_end = next((b for a, b in refl.sents if a <= m.start() < b), len(norm))
        after = norm[m.end() : sent_end]
        # continue into the next sentence when the contrast clause is short
        words = _content(after)
        if not words:
            continue
        novel = len({w for w in words if w not in orig.content and w[:5] not in orig_pref})
        novelty = novel / len(words)
        first = bool(_FIRST_PERSON.search(after))
        second_lead = bool(re.match(r"\s*,?\s*(?:you|your|you're|you'd|you've)\b", after))
        justify = bool(_JUSTIFY.search(after))
        if second_lead:
            continue
        if justify and (first or novelty >= 0.5 or ack):
            return True
        if ack_lead and m.start() < 160:
            return True  # "I know it was hard, but …": acknowledge, then pivot to my side
        if ack and first and novelty >= 0.5:
            return True
    # no contrast word: "I hear you. The client set the date, so there was nothing I could do."
    if ack and _ACK_LEAD.match(norm):
        for a, b in refl.sents[1:]:
            sent = norm[a:b]
            if _FIRST_PERSON.search(sent) and _JUSTIFY.search(sent) and not _SECOND_LEAD.match(sent):
                return True
    return False


_ACK_LEAD = LazyPattern(
    r"\s*(?:i\s+(?:hear|understand|can\s+see|see|get|know|realise|realize|appreciate|can\s+imagine)|i'm\s+sorry|"
    r"i\s+am\s+sorry|sorry|fair\s+enough|ok|okay)\b"
)
_SECOND_LEAD = re.compile(r"\s*(?:and\s+|so\s+)?(?:you|your|you're|you'd|you've)\b")


def _advice(refl: _Text) -> bool:
    for m in _ADVICE.iterate(refl.doc):
        pre = refl.norm[max(0, m.start() - 12) : m.start()]
        if _ADVICE_BLOCK.search(pre):
            continue
        return True
    return False


def _self_focus(refl: _Text) -> float:
    runs = _runs(refl)
    first = sum(1 for w in runs if w in _FIRST_RUNS)
    second = sum(1 for w in runs if w in _SECOND_RUNS)
    if first + second == 0:
        return 0.5
    return first / (first + second)


def _judged_as(refl: _Text) -> bool:
    """'You're (being) (a bit) rigid / an idiot': a judgement or insult word right after "you're"."""
    for m in _YOU_ARE_X.iterate(refl.doc):
        tail = refl.norm[m.start(1) : m.start(1) + 40]
        for w in words(tail)[:3]:
            if w in _JUDGED_WORDS:
                pre = refl.norm[max(0, m.start() - 25) : m.start()]
                if not _NEED_NEG.search(pre) and "not" not in words(refl.norm[m.start() : m.start(1)]):
                    return True
    return False


_SOFTENERS = frozenset({"really", "so", "quite", "very", "feeling", "a", "bit", "pretty", "still", "also"})


def _opinion_about_them(refl: _Text) -> bool:
    """'I think you're …' followed by anything but a feeling is the listener's opinion of them."""
    for m in _I_THINK_YOU.finditer(refl.norm):
        words = [w for w in m.group(1).split() if w not in _SOFTENERS]
        if not words or words[0] not in _FEEL_WORD_FAMILY:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Distortion:
    """A detail of the reflection that differs from the original: ``wrote`` where they said ``said``."""

    kind: str  # number | day | name | actor | negation
    wrote: str
    said: str


@dataclass(frozen=True, slots=True)
class RuleAnalysis:
    """What the hand-written analysis finds in a reflection: the learned model's rule features."""

    rebuttal: bool
    advice: bool
    question: bool
    real_questions: int
    checkins: int
    declaratives: int
    judgement: bool
    minimising: bool
    sarcasm: bool
    coverage: float
    reuse: float
    distortions: tuple[Distortion, ...]
    self_focus: float
    addressed: bool
    speaks_of_self: bool
    feeling_named: bool
    feeling_matches: bool
    faux_feeling: bool
    need_marker: bool
    need_noun: bool
    off_topic: bool
    copy_share: float
    longest_copy: int
    facts: float
    feelings: float
    needs: float
    own_words: float
    neutrality: float
    rules_score: int


def analyse(original: str, reflection: str) -> RuleAnalysis:
    """The rule-based reading of a reflection of ``original``: gates, facts, feelings, needs, copying.

    Deterministic; no model. :func:`flows.coach.decide.score_reflection` combines it with the rule book
    and the embedding features.
    """
    orig = _prep(original, True)
    refl = _prep(reflection, False)
    real_q, checkin, decl = _questions(refl)
    is_advice = _advice(refl)
    is_rebuttal = _rebuttal(orig, refl)
    is_question = real_q > 0 and not is_advice
    gate = not (is_advice or is_rebuttal or is_question)
    judgement = bool(_JUDGEMENT.search(refl.doc)) or _judged_as(refl) or _opinion_about_them(refl)
    minimising = bool(_MINIMISE.search(refl.doc))
    sarcasm = bool(_SARCASM_STRONG.search(refl.doc))
    neutrality = 0.0 if (judgement or sarcasm or minimising) else W_NEUTRAL

    coverage, reuse = _point_coverage(orig, refl)
    facts = W_FACTS * min(1.0, coverage / 0.6)
    distortions = tuple(_distortions(orig, refl))
    self_focus = _self_focus(refl)
    addressed = not _ADDRESS_RUNS.isdisjoint(_runs(refl))
    speaks_of_self = not _FIRST_RUNS.isdisjoint(_runs(refl))
    rfeel, rfaux = _feelings(refl, True)
    marker, noun = _need_named(refl)
    about_them = bool(rfeel) and marker
    off_topic = (
        (coverage < 0.12 and not about_them)
        or (coverage < 0.3 and self_focus > 0.6)
        or (not addressed and speaks_of_self)
    )
    if off_topic:
        facts = min(facts, 5.0)
    if distortions:
        facts = max(0.0, facts - 20.0)
    ofeel, _ = _feelings(orig, False, want_faux=False)
    feelings = W_FEEL if rfeel & ofeel else (W_FEEL * 0.7 if rfeel else 0.0)
    needs = W_NEED if marker else (W_NEED * 0.5 if noun and not off_topic else 0.0)
    share, longest = _copy_stats(orig.role_tokens, refl.role_tokens)
    parroting = share >= 0.88
    own = 0.0 if parroting else W_OWN * max(0.0, min(1.0, (0.9 - share) / 0.5))

    raw = facts + feelings + needs + own + neutrality
    cap = 100.0
    if not gate:
        cap = 30.0
    if judgement or minimising or sarcasm:
        cap = min(cap, 30.0)
    if parroting:
        cap = min(cap, 45.0)
    if off_topic:
        cap = min(cap, 25.0)
    if distortions:
        cap = min(cap, 60.0)
    if not (feelings > 0 and marker):
        cap = min(cap, FORWARD_AT - 1.0)
    return RuleAnalysis(
        rebuttal=is_rebuttal,
        advice=is_advice,
        question=is_question,
        real_questions=real_q,
        checkins=checkin,
        declaratives=decl,
        judgement=judgement,
        minimising=minimising,
        sarcasm=sarcasm,
        coverage=coverage,
        reuse=reuse,
        distortions=distortions,
        self_focus=self_focus,
        addressed=addressed,
        speaks_of_self=speaks_of_self,
        feeling_named=bool(rfeel),
        feeling_matches=bool(rfeel & ofeel),
        faux_feeling=rfaux,
        need_marker=marker,
        need_noun=noun,
        off_topic=off_topic,
        copy_share=share,
        longest_copy=longest,
        facts=round(facts, 2),
        feelings=round(feelings, 2),
        needs=round(needs, 2),
        own_words=round(own, 2),
        neutrality=round(neutrality, 2),
        rules_score=round(max(0.0, min(raw, cap))),
    )


__all__ = ["Distortion", "RuleAnalysis", "analyse"]
