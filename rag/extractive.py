"""The extractive reader: finds the sentence that answers, and the span of it that is the answer.

For one analysed question (:class:`rag.question.QuestionProfile`) it scores every
sentence of the retrieved passages (question terms by IDF, the passage's and the
sentence's own similarity to the question, whether the sentence states the kind
of thing asked for), keeps only sentences about the question's subject and
attribute, and answers with the cited span that holds the answer ("roughly 90
minutes", "Dan Scavino"), then at most one supporting quote. It abstains when no
sentence carries evidence for the asked attribute of the asked subject, and
reports a conflict only when sources state incompatible values of the same thing.
Every weight is a field of :class:`rag.config.ReaderSettings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from .answer import Answer, AnswerSentence, Conflict
from .citations import abstention, finalize
from .config import ReaderSettings
from .quantities import MONEY_IN_WORDS, Quantity, extract
from .question import DAYS, DURATION_FRAMES, MONTHS, ORG_HEADS, PLACE_HEADS, TYPED, QuestionProfile, contrast_violated, part_profiles
from .retrieval import KeywordIndex, Passage
from .text import (DEMONYM_ENDING, NAME_WORD, NUMBER_WORDS, REFERS_BACK, ROLE_NOUNS, normalize, planted_sentences, proper_names, split_sentences, terms,
                   without_possessive, words)

Relevance = Callable[[list[str]], list[float]]

_MONTHS = "|".join(MONTHS)
_DAYS = "|".join(DAYS)
# A day of the month ("26 February", "March 18"): part of a date, not a count.
_DAY_OF_MONTH = rf"(?i:\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b)"
# A number that is part of a name or a rank, not a count: "Windows 95, 98", "PlayStation 2", "Radio 4" (a
# capitalised word inside the sentence, then the number or a list of them), "number one", "No 10", a
# "top 10" hit; "one" standing for a noun ("a complex and emotive one.", "a commercial one due to…"), and one
# among many ("one of the world's largest steel producers").
_NAMED_NUMBER = re.compile(r"(?<=[a-z\d,]\s)[A-Z][a-zA-Z]+\s+(\d{1,3}(?:(?:,\s+|\s+(?:and|or)\s+)\d{1,3}\b)*)\b"
                           r"(?!\s*(?:%|per\b|million|billion|bn\b|m\b|[,.]\d))"
                           r"|\b(?i:number|no\.?|top)\s+(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b"
                           r"|\b(?:an?|the|this|that|another)\s+(?:[\w\"“”’-]+\s+){0,3}?(one)"
                           r"(?=\s*[.,;:!?)]|$|\s+(?:due|because|for|that|which|who|with|than|in|on|at)\b)"
                           r"|\b(?i:(one)\s+of)\b")
_NUMBER_WORDS = "|".join([*(w for w in NUMBER_WORDS if w != "half"), "dozens", "hundreds", "thousands", "millions"])
# A share written in words ("three-quarters", "two thirds", "a fifth"): a proportion, not a count.
_FRACTION = (r"(?i:\b(?:a|one|two|three|four|five|six|seven|eight|nine)[\s-]+(?:halves|thirds?|quarters?|fifths?|sixths?|"
             r"sevenths?|eighths?|ninths?|tenths?)\b)")
# A time counted back or on ("three, four years ago", "two days later"): when, not how many.
_TIME_AGO = (rf"(?i:\b(?:(?:\d+|{_NUMBER_WORDS})\s*(?:,|or|to|-)\s*)?(?:\d+|{_NUMBER_WORDS}|a|an)\s+"
             r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\s+(?:ago|earlier|later|before|after)\b)")
# What a sentence must state to answer a typed question; searched in the words the question does not already use.
TYPE_PATTERNS: dict[str, re.Pattern[str]] = {
    "date": re.compile(
        rf"{_DAY_OF_MONTH}|\b(?:{_MONTHS}|{_DAYS})\b|\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d{{1,2}}\b|\b(?:19|20)\d\d\b"
        r"|\b(?:yesterday|today|tomorrow|tonight|immediately|soon|shortly|overnight|weekend)\b"
        r"|\b(?:last|next|this|earlier this|later this|early next|late last)\s+(?:week|month|year|night|spring|summer|autumn|fall|winter|season)\b"
        rf"|\b(?:a|one|two|three|four|five|six|several|few)\s+(?:days?|weeks?|months?|years?)\s+(?:ago|earlier|later)\b"
        r"|\b\d{1,2}(?:st|nd|rd|th)\b", re.I),
    "time": re.compile(r"\b\d{1,2}(?:[:.]\d\d)?\s*(?:a\.m\b|p\.m\b|am\b|pm\b|gmt\b|bst\b|et\b)|\b\d{1,2}:\d\d\b|\b(?:noon|midnight|midday)\b"
                       r"|\b(?:morning|afternoon|evening|night)\b", re.I),
    "count": re.compile(rf"\b\d[\d,.]*\b|\b(?:{_NUMBER_WORDS})\b|\b(?:a|one|two|three|four|five|six|seven|eight|nine|ten)-\w+", re.I),
    "money": re.compile(r"[$£€¥]\s?\d|" + MONEY_IN_WORDS.pattern, re.I),
    # (not from a capitalised word that opens a sentence: "The Russian leader", "In Moscow")
    "person": re.compile(r"\b(?!(?:The|A|An|This|That|These|Those|In|On|At|By|For|From|To|With|But|And|Or|If|When|While|After|Before"
                         rf"|As|It|Its|He|His|She|Her|They|Their|We|Our|Last|Next|Former)\s){NAME_WORD}(?:[-'’][A-Z]?[a-z]+)?"
                         rf"(?:\s+(?:[A-Z]\.\s*)?{NAME_WORD}(?:[-'’][A-Z]?[a-z]+)?)+\b"),
    "organisation": re.compile(r"\b[A-Z][\w&'’.-]*(?:\s+(?:of\s+|the\s+|for\s+|and\s+)?[A-Z][\w&'’.-]*)*"),
    "speed": re.compile(r"\b\d[\d,.]*\s*(?:mph|km/h|kmh|kph|knots|m/s|[kmgt]hz|[kmg]bps|(?:miles|kilomet(?:re|er)s|km|metres|meters)\s+(?:an|per)\s+(?:hour|second))"
                        rf"|\b(?:\d[\d,.]*|{_NUMBER_WORDS})(?:-|\s+)times\s+(?:faster|quicker|slower|as\s+fast)\b", re.I),
    "frequency": re.compile(rf"\bevery\s+(?:(?:\d[\d,.]*|{_NUMBER_WORDS}|few|other|single)\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|fortnight|months?|years?)\b"
                            rf"|\b(?:once|twice|(?:\d+|{_NUMBER_WORDS})\s+times)\s+(?:a|an|per|every|each)\s+\w+"
                            r"|\b(?:hourly|daily|weekly|fortnightly|monthly|quarterly|annually|yearly|biennially)\b", re.I),
    "score": re.compile(r"\b\d{1,3}-\d{1,3}\b(?:\s+\d{1,2}-\d{1,2}\b)*"),
    # a place in a race, a table or a list: "finished second", "top of the list", "No 3", "won"
    "position": re.compile(r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
                           r"|\d{1,3}(?:st|nd|rd|th)|top|bottom|last|runner-up|runners-up|no\.?\s?\d+|number (?:one|two|three|\d+)"
                           r"|won|wins|winner|winning|champion)\b", re.I),
    "place": re.compile(r"\b(?:in|at|to|from|near|across|into|inside|outside|towards?|off|on)\s+(?:the\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*"),
}
# What states a cause: "because of a back injury", "for failing to turn up", "justified on national
# security grounds", "after a Dublin school complained", "given that Ukraine has targeted refineries" (not
# "citing a senior official": a source). A why-question prefers such a sentence to a lead that restates
# the question, but is not limited to them: reasons often go unmarked.
TYPE_PATTERNS["reason"] = re.compile(
    r"\b(?:because|due to|owing to|thanks to|given that|as a result|in protest|in order to|so that|in a bid to|on the grounds|grounds\b"
    r"|motivated by|prompted by|blamed|citing\b(?![^.,;]{0,30}\b(?:officials?|sources?|people|persons?|reports?|analysts?|diplomats?))"
    r"|reasons?\b|for (?:failing|refusing|breaking|not)\b"
    r"|after (?:(?:a|an|the|his|her|their|its)\s+)?(?:[\w'’-]+\s+){0,3}(?:complained|complaints?|protests?|criticism|concerns?|fears?|claims?|row|dispute|failed|refused)\b"
    r"|over (?:concerns?|fears?|claims?|worries)\b|amid (?:concerns?|fears?|claims?))", re.I)
_WHY_UNNAMED = re.compile(r"\b(?:anonymity|not to be (?:named|identified)|not authori[sz]ed to (?:speak|comment))\s*$", re.I)
_UNNAMED_WORDS = frozenset("anonymity anonymous named unnamed identified".split())
# A share in words ("half of India's car sales", "one in five voters"), and a growth by a factor
# ("traffic increased fourfold", "profits doubled"): what "what share" and "by how much" are answered with.
_SHARE_WORDS = (r"\b(?:half|a third|one third|a quarter|one quarter|a fifth|one fifth|two-thirds|three-quarters|two thirds|three quarters"
                rf"|(?:one|two|three|\d+) (?:in|out of) (?:{_NUMBER_WORDS}|\d+))\b")
_FACTOR_WORDS = rf"\b(?:(?:\d+|{_NUMBER_WORDS})-?fold|doubled|tripled|trebled|quadrupled|halved)\b"  # not "scaffold"
TYPE_PATTERNS["amount"] = re.compile("|".join(p.pattern for p in (TYPE_PATTERNS["money"], TYPE_PATTERNS["count"]))
                                     + f"|{_SHARE_WORDS}|{_FACTOR_WORDS}", re.I)
TYPE_PATTERNS["percent"] = re.compile(f"{_SHARE_WORDS}|{_FACTOR_WORDS}", re.I)
# Verbs of saying and of stance: what a speaker's reaction is reported with.
_SPEECH = re.compile(r"\b(?:said|says|told|added|warned|welcomed|criticised|criticized|condemned|praised|called|described|"
                     r"dismissed|rejected|hailed|insisted|argued|claimed|admitted|denied|urged|accused|responded|replied|"
                     r"reacted|complained|stated|wrote|tweeted|posted|announced|declared|branded|labelled|slammed)\b|[“\"]", re.I)
# What opens the words of a source: after it comes the claim, before it who made it.
_REPORTED = re.compile(r"\b(?:said|says|told|added|explained|stated|wrote|noted|reported|announced|confirmed|estimated|"
                       r"claimed|according to)\b|[“\"]", re.I)
_TITLES = frozenset("president minister secretary chancellor senator governor mayor spokesman spokeswoman chairman "
                    "director chief officer leader premier king queen prince general".split())
# A role noun and a name after capitalised words: those words describe the person ("Double Olympic
# champion Kelly Holmes", "Former Southampton manager Gordon Strachan"); they are not a name.
# (with words that are nouns only there: "England international Jonny Wilkinson", "Olympic hopeful…")
_DESCRIBING = ROLE_NOUNS | {"rival", "veteran", "record-holder", "hopeful", "international"}
_BEFORE_A_NAME = re.compile(rf"\s+(?:{'|'.join(sorted(_DESCRIBING, key=len, reverse=True))})\s+[A-Z]")
_REFUSAL = frozenset(terms("declined rejected refused opposed denied dismissed"))


def _refuses(sentence_terms: set[str]) -> bool:
    return bool(_REFUSAL & sentence_terms)


_CALENDAR = re.compile(rf"{_MONTHS}|{_DAYS}")
_PAST_DATE = re.compile(r"\b(?:last|ago|yesterday|earlier|previously)\b", re.I)
ENTITY_TYPES = frozenset({"person", "organisation", "place"})
STATEMENT_TYPES = frozenset({"statement", "reason", "description", "yesno"})
# The stated quantities that answer a quantity question: "how much more does X cost" is often
# answered in per cent, "by how much" in any unit.
_QUANTITY_ANSWERS = {"duration": ("duration",), "percent": ("percent",), "money": ("money",),
                     "amount": ("money", "percent")}
# A sentence about what the one before said: "That appeared to be a reference to…", "This means…".
_REFERS_TO_BEFORE = re.compile(r"(?:That|This|It)\s+(?:is|was|appeared|appears|seemed|seems|means|meant|refers|referred)\b")
# A sentence that goes on about a thing the one before named: "The attack made…", "This inquiry…".
# (after an opening adverb: "Globally, the number sold will reach 159 million")
_GOES_ON = re.compile(r"(?:[A-Z][a-z]+ly,\s+)?(?:[Tt]he|[Tt]his|[Tt]hat|[Tt]hese|[Tt]hose)\s+([a-z][\w-]+)\b")
# What a sentence that goes on about a count calls it: "the number sold", "the total"
_COUNT_NOUNS = frozenset({"number", "total", "figure", "tally"})
# (not the comma of a figure: "11,488.76")
_CLAUSE = re.compile(r"\s*(?:[;:—–]|,(?!\d)|(?<!\d),)[”’\"]?\s*|\s+-\s+|\s+(?=(?:which|who|while|whereas|although|but)\s)")  # not inside (…): see _clauses
# Finer cuts, for a clause still too long to be a short answer.
_SUBCLAUSE = re.compile(r"\s+(?=(?:and|that|as well as|after|before|when|with|because|since|so)\s)")
_RELATIVE = re.compile(r"^(?:which|who|whom|whose|that|where|when)\b", re.I)
# A sentence whose subject is a description ("The actor, who was born in Beirut", "The 40-year-old"):
# in a passage that names the question's subject, it is about them. (A pronoun leans on the sentence
# before it, which the reader checks separately.)
_DESCRIBED_SUBJECT = re.compile(r"(?:The\s+(?:\d+-year-old|[a-z][\w-]*))\b(?!\s+[A-Z])")
# A country's capitals and seats, as news writing names its government ("Moscow said", "a common position on
# Tehran" is one on Iran).
_CAPITALS_OF = (("Russia", "Moscow Kremlin"), ("Ukraine", "Kyiv Kiev"), ("Iran", "Tehran"), ("China", "Beijing"),
                ("France", "Paris"), ("Germany", "Berlin"), ("Japan", "Tokyo"), ("India", "Delhi"), ("Turkey", "Ankara"),
                ("Israel", "Jerusalem"))
_CAPITALS = {terms(country)[0]: frozenset(terms(capitals)) for country, capitals in _CAPITALS_OF}
# Capitals and seats that news writing uses for a government ("Washington cut aid"), lower-cased.
CAPITAL_METONYMS = frozenset(w.lower() for _, capitals in _CAPITALS_OF for w in capitals.split()) | frozenset(
    "washington london brussels whitehall downing pentagon".split())


@dataclass(frozen=True)
class Candidate:
    passage: int  # 1-based position in the passage list
    doc_id: str
    text: str
    index: int  # position of the sentence within its passage
    score: float
    coverage: float  # IDF-weighted share of the question's terms in the sentence
    focus: float  # the same, for the focus (non-name) terms only
    named: bool  # the passage mentions every name of the question
    context: float  # share of the conversation's terms in the passage (1 outside follow-ups)
    answers: tuple[tuple[int, int], ...]  # spans stating the asked type, in words new to the question
    similarity: float | None = None  # embedding cosine to the question, where computed
    spoken: bool = False  # the asked speaker says something here ("The RAC welcomed the news, calling it…")
    # It goes on about the asked thing from the sentence before, which is about it: "In early October a
    # denial-of-service attack was mounted on the site. The attack made it unusable for about five hours."
    carried: bool = False
    # For "who…?": the sentence before, which describes the one this sentence opens by naming (see candidates).
    described: str = ""
    # For "Which studio (newspaper, charity…)…?": the sentence names that kind of thing (a "studio", a "paper").
    names_kind: bool = True

    @property
    def typed(self) -> bool:
        return bool(self.answers)

    @property
    def evidence(self) -> float:
        """How surely the sentence is about what is asked: focus words, or a paraphrase of the question."""
        return max(self.focus, self.coverage) + (self.similarity or 0.0)


# Kinds of place, body or person whose names say what they are ("Harvard University", "the Beverly Hilton
# hotel", "Judge Mary Schroeder"): asked for by that noun, an answer names one as such.
_NAMED_AS = {"university": {"university", "universities", "college"}, "college": {"college", "university"},
             "school": {"school", "academy", "college"}, "hospital": {"hospital", "infirmary", "clinic", "hospice"}, "hospice": {"hospice"},
             "stadium": {"stadium", "park", "ground", "arena"}, "museum": {"museum", "gallery"},
             "church": {"church", "cathedral", "chapel", "abbey"}, "airport": {"airport"},
             "hotel": {"hotel", "inn"}, "judge": {"judge", "justice", "magistrate"}}


def _which(nouns: Sequence[str]) -> re.Pattern[str]:
    """ "Which / what (up to two words) NOUN": the kind of thing a question asks for, one of ``nouns``."""
    return re.compile(rf"\b(?:which|what)\s+(?:[\w'’-]+\s+){{0,2}}?({'|'.join(nouns)})\b", re.I)


_ASKED_INSTITUTION = _which(_NAMED_AS)
# "Which forward…?", "Which singer…?": a role of one kind, which a name that another role describes ("fly-half
# Jonny Wilkinson") is not; any person of a kind is a player, an official, a star (those do not rule one out).
_ASKED_ROLE = _which(sorted(ROLE_NOUNS - set("official officials leader leaders player players star artist winner champion "
                                              "executive boss chief".split()), key=len, reverse=True))
_ROLE_BEFORE = re.compile(r"\b([a-z][a-z-]+)\s+$")  # the lower-case word just before a name
# Roles that are kinds, or other words, of the asked one: a flanker is a forward, a manager a team's coach.
_SAME_ROLE = tuple(frozenset(group.split()) for group in (
    "forward striker flanker hooker", "goalkeeper keeper", "spokesman spokeswoman spokesperson", "adviser advisor aide",
    "actor actress star", "author writer", "coach manager boss", "singer star artist"))


def _other_roles(question: str) -> frozenset[str]:
    """The roles that describe someone other than the one asked for ("Which forward…?": fly-half, not flanker)."""
    m = _ASKED_ROLE.search(question)
    if not m:
        return frozenset()
    asked = m.group(1).lower().removesuffix("s")  # ("Which ministers…?": a minister)
    return ROLE_NOUNS - {asked, f"{asked}s"}.union(*(group for group in _SAME_ROLE if asked in group))


# "Which studio…?", "What charity…?": the kind of body asked for, which a sentence naming one without the
# question's focus words must also name ("…snapped up by the studio DreamWorks").
_KIND_ASKED = _which("""studio newspaper paper group channel network charity company firm club team bank band label broadcaster
    magazine party union airline organisation agency""".split())


def _asked_institution(question: str) -> set[str]:
    """The words one of which an answer to "Which university / hotel / judge…?" names its answer by."""
    m = _ASKED_INSTITUTION.search(question)
    return _NAMED_AS[m.group(1).lower()] if m else set()


_DEMONYM = re.compile(rf"{DEMONYM_ENDING}$")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+")


def _is_demonym_of(word: str, country: str) -> bool:
    """"Israeli" of "Israel", "Iranian" of "Iran" (not "Iraqi"), "Italian" of "Italy", "Chinese" of "China"."""
    stem = country[:-1] if country[-1] in "aeiouy" else country
    return len(stem) >= 3 and word != country and word.startswith(stem) and bool(_DEMONYM.search(word.lower()))


# Nationalities (and countries) that articles name in a form sharing no stem with them ("American": "the U.S.").
_NATION_OF = {nationality: re.compile(pattern) for nationality, pattern in {
    "american": r"\bU\.?S\.?(?:A\.?)?(?=\W)|\bAmerica\b|\bUnited States\b|\bWashington\b", "british": r"\bU\.?K\.?(?=\W)|\bBritain\b|\bLondon\b",
    # and countries known by their initials ("Britain": "the UK")
    "america": r"\bU\.?S\.?(?:A\.?)?(?=\W)|\bAmerican\b|\bUnited States\b", "britain": r"\bU\.?K\.?(?=\W)|\bBritish\b|\bUnited Kingdom\b",
    "french": r"\bFrance\b|\bParis\b", "dutch": r"\bNetherlands\b|\bHolland\b|\bAmsterdam\b", "swiss": r"\bSwitzerland\b",
    "welsh": r"\bWales\b", "irish": r"\bIreland\b|\bDublin\b", "scottish": r"\bScotland\b", "english": r"\bEngland\b",
    "greek": r"\bGreece\b|\bAthens\b", "danish": r"\bDenmark\b", "spanish": r"\bSpain\b|\bMadrid\b", "polish": r"\bPoland\b",
    "turkish": r"\bTurkey\b|\bAnkara\b", "swedish": r"\bSweden\b", "finnish": r"\bFinland\b",
}.items()}


# Names news writing puts another way: "the Second World War" is also "World War II".
_NAMED_OTHERWISE = {name: re.compile(pattern) for name, pattern in {
    "second": r"\bWorld\s+War\s+(?:II|2|Two)\b|\bWWII\b", "ii": r"\bSecond\s+World\s+War\b|\bWWII\b",
    "first": r"\bWorld\s+War\s+(?:I|1|One)\b(?!I)|\bWWI\b",
}.items()}


def _said_otherwise(name: str) -> bool:
    """ "US", "EU"; "Washington" for the U.S. government: names articles often put in other words."""
    return name.isupper() and len(name) <= 3 or name.lower() in CAPITAL_METONYMS


def names_missing_from(names: Sequence[str], passages: Sequence[Passage]) -> list[str]:
    """The ``names`` that none of ``passages`` mentions, even spelled a little differently
    ("Zelensky"/"Zelenskyy"): a sign that the articles are not about them. A passage's headline counts:
    it names what the whole article is about ("Israeli economy picking up pace")."""
    from difflib import SequenceMatcher

    texts = [f"{p.title}\n{p.outlet}\n{p.text}" for p in passages]  # ("according to Bloomberg": its outlet)
    seen = {t for text in texts for t in terms(text)}
    missing = []
    for name in names:
        if _said_otherwise(name):
            continue
        name_terms = terms(name) or [name.lower()]
        if all(t in seen for t in name_terms):
            continue
        term = max(name_terms, key=len)  # a name of several terms ("U.S.", "Kilroy-Silk") by its longest
        if _DEMONYM.search(term) and any(t[:4] == term[:4] for t in seen):
            continue  # "Norwegian" in the question, "Norway" in the article
        if term.endswith("ern") and term[:-3] in seen:
            continue  # "Middle Eastern" in the question, "the Middle East" in the article
        if any(_is_demonym_of(w, name) for text in texts for w in _CAPITALISED.findall(text)):
            continue  # "Israel" in the question, "the Israeli economy" in the article
        otherwise = (_NATION_OF.get(name.lower()) or _NATION_OF.get(name.lower().removesuffix("s"))  # "Americans"
                     or _NAMED_OTHERWISE.get(name.lower()))
        if otherwise and any(otherwise.search(text) for text in texts):
            continue  # "American" in the question, "the U.S." in the article; "Second", "World War II"
        if not any(t[:3] == term[:3] and SequenceMatcher(None, t, term).ratio() >= 0.85 for t in seen):
            missing.append(name)
    return missing


def _role_spans(text: str, names: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """A person's title or description beside their name: "Deputy Chief of Staff Dan Scavino",
    "Liana Fix, a fellow for Europe at the Council on Foreign Relations"."""
    spans: list[tuple[int, int]] = []
    for name in reversed(names):  # the surname, or the name before a last word that is no one's ("… in British custody")
        if spans:
            break
        for m in re.finditer(rf"\b{re.escape(name)}\b", text):
            before = re.search(r"((?:[A-Z][\w.’'-]*\s+(?:(?:of|for)\s+(?:the\s+)?)?)+)$", text[:m.start()])
            title = before and [w for w in before.group(1).split() if w not in names]
            # (not "Father-of-two Mr Mousa": a courtesy title before the name, no office)
            if (title and title[0].lower() not in {"the", "a", "mr", "ms", "mrs"}
                    and title[-1].lower().rstrip(".") not in _HONORIFICS):
                spans.append((before.start(1), m.end()))
            after = re.match(r",\s+(?:\d{1,3},\s+)?((?:a|an|the|who|whose)\b(?:[^,.;]|(?<=\b[A-Z])\.){3,120})", text[m.end():])
            if after:  # the name with it: "Max Bergmann, a former U.S. State Department official" ("Mr Mousa, 28, a …")
                start = m.start()
                while (prior := re.search(r"([A-Z][\w’'-]*)\s+$", text[:start])) and prior.group(1) in names:
                    start = prior.start(1)
                spans.append((start, m.end() + after.end(1)))
    return tuple(spans)


# Words that ask for a person, not a body, beside "who" ("Who is the man…?").
_PERSON_WORDS = frozenset("man woman men women boy girl person people he she his her him".split())
# A person described, not named: "A British terror suspect…", "Tate & Lyle's chief executive…" (not "A gripping
# game between Arsenal and Chelsea…").
_LEAD_PEOPLE = "|".join(sorted(ROLE_NOUNS | _PERSON_WORDS - {"he", "she", "his", "her", "him"} | set(
    """suspect teenager pensioner student pupil worker fan doctor nurse soldier detainee driver patient victim
    businessman businesswoman tycoon millionaire hacker mother father couple lawyer scientist researcher campaigner
    founder owner inventor entrepreneur chef composer designer musician comedian teacher pilot""".split()), key=len, reverse=True))
_UNNAMED_LEAD = re.compile(rf"(?:An?\s+(?:[\w'’-]+\s+){{0,4}}?|[A-Z][\w&'’. -]{{0,40}}?['’]s\s+(?:[a-z][\w-]*\s+){{0,2}})(?:{_LEAD_PEOPLE})s?\b")
# Courtesy titles: with the titles of office below, the name after them is a person's ("Mr Putin"); and
# "Mrs Blair's" names no one new when the question names Blair.
_HONORIFICS = frozenset("mr mrs ms miss dr sir lady lord dame".split())
_HONORIFIC = re.compile(rf"\b(?:{'|'.join(w.capitalize() for w in _HONORIFICS)}|President|Chancellor|Minister|Secretary|Senator|Governor"
                        r"|Mayor|King|Queen|Prince|Princess|Pope|Judge|Captain|Coach|Rev)\.?\s+([A-Z][\w'’-]+(?:\s+(?:[A-Z]\.\s*)?[A-Z][\w'’-]+)*)")


# A name whose words (or age) make it a person's: "Dipo Alli says he has received an offer", "Jones, 31, said…".
_HE_OR_SHE = re.compile(r"\b([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)+)(?:\s+(?:says|said|added|believes|insists|insisted|told \w+)"
                        r"\s+(?:he|she)\b|,\s+\d{1,2},)")


def people_in(passages: Sequence[Passage]) -> frozenset[str]:
    """Lower-cased names the passages give a person's title ("Mr Putin", "President Trump"), or speak of
    as "he" or "she": in an answer to "which company/team/film", they are people, not the thing asked for."""
    return frozenset(w for p in passages for pattern in (_HONORIFIC, _HE_OR_SHE) for m in pattern.finditer(p.text)
                     for w in words(m.group(1)))


# How an age is written: "the 23-year-old", "aged 23", "Jones, 31,".
_AGE = re.compile(rf"\b(?:\d{{1,3}}|{_NUMBER_WORDS})(?:-|\s+)years?(?:-|\s+)old\b|\bage[ds]?\s+(?:of\s+)?(?:\d{{1,3}}|{_NUMBER_WORDS})\b"
                  r"|(?<=[A-Za-z]),\s+\d{1,3},", re.I)
# The kinds of place a question asks for several of by name ("which two countries").
_PLACE_NOUNS = frozenset("cities countries regions towns states capitals nations".split())
# The prepositions (and articles) of a place span ("on the Black Sea"): what remains is its name.
_PLACE_WORDS = frozenset("in at to from near across into inside outside toward towards off on the of".split())
# Last words that make a capitalised run a place: "Wall Street", "Downing Street", "Hyde Park".


# A title in a capitalised run, with a name after it: a person ("Labour MP Gordon Prentice"), not a body.
# (Titles only: a role noun may open a title, "Star Wars", "Judge Dredd".)
_TITLED_PERSON = re.compile(r"\b(?:MP|MEP|Mr|Mrs|Ms|Dr|Sir|Dame|President|Minister|Secretary|Chancellor|Senator|Governor"
                            r"|Spokesman|Spokeswoman|Chairman|Leader)\.?\s+[A-Z][a-z]")


def _answer_spans(kind: str, text: str, question_words: set[str], quantities: Sequence[Quantity],
                  names: Sequence[str] = (), people: frozenset[str] = frozenset()) -> tuple[tuple[int, int], ...]:
    """Where ``text`` states a ``kind`` answer that the question does not already contain."""
    if kind == "role":
        return _role_spans(text, names)
    accepted = _QUANTITY_ANSWERS.get(kind)
    if accepted:
        spans = tuple((q.start, q.start + len(q.surface)) for q in quantities if q.kind.startswith(accepted))
        if spans or kind not in {"amount", "money", "percent"}:
            return spans
    pattern = TYPE_PATTERNS.get(kind)
    if pattern is None:
        return ()
    # A count or an amount is not a number that measures something else ("two minutes", "1-1", "2002",
    # "£5m"), unless the question asks for that unit ("how many minutes").
    taken = [] if kind not in {"count", "amount", "money"} else [
        (q.start, q.start + len(q.surface)) for q in quantities
        if not (set(words(q.surface)) & question_words or {w + "s" for w in words(q.surface)} & question_words)
    ] + [m.span() for m in re.finditer(rf"\b\d{{1,3}}-\d{{1,3}}\b|\b(?:1[89]|20)\d\d\b|{_DAY_OF_MONTH}|{_TIME_AGO}|{_FRACTION}", text)
         if not _is_range(m.group(0))] + [
        m.span(m.lastindex) for m in _NAMED_NUMBER.finditer(text)]
    # "Who carried out the research?" may be answered by a body ("the Licensed Taxi Drivers Association");
    # "Which official…?", "Who is the coach…?" by a person.
    by_whom = kind == "person" and bool(question_words & {"who", "whom"}) and not question_words & (ROLE_NOUNS | _PERSON_WORDS)
    spans = []
    for m in pattern.finditer(text):
        start, end = m.span()
        if kind == "person":
            start = _after_title(start, end, text)
        if any(a <= start < b for a, b in taken):
            continue
        found = text[start:end]
        span_words = [w for w in words(found) if w not in _PLACE_WORDS]  # "on the Black Sea": black, sea
        new = [w for w in span_words if w not in question_words and w not in _HONORIFICS
               and not (kind in ENTITY_TYPES and _same_stem(w, question_words))]
        if kind == "reason" and _WHY_UNNAMED.search(text[max(0, start - 40):start]) and not question_words & _UNNAMED_WORDS:
            continue  # "requesting anonymity due to the sensitive nature of the talks": why a source is unnamed
        if kind == "date" and "will" in question_words and _PAST_DATE.search(found):
            continue  # "when will they meet?" is not answered by when they met ("last week", "two days ago")
        if kind == "organisation" and new and all(
                w in people or w in question_words for w in map(without_possessive, words(found))
                if w not in {"the", "of", "and", "for"}):
            continue  # "Trump", "Putin's": people, not the company (team, film) asked for
        if kind == "organisation" and re.search(r"['’]s?$", found) and (owned := _OWNS_ASKED.match(text, end)) \
                and without_possessive(owned.group(1)).lower() in question_words:
            continue  # "Microsoft's then new Xbox console" for "Which studio developed Blinx 2 for the Xbox?": whose the asked thing is
        if kind == "organisation" and _TITLED_PERSON.search(found):
            continue  # "Ex-Labour MP George Galloway", "Prime Minister Tony Blair": a person, not the body asked for
        body = kind == "person" and bool(set(words(found)) & ORG_HEADS)
        # a body does what a bare "who" asks when it is the doer: "research by the Licensed Taxi Drivers
        # Association", "Lionhead Studios made the game" (not "the head of Lionhead Studios")
        doer = body and by_whom and bool(re.fullmatch(r"(?:.*\bby\s+)?(?:the\s+)?", text[:start], re.S | re.I))
        if kind == "person" and (body and not doer or words(found)[-1] in _TITLES | PLACE_HEADS):
            continue  # "Lionhead Studios", "United States President", "Wall Street": not a person's name
        if kind == "person" and (re.match(r"[A-Z]{2,}\b", found) or any(_CALENDAR.fullmatch(w) for w in words(found))):
            continue  # "BBC Sport": an acronym heads an organisation's name; "Last April": a time, not a person
        if kind == "person" and _BEFORE_A_NAME.match(text, end):
            continue  # "Double Olympic champion Kelly Holmes", "Former Southampton manager…": words before a name
        if kind == "person" and _A_PEOPLE.search(found):
            continue  # "Dominica's Carib Indians", "the Americans": a people, not the person asked for
        if kind == "person" and set(words(found)) & {n.lower() for n in names}:
            continue  # "Vladimir V. Putin" when the question names Putin: the same person, not an answer
        if kind == "place" and len(new) < len(span_words):
            continue  # "in Saudi Arabia" for "which Saudi city": the place the question names, not the one asked
        if kind in {"place", "organisation"} and new and all(_CALENDAR.fullmatch(without_possessive(w)) for w in new):
            continue  # "in May", "on Monday", "in Saturday's doubles": times, not places (nor the charity or the film asked for)
        if kind == "place" and re.match(r"\w+\s+the\s", found) and re.match(r"\s+[a-z]+s\b", text[end:]):
            continue  # "in the Matrix movies", "in the Carry On films": a name used as a modifier, not a place
        if kind == "date" and question_words & {"date", "day"} and not re.search(rf"\d|{_DAYS}|yesterday|today|tomorrow", found, re.I):
            continue  # "on what date?" is not answered by "next month"
        if kind == "date" and "year" in question_words and question_words & {"what", "which"} and not re.search(
                r"\b(?:1[89]|20)\d\d\b|\b(?:last|next|this|that|the same|the following|the previous)\s+year\b", found, re.I):
            continue  # "in what year?" is not answered by "on Tuesday"
        if kind == "person" and re.search(r"\b(?:the|in|at|from|into|across)\s+$", text[max(0, start - 8):start]) and not doer:
            continue  # "the Middle East", "in Saudi Arabia": places, not people
        if new and not (kind in {"person", "organisation", "place"} and start == 0 and len(found.split()) == 1):
            spans.append((start, end))
    if kind == "person" and question_words & _FACING and {"who", "whom"} & question_words:
        # "Who are Wales up against?", "Who will Bangor play?": an opponent is as often a team or a country,
        # one word ("against Hungary", "will take on Portadown", "Britain's next opponents, Israel").
        spans += [m.span() for m in re.finditer(r"(?<=[a-z,]\s)[A-Z][a-z]{2,}\b(?!['’]s\b|\s+[A-Z])", text)
                  if _FACED.search(text[max(0, m.start() - 30):m.start()])
                  and not any(a <= m.start() < b for a, b in spans) and m.group(0).lower() not in question_words
                  and not _same_stem(m.group(0).lower(), question_words) and m.group(0).lower() not in _NOT_OPPONENTS
                  and not _CALENDAR.fullmatch(m.group(0).lower())]
        spans.sort()
    if kind == "count" and ({"how", "old"} <= question_words or {"what", "age"} <= question_words):
        # "How old is he?" is answered by an age ("the 23-year-old", "aged 23", "Jones, 31,"), not "three penalties"
        ages = [m.span() for m in _AGE.finditer(text)]
        spans = [(a, b) for a, b in spans if any(x <= a < y for x, y in ages)]
    if kind == "place" and not spans and question_words & _PLACE_NOUNS & set(words(text)):
        # "Which two countries…?": "Sri Lanka and the Maldives are the two countries…" names them without "in".
        # (One place is most often stated with its preposition, and another place named beside the asked
        # kind, "lives in the town of Dunmere", would stand against it.)
        spans = [m.span() for m in TYPE_PATTERNS["organisation"].finditer(text) if m.start() > 0 or len(m.group(0).split()) > 1
                 if any(w not in question_words and not _same_stem(w, question_words) and not _CALENDAR.fullmatch(w)
                        for w in words(m.group(0)) if w not in _PLACE_WORDS)]
    return tuple(spans)


# What a possessive names, a few words on: "[Microsoft's] then new Xbox console".
_OWNS_ASKED = re.compile(r"\s+(?:[a-z-]+\s+){0,2}([A-Z][\w'’-]*)")
# A nation's or a tribe's people, named in the plural ("Indians", "Europeans", "Americans", "Britons"; not
# "Evans" or "Williams").
_A_PEOPLE = re.compile(r"[A-Z][a-z]+(?:ians|eans|cans|Britons|Germans)$")
_TITLE_WORDS = _DESCRIBING | _TITLES
_NOT_OPPONENTS = _TITLE_WORDS | _HONORIFICS  # "against President…": a title, not the side faced
# A range of numbers, "100-120 UK troops" (not a score: "won 3-1", "a 6-4 set", "112-98").
_RANGE = re.compile(r"(\d{2,3})-(\d{2,3})")


# "How many British soldiers have been…", "At how many UK wi-fi hotspots will…": the words of what is counted.
_HOW_MANY = re.compile(r"\bhow many ((?:(?!(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should|may|might)\b)"
                       r"[\w'’-]+\s*){1,6})", re.I)


def _counts_another(after: str, counted: set[str], question_words: set[str], counted_terms: set[str] | None = None) -> bool:
    """Does the count count another thing than the question asks to count? Its own noun names another
    ("two initiatives" for customers), or, with no noun of its own, it is followed (within three words) by
    another plural the question names and by none of the words of what it asks to count ("several hundred
    UK citizens" for "how many soldiers…, in case UK citizens…")."""
    # The count's own noun, of another thing than the one asked about: "two initiatives" for "how many
    # customers…?", "the six-reactor plant" for "how many people work at…?"
    counted_terms = set(terms(" ".join(counted))) if counted_terms is None else counted_terms  # (stems: once per question)
    own = _COUNT_NOUN.match(after)
    noun = own.group(2).lower().replace("’", "'").rstrip("'") if own else ""
    # (people are counted by any plural: "45,000 workers"; a compound, "six-reactor", counts its own noun)
    if own and noun not in _ANY_COUNTED and (own.group(1) == "-" or _plural(noun) and not counted & _ANY_COUNTED):
        return not (_same_things(set(terms(noun)), _COUNTED_SAME)
                    & _same_things(counted_terms, _COUNTED_SAME))
    following = words(after)[:3]
    if any(w in counted or _same_stem(w, counted) for w in following) \
            or set(terms(" ".join(following))) & counted_terms:
        return False
    return any(w.endswith("s") and w in question_words and len(w) > 3 for w in following)


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


_COUNT_NOUN = re.compile(r"(-|\s+)(?:(?:million|billion|thousand|hundred|more|new|other|extra|additional|further|[a-z]+ly)\s+)*"
                         r"([a-z][a-z'’]+)")
# Nouns that count whatever is asked about ("158 others missing"; "how many people…?" is answered by "45,000
# workers") or count no thing ("three times").
_ANY_COUNTED = frozenset("others people persons times".split())


def _is_range(text: str) -> bool:
    m = _RANGE.fullmatch(text)
    return m is not None and int(m.group(2)) > int(m.group(1))


# Verbs and words of a match or a contest: who one side faces ("against Hungary", "will take on Portadown",
# "Britain's next opponents, Israel").
_FACING = frozenset("play plays playing played face faces facing faced against beat beats beaten meet meets meeting "
                    "opponent opponents opposition rival rivals".split())
_FACED = re.compile(r"\b(?:against|versus|vs\.?|v|take on|takes on|taking on|face|faces|facing|play|plays|playing|meet|meets"
                    r"|beat|beats|opponents?,?|rivals?,?)\s+(?:the\s+)?$", re.I)


def _after_title(start: int, end: int, text: str) -> int:
    """Where the name in a capitalised run starts: after its last title ("Deputy High Court Judge Richard
    Mawrey" names Richard Mawrey, and "Court" in his title does not make him an organisation)."""
    found = list(re.finditer(r"\S+", text[start:end]))
    titles = [i for i, w in enumerate(found[:-2]) if w.group(0).lower() in _TITLE_WORDS]
    return start + found[titles[-1] + 1].start() if titles else start


_MEASURED = frozenset({"count", "money", "amount", "percent", "duration", "speed", "frequency", "score"})
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_WEEKDAY = re.compile(rf"\b({_DAYS})\b")
_IN_PLACE = re.compile(r"\bin\s+(?:the\s+)?([A-Z][\w'’-]+)")
_YEAR_AFTER = re.compile(r"\s+(?:in|for|during|over)\s+(?:the\s+(?:whole\s+|calendar\s+|financial\s+)?year\s+)?((?:19|20)\d\d)\b")  # "$40bn in 2003"
_YEAR_BEFORE = re.compile(r"\b((?:19|20)\d\d)\b[^,;:()]*$")  # a year earlier in the value's clause: "in 2001 when … $37bn"
_ALONE_AFTER = re.compile(r"\)?(?:\s*\([^()]*\))?[^,;:.()]{0,40}?\bin\s+(?:the\s+)?([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)\s+alone\b")
# The whole world's figure, not one region's: "sold worldwide", "globally".
_WORLD = re.compile(r"\b(?:worldwide|world-wide|globally|global|around the world|across the world)\b", re.I)
_PLACE_AFTER = re.compile(r"[^,;:.()]{0,40}?" + _IN_PLACE.pattern)  # "in" a place, in the clause after a value
# "$19.6bn in November" (when no year follows the month), "$19.7bn the month before", "£2m a month": a month's value
_MONTH_AFTER = re.compile(rf"\s+(?:(?:in|for|during)\s+(?:the\s+month\s+of\s+)?({_MONTHS})\b(?!,?\s+(?:19|20)\d\d)"
                          r"|(?:in\s+)?(?:the\s+(?:previous\s+|same\s+)?month|last\s+month|this\s+month|a\s+month|per\s+month|each\s+month)\b)", re.I)
# "167 million in the third quarter of 2004": a quarter's value, not the year's
_QUARTER_AFTER = re.compile(r"(?:\s+[\w-]+){0,2}?\s+(?:in|during|for|over)\s+the\s+(?:first|second|third|fourth|final|last|latest|previous)\s+quarter\b", re.I)
# "is expected to rise to about $150bn": a forecast, before the value in its clause
_FORECAST = re.compile(r"\b(?:expected|forecast|projected|predicted|tipped|likely|set)\s+to\b[^,;:.()]{0,30}$", re.I)
_FORECAST_WORDS = frozenset("expect expected expects forecast forecasts predict predicted projected projection estimate "
                            "estimated will likely".split())


def _asks_forecast(question: str) -> bool:
    """The question asks what is expected ("How much is the deal expected to raise?"), not what was."""
    return bool(set(words(question)) & _FORECAST_WORDS)


def _forecast_only(text: str, answers: tuple[tuple[int, int], ...]) -> bool:
    """Every value of ``text`` that answers is one a source says something is "expected to" reach."""
    return bool(answers) and all(_FORECAST.search(text[:a]) for a, _ in answers)


@dataclass(frozen=True)
class _AskedAt:
    """When and where a question asks a value for, read once per question (see _of_asked_place_and_year)."""

    years: frozenset[str] = frozenset()  # the years it names
    places: frozenset[str] = frozenset()  # the places it asks "in" (lower-cased; not a month or a day)
    days: frozenset[str] = frozenset()  # the weekdays it names
    words: frozenset[str] = frozenset()  # all its words
    world: bool = False  # it asks the world's figure ("sold worldwide")


def _asked_years_and_places(profile: QuestionProfile) -> _AskedAt:
    """The question's years, places, weekdays and words."""
    question_words = frozenset(words(profile.standalone))
    return _AskedAt(frozenset(_YEAR.findall(profile.standalone)),
                    frozenset(m.group(1).lower() for m in _IN_PLACE.finditer(profile.standalone)
                              if not _CALENDAR.fullmatch(m.group(1).lower())),
                    frozenset(_WEEKDAY.findall(" ".join(question_words))), question_words,
                    bool(_WORLD.search(profile.standalone)))


# Countries news text names by another name than the question: "in the UK" for "in Britain".
_SAME_COUNTRY = (frozenset({"uk", "britain"}), frozenset({"us", "usa", "america"}))


def _same_place(stated: str, asked: frozenset[str]) -> bool:
    """``stated`` ("UK", "U.S.") is one of the ``asked`` places (lower case), or the same country by another name."""
    place = stated.lower().replace(".", "")
    return place in asked or any(place in names and asked & names for names in _SAME_COUNTRY)


def _in_another_place(text: str, end: int, asked_places: frozenset[str]) -> bool:
    """Is the value ending at ``end`` followed in its clause by "in" a place the question does not ask about?"""
    after = _PLACE_AFTER.match(text, end)
    return bool(after) and not _CALENDAR.fullmatch(after.group(1).lower()) and not _same_place(after.group(1), asked_places)


def _of_asked_place_and_year(spans: tuple[tuple[int, int], ...], text: str, asked: _AskedAt) -> tuple[tuple[int, int], ...]:
    """The values of ``text`` that may be those of the asked year and place. "How many people does
    Mittal employ in Romania?" is not answered by "It employs 50,000 staff in Kazakhstan", nor "What
    profit did BA make for the year to March 2005?" by a sentence on the three months to December 2004:
    a sentence whose years are all others states another year's value, and a value followed in its
    clause by "in" another place is another place's, as is any value of a sentence that says "in" a
    place when the worldwide figure is asked. For an asked year, a value "in November" (or "the month
    before") is a month's, and one "in the third quarter" a quarter's."""
    asked_years, asked_places, question_words = asked.years, asked.places, asked.words
    stated_years = set(_YEAR.findall(text))
    if asked_years and stated_years and not asked_years & stated_years:
        return ()
    # the same for a day of the week: "rose 3.8% to 1,088 pence on Tuesday" is not Thursday's close
    stated_days = set(_WEEKDAY.findall(text.lower()))
    if asked.days and stated_days and not stated_days & asked.days:
        return ()
    # "$305m at the box office in the US alone": one place's part, not the figure asked for (unless that
    # place is asked about)
    spans = tuple((start, end) for start, end in spans if not (
        (alone := _ALONE_AFTER.match(text, end)) and not set(words(alone.group(1))) & question_words))
    if asked.world and not _WORLD.search(text) and any(
            not _CALENDAR.fullmatch(m.group(1).lower()) for m in _IN_PLACE.finditer(text)):
        return ()  # "will be sold in Europe by the end of 2004" is one region's, not the worldwide figure asked
    if not asked_places and not asked_years:
        return spans
    if asked_places and asked_years & stated_years and not asked_places & set(words(text)):
        return ()  # "Renault sold 2.4 million vehicles in 2004" for "…in Turkey in 2004?": the year's whole, not the place's
    kept = []
    for start, end in spans:
        if asked_places and _in_another_place(text, end, asked_places):
            continue
        # "$40bn in 2003, … $48bn for 2004": the first is another year's; so is a value after a year in its clause
        # ("…including 2001 when the 11 September attacks pushed claims up to $37bn": 2001's)
        near = (_YEAR_AFTER.match(text, end), _YEAR_BEFORE.search(text, 0, start))
        if asked_years and any(year and year.group(1) not in asked_years for year in near):
            continue
        month = _MONTH_AFTER.match(text, end)
        if asked_years and month and (month.group(1) or "month").lower() not in question_words:
            continue  # "the deficit was $19.6bn in November" is not the year's
        if asked_years and "quarter" not in question_words and _QUARTER_AFTER.match(text, end):
            continue  # "167 million in the third quarter of 2004" is not the year's
        kept.append((start, end))
    return tuple(kept)


# How much something moved: the value after "increase … by", "cut by", "fell by" (a change, not a level).
_CHANGED_BY = re.compile(r"\b(?:increase[ds]?|increasing|rise[sn]?|rose|raise[ds]?|fall(?:s|en)?|fell|grow(?:s|n)?|grew|boost(?:ed|s)?"
                         r"|cut(?:s|ting)?|drop(?:ped|s)?|jump(?:ed|s)?|climb(?:ed|s)?|reduce[ds]?|lower(?:ed|s)?|swell(?:ed|s)?|shrunk|shrank)\b"
                         r"[^,;:.()]{0,40}?\bby\s+(?:about\s+|around\s+|roughly\s+|nearly\s+|almost\s+|some\s+|more\s+than\s+|over\s+|up\s+to\s+|a\s+further\s+|an\s+extra\s+|an\s+estimated\s+)?$", re.I)
# A question about a change asks for one ("By how much did sales rise?", "How many more…?").
_CHANGE_WORDS = frozenset("""by increase increased increases rise rose risen raise raised fall fell fallen grow grew grown growth boost
    boosted cut cuts drop dropped jump jumped climb climbed reduce reduced lower lowered more fewer less extra additional
    change changed up down gain gained lose lost swell swelled shrink shrank""".split())


def _question_words(profile: QuestionProfile) -> set[str]:
    """The question's words, a possessive also as its noun ("Tuesday's call" says "Tuesday"), and the
    previous answer of a follow-up that asks for the same kind of thing again ("Who does she play
    next?" is not answered by whom she beat): an answer span must state something these do not."""
    said = set(words(f"{profile.standalone} {profile.told}"))
    return said | {without_possessive(w) for w in said}


def _same_stem(word: str, others: set[str]) -> bool:
    """``word`` is a form of one of ``others`` ("Sweden" of "Swedish", "Russia" of "Russian")."""
    return len(word) >= 5 and any(len(o) >= 5 and word[:4] == o[:4] for o in others)


def _weights(question_terms: Sequence[str], keyword: KeywordIndex | None) -> dict[str, float]:
    return {t: (keyword.idf(t) if keyword else 1.0) for t in dict.fromkeys(question_terms)}


def _share(weights: dict[str, float], present: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0


def candidates(profile: QuestionProfile, passages: Sequence[Passage], keyword: KeywordIndex | None,
               cfg: ReaderSettings, kind: str | None = None) -> list[Candidate]:
    """Every sentence of the passages, scored as an answer to ``profile`` (best first).

    ``kind`` overrides the profile's answer type (one part of a two-part question).
    """
    kind = kind or profile.answer_type
    weights = _weights(profile.terms, keyword) or _weights(profile.context_terms, keyword)
    focus = _weights(profile.focus, keyword)
    anchored_focus = _weights((*profile.focus, *profile.anchor), keyword) if profile.anchor else {}
    context = {t: w for t, w in _weights(profile.context_terms, keyword).items() if t not in weights}
    question_words = _question_words(profile)
    # The names a sentence (or the one before it) must mention to be about the subject: the person a
    # follow-up's pronoun stands for, else any name but a capital used for its government ("Moscow").
    subject = (profile.referent.split() if profile.referent else list(profile.speaker)
               or [n for n in profile.names if n.lower() not in CAPITAL_METONYMS])
    name_terms = {t for n in subject for t in terms(n)}
    # (a country is also named by its people's word: "The Scottish Football Association" is about Scotland)
    name_terms |= {nationality for nationality, pattern in _NATION_OF.items() for n in subject if pattern.fullmatch(n)}
    required = profile.required_names
    speaker_terms = {t for n in profile.speaker for t in terms(n)}
    # A named speaker's words are said in a sentence naming them, or after one (not "Russia said" for "Moscow").
    named_speaker = [n for n in profile.named_speaker if not _said_otherwise(n)]
    people = people_in(passages) if kind == "organisation" else frozenset()
    predicate = profile.predicate if kind == "yesno" else ""
    referent_surname = set(terms(profile.referent.split()[-1])) if kind == "statement" and profile.referent else set()
    # About the question's subject: its names are in the passage or in another retrieved passage of its
    # article, where a later quote's speaker was named ("Ms Hewitt said…" then "…80p for every pound…").
    # Up to cfg.missing_names of them may be absent; a name in no passage at all is caught before, as an
    # unknown name. (Once per article, not per passage.)
    demand_asked = bool(_CALL_FOR.search(profile.standalone))
    ordinals = _ordinals(profile.standalone)
    periods = _periods(profile.standalone)
    asked_kind = _asked_institution(profile.standalone)
    other_roles = _other_roles(profile.standalone) if kind == "person" else frozenset()
    kind_noun = _KIND_ASKED.search(profile.standalone) if kind in ENTITY_TYPES else None
    kind_terms = set(terms(kind_noun.group(1))) if kind_noun else set()
    qualifiers = _qualifying_figures(profile.standalone)
    asked_at = _asked_years_and_places(profile) if kind in _MEASURED or kind == "date" else _AskedAt()
    asked_names = _asked_names(profile)
    asks_change = bool(question_words & _CHANGE_WORDS)  # "By how much did sales rise?": a change answers
    # a sum's purpose is checked when the question does not say one itself ("fined … for …")
    asked_terms = set(profile.terms) if kind == "money" and "for" not in question_words else None
    counted = _HOW_MANY.search(profile.standalone) if kind == "count" else None
    # ("how many others…?" after a count names nothing to check against)
    counted = set(words(counted.group(1))) - {"of", "the", "them", "those", "these", "other", "others", "more"} if counted else set()
    counted_terms = set(terms(" ".join(counted)))
    focus_terms = set(profile.focus)
    cited = {doc for _, doc in profile.cited}
    told = normalize(profile.told).rstrip(" .")
    missing_in = {doc: names_missing_from(required, [p for p in passages if p.doc_id == doc])
                  for doc in dict.fromkeys(p.doc_id for p in passages)}
    scored = []
    for pos, passage in enumerate(passages, start=1):
        passage_terms = set(terms(passage.text))
        missing = missing_in[passage.doc_id]
        # and about the event the question is tied to: most of its words ("after that motorbike crash"
        # is the "motorcycle crash" of the article)
        anchored = 2 * sum(_mentions(t, passage_terms) for t in profile.anchor) >= len(profile.anchor)
        named = len(missing) <= cfg.missing_names * len(required) and anchored
        # A follow-up is on the articles the previous answer quoted, whatever words they use.
        in_context = 1.0 if passage.doc_id in cited or not context else _share(context, passage_terms)
        if referent_surname and referent_surname <= passage_terms:
            # "What did he say about…?": his words on the asked topic may come from a passage about him that
            # does not share the conversation's words (one that does ranks first). Not so "Where did he go
            # next?", which is about the conversation's event.
            in_context = max(in_context, cfg.min_context)
        # "How did X react to Y?": X's words in an article about Y answer, whatever verb they use.
        about_topic = bool(speaker_terms) and _share(focus, passage_terms) >= cfg.speaker_topic
        planted = set(planted_sentences(passage.text))
        previous, previous_share = "", 0.0
        for index, (start, end) in enumerate(split_sentences(passage.text)):
            text = passage.text[start:end]
            # A sentence is about the question's subject when it, or the one it follows ("He said…"), names it.
            names_here = not name_terms or bool(name_terms & set(terms(f"{previous} {text}")))
            before_text = previous
            previous, before_share = text, previous_share
            previous_share = 0.0
            if (start, end) in planted:
                continue  # instructions planted in an article (and what they introduce) are not facts to quote
            # a "call for" a halt is a demand, not the phone call asked about (unless a demand is asked for)
            sentence_terms = set(terms(text if demand_asked else _CALL_FOR.sub(" ", text)))
            sentence_terms |= {capital for country in sentence_terms & _CAPITALS.keys() for capital in _CAPITALS[country]}
            if named and name_terms and not name_terms & sentence_terms and _DESCRIBED_SUBJECT.match(text):
                names_here = True  # "The actor, who was born in…" in an article on the asked actor
                sentence_terms |= name_terms
            if contrast_violated(profile, sentence_terms):
                continue  # states the start when the end is asked (or the reverse)
            if ordinals and _another_of(ordinals, text):
                continue  # "the final of the first series" when the second series is asked about
            if periods and (stated := _periods(text)) and not stated & periods:
                continue  # "at least once a month" when "at least once a week" is asked about
            sentence_terms |= _moved(text)
            # "those negotiations" are the "talks" of the article, "the call" its "conversation"
            said = _same_things(sentence_terms)
            coverage = _share(weights, said)
            focus_share = _share(focus, said) if focus else coverage
            if anchored_focus and focus_share > 0:
                # a sentence on what is asked that also names the moment the question is tied to says more of
                # it (one that only names the moment, "The merger vote passed on Monday", does not)
                focus_share = max(focus_share, _share(anchored_focus, said))
            previous_share = max(coverage, focus_share)
            if focus and focus_share == 0 and any(_mentions(t, said) for t in profile.conceded):
                continue  # on what the question grants ("a record profit"), none of what it asks ("the shares slip")
            opening = _GOES_ON.match(text)
            # (for "which city?", not "These negotiations will begin … in the Middle East": a new name after the
            # sentence before only says what that one referred to)
            carried = before_share >= cfg.carried_share and (
                kind not in ENTITY_TYPES and opening is not None and (
                    _mentions_word(opening.group(1), focus_terms) or kind == "count" and opening.group(1) in _COUNT_NOUNS)
                or bool(_REFERS_TO_BEFORE.match(text)))  # "That appeared to be a reference to the Zaporizhzhia plant"
            quantities = extract(text)
            answers = _answer_spans(kind, text, question_words, quantities, profile.names, people)
            if answers and kind in ENTITY_TYPES and asked_kind:
                # "At which university…?" is answered by a university, named as one ("Harvard University", "the
                # University of Leeds", "the Beverly Hilton hotel"; not "is in hospital in Los Angeles")
                answers = tuple((a, b) for a, b in answers if asked_kind & {*words(text[a:b]), *words(text[:a])[-2:], *words(text[b:])[:1]})
            if answers and other_roles:
                answers = tuple((a, b) for a, b in answers
                                if not ((role := _ROLE_BEFORE.search(text, 0, a)) and role.group(1).lower() in other_roles))
            if told and told in normalize(text):
                answers = ()  # the sentence quoted to the asker, who asks for another one ("And how many others…?")
            if answers and counted:
                # "How many soldiers … in case UK citizens have to be evacuated?": not "several hundred UK citizens",
                # a count of the other thing the question names
                answers = tuple((a, b) for a, b in answers if not _counts_another(text[b:], counted, question_words, counted_terms))
            if answers and kind == "date" and asked_at.places:
                # "Sunday's meeting in Monaco" is not when the asked meeting in Qatar is
                answers = tuple((a, b) for a, b in answers if not _in_another_place(text, b, asked_at.places))
            if answers and kind in _MEASURED:
                answers = _of_asked_place_and_year(answers, text, asked_at)
                if not asks_change:
                    # "would increase the number of Chinese tourists by 40,000" is a change, not how many there are
                    answers = tuple((a, b) for a, b in answers if not _CHANGED_BY.search(text, 0, a))
                answers = tuple((a, b) for a, b in answers if not set(_NUMBER.findall(text[a:b])) & qualifiers)
                # "How much is Tautou paid?" is not answered by "Jean Reno … earning 3.55m Euros"
                # (a bare count, "12,900 acres", is checked as a quantity of its own)
                at = {q.start: q for q in quantities}
                answers = tuple((a, b) for a, b in answers
                                if not _of_another(at.get(a) or Quantity(kind, 0.0, "=", text[a:b], None, a), text, profile, asked_names))
                if asked_terms is not None:
                    # "provided more than $200,000 annually for office space" is what another thing cost, not the asked payment
                    answers = tuple((a, b) for a, b in answers if not _paid_for_another(text, b, asked_terms))
            spoken = about_topic and bool(speaker_terms & sentence_terms) and bool(_SPEECH.search(text))
            # "Does Putin support…?": a sentence stating the support, or its refusal, speaks to it.
            states = bool(predicate) and (predicate in sentence_terms or _refuses(sentence_terms))
            score = cfg.coverage * coverage + cfg.dense * (passage.dense_score or 0.0) + cfg.rank / pos
            if context:
                score += cfg.followup * _share(context, sentence_terms)
                # a follow-up is about the conversation's subject
                score *= cfg.offtopic + (1 - cfg.offtopic) * min(1.0, in_context / cfg.ontopic_share)
            if answers or spoken or states:
                score += cfg.typed
            if not named or not names_here:
                score *= cfg.unnamed
            n_words = len(text.split())
            if n_words < 6 or not re.search(r"[.!?\"”’)]$", text):
                score *= cfg.fragment  # headlines and section titles rarely state the answer
            if re.search(r"\?[\"”’)]*$", text):
                score *= cfg.asking
            # A lead that describes its subject ("A British terror suspect held in Guantanamo Bay plans to sue…",
            # "Tate & Lyle's chief executive has been named…") and the next sentence that opens with the name.
            lead = scored[-1] if scored and scored[-1].passage == pos and scored[-1].index == index - 1 else None
            described = (before_text if kind == "person" and answers and answers[0][0] <= 1 and lead is not None
                         and not lead.typed and before_share >= cfg.carried_share and _UNNAMED_LEAD.match(before_text) else "")
            if described:
                score = max(score, lead.score + cfg.typed)
            scored.append(Candidate(pos, passage.doc_id, text, index, score, coverage, focus_share,
                                    named and (names_here or not named_speaker), in_context, answers,
                                    spoken=spoken, carried=carried, described=described,
                                    names_kind=not kind_terms or bool(_same_things(kind_terms) & sentence_terms)))
    scored.sort(key=lambda c: -c.score)
    return scored


# "the second series", "the fourth singles rubber": an ordinal and the words (up to three) of what it numbers
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))\s+"
                      r"((?:[a-z]+\s+){0,2}[a-z]+)\b", re.I)


