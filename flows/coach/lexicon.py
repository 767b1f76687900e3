"""The coach's own word lists.

Written for Common Ground. The idea of separating real feelings from "faux feelings" and of naming the
needs underneath comes from Nonviolent Communication (Marshall Rosenberg) and the Center for Nonviolent
Communication (CNVC) feelings and needs inventories, which we credit as inspiration; the lists below are
our own selection, wording and arrangement (no inventory is copied), grouped the way the coach uses them.
No NRC or LIWC material is used.

Absolutist words follow Al-Mosaiwi, M. & Johnstone, T. (2018), "In an Absolute State: Elevated Use of
Absolutist Words Is a Marker Specific to Anxiety, Depression, and Suicidal Ideation", Clinical
Psychological Science 6(4), 529–542. The coach only flags the frequency/time absolutes among them
(always, never, constantly…) when they describe a person, not a process.
"""

from __future__ import annotations

from typing import Final

# --- Absolutist words (Al-Mosaiwi & Johnstone 2018; published list, plus common multi-word forms) ---
ABSOLUTIST_WORDS: Final = (
    "absolutely", "all", "always", "complete", "completely", "constant", "constantly", "definitely",
    "entire", "ever", "every", "everyone", "everything", "full", "must", "never", "nothing", "totally",
    "whole",
)
# The subset that, said of a person's behaviour, over-generalises it (what the coach flags).
ABSOLUTE_FREQUENCY: Final = (
    "always", "never", "constantly", "continually", "continuously", "forever", "every time",
    "every single time", "each time", "every day", "every week", "every meeting", "all the time",
    "without fail", "nonstop", "non-stop", "not once", "never once", "every single",
)

# --- Real feelings, grouped into families (a family match counts as the same feeling) ---
FEELING_FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "fear": (
        "afraid", "scared", "frightened", "fright", "frighten", "fear", "fearful", "anxious", "anxiety",
        "worried", "worry", "worrying", "worries", "nervous", "uneasy", "panicked", "panicking", "panic",
        "panicky", "terrified", "alarmed", "apprehensive", "jittery", "dread", "dreading", "dreaded",
        "on edge", "spooked", "insecure", "unsafe", "concerned", "concern", "shaky",
    ),
    "anger": (
        "angry", "anger", "furious", "fury", "irritated", "irritating", "irritation", "annoyed",
        "annoying", "annoyance", "frustrated", "frustrating", "frustration", "resentful", "resentment",
        "resent", "resenting", "livid", "exasperated", "fed up", "outraged", "enraged", "bitter",
        "indignant", "aggravated", "infuriated", "infuriating", "grumpy", "mad", "cross", "upset",
        "angered", "riled", "incensed", "seething", "sore",
    ),
    "sadness": (
        "sad", "sadness", "hurt", "hurtful", "disappointed", "disappointing", "disappointment",
        "discouraged", "discouraging", "deflated", "deflating", "lonely", "loneliness", "alone",
        "heartbroken", "dejected", "unhappy", "disheartened", "disheartening", "demoralised",
        "demoralized", "demoralising", "crushed", "stung", "sting", "gutted", "down", "low", "blue",
        "hopeless", "despair", "grief", "grieving", "sorrow", "isolated", "left behind", "hurting",
    ),
    "shame": (
        "embarrassed", "embarrassing", "embarrassment", "embarassed", "embarassing", "ashamed", "shame",
        "humiliated", "humiliating", "humiliation", "mortified", "self-conscious", "exposed", "foolish",
        "small", "awkward", "guilty", "guilt", "stupid", "silly",
    ),
    "tired": (
        "tired", "exhausted", "exhausting", "exhaustion", "worn out", "worn down", "wearing you out",
        "wearing you down", "drained", "draining", "depleted", "weary", "burnt out", "burned out",
        "burnout", "fatigued", "spent", "sleepless",
    ),
    "confusion": (
        "confused", "confusing", "confusion", "puzzled", "puzzling", "lost", "unsure", "uncertain",
        "bewildered", "perplexed", "torn", "baffled", "disoriented", "unclear", "in the dark",
    ),
    "shock": (
        "shocked", "shock", "shocking", "surprised", "surprise", "stunned", "startled", "thrown",
        "blindsided", "caught off guard", "taken aback", "jolt", "jolted", "rattled", "shaken",
        "hit you cold", "shook", "shook you up", "unsettled", "unsettling", "unnerved", "unnerving",
    ),
    "stress": (
        "stressed", "stress", "stressful", "overwhelmed", "overwhelming", "under pressure", "swamped",
        "stretched", "frazzled", "tense", "tension", "strain", "strained", "squeezed", "pressured",
    ),
    "helpless": (
        "helpless", "powerless", "vulnerable", "stuck", "trapped", "uncomfortable", "distressed",
        "troubled", "disturbed",
    ),
    "positive": (
        "happy", "glad", "relieved", "grateful", "thankful", "hopeful", "excited", "calm", "content",
        "pleased", "proud", "touched", "encouraged", "curious", "comfortable", "confident",
        "appreciative", "delighted",
    ),
}
# Words that are feelings only when a feeling frame precedes them ("you felt lost", not "samples lost").
AMBIGUOUS_FEELINGS: Final = frozenset(
    {
        "lost", "down", "low", "blue", "small", "thrown", "exposed", "cross", "mad", "torn", "stuck",
        "hurt", "tense", "touched", "spent", "alone", "shock", "stress", "strain", "concern", "sting",
        "content", "stupid", "silly", "calm", "upset", "worry", "fear", "panic", "surprise", "unclear",
        "squeezed", "stretched", "jolt", "shaken", "pressured", "trapped", "isolated", "awkward",
        "shaky", "dread", "resent", "spooked", "unsafe", "guilt", "shame", "grief", "despair",
        "frighten", "fright", "left behind", "in the dark", "strained", "sore", "shook",
    }
)

