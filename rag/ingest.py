"""Incremental, idempotent ingest: files -> clean documents -> chunks -> embeddings -> Chroma.

Like simonw/llm's ``embed_multi``: hash first, skip what is stored, embed only
the rest. A document is unchanged when its fingerprint (raw bytes + the
cleaning/chunking/model settings) matches a complete stored version.
"""

from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from .chunking import Chunk, Chunker
from .config import Settings
from .documents import CLEANER_VERSION, DocumentError, SourceFile, discover, parse, read_bytes
from .embedding import Embedder
from .fetch import DEFAULT_TIMEOUT, fetch, normalise
from .store import ChunkStore, StoredDocument

Log = Callable[[str], None]
Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)


@dataclass
class IngestReport:
    """What one ingest run did. ``skipped`` and ``warnings`` are (path, reason) pairs."""

    files: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_in_store: int = 0
    documents_in_store: int = 0
    seconds: float = 0.0

    @property
    def nothing_ingested(self) -> bool:
        """True when files were given but none of them is in the store now."""
        return self.files > 0 and self.added + self.updated + self.unchanged == 0

    def summary(self) -> str:
        return (
            f"{self.files} files: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {len(self.skipped)} skipped; embedded {self.chunks_embedded} chunks; "
            f"store holds {self.documents_in_store} documents, {self.chunks_in_store} chunks; {self.seconds:.1f} s"
        )


def fingerprint(raw: bytes, settings: Settings, model_name: str) -> str:
    """Identity of one processed version: content plus everything that shapes its chunks."""
    recipe = f"{CLEANER_VERSION}|{settings.chunk_size}|{settings.chunk_overlap}|{model_name}".encode()
    return hashlib.sha256(recipe + b"\0" + raw).hexdigest()


def ingest(
    paths: list[str | Path],
    settings: Settings,
    *,
    store: ChunkStore | None = None,
    embedder: Embedder | None = None,
    log: Log | None = None,
    progress: Progress | None = None,
    urls: list[str] | None = None,
    fetch_timeout: float | None = None,
) -> IngestReport:
    """Bring the store in line with the files under ``paths`` and the pages at ``urls``.

    Args:
        paths: files and folders (searched recursively).
        urls: web pages to fetch (see :mod:`rag.fetch`); the URL is the document id, and a
            page whose bytes did not change since the last ingest is not processed again.
        fetch_timeout: seconds allowed for fetching one page (default :data:`rag.fetch.DEFAULT_TIMEOUT`).
        settings: chunking, limits, store location, and whether to prune.
        store, embedder: reuse open ones (the UI, tests); opened from settings otherwise.
        log: receives one line per skipped file or warning.
        progress: called after each embedded batch.

    Raises:
        UsageError: a path does not exist.
    """
    started = time.perf_counter()
    log = log or (lambda line: None)
    files, roots, refused = discover(paths)
    for url in dict.fromkeys(urls or ()):
        try:
            page = normalise(url)
        except DocumentError as exc:
            refused.append((url, str(exc)))
            continue
        if page not in {f.key for f in files}:
            files.append(SourceFile(Path("page"), page, url=page))
    with ingest_lock(settings, log):
        return _ingest(files, roots, refused, settings, store, embedder, log, progress, started,
                       fetch_timeout or DEFAULT_TIMEOUT)