def _ordinals(text: str) -> dict[str, str]:
    """The things the text numbers in order, by their stem: "the second series" -> {"seri": "second"}."""
    return {stem: m.group(1).lower() for m in _ORDINAL.finditer(text) for stem in terms(m.group(2).split()[0])}


def _another_of(asked: dict[str, str], text: str) -> bool:
    """Does ``text`` number an asked thing otherwise ("the first series" for the asked second; "the second singles
    rubber" for the first rubber), and never as asked?"""
    told: dict[str, set[str]] = {}
    for m in _ORDINAL.finditer(text):
        for stem in terms(m.group(2)):
            told.setdefault(stem, set()).add(m.group(1).lower())
    return any(stem in told and ordinal not in told[stem] for stem, ordinal in asked.items())


# How often, by the period: "once a week", "twice a year", "three times per month".
_PER_PERIOD = re.compile(r"\b(?:once|twice|\w+\s+times)\s+(?:a|an|per|each|every)\s+(day|week|fortnight|month|quarter|year)\b", re.I)


def _periods(text: str) -> set[str]:
    """The periods the text counts times in ("once a week": week)."""
    return {m.group(1).lower() for m in _PER_PERIOD.finditer(text)}


def _with_similarity(ranked: list[Candidate], relevance: Relevance | None, cfg: ReaderSettings, typed_kind: bool) -> list[Candidate]:
    """Add the embedding similarity of the best sentences (and of every typed one, for typed questions)."""
    if relevance is None or not ranked:
        return ranked
    pool = ranked[: cfg.semantic_pool]
    if typed_kind:
        pool += [c for c in ranked[cfg.semantic_pool:] if c.typed][: cfg.semantic_pool // 2]
    sims = dict(zip((id(c) for c in pool), relevance([c.text for c in pool])))
    # A sentence that names the subject the one before describes is as close to the question as that one.
    described = [c for c in pool if c.described]
    if described:
        for c, sim in zip(described, relevance([c.described for c in described])):
            sims[id(c)] = max(sims[id(c)], sim)
    rescored = [replace(c, score=c.score + cfg.semantic * sims[id(c)], similarity=sims[id(c)]) if id(c) in sims else c
                for c in ranked]
    rescored.sort(key=lambda c: -c.score)
    return rescored


# Values of a form news text rarely states in passing: how often ("every 10 seconds", "six to 10 times a year"),
# how far something moved ("sank 14.87%"), a share. A sentence on the question's subject that states one and
# paraphrases the question answers it without its focus words (a count or a sum of money, stated everywhere, does not).
_TELLING_VALUES = frozenset({"frequency", "amount", "percent"})


def _answers_it(c: Candidate, typed_kind: bool, cfg: ReaderSettings, kind: str = "", followup: bool = False) -> bool:
    """Evidence that the sentence states the asked attribute of the asked subject."""
    if not c.named or c.similarity is None:
        return False
    if typed_kind and not c.typed:
        return False
    if kind == "role":
        return True  # the title beside the asked name is the evidence; "position" is rarely written
    if c.spoken and c.similarity >= cfg.speaker_similarity and c.context >= cfg.min_context:
        return True  # the asked speaker's words in an article about the asked topic
    if (typed_kind or kind in ENTITY_TYPES) and c.typed and c.carried and c.context >= cfg.min_context:
        return True  # the asked value, said of the thing the sentence before is about
    if followup and c.typed and c.context >= cfg.followup_context:
        # "Where did he go next?", "And when is it going out on air?": a new place (date, figure) stated in
        # the passage the conversation is about, whatever verb it uses ("will broadcast on 18 December")
        return True
    if kind in ENTITY_TYPES and c.typed and c.names_kind and c.similarity >= cfg.entity_similarity and c.context >= cfg.min_context:
        return True  # names someone (somewhere) new and paraphrases the question: "funding came from … Sir Paul Sykes"
    # About what is asked: its focus words, a paraphrase of the question, or, when the question is
    # mostly names ("What does the name Meibion Glyndwr mean?"), most of its terms.
    about_focus = (c.focus >= cfg.min_focus or c.similarity >= cfg.min_similarity
                   or (c.coverage >= cfg.name_coverage and c.similarity >= cfg.name_similarity)
                   # "How often is someone getting broadband?": "every 10 seconds", said of the subject in a paraphrase
                   or (kind in _TELLING_VALUES and c.typed and c.coverage >= cfg.value_coverage
                       and c.similarity >= cfg.value_similarity))
    return about_focus and c.evidence >= cfg.min_evidence and c.context >= cfg.min_context


def _clauses(text: str, cut: re.Pattern[str] = _CLAUSE, keep: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a sentence, cut at punctuation and at "which"/"who"/"but",
    never inside a ``keep`` span ("two and a half hours")."""
    spans, start = [], 0
    brackets = [(m.start(), m.end()) for m in re.finditer(r"\([^()]*\)", text)]
    for m in cut.finditer(text):
        if any(a <= m.start() < b for a, b in (*keep, *brackets)):
            continue  # "12,900 acres (5,200 hectares)": a bracket stays with what it explains
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip(" .\"“”'’")]


def lead_span(c: Candidate, profile: QuestionProfile, cfg: ReaderSettings) -> str:
    """The part of the sentence that is the answer: the clause holding the asked value (with the
    clause before it when it is too short to read alone, or is a relative clause), or the
    sentence cut to its best clauses."""
    text = c.text.strip()
    if profile.answer_type == "role" and c.answers:
        return text[slice(*c.answers[0])]  # the name with its title (or else description), as written
    # What someone said, why, what happened: the statement is the answer, quotes and all.
    limit = cfg.statement_words if profile.answer_type in STATEMENT_TYPES else cfg.lead_words
    if len(text.split()) <= limit and (not c.answers or profile.answer_type in STATEMENT_TYPES):
        return text
    if profile.answer_type in ENTITY_TYPES and len(c.answers) > 1:
        c = replace(c, answers=_listed(c.answers, text))  # "David Bailey, Rankin and Nan Goldin": one answer
    span = _window(text, c, profile, cfg, _CLAUSE)
    if c.answers and len(span.split()) > cfg.lead_words:
        at = text.find(span)
        answers = tuple((a - at, b - at) for a, b in c.answers if at <= a < at + len(span))
        # Best: the clause from its start up to the end of the part that states the answer
        # ("The Russian leader … in a phone call with Trump that lasted two and a half hours").
        ends = [e for _, e in _clauses(span, _SUBCLAUSE, answers) if answers and e >= answers[0][1]]
        if ends and len(span[:ends[0]].split()) <= cfg.lead_words:
            span = span[:ends[0]]
        else:
            inner = _window(span, replace(c, answers=answers), profile, cfg, _SUBCLAUSE)
            span = inner if inner.strip() else span
    if len(span.split()) > cfg.lead_words and not c.answers:
        return text
    at = text.find(span)
    if at > 0 and _RELATIVE.match(span) and len(text[:at].split()) <= _ANTECEDENT_WORDS:
        # "[SK Telecom of South Korea,] which is launching…": a relative clause is read with what it is said of
        return text[:at + len(span)]
    return span


# The longest sentence opening kept before a relative clause that the answer span starts with.
_ANTECEDENT_WORDS = 8


# What joins the names of a list: "David Bailey, Rankin and Nan Goldin" (a one-word name between two spans).
_LIST_GAP = re.compile(r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*(?:\s*,\s*(?:and\s+)?|\s+and\s+))*")


def _listed(answers: tuple[tuple[int, int], ...], text: str) -> tuple[tuple[int, int], ...]:
    """``answers`` with the names of one list joined into one span, so that a cut at a comma keeps the
    list whole."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(answers):
        if merged and _LIST_GAP.fullmatch(text, merged[-1][1], start):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def _window(text: str, c: Candidate, profile: QuestionProfile, cfg: ReaderSettings, cut: re.Pattern[str]) -> str:
    clauses = _clauses(text, cut, c.answers)
    if not clauses:
        return text
    focus = set(profile.focus) | set(profile.terms)
    answers = [a for a in c.answers if 0 <= a[0] < len(text)]
    if answers:
        at = answers[0][0]
        # The answer nearest the question's words, when the sentence states several.
        if len(answers) > 1:
            hits = [m.start() for t in focus for m in re.finditer(r"\b" + re.escape(t), text.lower())]
            if hits:
                at = min(answers, key=lambda a: min(abs(a[0] - h) for h in hits))[0]
        i = next((k for k, (s, e) in enumerate(clauses) if s <= at < e), 0)
        lo = hi = i
    else:
        gains = [_share({t: 1.0 for t in focus}, set(terms(text[s:e]))) for s, e in clauses]
        lo = hi = max(range(len(clauses)), key=gains.__getitem__)

    def size(a: int, b: int) -> int:
        return len(text[clauses[a][0]:clauses[b][1]].split())

    # Widen to a readable statement: at least 6 words (a relative clause with its antecedent).
    while (size(lo, hi) < 6 or _RELATIVE.match(text[clauses[lo][0]:])) and (lo > 0 or hi < len(clauses) - 1):
        if lo > 0 and size(lo - 1, hi) <= cfg.lead_words:
            lo -= 1
        elif hi < len(clauses) - 1 and size(lo, hi + 1) <= cfg.lead_words and not _RELATIVE.match(text[clauses[lo][0]:]):
            hi += 1
        else:
            break
    # A clause that starts in lower case ("has confirmed that…", "was given a standing ovation"), or
    # with an age or a number ("Mr Boateng, | 53, | is to become…"), lost its subject to the cut: take
    # the clause before it back while the span stays short.
    while lo > 0 and (text[clauses[lo][0]].islower() or text[clauses[lo][0]].isdigit()) and size(lo - 1, hi) <= cfg.lead_words:
        lo -= 1
    # The same figure told again in the next clause, in another unit: "up more than 6%, | or 16.75 pence to 293.5p".
    while (profile.answer_type in _MEASURED and hi < len(clauses) - 1 and size(lo, hi + 1) <= cfg.lead_words
           and any(clauses[hi + 1][0] <= a < clauses[hi + 1][1] for a, _ in answers)
           and re.match(r"\s*(?:or|and|to)\b", text[clauses[hi + 1][0]:])):
        hi += 1
    return text[clauses[lo][0]:clauses[hi][1]].strip(" ,;:")


def _statement(span: str) -> str:
    """A span as a sentence of the answer: capitalised, closed by a full stop, no unpaired quotes."""
    span = span.strip()
    for opening, closing in (("“", "”"), ("‘", "’")):
        if span.count(opening) > span.count(closing):
            span = span.replace(opening, "", span.count(opening) - span.count(closing))
        elif span.count(closing) > span.count(opening) and span.rstrip(".").endswith(closing):
            span = span.rstrip(".").removesuffix(closing)
    if span.count('"') % 2:
        span = span.replace('"', "")
    span = span[0].upper() + span[1:] if span else span
    return span if re.search(r"[.!?][\"”’)]?$", span) else span + "."


def _quantity_of_focus(q: Quantity, c: Candidate, profile: QuestionProfile) -> bool:
    """Is the quantity said of what the question asks about? "30-day cease-fire" and "eight
    hours of talks" measure a cease-fire and talks, not a phone call."""
    asked = set(profile.focus) | set(profile.context_terms) | set(words(profile.standalone))
    head = q.head
    after = c.text[q.start + len(q.surface):]
    of = re.match(r"\s+of\s+(?:the\s+)?([a-z]+)", after)
    if of:
        head = of.group(1)
    return head is None or head in asked or (terms(head) or [""])[0] in asked


# Verbs that frame a quantity question ("how long did it last", "how much did it cost"): they say
# how the value is asked, not what it is the value of.
_QUANTITY_FRAMES = DURATION_FRAMES | frozenset(terms("cost pay paid long much many worth")
                                               + terms("between during after before within since"))  # and words that relate things
# A change told by its direction and size: "sent shares up more than 6%", "down 2.3% on the year".
_MOVED = {"rise": re.compile(r"\bup\s+(?:by\s+)?(?:(?:more than|almost|nearly|about|some|over|just)\s+)?[$£€]?\d"),
          "fall": re.compile(r"\bdown\s+(?:by\s+)?(?:(?:more than|almost|nearly|about|some|over|just)\s+)?[$£€]?\d")}


def _moved(text: str) -> set[str]:
    """The way a figure moved, where the sentence tells it by "up"/"down" and the size."""
    return {way for way, pattern in _MOVED.items() if pattern.search(text)}


# Words news writing uses for one and the same event or thing.
_SAME_THING = tuple(frozenset(terms(group)) for group in (
    "call phone conversation spoke", "truce ceasefire cease-fire armistice", "aid assistance", "election vote poll",
    "talks meeting summit negotiations", "film movie", "company firm", "jail prison", "sacked fired dismissed",
    "viewers audience watched", "peak height", "freed released",
    "replace succeed successor",
    "rise increase climb gain jump grow expand", "fall decrease decline drop slip shrink contract", "shares stock",
    "finish close", "customers subscribers", "seats tickets", "stake shareholding", "cut reduce lower slash trim",
))


# A demand ("its call for a halt"), not a phone call; not "a call for two hours", nor "the call on Tuesday".
_CALL_FOR = re.compile(r"\bcall(?:s|ed|ing)?\s+for\b(?!\s+(?:about|around|roughly|nearly|almost|more|over|some|an?\s+hour|half|\d"
                       r"|one|two|three|four|five|six|seven|eight|nine|ten)\b)", re.I)


# For what a count counts (_counts_another), the words of _SAME_THING and more ("100 troops" answers "how many
# soldiers…?"): kept out of _SAME_THING, where "places" or "users" would widen focus matching everywhere.
_COUNTED_SAME = _SAME_THING + tuple(frozenset(terms(group)) for group in (
    "soldiers troops forces", "customers subscribers users clients", "jobs posts positions staff workers employees",
    "matches games fixtures", "songs tracks singles", "seats places tickets", "cars vehicles", "shops stores outlets",
    "flights journeys trips",
))


def _same_things(present: set[str], groups: tuple[frozenset[str], ...] = _SAME_THING) -> set[str]:
    """``present`` with the other words for each thing it names ("talks": also "negotiations")."""
    return present.union(*(group for group in groups if group & present))


def _mentions(term: str, present: set[str]) -> bool:
    """``term``, or another word for the same thing, is among ``present``."""
    return term in _same_things(present)


def _mentions_word(word: str, present: set[str]) -> bool:
    """``word`` (by its stem), or another word for the same thing, is among ``present``."""
    return _mentions((terms(word) or [""])[0], present)


def _names_focus(c: Candidate, profile: QuestionProfile) -> bool:
    """The sentence holds a focus word of the question, or another word for it ("the conversation"
    for "on the phone")."""
    if c.focus > 0:
        return True
    present = set(terms(c.text))
    return any(_mentions(t, present) for t in profile.focus)


def _of_asked_thing(q: Quantity, c: Candidate, profile: QuestionProfile) -> bool:
    """Is the quantity said of the thing it is asked for (the call, not the truce)? That thing, or
    another word for it, must stand in the clause of the quantity or the one before it ("The
    conversation, | which lasted roughly 90 minutes")."""
    asked = {t for t in profile.focus if t not in _QUANTITY_FRAMES}
    if not asked:
        return True
    before = c.text[:q.start + len(q.surface)]
    pieces = [before[a:b] for a, b in _clauses(before, keep=((q.start, len(before)),))]
    present = set(terms(" ".join(pieces[-2:])))
    return any(_mentions(t, present) for t in asked)


_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_QUALIFIER = re.compile(r"\b(?:over|above|more than|under|below|less than|at least|up to)\s+[$£€]?(\d[\d,.]*)", re.I)


def _qualifying_figures(question: str) -> set[str]:
    """The figures a question qualifies its subject by ("the tax on earnings over £100,000"): not a value
    asked for, so a sentence restating one does not state the answer, nor one side of a disagreement."""
    return {m.group(1).rstrip(".,") for m in _QUALIFIER.finditer(question)}


# "the trade deficit with China", "exports to Japan": a word and the name it is tied to
_TIED = re.compile(r"\b([a-z]+)\s+(?:with|to|from|in|of)\s+(?:the\s+)?([A-Z][a-z]+)\b")
# "internet retailers' sales", "the airline's profit": whose the measured thing is, in common nouns
_OWNED = re.compile(r"\b((?:[a-z]+\s+)?[a-z]+)(?:['’]s|s['’])\s+([a-z]+)\b")


def _conflict(profile: QuestionProfile, answering: list[Candidate], best: Candidate, cfg: ReaderSettings,
              passages: Sequence[Passage]) -> tuple[list[AnswerSentence], Conflict] | None:
    """Sources that state incompatible values of the asked quantity, about the asked thing."""
    kind = profile.quantity
    if not kind:
        return None
    claims: list[tuple[Candidate, Quantity]] = []
    seen_docs: set[str] = set()
    names_of: dict[int, set[str]] = {}  # passage number -> the names it holds, read once

    def names(c: Candidate) -> set[str]:
        if c.passage not in names_of:
            names_of[c.passage] = _named_in(passages[c.passage - 1].text)
        return names_of[c.passage]

    asked_names = _asked_names(profile)
    asked_at = _asked_years_and_places(profile)
    asks_forecast = _asks_forecast(profile.standalone)  # (a forecast does not contradict what was)
    # "the trade deficit with China": a side's own words must name what the question ties the measure to
    # ("the deficit rose to $43.4bn" may be the deficit with everyone). Not for a duration, which is an
    # event's ("the call with Trump" is the conversation another article times).
    focus = set(profile.focus)
    tied_to = {m.group(2).lower() for m in _TIED.finditer(profile.standalone)
               if kind != "duration" and _mentions_word(m.group(1).lower(), focus)}
    # ("internet retailers' sales": every word of whose they are, not any retail sales)
    owners = {w for m in _OWNED.finditer(profile.standalone)
              if kind != "duration" and _mentions_word(m.group(2).lower(), focus) for w in terms(m.group(1))}
    qualifiers = _qualifying_figures(profile.standalone)
    for cand in answering:
        # A side of a disagreement needs less evidence than an answer on its own (its value is
        # checked against the asked thing below), but it must name the subject and its focus,
        # and its passage must be about the same event as the first side's: it names someone
        # (something, somewhere) that one names. "The first ever call over a portable phone…
        # took 10 years" is about another call than the presidents' phone call.
        if (cand.score < cfg.conflict_ratio * best.score or cand.doc_id in seen_docs or not cand.named
                or not _names_focus(cand, profile) or cand.evidence < cfg.conflict_evidence
                or claims and not names(claims[0][0]) & names(cand)):
            continue
        fitting = [q for q in extract(cand.text) if q.kind.startswith(kind) and _quantity_of_focus(q, cand, profile)
                   and _of_asked_thing(q, cand, profile) and not _a_goal(q, cand.text)
                   and (asks_forecast or not _FORECAST.search(cand.text[:q.start]))
                   and _of_asked_place_and_year(((q.start, q.start + len(q.surface)),), cand.text, asked_at)
                   and not _of_another(q, cand.text, profile, asked_names, passages[cand.passage - 1])
                   and not set(_NUMBER.findall(q.surface)) & qualifiers]
        if fitting and tied_to and not any(_same_stem(w, tied_to) or w in tied_to for w in words(cand.text)):
            continue
        if fitting and owners:
            said = set(terms(cand.text))
            if not all(o in said or _same_stem(o, said) for o in owners):
                continue
        if fitting:
            claims.append((cand, fitting[0]))
            seen_docs.add(cand.doc_id)
    if len(claims) < 2 or all(a.compatible(b) for i, (_, a) in enumerate(claims) for _, b in claims[i + 1:]):
        return None
    groups: list[list[tuple[Candidate, Quantity]]] = []
    for claim in claims:
        for group in groups:
            if all(claim[1].compatible(other) for _, other in group) and claim[1].bound == group[0][1].bound:
                group.append(claim)
                break
        else:
            groups.append([claim])
    groups.sort(key=lambda g: -len(g))
    sentences = [AnswerSentence(_statement(lead_span(c, profile, cfg)), (c.passage,)) for group in groups for c, _ in group]
    # A side's value in each form its sources state it ("two and a half hours / 2.5 hours").
    found = Conflict(kind, tuple({"value": " / ".join(dict.fromkeys(q.surface for _, q in group)),
                                  "sources": [c.passage for c, _ in group]} for group in groups))
    return sentences, found


# Words that make the value after them something wanted, not something that happened: "I've got to
# run under 10 seconds", "it aims to cut costs by 10%".
_GOAL = re.compile(r"\b(?:(?:have|has|'ve|’ve) got to|(?:need|needs|want|wants|hope|hopes|aim|aims|aiming|hoping|plan|plans)"
                   r" to|must|targets?(?: of)?)\b[^.;:!?]{0,40}$", re.I)


def _a_goal(q: Quantity, text: str) -> bool:
    """A value someone wants, needs or aims at, not one a source reports: not a side of a disagreement."""
    return bool(_GOAL.search(text[max(0, q.start - 60):q.start]))


def _asked_names(profile: QuestionProfile) -> tuple[set[str], set[str], bool]:
    """The question's names word by word ("Port Ellen": port, ellen), and with them every capitalised
    name of the whole question (for one part of it: "…, and how much did the courts award the airline?"),
    and whether it asks about a person it does not name ("the Barlinnie prisoner"). Read once per question."""
    by_word = {w for n in profile.names for w in words(n)}
    return (by_word, by_word | {n.lower() for n in proper_names(profile.standalone)},
            bool(_UNNAMED_PERSON.search(profile.standalone)))


# "How much did the Barlinnie prisoner get…?": the person is described, and the article names him.
_UNNAMED_PERSON = re.compile(rf"\bthe\s+(?:[\w'’-]+\s+){{0,3}}?(?:{_LEAD_PEOPLE}|prisoner|inmate)s?\b", re.I)


def _of_another(q: Quantity, text: str, profile: QuestionProfile, asked_names: tuple[set[str], set[str], bool],
                passage: Passage | None = None) -> bool:
    """Is the quantity said of something else the sentence names? "Apple expects the Mac mini to sell
    for £339" prices the Mac mini, not the asked iPod mini: a name the question lacks stands before
    the asked thing. And "Its $17m profit…" ("The firm's revenue…") is the article's subject's, which the
    question does not name when the article's title does not ("Ask Jeeves tips online ad revival"). Those
    two checks are for a side of a conflict (given its ``passage``), not for a sentence the reader weighs
    in its own passage, whose retrieval and names checks already tie it to the subject."""
    by_word, asked, unnamed_person = asked_names  # (see _asked_names)
    focus = set(profile.focus)
    before = text[:q.start]
    # ("The man who was Alex Ferguson's assistant … won seven titles": names describing an unnamed subject)
    if not _DESCRIBED_SUBJECT.match(text):
        # (for a side of a conflict only: in a sentence the reader weighs, the word after a name is as often
        # a verb, "Storm Ellen closed the bridge for six hours", as the thing asked)
        pairs = re.finditer(r"(?<=.)\b([A-Z][A-Za-z]+)\s+([a-z]+)\b", before) if passage is not None else ()
        for m in pairs:  # not the sentence's first word
            name = m.group(1).lower()  # not a day ("on Friday after forty years")
            if name not in asked and not _CALENDAR.fullmatch(name) and _mentions_word(m.group(2), focus):
                return True
        # "During the same quarter, Yahoo earned $187m": the value's subject is a name the question lacks, and
        # none it has. (What comes before a speech verb or a quote is who told it: "The Kremlin said … two hours".)
        claim = _REPORTED.split(before)[-1]
        named = {without_possessive(w.lower()) for w in _named_in(claim)} | _initials(claim)
        # ("Trump's bid for a 30-day ceasefire": the value names the asked thing it measures)
        measures_asked = q.head is not None and _mentions_word(q.head, focus)
        # (an asked name in capitals counts too: "shares in SSL, which also makes Scholl footwear, up 6%";
        # not "US" or "UK", places that name no subject: "The Passion … making $370m in the US alone")
        acronyms = {w.lower() for w in _ACRONYM.findall(claim)}
        # ("Armed robber Robert Napier, 25, won £2,450" for "the Barlinnie prisoner": the asked person, named)
        # (a name in capitals opening the sentence is a name too: "SMFG shares climbed by 2.7%, and Daiwa added 5.3%")
        opening = _ACRONYM.match(claim.lstrip())
        if (named or opening) and by_word and not (named | acronyms) & asked and not measures_asked and not unnamed_person:
            return True
    if passage is not None and re.match(r"(?:Its?|His|Her|Their|He|She|They|The (?:firm|company|group)(?:['’]s)?)\b", text) and profile.required_names:
        title_terms = set(terms(passage.title))
        return not any(set(terms(n)) <= title_terms for n in profile.required_names)
    return False


_ACRONYM = re.compile(r"\b(?!USA\b)[A-Z]{3,6}\b")

# What a sum paid for: "$200,000 annually for office space", "£5m a year for the rights".
_FOR_THING = re.compile(r"(?:\s+(?:a|an|per|each)\s+[a-z]+|\s+annually)?\s+for\s+(?:the\s+|its\s+|his\s+|her\s+|their\s+|an?\s+)?"
                        r"([a-z][a-z-]+)(?:\s+([a-z][a-z-]+))?")
# Words after "for" that say when or how long, not what was bought ("for the year", "for the first time"), or
# how many ("for three years").
_FOR_WHEN = frozenset(terms("year years month months quarter quarters period week weeks day days time first second third "
                           "season half full whole next last past same " + " ".join(NUMBER_WORDS)))


def _paid_for_another(text: str, end: int, asked: set[str]) -> bool:
    """The sum ending at ``end`` is said to pay for a thing the question does not name ("for office space")."""
    m = _FOR_THING.match(text, end)
    if not m or m.group(1).endswith("ing"):
        return False  # "for misleading customers": why, not what
    said = set(terms(" ".join(g for g in m.groups() if g)))
    return bool(said) and not said & _FOR_WHEN and not _same_things(said) & asked


def _initials(text: str) -> set[str]:
    """The initials of the names of several words in ``text``, lowercased: "the International Monetary
    Fund" is the "IMF" a question asks about."""
    runs = re.finditer(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|for|and|the)\s+)?[A-Z][a-z]+)+", text)
    return {"".join(w[0] for w in m.group(0).split() if w[0].isupper()).lower() for m in runs}


