"""Plain-text rendering of an Answer for the terminal."""

from __future__ import annotations

import textwrap

from .answer import Answer


def render_text(answer: Answer, width: int = 100) -> str:
    """The answer, then its numbered sources with the quoted passage."""
    lines = [textwrap.fill(answer.text, width)]
    if answer.sources:
        lines.append("")
        lines.append("Sources:")
        for source in answer.sources:
            label = " — ".join(part for part in (source.title, source.outlet) if part and part != source.doc_id)
            lines.append(f"[{source.n}] {label} ({source.doc_id})" if label else f"[{source.n}] {source.doc_id}")
            lines.append(f"    {source.path}")
            lines.append(textwrap.indent(textwrap.fill(f"“{source.text}”", width - 4), "    "))
    return "\n".join(lines)
