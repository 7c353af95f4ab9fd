"""`make eval-llm` / `python -m bench.llm_eval`: the gold questions through a local generative model.

Scored with the eval's own checker (rag.evaluation.score/metrics), plus what only a model run
has: prompt tokens, time to first token (counted from the question, condensing and retrieval
included), seconds per question, and the share of the model's sentences that verification
(rag.citations.finalize) removed. Writes a markdown report and a JSON of every answer.

    python -m bench.llm_eval [--gold eval/gold.jsonl] [--unseen eval/gold_unseen.jsonl]
        [--per-type N] [--context sentences|passages ...] [--model FILE] [--out eval/llm]

The seeds set is asked on the seeds index, the unseen set (some of it about BBC articles) on
seeds + BBC (``--unseen-index``, the index ``make eval-full`` builds), as ``rag eval`` does.
``--per-type N`` takes the first N questions of each type (a subset, said so in the report);
several ``--context`` values run the same questions once per context style, for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def subset(items: list, per_type: int | None) -> list:
    if not per_type:
        return items
    taken: dict[str, int] = {}
    chosen = []
    for item in items:
        if taken.get(item.type, 0) < per_type:
            taken[item.type] = taken.get(item.type, 0) + 1
            chosen.append(item)
    return chosen


def flag_value(flags, name: str) -> int | None:
    for flag in flags:
        if flag.startswith(name + "="):
            return int(flag.split("=", 1)[1])
    return None


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def run(pipeline, items: list, label: str) -> dict:
    from rag.evaluation import by_type, metrics, score

    scores, rows = [], []
    started = time.perf_counter()
    for number, item in enumerate(items, start=1):
        t0 = time.perf_counter()
        answer = pipeline.ask(item.question, list(item.history))
        seconds = time.perf_counter() - t0
        result = score(item, answer.to_dict())
        scores.append(result)
        written = flag_value(answer.flags, "model_sentences")
        rows.append({
            "id": item.id, "type": item.type, "question": item.question, "correct": result.correct,
            "abstained": answer.abstained, "model_abstained": "model_abstained" in answer.flags,
            "answer": answer.text, "missing": result.missing_facts, "seconds": round(seconds, 2),
            "first_token_s": round(answer.timings_ms["first_token"] / 1000, 2) if "first_token" in answer.timings_ms else None,
            "prompt_tokens": flag_value(answer.flags, "prompt_tokens"),
            # the model's sentences that verification kept (the reader's answer may stand in their place)
            "model_sentences": written, "kept_sentences": max(0, written - len(answer.removed)) if written is not None else None,
            "reader": next((f for f in answer.flags if f in {"reader_answered", "reader_conflict"}), None),
        })
        print(f"[{label}] {number}/{len(items)} {item.id} {'ok ' if result.correct else 'BAD'} {seconds:5.1f}s "
              f"prompt={rows[-1]['prompt_tokens']} {answer.text[:90]!r}", file=sys.stderr, flush=True)
    written = sum(r["model_sentences"] or 0 for r in rows)
    kept = sum(r["kept_sentences"] or 0 for r in rows if r["model_sentences"])
    answerable = [r for r in rows if r["type"] != "unanswerable"]
    summary = metrics(scores) | {
        "seconds_per_question_p50": median([r["seconds"] for r in rows]),
        "seconds_per_question_mean": round(statistics.mean(r["seconds"] for r in rows), 1) if rows else None,
        "first_token_s_p50": median([r["first_token_s"] for r in rows if r["first_token_s"] is not None]),
        "prompt_tokens_mean": round(statistics.mean(p), 0) if (p := [r["prompt_tokens"] for r in rows if r["prompt_tokens"]]) else None,
        "prompt_tokens_max": max(p) if p else None,
        "model_sentences": written,
        "removed_by_verification": round((written - kept) / written, 3) if written else None,
        "model_abstained_answerable": sum(r["model_abstained"] for r in answerable),
        "reader_answered": sum(r["reader"] == "reader_answered" for r in rows),
        "reader_conflict": sum(r["reader"] == "reader_conflict" for r in rows),
    }
    return {"label": label, "summary": summary, "types": by_type(scores), "rows": rows,
            "seconds": round(time.perf_counter() - started, 1)}


SUMMARY = [("questions", "questions"), ("accuracy", "accuracy"), ("false_abstention_rate", "false abstention"),
           ("abstention_recall", "unanswerable declined"), ("false_conflicts", "false conflicts"),
           ("words_median", "words/answer (median)"), ("removed_by_verification", "model sentences removed"),
           ("first_token_s_p50", "first token p50 (s)"), ("seconds_per_question_p50", "s/question p50"),
           ("seconds_per_question_mean", "s/question mean"), ("prompt_tokens_mean", "prompt tokens (mean)"),
           ("prompt_tokens_max", "prompt tokens (max)"), ("citation_precision", "citation precision"),
           ("model_abstained_answerable", "model said NOT IN ARTICLES to answerable"),
           ("reader_answered", "the reader answered where the model declined"),
           ("reader_conflict", "the reader's conflict stood for the model's answer")]


def report(runs: list[dict], note: str, command: str) -> str:
    def fmt(v):
        return "-" if v is None else f"{v:.3f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)

    lines = [f"# Generative eval ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "", note, "",
             f"Command: `{command}`", "",
             "| metric | " + " | ".join(r["label"] for r in runs) + " |", "|---|" + "---|" * len(runs)]
    lines += [f"| {head} | " + " | ".join(fmt(r["summary"].get(key)) for r in runs) + " |" for key, head in SUMMARY]
    for r in runs:
        lines += ["", f"## {r['label']} ({r['seconds']} s)", "", "| type | n | accuracy | abstained |", "|---|---|---|---|"]
        for kind, m in r["types"].items():
            lines.append(f"| {kind} | {m['questions']} | {fmt(m['accuracy'])} | "
                         f"{sum(x['abstained'] for x in r['rows'] if x['type'] == kind)} |")
        wrong = [x for x in r["rows"] if not x["correct"]]
        if wrong:
            lines += ["", "Wrong:", ""] + [f"- {x['id']} ({x['type']}) {x['question']} → {x['answer'][:160]}"
                                           + (f" (missing: {', '.join(x['missing'])})" if x["missing"] else "") for x in wrong]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold.jsonl")
    parser.add_argument("--unseen", type=Path, help="held-out gold file, reported as its own run")
    parser.add_argument("--unseen-index", type=Path, default=ROOT / ".rag-eval" / "mixed",
                        help="index the unseen set is asked on: seeds + BBC, as `rag eval --unseen` (make eval-full builds it)")
    parser.add_argument("--index", type=Path, default=ROOT / ".rag-eval" / "seeds", help="index of the seeds (rag eval builds it)")
    parser.add_argument("--model", type=Path, help="GGUF file (default: make model's, else SmolLM2)")
    parser.add_argument("--context", action="append", choices=["sentences", "passages"], help="context style(s) to run")
    parser.add_argument("--per-type", type=int, help="only the first N questions of each type")
    parser.add_argument("--threads", type=int)
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "llm")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)

    from rag.config import Settings, apply_offline_env
    from rag.evaluation import load_gold
    from rag.llm import GenerativeBackend, make_llm, model_path, reader_fallback
    from rag.pipeline import Pipeline

    apply_offline_env()
    settings = Settings.load(index_dir=args.index, backend="llamacpp", llm_model_path=args.model, llm_threads=args.threads)
    path = model_path(settings)
    base = Pipeline(settings)
    sets = [("seeds", subset(load_gold(args.gold), args.per_type), base)]
    if args.unseen:
        # Some unseen questions are about BBC articles: asked on the seeds index they could only be declined.
        if not (args.unseen_index / "chroma.sqlite3").exists():
            parser.error(f"{args.unseen_index} holds no index: run `make eval-full` first (the unseen set needs seeds + BBC)")
        mixed = Pipeline(settings.model_copy(update={"index_dir": args.unseen_index}), encoder=base.retriever.encoder)
        sets.append(("unseen", subset(load_gold(args.unseen), args.per_type), mixed))
    chat = make_llm(settings).chat  # one loaded model for every run
    runs = []
    for context in args.context or [settings.llm_context]:
        cfg = settings.model_copy(update={"llm_context": context})
        for name, items, home in sets:
            pipeline = Pipeline(cfg.model_copy(update={"index_dir": home.settings.index_dir}), home.store, home.retriever.encoder)
            backend = GenerativeBackend(
                chat, "llamacpp", str(path), cfg.support_threshold, context=context,
                keyword=pipeline.retriever.keyword_index, relevance=pipeline._relevance, reader=cfg.reader,
                fallback=reader_fallback(cfg, pipeline.retriever.keyword_index, pipeline._relevance))
            pipeline._answerer = backend
            runs.append(run(pipeline, items, f"{name} · {context}"))
    scope = (f"Subset: the first {args.per_type} questions of each type." if args.per_type else "All questions.")
    note = (f"Model: `{path.name}`, {os.cpu_count()} cores, llama.cpp via llama-cpp-python (chat template of the GGUF). "
            f"{scope} {args.note}").strip()
    command = "python -m bench.llm_eval " + " ".join(argv if argv is not None else sys.argv[1:])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text(report(runs, note, command), encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(runs, indent=1), encoding="utf-8")
    print(f"wrote {args.out / 'report.md'}", file=sys.stderr)
    for r in runs:
        print(r["label"], json.dumps({k: r["summary"].get(k) for k, _ in SUMMARY}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
