"""The one registry of answer backends: config (``Settings.backend``), the CLI's ``--backend``
choices and the UI's dropdown all read it.

``extractive`` is always there; ``checked`` (the extractive reader voted on by a local model) and
the generative ones are built lazily (their libraries are heavy and optional) and fail with a
clear error naming what is missing.
"""

from __future__ import annotations

import importlib.util
from typing import Callable

from .answer import Answerer
from .config import BACKENDS, Settings


def available() -> list[str]:
    """The backends this installation can run (``llamacpp`` and ``checked`` need llama-cpp-python)."""
    return [name for name in BACKENDS if name not in {"llamacpp", "checked"} or importlib.util.find_spec("llama_cpp") is not None]


def make_answerer(settings: Settings, keyword: Callable = lambda: None, relevance: Callable | None = None) -> Answerer:
    """The backend named by ``settings.backend``.

    Args:
        keyword: returns the current keyword index (term weights for the extractive reader).
        relevance: given the question, returns a function scoring sentences against it.
    """
    if settings.backend == "extractive":
        from .extractive import ExtractiveReader

        return ExtractiveReader(settings, keyword, relevance)
    if settings.backend == "checked":
        from .check import make_checked

        return make_checked(settings, keyword, relevance)
    from .llm import make_llm

    return make_llm(settings, keyword, relevance)
