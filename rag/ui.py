"""The Gradio web UI: a thin layer over :class:`rag.pipeline.Pipeline`.

Everything shown here comes from the same :class:`rag.answer.Answer` the CLI
prints. Answers stream: a generative model's text is shown as a draft while it is
written, then replaced by the verified answer, in which a sentence verification removed
is shown struck through with the reason. Article text and file names are untrusted: they are HTML-escaped
before they reach the page, and the chat renders no raw HTML of theirs.
Per-user state (the conversation) lives in ``gr.State``; the shared parts
(store, retriever, models) are safe to use from many sessions at once, and
uploads are ingested under one lock.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .answer import Answer, Draft, Piece
from .backends import available as available_backends
from .config import MAX_TOP_K, Settings
from .documents import SUPPORTED_SUFFIXES, megabytes
from .errors import IndexMissingError, RagError, UsageError
from .question import Turn
from .render import source_byline

EXAMPLES = [
    "What did Putin agree to on energy infrastructure?",
    "How long did the Trump-Putin call last?",
    "What conditions did Russia set for a full ceasefire?",
    "Who won the Super Bowl according to these articles?",
]

CSS = """
#sources .src { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; margin-bottom: 8px; }
#sources .src.active { outline: 3px solid #f59e0b; }
#sources .src-head { font-weight: 600; margin-bottom: 4px; }
#sources .src-meta { font-size: 0.85em; opacity: 0.75; word-break: break-all; }
#sources .src-text { white-space: pre-wrap; font-size: 0.92em; }
#sources mark { background: #fde68a; color: inherit; }
#sources .src.active mark { background: #f59e0b; }
#sources .conflict { background: #fff7ed; border-left: 4px solid #f97316; padding: 6px 10px; margin-bottom: 8px; color: #7c2d12; }
#sources .abstained { opacity: 0.8; font-style: italic; }
#chat .draft { opacity: 0.7; }
#chat del.removed { opacity: 0.7; }
a.cite { text-decoration: none; font-weight: 600; cursor: pointer; }
"""

# Clicking a citation marker [n] in the chat (or a source card) brings the source into view and
# highlights it. Capturing listener: it runs before the chatbot's own link handling.
JS = """
() => {
  const show = (n) => {
    document.querySelectorAll('#sources .src').forEach(el => el.classList.remove('active'));
    const card = document.getElementById('src-' + n);
    if (card) { card.classList.add('active'); card.scrollIntoView({block: 'center'}); }
  };
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[href^="#src-"]');
    if (link) { event.preventDefault(); event.stopPropagation(); show(link.getAttribute('href').slice(5)); return; }
    const card = event.target.closest('#sources .src');
    if (card) { show(card.id.slice(4)); }
  }, true);
}
"""

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|~>])")


def escape_text(text: str) -> str:
    """Untrusted text for the chat: no HTML, no Markdown (links, images, emphasis) of its own."""
    # quote=False: quotes are harmless in text (no attribute to break out of), and escaping them
    # showed "don&#x27;t" in the chat, which renders the escaped text once more
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


REMOVED_NOTE = "removed: not supported by the sources"
DRAFT_NOTE = "draft: being checked against the sources…"
DRAFT_INTERVAL = 0.1  # seconds between two updates of a draft in the browser


def chat_markdown(answer: Answer) -> str:
    """The answer for the chat bubble: escaped sentences, each followed by links to its sources,
    then whose answer it is when the extractive reader stood in for a model, then each sentence the
    model wrote that verification removed, struck through, with why."""
    if answer.abstained or not answer.sentences:
        text = escape_text(answer.text)
    else:
        parts = ["**The sources differ.**"] if "conflict" in answer.flags else []
        for sentence in answer.sentences:
            links = "".join(f'<a class="cite" href="#src-{n}">[{n}]</a>' for n in sentence.citations)
            parts.append(f"{escape_text(sentence.text)} {links}")
        if answer.unanswered:
            parts.append(escape_text(answer.open_note))
        text = " ".join(parts)
    removed = [f'<del class="removed">{escape_text(sentence)}</del> <em class="removed-note">({REMOVED_NOTE})</em>'
               for sentence in answer.removed]
    note = [f'<em class="reader-note">{escape_text(answer.reader_note)}</em>'] if answer.reader_note else []
    return "\n\n".join([text, *note, *removed])


def draft_markdown(text: str) -> str:
    """What a model has written so far, escaped, marked as a draft (the verified answer replaces it).
    Line breaks are joined: the draft is one paragraph, as the answer will be."""
    return f'<span class="draft">{escape_text(" ".join(text.split()))}</span> <em class="draft-note">({DRAFT_NOTE})</em>'


PENDING_SOURCES = '<div id="sources-pending">Sources appear once the answer is checked against them.</div>'


def public_dict(answer: Answer) -> dict:
    """The answer's JSON for web clients: a source's "path" is its document id, never a path on
    this server (the CLI, run by the owner of the files, keeps the real path)."""
    data = answer.to_dict()
    for source in data["sources"]:
        source["path"] = source["doc_id"]
    return data


def sources_html(answer: Answer | None) -> str:
    """The sources panel: numbered cards with the cited sentences marked."""
    if answer is None:
        return '<div id="sources-empty">Sources for the answer appear here.</div>'
    if answer.abstained:
        return f'<div class="abstained">No sources: {html.escape(answer.text)}</div>'
    out = []
    for conflict in answer.conflicts:
        sides = "; ".join(
            f"{html.escape(str(c['value']))} " + "".join(f'<a class="cite" href="#src-{n}">[{n}]</a>' for n in c["sources"])
            for c in conflict.claims
        )
        out.append(f'<div class="conflict">⚠ The sources disagree ({html.escape(conflict.kind)}): {sides}</div>')
    for source in answer.sources:
        text = source.text
        pieces, cursor = [], 0
        for start, end in sorted(source.highlights):
            if start < cursor:
                continue
            pieces.append(html.escape(text[cursor:start]))
            pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
            cursor = end
        pieces.append(html.escape(text[cursor:]))
        title = html.escape(source.title or source.doc_id)
        byline = source_byline(source)
        outlet = f" — {html.escape(byline)}" if byline else ""
        out.append(
            f'<div class="src" id="src-{source.n}"><div class="src-head">[{source.n}] {title}{outlet}</div>'
            f'<div class="src-meta">{html.escape(source.doc_id)}</div>'
            f'<div class="src-text">{"".join(pieces)}</div></div>'
        )
    return "".join(out)


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """A file name that cannot climb out of the upload folder or hide itself."""
    base = re.split(r"[\\/]", name)[-1]
    base = _SAFE_NAME.sub("_", base).strip("._") or "upload"
    return base[:120]


def check_upload(path: Path, name: str, max_bytes: int) -> str | None:
    """Why an uploaded file is refused, or None: extension, size and content must agree."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return f"{name}: unsupported type {suffix or '(none)'}; allowed: {', '.join(sorted(SUPPORTED_SUFFIXES))}"
    size = path.stat().st_size
    if size > max_bytes:
        return f"{name}: too large ({megabytes(size)} > {megabytes(max_bytes)})"
    if size == 0:
        return f"{name}: empty file"
    head = path.open("rb").read(8192)
    if suffix == ".pdf":
        if not head.startswith(b"%PDF-"):
            return f"{name}: not a PDF (content does not start with %PDF-)"
    elif b"\x00" in head:
        return f"{name}: binary content in a {suffix} file"
    return None


