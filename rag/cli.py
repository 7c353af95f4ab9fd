"""`rag` command line: parse arguments, make one library call, print, exit.

Every behaviour lives in the library; this module only turns RagErrors into
one line on stderr and an exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Settings, apply_offline_env
from .errors import RagError


def _settings(args: argparse.Namespace, **extra) -> Settings:
    return Settings.load(
        index_dir=getattr(args, "index", None),
        chroma_url=getattr(args, "chroma_url", None),
        **extra,
    )


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", type=Path, help="index directory (default .rag, or $RAG_INDEX_DIR)")
    parser.add_argument("--chroma-url", help="use a Chroma server at http://HOST:PORT (or $RAG_CHROMA_URL)")


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest

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
        print(line, file=sys.stderr, flush=True)

    report = ingest(args.paths, settings, log=log, progress=progress)
    if bar is not None:
        bar.close()
    print(report.summary())
    if report.chunks_embedded == 0 and not report.nothing_ingested:
        print("Nothing to embed: the store was already up to date." if not report.removed else "Nothing new to embed.")
    if report.files == 0:
        print(f"rag: error: no supported files (.txt .md .html .htm .pdf) in {', '.join(args.paths)}", file=sys.stderr)
        return 1
    if report.nothing_ingested:
        print("rag: error: none of the files could be ingested (see the skipped lines above)", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Grounded, cited answers over a folder of news articles.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add, update and prune documents in the index")
    p.add_argument("paths", nargs="+", help="files or folders (.txt .md .html .htm .pdf, searched recursively)")
    p.add_argument("--no-prune", action="store_true", help="keep documents that are gone from the given folders")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("-v", "--verbose", action="store_true", help="a progress line per embedded batch when there is no terminal")
    _store_options(p)
    p.set_defaults(func=cmd_ingest)
    return parser


def main(argv: list[str] | None = None) -> int:
    apply_offline_env()
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except RagError as exc:
        print(f"rag: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
