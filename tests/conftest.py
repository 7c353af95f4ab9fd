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