class RequestSizeLimit:
    """ASGI middleware: the web server refuses a request whose body is over ``max_bytes``.

    Gradio limits each uploaded *file* (``max_file_size``) but not a request: one upload of many
    files under the per-file limit could fill the disk. A declared ``Content-Length`` over the
    limit is answered 413 at once, before a byte of the body is read or stored. A body without one
    (chunked) or longer than declared is counted as it arrives; past the limit the next read raises
    the multipart parser's own error, on which Gradio's upload routes delete the temp files already
    written and answer 413 (any other route gets a 413 from here).
    """

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    def _refusal(self) -> str:
        # "maximum allowed size" is the phrase Gradio's upload route maps to 413
        return (f"Request body exceeded maximum allowed size of {self.max_bytes} bytes "
                f"({megabytes(self.max_bytes)}, the limit for one upload request).")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._send_413(send)
            return
        from starlette.formparsers import MultiPartException

        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise MultiPartException(self._refusal())
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except MultiPartException:
            if started or received <= self.max_bytes:
                raise
            await self._send_413(send)

    async def _send_413(self, send) -> None:
        body = self._refusal().encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


DOCUMENT_COLUMNS = ["document", "title", "outlet", "author", "date", "chunks"]


@dataclass
class ChatState:
    """One browser session's conversation."""

    turns: list[Turn]  # the questions asked and the answers given, for follow-ups


