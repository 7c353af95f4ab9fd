"""Answers with verified inline citations: the typed result, the extractive answerer,
citation verification, abstention and conflict reporting.

Every backend ends in :func:`finalize`, which numbers the sources, checks each
sentence's citations against the passage they name and abstains when nothing
supported is left, so the CLI, the UI and the eval all read one kind of object.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Sequence

from .quantities import Quantity, asked_kind, extract
from .retrieval import KeywordIndex, Passage
from .text import looks_like_injection, normalize, numbers, proper_names, question_terms, split_sentences, terms, words

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


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...]
    support: float = 0.0  # best support score among the cited sources
    supported: bool = False


@dataclass(frozen=True)
class Conflict:
    """Sources that disagree on one quantity; each claim cites its sources by number."""

    kind: str
    claims: tuple[dict[str, Any], ...]


@dataclass
class Answer:
    question: str
    text: str
    sentences: list[AnswerSentence]
    sources: list[Source]
    abstained: bool
    backend: str
    standalone_question: str = ""
    conflicts: list[Conflict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # e.g. "removed_unsupported", "conflict", "injection_suspected"
    timings_ms: dict[str, float] = field(default_factory=dict)
    retrieved: list[tuple[str, str]] = field(default_factory=list)  # (chunk_id, doc_id), best first

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON contract (see README)."""
        return {
            "question": self.question,
            "standalone_question": self.standalone_question or self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "sources": [
                {"n": s.n, "doc_id": s.doc_id, "path": s.path, "title": s.title, "outlet": s.outlet,
                 "text": s.text, "chunk_id": s.chunk_id, "start": s.start, "end": s.end,
                 "highlights": [list(h) for h in s.highlights]}
                for s in self.sources
            ],
            "sentences": [asdict(s) | {"citations": list(s.citations)} for s in self.sentences],
            "conflicts": [{"kind": c.kind, "claims": list(c.claims)} for c in self.conflicts],
            "flags": self.flags,
            "backend": self.backend,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "retrieved": [list(r) for r in self.retrieved],
        }


# --- support checking ------------------------------------------------------------

def support_score(claim: str, passage: str) -> float:
    """How well ``passage`` backs ``claim``, in [0, 1].

    1.0 when the claim is quoted from the passage (after folding quotes and
    spacing); otherwise the share of the claim's content terms found in the
    passage, and 0 when the claim states a number the passage does not contain
    (the commonest way a generated sentence goes wrong).
    """
    claim = CITATION.sub("", claim).strip()
    if not claim:
        return 0.0
    if normalize(claim).rstrip(".") in normalize(passage):
        return 1.0
    if not numbers(claim) <= numbers(passage):
        return 0.0
    claim_terms = set(terms(claim))
    if not claim_terms:
        return 0.0
    return len(claim_terms & set(terms(passage))) / len(claim_terms)


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


