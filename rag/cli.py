"""`rag` command line: parse arguments, make one library call, print, exit.

Every behaviour lives in the library; this module only turns RagErrors into
one line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from .config import BACKENDS, Settings, apply_offline_env
from .errors import RagError
from .render import terminal_safe


def _settings(args: argparse.Namespace, **extra) -> Settings:
    return Settings.load(
        index_dir=getattr(args, "index", None),
        chroma_url=getattr(args, "chroma_url", None),
        **extra,
    )


def _store_options(parser: argparse.ArgumentParser, nested: bool = False) -> None:
    # nested (a sub-command's own sub-command): no defaults, or they would overwrite the parent's values
    default = {"default": argparse.SUPPRESS} if nested else {}
    parser.add_argument("--index", type=Path, help="index directory (default .rag, or $RAG_INDEX_DIR)", **default)
    parser.add_argument("--chroma-url", help="use a Chroma server at http://HOST:PORT (or $RAG_CHROMA_URL)", **default)


def _ingest_targets(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    """(paths, URLs) from the arguments and the --from-file list (one path or URL per line, # comments)."""
    from .errors import UsageError
    from .fetch import is_url

    targets = list(args.paths)
    if args.from_file:
        targets += [line for line in _lines(args.from_file, "the list") if not line.startswith("#")]
    if not targets:
        raise UsageError("nothing to ingest (pass PATH or URL, or --from-file FILE)")
    if args.timeout is not None and not args.timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    return [t for t in targets if not is_url(t)], [t for t in targets if is_url(t)]


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest

    paths, urls = _ingest_targets(args)
    settings = _settings(args, prune=False if args.no_prune else None)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total >= 200 and sys.stderr.isatty() and not args.quiet:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr)
        if bar is not None:
            bar.update(done - bar.n)
        elif args.verbose:
            print(f"embedded {done}/{total} chunks", file=sys.stderr, flush=True)

    def log(line: str) -> None:
        print(terminal_safe(line), file=sys.stderr, flush=True)  # a file name may hold "\n" or ESC

    report = ingest(paths, settings, log=log, progress=progress, urls=urls, fetch_timeout=args.timeout)
    if bar is not None:
        bar.close()
    print(report.summary())
    if report.chunks_embedded == 0 and not report.nothing_ingested:
        print("Nothing to embed: the store was already up to date." if not report.removed else "Nothing new to embed.")
    if report.files == 0:
        from .documents import SUPPORTED_SUFFIXES

        kinds = " ".join(sorted(SUPPORTED_SUFFIXES))
        print(f"rag: error: no supported files ({kinds}) in {', '.join(paths)}", file=sys.stderr)
        return 1
    if report.nothing_ingested:
        print("rag: error: none of the files could be ingested (see the skipped lines above)", file=sys.stderr)
        return 1
    return 0


def _lines(path: str, what: str) -> list[str]:
    """The non-blank lines of a --from-file list, stripped; a file that cannot be read is a usage error."""
    from .errors import UsageError

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read {what}: {exc}") from exc
    return [line.strip() for line in lines if line.strip()]


def _questions(args: argparse.Namespace) -> list[str]:
    from .errors import UsageError

    questions = list(args.questions)
    if args.from_file:
        questions += _lines(args.from_file, "questions")
    if not questions:
        raise UsageError("no question given (pass QUESTION or --from-file FILE)")
    for question in questions:
        if not question.strip():
            raise UsageError("the question is empty")
    return questions


def _pipeline(args: argparse.Namespace):
    from .pipeline import Pipeline

    return Pipeline(_settings(args, backend=args.backend, top_k=args.top_k, retrieval=args.retrieval))


def _where(args: argparse.Namespace, store=None) -> dict | None:
    """The Chroma filter of --doc, --outlet, --since and --until (all must hold)."""
    parts: list[dict] = []
    if args.doc:
        parts.append({"doc_id": args.doc})
    if args.outlet:
        parts.append({"outlet": args.outlet})
    if args.since or args.until:
        from .library import parse_day, published_between

        since = parse_day(args.since) if args.since else None
        until = parse_day(args.until, end=True) if args.until else None
        keys = published_between(store, since, until)
        # No document in range: a filter that matches nothing (the answer abstains), as for an unknown --doc.
        parts.append({"doc_key": {"$in": keys or [""]}})
    return None if not parts else parts[0] if len(parts) == 1 else {"$and": parts}


def cmd_ask(args: argparse.Namespace) -> int:
    import json

    from .render import render_text

    questions = _questions(args)
    pipeline = _pipeline(args)
    where = _where(args, pipeline.store)
    for question in questions:
        if args.stream and args.json:  # one JSON line per piece: {"type": "draft", …} …, {"type": "final", …}
            for piece in pipeline.stream(question, where=where):
                print(json.dumps(piece.to_dict(), ensure_ascii=False), flush=True)
        elif args.stream:
            _print_stream(pipeline.stream(question, where=where))
        else:
            answer = pipeline.ask(question, where=where)
            print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else render_text(answer), flush=True)
    return 0


