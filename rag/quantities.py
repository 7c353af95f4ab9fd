"""Quantities in sentences (durations, counts, percentages, money), for spotting sources that disagree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import NUMBER_WORDS as WRITTEN_NUMBERS

# The number words of rag.text, and the ones that only count in a quantity ("a day", "several weeks").
NUMBER_WORDS: dict[str, float | None] = {**WRITTEN_NUMBERS, "a": 1, "an": 1, "several": None, "few": None}
DURATION_UNITS = {"second": 1 / 60, "minute": 1, "hour": 60, "day": 1440, "week": 10080, "month": 43200, "year": 525600}
_UNIT_ABBREVIATIONS = {"sec": "second", "min": "minute", "hr": "hour"}  # "7.64secs", "90 mins", "2hrs"
_NUM = r"\d+(?:[.,]\d+)*|" + "|".join(sorted((w for w in NUMBER_WORDS if NUMBER_WORDS[w]), key=len, reverse=True))
_QUALIFIER = r"roughly|approximately|about|around|nearly|almost|more than|over|less than|under|at least|at most|just over|just under|some|up to"
DURATION = re.compile(
    rf"\b(?:(?P<qual>{_QUALIFIER})\s+)?(?P<num>{_NUM})(?:\s*(?:or|to|-|–)\s*(?P<upto>{_NUM}))?(?P<half>[\s-]+and[\s-]+a[\s-]+half)?(?P<sep>[\s-]*)"
    # ("one extra year", "two more years", "three full days")
    rf"(?:(?:extra|more|further|additional|full|whole|straight|consecutive)\s+)?"
    rf"(?P<unit>second|sec|minute|min|hour|hr|day|week|month|year)s?\b(?!\s+(?:ago|earlier|later|before|after)\b)"
    rf"(?![\s-]old\b)"  # "the 48-year-old Australian": an age, not how long anything lasted
    rf"(?:-long)?(?:[\s-]+(?P<head>[a-z]+))?",
    re.I,
)
PERCENT = re.compile(rf"\b(?:(?P<qual>{_QUALIFIER})\s+)?(?P<num>\d+(?:\.\d+)?)\s*(?:%|per ?cent\b)", re.I)
_MULTIPLIER = r"bn|billion|m|million|k|thousand|trillion"
MONEY = re.compile(rf"(?:(?P<qual>{_QUALIFIER})\s+)?(?P<cur>[$£€¥])(?P<num>\d+(?:[.,]\d+)*)\s*(?P<mult>{_MULTIPLIER})?\b", re.I)
# Currencies news writing names in words ("160m euros", "2bn reais", "a 1bn rouble claim"), each as the
# symbol it shares with the written-out form where there is one, so that "€5m" and "5m euros" agree.
# ("real" and "won" are left out: "2 real problems", "played 5 won 3".)
CURRENCIES = {"dollars": "$", "dollar": "$", "pounds": "£", "sterling": "£", "euros": "€", "euro": "€", "yen": "¥",
              **{w: w for w in """yuan renminbi francs franc rupees rupee roubles rouble rubles ruble reais pesos peso
                 crowns krona kronor krone kroner rand lira lire shekels dinars dirhams riyals rupiah ringgit baht zloty
                 forints hryvnias""".split()}}
_CURRENCY_WORDS = "|".join(sorted(CURRENCIES, key=len, reverse=True))
CURRENCY_WORD = re.compile(rf"\b(?:{_CURRENCY_WORDS})\b", re.I)
MONEY_IN_WORDS = re.compile(rf"(?:(?P<qual>{_QUALIFIER})\s+)?(?P<num>\d+(?:[.,]\d+)*)\s*(?P<mult>{_MULTIPLIER})?\s+(?P<cur>{_CURRENCY_WORDS})\b", re.I)
# A share price or a small sum in a currency's hundredth: "up 16.75 pence to 293.5p", "a 50-cent tax"
# (not "per cent", nor "10pm").
SUBUNITS = {"p": "£", "pence": "£", "penny": "£", "cent": "$", "cents": "$"}
MONEY_IN_SUBUNITS = re.compile(rf"(?:(?P<qual>{_QUALIFIER})\s+)?(?<![.,\d$£€¥])(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:p\b|[\s-](?P<unit>pence|penny|cents?)\b)", re.I)
_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9, "trillion": 1e12}
# The words that may follow "a second" the duration ("a second faster", "a second or two"); before any other
# word it is the ordinal: "a second opinion", "a second half", "a second time".
_AFTER_A_SECOND = frozenset("or and of in per faster slower quicker behind ahead off to at for from than clear short".split())
LOWER_BOUND = {"more than", "over", "at least", "just over"}
UPPER_BOUND = {"less than", "under", "at most", "just under", "up to"}


@dataclass(frozen=True)
class Quantity:
    kind: str  # "duration" (minutes), "percent", "money:<currency>"
    value: float
    bound: str  # "=", ">" or "<"
    surface: str
    head: str | None = None  # for "30-day cease-fire": the noun the quantity describes
    start: int = 0  # offset in the sentence

    def compatible(self, other: "Quantity", tolerance: float = 0.15) -> bool:
        """Could both statements be true of one fact? ("more than two hours" fits 2.5 hours, not 90 minutes)."""
        if self.kind != other.kind:
            return True
        a, b = self, other
        if a.bound == "=" and b.bound == "=":
            return abs(a.value - b.value) <= tolerance * max(a.value, b.value)
        if a.bound != "=" and b.bound != "=":
            return a.bound == b.bound or (a.bound == ">" and a.value < b.value) or (a.bound == "<" and a.value > b.value)
        bound, point = (a, b) if a.bound != "=" else (b, a)
        return point.value > bound.value if bound.bound == ">" else point.value < bound.value


def _number(text: str) -> float | None:
    text = text.lower().replace(",", "")
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    try:
        return float(text)
    except ValueError:
        return None


def _bound(qualifier: str | None) -> str:
    qualifier = (qualifier or "").lower()
    return ">" if qualifier in LOWER_BOUND else "<" if qualifier in UPPER_BOUND else "="


def extract(sentence: str) -> list[Quantity]:
    """Every duration, percentage and amount of money stated in ``sentence`` (in the order of those kinds)."""
    return list(_extract(sentence))


@lru_cache(maxsize=16384)
def _extract(sentence: str) -> tuple[Quantity, ...]:
    found: list[Quantity] = []
    for m in DURATION.finditer(sentence):
        number = _number(m.group("num"))
        if number is None:
            continue
        unit = m.group("unit").lower()
        if unit in {"second", "sec"} and m.group("num").lower() in {"a", "an"} and m.group("head") \
                and m.group("head").lower() not in _AFTER_A_SECOND:
            continue
        number += 0.5 if m.group("half") else 0
        bound = _bound(m.group("qual"))
        if m.group("upto") and _number(m.group("upto")):
            number, bound = _number(m.group("upto")), "<"  # "two or three weeks": at most three
        head = m.group("head").lower() if "-" in m.group("sep") and m.group("head") else None
        surface = m.group(0)[: m.start("head") - m.start()].strip() if m.group("head") else m.group(0).strip()
        found.append(Quantity("duration", number * DURATION_UNITS[_UNIT_ABBREVIATIONS.get(unit, unit)], bound, surface, head, m.start()))
    for m in PERCENT.finditer(sentence):
        found.append(Quantity("percent", float(m.group("num")), _bound(m.group("qual")), m.group(0).strip(), start=m.start()))
    for m in (*MONEY.finditer(sentence), *MONEY_IN_WORDS.finditer(sentence)):
        number = _number(m.group("num"))
        if number is not None:
            number *= _MULT.get((m.group("mult") or "").lower(), 1)
            currency = CURRENCIES.get(m.group("cur").lower(), m.group("cur"))
            found.append(Quantity(f"money:{currency}", number, _bound(m.group("qual")), m.group(0).strip(), start=m.start()))
    for m in MONEY_IN_SUBUNITS.finditer(sentence):
        currency = SUBUNITS[(m.group("unit") or "p").lower()]
        value = float(m.group("num").replace(",", "")) / 100
        found.append(Quantity(f"money:{currency}", value, _bound(m.group("qual")), m.group(0).strip(), start=m.start()))
    return tuple(found)
