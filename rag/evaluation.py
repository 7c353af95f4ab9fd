"""The eval: gold questions -> answers -> retrieval, answer, grounding and abstention metrics.

Scoring is a pure function of a gold item and an answer (:func:`score`), so
the checker itself is tested on hand-made wrong answers (tests/test_eval.py).
Grounding follows ALCE's citation recall/precision: a sentence is recalled
when one of its citations supports it, a citation is precise when its passage
supports the sentence it closes. The "strict" variants also require the cited
passage to contain gold evidence. Per answer it also counts words (citation
markers removed) and whether a conflict was reported where the gold says the
sources agree.

Inputs are validated before any work (:func:`load_gold`,
:func:`load_thresholds`): a bad row or table is a :class:`UsageError` that
names the file and line.
"""

from __future__ import annotations

import json
import re
import statistics
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .answer import Answer
from .citations import support_score
from .errors import UsageError
from .text import normalize

TYPES = ("single", "multi", "conflict", "followup", "unanswerable")
# The eval's own support bar: fixed here, so that loosening the product's check
# (settings.support_threshold) cannot make its answers look better grounded.
EVAL_SUPPORT_THRESHOLD = 0.6
# Metrics where lower is better: the gate fails when one rises ABOVE its threshold.
# Every other metric is a lower bound. (load_thresholds rejects unknown names, so
# a metric cannot end up on the wrong side of this rule by a typo.)
UPPER_BOUNDS = frozenset({
    "false_abstention_rate", "latency_p50_ms", "latency_p95_ms",  # *_rate, *_ms
    "words_median", "words_over_80",                               # words_*
    "false_conflicts",
})
LONG_ANSWER_WORDS = 80  # words_over_80: the share of answers longer than this
_CITATION_MARKER = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    type: str
    history: tuple[str, ...]
    answer: str
    key_facts: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...]
    passages: tuple[str, ...]
    conflict: bool | None = None  # the sources really disagree, so reporting one is right (default: type "conflict")

    def __post_init__(self) -> None:
        if self.conflict is None:
            object.__setattr__(self, "conflict", self.type == "conflict")

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "GoldItem":
        """One gold row; raises ValueError saying what is wrong with it."""
        if not isinstance(row, dict):
            raise ValueError("a gold item must be a JSON object")
        for key in ("id", "question", "type"):
            if key not in row:
                raise ValueError(f"missing field {key!r}")
            if not isinstance(row[key], str) or not row[key].strip():
                raise ValueError(f"{key!r} must be a non-empty string")
        if row["type"] not in TYPES:
            raise ValueError(f"type {row['type']!r} is not one of {', '.join(TYPES)}")
        if not isinstance(row.get("answer", ""), str):
            raise ValueError("'answer' must be a string")
        for key in ("history", "sources", "passages"):
            value = row.get(key, [])
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                raise ValueError(f"{key!r} must be a list of strings")
        facts = row.get("key_facts", [])
        if not isinstance(facts, list) or not all(
                isinstance(f, list) and f and all(isinstance(x, str) and x.strip() for x in f) for f in facts):
            raise ValueError("'key_facts' must be a list of non-empty lists of strings")
        conflict = row.get("conflict")
        if conflict is not None and not isinstance(conflict, bool):
            raise ValueError("'conflict' must be true or false")
        return cls(
            id=row["id"], question=row["question"], type=row["type"], history=tuple(row.get("history", [])),
            answer=row.get("answer", ""), key_facts=tuple(tuple(f) for f in facts),
            sources=tuple(row.get("sources", [])), passages=tuple(row.get("passages", [])), conflict=conflict,
        )


