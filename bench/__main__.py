"""`make bench` / `python -m bench`: speed and memory, each against a baseline measured in the same run.

Writes bench/results.md. Needs ../shared/data/bbc (2,225 BBC articles). Work files
go to bench/.work/ (ignored by git); a second run reuses the big index.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BBC = Path(os.environ.get("RAG_BBC_DIR", ROOT.parent / "shared" / "data" / "bbc"))
WORK = ROOT / "bench" / ".work"
SEEDS = ROOT / "seeds"
QUESTIONS = [
    "How long did the Trump-Putin call last?",
    "What did Putin agree to on energy infrastructure?",
    "Who is Liana Fix?",
    "Why did Time Warner restate its accounts?",
    "Which club did Adrian Mutu play for before Chelsea?",
    "What did the Chancellor say about the budget surplus?",
    "How many subscribers did AOL lose in the fourth quarter?",
    "Who won the Super Bowl according to these articles?",
    "What is the Xbox 360 launch price in Japan?",
    "Which film won best picture at the Oscars?",
]


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def bench_ingest(results: dict) -> Path:
    from rag.config import Settings, apply_offline_env
    from rag.embedding import Embedder
    from rag.ingest import ingest

    apply_offline_env()
    index = WORK / "index-full"
    settings = Settings.load(index_dir=index)
    embedder = Embedder(settings.embed_batch_size)
    embedder.model  # load the model outside the timings
    embed_seconds = 0.0
    original = embedder.embed

    def timed_embed(texts):
        nonlocal embed_seconds
        started = time.perf_counter()
        try:
            return original(texts)
        finally:
            embed_seconds += time.perf_counter() - started

    embedder.embed = timed_embed  # type: ignore[method-assign]
    if index.exists():
        shutil.rmtree(index)
    log("ingest: seeds + BBC into a new index …")
    report = ingest([SEEDS, BBC], settings, embedder=embedder)
    results["ingest"] = {
        "files": report.files, "chunks": report.chunks_embedded, "wall_s": report.seconds, "embed_s": embed_seconds,
        "overhead_ratio": report.seconds / embed_seconds, "chunks_per_s": report.chunks_embedded / report.seconds,
    }
    log("ingest: again, unchanged …")
    embed_seconds = 0.0
    again = ingest([SEEDS, BBC], settings, embedder=embedder)
    results["reingest"] = {"wall_s": again.seconds, "embedded": again.chunks_embedded}
    return index


def bench_starter_ingest(results: dict, subset: int = 300) -> None:
    """Ours vs the llama-index starter recipe on the same subset, same model, same chunking."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from rag.config import Settings
    from rag.embedding import Embedder, model_path
    from rag.ingest import ingest

    files = sorted(BBC.rglob("*.txt"))
    random.Random(7).shuffle(files)
    subset_dir = WORK / "subset"
    shutil.rmtree(subset_dir, ignore_errors=True)
    subset_dir.mkdir(parents=True)
    for i, f in enumerate(files[:subset]):
        shutil.copy(f, subset_dir / f"{i:04d}.txt")
    settings = Settings.load(index_dir=WORK / "index-subset")
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    embedder = Embedder(settings.embed_batch_size)
    embedder.model
    ours = ingest([subset_dir], settings, embedder=embedder)

    embed = HuggingFaceEmbedding(model_name=model_path(), device="cpu", embed_batch_size=settings.embed_batch_size)
    documents = [Document(text=f.read_text(encoding="utf-8", errors="replace"), metadata={"path": str(f)}) for f in sorted(subset_dir.iterdir())]
    client = chromadb.PersistentClient(path=str(WORK / "starter"), settings=ChromaSettings(anonymized_telemetry=False))
    for c in client.list_collections():
        client.delete_collection(c.name)
    store = ChromaVectorStore(chroma_collection=client.create_collection("starter", configuration={"hnsw": {"space": "cosine"}}))
    started = time.perf_counter()
    VectorStoreIndex.from_documents(
        documents, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=embed,
        transformations=[SentenceSplitter(chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap)],
    )
    starter = time.perf_counter() - started
    results["starter_ingest"] = {"docs": subset, "ours_s": ours.seconds, "ours_chunks": ours.chunks_embedded,
                                 "starter_s": starter, "ratio": ours.seconds / starter}