def _named_in(text: str) -> set[str]:
    """The capitalised names inside the sentences of ``text`` (not a sentence's first word, a day or a month)."""
    return {m.group(0) for m in re.finditer(r"(?<=[a-z,;]\s)[A-Z][a-z]{2,}(?:['’][a-z]+)?", text)
            if not _CALENDAR.fullmatch(m.group(0).lower())}


_QUOTED = re.compile(r"[“\"]([^”\"]{3,80})[”\"]")


def _is_variant(short: list[str], long: list[str]) -> bool:
    """``long`` is ``short`` with one or two words added ("energy infrastructure" ->
    "energy and infrastructure"): the same claim, worded differently."""
    if not 2 <= len(short) < len(long) <= len(short) + 2:
        return False
    it = iter(long)
    return all(word in it for word in short)


def _wording_conflict(profile: QuestionProfile, best: Candidate, ranked: list[Candidate],
                      cfg: ReaderSettings) -> tuple[list[AnswerSentence], Conflict] | None:
    """Sources (or readouts) that quote the same claim in different words, e.g. an “energy and
    infrastructure” ceasefire against one on “energy infrastructure”. Only quoted wording counts:
    it is what a source says was said, and the variants must differ by one or two added words."""
    if profile.answer_type != "yesno" and not re.search(r"\bor\b", profile.question):
        return None  # wording matters to "Did it cover A?", "A or B?"; elsewhere it is a detail
    pool = [c for c in ranked if c.named and c.focus > 0 and c.evidence >= cfg.conflict_evidence
            and c.score >= cfg.conflict_ratio * best.score][:8]
    quoted = [(c, m.group(1).strip(" .,"), words(m.group(1))) for c in pool for m in _QUOTED.finditer(c.text)]
    for i, (a, phrase_a, words_a) in enumerate(quoted):
        for b, phrase_b, words_b in quoted[i + 1:]:
            if a.text == b.text or best.text not in (a.text, b.text):
                continue  # only a disagreement about what the answer itself states
            if not (_is_variant(words_a, words_b) or _is_variant(words_b, words_a)):
                continue
            sentences = [AnswerSentence(_statement(lead_span(c, profile, cfg)), (c.passage,)) for c in (a, b)]
            if sentences[0].text == sentences[1].text:
                continue
            found = Conflict("wording", ({"value": phrase_a, "sources": [a.passage]}, {"value": phrase_b, "sources": [b.passage]}))
            return sentences, found
    return None


