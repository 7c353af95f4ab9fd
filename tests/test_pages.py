"""Saved news pages (tests/data/pages, expected results in expected.json) through the real
trafilatura extraction, our fallback cleaner, and the plain-text date line."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from rag.documents import DocumentError, SourceFile, clean_text, date_line, parse, read_bytes

from .conftest import SEEDS

PAGES = Path(__file__).resolve().parent / "data" / "pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))


def load(path: Path):
    source = SourceFile(path.absolute(), path.name)
    return parse(source, read_bytes(source, 10_000_000))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_saved_page(name: str):
    expected = EXPECTED[name]
    if "refused" in expected:
        with pytest.raises(DocumentError, match=expected["refused"]):
            load(PAGES / name)
        return
    doc = load(PAGES / name)
    assert (doc.title, doc.author, doc.outlet, doc.published) == (
        expected["title"], expected["author"], expected["outlet"], expected["published"])
    assert doc.text.splitlines()[0] == expected["first_line"]
    for piece in expected["contains"]:
        assert piece in doc.text, piece
    for piece in expected["absent"]:
        assert piece not in doc.text, piece
    assert len(doc.warnings) == len(expected["warnings"])
    for warning, start in zip(doc.warnings, expected["warnings"]):
        assert warning.startswith(start), warning
    assert "\n\n\n" not in doc.text and " \n" not in doc.text


def test_every_saved_page_has_an_expectation():
    assert sorted(p.name for p in PAGES.iterdir() if p.suffix in {".html", ".xhtml"}) == sorted(EXPECTED)


def test_our_cleaner_is_the_fallback_when_trafilatura_finds_nothing():
    from rag.documents import _trafilatura

    html = (PAGES / "misnamed_block.html").read_text(encoding="utf-8")
    assert _trafilatura(html) is None  # the page of this test: trafilatura skips the comment-like block
    assert "The building holds 40,000 books" in load(PAGES / "misnamed_block.html").text


def test_page_markup_is_data_not_instructions(tmp_path: Path):
    """Entities are never expanded from a file's own DTD (no file read, no "billion laughs"),
    scripts never reach the text."""
    laughs = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 9))
    page = tmp_path / "evil.xhtml"
    page.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY l0 "lol"> ' + laughs
        + ' <!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Budget vote delayed</title></head><body>'
        "<h1>Budget vote delayed</h1><p>The council delayed its budget vote to next week, the chair said on Monday.</p>"
        "<p>&l8; &secret;</p><script>document.write('injected words here')</script></body></html>"
    )
    started = time.perf_counter()
    doc = load(page)
    assert time.perf_counter() - started < 10
    assert "The council delayed its budget vote to next week" in doc.text
    assert "lollol" not in doc.text and "root:" not in doc.text and "injected" not in doc.text


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Storm closes ports", "18 March 2025", "", "Body."], "2025-03-18"),
        (["Storm closes ports", "Published: March 18, 2025 10:30 GMT", "Body."], "2025-03-18"),
        (["Storm closes ports", "Updated Tue 18 Mar 2025 14.02 GMT"], "2025-03-18"),
        (["2025-03-18", "Storm closes ports"], "2025-03-18"),
        (["Storm closes ports", "March 3rd, 2024 at 3:45 p.m. ET"], "2024-03-03"),
        (["Storm closes ports", "31 February 2025"], None),  # not a date
        (["Storm closes ports", "The storm hit on 18 March 2025, closing every port."], None),  # a sentence, not a date line
        (["a", "b", "c", "d", "e", "f", "g", "h", "18 March 2025"], None),  # not near the top
    ],
)
def test_plain_text_date_line(lines: list[str], expected: str | None):
    assert date_line(lines) == expected


def test_plain_text_document_gets_its_date_and_keeps_the_line(tmp_path: Path):
    path = tmp_path / "storm.txt"
    path.write_text("Storm closes ports\n\nBy Ana Ruiz, Harbour Times\n\n18 March 2025\n\nAll ports closed on Tuesday.\n")
    doc = load(path)
    assert doc.published == "2025-03-18" and doc.author == "Ana Ruiz" and doc.outlet == "Harbour Times"
    assert "18 March 2025" in doc.text


def test_seeds_state_no_date_and_paywall_lines_are_debris():
    assert [load(p).published for p in sorted(SEEDS.glob("*.txt"))] == [None] * 5
    cleaned = clean_text("Headline here\n\nThe first paragraph is free to read.\n\nSubscribe to continue reading\n\n"
                         "Already a subscriber? Sign in")
    assert cleaned.text == "Headline here\n\nThe first paragraph is free to read."
