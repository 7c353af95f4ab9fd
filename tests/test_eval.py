"""The eval checker must fail wrong answers, and `rag eval` must gate on its thresholds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli import main
from rag.evaluation import GoldItem, check_thresholds, metrics, score

from .conftest import ROOT

PASSAGE = "The conversation, which lasted roughly 90 minutes, marked a potential turning point in the conflict."
GOLD = GoldItem("t-1", "How long did the call last?", "single", (), "About 90 minutes.", (("90 minutes",),),
                ("002.txt",), (PASSAGE,))
UNANSWERABLE = GoldItem("t-2", "Who won the Super Bowl?", "unanswerable", (), "", (), (), ())


def answer(text: str, sentences: list[tuple[str, list[int]]], sources: list[str], abstained: bool = False) -> dict:
    return {
        "question": "q", "answer": text, "abstained": abstained,
        "sentences": [{"text": t, "citations": c} for t, c in sentences],
        "sources": [{"n": i + 1, "doc_id": "002.txt", "path": "/x", "title": "", "text": s} for i, s in enumerate(sources)],
        "retrieved": [["c1", "002.txt"]], "timings_ms": {"total": 12.0},
    }


def test_a_correct_grounded_answer_scores_as_correct():
    s = score(GOLD, answer("It lasted roughly 90 minutes. [1]", [("The conversation, which lasted roughly 90 minutes, marked a potential turning point in the conflict.", [1])], [PASSAGE]))
    assert s.correct and s.facts_ok and s.rank == 1
    assert (s.citations, s.citations_supported, s.citations_gold, s.sentences_supported) == (1, 1, 1, 1)


def test_wrong_answer_fails():
    s = score(GOLD, answer("It lasted three hours. [1]", [("It lasted three hours.", [1])], [PASSAGE]))
    assert not s.correct and s.missing_facts == ["90 minutes"]


def test_citation_to_a_passage_that_does_not_support_the_sentence_fails():
    unrelated = "Britain and France have pledged to contribute troops to a peacekeeping force."
    s = score(GOLD, answer("The call lasted roughly 90 minutes. [1]", [("The call lasted roughly 90 minutes.", [1])], [unrelated]))
    assert s.citations == 1 and s.citations_supported == 0 and s.sentences_supported == 0
    m = metrics([s])
    assert m["citation_precision"] == 0.0 and m["citation_recall"] == 0.0


def test_answer_without_citations_fails_grounding():
    s = score(GOLD, answer("It lasted roughly 90 minutes.", [("It lasted roughly 90 minutes.", [])], [PASSAGE]))
    assert s.citations == 0 and s.sentences == 1 and s.sentences_supported == 0
    assert metrics([s])["citation_recall"] == 0.0


def test_false_abstention_and_answering_the_unanswerable_fail():
    abstained = answer("The articles don't say.", [], [], abstained=True)
    assert not score(GOLD, abstained).correct
    assert metrics([score(GOLD, abstained)])["false_abstention_rate"] == 1.0
    assert score(UNANSWERABLE, abstained).correct
    assert not score(UNANSWERABLE, answer("The Eagles. [1]", [("The Eagles.", [1])], ["The Eagles won."])).correct


def test_thresholds_are_lower_bounds_except_latency_and_rates():
    values = {"accuracy": 0.5, "latency_p50_ms": 80.0, "false_abstention_rate": 0.2}
    assert check_thresholds(values, {"accuracy": 0.4, "latency_p50_ms": 100, "false_abstention_rate": 0.3}) == []
    failures = check_thresholds(values, {"accuracy": 0.6, "latency_p50_ms": 50, "false_abstention_rate": 0.1, "mrr": 0.5})
    assert len(failures) == 4


def test_gold_sets_are_valid():
    result = subprocess.run([sys.executable, str(ROOT / "eval" / "check_gold.py")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def eval_index(tmp_path_factory, embedder) -> Path:
    from rag.config import Settings
    from rag.ingest import ingest

    index = tmp_path_factory.mktemp("eval-index")
    ingest([ROOT / "seeds"], Settings.load(index_dir=index), embedder=embedder)
    return index


def test_rag_eval_passes_on_the_seeds_and_writes_the_report(eval_index: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["eval", "--index", str(eval_index), "--out", str(tmp_path)]) == 0
    report = (tmp_path / "report.md").read_text()
    assert "| accuracy |" in report and "Per type:" in report and "Gate: **pass**" in report
    results = json.loads((tmp_path / "results.json").read_text())
    assert len(results["runs"][0]["items"]) >= 60
    assert (tmp_path / "metrics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rag_eval_fails_when_retrieval_regresses(eval_index: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["eval", "--index", str(eval_index), "--out", str(tmp_path), "--top-k", "1"]) == 1
    assert "below thresholds" in capsys.readouterr().err


class ShiftedCitations:
    """A planted regression: the real pipeline, with every citation pointing at the next source."""

    def __init__(self, pipeline):
        self.pipeline, self.settings = pipeline, pipeline.settings

    def ask(self, question, history=(), **options):
        from dataclasses import replace

        answer = self.pipeline.ask(question, history, **options)
        if answer.sources:
            last = len(answer.sources)
            answer.sentences = [replace(s, citations=tuple(n % last + 1 for n in s.citations)) for s in answer.sentences]
        return answer


def test_eval_gate_catches_citations_that_do_not_support_their_sentences(eval_index: Path, monkeypatch):
    from rag.config import Settings
    from rag.evaluation import load_gold, load_thresholds, run
    from rag.pipeline import Pipeline

    monkeypatch.chdir(ROOT)
    items = load_gold(ROOT / "eval" / "gold.jsonl")
    thresholds = load_thresholds(ROOT / "eval" / "thresholds.toml", "seeds")
    broken = run(ShiftedCitations(Pipeline(Settings.load(index_dir=eval_index))), items, "seeds", thresholds)
    assert any(f.startswith("citation_precision") for f in broken.failures), broken.failures