def _continuation(best: Candidate, ranked: list[Candidate], cfg: ReaderSettings, kind: str = "") -> Candidate | None:
    """The sentence right after ``best`` when it carries the statement on ("Starmer spoke with
    Trump." -> "He told Trump that ..."), or, for a why-question whose best sentence states no
    cause, gives the cause ("… banned Keller." -> "Keller was suspended for failing to …")."""
    nxt = next((c for c in ranked if c.passage == best.passage and c.index == best.index + 1), None)
    if nxt and (REFERS_BACK.match(nxt.text) or nxt.coverage >= cfg.continuation_coverage or _gives_cause(best, nxt, kind)) \
            and len(nxt.text.split()) >= 6:
        return nxt
    return None


def _gives_cause(best: Candidate, nxt: Candidate | None, kind: str) -> bool:
    """A why-question's best sentence states no cause, and the next one does."""
    return kind == "reason" and nxt is not None and nxt.typed and not best.typed


class ExtractiveReader:
    """The default backend: answers by quoting, with no language model. See the module docstring."""

    name = "extractive"

    def __init__(self, settings, keyword: Callable[[], KeywordIndex | None] = lambda: None,
                 relevance: Callable[[str], Relevance | None] | None = None):
        self.settings = settings
        self.cfg: ReaderSettings = settings.reader
        self._keyword = keyword
        self._relevance = relevance

    def condense(self, question: str, history) -> str | None:
        return None  # the rule-based resolution of rag.question is this backend's

    def answer(self, profile: QuestionProfile, passages: Sequence[Passage]) -> Answer:
        return read(profile, passages, self._keyword(), self.settings.support_threshold, self.cfg, self._relevance)


