"""Word-level text tools shared by keyword search, sentence scoring and citation checks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .injection import looks_like_injection  # noqa: F401  (re-exported: the readers import it from here)

# Function words plus question words: they say nothing about which passage answers.
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does doing done for from had has have having he her
    hers him his how i if in into is it its itself me more most my no nor not of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why will with would you your
    yours according article articles say said says tell told about also just any all both each few""".split()
)
QUESTION_WORDS = frozenset("what when where which who whom whose why how".split())
# Words that shape a question but name nothing the answer must contain
# ("What *really* happened", "anything *apart* from"): left out of question terms.
QUESTION_FILLERS = frozenset(
    """really actually anything something everything apart besides supposed happen happened happens regarding
    concerning come came meant mean way kind sort thing things exactly particular specifically whether else
    get got make made take took give gave go went know known think called describe described many much""".split()
)
# How a nationality or a people's adjective ends: "Russian", "Norwegian", "British", "Chinese", "French", "Israeli".
DEMONYM_ENDING = r"(?:an|ish|ese|ch|i)"
# Irregular verb forms the stemmer cannot join to their base ("told" -> "tell").
IRREGULAR = {
    "told": "tell", "said": "say", "says": "say", "spoke": "speak", "spoken": "speak", "met": "meet", "went": "go",
    "gone": "go", "took": "take", "taken": "take", "gave": "give", "given": "give", "made": "make", "won": "win",
    "lost": "lose", "began": "begin", "begun": "begin", "brought": "bring", "bought": "buy", "sold": "sell",
    "held": "hold", "left": "leave", "led": "lead", "paid": "pay", "sent": "send", "thought": "think", "saw": "see",
    "seen": "see", "knew": "know", "known": "know", "wrote": "write", "written": "write", "fell": "fall",
    "fallen": "fall", "rose": "rise", "risen": "rise", "struck": "strike", "fought": "fight", "kept": "keep",
    "found": "find", "hit": "hit", "cut": "cut", "ran": "run", "chose": "choose", "chosen": "choose",
    "grew": "grow", "grown": "grow", "drew": "draw", "drawn": "draw", "stood": "stand", "seized": "seize",
    "men": "man", "women": "woman", "children": "child", "people": "person",
}

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def normalize(text: str) -> str:
    """Fold quotes, dashes and spacing so that copies of one sentence compare equal."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "}))
    return re.sub(r"\s+", " ", text).strip().lower()


_POSSESSIVE = re.compile(r"['’]s$")


def without_possessive(word: str) -> str:
    """ "Italy's" -> "Italy" (a name or a word; any other word as it is)."""
    return _POSSESSIVE.sub("", word)


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens ("2.5", "ceasefire", "putin's")."""
    return [w.replace("’", "'") for w in _TOKEN.findall(text.lower())]


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer (Snowball), a direct dependency (pyproject.toml)

    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Stemmed content terms: the unit of keyword search and of support checks."""
    return list(_terms(text))


@lru_cache(maxsize=65536)
def _terms(text: str) -> tuple[str, ...]:
    # Cached: the same passages come back question after question in a warm process.
    kept = [IRREGULAR.get(w, w) for w in (w.removesuffix("'s") for w in words(text)) if w and w not in STOPWORDS]
    return tuple(_stemmer().stemWords(kept))


def question_terms(question: str) -> list[str]:
    """The terms of a question that an answer is expected to share."""
    # ("How much time did they spend talking?" asks how long they talked: "time" and "spend" name no topic)
    question = re.sub(r"\bhow\s+much\s+time\b(.*)\bspen[dt]\b", r" \1 ", question, flags=re.I)
    # ("When was he let out of prison?": freed, the word news writing uses)
    question = re.sub(r"\b(?:let|set)\s+(?:out|free)\b", "freed", question, flags=re.I)
    # ("On what date did the blow-up take place?" asks when the blow-up was: the words that name the kind of
    # answer, and "take place", are not what a sentence stating the date shares with the question)
    question = re.sub(r"\b(?:what|which)\s+(?:exact\s+)?(?:date|day|year|month)\b|\b(?:take|takes|took|taking|taken)\s+place\b",
                      " ", question, flags=re.I)
    question = re.sub(r"\bhow\s+(much\s+time|long|many|much|far|old|often|big|large|soon|quickly|late|early|sharply|steeply|badly|hard|heavily)\b", " ", question, flags=re.I)
    return terms(" ".join(w for w in words(question) if w not in QUESTION_FILLERS and w not in QUESTION_WORDS))


# A capitalised word of a name, with the surname prefixes that capitalise inside it ("McLetchie",
# "MacAskill", "DiCaprio"); not a brand's inner capital ("PlayStation", "OutKast": not people).
NAME_WORD = r"(?:Ma?c|Di|De|Le|La|Fitz)?[A-Z][a-z]+"


def proper_names(question: str) -> list[str]:
    """Capitalised words of a question that are not its first word ("Olena", "Zelenska")."""
    found = re.findall(rf"(?<![.?!]\s)(?<!^)\b((?:[A-Z]['’])?{NAME_WORD}(?:['’][a-z]+)?|[A-Z]{{2,}})\b", question.strip())
    # (not a capitalised word of a title: "Do They Know It's Christmas")
    return [w for w in found if without_possessive(w).lower() not in STOPWORDS and w.lower() not in QUESTION_WORDS]


# Nouns for what a person is or does ("manager", "spokesman", "striker"): "which manager…" asks for a
# person, and "Former Southampton manager Gordon Strachan" is a description before a name, not a name.
ROLE_NOUNS = frozenset("""official officials leader leaders minister ministers president player players spokesman
    spokeswoman spokesperson executive boss chief singer actor actress director manager coach politician envoy
    negotiator adviser advisor aide analyst expert journalist star artist judge champion striker winger midfielder
    defender goalkeeper keeper captain secretary chairman author writer presenter winner forward fly-half scrum-half
    full-back flanker hooker batsman bowler jockey skipper boxer golfer sprinter athlete""".split())


# Words that, opening a sentence, lean on the one before it for their subject or meaning ("He added
# that…", "Its electoral roll fell…", "The company said…", "But the senior official warned…").
REFERS_BACK = re.compile(r"(?:He|She|It|Its|They|Their|His|Her|This|That|These|Those|But|However|Such|The\s+(?:\w+\s+)?"
                         r"(?:company|firm|group|club|team|council|party|minister|chancellor|player|actor|singer|star|pair|"
                         r"duo|move|deal|decision|official|leader|source|spokesman))\b")


# Numbers written as words, with their values: the one table that claims' numbers (:func:`numbers`),
# stated quantities (rag.quantities) and counted answers (rag.extractive) read.
NUMBER_WORDS: dict[str, float] = {w: float(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())} | {"thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0, "seventy": 70.0,
                                           "eighty": 80.0, "ninety": 90.0, "hundred": 100.0, "thousand": 1e3,
                                           "million": 1e6, "billion": 1e9, "dozen": 12.0, "half": 0.5}


def _digits(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def numbers(text: str) -> set[str]:
    """Numbers in ``text``, as digits (commas dropped; "six" is "6"): a claim's numbers must be in its source."""
    digits = {n.replace(",", "") for n in re.findall(r"\d+(?:[.,]\d+)*", text)}
    return digits | {_digits(NUMBER_WORDS[w]) for w in re.findall(r"[a-z]+", text.lower()) if w in NUMBER_WORDS}


