"""Hybrid retrieval: dense (Chroma + MiniLM) and BM25 (bm25s), fused by reciprocal rank.

The keyword index is derived from the chunk store, never edited on its own:
it is saved under ``index_dir/keyword/<generation>-<count>`` and rebuilt
whenever the store's generation (bumped by every ingest that changed
something) or chunk count differs. Several processes pointed at one Chroma
server therefore converge on the same corpus after any of them ingests.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal, Sequence

from .config import Settings
from .store import ChunkStore
from .text import REFERS_BACK, normalize, split_sentences, terms, words

Mode = Literal["hybrid", "dense", "bm25"]
RRF_K = 60  # the constant of Cormack et al. (2009); llama-index's fusion retriever uses it too


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, converted once from store rows at this boundary."""

    chunk_id: str
    doc_id: str
    path: str
    title: str
    outlet: str
    text: str
    start: int
    end: int
    score: float = 0.0
    dense_score: float | None = None
    keyword_score: float | None = None
    author: str = ""  # "" when unknown (and in indexes that predate the field)
    published: str = ""  # YYYY-MM-DD
    side_only: bool = False  # brought in as another account of a figure: a side of a disagreement, not an answer

    @classmethod
    def from_row(cls, chunk_id: str, text: str, meta: dict[str, Any], **scores: Any) -> "Passage":
        return cls(
            chunk_id=chunk_id, doc_id=str(meta.get("doc_id", "")), path=str(meta.get("path", "")),
            title=str(meta.get("title", "")), outlet=str(meta.get("outlet", "")), text=text,
            start=int(meta.get("start", 0)), end=int(meta.get("end", 0)),
            author=str(meta.get("author") or meta.get("byline") or ""), published=str(meta.get("published") or ""),
            **scores,
        )


