"""Sentence-aware chunking sized in tiktoken tokens (llama-index's SentenceSplitter)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .documents import Document


@dataclass(frozen=True)
class Chunk:
    """One passage of a document, with its place in the cleaned text.

    ``document.text[start:end] == text`` always holds, so a citation can point at
    the exact characters it came from.
    """

    id: str
    doc_key: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    metadata: dict[str, Any] = field(default_factory=dict)


class Chunker:
    """Splits documents into overlapping, sentence-aligned chunks of ``chunk_size`` tokens."""

    def __init__(self, chunk_size: int, chunk_overlap: int):
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.utils import get_tokenizer

        # get_tokenizer() is tiktoken's cl100k_base, read from the copy that ships
        # inside llama-index-core (no download).
        self.splitter = SentenceSplitter(
            chunk_size=chunk_size, chunk_overlap=chunk_overlap, tokenizer=get_tokenizer()
        )

    def split(self, document: Document) -> list[tuple[str, int, int]]:
        """(text, start, end) spans of ``document.text``, in order."""
        spans: list[tuple[str, int, int]] = []
        cursor = 0
        for piece in self.splitter.split_text(document.text):
            start = document.text.find(piece, max(0, cursor - len(piece)))
            if start < 0:  # the splitter normalised something; fall back to a fresh search
                start = document.text.find(piece)
            if start < 0:
                raise ValueError(f"{document.doc_id}: chunk text not found in document")
            spans.append((piece, start, start + len(piece)))
            cursor = start + 1
        # Close the white-space gaps between chunks, so that neighbours can be joined exactly
        # (retrieval widens a hit with the chunk after it).
        for i in range(len(spans) - 1):
            _, start, end = spans[i]
            following = spans[i + 1][1]
            if end < following:
                spans[i] = (document.text[start:following], start, following)
        return spans

    def chunk(self, document: Document, fingerprint: str, extra: dict[str, Any]) -> list[Chunk]:
        """Chunks of ``document``, each carrying the document's metadata plus ``extra``."""
        spans = self.split(document)
        key_hash = hashlib.sha1(document.source.key.encode()).hexdigest()[:16]
        base = {
            "doc_key": document.source.key,
            "doc_id": document.doc_id,
            "path": document.source.location,  # the file's path or the page's URL
            "title": document.display_title,
            "outlet": document.outlet or "",
            "author": document.author or "",
            "published": document.published,  # YYYY-MM-DD, or left out when unknown
            "content_hash": document.content_hash,
            "fingerprint": fingerprint,
            "n_chunks": len(spans),
            **extra,
        }
        return [
            Chunk(
                id=f"{key_hash}-{fingerprint[:12]}-{i:04d}",
                doc_key=document.source.key,
                doc_id=document.doc_id,
                index=i,
                text=text,
                start=start,
                end=end,
                metadata={**base, "chunk_index": i, "start": start, "end": end},
            )
            for i, (text, start, end) in enumerate(spans)
        ]
