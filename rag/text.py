"""Word-level text tools shared by keyword search, sentence scoring and citation checks."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Function words plus question words: they say nothing about which passage answers.
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does doing done for from had has have having he her
    hers him his how i if in into is it its itself me more most my no nor not of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why will with would you your
    yours according article articles say said says tell told about also just any all both each few""".split()
)
QUESTION_WORDS = frozenset("what when where which who whom whose why how".split())

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def normalize(text: str) -> str:
    """Fold quotes, dashes and spacing so that copies of one sentence compare equal."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "}))
    return re.sub(r"\s+", " ", text).strip().lower()


def words(text: str) -> list[str]:
    """Lower-cased word and number tokens ("2.5", "ceasefire", "putin's")."""
    return [w.replace("’", "'") for w in _TOKEN.findall(text.lower())]


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer (Snowball); a dependency of llama-index-retrievers-bm25

    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Stemmed content terms: the unit of keyword search and of support checks."""
    kept = [w.removesuffix("'s") for w in words(text) if w not in STOPWORDS]
    return _stemmer().stemWords([w for w in kept if w])


def numbers(text: str) -> set[str]:
    """Numerals in ``text`` (digits only, commas dropped): a claim's numbers must be in its source."""
    return {n.replace(",", "") for n in re.findall(r"\d+(?:[.,]\d+)*", text)}


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