# --- Faux feelings: words that describe what someone did to us; (feelings underneath, needs) ---
FAUX_FEELINGS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "abandoned": (("scared", "lonely", "hurt"), ("support", "connection")),
    "abused": (("scared", "hurt"), ("safety", "respect")),
    "attacked": (("scared", "hurt", "angry"), ("safety", "respect")),
    "belittled": (("hurt", "embarrassed"), ("respect", "recognition")),
    "betrayed": (("hurt", "angry", "shocked"), ("trust", "honesty")),
    "blamed": (("hurt", "anxious"), ("understanding", "fairness")),
    "blindsided": (("shocked", "anxious"), ("predictability", "being kept in the loop")),
    "bullied": (("scared", "angry"), ("safety", "respect")),
    "cheated": (("angry", "disappointed"), ("fairness", "honesty")),
    "controlled": (("frustrated", "tense"), ("autonomy", "choice")),
    "cornered": (("scared", "anxious"), ("choice", "autonomy")),
    "criticised": (("hurt", "discouraged"), ("understanding", "appreciation")),
    "criticized": (("hurt", "discouraged"), ("understanding", "appreciation")),
    "dismissed": (("hurt", "frustrated"), ("to be heard", "respect")),
    "disrespected": (("hurt", "angry", "frustrated"), ("respect", "consideration")),
    "excluded": (("lonely", "hurt", "sad"), ("inclusion", "belonging")),
    "ignored": (("hurt", "lonely"), ("to be included", "to be heard")),
    "insulted": (("hurt", "angry"), ("respect",)),
    "interrupted": (("frustrated", "irritated"), ("to be heard", "respect")),
    "intimidated": (("scared", "nervous"), ("safety", "ease")),
    "invisible": (("lonely", "sad", "hurt"), ("recognition", "to be seen")),
    "judged": (("hurt", "anxious"), ("acceptance", "understanding")),
    "left out": (("lonely", "hurt", "sad"), ("inclusion", "belonging")),
    "let down": (("disappointed", "sad"), ("reliability", "trust")),
    "manipulated": (("angry", "uneasy"), ("autonomy", "honesty")),
    "micromanaged": (("frustrated", "tense"), ("autonomy", "trust")),
    "misunderstood": (("frustrated", "lonely"), ("understanding", "to be heard")),
    "neglected": (("lonely", "sad"), ("care", "attention")),
    "not heard": (("frustrated", "lonely"), ("to be heard",)),
    "not respected": (("hurt", "angry"), ("respect", "consideration")),
    "not valued": (("sad", "discouraged"), ("appreciation", "recognition")),
    "not listened to": (("frustrated", "lonely"), ("to be heard",)),
    "overlooked": (("disappointed", "hurt"), ("recognition", "to be seen")),
    "overworked": (("exhausted", "stressed"), ("rest", "balance", "support")),
    "patronised": (("irritated", "hurt"), ("respect", "equality")),
    "patronized": (("irritated", "hurt"), ("respect", "equality")),
    "pressured": (("anxious", "stressed"), ("choice", "ease")),
    "provoked": (("angry", "irritated"), ("respect", "calm")),
    "put down": (("hurt", "embarrassed"), ("respect",)),
    "rejected": (("hurt", "sad", "lonely"), ("acceptance", "belonging")),
    "ripped off": (("angry", "disappointed"), ("fairness",)),
    "sabotaged": (("angry", "scared"), ("trust", "cooperation")),
    "sidelined": (("hurt", "discouraged"), ("inclusion", "contribution")),
    "shut out": (("lonely", "hurt"), ("inclusion", "belonging")),
    "singled out": (("embarrassed", "anxious"), ("fairness", "respect")),
    "smothered": (("tense", "irritated"), ("space", "autonomy")),
    "steamrolled": (("frustrated", "hurt"), ("to be heard", "respect")),
    "taken advantage of": (("angry", "resentful"), ("fairness", "respect")),
    "taken for granted": (("sad", "tired", "resentful"), ("appreciation",)),
    "threatened": (("scared", "anxious"), ("safety",)),
    "tricked": (("angry", "embarrassed"), ("honesty", "trust")),
    "unappreciated": (("sad", "disappointed", "discouraged"), ("appreciation", "recognition")),
    "undermined": (("frustrated", "anxious"), ("trust", "support")),
    "undervalued": (("sad", "discouraged"), ("appreciation", "recognition")),
    "unheard": (("frustrated", "lonely"), ("to be heard",)),
    "unseen": (("lonely", "sad"), ("recognition", "to be seen")),
    "unsupported": (("overwhelmed", "lonely"), ("support",)),
    "unvalued": (("sad", "discouraged"), ("appreciation", "recognition")),
    "unwanted": (("sad", "lonely"), ("belonging", "acceptance")),
    "used": (("angry", "hurt", "resentful"), ("fairness", "respect", "mutuality")),
    "violated": (("scared", "angry"), ("safety", "respect")),
    "walked over": (("hurt", "angry"), ("respect", "fairness")),
    "wronged": (("angry", "hurt"), ("fairness",)),
}