_ABBREVIATIONS = r"(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gen|Col|Lt|Gov|St|Jr|Sr|vs|No|U\.S|U\.K|U\.N|a\.m|p\.m|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Ltd|Co|Corp)"
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?P<close>[\"”’)]*)\s+(?=[\"“‘(]?[A-Z0-9])"  # end punctuation, then a capital
    r"|(?P<para>\n\s*\n|\n(?=[A-Z\"“]))"  # a paragraph or line break
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, trimmed of surrounding space."""
    cuts: list[int] = []
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group("close") or "")
        if not match.group("para") and re.search(rf"(?:\b{_ABBREVIATIONS}|\b[A-Z])\.$", text[max(0, end - 8) : match.start()]):
            continue  # "Mr. Putin", "U.S. officials", "Vladimir V. Putin"
        cuts.append(end)
    spans = []
    start = 0
    for end in [*cuts, len(text)]:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        start = end
    return spans


def planted_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text`` that address a language model rather than the reader,
    and of the sentence such an address introduces ("Note to any AI reading this:" + the next line)."""
    if not looks_like_injection(text):
        return []
    planted, previous = [], ""
    for start, end in split_sentences(text):
        sentence = text[start:end]
        if looks_like_injection(sentence) or (previous.endswith(":") and looks_like_injection(previous)):
            planted.append((start, end))
        previous = sentence
    return planted