def read(profile: QuestionProfile, passages: Sequence[Passage], keyword: KeywordIndex | None, threshold: float,
         cfg: ReaderSettings = ReaderSettings(), relevance_of: Callable[[str], Relevance | None] | None = None) -> Answer:
    """Answer ``profile`` from ``passages`` with cited spans, or abstain (see the module docstring).

    ``relevance_of`` gives, for a question's text, the embedding similarity of sentences to it.
    """
    question = profile.question
    if not passages:
        return abstention(question, "extractive", ["no_passages"])
    unknown = names_missing_from(profile.required_names, passages)
    if unknown:
        return abstention(question, "extractive", ["unknown_name"],
                          f"The articles don't say: they don't mention {' '.join(unknown)}.")
    if profile.asks_author:  # the byline, or no answer: the article's sentences do not say who wrote it
        byline = _byline(profile, passages)
        if byline is None:
            return abstention(question, "extractive", ["no_byline"])
        return finalize(question, [byline], passages, "extractive", threshold)
    relevance = relevance_of(profile.standalone) if relevance_of else None
    parts = part_profiles(profile)
    kinds = tuple(p.answer_type for p in parts)
    chosen: list[Candidate] = []
    spans: list[AnswerSentence] = []
    missing: list[str] = []
    unanswered: list[QuestionProfile] = []  # the parts no sentence answers
    read_parts = []
    for part in parts:
        kind = part.answer_type
        typed_kind = kind in TYPED
        part_relevance = _part_relevance(relevance, part, relevance_of) if len(parts) > 1 else relevance
        ranked = _with_similarity(candidates(part, passages, keyword, cfg, kind), part_relevance, cfg, typed_kind)
        answering = [c for c in ranked if _answers_it(c, typed_kind, cfg, kind, profile.followup)
                     and not passages[c.passage - 1].side_only]
        read_parts.append((part, kind, typed_kind, ranked, answering))
    # A sentence can answer a two-part question whole only if it answers each part.
    answers_all = set.intersection(*({c.text for c in answering} for *_, answering in read_parts)) if len(parts) > 1 else set()
    for part, kind, typed_kind, ranked, answering in read_parts:
        if not answering and chosen:
            # "Where and when…?": the sentence after another part's answer, on its focus, stating the asked kind
            # ("…a concert in Copenhagen… . Denmark is holding…, with a concert at Parken stadium on 2 April.").
            # "…, and why was he short of options there?": a cause stated up to three sentences on, in its words.
            answering = [c for c in ranked if c.typed and any(c.passage == b.passage and (
                c.index == b.index + 1 and c.focus > 0 or kind == "reason" and b.index < c.index <= b.index + 3)
                for b in chosen)][:1]
        if not answering:
            if len(kinds) > 1:
                missing.append("no_typed_answer" if typed_kind else "low_evidence")
                unanswered.append(part)
                continue  # one part of a two-part question unanswered: say what is known of the others
            return abstention(question, "extractive", ["no_typed_answer" if typed_kind else "low_evidence"])
        if kind in ENTITY_TYPES:
            # "Who…", "Which company…", "Where…": a sentence that names someone (somewhere) new
            # answers; one that restates the question does not.
            answering = _first(answering, lambda c: c.typed, cfg)
            if _ASKS_NAME.search(part.question):
                # "What is the trojan called?": the name a sentence gives as one ("was called Bankash-A Trojan")
                # before one that only names something ("slow a PC's performance")
                answering = _first(answering, lambda c: any(_NAMING.search(c.text, 0, a) for a, _ in c.answers), cfg)
            if part.names and not any(c.typed for c in answering):
                # Sentences about a named subject that name no one (nowhere) else do not say who (where).
                # (Unnamed subjects are often answered by a description: "the lighthouse keeper".)
                if len(kinds) > 1:
                    missing.append("no_typed_answer")
                    unanswered.append(part)
                    continue
                return abstention(question, "extractive", ["no_typed_answer"])
        if kind == "reason":
            # "Why would a pause work in Russia's favour?": a sentence that states a cause ("… would benefit
            # Putin given that Ukraine has targeted refineries") before one that restates what is asked about
            answering = _first(answering, lambda c: c.typed, cfg)
            # A sentence that says nothing the question does not ("Bill Cosby will not face charges stemming from
            # an allegation of sexual misconduct") gives no reason.
            asked_terms = _same_things(set(part.terms) | set(part.context_terms))
            answering = [c for c in answering
                         if c.typed or len(_same_things(set(terms(c.text))) - asked_terms) > cfg.restated_terms]
            if not answering:
                if len(kinds) > 1:
                    missing.append("low_evidence")
                    unanswered.append(part)
                    continue
                return abstention(question, "extractive", ["low_evidence"])
        if kind in _MEASURED and not _asks_forecast(part.standalone):
            # "How large was the deficit in 2004?": the figure reported before one forecast
            answering = _first(answering, lambda c: not _forecast_only(c.text, c.answers), cfg)
        if part.speaker:  # "How did the RAC react?": the RAC's words, before sentences about what it reacted to
            answering = _first(answering, lambda c: c.spoken, cfg)
        best = answering[0]
        if len(set(kinds)) == len(kinds) > 1:  # "where and when": one sentence may state both
            question_words = _question_words(profile)
            whole = next((c for c in answering[:5] if c.text in answers_all and _states_each(
                [_answer_spans(k, c.text, question_words, extract(c.text), profile.names) for k in kinds])), None)
            if whole and len(whole.text.split()) <= cfg.max_words:
                # One sentence answers every part ("…will begin immediately in the Middle East").
                return finalize(question, [AnswerSentence(_statement(whole.text), (whole.passage,))], passages,
                                "extractive", threshold)
        if len(kinds) == 1:
            conflict = (_conflict(part, [best, *(c for c in ranked if c is not best and c.typed)], best, cfg, passages)
                        or _wording_conflict(part, best, ranked, cfg))
            if conflict:
                sentences, found = conflict
                return finalize(question, sentences, passages, "extractive", threshold,
                                preamble="The sources differ. ", conflicts=[found], flags=["conflict"])
        if kind in STATEMENT_TYPES:
            best = _from_quote_start(best, passages)
        lead = AnswerSentence(_statement(lead_span(best, part, cfg)), (best.passage,))
        same = next((i for i, c in enumerate(chosen) if (c.passage, c.index) == (best.passage, best.index)), None)
        if same is not None:
            # Another part is answered by the same sentence: its span, cut for that part, may leave this part's
            # value out ("…operate 15 mature oil fields[, which could produce more than one billion barrels]").
            if len(best.text.split()) <= cfg.max_words:
                spans[same] = AnswerSentence(_statement(best.text), spans[same].citations)
        # A part's span that holds another part's (the same sentence, cut longer) replaces it.
        elif (within := next((i for i, s in enumerate(spans) if s.citations == lead.citations
                              and normalize(s.text).rstrip(". ") in normalize(lead.text)), None)) is not None:
            spans[within], chosen[within] = lead, best
        elif normalize(lead.text) not in {normalize(s.text) for s in spans}:
            spans.append(lead)
            chosen.append(best)
        if len(kinds) == 1 and best.described:
            # what the subject did, then who it is: "A British terror suspect … plans to sue the government.
            # Martin Mubanga claimed…"
            spans.insert(len(spans) - 1, AnswerSentence(_statement(best.described), (best.passage,)))
        elif len(kinds) == 1:
            spans += _support(best, lead, answering, ranked, part, cfg)
    if not spans:
        return abstention(question, "extractive", list(dict.fromkeys(missing)))
    for part in list(unanswered):
        # "…, and what time did it start?" may be stated in the sentence read for the other part.
        stated = _stated_in(part, chosen, profile)
        if stated:
            i, values = stated
            unanswered.remove(part)
            if not any(v in spans[i].text for v in values) and len(chosen[i].text.split()) <= cfg.max_words:
                spans[i] = AnswerSentence(_statement(chosen[i].text), spans[i].citations)  # its span cut the value off
    # A part left open is said to be, in the asker's words, after what is known.
    return finalize(question, spans, passages, "extractive", threshold,
                    unanswered=[f"{p.question[0].upper()}{p.question[1:].rstrip(' ?')}?" for p in unanswered])


