"""The ``checked`` backend: the extractive reader's answer, checked by a local model.

The reader decides from word overlap and embedding similarity whether a sentence answers; on new
questions it quotes a related sentence for about half of the questions the articles cannot answer
(a near miss: the same people and event, not the asked detail). Here a local GGUF model (`make
model`'s Qwen2.5-1.5B, else SmolLM2) reads the sentences the answer cites, each with the sentence
before it, and the question, and is asked one thing: does this state the answer? Its probability
of "yes" (against "no", from the logits of its first token: no text is generated) below
``settings.check_threshold`` turns the answer into "The articles don't say." ~1 s a question on
2 cores. Abstentions and side-by-side conflicts are passed on unchecked.

The model only votes: nothing it could write reaches the answer, and the sentences it reads have
instructions planted in articles cut out (:func:`rag.llm.defuse`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from .answer import Answer, Answerer
from .citations import abstention
from .config import Settings
from .llm import defuse, local_chat
from .question import QuestionProfile
from .retrieval import Passage
from .text import split_sentences

# Characters of cited sentences the model reads (~1,000 tokens): a run-on "sentence" of an article
# without full stops must not overflow the model's context.
_MAX_EVIDENCE = 4000
CHECK_SYSTEM = "You check whether a passage from a news article answers a question. Reply with one word: yes or no."


def check_messages(question: str, passage: str) -> list[dict[str, str]]:
    """The chat that asks whether ``passage`` answers ``question`` (the wording the threshold was measured with)."""
    return [{"role": "system", "content": CHECK_SYSTEM},
            {"role": "user", "content": f"Passage: {passage}\n\nQuestion: {question}\n\n"
                                        "Does the passage state the answer to this exact question? Reply yes or no."}]


def cited_sentences(answer: Answer) -> str:
    """The whole sentences an answer's citations point into, each after the sentence before it in its
    passage (a "He said…" sentence needs the one naming him). The answer's own text is cut to spans,
    which read as no answer without their sentence ("Dan Scavino." for "Who announced…?")."""
    pieces: list[str] = []
    for source in answer.sources:
        sentences = split_sentences(source.text)
        for start, _ in source.highlights:
            at = next((i for i, (a, b) in enumerate(sentences) if a <= start < b), None)
            for i in ([] if at is None else [at - 1, at] if at else [at]):
                text = source.text[slice(*sentences[i])]
                if text not in pieces:
                    pieces.append(text)
    return " ".join(pieces)


class CheckedReader:
    """An :class:`~rag.answer.Answerer`: the extractive reader, its answers voted on by a local model."""

    name = "checked"

    def __init__(self, reader: Answerer, chat, threshold: float):
        self.reader, self.chat, self.threshold = reader, chat, threshold

    def condense(self, question: str, history) -> str | None:
        return None  # follow-ups are resolved by rag.question's rules, as for the extractive reader

    def answer(self, profile: QuestionProfile, passages: Sequence[Passage]) -> Answer:
        read = self.reader.answer(profile, passages)
        if read.abstained or read.conflicts:
            return replace(read, backend=self.name)
        evidence = defuse(cited_sentences(read))[:_MAX_EVIDENCE]
        if not evidence.strip():
            return replace(read, backend=self.name)
        yes = self.chat.yes_probability(check_messages(profile.standalone, evidence))
        flags = [*read.flags, f"check={yes:.2f}"]
        if yes < self.threshold:
            return replace(abstention(read.question, self.name, [*flags, "check_declined"]), timings_ms=read.timings_ms)
        return replace(read, backend=self.name, flags=tuple(flags))


def make_checked(settings: Settings, keyword=lambda: None, relevance=None) -> CheckedReader:
    """The ``checked`` backend for ``settings``: the local model of the ``llamacpp`` backend votes."""
    from .extractive import ExtractiveReader

    return CheckedReader(ExtractiveReader(settings, keyword, relevance), local_chat(settings, n_ctx=2048), settings.check_threshold)