def load_gold(path: str | Path) -> list[GoldItem]:
    """Read and validate a gold JSONL file; a problem is a UsageError "FILE:LINE: reason"."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the gold file: {getattr(exc, 'strerror', None) or exc}") from exc
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = GoldItem.from_dict(json.loads(line))
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: not valid JSON: {exc.msg} (column {exc.colno})") from exc
        except ValueError as exc:
            raise UsageError(f"{path}:{number}: bad gold item: {exc}") from exc
        if item.id in seen:
            raise UsageError(f"{path}:{number}: duplicate id {item.id!r} (first on line {seen[item.id]})")
        seen[item.id] = number
        items.append(item)
    if not items:
        raise UsageError(f"{path}: no gold items")
    return items


@dataclass
class ItemScore:
    """How one answer did against its gold item."""

    id: str
    type: str
    question: str
    answerable: bool
    abstained: bool
    facts_ok: bool = False
    missing_facts: list[str] = field(default_factory=list)
    rank: int | None = None  # 1-based rank of the first retrieved gold document
    sentences: int = 0
    sentences_supported: int = 0
    citations: int = 0
    citations_supported: int = 0
    citations_gold: int = 0  # supported and the cited passage holds gold evidence
    latency_ms: float = 0.0
    answer: str = ""
    cited: list[str] = field(default_factory=list)
    words: int = 0  # words of the answer text without [n] markers; 0 when abstaining
    conflict_reported: bool = False  # the answer's `conflicts` list is non-empty
    conflict_expected: bool = False  # the gold item's `conflict`

    @property
    def correct(self) -> bool:
        return (not self.abstained and self.facts_ok) if self.answerable else self.abstained

    @property
    def false_conflict(self) -> bool:
        return self.conflict_reported and not self.conflict_expected


def count_words(text: str) -> int:
    """Words in an answer, citation markers ([1], [2, 3]) and bare punctuation not counted."""
    return sum(1 for token in _CITATION_MARKER.sub(" ", text).split() if any(c.isalnum() for c in token))


def _has_fact(text: str, forms: Sequence[str]) -> bool:
    text = normalize(text)
    return any(normalize(form) in text for form in forms)


def _holds_gold(passage: str, gold_passages: Sequence[str]) -> bool:
    """The cited passage contains (most of) a gold supporting passage."""
    passage = normalize(passage)
    for gold in gold_passages:
        gold = normalize(gold)
        if gold in passage or (len(gold) > 40 and gold[: len(gold) // 2] in passage) or (len(gold) > 40 and gold[len(gold) // 2 :] in passage):
            return True
    return False


def score(item: GoldItem, answer: dict[str, Any], threshold: float = EVAL_SUPPORT_THRESHOLD) -> ItemScore:
    """Score one answer (the CLI's JSON shape) against its gold item.

    The support check is re-run here from the answer's text and sources, so a
    backend that skipped or faked verification is still caught.
    """
    result = ItemScore(item.id, item.type, item.question, item.answerable, bool(answer["abstained"]),
                       answer=answer["answer"], latency_ms=float(answer.get("timings_ms", {}).get("total", 0.0)),
                       conflict_reported=bool(answer.get("conflicts")), conflict_expected=item.conflict)
    result.words = 0 if result.abstained else count_words(answer["answer"])
    retrieved = [doc for _, doc in answer.get("retrieved", [])]
    ranks = [retrieved.index(doc) + 1 for doc in item.sources if doc in retrieved]
    result.rank = min(ranks) if ranks else None
    sources = {s["n"]: s for s in answer.get("sources", [])}
    result.cited = sorted({sources[n]["doc_id"] for s in answer.get("sentences", []) for n in s["citations"] if n in sources})
    if not result.abstained:
        result.missing_facts = [forms[0] for forms in item.key_facts if not _has_fact(answer["answer"], forms)]
        result.facts_ok = not result.missing_facts
        for sentence in answer.get("sentences", []):
            result.sentences += 1
            supported_any = False
            for n in sentence["citations"]:
                result.citations += 1
                if n in sources and support_score(sentence["text"], sources[n]["text"]) >= threshold:
                    result.citations_supported += 1
                    supported_any = True
                    if not item.answerable or _holds_gold(sources[n]["text"], item.passages) or sources[n]["doc_id"] in item.sources:
                        result.citations_gold += 1
            result.sentences_supported += supported_any
    return result


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def metrics(scores: Sequence[ItemScore]) -> dict[str, Any]:
    """Aggregate metrics over scored items (see the module docstring)."""
    answerable = [s for s in scores if s.answerable]
    unanswerable = [s for s in scores if not s.answerable]
    answered = [s for s in answerable if not s.abstained]
    with_rank = [s for s in answerable]
    abstained = [s for s in scores if s.abstained]
    latencies = sorted(s.latency_ms for s in scores)
    all_answered = [s for s in scores if not s.abstained]
    words = [s.words for s in all_answered]
    return {
        "questions": len(scores),
        "accuracy": _ratio(sum(s.correct for s in scores), len(scores)),
        "recall@1": _ratio(sum(1 for s in with_rank if s.rank == 1), len(with_rank)),
        "recall@5": _ratio(sum(1 for s in with_rank if s.rank is not None and s.rank <= 5), len(with_rank)),
        "mrr": _ratio(sum(1 / s.rank for s in with_rank if s.rank), len(with_rank)),
        "fact_accuracy_answered": _ratio(sum(s.facts_ok for s in answered), len(answered)),
        "fact_accuracy": _ratio(sum(s.facts_ok and not s.abstained for s in answerable), len(answerable)),
        "citation_precision": _ratio(sum(s.citations_supported for s in all_answered), sum(s.citations for s in all_answered)),
        "citation_precision_strict": _ratio(sum(s.citations_gold for s in all_answered), sum(s.citations for s in all_answered)),
        "citation_recall": _ratio(sum(s.sentences_supported for s in all_answered), sum(s.sentences for s in all_answered)),
        "abstention_precision": _ratio(sum(not s.answerable for s in abstained), len(abstained)),
        "abstention_recall": _ratio(sum(s.abstained for s in unanswerable), len(unanswerable)),
        "false_abstention_rate": _ratio(sum(s.abstained for s in answerable), len(answerable)),
        "latency_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1) if latencies else None,
        "words_median": statistics.median(words) if words else None,
        "words_over_80": _ratio(sum(w > LONG_ANSWER_WORDS for w in words), len(words)),
        "false_conflicts": sum(s.false_conflict for s in scores),
    }


METRICS = tuple(metrics([]))  # every metric name, in the order metrics() returns them


def by_type(scores: Sequence[ItemScore]) -> dict[str, dict[str, Any]]:
    return {t: metrics([s for s in scores if s.type == t]) for t in TYPES if any(s.type == t for s in scores)}


def check_thresholds(values: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    """Failures as lines: "metric: value < threshold", or "> threshold" for the UPPER_BOUNDS."""
    failures = []
    for name, limit in thresholds.items():
        value = values.get(name)
        if value is None:
            failures.append(f"{name}: not measured")
        elif name in UPPER_BOUNDS and value > limit:
            failures.append(f"{name}: {value} > {limit}")
        elif name not in UPPER_BOUNDS and value < limit:
            failures.append(f"{name}: {value} < {limit}")
    return failures


def _line_of(text: str, table: str, key: str) -> int | None:
    """The line of ``key = …`` inside ``[table]`` (for error messages; tomllib gives no positions)."""
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.split("]")[0].strip("[ \"'") == table
        elif inside and stripped.split("=")[0].strip().strip("\"'") == key:
            return number
    return None


def load_thresholds(path: str | Path, name: str) -> dict[str, float]:
    """The ``[name]`` table of a thresholds TOML file, validated: known metric names, numeric limits."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the thresholds: {getattr(exc, 'strerror', None) or exc}") from exc
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "invalid TOML"
        raise UsageError(f"{path}:{where.group(1)}: {reason}" if where else f"{path}: {exc}") from exc
    if not isinstance(table.get(name), dict):
        raise UsageError(f"{path}: no [{name}] table of thresholds")
    limits = table[name]
    for key, limit in limits.items():
        line = _line_of(text, name, key)
        where = f"{path}:{line}" if line else f"{path}: [{name}]"
        if key not in METRICS:
            raise UsageError(f"{where}: unknown metric {key!r} (known: {', '.join(METRICS)})")
        if isinstance(limit, bool) or not isinstance(limit, (int, float)):
            raise UsageError(f"{where}: the threshold for {key} must be a number, not {limit!r}")
    return dict(limits)


@dataclass
class EvalRun:
    name: str
    scores: list[ItemScore]
    overall: dict[str, Any]
    types: dict[str, dict[str, Any]]
    failures: list[str]
    seconds: float
    settings: dict[str, Any]
    tuned: bool = True  # False for questions held out from tuning (--unseen): reported, never gated


def run(pipeline, items: Sequence[GoldItem], name: str, thresholds: dict[str, float],
        progress=None, tuned: bool = True) -> EvalRun:
    """Ask every gold question (with its history) and score the answers.

    An unseen run (``tuned=False``) is never gated: ``thresholds`` are ignored.
    """
    started = time.perf_counter()
    scores = []
    for number, item in enumerate(items, start=1):
        answer: Answer = pipeline.ask(item.question, list(item.history))
        scores.append(score(item, answer.to_dict()))
        if progress:
            progress(number, len(items))
    overall = metrics(scores)
    return EvalRun(name, scores, overall, by_type(scores), check_thresholds(overall, thresholds) if tuned else [],
                   time.perf_counter() - started,
                   {**pipeline.settings.model_dump(mode="json", include={"chunk_size", "chunk_overlap", "top_k", "backend", "support_threshold", "retrieval"})},
                   tuned)