# A question that asks for a name, and the words that give one ("was called", "named", "dubbed", "known as").
_ASKS_NAME = re.compile(r"\bcalled\s*\??$|\b(?:name|title|nickname)\b|\bnicknamed\b", re.I)
_NAMING = re.compile(r"\b(?:called|named|dubbed|titled|entitled|known\s+as|nicknamed)\s+(?:the\s+)?$", re.I)


# A quotation mark that closes a quote: after a word or punctuation, not before one ("…to that," said).
_CLOSING_QUOTE = re.compile(r"(?<=[\w.,!?])[\"”]")


def _from_quote_start(c: Candidate, passages: Sequence[Passage]) -> Candidate:
    """``c`` from where its quote opens, when it is the end of a quote begun in the sentence before:
    ""I'm extremely disappointed. I don't know if there's a lot to add to that," said Alex McLeish"
    is his reaction, not its second half."""
    first = re.search(r"[\"“”]", c.text)
    if c.index == 0 or not first or not _CLOSING_QUOTE.match(c.text, first.start()):
        return c
    passage = passages[c.passage - 1].text
    sentences = split_sentences(passage)
    for back in (1, 2):  # a quote of up to three sentences
        if c.index - back < 0:
            break
        start = sentences[c.index - back][0]
        opening = passage[start:sentences[c.index - back][1]]
        if len(re.findall(r"[\"“”]", opening)) % 2:
            return replace(c, text=passage[start:sentences[c.index][1]].strip())
    return c


