"""Eval outputs: a Markdown report, a JSON dump and a PNG chart.

With several runs the report opens with one summary row per run; an unseen run
(questions held out from tuning) is compared with the tuned run(s) and the gap
is stated, with a plain warning when it suggests over-fitting.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from .evaluation import EvalRun

_ORDER = ["accuracy", "recall@1", "recall@5", "mrr", "fact_accuracy", "fact_accuracy_answered", "citation_precision",
          "citation_precision_strict", "citation_recall", "abstention_precision", "abstention_recall",
          "false_abstention_rate", "words_median", "words_over_80", "false_conflicts", "latency_p50_ms",
          "latency_p95_ms", "questions"]
# The summary table at the top of a several-run report: (metric, column heading).
_SUMMARY = [("accuracy", "accuracy"), ("abstention_recall", "abstention recall"),
            ("false_abstention_rate", "false abstention rate"), ("citation_precision_strict", "strict cit. precision"),
            ("words_median", "words (median)"), ("false_conflicts", "false conflicts")]
# Tuned accuracy above unseen accuracy by more than this is reported as over-fitting.
OVERFIT_GAP = 0.05


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else str(value)


def generalisation_gaps(runs: list[EvalRun]) -> list[str]:
    """Lines comparing each unseen run's accuracy with each tuned run's."""
    lines = []
    for unseen in (r for r in runs if not r.tuned):
        for tuned in (r for r in runs if r.tuned):
            a, b = unseen.overall.get("accuracy"), tuned.overall.get("accuracy")
            if a is None or b is None:
                continue
            gap = round(b - a, 3)
            line = f"{unseen.name} accuracy {a:.3f} vs tuned {b:.3f}: gap {gap:.3f} ({tuned.name}: {len(tuned.scores)} questions, {unseen.name}: {len(unseen.scores)})."
            if gap > OVERFIT_GAP:
                line += (f" The tuned set scores more than {OVERFIT_GAP} higher than questions never used for tuning: "
                         f"this indicates over-fitting to the tuned set, so its figures overstate how well the system answers new questions.")
            lines.append(line)
    return lines


def write_report(runs: list[EvalRun], thresholds: dict[str, dict[str, float]], out_dir: Path) -> list[Path]:
    """Write report.md, results.json and metrics.png into ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"# Eval report ({stamp})", ""]
    if len(runs) > 1:
        lines += ["| run | questions | " + " | ".join(head for _, head in _SUMMARY) + " |",
                  "|---|---|" + "---|" * len(_SUMMARY)]
        lines += [f"| {r.name}{'' if r.tuned else ' (not gated)'} | {len(r.scores)} | "
                  + " | ".join(_fmt(r.overall.get(m)) for m, _ in _SUMMARY) + " |" for r in runs]
        lines.append("")
    gaps = generalisation_gaps(runs)
    if gaps:
        lines += [*gaps, ""]
    for run in runs:
        limits = thresholds.get(run.name, {}) if run.tuned else {}
        lines += [f"## {run.name}: {len(run.scores)} questions, {run.seconds:.1f} s", "",
                  f"Settings: `{json.dumps(run.settings)}`", "",
                  "| metric | value | threshold |", "|---|---|---|"]
        lines += [f"| {m} | {_fmt(run.overall.get(m))} | {_fmt(limits.get(m))} |" for m in _ORDER if m in run.overall]
        lines += ["", "Per type:", "", "| type | n | accuracy | fact acc. | recall@5 | cit. precision | cit. recall | abstained "
                  "| words (median) | false conflicts |", "|---|---|---|---|---|---|---|---|---|---|"]
        for kind, m in run.types.items():
            abstained = sum(s.abstained for s in run.scores if s.type == kind)
            lines.append(f"| {kind} | {m['questions']} | {_fmt(m['accuracy'])} | {_fmt(m['fact_accuracy'])} | "
                         f"{_fmt(m['recall@5'])} | {_fmt(m['citation_precision'])} | {_fmt(m['citation_recall'])} | {abstained} "
                         f"| {_fmt(m['words_median'])} | {m['false_conflicts']} |")
        if not run.tuned:
            gate = "not gated (unseen questions: report only)"
        else:
            gate = "**pass**" if not run.failures else "**FAIL** — " + "; ".join(run.failures)
        lines += ["", "Gate: " + gate, ""]
        failing = [s for s in run.scores if not s.correct]
        if failing:
            lines += [f"### Failing questions ({len(failing)})", ""]
            for s in failing:
                why = "abstained" if s.abstained else f"missing {s.missing_facts}" if s.answerable else "answered an unanswerable question"
                why += "; reported a conflict the gold does not have" if s.false_conflict else ""
                lines += [f"- **{s.id}** ({s.type}) {s.question} — {why}; gold doc rank {s.rank}; cited {s.cited}",
                          f"  > {s.answer[:400]}"]
            lines.append("")
        false_conflicts = [s for s in run.scores if s.false_conflict and s.correct]
        if false_conflicts:
            lines += [f"### Correct, but reported a conflict the gold does not have ({len(false_conflicts)})", ""]
            lines += [f"- **{s.id}** ({s.type}) {s.question}" for s in false_conflicts]
            lines.append("")
    paths = [out_dir / "report.md", out_dir / "results.json", out_dir / "metrics.png"]
    paths[0].write_text("\n".join(lines), encoding="utf-8")
    paths[1].write_text(json.dumps({"date": stamp, "gaps": gaps, "runs": [
        {"name": r.name, "tuned": r.tuned, "overall": r.overall, "types": r.types, "failures": r.failures,
         "seconds": r.seconds, "settings": r.settings, "items": [asdict(s) for s in r.scores]} for r in runs]},
        indent=1), encoding="utf-8")
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