class ChatService:
    """What the UI calls: ask, upload, list and remove documents. No Gradio in here."""

    def __init__(self, settings: Settings):
        from .pipeline import Pipeline
        from .store import ChunkStore

        self.settings = settings
        if not settings.chroma_url and not Path(settings.index_dir).is_dir():
            # ask and eval refuse a missing index too; serving an empty one hides a mistyped path
            raise IndexMissingError(f"no index at {settings.index_dir}: run `rag ingest PATH --index "
                                    f"{settings.index_dir}` first")
        self.store = ChunkStore(settings, create=True)
        self.pipeline = Pipeline(settings, self.store)
        self.upload_dir = Path(settings.index_dir) / "uploads" if not settings.chroma_url else Path(tempfile.mkdtemp(prefix="rag-uploads-"))
        self._ingest_lock = threading.Lock()
        self._embedder = None
        self._pipelines: dict[str, Any] = {}

    def pipeline_for(self, backend: str):
        """One pipeline per backend (at most four): they share the store and the query encoder;
        top-k is a per-question argument, so no client can make them multiply."""
        from .pipeline import Pipeline

        if backend not in available_backends():
            raise UsageError(f"unknown backend {backend!r}: choose one of {', '.join(available_backends())}")
        if backend == self.settings.backend:
            return self.pipeline
        if backend not in self._pipelines:
            settings = self.settings.model_copy(update={"backend": backend})
            self._pipelines[backend] = Pipeline(settings, self.store, self.pipeline.retriever.encoder)
        return self._pipelines[backend]

    def ask(self, question: str, history: list[Turn | str], backend: str | None = None, top_k: int | None = None) -> Answer:
        """Answer for one session. Raises UsageError (with the reason) for a bad backend or top-k."""
        pipeline, k = self._pipeline_and_k(backend, top_k)
        return pipeline.ask(question, history, top_k=k)

    def stream(self, question: str, history: list[Turn | str], backend: str | None = None,
               top_k: int | None = None) -> Iterator[Piece]:
        """:meth:`ask`, streamed (see :meth:`rag.pipeline.Pipeline.stream`); the arguments are checked at once."""
        pipeline, k = self._pipeline_and_k(backend, top_k)
        return pipeline.stream(question, history, top_k=k)

    def _pipeline_and_k(self, backend: str | None, top_k: int | None):
        if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, float))
                                  or int(top_k) != top_k or not 1 <= top_k <= MAX_TOP_K):
            raise UsageError(f"top-k must be a whole number from 1 to {MAX_TOP_K}, not {top_k!r}")
        return self.pipeline_for(backend or self.settings.backend), int(top_k) if top_k is not None else None

    @property
    def embedder(self):
        from .embedding import Embedder

        if self._embedder is None:
            self._embedder = Embedder(self.settings.embed_batch_size)
        return self._embedder

    def upload(self, files: list[tuple[str, str]], progress=None) -> str:
        """Check, copy and ingest uploaded files given as (temp path, original name).

        ``progress(done, total)`` is called after each embedded batch.
        """
        from .ingest import ingest

        refused, accepted = [], []
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        for temp_path, original in files:
            name = safe_name(original)
            problem = check_upload(Path(temp_path), name, self.settings.max_file_bytes)
            if problem:
                refused.append(problem)
                continue
            target = self.upload_dir / name
            shutil.copyfile(temp_path, target)
            accepted.append(target)
        lines = [f"refused: {r}" for r in refused]
        if accepted:
            with self._ingest_lock:
                settings = self.settings.model_copy(update={"prune": False})
                report = ingest(accepted, settings, store=self.store, embedder=self.embedder,
                                log=lambda line: lines.append(self._public(line)), progress=progress)
            lines.append(f"ingested: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
                         f"{len(report.skipped)} skipped; {report.chunks_embedded} chunks embedded")
        return "\n".join(lines) or "no files"

    def _public(self, line: str) -> str:
        """An ingest log line for a web client: uploaded files by name, no path on this server
        ("skipped: /srv/…/uploads/a.html: no text left" showed where the index lives)."""
        for folder, inside, bare in ((self.upload_dir, "", "uploads"), (Path(self.settings.index_dir), "index/", "index")):
            for form in sorted({str(folder.resolve()), str(folder)}, key=len, reverse=True):
                line = line.replace(form + os.sep, inside).replace(form, bare)
        return line

    def documents(self) -> list[list[Any]]:
        """Rows of DOCUMENT_COLUMNS, as `rag docs` lists them (rag.library)."""
        from .library import list_documents

        return [[d.id, d.title, d.outlet, d.author, d.published, d.chunks] for d in list_documents(self.store)]

    def remove(self, doc_id: str) -> str:
        from .library import remove_documents

        with self._ingest_lock:
            removed, _ = remove_documents([doc_id], self.settings, self.store)
            uploaded = self.upload_dir / safe_name(doc_id)
            if uploaded.is_file() and uploaded.name == doc_id:
                uploaded.unlink()
        return f"removed {doc_id}" if removed else f"no document {doc_id!r}"


