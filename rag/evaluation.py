"""The eval: gold questions -> answers -> retrieval, answer, grounding and abstention metrics.

Scoring is a pure function of a gold item and an answer (:func:`score`), so
the checker itself is tested on hand-made wrong answers (tests/test_eval.py).
Grounding follows ALCE's citation recall/precision: a sentence is recalled
when one of its citations supports it, a citation is precise when its passage
supports the sentence it closes. The "strict" variants also require the cited
passage to contain gold evidence.
"""

from __future__ import annotations

import json
import statistics
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .answer import Answer, support_score
from .text import normalize

TYPES = ("single", "multi", "conflict", "followup", "unanswerable")
# The eval's own support bar: fixed here, so that loosening the product's check
# (settings.support_threshold) cannot make its answers look better grounded.
EVAL_SUPPORT_THRESHOLD = 0.6


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

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> "GoldItem":
        return cls(
            id=row["id"], question=row["question"], type=row["type"], history=tuple(row.get("history", [])),
            answer=row.get("answer", ""), key_facts=tuple(tuple(f) for f in row.get("key_facts", [])),
            sources=tuple(row.get("sources", [])), passages=tuple(row.get("passages", [])),
        )


def load_gold(path: str | Path) -> list[GoldItem]:
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(GoldItem.from_dict(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: bad gold item: {exc}") from exc
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

    @property
    def correct(self) -> bool:
        return (not self.abstained and self.facts_ok) if self.answerable else self.abstained


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
                       answer=answer["answer"], latency_ms=float(answer.get("timings_ms", {}).get("total", 0.0)))
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
    }


def by_type(scores: Sequence[ItemScore]) -> dict[str, dict[str, Any]]:
    return {t: metrics([s for s in scores if s.type == t]) for t in TYPES if any(s.type == t for s in scores)}


def check_thresholds(values: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    """Failures as lines: "metric: value < threshold" (``*_ms`` and ``*_rate`` are upper bounds)."""
    failures = []
    for name, limit in thresholds.items():
        value = values.get(name)
        if value is None:
            failures.append(f"{name}: not measured")
        elif (name.endswith("_ms") or name.endswith("_rate")) and value > limit:
            failures.append(f"{name}: {value} > {limit}")
        elif not (name.endswith("_ms") or name.endswith("_rate")) and value < limit:
            failures.append(f"{name}: {value} < {limit}")
    return failures


def load_thresholds(path: str | Path, name: str) -> dict[str, float]:
    table = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    if name not in table:
        raise ValueError(f"{path}: no [{name}] table of thresholds")
    return dict(table[name])


@dataclass
class EvalRun:
    name: str
    scores: list[ItemScore]
    overall: dict[str, Any]
    types: dict[str, dict[str, Any]]
    failures: list[str]
    seconds: float
    settings: dict[str, Any]


def run(pipeline, items: Sequence[GoldItem], name: str, thresholds: dict[str, float],
        progress=None) -> EvalRun:
    """Ask every gold question (with its history) and score the answers."""
    started = time.perf_counter()
    scores = []
    for number, item in enumerate(items, start=1):
        answer: Answer = pipeline.ask(item.question, list(item.history))
        scores.append(score(item, answer.to_dict()))
        if progress:
            progress(number, len(items))
    overall = metrics(scores)
    return EvalRun(name, scores, overall, by_type(scores), check_thresholds(overall, thresholds),
                   time.perf_counter() - started,
                   {**pipeline.settings.model_dump(mode="json", include={"chunk_size", "chunk_overlap", "top_k", "backend", "support_threshold", "retrieval"})})