# --- Needs and values (what matters) ---
NEED_WORDS: Final = (
    "acceptance", "acknowledgement", "acknowledgment", "acknowledged", "appreciation", "appreciated",
    "autonomy", "balance", "belonging", "belong", "care", "certainty", "choice", "clarity", "clear",
    "closeness", "collaboration", "communication", "consideration", "consistency", "contribution",
    "cooperation", "credit", "credited", "dignity", "ease", "equality", "equal", "equally", "evenly",
    "fairness", "fair", "fairly", "flexibility", "focus", "freedom", "growth", "development", "harmony",
    "honesty", "inclusion", "included", "input", "integrity", "learning", "learn", "notice",
    "heads-up", "warning", "participation", "peace", "predictability", "predictable", "privacy",
    "private", "privately", "progress", "quiet", "reassurance", "recognition", "recognised",
    "recognized", "reliability", "respect", "respected", "rest", "safety", "safe", "security",
    "space", "stability", "support", "supported", "transparency", "trust", "trusted", "understanding",
    "voice", "a say", "seen", "heard", "honoured", "honored", "kept to", "stick to", "acted on",
    "consulted", "informed", "told directly", "told", "involved", "seat at the table", "in the loop",
    "backup", "back me up", "protected", "mine", "explains", "explained", "the why", "reasons",
    "room to", "time to", "a chance to", "able to",
)

