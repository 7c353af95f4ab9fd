"""`rag ingest URL...` against a local HTTP server started by the test (never an outside address):
a good page, a slow server, a huge body, a non-HTML type, a redirect loop, a 404."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rag.cli import main
from rag.config import Settings

PAGES = Path(__file__).resolve().parent / "data" / "pages"


class Site:
    """What the server answers; a test may change a page between two ingests."""

    def __init__(self):
        self.pages = {
            "/bridge": ("text/html; charset=utf-8", (PAGES / "article_with_comments.html").read_bytes()),
            "/museum": ("application/xhtml+xml", (PAGES / "museum.xhtml").read_bytes()),
            "/note.txt": ("text/plain; charset=iso-8859-1",
                          "Ferry fares rise\n\nFares on the north shore ferry rise by 8 percent, the operator said on Monday. \u00a3\n".encode("latin-1")),
            "/logo.png": ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
            "/nav": ("text/html", (PAGES / "navigation_only.html").read_bytes()),
        }
        self.redirects = {"/old-bridge": "/bridge", "/loop-a": "/loop-b", "/loop-b": "/loop-a", "/to-ftp": "ftp://example.org/x",
                          **{f"/hop-{i}": f"/hop-{i + 1}" for i in range(8)}}  # /hop-8 would be the page
        self.requests: list[str] = []


def handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            site.requests.append(self.path)
            if self.path in site.redirects:
                self.send_response(302)
                self.send_header("Location", site.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path in site.pages:
                kind, body = site.pages[self.path]
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif self.path == "/slow":  # trickles a byte at a time: no single read ever times out
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                try:
                    for _ in range(200):
                        self.wfile.write(b"<p>")
                        self.wfile.flush()
                        time.sleep(0.1)
                except OSError:
                    pass
            elif self.path in ("/huge", "/huge-declared"):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                if self.path == "/huge-declared":
                    self.send_header("Content-Length", str(50 * 2**20))
                self.end_headers()
                try:
                    for _ in range(50 * 16):  # 50 MB in 64 KB pieces, no length given
                        self.wfile.write(b"<p>" + b"x" * (2**16 - 3))
                except OSError:
                    pass
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

    return Handler


@pytest.fixture
def site():
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(site))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield site
    server.shutdown()
    server.server_close()


def ingest(capsys, *argv: str) -> tuple[int, str, str, float]:
    started = time.perf_counter()
    code = main(["ingest", *argv])
    out, err = capsys.readouterr()
    return code, out, err, time.perf_counter() - started


def test_url_ingest_takes_good_pages_and_gives_one_line_per_bad_one(site: Site, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("RAG_MAX_FILE_MB", "1")
    index = tmp_path / "index"
    base = site.base
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# pages for the test\n{base}/museum\n\n{base}/note.txt\n{base}/logo.png\n{base}/loop-a\n"
                       f"{base}/missing\n{base}/hop-0\n{base}/huge\n{base}/huge-declared\n{base}/to-ftp\n{base}/nav\nftp://example.org/a\n")
    code, out, err, seconds = ingest(capsys, f"{base}/old-bridge#comments", f"{base}/slow", "--from-file", str(listing),
                                     "--timeout", "2", "--index", str(index))
    assert code == 0, err
    skipped = {line.split(": ", 2)[1]: line.split(": ", 2)[2] for line in err.splitlines() if line.startswith("skipped: ")}
    assert err.count("\n") == len(skipped)  # one line per refused URL, nothing else
    assert set(skipped) == {f"{base}/{p}" for p in ("slow", "logo.png", "loop-a", "hop-0", "missing", "huge", "huge-declared",
                                                       "to-ftp", "nav")} | {"ftp://example.org/a"}
    assert skipped[f"{base}/slow"] == "timed out after 2 s"
    assert skipped[f"{base}/logo.png"].startswith("unsupported content type 'image/png'")
    assert skipped[f"{base}/loop-a"].startswith("redirect loop")
    assert skipped[f"{base}/hop-0"] == "too many redirects (more than 5)"
    assert skipped[f"{base}/missing"] == "HTTP 404 Not Found"
    assert skipped[f"{base}/huge"] == "page too large (over the limit of 1.0 MB)"
    assert skipped[f"{base}/huge-declared"] == "page too large (50.0 MB > limit 1.0 MB)"
    assert "not an http(s) URL" in skipped[f"{base}/to-ftp"] and skipped["ftp://example.org/a"] == "not an http(s) URL"
    assert skipped[f"{base}/nav"].startswith("no article text found")
    assert seconds < 30  # the slow page is abandoned at its deadline; the run goes on
    assert "3 added" in out

    assert main(["docs", "--json", "--index", str(index)]) == 0
    docs = {d["id"]: d for d in json.loads(capsys.readouterr().out)}
    assert set(docs) == {f"{base}/old-bridge", f"{base}/museum", f"{base}/note.txt"}  # the id is the URL as given
    bridge = docs[f"{base}/old-bridge"]
    assert (bridge["title"], bridge["outlet"], bridge["author"], bridge["published"], bridge["source"]) == (
        "Harbour bridge reopens after two-year repair", "The Coastal Courier", "Maria Okafor", "2025-03-14", f"{base}/old-bridge")
    assert docs[f"{base}/note.txt"]["title"] == "Ferry fares rise"

    assert main(["ask", "How much did the Harbour bridge repair cost?", "--json", "--index", str(index)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "48 million euros" in answer["answer"] and answer["sources"][0]["path"] == f"{base}/old-bridge"
    assert main(["ask", "By how much do ferry fares rise?", "--json", "--index", str(index)]) == 0
    assert "8 percent" in json.loads(capsys.readouterr().out)["answer"]


def test_reingest_skips_unchanged_pages_and_updates_changed_ones(site: Site, tmp_path: Path, capsys):
    index = str(tmp_path / "index")
    urls = [f"{site.base}/bridge", f"{site.base}/museum"]
    code, out, _, _ = ingest(capsys, *urls, "--index", index)
    assert code == 0 and "2 added" in out
    code, out, _, _ = ingest(capsys, *urls, "--index", index)
    assert code == 0 and "2 unchanged" in out and "embedded 0 chunks" in out
    kind, body = site.pages["/bridge"]
    site.pages["/bridge"] = (kind, body.replace(b"48 million euros", b"52 million euros"))
    code, out, _, _ = ingest(capsys, *urls, "--index", index)
    assert code == 0 and "1 updated, 1 unchanged" in out
    assert main(["ask", "How much did the Harbour bridge repair cost?", "--json", "--index", index]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "52 million euros" in answer["answer"] and "48 million" not in json.dumps(answer["sources"])
    # files and pages in one run; a folder's pruning never touches pages
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.txt").write_text("Tram line opens\n\nThe new tram line opened on Sunday with free rides all day.\n")
    code, out, _, _ = ingest(capsys, str(folder), *urls, "--index", index)
    assert code == 0 and "1 added" in out and "2 unchanged" in out and "0 removed" in out


def test_bad_url_arguments_are_usage_errors(tmp_path: Path, capsys):
    assert main(["ingest", "--index", str(tmp_path / "i")]) == 2
    assert "nothing to ingest" in capsys.readouterr().err
    assert main(["ingest", "http://127.0.0.1:9/x", "--timeout", "0", "--index", str(tmp_path / "i")]) == 2
    assert "--timeout" in capsys.readouterr().err
