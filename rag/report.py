"""Eval outputs: a Markdown report, a JSON dump and a PNG chart."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from .evaluation import EvalRun

_ORDER = ["accuracy", "recall@1", "recall@5", "mrr", "fact_accuracy", "fact_accuracy_answered", "citation_precision",
          "citation_precision_strict", "citation_recall", "abstention_precision", "abstention_recall",
          "false_abstention_rate", "latency_p50_ms", "latency_p95_ms", "questions"]


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else str(value)


def write_report(runs: list[EvalRun], thresholds: dict[str, dict[str, float]], out_dir: Path) -> list[Path]:
    """Write report.md, results.json and metrics.png into ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"# Eval report ({stamp})", ""]
    for run in runs:
        limits = thresholds.get(run.name, {})
        lines += [f"## {run.name}: {len(run.scores)} questions, {run.seconds:.1f} s", "",
                  f"Settings: `{json.dumps(run.settings)}`", "",
                  "| metric | value | threshold |", "|---|---|---|"]
        lines += [f"| {m} | {_fmt(run.overall.get(m))} | {_fmt(limits.get(m))} |" for m in _ORDER if m in run.overall]
        lines += ["", "Per type:", "", "| type | n | accuracy | fact acc. | recall@5 | cit. precision | cit. recall | abstained |",
                  "|---|---|---|---|---|---|---|---|"]
        for kind, m in run.types.items():
            abstained = sum(s.abstained for s in run.scores if s.type == kind)
            lines.append(f"| {kind} | {m['questions']} | {_fmt(m['accuracy'])} | {_fmt(m['fact_accuracy'])} | "
                         f"{_fmt(m['recall@5'])} | {_fmt(m['citation_precision'])} | {_fmt(m['citation_recall'])} | {abstained} |")
        lines += ["", "Gate: " + ("**pass**" if not run.failures else "**FAIL** — " + "; ".join(run.failures)), ""]
        failing = [s for s in run.scores if not s.correct]
        if failing:
            lines += [f"### Failing questions ({len(failing)})", ""]
            for s in failing:
                why = "abstained" if s.abstained else f"missing {s.missing_facts}" if s.answerable else "answered an unanswerable question"
                lines += [f"- **{s.id}** ({s.type}) {s.question} — {why}; gold doc rank {s.rank}; cited {s.cited}",
                          f"  > {s.answer[:400]}"]
            lines.append("")
    paths = [out_dir / "report.md", out_dir / "results.json", out_dir / "metrics.png"]
    paths[0].write_text("\n".join(lines), encoding="utf-8")
    paths[1].write_text(json.dumps({"date": stamp, "runs": [
        {"name": r.name, "overall": r.overall, "types": r.types, "failures": r.failures, "seconds": r.seconds,
         "settings": r.settings, "items": [asdict(s) for s in r.scores]} for r in runs]}, indent=1), encoding="utf-8")
    _chart(runs, paths[2])
    return paths


def _chart(runs: list[EvalRun], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(runs), 2, figsize=(12, 4 * len(runs)), squeeze=False)
    for row, run in zip(axes, runs):
        kinds = list(run.types)
        names = ["accuracy", "fact_accuracy", "recall@5", "citation_precision"]
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            row[0].bar([k + i * width for k in range(len(kinds))], [run.types[t][name] or 0 for t in kinds], width, label=name)
        row[0].set_xticks([k + 0.4 - width / 2 for k in range(len(kinds))], kinds)
        row[0].set_ylim(0, 1.05)
        row[0].set_title(f"{run.name}: metrics per question type")
        row[0].legend(fontsize=8, loc="lower right")
        row[1].hist([s.latency_ms for s in run.scores], bins=20)
        row[1].set_title(f"{run.name}: latency per question (ms)")
        row[1].set_xlabel("ms")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