# --- Judgement adjectives (evaluations in place of observations) ---
JUDGEMENT_ADJECTIVES: Final = (
    "rude", "unprofessional", "careless", "lazy", "sloppy", "selfish", "incompetent", "irresponsible",
    "arrogant", "inconsiderate", "disrespectful", "condescending", "patronising", "patronizing",
    "dismissive", "unreliable", "immature", "childish", "petty", "bossy", "controlling",
    "manipulative", "dishonest", "sneaky", "toxic", "rigid", "oversensitive", "hypersensitive",
    "over-sensitive", "negligent", "reckless", "thoughtless", "entitled", "ungrateful", "disorganised",
    "disorganized", "aggressive", "passive-aggressive", "hostile", "nasty", "snippy", "snarky",
    "inept", "pushy", "unfair", "biased", "two-faced", "shady", "shoddy", "half-assed", "slapdash",
    "flaky", "unhelpful", "uncooperative", "obstructive", "stubborn", "insensitive", "tactless",
    "abrasive", "obnoxious", "self-centred", "self-centered", "egotistical", "hypocritical",
    "unacceptable", "disgraceful", "amateurish", "lax", "cavalier", "sloppily", "carelessly",
    "rudely", "lazily", "mean", "harsh", "cold", "dramatic", "needy", "clingy", "difficult",
    "demanding", "overbearing", "domineering", "unorganised", "unorganized", "irrational", "paranoid",
    "hysterical", "useless", "hopeless", "terrible", "awful", "horrible", "a mess", "a disaster",
)
# Of these, the ones that are only judgements when said of a person or their work (not of a tool).
WEAK_JUDGEMENTS: Final = frozenset(
    {"mean", "harsh", "cold", "dramatic", "difficult", "demanding", "terrible", "awful", "horrible",
     "a mess", "a disaster", "unfair", "hopeless", "useless"}
)

# --- Insults and mockery (contempt) ---
INSULTS: Final = (
    "idiot", "idiots", "idiotic", "moron", "morons", "moronic", "stupid", "dumb", "clown", "clowns",
    "pathetic", "loser", "losers", "imbecile", "clueless", "brainless", "useless", "laughable",
    "ridiculous", "joke", "a joke", "genius", "einstein", "sherlock", "pea-brained", "dimwit",
    "halfwit", "muppet", "numpty", "prat", "jerk", "fool", "spineless", "worthless", "incompetent fool",
    "drama queen", "princess", "snowflake", "crybaby", "baby", "disgusting", "grow up", "get a life",
)

# --- Hedges and acknowledgement stems that often precede a rebuttal ---
ACKNOWLEDGE_STEMS: Final = (
    "i hear", "i understand", "i can see", "i see", "i get it", "i get that", "i know", "i'm sorry",
    "i am sorry", "sorry", "i appreciate", "i realise", "i realize", "fair enough", "ok", "okay",
    "i can imagine", "i hear you", "that must have", "you feel", "you were",
)
REBUTTAL_MARKERS: Final = (
    "but", "though", "although", "however", "still", "the thing is", "that said", "having said that",
    "actually", "in fairness", "to be fair", "in my defence", "in my defense", "the truth is",
    "the reality is", "to be honest", "honestly", "yet", "even so", "then again", "on the other hand",
)
