"""Citation verification, shared by every backend.

A sentence is supported by the passage it cites when it is quoted from it
(after folding case, quotes and spacing), or when enough of its content terms
are in it and every number it states is too. :func:`finalize` is the one way
an answer is built: it verifies, drops what is unsupported, renumbers the
cited passages 1..n and composes the text; with nothing left it abstains.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Sequence

from .answer import ABSTAIN_TEXT, CITATION, Answer, AnswerSentence, Conflict, Source
from .retrieval import Passage
from .text import normalize, numbers, proper_names, terms


def support_score(claim: str, passage: str) -> float:
    """How well ``passage`` backs ``claim``, in [0, 1].

    1.0 when the claim is quoted from the passage, whole words only (after folding
    quotes, case and spacing); otherwise the share of the claim's content terms
    found in the passage, and 0 when the claim states a number ("6" or "six") or a
    name the passage does not contain (the commonest ways a generated sentence goes
    wrong) or has fewer than two content terms to compare.
    """
    claim = CITATION.sub("", claim).strip()
    if not claim:
        return 0.0
    quoted = normalize(claim).rstrip(".")
    if re.search(rf"(?<!\w){re.escape(quoted)}(?!\w)", normalize(passage)):
        return 1.0  # quoted whole words: "lasted 9" is not a quote of "lasted 90"
    if not numbers(claim) <= numbers(passage):
        return 0.0
    passage_terms = set(terms(passage))
    if any(not set(terms(name)) <= passage_terms for name in proper_names(claim)):
        return 0.0  # a name the passage does not mention: the claim is about someone (somewhere) else
    claim_terms = set(terms(claim))
    if len(claim_terms) < 2:
        return 0.0  # "Putin did no.": one shared name is not support for a claim that is not quoted
    return len(claim_terms & passage_terms) / len(claim_terms)


def verify(sentences: Sequence[AnswerSentence], sources: Sequence[Source], threshold: float) -> list[AnswerSentence]:
    """Score every sentence against the sources it cites; citations to unknown sources count as unsupported."""
    by_n = {s.n: s for s in sources}
    checked = []
    for sentence in sentences:
        scores = [support_score(sentence.text, by_n[n].text) for n in sentence.citations if n in by_n]
        cited_known = bool(sentence.citations) and all(n in by_n for n in sentence.citations)
        best = max(scores, default=0.0)
        checked.append(AnswerSentence(sentence.text, sentence.citations, round(best, 3), cited_known and best >= threshold))
    return checked


def attribute(sentences: Sequence[AnswerSentence], passages: Sequence[Passage], threshold: float) -> tuple[list[AnswerSentence], int]:
    """Give a sentence whose citations are missing or wrong the passage that supports it best.

    Small models often state a supported fact without a marker, or with the wrong number.
    The claim is still checked against one specific passage, so citing that passage keeps
    the answer honest; a sentence that no passage supports keeps its (failing) citations and
    is removed by :func:`finalize`.
    """
    fixed, repaired = [], 0
    for sentence in sentences:
        cited_ok = any(1 <= n <= len(passages) and support_score(sentence.text, passages[n - 1].text) >= threshold
                       for n in sentence.citations)
        if not cited_ok:
            scores = [support_score(sentence.text, p.text) for p in passages]
            best = max(range(len(passages)), key=scores.__getitem__, default=None)
            if best is not None and scores[best] >= threshold:
                sentence = AnswerSentence(sentence.text, (best + 1,))
                repaired += 1
        fixed.append(sentence)
    return fixed, repaired


def locate(claim: str, passage: str) -> tuple[int, int] | None:
    """Where a quoted claim (or span) sits in ``passage``, ignoring case and a closing full stop."""
    claim = claim.rstrip(". ")
    at = passage.find(claim)
    if at < 0:
        at = passage.lower().find(claim.lower())
    return (at, at + len(claim)) if at >= 0 and claim else None


def finalize(
    question: str,
    sentences: Sequence[AnswerSentence],
    passages: Sequence[Passage],
    backend: str,
    threshold: float,
    preamble: str = "",
    conflicts: Sequence[Conflict] = (),
    flags: Sequence[str] = (),
    unanswered: Sequence[str] = (),
) -> Answer:
    """Verify, drop unsupported sentences, renumber the cited passages 1..n and compose the text.

    ``sentences`` cite passages by their 1-based position in ``passages``; ``unanswered`` names the
    parts of the question the answer leaves open (the text closes by saying so, citing nothing).
    """
    provisional = [_source(i + 1, p) for i, p in enumerate(passages)]
    checked = verify(sentences, provisional, threshold)
    flags = list(flags)
    kept = [s for s in checked if s.supported]
    if len(kept) < len(checked):
        flags.append("removed_unsupported")
    if not kept:
        return abstention(question, backend, flags)
    order: list[int] = []
    for sentence in kept:
        order += [n for n in sentence.citations if n not in order]
    renumber = {old: new for new, old in enumerate(order, start=1)}
    final_sentences = tuple(
        AnswerSentence(s.text, tuple(renumber[n] for n in s.citations), s.support, True) for s in kept
    )
    sources = []
    for old in order:
        passage = passages[old - 1]
        spans = [span for s in final_sentences if renumber[old] in s.citations
                 for span in [locate(s.text, passage.text)] if span]
        sources.append(_source(renumber[old], passage, tuple(dict.fromkeys(spans))))
    renumbered_conflicts = tuple(
        Conflict(c.kind, tuple({**claim, "sources": [renumber[n] for n in claim["sources"] if n in renumber]} for claim in c.claims))
        for c in conflicts
    )
    body = " ".join(f"{s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in final_sentences)
    answer = Answer(question, f"{preamble}{body}", final_sentences, tuple(sources), False, backend,
                    conflicts=renumbered_conflicts, flags=tuple(flags), unanswered=tuple(unanswered))
    if unanswered:
        answer = replace(answer, text=f"{answer.text} {answer.open_note}", flags=(*answer.flags, "part_unanswered"))
    return answer


def abstention(question: str, backend: str, flags: Sequence[str] = (), text: str = ABSTAIN_TEXT) -> Answer:
    return Answer(question, text, (), (), True, backend, flags=(*flags, "abstained"))


def _source(n: int, p: Passage, highlights: tuple[tuple[int, int], ...] = ()) -> Source:
    return Source(n, p.doc_id, p.path, p.title, p.outlet, p.text, p.chunk_id, p.start, p.end, highlights,
                  author=p.author, published=p.published)
