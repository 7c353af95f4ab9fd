"""Plain-text rendering for the terminal: answers, and any line that carries untrusted text.

Article text and file names may hold control characters (ESC sequences that clear the
screen or set the window title, a newline that forges a log line): everything printed to a
terminal goes through :func:`terminal_safe`. JSON output is not rendered here and stays exact.
"""

from __future__ import annotations

import re
import textwrap

from .answer import Answer


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown as an escape ("\\x1b", "\\n"), so that it
    cannot drive the terminal or start a new line; tabs become spaces."""
    return _CONTROL.sub(lambda m: " " if m.group(0) == "\t" else m.group(0).encode("unicode_escape").decode("ascii"),
                        text)


def source_byline(source) -> str:
    """Outlet, author and publication date of a source (or a stored document), those that are known."""
    return ", ".join(part for part in (source.outlet, source.author, source.published) if part)


def render_text(answer: Answer, width: int = 100) -> str:
    """The answer, the sentences a model wrote that verification removed (if any), then its
    numbered sources with the quoted passage; every untrusted value
    (article text, titles, file names) is made terminal-safe before it is wrapped."""
    safe = terminal_safe
    lines = [textwrap.fill(safe(answer.text), width)]
    if answer.reader_note:
        lines += ["", answer.reader_note]
    if answer.removed:  # what a model wrote that verification dropped: said, not silently gone
        lines += ["", "Removed (not supported by the sources):"]
        lines += [textwrap.fill(safe(sentence), width, initial_indent="  ✗ ", subsequent_indent="    ")
                  for sentence in answer.removed]
    if answer.sources:
        lines.append("")
        lines.append("Sources:")
        for source in answer.sources:
            label = " — ".join(safe(part) for part in (source.title, source_byline(source)) if part and part != source.doc_id)
            doc_id = safe(source.doc_id)
            lines.append(f"[{source.n}] {label} ({doc_id})" if label else f"[{source.n}] {doc_id}")
            lines.append(f"    {safe(source.path)}")
            lines.append(textwrap.indent(textwrap.fill(f"“{safe(source.text)}”", width - 4), "    "))
    return "\n".join(lines)
