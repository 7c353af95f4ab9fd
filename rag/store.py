"""The chunk store: one Chroma collection, embedded (a folder) or on a Chroma server.

Consistency without transactions: every chunk records its document's
fingerprint and how many chunks that version has (``n_chunks``). A version is
complete only when all its chunks are present, so a run killed half-way leaves
an incomplete version that the next ingest recognises, deletes and redoes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .chunking import Chunk
from .config import Settings, apply_offline_env
from .errors import IndexMissingError, StoreUnavailableError

_SQLITE = "chroma.sqlite3"


@dataclass
class StoredDocument:
    """What the store holds for one document key: chunk ids grouped by version."""

    key: str
    versions: dict[str, list[str]] = field(default_factory=dict)  # fingerprint -> chunk ids
    expected: dict[str, int] = field(default_factory=dict)  # fingerprint -> n_chunks
    doc_id: str = ""
    title: str = ""
    # Article metadata as stored with the chunks; "" when unknown (or the index predates the field).
    outlet: str = ""
    author: str = ""
    published: str = ""  # YYYY-MM-DD
    source: str = ""  # the file's path or the page's URL

    @property
    def chunks(self) -> int:
        """Chunks of the stored version (the complete one, else the largest)."""
        complete = [len(ids) for fp, ids in self.versions.items() if self.is_complete(fp)]
        return max(complete or [len(ids) for ids in self.versions.values()] or [0])

    def is_complete(self, fingerprint: str) -> bool:
        return len(self.versions.get(fingerprint, ())) == self.expected.get(fingerprint, -1)

    def ids_except(self, fingerprint: str | None) -> list[str]:
        return [i for fp, ids in self.versions.items() if fp != fingerprint for i in ids]

    @property
    def all_ids(self) -> list[str]:
        return self.ids_except(None)


def _guarded(method):
    """Turn a failure to reach the store mid-way (server gone, timeout) into one clear error."""
    import functools

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (StoreUnavailableError, IndexMissingError):
            raise
        except Exception as exc:
            import httpx

            if isinstance(exc, (httpx.HTTPError, ConnectionError, TimeoutError)) or "connect" in str(exc).lower():
                raise StoreUnavailableError(f"the Chroma store at {self.location} stopped answering: {type(exc).__name__}: {exc}") from exc
            raise

    return wrapper


def _set_timeout(client, seconds: float) -> None:
    """chromadb's HTTP client waits forever (httpx timeout=None); a stalled server must not hang us."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(seconds)


