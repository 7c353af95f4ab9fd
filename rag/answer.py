"""The typed result every backend returns, and the interface every backend implements.

An :class:`Answer` is immutable: backends build it through
:func:`rag.citations.finalize` (or :func:`rag.citations.abstention`), and the
pipeline adds what only it knows (timings, the standalone question, what was
retrieved) with :meth:`Answer.completed`. The CLI's JSON, the UI and the eval
all read the same object through :meth:`Answer.to_dict`.

Streamed, an answer is a sequence of typed pieces (:data:`Piece`): :class:`Draft` pieces
with the text a model writes as it writes it (unverified), then one :class:`Final` with the
verified :class:`Answer`, which replaces the draft. A backend with no model yields only the
:class:`Final`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Protocol, Sequence, Union

from .question import Turn

if TYPE_CHECKING:
    from .question import QuestionProfile
    from .retrieval import Passage

ABSTAIN_TEXT = "The articles don't say."
CITATION = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Source:
    """A numbered passage that the answer cites; ``highlights`` are cited spans within ``text``."""

    n: int
    doc_id: str
    path: str
    title: str
    outlet: str
    text: str
    chunk_id: str
    start: int
    end: int
    highlights: tuple[tuple[int, int], ...] = ()
    author: str = ""  # "" when unknown
    published: str = ""  # YYYY-MM-DD, "" when unknown


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]
    support: float = 0.0  # best support score among the cited sources
    supported: bool = False


@dataclass(frozen=True)
class Conflict:
    """Sources that disagree about one thing; each claim cites its sources by number.

    ``kind`` is the quantity kind ("duration", "percent", "money:$") or "wording"
    when sources describe the same claim in incompatible words.
    """

    kind: str
    claims: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    sentences: tuple[AnswerSentence, ...]
    sources: tuple[Source, ...]
    abstained: bool
    backend: str
    standalone_question: str = ""
    conflicts: tuple[Conflict, ...] = ()
    flags: tuple[str, ...] = ()  # e.g. "removed_unsupported", "conflict", "injection_suspected"
    timings_ms: dict[str, float] = field(default_factory=dict)
    retrieved: tuple[tuple[str, str], ...] = ()  # (chunk_id, doc_id), best first
    removed: tuple[str, ...] = ()  # sentences a model wrote that verification dropped (not supported by the sources)
    unanswered: tuple[str, ...] = ()  # parts of the question the articles leave open, in the asker's words

    @property
    def open_note(self) -> str:
        """The closing sentence that names the parts left open ("" when none is)."""
        return "The articles don't answer " + " ".join(f"“{q}”" for q in self.unanswered) if self.unanswered else ""

    @property
    def reader_note(self) -> str:
        """Why a generative backend's answer is the extractive reader's quote ("" when it is not)."""
        if "reader_conflict" in self.flags:
            return "Quoted by the extractive reader, which found that the sources disagree."
        if "reader_answered" in self.flags:
            return "Quoted by the extractive reader: the model found no answer in the passages."
        return ""

    def completed(self, *, question: str, standalone: str, timings_ms: dict[str, float],
                  retrieved: Sequence[tuple[str, str]], flags: Sequence[str] = ()) -> "Answer":
        """This answer with what the pipeline knows about the run that produced it (its timings
        join the backend's own, e.g. a model's time to first token)."""
        return replace(self, question=question, standalone_question=standalone, timings_ms={**self.timings_ms, **timings_ms},
                       retrieved=tuple(retrieved), flags=tuple(dict.fromkeys([*self.flags, *flags])))

    def turn(self) -> Turn:
        """This exchange as a turn of the conversation a follow-up leans on: the question, the answer
        given (none when abstained) and the passages it quoted."""
        if self.abstained:
            return Turn(self.question)
        return Turn(self.question, self.text, tuple((s.chunk_id, s.doc_id) for s in self.sources))

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON contract (see README)."""
        return {
            "question": self.question,
            "standalone_question": self.standalone_question or self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "sources": [
                {"n": s.n, "doc_id": s.doc_id, "path": s.path, "title": s.title, "outlet": s.outlet,
                 "author": s.author or None, "published": s.published or None,  # None: unknown
                 "text": s.text, "chunk_id": s.chunk_id, "start": s.start, "end": s.end,
                 "highlights": [list(h) for h in s.highlights]}
                for s in self.sources
            ],
            "sentences": [asdict(s) | {"citations": list(s.citations)} for s in self.sentences],
            "conflicts": [{"kind": c.kind, "claims": list(c.claims)} for c in self.conflicts],
            "flags": list(self.flags),
            "backend": self.backend,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "retrieved": [list(r) for r in self.retrieved],
            "removed": list(self.removed),
            "unanswered": list(self.unanswered),
        }


@dataclass(frozen=True)
class Draft:
    """Text a model has just written (a delta: join them for the draft so far). Unverified: it is
    shown as a draft and replaced by the :class:`Final` answer."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": "draft", "text": self.text}


@dataclass(frozen=True)
class Final:
    """The verified answer: its sentences with their citations, sources, conflicts and flags, and
    the model's sentences that verification removed (``answer.removed``). Always the last piece."""

    answer: Answer

    def to_dict(self) -> dict[str, Any]:
        return {"type": "final", "answer": self.answer.to_dict()}


Piece = Union[Draft, Final]


def final_answer(pieces: Iterable[Piece]) -> Answer:
    """The answer of a stream of pieces (its drafts consumed and dropped)."""
    for piece in pieces:
        if isinstance(piece, Final):
            return piece.answer
    raise RuntimeError("the answer stream ended without a final answer")


class Answerer(Protocol):
    """What every backend implements (see :mod:`rag.backends` for the registry)."""

    name: str

    def answer(self, profile: "QuestionProfile", passages: Sequence["Passage"]) -> Answer:
        """Answer the analysed question from ``passages`` (best first), with verified citations."""
        ...

    def condense(self, question: str, history: Sequence[Any]) -> str | None:
        """A standalone form of a follow-up, or None to keep the rule-based resolution."""
        ...


class StreamingAnswerer(Answerer, Protocol):
    """A backend that can show its answer as it is written (the generative ones)."""

    def stream(self, profile: "QuestionProfile", passages: Sequence["Passage"]) -> Iterator[Piece]:
        """:class:`Draft` pieces as the model writes, then the :class:`Final` verified answer."""
        ...


def answer_pieces(answerer: Answerer, profile: "QuestionProfile", passages: Sequence["Passage"]) -> Iterator[Piece]:
    """The answerer's pieces: its own stream when it has one, else just its :class:`Final` answer."""
    stream = getattr(answerer, "stream", None)
    if stream is None:
        yield Final(answerer.answer(profile, passages))
    else:
        yield from stream(profile, passages)