def finalize(
    question: str,
    sentences: Sequence[AnswerSentence],
    passages: Sequence[Passage],
    backend: str,
    threshold: float,
    preamble: str = "",
    conflicts: Sequence[Conflict] = (),
    flags: Sequence[str] = (),
) -> Answer:
    """Verify, drop unsupported sentences, renumber the cited passages 1..n and compose the text.

    ``sentences`` cite passages by their 1-based position in ``passages``.
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
    final_sentences = [
        AnswerSentence(s.text, tuple(renumber[n] for n in s.citations), s.support, True) for s in kept
    ]
    sources = []
    for old in order:
        passage = passages[old - 1]
        spans = []
        for s in final_sentences:
            if renumber[old] in s.citations:
                at = passage.text.find(s.text)
                if at >= 0:
                    spans.append((at, at + len(s.text)))
        sources.append(_source(renumber[old], passage, tuple(spans)))
    renumbered_conflicts = [
        Conflict(c.kind, tuple({**claim, "sources": [renumber[n] for n in claim["sources"] if n in renumber]} for claim in c.claims))
        for c in conflicts
    ]
    body = " ".join(f"{s.text} {''.join(f'[{n}]' for n in s.citations)}" for s in final_sentences)
    return Answer(question, f"{preamble}{body}", final_sentences, sources, False, backend,
                  conflicts=renumbered_conflicts, flags=flags)


def abstention(question: str, backend: str, flags: Sequence[str] = (), text: str = ABSTAIN_TEXT) -> Answer:
    return Answer(question, text, [], [], True, backend, flags=[*flags, "abstained"])


def _source(n: int, p: Passage, highlights: tuple[tuple[int, int], ...] = ()) -> Source:
    return Source(n, p.doc_id, p.path, p.title, p.outlet, p.text, p.chunk_id, p.start, p.end, highlights)


# --- the extractive answerer -----------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    passage: int  # 1-based position in the passage list
    doc_id: str
    text: str
    score: float
    coverage: float
    quantities: tuple[Quantity, ...]
    index: int = 0  # position of the sentence within its passage
    context: float = 1.0  # share of the conversation's terms in the sentence's passage (follow-ups)
    typed: bool = False  # states the kind of thing the question asks for (a date, a number, a duration)
    relevance: float | None = None  # embedding cosine to the question, where computed


@dataclass(frozen=True)
class ExtractiveConfig:
    """Weights of the sentence scorer and the abstention rule, calibrated on eval/ (see README)."""

    min_coverage: float = 0.34  # abstain when the best sentence covers less of the question's weight...
    min_dense: float = 0.35  # ...and the best passage is less similar than this
    max_sentences: int = 3
    keep_ratio: float = 0.75  # a further sentence must score at least this share of the best one
    followup_weight: float = 0.15  # weight of the previous questions' terms in a follow-up


_ANSWER_TYPES = {
    "when": re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|(jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+\d{1,2}|\d{4}|yesterday|today|tonight|last (week|month|year|night)|(a|one|two|three) (week|month|year)s? ago|\d{1,2}(:\d\d)?\s*(a\.m|p\.m|am|pm)\b)", re.I),
    "howmany": re.compile(r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion)s?\b", re.I),
    "who": re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+\b"),
    "where": re.compile(r"\b(in|at|near|from)\s+(the\s+)?[A-Z][a-z]+", re.M),
    "quote": re.compile(r"[“\"]|\b(said|says|told|warned|described|called)\b.{0,40}\bthat\b|\bthat\b", re.I),
}


TYPED_ANSWERS = ("quantity", "when", "howmany")  # answer types that a sentence visibly has or lacks


def _answer_type(question: str) -> str | None:
    q = question.lower()
    if asked_kind(question):
        return "quantity"
    if re.search(r"\bwhen\b|\bwhat (day|date|year|month|time)\b", q):
        return "when"
    if re.search(r"\bhow many\b|\bhow much\b|\bwhat (number|percentage)\b", q):
        return "howmany"
    if re.search(r"\bwho\b|\bwhose\b|\bwhich (person|official|leader|minister|company|player|team|country)\b", q):
        return "who"
    if re.search(r"\bwhere\b|\bwhich (city|country|region|place)\b", q):
        return "where"
    if re.search(r"\b(say|said|tell|told|warn|warning|describe|describes|described|call|characteri[sz]e|react|respond|promise)\b", q):
        return "quote"
    return None


def _weights(question_terms: list[str], keyword: KeywordIndex | None) -> dict[str, float]:
    return {t: (keyword.idf(t) if keyword else 1.0) for t in dict.fromkeys(question_terms)}


def candidates(question: str, passages: Sequence[Passage], keyword: KeywordIndex | None,
               history_terms: Sequence[str] = (), cfg: ExtractiveConfig = ExtractiveConfig()) -> list[Candidate]:
    """Every sentence of the passages, scored as an answer to ``question`` (best first)."""
    earlier = _weights(list(history_terms), keyword)
    # "How long was it?": when every word refers back, the conversation is the topic.
    weights = _weights(question_terms(question), keyword) or earlier
    total = sum(weights.values()) or 1.0
    # The conversation says what a follow-up is about; the follow-up says what is asked.
    context = {t: w for t, w in earlier.items() if t not in weights}
    context_total = sum(context.values()) or 1.0
    answer_type = _answer_type(question)
    kind = asked_kind(question)
    question_words = set(words(question))
    scored = []
    for pos, passage in enumerate(passages, start=1):
        passage_terms = set(terms(passage.text))
        in_context = sum(w for t, w in context.items() if t in passage_terms) / context_total if context else 1.0
        for index, (start, end) in enumerate(split_sentences(passage.text)):
            text = passage.text[start:end]
            if looks_like_injection(text):
                continue  # instructions planted in an article are not facts to quote
            sentence_terms = set(terms(text))
            coverage = sum(w for t, w in weights.items() if t in sentence_terms) / total
            n_words = len(text.split())
            score = coverage + 0.25 * (passage.dense_score or 0.0) + 0.04 / pos
            if context:
                score += cfg.followup_weight * sum(w for t, w in context.items() if t in sentence_terms) / context_total
                score *= 0.4 + 0.6 * min(1.0, in_context / 0.5)  # a follow-up is about the conversation's subject
            quantities = tuple(extract(text))
            typed = False
            if kind and _fitting(question, Candidate(pos, passage.doc_id, text, 0, 0, quantities, context=in_context), history_terms):
                score += 0.25
                typed = True
            elif answer_type in _ANSWER_TYPES:
                if _ANSWER_TYPES[answer_type].search(_novel(text, question_words)):
                    score += 0.1
                    typed = True
                elif answer_type in TYPED_ANSWERS:
                    score *= 0.75  # a "when" / "how many" answer must state a date / a number
            elif kind:
                score *= 0.75
            if n_words < 6 or not re.search(r"[.!?\"”]$", text):
                score *= 0.6  # headlines and section titles rarely state the answer
            elif n_words > 60:
                score *= 0.85
            scored.append(Candidate(pos, passage.doc_id, text, score, coverage, quantities, index, in_context, typed))
    scored.sort(key=lambda c: -c.score)
    return scored


def _continuation(best: Candidate, ranked: list[Candidate]) -> Candidate | None:
    """The sentence right after ``best`` when it carries the statement on ("Starmer spoke with
    Trump." -> "Starmer told Trump that ..."): it starts by referring back, or shares the topic."""
    following = [c for c in ranked if c.passage == best.passage and c.index == best.index + 1]
    if not following:
        return None
    nxt = following[0]
    refers_back = re.match(r"(He|She|They|It|This|That|These|Those|His|Her|Their|But|However|Such|The\s+\w+\s+(official|leader|source|spokesman|minister))\b", nxt.text)
    if (refers_back or nxt.coverage >= 0.3) and len(nxt.text.split()) >= 6:
        return nxt
    return None


# Capitals and seats that news writing uses for a government ("Washington cut aid").
CAPITAL_METONYMS = frozenset(
    "washington moscow kremlin kyiv kiev beijing london brussels paris berlin tehran tokyo delhi ankara jerusalem whitehall downing pentagon".split()
)


def unmentioned_names(question: str, passages: Sequence[Passage]) -> list[str]:
    """Names in the question that no retrieved passage mentions, even spelled a little
    differently ("Zelensky"/"Zelenskyy"): a sign that the articles are not about them."""
    return names_missing_from(proper_names(question), passages)


def names_missing_from(names: Sequence[str], passages: Sequence[Passage]) -> list[str]:
    """The ``names`` that none of ``passages`` mentions (see :func:`unmentioned_names`)."""
    from difflib import SequenceMatcher

    seen = {t for p in passages for t in terms(p.text)}
    missing = []
    for name in names:
        if name.isupper() and len(name) <= 3 or name.lower() in CAPITAL_METONYMS:
            continue  # "US", "EU"; "Washington" for the U.S. government: articles often use other words
        (term,) = terms(name) or [name.lower()]
        if term in seen:
            continue
        if not any(t[:3] == term[:3] and SequenceMatcher(None, t, term).ratio() >= 0.85 for t in seen):
            missing.append(name)
    return missing


def _novel(text: str, question_words: set[str]) -> str:
    """The sentence minus words already in the question (the answer is what is new)."""
    return " ".join(w for w in text.split() if w.lower().strip(".,;:“”\"'") not in question_words)


def _describes_other_thing(q: Quantity, question_words: set[str]) -> bool:
    """'30-day cease-fire' answers 'how long did the call last?' only if the question is about cease-fires."""
    return q.head is not None and q.head not in question_words


def extractive_answer(question: str, passages: Sequence[Passage], keyword: KeywordIndex | None,
                      threshold: float, history_terms: Sequence[str] = (),
                      cfg: ExtractiveConfig = ExtractiveConfig(),
                      relevance: Callable[[list[str]], list[float]] | None = None) -> Answer:
    """Quote the sentences that answer ``question``, each with its citation, or abstain.

    Args:
        relevance: scores sentences against the question (embedding cosine). It is
            costly (a model pass per sentence), so only sentences stating a
            quantity of the asked kind go through it.
    """
    if not passages:
        return abstention(question, "extractive", ["no_passages"])
    ranked = candidates(question, passages, keyword, history_terms, cfg)
    best = ranked[0] if ranked else None
    best_dense = max((p.dense_score or 0.0) for p in passages)
    if best is None or (best.coverage < cfg.min_coverage and best_dense < cfg.min_dense) or best.coverage == 0:
        return abstention(question, "extractive", ["low_evidence"])

    unknown = unmentioned_names(question, passages)
    if unknown:
        return abstention(question, "extractive", ["unknown_name"],
                          f"The articles don't say: they don't mention {' '.join(unknown)}.")
    ranked = _rerank_quantities(question, ranked, best, relevance)
    best = ranked[0]
    if _answer_type(question) in TYPED_ANSWERS:
        # "When…", "How many…", "How long…": only a sentence stating a date / number / duration answers it.
        typed = [c for c in ranked if c.typed and c.score >= 0.35 * best.score]
        if not typed:
            return abstention(question, "extractive", ["no_typed_answer"])
        best = typed[0]
        ranked = [best] + [c for c in ranked if c is not best]
    conflict = _conflict(question, ranked, best, history_terms)
    if conflict:
        sentences, found = conflict
        return finalize(question, sentences, passages, "extractive", threshold,
                        preamble="The sources differ. ", conflicts=[found], flags=["conflict"])

    chosen = [best]
    follower = _continuation(best, ranked)
    if follower:
        chosen.append(follower)
    covered = {t for c in chosen for t in terms(c.text)}
    wanted = set(question_terms(question))
    for cand in ranked[1:]:
        if len(chosen) >= cfg.max_sentences or cand.score < cfg.keep_ratio * best.score:
            break
        new_terms = set(terms(cand.text)) - covered
        if normalize(cand.text) in {normalize(c.text) for c in chosen} or not (new_terms & wanted or cand.doc_id != best.doc_id):
            continue
        if best.typed and not cand.typed:
            continue  # a date / number question: more sentences only if they state one too
        chosen.append(cand)
        covered |= new_terms
    sentences = [AnswerSentence(c.text, (c.passage,)) for c in chosen]
    return finalize(question, sentences, passages, "extractive", threshold)


def _fitting(question: str, cand: Candidate, context: Sequence[str] = ()) -> list[Quantity]:
    """The sentence's quantities that answer the question's "how long / how much": of the asked
    kind, and said of something the question (or the conversation) names, e.g. "the call
    lasted roughly 90 minutes", "after more than eight hours of talks"."""
    kind = asked_kind(question)
    if not kind or (context and cand.context < 0.3):
        return []  # in a follow-up, only passages about what the conversation is about
    question_words = set(words(question))
    # What the quantity must be said of: the question's common words ("call", "last"), not its
    # names ("Trump", "Putin"), which every sentence of a story repeats.
    names = {w.lower() for w in proper_names(question)} | {w.lower() for w in re.findall(r"[A-Z][\w'’]*", question)}
    focus = set(terms(" ".join(w for w in words(question) if w not in names))) or set(terms(question))
    focus |= set(context)
    fitting = []
    for q in cand.quantities:
        if not q.kind.startswith(kind) or _describes_other_thing(q, question_words):
            continue
        before = " ".join(cand.text[: q.start].split()[-8:])
        after = " ".join(cand.text[q.start + len(q.surface):].split()[:4])
        if focus & set(terms(f"{before} {after}")) or q.head in question_words or (cand.relevance or 0) >= 0.6:
            fitting.append(q)
    return fitting


def _rerank_quantities(question: str, ranked: list[Candidate], best: Candidate,
                       relevance: Callable[[list[str]], list[float]] | None, limit: int = 8) -> list[Candidate]:
    """For "how long / how much" questions, score the sentences that state such a quantity by
    meaning, not words ("the two leaders spoke for more than two hours" answers "how long did
    the call last?" without sharing a word with it)."""
    if relevance is None or not asked_kind(question):
        return ranked
    pool = [c for c in ranked if any(q.kind.startswith(asked_kind(question)) for q in c.quantities)][:limit]
    if not pool:
        return ranked
    sims = dict(zip((c.text for c in pool), relevance([c.text for c in pool])))
    rescored = []
    for cand in ranked:
        if cand.text in sims:
            sim = sims[cand.text]
            cand = replace(cand, score=cand.score + 0.3 * sim, relevance=sim)
        rescored.append(cand)
    rescored.sort(key=lambda c: -c.score)
    return rescored


def _conflict(question: str, ranked: list[Candidate], best: Candidate,
              context: Sequence[str] = ()) -> tuple[list[AnswerSentence], Conflict] | None:
    """Relevant sentences from different documents that state incompatible quantities of the asked kind."""
    kind = asked_kind(question)
    if not kind:
        return None
    claims: list[tuple[Candidate, Quantity]] = []
    seen_docs: set[str] = set()
    for cand in ranked:
        if cand.score < 0.5 * best.score or cand.doc_id in seen_docs:
            continue
        fitting = _fitting(question, cand, context)
        if fitting:
            claims.append((cand, fitting[0]))
            seen_docs.add(cand.doc_id)
    if len(claims) < 2 or all(a.compatible(b) for i, (_, a) in enumerate(claims) for _, b in claims[i + 1:]):
        return None
    # Group sources that agree, largest group first; one quoted sentence per document.
    groups: list[list[tuple[Candidate, Quantity]]] = []
    for claim in claims:
        for group in groups:
            if all(claim[1].compatible(other) for _, other in group) and claim[1].bound == group[0][1].bound:
                group.append(claim)
                break
        else:
            groups.append([claim])
    groups.sort(key=lambda g: -len(g))
    sentences = [AnswerSentence(c.text, (c.passage,)) for group in groups for c, _ in group]
    found = Conflict(kind, tuple(
        {"value": group[0][1].surface, "sources": [c.passage for c, _ in group]} for group in groups
    ))
    return sentences, found
