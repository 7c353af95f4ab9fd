"""Issue 10, acceptance: main tried as a hostile user would, through the real parts.

A hostile folder is generated here (links out of it, a FIFO, a socket, a device, control
characters in article text and in file names, a link to a secret) and ingested by the real
`rag ingest` in a subprocess, into a real Chroma index with the real model; that index is then
asked by `rag ask` and served by a real `rag serve`, whose upload limits and `/answer` arguments
are tried over HTTP. Each test names the "Why" bullet of the issue it covers. Cases that other
files test one function at a time (discover, terminal_safe, check_upload) are tried here end to
end, as a user would meet them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from rag.config import Settings
from rag.ingest import ingest
from rag.store import ChunkStore

from .conftest import SEEDS, free_port, start_server

SECRET = "The combination of the harbour vault is 7431-0092."
SECRET_QUESTION = "What is the combination of the harbour vault?"
KEEPER = ("Lighthouse keeper\x1b]0;pwned\x07 retires\x1b[2J\n\n"
          "The lighthouse keeper retired on Friday after forty years.\x1b]0;pwned\x07\x1b[2J "
          "Officials thanked the lighthouse keeper for his service at the harbour.\n")
# Served with small limits, so that many files each under the per-file limit exceed the per-request one.
MAX_FILE_MB, MAX_UPLOAD_MB = 0.05, 0.1  # 52,428 and 104,857 bytes


def rag(*args: str, timeout: float = 240, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess (a hang is a TimeoutExpired, i.e. a failure, not a stuck run)."""
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})})


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict:
    """A folder of the five seeds plus every hostile kind of entry, ingested by `rag ingest`."""
    base = tmp_path_factory.mktemp("hostile")
    outside = base / "outside"
    outside.mkdir()
    (outside / "vault.txt").write_text(f"Harbour vault\n\n{SECRET}\n")
    (outside / "folder").mkdir()
    (outside / "folder" / "vault-copy.txt").write_text(f"Vault copy\n\n{SECRET}\n")
    folder = base / "articles"
    shutil.copytree(SEEDS, folder)
    (folder / "keeper.txt").write_text(KEEPER)
    (folder / "evil.txt").symlink_to(outside / "vault.txt")  # a link out of the folder
    (folder / "passwd.txt").symlink_to("/etc/passwd")  # the issue's own example
    (folder / "zero.txt").symlink_to("/dev/zero")  # a device, out of the folder: NUL bytes without end
    (folder / "linked").symlink_to(outside / "folder", target_is_directory=True)  # a linked folder
    os.mkfifo(folder / "pipe.txt")  # opening it blocks until a writer comes
    (folder / "alias.txt").symlink_to(folder / "pipe.txt")  # a link that stays inside, to the FIFO
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.md"))
    device = False
    try:  # a device inside the folder (needs CAP_MKNOD: root in the CI container)
        os.mknod(folder / "zero-device.txt", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero's numbers
        device = True
    except (PermissionError, OSError):
        pass
    # a skipped file whose name forges a log line and clears the screen
    forged = "empty\nremoved: every article\x1b[2J.txt"
    (folder / forged).write_bytes(b"")
    index = base / "index"
    result = rag("ingest", str(folder), "--index", str(index), "-q")
    server.close()
    return {"folder": folder, "index": index, "result": result, "device": device}


def test_ingest_refuses_links_out_fifos_sockets_and_devices_with_a_reason_and_never_hangs(hostile):
    """Bullets 1-2: a link out of the folder was followed (its lines quoted back) and a FIFO hung
    `rag ingest` with no output. Sockets, devices and a link to a FIFO are the same hazard."""
    result = hostile["result"]
    assert result.returncode == 0, result.stderr
    reasons = {}
    for line in result.stderr.splitlines():
        if line.startswith("skipped: "):
            path, _, reason = line.removeprefix("skipped: ").partition(": ")
            reasons[Path(path).name] = reason
    for name in ("evil.txt", "passwd.txt", "zero.txt"):
        assert "outside the folder" in reasons[name], (name, result.stderr)
    assert "FIFO" in reasons["pipe.txt"] and "FIFO" in reasons["alias.txt"]
    assert "socket" in reasons["sock.md"]
    if hostile["device"]:
        assert "device" in reasons["zero-device.txt"]
    assert "6 added" in result.stdout, result.stdout  # the five seeds and the keeper article
    texts = [text for _, text, _ in ChunkStore(Settings.load(index_dir=hostile["index"])).all_chunks()]
    assert texts and not any("7431" in t or "root:x" in t or "\x00" in t for t in texts)


def test_the_secret_behind_a_link_is_quoted_by_neither_ask_nor_the_answer_api(hostile, served):
    """Bullet 1: `rag ask` and the UI's `/answer` quoted the linked file's lines."""
    from gradio_client import Client

    asked = rag("ask", SECRET_QUESTION, "--json", "--index", str(hostile["index"]))
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    api = json.loads(Client(served["url"], verbose=False).predict(SECRET_QUESTION, [], None, None, api_name="/answer"))
    for result in (answer, api):
        assert "7431" not in result["answer"] and not any("7431" in s["text"] for s in result["sources"])
        assert not any(doc in ("evil.txt", "linked/vault-copy.txt") for _, doc in result["retrieved"])


def test_no_control_character_of_an_article_or_a_file_name_reaches_the_terminal(hostile):
    """Bullet 4: ESC sequences in an article (here in its title as well) were executed by the
    terminal, and a newline in a file name forged an ingest log line."""
    result = hostile["result"]
    assert "\x1b" not in result.stderr + result.stdout
    assert not [line for line in result.stderr.splitlines() if line.startswith("removed:")], result.stderr
    assert "skipped: " in result.stderr and "empty\\nremoved: every article\\x1b[2J.txt: empty file" in result.stderr
    asked = rag("ask", "When did the lighthouse keeper retire?", "--index", str(hostile["index"]))
    assert asked.returncode == 0, asked.stderr
    assert "forty years" in asked.stdout
    assert not any(c in asked.stdout + asked.stderr for c in "\x1b\x07"), asked.stdout
    assert "\\x1b]0;pwned\\x07" in asked.stdout  # shown, as an escape
    # `rag chat` prints through the same renderer
    chat = subprocess.run([sys.executable, "-m", "rag.cli", "chat", "--index", str(hostile["index"])],
                          input="When did the lighthouse keeper retire?\n/quit\n", capture_output=True, text=True, timeout=240)
    assert chat.returncode == 0, chat.stderr
    assert "forty years" in chat.stdout and "\x1b" not in chat.stdout + chat.stderr


@pytest.fixture(scope="module")
def served(hostile, tmp_path_factory):
    """`rag serve` on the hostile index, with small upload limits and its own Gradio temp folder."""
    temp = tmp_path_factory.mktemp("gradio-temp")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = start_server([sys.executable, "-m", "rag.cli", "serve", "--index", str(hostile["index"]), "--port", str(port)],
                        url, timeout=120, env={"GRADIO_TEMP_DIR": str(temp), "RAG_MAX_FILE_MB": str(MAX_FILE_MB),
                                               "RAG_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB), "HF_HUB_OFFLINE": "1"})
    yield {"url": url, "temp": temp, "proc": proc}
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


def stored_files(temp: Path) -> list[Path]:
    """Every file in the server's Gradio temp folder."""
    return sorted(p for p in temp.rglob("*") if p.is_file())


def multipart(files: list[tuple[str, bytes]]) -> tuple[str, list[bytes]]:
    """A multipart/form-data body as the browser sends it for several files, in pieces."""
    boundary = uuid.uuid4().hex
    pieces = []
    for name, content in files:
        pieces.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                      f"Content-Type: text/plain\r\n\r\n".encode())
        pieces += [content[i:i + 8192] for i in range(0, len(content), 8192)] + [b"\r\n"]
    pieces.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", pieces


def test_one_upload_request_over_the_limit_is_refused_before_it_is_stored(served):
    """Bullet 7 (item 5): the web server limits each request as well as each file. Four files of
    40 KB, each under the 50 KB per-file limit, are 160 KB in one request (limit 100 KB)."""
    import httpx

    upload = served["url"] + "gradio_api/upload"
    files = [(f"part{i}.txt", (f"Harbour notice {i}\n\n".encode() + b"The ferry sailed on time. " * 1600)[:40_000])
             for i in range(4)]
    before = stored_files(served["temp"])
    # declared (Content-Length): refused before a byte of the body is read
    response = httpx.post(upload, files=[("files", (n, c, "text/plain")) for n, c in files], timeout=60)
    assert response.status_code == 413, response.text
    assert "maximum allowed size of 104857 bytes" in response.text
    assert stored_files(served["temp"]) == before
    # streamed (chunked, no Content-Length): counted as it arrives, refused, the partial files deleted
    content_type, pieces = multipart(files)
    response = httpx.post(upload, content=iter(pieces), headers={"content-type": content_type}, timeout=60)
    assert response.status_code == 413, response.text
    assert stored_files(served["temp"]) == before
    # and per file: 60 KB alone is under the request limit, over the file limit (gradio_client checks
    # this itself before sending, so the server is tried here with a raw request)
    response = httpx.post(upload, files=[("files", ("big.txt", b"word " * 12_000, "text/plain"))], timeout=60)
    assert response.status_code == 413 and "File size exceeded" in response.text, response.text
    assert stored_files(served["temp"]) == before
    # the limit is per request: two of the same files in one request, and a file alone, are accepted
    for accepted in (files[:2], files[3:]):
        content_type, pieces = multipart(accepted)
        response = httpx.post(upload, content=iter(pieces), headers={"content-type": content_type}, timeout=60)
        assert response.status_code == 200 and len(response.json()) == len(accepted), response.text
    for path in stored_files(served["temp"]):  # not given to any event: tidy up for the next test
        path.unlink()


def test_refused_and_processed_uploads_leave_nothing_in_temp_storage_and_no_server_path(served, tmp_path: Path):
    """Bullet 7: an upload refused by the app afterwards was left in the temp folder. Bullet 8:
    nothing a web client sees names a path on the server (the ingest log of an upload did)."""
    from gradio_client import Client, handle_file

    good = tmp_path / "ferry.md"
    good.write_text("# Ferry strike\n\nThe Orkney ferry strike ended after nine days, the union said.\n")
    fake = tmp_path / "fake.pdf"
    fake.write_text("not a pdf at all")
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ\x90\x00")
    hollow = tmp_path / "hollow.html"
    hollow.write_text("<html><body><div><<<>>></div></body>")  # passes the upload checks, has no text
    client = Client(served["url"], verbose=False)
    status, _ = client.predict([handle_file(str(p)) for p in (good, fake, program, hollow)], api_name="/upload")
    assert "1 added" in status and "refused: fake.pdf: not a PDF" in status and "refused: tool.exe: unsupported" in status
    assert "skipped: hollow.html: no text left" in status, status
    assert "/" not in status.replace("1 added", ""), status  # no server path in the log shown to the client
    assert stored_files(served["temp"]) == [], stored_files(served["temp"])
    answer = json.loads(client.predict("How many days did the Orkney ferry strike last?", [], None, None, api_name="/answer"))
    assert "nine days" in answer["answer"] and answer["sources"][0]["doc_id"] == "ferry.md"


@pytest.mark.parametrize("args, reason", [
    (("   ", [], None, None), "the question is empty"),
    ((123, [], None, None), "the question must be text"),
    (("What did Putin agree to?", "What did Trump say?", None, None), "history must be a list"),
    (("What did Putin agree to?", [{"role": "user"}], None, None), "history must be a list"),
    (("What did Putin agree to?", [], None, "5"), "top-k must be a whole number from 1 to 50"),
    (("What did Putin agree to?", [], None, True), "top-k must be a whole number"),
    (("What did Putin agree to?", [], "gpt-99", None), "unknown backend 'gpt-99'"),
])
def test_the_answer_api_refuses_bad_arguments_with_the_reason(served, args, reason):
    """Bullet 7: `/answer` returned a generic error with no reason for a bad question; a string
    history was read letter by letter as earlier questions."""
    from gradio_client import Client

    with pytest.raises(Exception, match=reason):
        Client(served["url"], verbose=False).predict(*args, api_name="/answer")


def test_the_upload_api_never_takes_a_file_of_the_server(served, tmp_path: Path):
    """A web client names a file on the server instead of uploading one: it must be neither
    ingested nor deleted (the upload handler deletes the files it is given once handled)."""
    import httpx

    victim = tmp_path / "victim.txt"
    victim.write_text(f"Victim notice\n\n{SECRET}\n")
    call = served["url"] + "gradio_api/call/upload"
    for path in (str(victim), str(served["temp"] / ".." / victim.parent.name / victim.name)):
        file = {"path": path, "orig_name": "victim.txt", "meta": {"_type": "gradio.FileData"}}
        event = httpx.post(call, json={"data": [[file]]}, timeout=60).json()["event_id"]
        stream = httpx.get(f"{call}/{event}", timeout=120).text
        assert "event: error" in stream and "event: complete" not in stream, stream
    assert victim.read_text().startswith("Victim notice")
    from gradio_client import Client

    answer = json.loads(Client(served["url"], verbose=False).predict(SECRET_QUESTION, [], None, None, api_name="/answer"))
    assert "7431" not in answer["answer"] and all(s["doc_id"] != "victim.txt" for s in answer["sources"])


def test_an_uploaded_file_never_handled_is_deleted_when_the_server_stops(served):
    """Bullet 7: a file sent to the upload endpoint but never to the ingest event stayed in the temp
    folder for good. (Runs last: it stops the module's server.)"""
    import httpx

    response = httpx.post(served["url"] + "gradio_api/upload",
                          files=[("files", ("orphan.txt", b"Orphan notice\n\nNobody ingests this.\n", "text/plain"))])
    assert response.status_code == 200
    assert [p.name for p in stored_files(served["temp"])] == ["orphan.txt"]
    served["proc"].send_signal(signal.SIGINT)  # Ctrl-C
    served["proc"].wait(timeout=60)
    assert stored_files(served["temp"]) == []


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory, embedder) -> Path:
    index = tmp_path_factory.mktemp("filters") / "index"
    ingest([SEEDS], Settings.load(index_dir=index), embedder=embedder)
    return index


BLOOMBERG = ("003_83634cac5ae714f9.txt", "Bloomberg News")  # the one seed with an outlet
OTHER = "002_04143a84f24f8bd1.txt"


@pytest.mark.parametrize("mode", ["dense", "hybrid", "bm25"])
def test_doc_outlet_and_both_filters_from_the_cli_in_every_retrieval_mode(seeds_index: Path, mode: str, capsys):
    """Bullet 9: `--doc X --outlet Y` built an `$and` filter that keyword retrieval rejected: bm25 (and
    the name-driven second retrieval) found nothing with both."""
    from rag.cli import main

    def ask(question: str, *filters: str) -> dict:
        assert main(["ask", question, "--json", "--retrieval", mode, "--index", str(seeds_index), *filters]) == 0
        return json.loads(capsys.readouterr().out)

    question = "How long did the Trump-Putin call last?"
    for filters, docs, fact in [(("--doc", OTHER), {OTHER}, "90 minutes"),
                                (("--outlet", BLOOMBERG[1]), {BLOOMBERG[0]}, "two and a half hours"),
                                (("--doc", BLOOMBERG[0], "--outlet", BLOOMBERG[1]), {BLOOMBERG[0]}, "two and a half hours")]:
        answer = ask(question, *filters)
        assert answer["retrieved"] and {doc for _, doc in answer["retrieved"]} == docs, (filters, answer["retrieved"])
        assert fact in answer["answer"], (filters, answer["answer"])
    # both filters, matching no document: nothing found, in every mode
    answer = ask(question, "--doc", OTHER, "--outlet", BLOOMBERG[1])
    assert answer["abstained"] and answer["retrieved"] == []
    if mode == "dense":  # top-k 1 misses one of the names: the keyword search for it runs under both filters too
        answer = ask("What did Zelenskyy tell reporters about Liana Fix?", "--doc", BLOOMBERG[0],
                     "--outlet", BLOOMBERG[1], "--top-k", "1")
        assert len(answer["retrieved"]) == 2 and {doc for _, doc in answer["retrieved"]} == {BLOOMBERG[0]}


def test_a_reader_is_never_blocked_while_an_ingest_holds_the_index(seeds_index: Path):
    """Bullet 10: ingests take a lock on the index; `rag ask` must not wait for it."""
    from rag.ingest import ingest_lock

    with ingest_lock(Settings.load(index_dir=seeds_index), print):
        asked = rag("ask", "How long did the Trump-Putin call last?", "--json", "--index", str(seeds_index), timeout=120)
    assert asked.returncode == 0, asked.stderr
    assert "90 minutes" in json.loads(asked.stdout)["answer"]


@pytest.mark.parametrize("command", ["ask", "chat", "serve", "eval"])
def test_help_states_the_defaults_the_settings_use(command: str):
    """Bullet 11: `rag ask --help` said top-k defaults to 5 (it was 6)."""
    result = rag(command, "--help", timeout=60)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    fields = Settings.model_fields
    for option, field in [("--top-k", "top_k"), ("--backend", "backend"), ("--retrieval", "retrieval"),
                          ("--index", "index_dir")]:
        assert f"(default {fields[field].default}," in text.split(f"{option} ", 2)[-1][:200], (option, text)


def test_size_messages_use_the_unit_of_the_setting(tmp_path: Path):
    """Bullet 11: a 20 MB limit read "21.0 MB" (bytes / 10**6 against a limit in 2**20 bytes), in the
    ingest log and in the upload check alike."""
    from rag.ui import check_upload

    half = tmp_path / "half.txt"
    half.write_bytes(b"w " * 2**18)  # 0.5 MB
    assert check_upload(half, "half.txt", Settings.load(max_file_mb=0.4).max_file_bytes).endswith("(0.5 MB > 0.4 MB)")
    big = tmp_path / "big.txt"
    big.write_bytes(b"w " * (21 * 2**19))  # 21 MB in the setting's unit
    result = rag("ingest", str(big), "--index", str(tmp_path / "index"), "-q", env={"RAG_MAX_FILE_MB": "20"}, timeout=120)
    assert "too large (21.0 MB > limit 20.0 MB)" in result.stderr, result.stderr


@pytest.mark.parametrize("option", [["--doc", "a.txt"], ["--outlet", "Reuters"], ["--since", "2025"], ["--until", "2025"]])
def test_serve_refuses_filters_it_would_not_apply(option, capsys):
    from rag.cli import main

    # The web UI searches every document; `rag serve --doc X` used to accept the filter and ignore it.
    with pytest.raises(SystemExit) as exit_:
        main(["serve", *option])
    assert exit_.value.code == 2 and "unrecognized arguments" in capsys.readouterr().err
