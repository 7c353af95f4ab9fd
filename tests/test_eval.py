"""The eval checker must fail wrong answers, and `rag eval` must gate on its thresholds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli import main
from rag.evaluation import UPPER_BOUNDS, EvalRun, GoldItem, check_thresholds, metrics, score

from .conftest import ROOT

PASSAGE = "The conversation, which lasted roughly 90 minutes, marked a potential turning point in the conflict."
GOLD = GoldItem("t-1", "How long did the call last?", "single", (), "About 90 minutes.", (("90 minutes",),),
                ("002.txt",), (PASSAGE,))
UNANSWERABLE = GoldItem("t-2", "Who won the Super Bowl?", "unanswerable", (), "", (), (), ())


def answer(text: str, sentences: list[tuple[str, list[int]]], sources: list[str], abstained: bool = False,
           conflicts: list | None = None) -> dict:
    return {
        "question": "q", "answer": text, "abstained": abstained,
        "sentences": [{"text": t, "citations": c} for t, c in sentences],
        "sources": [{"n": i + 1, "doc_id": "002.txt", "path": "/x", "title": "", "text": s} for i, s in enumerate(sources)],
        "conflicts": conflicts or [],
        "retrieved": [["c1", "002.txt"]], "timings_ms": {"total": 12.0},
    }


A_CONFLICT = [{"kind": "number", "claims": [{"value": "90 minutes", "sources": [1]}, {"value": "2.5 hours", "sources": [2]}]}]


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


def test_words_and_false_conflicts_are_upper_bounds():
    assert {"words_median", "words_over_80", "false_conflicts"} <= UPPER_BOUNDS
    assert not {"accuracy", "citation_precision_strict", "abstention_recall"} & UPPER_BOUNDS
    values = {"words_median": 40, "words_over_80": 0.1, "false_conflicts": 2, "accuracy": 0.5}
    assert check_thresholds(values, {"words_median": 60, "words_over_80": 0.2, "false_conflicts": 2, "accuracy": 0.5}) == []
    assert check_thresholds(values, {"words_median": 30, "words_over_80": 0.05, "false_conflicts": 1}) == [
        "words_median: 40 > 30", "words_over_80: 0.1 > 0.05", "false_conflicts: 2 > 1"]


def test_words_are_counted_without_citation_markers_and_only_over_answered_items():
    text = "The call lasted roughly 90 minutes. [1] The Kremlin said it lasted 2.5 hours. [2][3] It ended calmly [1, 2]."
    s = score(GOLD, answer(text, [], [PASSAGE]))
    assert s.words == 16
    abstained = score(GOLD, answer("The articles don't say how long the call lasted.", [], [], abstained=True))
    assert abstained.words == 0
    long = score(GOLD, answer(" ".join(["word"] * 81) + " [1]", [], [PASSAGE]))
    assert long.words == 81
    m = metrics([s, long, abstained])
    assert m["words_median"] == 48.5  # median of 16 and 81: the abstention is not an answer of 0 words
    assert m["words_over_80"] == 0.5


def test_a_conflict_is_false_only_when_the_gold_says_the_sources_agree():
    conflict_gold = GoldItem.from_dict({"id": "c", "question": "How long was the call?", "type": "conflict",
                                        "key_facts": [["90 minutes"]], "sources": ["a", "b"]})
    agreed_conflict_type = GoldItem.from_dict({"id": "a", "question": "q", "type": "conflict", "conflict": False})
    flagged_single = GoldItem.from_dict({"id": "s", "question": "q", "type": "single", "conflict": True})
    assert conflict_gold.conflict and not GOLD.conflict and not agreed_conflict_type.conflict and flagged_single.conflict
    assert GoldItem("d", "q", "conflict", (), "", (), (), ()).conflict  # the default follows the type however it is built

    reported = answer("Reports differ: 90 minutes [1] or 2.5 hours [2].", [], [PASSAGE], conflicts=A_CONFLICT)
    scores = [score(GOLD, reported), score(conflict_gold, reported), score(flagged_single, reported),
              score(agreed_conflict_type, reported), score(GOLD, answer("It lasted 90 minutes. [1]", [], [PASSAGE]))]
    assert [s.conflict_reported for s in scores] == [True, True, True, True, False]
    assert [s.false_conflict for s in scores] == [True, False, False, True, False]
    assert metrics(scores)["false_conflicts"] == 2


def _run(name: str, accuracy: float, tuned: bool = True) -> EvalRun:
    overall = {**metrics([]), "questions": 10, "accuracy": accuracy, "words_median": 31, "false_conflicts": 1}
    return EvalRun(name, [], overall, {}, [], 1.0, {}, tuned)


@pytest.mark.parametrize("tuned, unseen, overfit", [(0.70, 0.60, True), (0.62, 0.60, False), (0.50, 0.60, False)])
def test_report_puts_runs_side_by_side_and_states_the_unseen_gap(tmp_path: Path, tuned, unseen, overfit):
    from rag.report import write_report

    write_report([_run("seeds", tuned), _run("unseen", unseen, tuned=False)], {"seeds": {"accuracy": 0.5}}, tmp_path)
    report = (tmp_path / "report.md").read_text()
    summary = report.split("## ")[0]
    assert "| run | questions | accuracy | abstention recall | false abstention rate | strict cit. precision | words (median) | false conflicts |" in summary
    assert f"| seeds | 0 | {tuned:.3f} |" in summary and f"| unseen (not gated) | 0 | {unseen:.3f} |" in summary
    assert f"unseen accuracy {unseen:.3f} vs tuned {tuned:.3f}: gap {tuned - unseen:.3f}" in summary
    assert ("over-fitting to the tuned set" in report) is overfit
    assert "Gate: not gated" in report.split("## unseen")[1]


def _seed_rows(*numbers: int) -> list[dict]:
    lines = (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(lines[n - 1]) for n in numbers]


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_gold_sets_are_valid():
    result = subprocess.run([sys.executable, str(ROOT / "eval" / "check_gold.py")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gold_check_without_the_bbc_corpus_says_what_it_skips(tmp_path: Path):
    # A bare clone has no ../shared/data/bbc: BBC passages are not checked against articles, and it says so.
    env = {**os.environ, "RAG_BBC_DIR": str(tmp_path / "no-bbc")}
    result = subprocess.run([sys.executable, str(ROOT / "eval" / "check_gold.py")], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no BBC corpus at" in result.stdout and "OK: all checks passed" in result.stdout


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


def test_rag_eval_scores_an_unseen_set_apart_and_reports_the_gap(eval_index: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    tuned = _write_jsonl(tmp_path / "tuned.jsonl", _seed_rows(1, 13, 14, 15))
    # Seed questions held out: one copied, one whose key fact no article holds (so unseen accuracy is below 1).
    unseen_rows = [{**row, "id": f"unseen-{i}"} for i, row in enumerate(_seed_rows(16, 17), start=1)]
    unseen_rows[1]["key_facts"] = [["a fact no seed article contains"]]
    unseen = _write_jsonl(tmp_path / "unseen.jsonl", unseen_rows)
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text("[seeds]\naccuracy = 0.0\n")  # the tuned run passes; the unseen run would fail any gate
    out = tmp_path / "out"
    assert main(["eval", "--index", str(eval_index), "--gold", str(tuned), "--unseen", str(unseen),
                 "--thresholds", str(thresholds), "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert [(r["name"], r["tuned"], len(r["items"])) for r in results["runs"]] == [("seeds", True, 4), ("unseen", False, 2)]
    assert results["runs"][1]["failures"] == [] and "unseen-2" in [i["id"] for i in results["runs"][1]["items"]]
    a_tuned, a_unseen = (r["overall"]["accuracy"] for r in results["runs"])
    assert a_unseen <= 0.5
    report = (out / "report.md").read_text()
    gap = re.search(r"unseen accuracy (\d\.\d{3}) vs tuned (\d\.\d{3}): gap (-?\d\.\d{3})", report)
    assert gap and (float(gap[1]), float(gap[2])) == (round(a_unseen, 3), round(a_tuned, 3))
    assert ("over-fitting to the tuned set" in report) is (a_tuned - a_unseen > 0.05)
    assert "| unseen (not gated) | 2 |" in report and "## unseen: 2 questions" in report
    assert "unseen accuracy" in capsys.readouterr().out


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    """Each case: extra `rag eval` arguments and the start of the one error line they must give."""
    good = _seed_rows(1, 2)

    def gold(name: str, rows: list[dict]) -> str:
        return str(_write_jsonl(tmp_path / name, rows))

    bad_json = tmp_path / "bad_json.jsonl"
    bad_json.write_text(json.dumps(good[0]) + "\n" + '{"id": "seed-x", "question": \n')

    def toml(name: str, text: str) -> str:
        (tmp_path / name).write_text(text)
        return str(tmp_path / name)

    return {
        "gold: invalid JSON": (["--gold", str(bad_json)], f"{bad_json}:2: not valid JSON"),
        "gold: missing field": (["--gold", gold("no_q.jsonl", [good[0], {k: v for k, v in good[1].items() if k != "question"}])],
                                f"{tmp_path / 'no_q.jsonl'}:2: bad gold item: missing field 'question'"),
        "gold: conflict not a bool": (["--gold", gold("conflict.jsonl", [{**good[0], "conflict": "yes"}])],
                                      f"{tmp_path / 'conflict.jsonl'}:1: bad gold item: 'conflict' must be true or false"),
        "gold: missing file": (["--gold", str(tmp_path / "nope.jsonl")], f"{tmp_path / 'nope.jsonl'}: cannot read the gold file"),
        "unseen: bad type": (["--unseen", gold("unseen.jsonl", [good[0], {**good[1], "type": "trivia"}])],
                             f"{tmp_path / 'unseen.jsonl'}:2: bad gold item: type 'trivia'"),
        "thresholds: bad TOML": (["--thresholds", toml("syntax.toml", "[seeds]\naccuracy = 0.5\nmrr = = 0.8\n")],
                                 f"{tmp_path / 'syntax.toml'}:3: "),
        "thresholds: unknown metric": (["--thresholds", toml("typo.toml", "[seeds]\naccuracy = 0.5\naccuracyy = 0.4\n")],
                                       f"{tmp_path / 'typo.toml'}:3: unknown metric 'accuracyy'"),
        "thresholds: not a number": (["--thresholds", toml("text.toml", "[seeds]\n\n\"recall@5\" = \"high\"\n")],
                                     f"{tmp_path / 'text.toml'}:3: the threshold for recall@5 must be a number"),
        "thresholds: no table": (["--thresholds", toml("mixed_only.toml", "[mixed]\naccuracy = 0.5\n")],
                                 f"{tmp_path / 'mixed_only.toml'}: no [seeds] table"),
    }


@pytest.mark.parametrize("case", ["gold: invalid JSON", "gold: missing field", "gold: conflict not a bool", "gold: missing file",
                                  "unseen: bad type", "thresholds: bad TOML", "thresholds: unknown metric",
                                  "thresholds: not a number", "thresholds: no table"])
def test_bad_gold_or_thresholds_exit_2_before_anything_is_ingested(case: str, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The call lasted roughly 90 minutes, officials said on Tuesday.\n" * 5)
    index = tmp_path / "index"
    extra, expected = _bad_inputs(tmp_path)[case]
    assert main(["eval", "--corpus", str(corpus), "--index", str(index), "--out", str(tmp_path / "out"), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rag: error: {expected}") and err.count("\n") == 1, err
    assert "Traceback" not in err and "corpus:" not in err
    assert not index.exists(), "the corpus was ingested before the inputs were validated"


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
            shifted = (replace(s, citations=tuple(n % last + 1 for n in s.citations)) for s in answer.sentences)
            answer = replace(answer, sentences=type(answer.sentences)(shifted))
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
