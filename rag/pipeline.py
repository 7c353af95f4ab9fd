"""One place that wires settings -> store -> retriever -> answerer, used by CLI, UI and eval."""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import replace
from typing import Any, Iterator, Sequence

from .answer import Answer, Answerer, Draft, Final, Piece, answer_pieces, final_answer
from .config import Settings
from .errors import IndexMissingError, UsageError
from .injection import looks_like_injection
from .quantities import extract
from .question import QuestionProfile, Turn, analyze, is_followup, part_profiles
from .retrieval import Mode, Retriever
from .store import ChunkStore
from .text import terms


class _SentenceRelevance:
    """Cosine similarity of sentences to the question. Sentence vectors are cached on the
    pipeline: the same passages come back question after question in a warm process."""

    def __init__(self, encoder, question_vector, cache: dict):
        self.encoder, self.vector, self.cache = encoder, question_vector, cache

    def __call__(self, sentences: list[str]) -> list[float]:
        if self.vector is None or not sentences:
            return [0.0] * len(sentences)
        import numpy as np

        new = [s for s in dict.fromkeys(sentences) if s not in self.cache]
        if new:
            if len(self.cache) > 50_000:
                self.cache.clear()
            self.cache.update(zip(new, self.encoder.embed_array(new)))
        return (np.stack([self.cache[s] for s in sentences]) @ self.vector).tolist()


