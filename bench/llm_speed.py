"""`python -m bench.llm_speed`: llama.cpp prompt processing and generation speed of a GGUF model.

Prints (and appends to bench/llm_speed.md) prompt tokens/s and generated tokens/s for a ~N-token
news prompt, best of R runs, with the llama.cpp build's CPU features: run it in two venvs to
compare two builds of llama-cpp-python.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
    parser.add_argument("--tokens", type=int, default=500, help="prompt length in tokens")
    parser.add_argument("--generate", type=int, default=32)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "llm_speed.md")
    args = parser.parse_args(argv)

    import llama_cpp
    from llama_cpp import Llama

    text = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted((ROOT / "seeds").glob("*.txt")))
    model = Llama(model_path=str(args.model), n_ctx=args.tokens + args.generate + 64, n_threads=args.threads,
                  n_batch=512, verbose=False)
    tokens = model.tokenize(text.encode())[: args.tokens]
    pp, tg = [], []
    for _ in range(args.runs):
        model.reset()
        started = time.perf_counter()
        model.eval(tokens)
        pp.append(len(tokens) / (time.perf_counter() - started))
        started = time.perf_counter()
        for _ in range(args.generate):
            token = model.sample(temp=0.0)
            model.eval([token])
        tg.append(args.generate / (time.perf_counter() - started))
    features = llama_cpp.llama_print_system_info().decode().strip()
    line = (f"| {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} | {args.label} | {args.model.name} | {args.threads} "
            f"| {len(tokens)} | {max(pp):.1f} | {max(tg):.1f} | {os.getloadavg()[0]:.1f} | {features} |")
    print(line)
    new = not args.out.exists()
    with args.out.open("a", encoding="utf-8") as out:
        if new:
            out.write("# llama.cpp speed (python -m bench.llm_speed)\n\nBest of the runs; load = 1-minute load average "
                      "at the end (the machine is shared).\n\n| when | build | model | threads | prompt tokens "
                      "| prompt tok/s | generated tok/s | load | CPU features |\n|---|---|---|---|---|---|---|---|---|\n")
        out.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