def _distinct_questions(n: int = 40) -> list[str]:
    """``n`` stand-alone questions of the eval's gold sets that QUESTIONS does not hold: the first quarter of
    them from the start of the seeds set, the rest from the end of the BBC set (its newest)."""
    rows = [json.loads(line) for name in ("gold.jsonl", "gold_bbc.jsonl") for line in (ROOT / "eval" / name).read_text().splitlines()
            if line.strip()]
    questions = [r["question"] for r in rows if not r.get("history") and r["question"] not in QUESTIONS]
    return questions[: n // 4] + questions[-(n - n // 4):]  # a quarter on the seeds, the rest on BBC articles


def bench_query(results: dict, index: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from rag.config import Settings
    from rag.embedding import model_path
    from rag.pipeline import Pipeline

    pipeline = Pipeline(Settings.load(index_dir=index))
    for q in QUESTIONS[:3]:
        pipeline.ask(q)  # load the model and the keyword index
    retrieve = []
    for _ in range(3):
        for q in QUESTIONS:
            started = time.perf_counter()
            pipeline.retriever.retrieve(q)
            retrieve.append(time.perf_counter() - started)
    # Each question asked for the first time (a new user's case: its vector and its passages' sentence
    # vectors are computed then), then the same questions again (everything cached).
    first, again = [], []
    for timings in (first, again):
        for q in _distinct_questions():
            started = time.perf_counter()
            pipeline.ask(q)
            timings.append(time.perf_counter() - started)
    embed = HuggingFaceEmbedding(model_name=model_path(), device="cpu")
    client = chromadb.PersistentClient(path=str(index), settings=ChromaSettings(anonymized_telemetry=False))
    starter = VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=client.get_collection("newsdesk")),
                                                 embed_model=embed).as_retriever(similarity_top_k=5)
    starter.retrieve(QUESTIONS[0])
    base = []
    for _ in range(3):
        for q in QUESTIONS:
            started = time.perf_counter()
            starter.retrieve(q)
            base.append(time.perf_counter() - started)
    results["query"] = {
        "retrieve_p50": p(retrieve, 0.5), "retrieve_p95": p(retrieve, 0.95),
        "answer_p50": p(first, 0.5), "answer_p95": p(first, 0.95), "questions": len(first),
        "again_p50": p(again, 0.5), "again_p95": p(again, 0.95),
        "starter_p50": p(base, 0.5), "starter_p95": p(base, 0.95),
        "ratio_retrieve": p(retrieve, 0.5) / p(base, 0.5), "ratio_answer": p(first, 0.5) / p(base, 0.5),
        "chunks": pipeline.store.count(),
    }


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _run_measured(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB, children included) and stdout of a command."""
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); "
               "print(r.stdout[:2000])")
    out = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, check=True).stdout
    first, _, rest = out.partition("\n")
    wall, rss = map(float, first.split())
    return wall, rss, rest


def bench_cold_start(results: dict, index: Path) -> None:
    rag = str(Path(sys.executable).parent / "rag")
    question = "How long did the Trump-Putin call last?"
    _run_measured([rag, "ask", question, "--index", str(index)])  # page cache warm, as for any second use
    ours = [_run_measured([rag, "ask", question, "--index", str(index)]) for _ in range(3)]
    natural = (
        "import sys, chromadb; from chromadb.config import Settings as S; "
        "from sentence_transformers import SentenceTransformer; from llama_index.core import VectorStoreIndex; "
        "from rag.embedding import model_path; m = SentenceTransformer(model_path(), device='cpu'); "
        "c = chromadb.PersistentClient(path=sys.argv[1], settings=S(anonymized_telemetry=False)).get_collection('newsdesk'); "
        "print(c.query(query_embeddings=[m.encode(sys.argv[2]).tolist()], n_results=5)['ids'])"
    )
    base = [_run_measured([sys.executable, "-c", natural, str(index), question]) for _ in range(3)]
    results["cold"] = {
        "ours_s": statistics.median(w for w, _, _ in ours), "natural_s": statistics.median(w for w, _, _ in base),
        "ours_rss_mb": max(r for _, r, _ in ours), "natural_rss_mb": max(r for _, r, _ in base),
    }
    results["cold"]["ratio"] = results["cold"]["ours_s"] / results["cold"]["natural_s"]


def bench_ui_memory(results: dict, index: Path) -> None:
    import socket

    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "rag"), "serve", "--index", str(index), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        proc.stdout.readline()  # "running at …"
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        for q in QUESTIONS:
            json.loads(client.predict(q, [], None, None, api_name="/answer"))
        results["ui"] = {"rss_mb": _peak_rss_mb(proc.pid)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bench_scaling(results: dict, index: Path, factors=(1, 4, 16)) -> None:
    """Query p50 as the corpus grows: the BBC chunks copied under new ids (same vectors), per stage."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from rag.config import Settings
    from rag.pipeline import Pipeline

    source = chromadb.PersistentClient(path=str(index), settings=ChromaSettings(anonymized_telemetry=False)).get_collection("newsdesk")
    rows = source.get(include=["embeddings", "documents", "metadatas"])
    scaled_index = WORK / "index-scaled"
    shutil.rmtree(scaled_index, ignore_errors=True)
    settings = Settings.load(index_dir=scaled_index)
    client = chromadb.PersistentClient(path=str(scaled_index), settings=ChromaSettings(anonymized_telemetry=False))
    target = client.create_collection("newsdesk", configuration={"hnsw": {"space": "cosine"}})
    done = 0
    results["scaling"] = []
    for factor in factors:
        while done < factor:
            suffix = f"~x{done}" if done else ""
            for start in range(0, len(rows["ids"]), 2000):
                end = start + 2000
                metas = [{**m, "doc_key": m["doc_key"] + suffix, "doc_id": m["doc_id"] + suffix} for m in rows["metadatas"][start:end]]
                target.add(ids=[i + suffix for i in rows["ids"][start:end]], embeddings=rows["embeddings"][start:end],
                           documents=rows["documents"][start:end], metadatas=metas)
            done += 1
        target.modify(metadata={"generation": factor})
        log(f"scaling: {factor}x ({target.count()} chunks) …")
        pipeline = Pipeline(settings)
        started = time.perf_counter()
        pipeline.retriever.keyword_index()
        build = time.perf_counter() - started
        stages = {"dense": [], "bm25": [], "fused": [], "answer": []}
        for q in QUESTIONS * 2:
            for mode in ("dense", "bm25"):
                started = time.perf_counter()
                pipeline.retriever.retrieve(q, mode=mode)
                stages[mode].append(time.perf_counter() - started)
            started = time.perf_counter()
            pipeline.retriever.retrieve(q)
            stages["fused"].append(time.perf_counter() - started)
            started = time.perf_counter()
            pipeline.ask(q)
            stages["answer"].append(time.perf_counter() - started)
        results["scaling"].append({"factor": factor, "chunks": target.count(), "bm25_build_s": build,
                                   **{f"{k}_p50": p(v, 0.5) for k, v in stages.items()}})