class Pipeline:
    """Answers questions over one index.

    Args:
        settings: the one settings object.
        store: an open store to share (UI, tests); opened read-only otherwise.
        encoder: query encoder (defaults to the NumPy MiniLM).
        answerer: a backend (see :mod:`rag.backends`); built from settings when needed.
    """

    def __init__(self, settings: Settings, store: ChunkStore | None = None, encoder=None, answerer: Answerer | None = None):
        self.settings = settings
        self.retriever = Retriever(settings, store, encoder)
        self._answerer = answerer
        # Question vectors by text, for sentence relevance: keyed, not "the current one", because
        # UI sessions share a pipeline and ask at the same time.
        self._question_vectors: dict[str, Any] = {}
        self._sentence_vectors: dict[str, Any] = {}

    @property
    def store(self) -> ChunkStore:
        return self.retriever.store

    @property
    def answerer(self) -> Answerer:
        if self._answerer is None:
            from .backends import make_answerer

            self._answerer = make_answerer(self.settings, keyword=self.retriever.keyword_index,
                                           relevance=self._relevance)
        return self._answerer

    def _question_vector(self, question: str):
        vector = self._question_vectors.get(question)
        if vector is None:
            if len(self._question_vectors) > 1000:
                self._question_vectors.clear()
            vector = self._question_vectors[question] = self.retriever.encoder.embed_array([question])[0]
        return vector

    def _relevance(self, question: str) -> _SentenceRelevance:
        return _SentenceRelevance(self.retriever.encoder, self._question_vector(question), self._sentence_vectors)

    def analyze(self, question: str, history: Sequence[Turn | str]) -> QuestionProfile:
        """The question analysis, with the previous turn's answer when a follow-up needs it.

        History given as bare questions (the eval, API clients) has its last question answered
        again, so that "that figure" or "he" can be read against what was answered.
        """
        turns = list(history)
        if not is_followup(question, turns):
            return analyze(question)
        # A backend that condenses follow-ups itself (a model) needs only the questions: ask it first,
        # so the previous question is not answered again for nothing. The extractive one returns None.
        condensed = self.answerer.condense(question, [t.question if isinstance(t, Turn) else str(t) for t in turns])
        if condensed:
            return replace(analyze(condensed), question=question, standalone=condensed, followup=True)
        if not isinstance(turns[-1], Turn):
            previous = self.ask(str(turns[-1]), turns[:-1])
            turns[-1] = previous.turn()
        return analyze(question, turns)

    def _name_passages(self, profile: QuestionProfile, passages: list, where: dict[str, Any] | None, keyword) -> list:
        """Passages for names the question asks about that the first retrieval missed.

        A name missing from every retrieved passage either is not in the corpus (then the
        answerer abstains) or was outranked; a keyword search for the names finds the latter.
        """
        from .extractive import names_missing_from

        missing = names_missing_from(profile.names, passages)
        if not missing:
            return []
        have = {p.chunk_id for p in passages}
        found = self.retriever.retrieve(f"{' '.join(missing)} {profile.query}", 3, mode="bm25", where=where, keyword=keyword)
        return [p for p in found if p.chunk_id not in have and len(names_missing_from(missing, [p])) < len(missing)][:2]

    def _rare_word_passages(self, profile: QuestionProfile, passages: list, where: dict[str, Any] | None, keyword) -> list:
        """A passage for the question's rare words when no retrieved passage holds any of them.

        "Who was the Chelsea defender on the receiving end of James Beattie's headbutt?": the
        passages about Chelsea and Beattie that the embedding finds first never mention the
        headbutt; the one article that does, with the question's names in it, is the one asked about.
        """
        from .extractive import names_missing_from

        held = {t for p in passages for t in terms(p.text)}
        rare = [t for t in profile.focus if keyword.df.get(t) and keyword.idf(t) >= self.settings.rare_word_idf]
        if not rare or set(rare) & held:
            return []
        have = {p.chunk_id for p in passages}
        found = self.retriever.retrieve(f"{' '.join(rare)} {profile.query}", 3, mode="bm25", where=where, keyword=keyword)
        return [p for p in found if p.chunk_id not in have and set(rare) & set(terms(p.text))
                and not names_missing_from(profile.required_names, [p])][:1]

    def _other_accounts(self, profile: QuestionProfile, passages: list, k: int, mode: Mode, where: dict[str, Any] | None,
                        vector, keyword) -> list:
        """For a question asking for a figure, passages from articles the first retrieval left out that
        state a figure of the asked kind about the question's names: the article that says the call
        lasted "roughly 90 minutes" ranks below three passages of those that say two and a half hours.
        The extractive reader reads them as sides of a disagreement only, never as the answer."""
        from .extractive import names_missing_from

        kind = profile.quantity
        if not kind or not self.settings.other_accounts:
            return []
        docs = {p.doc_id for p in passages}
        found = self.retriever.retrieve(profile.query, 3 * k, mode=mode, where=where, vector=vector, keyword=keyword)
        more: list = []
        for p in found:
            if p.doc_id in docs or names_missing_from(profile.required_names, [p]):
                continue
            if any(q.kind.startswith(kind) for q in extract(p.text)):
                more.append(replace(p, side_only=True))
                docs.add(p.doc_id)
            if len(more) == self.settings.other_accounts:
                break
        return more

    def ask(self, question: str, history: Sequence[Turn | str] = (), *, top_k: int | None = None,
            mode: Mode | None = None, where: dict[str, Any] | None = None) -> Answer:
        """Answer one question; ``history`` is the conversation before it (turns, or bare questions)."""
        return final_answer(self.stream(question, history, top_k=top_k, mode=mode, where=where))

    def stream(self, question: str, history: Sequence[Turn | str] = (), *, top_k: int | None = None,
               mode: Mode | None = None, where: dict[str, Any] | None = None) -> Iterator[Piece]:
        """:meth:`ask`, streamed: a generative backend's text as :class:`Draft` pieces while the
        model writes it, then the verified answer as one :class:`Final` (the only piece of the
        extractive backend). ``timings_ms["first_token"]`` is when the first draft text came,
        counted from the question (condensing and retrieval included)."""
        question = (question or "").strip()
        if not question:
            raise UsageError("the question is empty")
        keyword = self.retriever.keyword_index()  # also tells whether the store is empty
        if keyword.size == 0:
            raise IndexMissingError(f"the index at {self.store.location} holds no documents: run `rag ingest PATH` first")
        mode = mode or self.settings.retrieval
        timings: dict[str, float] = {}
        started = time.perf_counter()
        profile = self.analyze(question, history)
        timings["condense"] = (time.perf_counter() - started) * 1000
        mark = time.perf_counter()
        vector = self._question_vector(profile.query) if mode != "bm25" else None
        passages = self.retriever.retrieve(profile.query, top_k or self.settings.top_k, mode=mode, where=where,
                                           vector=None if vector is None else vector.tolist(), keyword=keyword)
        passages += self._name_passages(profile, passages, where, keyword)
        passages += self._rare_word_passages(profile, passages, where, keyword)
        passages += self._other_accounts(profile, passages, top_k or self.settings.top_k, mode, where,
                                         None if vector is None else vector.tolist(), keyword)
        # A conversation (and most often a two-part question) is about one article: read all of it.
        # A follow-up goes on about the article the previous answer quoted, when it quoted one.
        if profile.followup or len(part_profiles(profile)) > 1:
            passages += self.retriever.rest_of_document(passages, profile.cited[0][0] if profile.cited else "")
        timings["retrieve"] = (time.perf_counter() - mark) * 1000
        mark = time.perf_counter()
        answer = None
        # closing: a consumer that stops reading (a closed browser tab) stops the model and frees it
        with closing(answer_pieces(self.answerer, profile, passages)) as pieces:
            for piece in pieces:
                if isinstance(piece, Draft):
                    timings.setdefault("first_token", (time.perf_counter() - started) * 1000)  # a model's first word
                    yield piece
                else:
                    answer = piece.answer
        if answer is None:
            raise RuntimeError(f"the {self.answerer.name} backend gave no final answer")
        timings["answer"] = (time.perf_counter() - mark) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        # Whatever the backend, an answer read from passages that address a model says so.
        suspected = ["injection_suspected"] if any(looks_like_injection(p.text) for p in passages) else []
        yield Final(answer.completed(question=question, standalone=profile.standalone, timings_ms=timings,
                                     retrieved=[(p.chunk_id, p.doc_id) for p in passages], flags=suspected))