@contextmanager
def ingest_lock(settings: Settings, log: Log) -> Iterator[None]:
    """One ingest at a time per index: a second run waits for the first, then reads the store
    and finds its work done (two runs used to embed everything twice, silently)."""
    import fcntl

    folder = Path(settings.index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".ingest.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting: another ingest is running on this index ({settings.chroma_url or folder})")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ingest(files: list[SourceFile], roots: list[Path], refused: list[tuple[Path | str, str]], settings: Settings,
            store: ChunkStore | None, embedder: Embedder | None, log: Log, progress: Progress | None,
            started: float, fetch_timeout: float = DEFAULT_TIMEOUT) -> IngestReport:
    store = store or ChunkStore(settings, create=True)
    embedder = embedder or Embedder(settings.embed_batch_size)
    report = IngestReport(files=len(files) + len(refused))
    stored = store.stored_documents()
    chunker: Chunker | None = None

    pending: list[Chunk] = []
    stale: list[str] = []  # chunk ids of replaced or half-written versions
    for path, reason in refused:
        # Never read, and never kept: a link that now leaves its folder may have been ingested before.
        previous = stored.get(str(path))
        if previous:
            stale += previous.all_ids
            reason += " (its previously ingested version was removed)"
        report.skipped.append((str(path), reason))
        log(f"skipped: {path}: {reason}")
    for source in files:
        previous = stored.get(source.key)
        try:
            if source.url:
                page = fetch(source.url, settings.max_file_bytes, fetch_timeout)
                source, raw = replace(source, path=Path("page" + page.suffix)), page.raw
            else:
                raw = read_bytes(source, settings.max_file_bytes)
            fp = fingerprint(raw, settings, embedder.name)
            if previous and previous.is_complete(fp):
                report.unchanged += 1
                stale += previous.ids_except(fp)
                continue
            document = parse(source, raw)
        except DocumentError as exc:
            _skip(report, log, source, str(exc), previous)
            continue
        for warning in document.warnings:
            report.warnings.append((source.location, warning))
            log(f"warning: {source.location}: {warning}")
        chunker = chunker or Chunker(settings.chunk_size, settings.chunk_overlap)
        chunks = chunker.chunk(document, fp, {"ingested_at": time.time()})
        pending += chunks
        # Drop every other stored version, including a half-written one of this fingerprint.
        stale += previous.all_ids if previous else []
        if previous and any(previous.is_complete(v) for v in previous.versions):
            report.updated += 1
        else:
            report.added += 1

    new_ids = {c.id for c in pending}
    _embed_and_store(pending, store, embedder, settings.embed_batch_size, progress)
    report.chunks_embedded = len(pending)
    store.delete([i for i in stale if i not in new_ids])

    in_store = (set(stored) - {str(path) for path, _ in refused}) | {c.doc_key for c in pending}
    if settings.prune:
        present = {f.key for f in files}
        for doc in _gone(stored, roots, present):
            store.delete(doc.all_ids)
            in_store.discard(doc.key)
            report.removed += 1
            log(f"removed: {doc.key} (no longer in {', '.join(map(str, roots))})")

    if report.chunks_embedded or report.removed or stale:
        store.bump_generation()
    # Build the keyword index now, so the first question does not pay for it.
    from .retrieval import Retriever

    Retriever(settings, store).keyword_index()
    report.chunks_in_store = store.count()
    report.documents_in_store = len(in_store)  # derived: a second scan of every chunk's metadata costs seconds
    report.seconds = time.perf_counter() - started
    return report


def _skip(report: IngestReport, log: Log, source: SourceFile, reason: str, previous: StoredDocument | None) -> None:
    if previous and previous.all_ids:
        reason += " (kept the previously ingested version)"
    report.skipped.append((source.location, reason))
    log(f"skipped: {source.location}: {reason}")


def _embed_and_store(chunks: list[Chunk], store: ChunkStore, embedder: Embedder, batch: int, progress: Progress | None) -> None:
    """Embed and write in batches, so a killed run keeps what it finished."""
    done = 0
    for start in range(0, len(chunks), batch):
        part = chunks[start : start + batch]
        store.add(part, embedder.embed([c.text for c in part]))
        done += len(part)
        if progress:
            progress(done, len(chunks))


def _gone(stored: dict[str, StoredDocument], roots: list[Path], present: set[str]) -> list[StoredDocument]:
    """Stored documents that lived under one of ``roots`` and are not there any more."""
    prefixes = tuple(str(root).rstrip("/") + "/" for root in roots)
    return [doc for key, doc in stored.items() if key.startswith(prefixes) and key not in present]

