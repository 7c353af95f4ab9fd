"""Article metadata end to end (stored with each chunk, shown in sources, used by filters) and
`rag docs` / `rag docs remove`, the service the web UI's Documents tab shares. Real Chroma, real model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rag.cli import main
from rag.config import Settings
from rag.ingest import ingest

from .conftest import SEEDS

PAGES = Path(__file__).resolve().parent / "data" / "pages"
BRIDGE = "article_with_comments.html"
BRIDGE_Q = "How much did the Harbour bridge repair cost?"


def corpus(folder: Path) -> Path:
    folder.mkdir()
    for name in (BRIDGE, "live_blog.html", "paywall_stub.html", "museum.xhtml"):
        shutil.copy(PAGES / name, folder / name)
    shutil.copy(SEEDS / "003_83634cac5ae714f9.txt", folder)
    (folder / "ferry.txt").write_text(
        "Ferry fares rise in spring\n\nPublished: April 2, 2025\n\n"
        "Ferry fares on the north shore route will rise by 8 percent from May, the operator said on Wednesday.\n")
    return folder


@pytest.fixture(scope="module")
def index(tmp_path_factory, embedder) -> Path:
    root = tmp_path_factory.mktemp("library")
    settings = Settings.load(index_dir=root / "index")
    report = ingest([corpus(root / "articles")], settings, embedder=embedder)
    assert report.added == 6 and not report.skipped
    return root / "index"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def docs_json(capsys, index: Path) -> dict[str, dict]:
    code, out, _ = run(capsys, "docs", "--json", "--index", str(index))
    assert code == 0
    return {d["id"]: d for d in json.loads(out)}


def test_docs_lists_every_document_with_its_metadata(index: Path, capsys):
    docs = docs_json(capsys, index)
    assert set(docs) == {BRIDGE, "live_blog.html", "paywall_stub.html", "museum.xhtml", "003_83634cac5ae714f9.txt", "ferry.txt"}
    bridge = docs[BRIDGE]
    assert {k: bridge[k] for k in ("title", "outlet", "author", "published")} == {
        "title": "Harbour bridge reopens after two-year repair", "outlet": "The Coastal Courier",
        "author": "Maria Okafor", "published": "2025-03-14"}
    assert Path(bridge["source"]).is_file() and Path(bridge["source"]).name == BRIDGE and bridge["chunks"] >= 1
    assert (docs["ferry.txt"]["published"], docs["ferry.txt"]["title"]) == ("2025-04-02", "Ferry fares rise in spring")
    seed = docs["003_83634cac5ae714f9.txt"]
    assert (seed["outlet"], seed["author"], seed["published"]) == ("Bloomberg News", "Greg Sullivan and Iain Marlow", None)

    code, out, _ = run(capsys, "docs", "--index", str(index))
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["ID", "TITLE", "OUTLET", "DATE", "CHUNKS"]
    row = next(line for line in lines if line.startswith(BRIDGE))
    assert "Harbour bridge reopens" in row and "The Coastal Courier" in row and "2025-03-14" in row
    assert row.split()[-1] == str(bridge["chunks"])
    assert lines[-1] == f"6 documents, {sum(d['chunks'] for d in docs.values())} chunks"


def test_sources_carry_the_metadata(index: Path, capsys):
    code, out, _ = run(capsys, "ask", BRIDGE_Q, "--json", "--index", str(index))
    answer = json.loads(out)
    assert code == 0 and "48 million euros" in answer["answer"]
    source = next(s for s in answer["sources"] if s["doc_id"] == BRIDGE)
    assert (source["title"], source["outlet"], source["author"], source["published"]) == (
        "Harbour bridge reopens after two-year repair", "The Coastal Courier", "Maria Okafor", "2025-03-14")
    code, out, _ = run(capsys, "ask", BRIDGE_Q, "--index", str(index))
    assert code == 0
    assert f"Harbour bridge reopens after two-year repair — The Coastal Courier, Maria Okafor, 2025-03-14 ({BRIDGE})" in out


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_outlet_and_date_filters(index: Path, capsys, mode: str):
    def retrieved(*filters: str) -> set[str]:
        code, out, err = run(capsys, "ask", BRIDGE_Q, "--json", "--retrieval", mode, "--index", str(index), *filters)
        assert code == 0, err
        return {doc for _, doc in json.loads(out)["retrieved"]}

    def expect(docs: set[str], *filters: str) -> None:
        found = retrieved(*filters)
        # dense search ranks every document that passes the filter; keyword search only those sharing a word
        assert found <= docs, (filters, found)
        assert found == docs if mode == "dense" else (BRIDGE in found) == (BRIDGE in docs), (filters, found)

    assert len(retrieved()) > 1
    expect({BRIDGE}, "--since", "2025-03-01", "--until", "2025-03-31")
    expect({BRIDGE, "ferry.txt", "paywall_stub.html"}, "--since", "2025-03")
    expect({"museum.xhtml"}, "--until", "2024")
    expect({"live_blog.html"}, "--outlet", "Northern Herald")
    expect(set(), "--outlet", "Northern Herald", "--since", "2025-02")  # both must hold
    expect(set(), "--since", "2030-01-01")  # undated documents (the seed) never match a date filter


def test_a_bad_date_is_one_line(index: Path, capsys):
    code, out, err = run(capsys, "ask", BRIDGE_Q, "--since", "March 2025", "--index", str(index))
    assert code == 2 and out == "" and err.count("\n") == 1 and "not a date" in err
    code, _, err = run(capsys, "ask", BRIDGE_Q, "--until", "2025-02-30", "--index", str(index))
    assert code == 2 and "not a date" in err


def test_docs_remove(tmp_path: Path, embedder, capsys):
    settings = Settings.load(index_dir=tmp_path / "index")
    folder = corpus(tmp_path / "articles")
    ingest([folder], settings, embedder=embedder)
    code, out, err = run(capsys, "docs", "remove", "live_blog.html", "nope.html", str(folder / "ferry.txt"),
                         "--index", str(settings.index_dir))
    assert code == 1
    assert out.splitlines() == ["removed live_blog.html", f"removed {folder / 'ferry.txt'}"]
    assert err.strip() == "rag: error: no document 'nope.html' (see `rag docs`)"
    remaining = docs_json(capsys, settings.index_dir)
    assert "live_blog.html" not in remaining and "ferry.txt" not in remaining and len(remaining) == 4
    code, out, _ = run(capsys, "ask", "Where were rail services suspended?", "--json", "--retrieval", "hybrid",
                       "--index", str(settings.index_dir))
    assert code == 0 and "live_blog.html" not in {doc for _, doc in json.loads(out)["retrieved"]}
    assert run(capsys, "docs", "--index", str(tmp_path / "missing"))[0] == 1


def test_an_index_from_before_the_metadata_fields_still_loads(tmp_path: Path, embedder, capsys):
    """Indexes written before this change have "byline" and no "author"/"published": unknown, not an error."""
    from rag.store import ChunkStore

    settings = Settings.load(index_dir=tmp_path / "index")
    ingest([corpus(tmp_path / "articles")], settings, embedder=embedder)
    store = ChunkStore(settings)
    rows = store.all_chunks()
    old = [{**{k: v for k, v in meta.items() if k not in ("author", "published")},
            **({"byline": meta["author"]} if meta.get("author") else {})} for _, _, meta in rows]
    store.delete([i for i, _, _ in rows])
    from rag.chunking import Chunk

    store.add([Chunk(i, m["doc_key"], m["doc_id"], m["chunk_index"], t, m["start"], m["end"], m)
               for (i, t, _), m in zip(rows, old)], embedder.embed([t for _, t, _ in rows]))
    assert all("published" not in meta and "author" not in meta for _, _, meta in store.all_chunks())

    docs = docs_json(capsys, settings.index_dir)
    assert docs[BRIDGE]["published"] is None and docs[BRIDGE]["author"] == "Maria Okafor"  # read from "byline"
    code, out, _ = run(capsys, "ask", BRIDGE_Q, "--json", "--index", str(settings.index_dir))
    source = next(s for s in json.loads(out)["sources"] if s["doc_id"] == BRIDGE)
    assert code == 0 and source["published"] is None and source["author"] == "Maria Okafor"
    code, out, _ = run(capsys, "ask", BRIDGE_Q, "--json", "--since", "2000", "--index", str(settings.index_dir))
    assert code == 0 and json.loads(out)["retrieved"] == []


def test_the_ui_lists_the_same_documents_and_shows_source_metadata(index: Path, capsys):
    from rag.ui import DOCUMENT_COLUMNS, ChatService, sources_html

    service = ChatService(Settings.load(index_dir=index))
    rows = service.documents()
    listed = docs_json(capsys, index)
    assert DOCUMENT_COLUMNS == ["document", "title", "outlet", "author", "date", "chunks"]
    assert rows == [[d["id"], d["title"], d["outlet"] or "", d["author"] or "", d["published"] or "", d["chunks"]]
                    for d in sorted(listed.values(), key=lambda d: d["id"])]
    answer = service.ask(BRIDGE_Q, [])
    assert "Harbour bridge reopens after two-year repair — The Coastal Courier, Maria Okafor, 2025-03-14" in sources_html(answer)
    from dataclasses import replace

    evil = replace(answer, sources=(replace(answer.sources[0], author="<img src=x onerror=alert(1)>"),))
    assert "<img" not in sources_html(evil) and "&lt;img src=x" in sources_html(evil)  # metadata is page text: untrusted
