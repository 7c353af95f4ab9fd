"""One place that wires settings -> store -> retriever -> answerer, used by CLI, UI and eval."""

from __future__ import annotations

import re
import time
from typing import Any, Sequence

from .answer import Answer, ExtractiveConfig, extractive_answer
from .config import Settings
from .errors import IndexMissingError, UsageError
from .retrieval import Mode, Retriever
from .store import ChunkStore
from .text import terms

_ANAPHORA = re.compile(r"\b(it|its|they|them|their|he|him|his|she|her|that|this|those|these|there|then|the same|such)\b", re.I)


def is_followup(question: str, history: Sequence[str]) -> bool:
    """A question that leans on the conversation: it refers back, or is too short to stand alone."""
    return bool(history) and (bool(_ANAPHORA.search(question)) or len(terms(question)) <= 2)


class _SentenceRelevance:
    """Cosine similarity of sentences to the question, for the few sentences that need it."""

    def __init__(self, encoder, question_vector):
        self.encoder, self.vector = encoder, question_vector

    def __call__(self, sentences: list[str]) -> list[float]:
        if self.vector is None or not sentences:
            return [0.0] * len(sentences)
        return (self.encoder.embed_array(sentences) @ self.vector).tolist()


class Pipeline:
    """Answers questions over one index.

    Args:
        settings: the one settings object.
        store: an open store to share (UI, tests); opened read-only otherwise.
        encoder: query encoder (defaults to the NumPy MiniLM).
        llm: a generative backend (see :mod:`rag.llm`); built from settings when needed.
    """

    def __init__(self, settings: Settings, store: ChunkStore | None = None, encoder=None, llm=None,
                 extractive: ExtractiveConfig | None = None):
        self.settings = settings
        self.retriever = Retriever(settings, store, encoder)
        self.extractive = extractive or ExtractiveConfig()
        self._llm = llm

    @property
    def store(self) -> ChunkStore:
        return self.retriever.store

    @property
    def llm(self):
        if self._llm is None:
            from .llm import make_llm

            self._llm = make_llm(self.settings)
        return self._llm

    def condense(self, question: str, history: Sequence[str]) -> tuple[str, list[str]]:
        """(standalone question, extra terms from the conversation) for retrieval and scoring."""
        if not is_followup(question, history):
            return question, []
        if self.settings.backend != "extractive":
            return self.llm.condense(question, list(history)), []
        previous = history[-1]
        return f"{question} ({previous})", terms(previous)

    def _name_passages(self, question: str, passages: list, where: dict[str, Any] | None, keyword) -> list:
        """Passages for names the question asks about that the first retrieval missed.

        A name missing from every retrieved passage either is not in the corpus (then the
        answerer abstains) or was outranked; a keyword search for the names finds the latter.
        """
        from .answer import names_missing_from, unmentioned_names

        missing = unmentioned_names(question, passages)
        if not missing:
            return []
        have = {p.chunk_id for p in passages}
        found = self.retriever.retrieve(f"{' '.join(missing)} {question}", 3, mode="bm25", where=where, keyword=keyword)
        return [p for p in found if p.chunk_id not in have and len(names_missing_from(missing, [p])) < len(missing)][:2]

    def ask(self, question: str, history: Sequence[str] = (), *, top_k: int | None = None,
            mode: Mode | None = None, where: dict[str, Any] | None = None) -> Answer:
        """Answer one question (with earlier user questions as ``history`` for follow-ups)."""
        question = (question or "").strip()
        if not question:
            raise UsageError("the question is empty")
        keyword = self.retriever.keyword_index()  # also tells whether the store is empty
        if keyword.size == 0:
            raise IndexMissingError(f"the index at {self.store.location} holds no documents: run `rag ingest PATH` first")
        mode = mode or self.settings.retrieval
        timings: dict[str, float] = {}
        started = time.perf_counter()
        standalone, history_terms = self.condense(question, history)
        timings["condense"] = (time.perf_counter() - started) * 1000
        mark = time.perf_counter()
        vector = self.retriever.encoder.embed_array([standalone])[0] if mode != "bm25" else None
        passages = self.retriever.retrieve(standalone, top_k or self.settings.top_k, mode=mode, where=where,
                                           vector=None if vector is None else vector.tolist(), keyword=keyword)
        passages += self._name_passages(question, passages, where, keyword)
        timings["retrieve"] = (time.perf_counter() - mark) * 1000
        mark = time.perf_counter()
        if self.settings.backend == "extractive":
            answer = extractive_answer(question, passages, keyword, self.settings.support_threshold,
                                       history_terms, self.extractive,
                                       relevance=_SentenceRelevance(self.retriever.encoder, vector))
        else:
            answer = self.llm.answer(standalone, passages, self.settings.support_threshold)
        timings["answer"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        answer.question = question
        answer.standalone_question = standalone
        answer.timings_ms = timings
        answer.retrieved = [(p.chunk_id, p.doc_id) for p in passages]
        return answer