def _stated_in(part: QuestionProfile, chosen: list[Candidate], profile: QuestionProfile) -> tuple[int, list[str]] | None:
    """The position in ``chosen`` of a sentence read for another part that also states this (typed)
    part's value, with the values it states: "…, and what time did it start?" is answered by "The two
    leaders began a phone conversation at 10 a.m. …, according to … Dan Scavino", read for who announced it."""
    if part.answer_type not in TYPED:
        return None
    question_words = _question_words(profile)
    own_names = set(terms(" ".join(part.names)))
    for i, c in enumerate(chosen):
        if own_names and not own_names & set(terms(c.text)):
            continue  # "…in Mori's 1999 poll" is not stated by the sentence on the Countryfile survey read for the other part
        found = _answer_spans(part.answer_type, c.text, question_words, extract(c.text), profile.names)
        if found:
            return i, [c.text[a:b] for a, b in found]
    return None


def _part_relevance(whole: Relevance | None, part: QuestionProfile, relevance_of) -> Relevance | None:
    """A part of a two-part question is read against its own words as well as the whole question's: in
    "How much does Varig owe, and how much did the courts award it in its compensation claim?", the
    sentence on its debt is little like the whole question, which is mostly about the award, but much
    like its first part."""
    if whole is None or relevance_of is None:
        return whole
    own = relevance_of(part.question)
    if own is None:
        return whole
    return lambda texts: [max(a, b) for a, b in zip(whole(texts), own(texts))]


