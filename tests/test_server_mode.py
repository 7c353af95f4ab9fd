"""Server mode against a real `chroma run` on loopback: ingest and ask from separate processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.cli import main
from rag.config import Settings
from rag.errors import StoreUnavailableError
from rag.store import ChunkStore

from .conftest import SEEDS, free_port, start_server

CHROMA = Path(sys.executable).parent / "chroma"


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server([str(CHROMA), "run", "--path", str(tmp_path / "chroma-data"), "--host", "127.0.0.1", "--port", str(port)],
                        f"{url}/api/v2/heartbeat", env={"ANONYMIZED_TELEMETRY": "False"})
    yield url, proc
    proc.kill()
    proc.wait(timeout=10)


def rag(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def test_two_app_processes_share_one_server(chroma_server, tmp_path: Path):
    url, _ = chroma_server
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    # Each process has its own local folder (keyword cache): only the server is shared.
    first = rag("ingest", str(corpus), "--chroma-url", url, "--index", str(tmp_path / "app1"))
    assert first.returncode == 0, first.stderr
    assert "5 added" in first.stdout
    asked = rag("ask", "How long did the Trump-Putin call last?", "--json", "--chroma-url", url, "--index", str(tmp_path / "app2"))
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert "90 minutes" in answer["answer"] and answer["sources"]

    # App 1 ingests a new article; app 2 (new process, its old keyword cache on disk) must see it.
    (corpus / "bridge.txt").write_text("Bridge report\n\nThe Tamar bridge reopened after a zeppelin inspection on Monday.\n")
    assert rag("ingest", str(corpus), "--chroma-url", url, "--index", str(tmp_path / "app1")).returncode == 0
    asked = rag("ask", "What was inspected before the Tamar bridge reopened?", "--json", "--chroma-url", url,
                "--index", str(tmp_path / "app2"))
    answer = json.loads(asked.stdout)
    assert "zeppelin" in answer["answer"] and answer["sources"][0]["doc_id"] == "bridge.txt"
    assert ChunkStore(Settings.load(chroma_url=url)).count() > 0


def test_server_down_is_a_clear_error_not_a_hang(tmp_path: Path):
    url = f"http://127.0.0.1:{free_port()}"
    started = time.time()
    result = rag("ask", "anything?", "--chroma-url", url, timeout=60)
    assert result.returncode == 1 and time.time() - started < 30
    assert result.stderr.strip().count("\n") == 0 and "cannot open the Chroma store" in result.stderr and url in result.stderr
    result = rag("ingest", str(SEEDS), "--chroma-url", url, timeout=60)
    assert result.returncode == 1 and "rag: error:" in result.stderr


def test_server_that_stalls_or_goes_away(chroma_server, tmp_path: Path, embedder):
    from rag.ingest import ingest
    from rag.pipeline import Pipeline

    url, proc = chroma_server
    settings = Settings.load(chroma_url=url, index_dir=tmp_path / "app", chroma_timeout=3)
    ingest([SEEDS], settings, embedder=embedder)
    pipeline = Pipeline(settings)
    assert pipeline.ask("How long did the Trump-Putin call last?").sources
    proc.send_signal(signal.SIGSTOP)  # alive but not answering
    try:
        started = time.time()
        with pytest.raises(StoreUnavailableError, match="stopped answering"):
            pipeline.ask("What did Putin agree to?")
        assert time.time() - started < 20
    finally:
        proc.send_signal(signal.SIGCONT)
    proc.kill()
    proc.wait(timeout=10)
    with pytest.raises(StoreUnavailableError):
        pipeline.ask("What did Putin agree to?")


def test_bad_chroma_url(capsys):
    assert main(["ask", "q?", "--chroma-url", "ftp://nowhere"]) == 1
    assert "bad Chroma URL" in capsys.readouterr().err