class ChunkStore:
    """Owns the Chroma client and collection for one settings object.

    Args:
        settings: where the store is (``index_dir`` or ``chroma_url``) and the collection name.
        create: create the store if missing (ingest); otherwise a missing or
            empty store raises :class:`IndexMissingError` (ask, eval, serve).
    """

    def __init__(self, settings: Settings, create: bool = False):
        self.settings = settings
        self.location = settings.chroma_url or str(settings.index_dir)
        if not settings.chroma_url and not create and not (Path(settings.index_dir) / _SQLITE).exists():
            raise IndexMissingError(
                f"no index at {settings.index_dir}: run `rag ingest PATH` first (or pass --index DIR)"
            )
        self.client = self._connect()
        self.collection = self._collection(create)

    def _connect(self):
        apply_offline_env()
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self.settings.chroma_url:
                from urllib.parse import urlparse

                url = urlparse(self.settings.chroma_url)
                if url.scheme not in {"http", "https"} or not url.hostname:
                    raise StoreUnavailableError(f"bad Chroma URL {self.settings.chroma_url!r}: expected http://HOST:PORT")
                client = chromadb.HttpClient(
                    host=url.hostname,
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
                _set_timeout(client, self.settings.chroma_timeout)
                client.heartbeat()
                return client
            Path(self.settings.index_dir).mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(self.settings.index_dir), settings=chroma_settings)
        except StoreUnavailableError:
            raise
        except Exception as exc:
            raise StoreUnavailableError(f"cannot open the Chroma store at {self.location}: {exc}") from exc

    def _collection(self, create: bool):
        name = self.settings.collection
        try:
            if create:
                return self.client.get_or_create_collection(
                    name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
                )
            return self.client.get_collection(name, embedding_function=None)
        except Exception as exc:
            if not create and "does not exist" in str(exc).lower():
                raise IndexMissingError(f"the index at {self.location} has no collection {name!r}: run `rag ingest PATH` first") from exc
            raise StoreUnavailableError(f"cannot open collection {name!r} at {self.location}: {exc}") from exc

    # --- reading ---------------------------------------------------------------

    @_guarded
    def count(self) -> int:
        return self.collection.count()

    @property
    def cache_key(self) -> str:
        """Names this store's collection in local caches (two servers may share one index_dir)."""
        import hashlib

        return hashlib.sha1(f"{self.location}|{self.settings.collection}".encode()).hexdigest()[:12]

    @_guarded
    def stored_documents(self) -> dict[str, StoredDocument]:
        """Every document key in the store, with its chunk ids grouped by version."""
        documents: dict[str, StoredDocument] = {}
        for ids, metadatas in self._scan(["metadatas"]):
            for chunk_id, meta in zip(ids, metadatas):
                key = str(meta.get("doc_key", ""))
                fingerprint = str(meta.get("fingerprint", ""))
                doc = documents.get(key)
                if doc is None:
                    doc = documents[key] = StoredDocument(
                        key=key, doc_id=str(meta.get("doc_id", "")), title=str(meta.get("title", "")),
                        outlet=str(meta.get("outlet") or ""), author=str(meta.get("author") or meta.get("byline") or ""),
                        published=str(meta.get("published") or ""), source=str(meta.get("path") or key))
                doc.versions.setdefault(fingerprint, []).append(chunk_id)
                doc.expected[fingerprint] = int(meta.get("n_chunks", -1))
        return documents

    @_guarded
    def all_chunks(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of every chunk, in a stable order."""
        rows: list[tuple[str, str, dict[str, Any]]] = []
        for ids, metadatas, texts in self._scan(["metadatas", "documents"]):
            rows.extend(zip(ids, texts, metadatas))
        rows.sort(key=lambda row: row[0])
        return rows

    def _scan(self, include: list[str], page: int = 5000):
        offset = 0
        while True:
            result = self.collection.get(include=include, limit=page, offset=offset)
            ids = result["ids"]
            if not ids:
                return
            yield (ids, *[result[name] for name in include])
            offset += len(ids)

    @_guarded
    def query(self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[str, str, dict[str, Any], float]]:
        """The ``k`` nearest chunks as (id, text, metadata, cosine similarity)."""
        result = self.collection.query(
            query_embeddings=[list(embedding)], n_results=k, where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            (i, text, meta, 1.0 - dist)
            for i, text, meta, dist in zip(result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0])
        ]

    @_guarded
    def get(self, ids) -> list[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of the given chunk ids that exist."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        result = self.collection.get(ids=ids, include=["documents", "metadatas"])
        return list(zip(result["ids"], result["documents"], result["metadatas"]))

    @property
    def generation(self) -> int:
        """Bumped after every ingest that changed something; keyword indexes key on it."""
        return int((self.collection.metadata or {}).get("generation", 0))

    @_guarded
    def fresh_generation(self) -> int:
        """The generation as the store has it now (another process may have ingested)."""
        self.collection = self.client.get_collection(self.settings.collection, embedding_function=None)
        return self.generation

    # --- writing ---------------------------------------------------------------

    @_guarded
    def add(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        if not chunks:
            return
        self.collection.upsert(
            ids=[c.id for c in chunks],
            embeddings=[list(e) for e in embeddings],
            documents=[c.text for c in chunks],
            metadatas=[{k: v for k, v in c.metadata.items() if v is not None} for c in chunks],
        )

    @_guarded
    def delete(self, ids: Sequence[str], batch: int = 5000) -> None:
        ids = list(ids)
        for start in range(0, len(ids), batch):
            self.collection.delete(ids=ids[start : start + batch])

    @_guarded
    def bump_generation(self) -> int:
        generation = self.generation + 1
        metadata = {k: v for k, v in (self.collection.metadata or {}).items() if not k.startswith("hnsw:")}
        metadata.update(generation=generation, updated_at=time.time())
        self.collection.modify(metadata=metadata)
        return generation