def _byline(profile: QuestionProfile, passages: Sequence[Passage]) -> AnswerSentence | None:
    """The byline of the article the question points to (by its headline, outlet or subject: the
    passage whose title and outlet share most of the question's terms, the better ranked first), cited
    to a passage that prints it; None when that article has no known author."""
    asked = set(profile.terms)
    article = max(passages, key=lambda p: len(asked & set(terms(f"{p.title} {p.outlet}")))).doc_id
    for pos, passage in enumerate(passages, start=1):
        if passage.doc_id == article and passage.author and passage.author in passage.text:
            return AnswerSentence(_statement(passage.author), (pos,))
    return None


def _states_each(spans_by_kind: list[tuple[tuple[int, int], ...]]) -> bool:
    """Each asked kind has a span of its own: "to South Africa" is the place asked for, not also the person."""
    def apart(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
        return all(span[1] <= a or b <= span[0] for a, b in others)

    return all(any(apart(span, [o for j, group in enumerate(spans_by_kind) if j != i for o in group]) for span in spans)
               for i, spans in enumerate(spans_by_kind))


def _first(answering: list[Candidate], wanted: Callable[[Candidate], bool], cfg: ReaderSettings) -> list[Candidate]:
    """``answering`` with the ``wanted`` sentences that score close to the best (``cfg.keep_ratio``) first."""
    preferred = [c for c in answering if wanted(c) and c.score >= cfg.keep_ratio * answering[0].score]
    return preferred + [c for c in answering if c not in preferred]


def _support(best: Candidate, lead: AnswerSentence, answering: list[Candidate], ranked: list[Candidate],
             profile: QuestionProfile, cfg: ReaderSettings) -> list[AnswerSentence]:
    """At most one supporting quote, when it adds something: the rest of a cut sentence's statement,
    its continuation, or another source on the same point (its own account, for a yes/no question)."""
    used = len(lead.text.split())
    follower = _continuation(best, ranked, cfg, profile.answer_type)
    if profile.typed and lead.text.rstrip(".") != best.text.rstrip("."):
        # A short typed answer: the span says it, the source panel shows the sentence. Unless the next
        # sentence gives the value for a name the question asks about and the span leaves out
        # ("compared with someone in France?": "This compares with 59 litres in France").
        left_out = {t for n in profile.names for t in terms(n)} - set(terms(best.text))
        # (a figure for the thing left out is not one "of another" thing: any number states it)
        states = follower is not None and (follower.typed or profile.answer_type in _MEASURED and bool(re.search(r"\d", follower.text)))
        if states and left_out & set(terms(follower.text)) and len(follower.text.split()) + used <= cfg.max_words:
            return [AnswerSentence(_statement(follower.text), (follower.passage,))]
        return []
    options = []
    # (the cause a why-question's best sentence does not give, stated next, whatever its score: "… posted a $676m
    # loss …" -> "It blamed an $850m payout …")
    if follower and (follower.score >= cfg.continuation_ratio * best.score or _gives_cause(best, follower, profile.answer_type)):
        options.append(follower)
    # Another source on the same point: it must hold some of the question's focus, not only its names.
    others = [c for c in answering[1:] if c.doc_id != best.doc_id and c.score >= cfg.keep_ratio * best.score
              and (c.focus > 0 or not profile.focus)]
    if profile.predicate:
        # "Does Putin support…?": another source's account of the asked verb first, the opposite one
        # before all ("declined" in one article, "expressed support … in principle" in another).
        def account(c: Candidate) -> tuple[bool, bool]:
            said = set(terms(c.text))
            return (_refuses(said) == _refuses(set(terms(best.text))), profile.predicate not in said and not _refuses(said))

        others.sort(key=account)
        options = others + options
    else:
        options += others
    covered = set(terms(lead.text))
    for cand in options:
        text = _statement(lead_span(cand, profile, cfg))
        if len(text.split()) + used > cfg.max_words or not (set(terms(text)) - covered):
            continue
        if normalize(text).rstrip(".") in normalize(lead.text):
            continue
        return [AnswerSentence(text, (cand.passage,))]
    return []