def write(results: dict) -> Path:
    i, r, s, q, c, u = (results[k] for k in ("ingest", "reingest", "starter_ingest", "query", "cold", "ui"))
    verdict = lambda ok: "meets target" if ok else "**misses target**"  # noqa: E731
    lines = [
        f"# Benchmarks ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores)", "",
        "Every figure has a baseline measured in the same run. Reproduce with `make bench`.", "",
        "## Ingest (seeds + 2,225 BBC articles)", "",
        "| figure | value | baseline | ratio | target |", "|---|---|---|---|---|",
        f"| ingest wall time | {i['wall_s']:.1f} s ({i['files']} files, {i['chunks']} chunks) | raw embedding of the same chunks: {i['embed_s']:.1f} s | "
        f"{i['overhead_ratio']:.2f} | ≤ 1.15: {verdict(i['overhead_ratio'] <= 1.15)} |",
        f"| throughput | {i['chunks_per_s']:.0f} chunks/s | | | |",
        f"| re-ingest, unchanged | {r['wall_s']:.2f} s, {r['embedded']} embedded | | | ≤ 3 s, 0: {verdict(r['wall_s'] <= 3 and r['embedded'] == 0)} |",
        f"| {s['docs']}-article subset, same model and chunking | ours {s['ours_s']:.1f} s ({s['ours_chunks']} chunks) | llama-index starter "
        f"(`VectorStoreIndex.from_documents` + Chroma): {s['starter_s']:.1f} s | {s['ratio']:.2f} | |",
        "", f"## Query, warm ({q['chunks']} chunks: seeds + BBC)", "",
        "| figure | p50 | p95 | baseline p50 (starter `as_retriever(similarity_top_k=5).retrieve`) | ratio | target |", "|---|---|---|---|---|---|",
        f"| retrieval alone (hybrid: dense + BM25 + fusion) | {ms(q['retrieve_p50'])} | {ms(q['retrieve_p95'])} | {ms(q['starter_p50'])} | {q['ratio_retrieve']:.2f} | |",
        f"| `Pipeline.ask`: default retrieval (dense) + extractive answer, each of {q['questions']} questions asked for the first time "
        f"| {ms(q['answer_p50'])} | {ms(q['answer_p95'])} | {ms(q['starter_p50'])} | {q['ratio_answer']:.2f} | "
        f"p50 ≤ 50 ms: {verdict(q['answer_p50'] <= 0.05)} |",
        f"| the same questions asked again (question and sentence vectors cached) | {ms(q['again_p50'])} | {ms(q['again_p95'])} | | | |",
        "", "## Cold start and memory", "",
        "| figure | ours | baseline | ratio | target |", "|---|---|---|---|---|",
        f"| new `rag ask` process, answer printed | {c['ours_s']:.2f} s | plain script importing sentence-transformers + chromadb + llama-index, one query: {c['natural_s']:.2f} s | "
        f"{c['ratio']:.2f} | ≤ 3 s: {verdict(c['ours_s'] <= 3)} |",
        f"| peak RSS of `rag ask` | {c['ours_rss_mb']:.0f} MB | that script: {c['natural_rss_mb']:.0f} MB | {c['ours_rss_mb'] / c['natural_rss_mb']:.2f} | ≤ 1.5 GB: {verdict(c['ours_rss_mb'] <= 1536)} |",
        f"| peak RSS of the UI (`rag serve`, seeds+BBC, 10 questions) | {u['rss_mb']:.0f} MB | | | ≤ 1.5 GB: {verdict(u['rss_mb'] <= 1536)} |",
        "", "## Scaling (BBC copied under new ids, same vectors)", "",
        "| corpus | chunks | BM25 build | dense p50 | BM25 p50 | hybrid p50 | `Pipeline.ask` (dense + answer) p50 |", "|---|---|---|---|---|---|---|",
    ]
    for row in results["scaling"]:
        lines.append(f"| {row['factor']}× | {row['chunks']} | {row['bm25_build_s']:.1f} s | {ms(row['dense_p50'])} | {ms(row['bm25_p50'])} | "
                     f"{ms(row['fused_p50'])} | {ms(row['answer_p50'])} |")
    crossing = next((row for row in results["scaling"] if row["bm25_p50"] > row["dense_p50"]), None)
    lines += ["", (f"BM25 overtakes dense search from {crossing['factor']}× ({crossing['chunks']} chunks) on: its cost grows with the "
                   "corpus while Chroma's HNSW search stays nearly flat, so it dominates hybrid latency there; fusion itself "
                   "(ranks of ≤ 24 ids) stays well under a millisecond." if crossing else
                   "Dense search stays the larger cost at every size measured; fusion itself stays well under a millisecond.")]
    path = ROOT / "bench" / "results.md"
    path.write_text("\n".join(lines) + "\n")
    (WORK / "results.json").write_text(json.dumps(results, indent=1))
    return path


def main() -> int:
    if not BBC.is_dir():
        print(f"bench: needs the BBC corpus at {BBC} (set RAG_BBC_DIR)", file=sys.stderr)
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    started = time.perf_counter()
    index = bench_ingest(results)
    log("ingest: starter comparison …")
    bench_starter_ingest(results)
    log("query …")
    bench_query(results, index)
    log("cold start …")
    bench_cold_start(results, index)
    log("UI memory …")
    bench_ui_memory(results, index)
    bench_scaling(results, index)
    path = write(results)
    print(path.read_text())
    log(f"bench: {time.perf_counter() - started:.0f} s in all; wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