class KeywordIndex:
    """BM25 over stemmed content terms, plus document frequencies for term weighting."""

    def __init__(self, bm25, ids: list[str], df: dict[str, int]):
        self.bm25, self.ids, self.df = bm25, ids, df

    @property
    def size(self) -> int:
        return len(self.ids)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency; unseen terms get the maximum."""
        return math.log(1 + (self.size + 1) / (self.df.get(term, 0) + 0.5))

    @classmethod
    def build(cls, rows: list[tuple[str, str, dict[str, Any]]]) -> "KeywordIndex":
        import bm25s

        tokenized = [terms(f"{meta.get('title', '')}\n{text}" if meta.get("chunk_index") == 0 else text) or ["\u2205"]
                     for _, text, meta in rows]
        bm25 = bm25s.BM25()
        if rows:
            bm25.index(tokenized, show_progress=False)
        df = Counter(t for toks in tokenized for t in set(toks))
        return cls(bm25, [i for i, _, _ in rows], dict(df))

    def save(self, directory: Path) -> None:
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".tmp-"))
        if self.ids:
            self.bm25.save(str(tmp / "bm25"))
        (tmp / "ids.json").write_text(json.dumps({"ids": self.ids, "df": self.df}))
        try:
            os.rename(tmp, directory)  # atomic: readers see all of it or none
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # another process saved the same version first

    @classmethod
    def load(cls, directory: Path) -> "KeywordIndex":
        import bm25s

        meta = json.loads((directory / "ids.json").read_text())
        bm25 = bm25s.BM25.load(str(directory / "bm25")) if meta["ids"] else bm25s.BM25()
        return cls(bm25, meta["ids"], meta["df"])

    def search(self, query_terms: list[str], k: int) -> list[tuple[str, float]]:
        known = [t for t in query_terms if t in self.df]
        if not known or not self.ids:
            return []
        docs, scores = self.bm25.retrieve([known], k=min(k, self.size), show_progress=False, n_threads=1)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]


class Retriever:
    """Retrieves passages for a question from one store.

    Args:
        settings: where the store and the keyword cache are.
        store: an open store (the UI and tests share one); opened read-only otherwise.
        encoder: anything with ``embed(list[str]) -> list[vector]`` in the model's space;
            defaults to the NumPy MiniLM (fast cold start).
    """

    def __init__(self, settings: Settings, store: ChunkStore | None = None, encoder=None):
        self.settings = settings
        self.store = store or ChunkStore(settings)
        self._encoder = encoder
        self._keyword: KeywordIndex | None = None
        self._keyword_version: str | None = None
        self._keyword_lock = threading.Lock()  # the UI asks from many threads

    @property
    def encoder(self):
        if self._encoder is None:
            from .embedding import model_path
            from .encoder import NumpyMiniLM

            self._encoder = NumpyMiniLM(model_path())
        return self._encoder

    def keyword_index(self) -> KeywordIndex:
        """The BM25 index for the store as it is now (loaded, or rebuilt if stale)."""
        version = f"{self.store.fresh_generation()}-{self.store.count()}"
        if self._keyword is not None and self._keyword_version == version:
            return self._keyword
        with self._keyword_lock:
            if self._keyword is not None and self._keyword_version == version:
                return self._keyword
            return self._load_keyword(version)

    def _load_keyword(self, version: str) -> KeywordIndex:
        cache = Path(self.settings.index_dir) / "keyword" / self.store.cache_key
        target = cache / version
        try:
            index = KeywordIndex.load(target)
        except (OSError, ValueError, KeyError):
            index = KeywordIndex.build(self.store.all_chunks())
            index.save(target)
            for old in cache.glob("*"):
                if old.name != version and not old.name.startswith(".tmp-"):
                    shutil.rmtree(old, ignore_errors=True)
        self._keyword, self._keyword_version = index, version
        return index

    def retrieve(self, question: str, k: int | None = None, mode: Mode = "hybrid",
                 where: dict[str, Any] | None = None, max_per_doc: int = 3,
                 vector: Sequence[float] | None = None, keyword: KeywordIndex | None = None) -> list[Passage]:
        """The ``k`` best passages, fused, with near-duplicates and over-represented documents thinned.

        Args:
            question: the (standalone) question.
            k: how many passages (default ``settings.top_k``).
            mode: "hybrid" (default), "dense" or "bm25".
            where: Chroma metadata filter, e.g. ``{"doc_id": "003.txt"}`` or ``{"outlet": "Reuters"}``.
            max_per_doc: at most this many passages from one document.
            vector: the question's embedding, if the caller already has it.
            keyword: the keyword index, if the caller already has it (current).
        """
        k = k or self.settings.top_k
        depth = max(20, 4 * k)
        ranked: dict[str, list[Passage]] = {}
        if mode in ("hybrid", "dense"):
            vector = vector if vector is not None else self.encoder.embed([question])[0]
            ranked["dense"] = [
                Passage.from_row(i, text, meta, dense_score=sim)
                for i, text, meta, sim in self.store.query(vector, depth, where)
            ]
        if mode in ("hybrid", "bm25"):
            hits = (keyword or self.keyword_index()).search(terms(question), depth * (3 if where else 1))
            rows = {i: (text, meta) for i, text, meta in self.store.get(i for i, _ in hits)}
            ranked["bm25"] = [
                Passage.from_row(i, *rows[i], keyword_score=score)
                for i, score in hits
                if i in rows and _matches(rows[i][1], where)
            ][:depth]
        weights = [self.settings.keyword_weight if name == "bm25" else 1.0 for name in ranked]
        passages = _thin(_fuse(list(ranked.values()), weights), k, max_per_doc)
        return self._widen(passages) if self.settings.context_window else passages

    def rest_of_document(self, passages: list[Passage], chunk_id: str = "") -> list[Passage]:
        """The parts of the document of ``chunk_id`` (by default, of the first passage) that no passage
        holds, in document order (chunks that overlap merged into one passage).

        A follow-up asks about the article the conversation is on ("Where did he get his master's
        degree?"), and its answer may be in a paragraph no search for the question's words reaches.
        """
        chunk_id = chunk_id or (passages[0].chunk_id if passages else "")
        known = self.store.get([chunk_id]) if chunk_id else []
        if not known:
            return []  # no passages, or the chunk is gone (its document removed or re-ingested)
        top = Passage.from_row(*known[0])
        count = int(known[0][2].get("n_chunks", 0))
        rows = sorted(self.store.get(_sibling_id(chunk_id, i) for i in range(count)), key=lambda row: int(row[2]["start"]))
        held = [(p.start, p.end) for p in passages if p.doc_id == top.doc_id and p.path == top.path]
        rest: list[Passage] = []
        for row in rows:
            passage = Passage.from_row(*row)
            if any(start <= passage.start and passage.end <= end for start, end in held):
                continue
            if rest and passage.start <= rest[-1].end:  # overlaps the part before: one passage
                last = rest[-1]
                rest[-1] = replace(last, text=_joined(last, passage), end=max(last.end, passage.end))
            else:
                rest.append(passage)
        return rest

    @staticmethod
    def _with_lead_in(passages: list[Passage], rows: dict, previous_id) -> list[Passage]:
        """A passage that opens by referring back ("Its electoral roll fell…", "He said…") gets the
        sentence before it from the previous chunk ("…Preston City Council reported…")."""
        out = []
        for passage in passages:
            before = rows.get(previous_id(passage.chunk_id)) if REFERS_BACK.match(passage.text.lstrip()) else None
            if before is None or before[1].get("doc_id") != passage.doc_id:
                out.append(passage)
                continue
            text, meta = before
            head = text[: max(0, passage.start - int(meta["start"]))]  # the previous chunk up to this one
            sentences = split_sentences(head)
            if not sentences or int(meta["start"]) > passage.start:
                out.append(passage)
                continue
            start = int(meta["start"]) + sentences[-1][0]
            out.append(replace(passage, text=head[sentences[-1][0]:] + passage.text, start=start))
        return out

    @staticmethod
    def _with_followers(passages: list[Passage], rows: dict, next_id) -> list[Passage]:
        """Each passage, extended by its following chunk where they overlap, else followed by it."""
        out: list[Passage] = []
        for passage in passages:
            following = rows.get(next_id(passage.chunk_id))
            if not following:
                out.append(passage)
                continue
            text, meta = following
            if int(meta["start"]) <= passage.end:
                out.append(replace(passage, text=passage.text + text[passage.end - int(meta["start"]):], end=int(meta["end"])))
            else:  # a gap of white space between them: keep both, exact to the character
                out += [passage, replace(passage, chunk_id=next_id(passage.chunk_id), text=text,
                                         start=int(meta["start"]), end=int(meta["end"]))]
        return out

    def _widen(self, passages: list[Passage]) -> list[Passage]:
        """Give each passage the chunk that follows it, and merge passages that then overlap.

        Small chunks find the right spot; the reader needs the next sentences too ("Starmer
        spoke with Trump." ... "Starmer told Trump that ..."), which often fall in the next chunk.
        """
        next_id, previous_id = partial(_neighbour_id, step=1), partial(_neighbour_id, step=-1)
        wanted = [next_id(p.chunk_id) for p in passages] + [
            previous_id(p.chunk_id) for p in passages if REFERS_BACK.match(p.text.lstrip())]
        rows = {i: (text, meta) for i, text, meta in self.store.get(i for i in wanted if i)}
        widened: list[Passage] = []
        for passage in self._with_followers(self._with_lead_in(passages, rows, previous_id), rows, next_id):
            for i, kept in enumerate(widened):  # merge with an overlapping passage of the same document
                if kept.doc_id == passage.doc_id and kept.path == passage.path and passage.start <= kept.end and kept.start <= passage.end:
                    first, second = sorted((kept, passage), key=lambda p: p.start)
                    widened[i] = replace(kept, text=_joined(first, second), start=first.start, end=max(first.end, second.end))
                    break
            else:
                widened.append(passage)
        return widened


def _joined(first: Passage, second: Passage) -> str:
    """The text of two overlapping (or touching) passages of one document, ``first`` starting first."""
    return first.text + second.text[first.end - second.start:] if second.end > first.end else first.text


def _neighbour_id(chunk_id: str, step: int) -> str:
    """The id of the chunk ``step`` places after (before, when negative) ``chunk_id`` in its
    document ("doc-0003" -> "doc-0004"); "" when there is none (before the first chunk)."""
    index = chunk_id.rpartition("-")[2]
    return _sibling_id(chunk_id, int(index) + step) if index.isdigit() and int(index) + step >= 0 else ""


def _sibling_id(chunk_id: str, index: int) -> str:
    """The id of chunk ``index`` of the document (version) ``chunk_id`` is a chunk of ("doc-0003", 5 -> "doc-0005")."""
    return f"{chunk_id.rpartition('-')[0]}-{index:04d}"


def _matches(meta: dict[str, Any], where: dict[str, Any] | None) -> bool:
    """Enough of Chroma's filter language for keyword hits: equality, $eq and $in on fields, $and of them."""
    for field, cond in (where or {}).items():
        if field == "$and":
            if not all(_matches(meta, part) for part in cond):
                return False
            continue
        if isinstance(cond, dict) and "$in" in cond:
            if meta.get(field) not in cond["$in"]:
                return False
        elif isinstance(cond, dict) and "$eq" in cond:
            if meta.get(field) != cond["$eq"]:
                return False
        elif meta.get(field) != cond:
            return False
    return True


def _fuse(rankings: list[list[Passage]], weights: Sequence[float] | None = None) -> list[Passage]:
    """Weighted reciprocal-rank fusion; a passage keeps the scores each ranking gave it."""
    fused: dict[str, Passage] = {}
    totals: Counter[str] = Counter()
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, passage in enumerate(ranking):
            totals[passage.chunk_id] += weight / (RRF_K + rank + 1)
            known = fused.get(passage.chunk_id)
            fused[passage.chunk_id] = passage if known is None else replace(
                known,
                dense_score=known.dense_score if known.dense_score is not None else passage.dense_score,
                keyword_score=known.keyword_score if known.keyword_score is not None else passage.keyword_score,
            )
    return [replace(fused[i], score=s) for i, s in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    tokens = words(normalize(text))
    return {tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))}


def _thin(passages: list[Passage], k: int, max_per_doc: int, max_overlap: float = 0.6) -> list[Passage]:
    """Drop near-duplicates of better passages (wire copy reprinted by several outlets)
    and cap passages per document, so that other sources get a place."""
    kept: list[Passage] = []
    kept_shingles: list[set] = []
    per_doc: Counter[str] = Counter()
    for passage in passages:
        if per_doc[passage.doc_id] >= max_per_doc:
            continue
        shingles = _shingles(passage.text)
        if any(len(shingles & other) / max(1, min(len(shingles), len(other))) > max_overlap for other in kept_shingles):
            continue
        kept.append(passage)
        kept_shingles.append(shingles)
        per_doc[passage.doc_id] += 1
        if len(kept) == k:
            break
    return kept