VERIFIED_RULE = "— verified answer (replaces the draft above) —"


def _print_stream(pieces, searched: bool = False):
    """Print a model's draft as it is written, then the verified answer under a rule that says it
    replaces the draft (the extractive backend has no draft: just the answer), after the condensed
    question searched for when ``searched`` and it differs. Returns the answer."""
    from .answer import Draft
    from .render import render_text

    answer, drafted = None, False
    for piece in pieces:
        if isinstance(piece, Draft):
            # model text is untrusted: control characters shown as escapes, line breaks as spaces
            print(terminal_safe(piece.text.replace("\n", " ")), end="", flush=True)
            drafted = True
        else:
            answer = piece.answer
    if drafted:
        print(f"\n{VERIFIED_RULE}")
    if searched and answer.standalone_question and answer.standalone_question != answer.question:
        print(f"(searched for: {terminal_safe(answer.standalone_question)})")
    print(render_text(answer), flush=True)
    return answer


def cmd_chat(args: argparse.Namespace) -> int:
    from .question import Turn

    pipeline = _pipeline(args)
    where = _where(args, pipeline.store)
    history: list[Turn] = []
    print("Ask about the articles. /reset forgets the conversation, /quit (or Ctrl-D) leaves.")
    while True:
        try:
            question = input("> ").strip()
        except EOFError:
            print()
            return 0
        if question in {"/quit", "/exit"}:
            return 0
        if question == "/reset":
            history.clear()
            print("(conversation forgotten)")
            continue
        if not question:
            continue
        answer = _print_stream(pipeline.stream(question, history, where=where), searched=True)
        history.append(answer.turn())


