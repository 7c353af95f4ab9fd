"""The document library: list, filter and remove what the index holds.

One service for every front end: ``rag docs`` (list and remove), the web UI's
Documents tab, and the ``--since``/``--until`` filters of ``rag ask``. Metadata
comes from the chunks (every chunk carries its document's title, outlet,
author, publication date and source); a field an older index lacks is unknown
(""), never an error.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from .config import Settings
from .errors import UsageError
from .store import ChunkStore, StoredDocument


@dataclass(frozen=True)
class DocumentInfo:
    """One stored document as listed to users; "" for what is unknown."""

    id: str
    title: str
    outlet: str
    author: str
    published: str  # YYYY-MM-DD
    source: str  # the file's path or the page's URL
    chunks: int

    @classmethod
    def of(cls, doc: StoredDocument) -> "DocumentInfo":
        return cls(id=doc.doc_id or doc.key, title=doc.title, outlet=doc.outlet, author=doc.author,
                   published=doc.published, source=doc.source or doc.key, chunks=doc.chunks)

    def to_dict(self) -> dict:
        """JSON form: unknown fields are null."""
        return {k: (v if v != "" else None) for k, v in asdict(self).items()}


def list_documents(store: ChunkStore) -> list[DocumentInfo]:
    """Every stored document, by id."""
    return sorted((DocumentInfo.of(d) for d in store.stored_documents().values()), key=lambda d: (d.id, d.source))


def remove_documents(ids: list[str], settings: Settings, store: ChunkStore | None = None) -> tuple[list[str], list[str]]:
    """Delete the named documents (by id, or by source path/URL); returns (removed, unknown) ids.

    Runs under the index's ingest lock, so it never interleaves with an ingest in another process.
    A document removed from a folder that is ingested again comes back: remove the file too.
    """
    from .ingest import ingest_lock

    store = store or ChunkStore(settings)
    wanted = list(dict.fromkeys(ids))
    with ingest_lock(settings, lambda line: None):
        stored = store.stored_documents().values()
        found = {name: [d for d in stored if name in (d.doc_id, d.key, d.source)] for name in wanted}
        gone = {d.key: d for docs in found.values() for d in docs}
        for doc in gone.values():
            store.delete(doc.all_ids)
        if gone:
            store.bump_generation()
    return [n for n in wanted if found[n]], [n for n in wanted if not found[n]]


_DAY = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def parse_day(value: str, *, end: bool = False) -> str:
    """A --since/--until value as YYYY-MM-DD: "2025", "2025-03" and "2025-03-14" are accepted;
    a year or month means its first day (its last with ``end``)."""
    match = _DAY.fullmatch(value.strip())
    if not match:
        raise UsageError(f"{value!r} is not a date: use YYYY-MM-DD (or YYYY-MM, YYYY)")
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if day:
            return date(year, int(month), int(day)).isoformat()
        if month:
            first = date(year, int(month), 1)
            if not end:
                return first.isoformat()
            following = date(year + (first.month == 12), first.month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1).isoformat()
        return date(year, 12 if end else 1, 31 if end else 1).isoformat()
    except ValueError as exc:
        raise UsageError(f"{value!r} is not a date: {exc}") from exc


def published_between(store: ChunkStore, since: str | None, until: str | None) -> list[str]:
    """Keys of the documents published in [since, until] (YYYY-MM-DD, either may be None).
    A document with no known date matches neither bound."""
    return sorted(d.key for d in store.stored_documents().values()
                  if d.published and (not since or d.published >= since) and (not until or d.published <= until))
