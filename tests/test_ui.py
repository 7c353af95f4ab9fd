"""The web UI: rendering safety, uploads, the Gradio API, concurrency, and a real headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from rag.config import Settings
from rag.ingest import ingest
from rag.ui import chat_markdown, check_upload, draft_markdown, launch, safe_name, sources_html

from .conftest import ROOT, SEEDS, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
XSS_ARTICLE = """Harbour festival report

The harbour festival drew 40,000 visitors on Saturday, organisers said. <script>window.__xss = 1</script>
A banner read <img src=x onerror="window.__xss = 2"> and a flyer linked [prizes](javascript:window.__xss=3) for visitors.
"""


def launch_chromium(pw, profile: Path):
    """Debian's headless Chromium through playwright. A persistent context in a fresh folder: the
    new, empty --user-data-dir Chromium needs here."""
    return pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, viewport={"width": 1400, "height": 1000},
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-quic"],
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    corpus = tmp_path_factory.mktemp("ui-corpus")
    shutil.copytree(SEEDS, corpus / "seeds")
    (corpus / "seeds" / "festival.txt").write_text(XSS_ARTICLE)
    settings = Settings.load(index_dir=tmp_path_factory.mktemp("ui-index"))
    ingest([corpus / "seeds"], settings, embedder=embedder)
    port = free_port()
    app, url, service = launch(settings, port=port)
    service._embedder = embedder  # uploads reuse the already-loaded model
    yield f"http://127.0.0.1:{port}/", service
    app.close()


def test_untrusted_text_is_rendered_as_text():
    from rag.answer import Answer, AnswerSentence, Source

    evil = 'Look <script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    answer = Answer("q", evil, (AnswerSentence(evil, (1,), 1.0, True),),
                    (Source(1, "<b>doc</b>.txt", "/p", "<i>Title</i>", "", evil, "c", 0, len(evil), ((0, 4),)),), False, "test")
    chat = chat_markdown(answer)
    assert "<script>" not in chat and "<img" not in chat and "](javascript:" not in chat
    assert "&lt;script&gt;" in chat and '<a class="cite" href="#src-1">[1]</a>' in chat
    # a model's draft and the sentences verification removed are model text: escaped too
    for shown in (draft_markdown(evil), chat_markdown(replace(answer, removed=(evil,)))):
        assert "<script>" not in shown and "<img" not in shown and "](javascript:" not in shown and "&lt;img" in shown
    assert '<del class="removed">Look &lt;script&gt;' in chat_markdown(replace(answer, removed=(evil,)))
    panel = sources_html(answer)
    assert "<script>" not in panel and "<img" not in panel and "<b>doc" not in panel and "<i>Title" not in panel
    assert "<mark>Look</mark>" in panel


def test_an_answer_the_reader_gave_for_a_model_says_so():
    from rag.answer import Answer, AnswerSentence, Source
    from rag.render import render_text

    text = "The call began at 10 a.m."
    answer = Answer("q", f"{text} [1]", (AnswerSentence(text, (1,), 1.0, True),),
                    (Source(1, "d.txt", "/p", "T", "", text, "c", 0, len(text), ()),), False, "extractive")
    assert "reader" not in chat_markdown(answer) and "reader" not in render_text(answer)
    for flag, says in (("reader_answered", "the model found no answer"), ("reader_conflict", "the sources disagree")):
        stood_in = replace(answer, flags=("model_abstained", flag))
        assert says in chat_markdown(stood_in) and says in render_text(stood_in), flag


def test_upload_checks(tmp_path: Path):
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\win.ini.md") == "win.ini.md"
    assert safe_name(".hidden.txt") == "hidden.txt"
    fake_pdf = tmp_path / "a.pdf"
    fake_pdf.write_text("not a pdf")
    assert "not a PDF" in check_upload(fake_pdf, "a.pdf", 10**6)
    exe = tmp_path / "a.exe"
    exe.write_bytes(b"MZ")
    assert "unsupported type" in check_upload(exe, "a.exe", 10**6)
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01\x02")
    assert "binary" in check_upload(binary, "b.txt", 10**6)
    big = tmp_path / "big.txt"
    big.write_text("x" * 2000)
    assert "too large" in check_upload(big, "big.txt", 1000)
    fine = tmp_path / "fine.md"
    fine.write_text("# Title\n\nText.")
    assert check_upload(fine, "fine.md", 10**6) is None


def test_upload_then_ask_then_remove(server):
    _, service = server
    status_before = service.documents()
    tmp = Path(service.upload_dir).parent / "incoming"
    tmp.mkdir(exist_ok=True)
    good = tmp / "storm.txt"
    good.write_text("Storm Ellen report\n\nStorm Ellen closed the Tamar bridge for six hours on Friday, police said.\n")
    bad = tmp / "bad.pdf"
    bad.write_text("not a pdf")
    log = service.upload([(str(good), "../../storm.txt"), (str(bad), "bad.pdf")])
    assert "refused: bad.pdf: not a PDF" in log and "1 added" in log
    assert (service.upload_dir / "storm.txt").is_file() and not (Path("/storm.txt")).exists()
    answer = service.ask("How long was the Tamar bridge closed?", [])
    assert "six hours" in answer.text and answer.sources[0].doc_id == "storm.txt"
    assert len(service.documents()) == len(status_before) + 1
    assert service.remove("storm.txt") == "removed storm.txt"
    assert len(service.documents()) == len(status_before)
    assert service.ask("How long was the Tamar bridge closed?", []).sources == () or \
        all(s.doc_id != "storm.txt" for s in service.ask("How long was the Tamar bridge closed?", []).sources)


def test_gradio_api_answers_with_citations(server):
    from gradio_client import Client

    url, _ = server
    client = Client(url, verbose=False)
    answer = json.loads(client.predict("What did Putin agree to on energy infrastructure?", [], None, None, api_name="/answer"))
    assert not answer["abstained"] and answer["sources"] and "[1]" in answer["answer"]
    assert {"n", "doc_id", "path", "title", "text"} <= set(answer["sources"][0])
    # no path on the server reaches a web client: the API and the sources panel show document ids
    _, service = server
    index = str(service.settings.index_dir)
    assert all(s["path"] == s["doc_id"] and not s["path"].startswith("/") for s in answer["sources"])
    panel = sources_html(service.ask("What did Putin agree to on energy infrastructure?", []))
    assert "/tmp/" not in panel and index not in panel
    assert 'class="src-meta">0' in panel  # the document id of a seed ("00N_….txt") is what is shown


def test_gradio_api_upload_then_ask(server, tmp_path: Path):
    from gradio_client import Client, handle_file

    url, _ = server
    client = Client(url, verbose=False)
    article = tmp_path / "ferry.md"
    article.write_text("# Ferry strike\n\nThe Orkney ferry strike ended after nine days, the union said.\n")
    before = _gradio_temp_copies("ferry.md")
    status, _ = client.predict([handle_file(str(article))], api_name="/upload")
    assert "1 added" in status
    # the uploaded temp copy is gone once ingested (the article lives in the index's uploads/)
    assert _gradio_temp_copies("ferry.md") - before == set()
    answer = json.loads(client.predict("How many days did the Orkney ferry strike last?", [], None, None, api_name="/answer"))
    assert "nine days" in answer["answer"] and answer["sources"][0]["doc_id"] == "ferry.md"


def test_eight_sessions_while_ingesting(server, tmp_path: Path):
    from gradio_client import Client

    url, service = server
    # question -> (the fact the answer states, what the first cited passage mentions)
    questions = {
        "What did Putin agree to on energy infrastructure?": ("energy", "Putin"),
        "Who is Liana Fix?": ("Council on Foreign Relations", "Liana Fix"),
        "How many visitors did the harbour festival draw?": ("40,000", "harbour festival"),
        "What did Keir Starmer tell Trump?": ("strongest possible position", "Starmer"),
    }
    errors: list[str] = []
    results: list[tuple[str, dict]] = []

    def session(i: int):
        try:
            client = Client(url, verbose=False)
            for question in list(questions)[i % 4:] + list(questions)[: i % 4]:
                answer = json.loads(client.predict(question, [], None, None, api_name="/answer"))
                results.append((question, answer))
        except Exception as exc:  # noqa: BLE001 - any failure of a session is the finding
            errors.append(f"session {i}: {exc!r}")

    big = tmp_path / "many"
    big.mkdir()
    for i in range(30):
        (big / f"note{i}.txt").write_text(f"Council note {i}\n\nThe council met on day {i} to discuss road number {i}.\n")
    ingester = threading.Thread(target=lambda: service.upload([(str(p), p.name) for p in sorted(big.iterdir())]))
    threads = [threading.Thread(target=session, args=(i,)) for i in range(8)]
    ingester.start()
    for t in threads:
        t.start()
    for t in threads + [ingester]:
        t.join(timeout=300)
    assert not errors, errors
    assert len(results) == 8 * len(questions)
    for question, answer in results:
        assert answer["question"] == question
        fact, subject = questions[question]
        assert fact in answer["answer"], (question, answer["answer"])
        assert answer["sources"] and subject in answer["sources"][0]["text"], (question, answer["sources"][:1])


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (see .ci/run)")
def test_browser_ask_click_citation_and_no_xss(server, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    url, _ = server
    out = Path(os.environ.get("RAG_TEST_OUTPUT", ROOT / "test-output"))
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = launch_chromium(pw, tmp_path / "profile")
        page = browser.new_page()
        page.goto(url)
        page.locator("#question textarea").fill("What did Putin agree to on energy infrastructure?")
        page.locator("#ask").click()
        cite = page.locator('#chat a.cite[href="#src-1"]').first
        cite.wait_for(timeout=60_000)
        page.locator("#sources #src-1").wait_for(timeout=10_000)
        cite.click()
        active = page.locator("#sources .src.active")
        active.wait_for(timeout=10_000)
        assert active.get_attribute("id") == "src-1"
        assert active.locator("mark").count() >= 1 and "energy" in active.inner_text().lower()
        page.screenshot(path=str(out / "ui-answer.png"), full_page=True)

        page.locator("#question textarea").fill("How many visitors did the harbour festival draw?")
        page.locator("#ask").click()
        page.locator("#sources .src-text", has_text="40,000").first.wait_for(timeout=60_000)
        page.wait_for_timeout(500)
        assert page.evaluate("window.__xss") is None
        assert page.locator("#sources img").count() == 0 and page.locator('#chat a[href^="javascript"]').count() == 0
        assert "<script>" in page.locator("#sources").inner_text()  # shown as text
        page.screenshot(path=str(out / "ui-xss.png"), full_page=True)

        page.locator("#question textarea").fill("Who won the Super Bowl this year?")
        page.locator("#ask").click()
        bubble = page.locator("#chat", has_text="The articles don't say")
        bubble.wait_for(timeout=60_000)  # the apostrophe as written, not "don&#x27;t"
        assert "&#x27;" not in page.locator("#chat").inner_text()
        browser.close()


def test_serve_refuses_a_missing_index_and_a_busy_port_in_one_line(server, tmp_path: Path, capsys):
    from rag.cli import main

    missing = tmp_path / "no-such-index"
    assert main(["serve", "--index", str(missing), "--port", str(free_port())]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("rag: error: no index at") and "\n" not in err and not missing.exists()
    url, service = server
    busy = int(url.rstrip("/").rsplit(":", 1)[1])  # the module's own server holds it
    assert main(["serve", "--index", str(service.settings.index_dir), "--port", str(busy)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"rag: error: cannot serve on 127.0.0.1:{busy}") and "\n" not in err, err


def test_api_rejects_bad_arguments_with_the_reason_and_keeps_one_pipeline_per_backend(server):
    from gradio_client import Client

    url, service = server
    client = Client(url, verbose=False)
    for args, reason in [((1000,), "top-k must be a whole number from 1 to 50"), ((0,), "top-k"),
                         ((2.5,), "top-k")]:
        with pytest.raises(Exception, match=reason):
            client.predict("What did Putin agree to?", [], None, *args, api_name="/answer")
    with pytest.raises(Exception, match="unknown backend 'gpt-99'"):
        client.predict("What did Putin agree to?", [], "gpt-99", None, api_name="/answer")
    for k in range(1, 12):  # many distinct k: still no new pipeline
        json.loads(client.predict("What did Putin agree to?", [], None, k, api_name="/answer"))
    assert service._pipelines == {}


def test_the_web_server_refuses_an_upload_over_the_size_limit(server, tmp_path: Path):
    from gradio_client import Client, handle_file

    url, service = server
    big = tmp_path / "huge.txt"
    big.write_bytes(b"word " * (service.settings.max_file_bytes // 5 + 1000))
    client = Client(url, verbose=False)
    before = _gradio_temp_copies("huge.txt")
    with pytest.raises(Exception):
        client.predict([handle_file(str(big))], api_name="/upload")
    assert "huge.txt" not in {row[0] for row in service.documents()}
    assert _gradio_temp_copies("huge.txt") - before == set()  # refused before it was stored


def _gradio_temp_copies(name: str) -> set[Path]:
    """Gradio's temp copies of uploaded files with this name (earlier runs' included)."""
    return {p for p in Path(tempfile.gettempdir()).rglob(name) if "gradio" in p.parts}