def cmd_docs(args: argparse.Namespace) -> int:
    """`rag docs`: list the stored documents; `rag docs remove ID...`: remove them."""
    import json

    from .library import list_documents, remove_documents
    from .store import ChunkStore

    store = ChunkStore(_settings(args))
    if getattr(args, "docs_command", None) == "remove":
        removed, unknown = remove_documents(args.ids, store.settings, store)
        for doc_id in removed:
            print(f"removed {terminal_safe(doc_id)}")
        for doc_id in unknown:
            print(f"rag: error: no document {terminal_safe(doc_id)!r} (see `rag docs`)", file=sys.stderr)
        return 1 if unknown else 0
    documents = list_documents(store)
    if args.json:
        print(json.dumps([d.to_dict() for d in documents], ensure_ascii=False))
        return 0
    rows = [("ID", "TITLE", "OUTLET", "DATE", "CHUNKS")] + [
        (d.id, d.title if d.title != d.id else "", d.outlet, d.published, str(d.chunks)) for d in documents]
    rows = [tuple(_cell(value) for value in row) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        print("  ".join(value.ljust(width) if i < 4 else value.rjust(width)
                        for i, (value, width) in enumerate(zip(row, widths))).rstrip())
    print(f"{len(documents)} documents, {sum(d.chunks for d in documents)} chunks")
    return 0


def _cell(value: str, limit: int = 60) -> str:
    value = terminal_safe(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def cmd_eval(args: argparse.Namespace) -> int:
    from .errors import UsageError
    from .evaluation import load_gold, load_thresholds, run
    from .ingest import ingest
    from .pipeline import Pipeline
    from .report import generalisation_gaps, write_report

    name = args.name or ("seeds" if len(args.corpus) <= 1 else "mixed")
    if args.unseen and name == "unseen":
        raise UsageError("--name unseen is reserved for the --unseen run; choose another name")
    # Every input is read and validated before the (slow) ingest: a bad file fails in a second, not minutes.
    items = [item for gold in args.gold for item in load_gold(gold)]
    unseen = load_gold(args.unseen) if args.unseen else []
    thresholds = load_thresholds(args.thresholds, name) if not args.no_gate else {}
    index = args.index or Path(".rag-eval") / name
    settings = _settings(args, backend=args.backend, top_k=args.top_k, retrieval=args.retrieval).model_copy(update={"index_dir": index})
    report = ingest(args.corpus, settings)
    print(f"corpus: {report.summary()}", file=sys.stderr)
    pipeline = Pipeline(settings)
    result = run(pipeline, items, name, thresholds)
    runs = [result]
    if unseen:  # same index, scored apart and never gated: how the tuned figures carry over to new questions
        runs.append(run(pipeline, unseen, "unseen", {}, tuned=False))
    paths = write_report(runs, {name: thresholds}, Path(args.out))
    width = max(len(k) for k in result.overall)
    for key, value in result.overall.items():
        limit = thresholds.get(key)
        print(f"{key:<{width}}  {value if value is not None else '-':>8}" + (f"   (threshold {limit})" if limit is not None else ""))
    print("per type: " + ", ".join(f"{t} {m['accuracy']}" for t, m in result.types.items()))
    for line in generalisation_gaps(runs):
        print(line)
    print("wrote " + ", ".join(map(str, paths)))
    if result.failures:
        print("rag: eval below thresholds: " + "; ".join(result.failures), file=sys.stderr)
        return 1
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .ui import launch

    settings = _settings(args, backend=args.backend, top_k=args.top_k, retrieval=args.retrieval)
    app, url, _ = launch(settings, host=args.host, port=args.port, auth=args.auth)
    print(f"Newsdesk RAG is running at http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)
    try:
        app.block_thread()
    finally:
        app.close()
    return 0


def _answer_options(parser: argparse.ArgumentParser) -> None:
    _store_options(parser)
    parser.add_argument("--backend", choices=BACKENDS, help="answer backend (default extractive, or $RAG_BACKEND)")
    parser.add_argument("--top-k", type=int, help="passages given to the answerer (default 6, or $RAG_TOP_K)")
    parser.add_argument("--retrieval", choices=["dense", "hybrid", "bm25"], help="retrieval mode (default dense, or $RAG_RETRIEVAL)")


def _ask_options(parser: argparse.ArgumentParser) -> None:
    """Answer options plus the filters, which ask and chat apply to every question."""
    _answer_options(parser)
    parser.add_argument("--doc", help="only search this document id")
    parser.add_argument("--outlet", help="only search articles from this outlet (as `rag docs` shows it)")
    parser.add_argument("--since", metavar="DATE", help="only search articles published on or after DATE "
                        "(YYYY-MM-DD, YYYY-MM or YYYY); articles with no known date are left out")
    parser.add_argument("--until", metavar="DATE", help="only search articles published on or before DATE")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Grounded, cited answers over a folder of news articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add, update and prune documents in the index")
    p.add_argument("paths", nargs="*", metavar="PATH_OR_URL",
                   help="files or folders (.txt .md .html .htm .xhtml .pdf, searched recursively), or http(s) URLs of pages")
    p.add_argument("--from-file", metavar="FILE", help="also ingest the paths and URLs listed in FILE, one per line")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="time allowed to fetch one page (default 30)")
    p.add_argument("--no-prune", action="store_true", help="keep documents that are gone from the given folders")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("-v", "--verbose", action="store_true", help="a progress line per embedded batch when there is no terminal")
    _store_options(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer questions with cited sources")
    p.add_argument("questions", nargs="*", metavar="QUESTION")
    p.add_argument("--from-file", help="read one question per line")
    p.add_argument("--json", action="store_true", help="one JSON object per question per line")
    p.add_argument("--stream", action="store_true",
                   help="print a generative backend's text as it is written, then the verified answer that replaces it "
                        "(with --json: one JSON line per piece, {\"type\": \"draft\"|\"final\", …})")
    _ask_options(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("docs", help="list the documents in the index (`rag docs remove ID...` removes them)")
    p.add_argument("--json", action="store_true", help="a JSON array of {id, title, outlet, author, published, source, chunks}")
    _store_options(p)
    docs = p.add_subparsers(dest="docs_command", metavar="{remove}")
    remove = docs.add_parser("remove", help="remove documents by id (or source path/URL)")
    remove.add_argument("ids", nargs="+", metavar="ID")
    _store_options(remove, nested=True)
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("eval", help="run the gold questions and gate on eval/thresholds.toml")
    p.add_argument("--corpus", action="append", help="corpus folder(s) to ingest (default seeds)")
    p.add_argument("--gold", action="append", help="gold JSONL file(s) (default eval/gold.jsonl)")
    p.add_argument("--name", help="threshold table and report name (default seeds, or mixed with several corpora)")
    p.add_argument("--thresholds", default="eval/thresholds.toml")
    p.add_argument("--no-gate", action="store_true", help="report only, never fail")
    p.add_argument("--unseen", metavar="FILE",
                   help="gold JSONL never used for tuning: asked on the same index, reported as run 'unseen', never gated")
    p.add_argument("--out", default="eval", help="where report.md, results.json and metrics.png go")
    _ask_options(p)
    p.set_defaults(func=cmd_eval, corpus=None, gold=None)

    p = sub.add_parser("serve", help="the web chat UI")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--auth", help="user:pass, or a file of user:pass lines, required to log in")
    _answer_options(p)  # no filters: the web UI searches every document (it took them and ignored them)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("chat", help="interactive multi-turn chat in the terminal")
    _ask_options(p)
    p.set_defaults(func=cmd_chat)
    return parser


def main(argv: list[str] | None = None) -> int:
    apply_offline_env()
    args = build_parser().parse_args(argv)
    if args.command == "eval":
        args.corpus = args.corpus or ["seeds"]
        args.gold = args.gold or ["eval/gold.jsonl"]
    try:
        return args.func(args)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"rag: error: invalid setting: {problems}", file=sys.stderr)
        return 2
    except RagError as exc:
        print(f"rag: error: {terminal_safe(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