def is_gradio_upload(path: Path) -> bool:
    """Whether ``path`` is a regular file in Gradio's upload folder (not a link, not elsewhere)."""
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()).resolve()
    return not path.is_symlink() and path.is_file() and path.resolve().is_relative_to(folder) and path.resolve() != folder


def discard_upload(path: Path) -> None:
    """Delete Gradio's temp copy of an uploaded file, and the folder Gradio made for it (named by
    the content's hash) when that is left empty."""
    from gradio.utils import get_upload_folder

    path.unlink(missing_ok=True)
    folder = path.parent
    if folder.resolve() != Path(get_upload_folder()).resolve():
        try:
            folder.rmdir()  # only if empty: another upload of the same content may still be there
        except OSError:
            pass


def build_app(service: ChatService):
    """The Gradio Blocks app (launch it with :func:`launch`)."""
    import gradio as gr

    # delete_cache: a file sent to /gradio_api/upload but never to an event (no one calls do_upload)
    # is deleted after an hour, and every temp file when the server stops
    with gr.Blocks(title="Newsdesk RAG", analytics_enabled=False, delete_cache=(3600, 3600)) as app:
        state = gr.State(lambda: ChatState([]))
        gr.Markdown("## Newsdesk — ask the articles\nEvery sentence cites its source; click a marker [n] to see the passage.")
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label="Answers", height=460, sanitize_html=True, elem_id="chat")
                    question = gr.Textbox(label="Question", placeholder="Ask about the articles…", elem_id="question", lines=1)
                    with gr.Row():
                        ask = gr.Button("Ask", variant="primary", elem_id="ask")
                        clear = gr.Button("New conversation")
                    gr.Examples(EXAMPLES, inputs=question, label="Examples")
                    with gr.Accordion("Settings", open=False):
                        backend = gr.Dropdown(available_backends(), value=service.settings.backend, label="Backend")
                        top_k = gr.Slider(1, 20, value=service.settings.top_k, step=1, label="Passages (top-k)")
                        show_condensed = gr.Checkbox(False, label="Show the standalone question used for follow-ups")
                with gr.Column(scale=2):
                    sources = gr.HTML(sources_html(None), elem_id="sources", label="Sources")
        with gr.Tab("Documents"):
            upload = gr.File(label="Add articles (.txt .md .html .pdf)", file_count="multiple")
            status = gr.Textbox(label="Ingest log", lines=4, interactive=False, elem_id="ingest-status")
            table = gr.Dataframe(headers=DOCUMENT_COLUMNS, value=service.documents, interactive=False)
            with gr.Row():
                remove_id = gr.Textbox(label="Document id to remove")
                remove = gr.Button("Remove", variant="stop")

        def respond(message: str, chat: list, session: ChatState, backend_name: str, k: int, condensed: bool) -> Iterator:
            message = (message or "").strip()
            if not message:
                yield chat, gr.skip(), session, ""
                return
            chat = [*chat, {"role": "user", "content": escape_text(message)}, {"role": "assistant", "content": "…"}]
            yield chat, PENDING_SOURCES, session, ""
            # A generative model's text is shown as it is written (at most every DRAFT_INTERVAL, so the
            # model is not kept waiting on the browser), then replaced by the verified answer.
            draft, shown, answer = "", 0.0, None
            try:
                with closing(service.stream(message, session.turns, backend_name, k)) as pieces:
                    for piece in pieces:
                        if isinstance(piece, Draft):
                            draft += piece.text
                            if draft.strip() and time.monotonic() - shown >= DRAFT_INTERVAL:
                                chat[-1] = {"role": "assistant", "content": draft_markdown(draft)}
                                yield chat, gr.skip(), session, ""
                                shown = time.monotonic()
                        else:
                            answer = piece.answer
            except RagError as exc:
                chat[-1] = {"role": "assistant", "content": escape_text(f"Error: {exc}")}
                yield chat, sources_html(None), session, ""
                return
            session = ChatState([*session.turns, answer.turn()])
            prefix = ""
            if condensed and answer.standalone_question != answer.question:
                prefix = f"*Searched for: {escape_text(answer.standalone_question)}*\n\n"
            chat[-1] = {"role": "assistant", "content": prefix + chat_markdown(answer)}
            yield chat, sources_html(answer), session, ""

        def reset():
            return [], sources_html(None), ChatState([])

        def do_upload(files, progress=gr.Progress()):
            # Gradio's file data as sent (preprocess=False below: gr.File's own preprocessing left an
            # empty temp file in Gradio's folder per uploaded file, never deleted). Gradio has checked
            # that each path is one of its uploads; checked again here, as these files get deleted.
            files = files if isinstance(files, list) else [files] if files else []
            pairs = [(f["path"], f.get("orig_name") or Path(f["path"]).name) for f in files
                     if isinstance(f, dict) and isinstance(f.get("path"), str) and is_gradio_upload(Path(f["path"]))]
            if not pairs:
                return "no files", service.documents()
            progress(0, desc="checking and reading files")
            try:
                status = service.upload(pairs, lambda done, total: progress(done / max(total, 1), desc=f"embedded {done}/{total} chunks"))
            finally:
                for temp_path, _ in pairs:  # accepted files were copied, refused ones are not wanted
                    discard_upload(Path(temp_path))
            return status, service.documents()

        def do_remove(doc_id):
            return service.remove((doc_id or "").strip()), service.documents()

        inputs = [question, chatbot, state, backend, top_k, show_condensed]
        outputs = [chatbot, sources, state, question]
        ask.click(respond, inputs, outputs, api_name="ask_stream")
        question.submit(respond, inputs, outputs, api_name=False)
        clear.click(reset, None, [chatbot, sources, state], api_name=False)
        upload.upload(do_upload, upload, [status, table], api_name="upload", preprocess=False)
        remove.click(do_remove, remove_id, [status, table], api_name="remove")

        def api_ask(message: str, history: list[str] | None = None, backend_name: str | None = None, k: int | None = None) -> str:
            """The answer as the JSON text of `rag ask --json` (a string: Gradio would treat the
            sources' "path" keys as files to serve)."""
            import json

            try:
                if not isinstance(message, str):
                    raise UsageError(f"the question must be text, not {type(message).__name__}")
                if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
                    # a string or numbers were read as turns: "abc" became three questions "a", "b", "c"
                    raise UsageError("history must be a list of the earlier questions, as strings")
                answer = service.ask(message, list(history or []), backend_name, k)
            except RagError as exc:
                raise gr.Error(str(exc)) from exc  # the client gets the reason, not a generic error
            return json.dumps(public_dict(answer), ensure_ascii=False)

        gr.api(api_ask, api_name="answer")
    return app


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """``user:pass`` or a file of such lines."""
    if not value:
        return None
    path = Path(value)
    lines = path.read_text().splitlines() if path.is_file() else [value]
    pairs = [tuple(line.strip().split(":", 1)) for line in lines if ":" in line]
    if not pairs:
        raise RagError("--auth expects user:pass or a file of user:pass lines")
    return pairs  # type: ignore[return-value]


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None,
           share: bool = False):
    """Start the server without blocking; returns (app, url, service). Never a public share link unless asked."""
    service = ChatService(settings)
    app = build_app(service)
    app.queue(default_concurrency_limit=8)
    from starlette.middleware import Middleware

    try:
        # The web server itself refuses an oversized upload before it is stored: a file over
        # max_file_size (Gradio's check), a request over max_upload_bytes (RequestSizeLimit).
        _, url, _ = app.launch(server_name=host, server_port=port, auth=parse_auth(auth), share=share,
                               prevent_thread_lock=True, css=CSS, js=JS, quiet=True, footer_links=[],
                               max_file_size=settings.max_file_bytes,
                               app_kwargs={"middleware": [Middleware(RequestSizeLimit, max_bytes=settings.max_upload_bytes)]})
    except OSError as exc:  # Gradio: "Cannot find empty port in range: 7860-7860"
        raise RagError(f"cannot serve on {host}:{port}: the port is in use or not allowed ({exc})") from exc
    return app, url, service
