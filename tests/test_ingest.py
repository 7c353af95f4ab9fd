"""Ingest end to end: real files, the real model, a real Chroma store in a temp dir."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli import main
from rag.config import Settings
from rag.documents import SourceFile, parse, read_bytes
from rag.ingest import ingest
from rag.store import ChunkStore

from .conftest import SHARED


def assert_consistent(settings: Settings) -> ChunkStore:
    """Every stored document has exactly one complete version and nothing else."""
    store = ChunkStore(settings)
    documents = store.stored_documents()
    for doc in documents.values():
        assert len(doc.versions) == 1, f"{doc.key}: {len(doc.versions)} versions"
        (fp,) = doc.versions
        assert doc.is_complete(fp), f"{doc.key}: incomplete"
    assert store.count() == sum(len(ids) for d in documents.values() for ids in d.versions.values())
    return store


def test_ingest_is_idempotent(seed_copy: Path, settings: Settings, embedder):
    first = ingest([seed_copy], settings, embedder=embedder)
    assert (first.added, first.updated, first.unchanged, first.removed) == (5, 0, 0, 0)
    assert first.chunks_embedded == first.chunks_in_store > 5
    second = ingest([seed_copy], settings, embedder=embedder)
    assert (second.added, second.unchanged, second.chunks_embedded) == (0, 5, 0)
    assert second.chunks_in_store == first.chunks_in_store
    assert_consistent(settings)


def test_chunks_point_at_the_cleaned_text(seed_copy: Path, settings: Settings, embedder):
    import tiktoken

    ingest([seed_copy], settings, embedder=embedder)
    encoding = tiktoken.get_encoding("cl100k_base")
    rows = ChunkStore(settings).all_chunks()
    texts = {}
    for _, text, meta in rows:
        if meta["doc_key"] not in texts:
            source = SourceFile(Path(meta["path"]), meta["doc_id"])
            texts[meta["doc_key"]] = parse(source, read_bytes(source, 10**7)).text
        assert texts[meta["doc_key"]][meta["start"] : meta["end"]] == text
        assert len(encoding.encode(text)) <= settings.chunk_size
    by_doc = {meta["doc_id"]: meta for _, _, meta in rows}
    assert set(by_doc) == {p.name for p in seed_copy.iterdir()}
    bloomberg = by_doc["003_83634cac5ae714f9.txt"]
    assert bloomberg["outlet"] == "Bloomberg News" and bloomberg["author"] == "Greg Sullivan and Iain Marlow"
    assert bloomberg["title"].startswith("Putin agrees to limit")
    assert not any("Disqus" in text for _, text, _ in rows)


def test_update_and_removal(seed_copy: Path, settings: Settings, embedder):
    ingest([seed_copy], settings, embedder=embedder)
    changed = seed_copy / "001_7f7e1cca91fdfb5f.txt"
    changed.write_text(changed.read_text() + "\nA late paragraph about a zebra parade in Kyiv.\n")
    (seed_copy / "002_04143a84f24f8bd1.txt").unlink()

    kept = ingest([seed_copy], settings.model_copy(update={"prune": False}), embedder=embedder)
    assert (kept.updated, kept.unchanged, kept.removed) == (1, 3, 0)
    store = assert_consistent(settings)
    assert len(store.stored_documents()) == 5

    pruned = ingest([seed_copy], settings, embedder=embedder)
    assert (pruned.updated, pruned.unchanged, pruned.removed, pruned.chunks_embedded) == (0, 4, 1, 0)
    store = assert_consistent(settings)
    assert kept.documents_in_store == 5 and pruned.documents_in_store == len(store.stored_documents()) == 4
    texts = [text for _, text, _ in store.all_chunks()]
    assert any("zebra parade" in t for t in texts)
    assert {m["doc_id"] for _, _, m in store.all_chunks()} == {p.name for p in seed_copy.iterdir()}


def test_bad_inputs_are_reported_and_skipped(seed_copy: Path, tmp_path: Path, capsys):
    (seed_copy / "empty.txt").write_bytes(b"")
    (seed_copy / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (seed_copy / "broken.pdf").write_bytes(b"%PDF-1.7 garbage")
    (seed_copy / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (seed_copy / "latin.txt").write_bytes("Prices rose to \u00a35 in Leeds.".encode("latin-1"))
    index = tmp_path / "index"
    assert main(["ingest", str(seed_copy), "--index", str(index)]) == 0
    out, err = capsys.readouterr()
    for name, reason in [("empty.txt", "empty file"), ("image.txt", "binary"), ("broken.pdf", "PDF"),
                         ("dangling.md", "cannot read")]:
        line = next(l for l in err.splitlines() if name in l)
        assert line.startswith("skipped:") and reason in line, line
    assert "latin.txt: not valid UTF-8" in err
    assert "6 added" in out and "4 skipped" in out

    # A file that was ingested and is now broken keeps its previous version.
    (seed_copy / "latin.txt").write_bytes(b"")
    assert main(["ingest", str(seed_copy), "--index", str(index)]) == 0
    _, err = capsys.readouterr()
    assert "latin.txt: empty file (kept the previously ingested version)" in err
    store = ChunkStore(Settings.load(index_dir=index))
    assert any("Leeds" in text for _, text, _ in store.all_chunks())


def test_errors_exit_non_zero(tmp_path: Path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.txt").write_bytes(b"")
    (bad / "b.pdf").write_bytes(b"not a pdf")
    index = tmp_path / "index"
    assert main(["ingest", str(bad), "--index", str(index)]) == 1
    assert "none of the files could be ingested" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "missing"), "--index", str(index)]) == 2
    assert "missing: no such file or folder" in capsys.readouterr().err
    (tmp_path / "nothing").mkdir()
    assert main(["ingest", str(tmp_path / "nothing"), "--index", str(index)]) == 1
    assert "no supported files" in capsys.readouterr().err


@pytest.mark.skipif(not (SHARED / "data" / "bbc").is_dir(), reason="needs ../shared/data/bbc")
def test_killed_run_is_completed_by_the_next(tmp_path: Path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted((SHARED / "data" / "bbc" / "business").glob("*.txt"))[:40]:
        shutil.copy(path, corpus / path.name)
    index = tmp_path / "index"
    env = {**os.environ, "RAG_EMBED_BATCH_SIZE": "8"}
    command = [sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--index", str(index), "-v"]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    batches = 0
    for line in proc.stderr:
        batches += line.startswith("embedded ")
        if batches == 3:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"

    settings = Settings.load(index_dir=index)
    partial = ChunkStore(settings)
    assert 0 < partial.count()
    del partial
    report = ingest([corpus], settings, embedder=embedder)
    assert report.added + report.updated == 40 - report.unchanged
    store = assert_consistent(settings)
    assert len(store.stored_documents()) == 40

    fresh = Settings.load(index_dir=tmp_path / "fresh")
    ingest([corpus], fresh, embedder=embedder)
    assert {i for i, _, _ in store.all_chunks()} == {i for i, _, _ in ChunkStore(fresh).all_chunks()}


def test_a_link_out_of_the_folder_is_never_read_and_a_fifo_does_not_hang(tmp_path: Path, capsys):
    import os

    secret = tmp_path / "passwd.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "story.txt").write_text("The harbour bridge reopened after repairs on Monday, the council said.")
    (folder / "evil.txt").write_text("An ordinary article about the harbour bridge and its long repairs.")
    index = tmp_path / "index"
    assert main(["ingest", str(folder), "--index", str(index), "-q"]) == 0
    # The file becomes a link out of the folder (as a hostile upload or checkout would): refused, and
    # the version ingested before is dropped, not kept.
    (folder / "evil.txt").unlink()
    (folder / "evil.txt").symlink_to(secret)
    os.mkfifo(folder / "pipe.txt")
    capsys.readouterr()
    assert main(["ingest", str(folder), "--index", str(index), "--no-prune", "-q"]) == 0
    _, err = capsys.readouterr()
    assert "evil.txt: symbolic link to" in err and "outside the folder" in err and "was removed" in err
    assert "pipe.txt: not a regular file (FIFO" in err
    texts = [text for _, text, _ in ChunkStore(Settings.load(index_dir=index)).all_chunks()]
    assert texts and not any("root:x" in t or "ordinary article" in t for t in texts)


def test_terminal_output_cannot_be_driven_by_article_text_or_file_names(tmp_path: Path, capsys):
    import json

    folder = tmp_path / "articles"
    folder.mkdir()
    text = ("The lighthouse keeper retired on Friday after forty years.\x1b]0;pwned\x07\x1b[2J "
            "Officials thanked the lighthouse keeper for his service.")
    (folder / "keeper\nremoved: everything.txt").write_text(text)
    index = tmp_path / "index"
    assert main(["ingest", str(folder), "--index", str(index), "-q"]) == 0
    assert main(["ask", "Who retired after forty years?", "--index", str(index)]) == 0
    out, err = capsys.readouterr()
    printed = out + err
    assert "\x1b" not in printed and "\x07" not in printed
    assert not any(line.startswith("removed:") for line in printed.splitlines())
    assert "keeper\\nremoved: everything.txt" in out  # the file name, shown escaped
    # JSON stays exact: the same text, control characters and all, once decoded
    assert main(["ask", "Who retired after forty years?", "--index", str(index), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert not answer["abstained"] and any("\x1b]0;pwned" in s["text"] for s in answer["sources"])


def test_a_second_ingest_on_one_index_waits_and_then_embeds_nothing(seed_copy: Path, tmp_path: Path, embedder):
    import time

    from rag.documents import discover
    from rag.ingest import _ingest, ingest_lock

    settings = Settings.load(index_dir=tmp_path / "index")
    with ingest_lock(settings, print):  # the first run: holds the index while it embeds
        second = subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", str(seed_copy), "--index",
                                   str(settings.index_dir), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        first_line = second.stderr.readline()  # blocks until the second run says it waits (or exits)
        assert first_line.startswith("waiting: another ingest is running on this index"), first_line
        first = _ingest(*discover([seed_copy]), settings, None, embedder, print, None, time.perf_counter())
        assert first.added == 5 and first.chunks_embedded > 0
    out, err = second.communicate(timeout=240)
    assert second.returncode == 0, err
    assert "5 unchanged" in out and "embedded 0 chunks" in out, out
