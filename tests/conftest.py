"""Shared fixtures: the real packaged model, real Chroma in temp dirs, the real seeds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.config import Settings, apply_offline_env

apply_offline_env()

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def embedder():
    """One real all-MiniLM-L6-v2 for the whole run (loading it costs seconds)."""
    from rag.embedding import Embedder

    return Embedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(index_dir=tmp_path / "index")


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the five seed articles."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def free_port() -> int:
    """A loopback port nothing listens on (yet)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(command: list[str], health_url: str, timeout: float = 60, env: dict | None = None):
    """Start a real server process and wait until ``health_url`` answers 200; fail the test otherwise."""
    import os
    import subprocess
    import time

    import httpx

    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(health_url, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    proc.kill()
    pytest.fail(f"{command[0]} did not start (waited for {health_url})")
