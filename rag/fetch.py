"""Fetching one article page by URL for ingest, with every limit enforced.

A page is untrusted and so is its server: the whole fetch (connect, redirects,
body) has one deadline, so a server that trickles bytes cannot hold a run;
the body is refused past the size limit whether or not it declares a length;
only the content types we can read are accepted; redirects are followed by
hand, at most :data:`MAX_REDIRECTS`, and only to http(s). Every failure is a
:class:`~rag.documents.DocumentError` whose message is the one-line reason.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from .documents import DocumentError, megabytes

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 30.0  # seconds for the whole fetch of one page
USER_AGENT = "newsdesk-rag/0.1 (article ingest)"
# Content type -> the file suffix whose reader handles it.
CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".xhtml",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
}


@dataclass(frozen=True)
class Page:
    url: str  # as given (the document id)
    final_url: str  # after redirects
    raw: bytes  # UTF-8 for text types that declared another charset
    suffix: str  # the reader to use: ".html", ".txt", ...


def is_url(value: str) -> bool:
    """Looks like a URL (any scheme: "ftp://x" is refused as a URL, not looked for as a file)."""
    return re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", value.strip()) is not None


def normalise(url: str) -> str:
    """The document id of a URL: scheme and host lower-case, no fragment; else as given.
    Raises DocumentError for what is not an absolute http(s) URL."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise DocumentError(f"not a valid URL: {exc}") from exc
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise DocumentError("not an http(s) URL")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise DocumentError("not a valid URL: contains white space or control characters")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


def fetch(url: str, max_bytes: int, timeout: float = DEFAULT_TIMEOUT) -> Page:
    """GET ``url`` (already :func:`normalise`-d) within ``timeout`` seconds and ``max_bytes``."""
    import httpx

    deadline = time.monotonic() + timeout
    current = url
    seen = [url]
    # trust_env=False: no proxy or .netrc from the environment is applied to untrusted URLs
    with httpx.Client(follow_redirects=False, trust_env=False, headers={
            "User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.8,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate"}) as client:
        for _ in range(MAX_REDIRECTS + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                raise DocumentError(f"timed out after {timeout:g} s")
            try:
                with client.stream("GET", current, timeout=httpx.Timeout(left)) as response:
                    if response.is_redirect:
                        target = response.headers.get("location", "")
                        nxt = urljoin(current, target)
                        try:
                            nxt = normalise(nxt)
                        except DocumentError:
                            raise DocumentError(f"redirected to {target[:200]!r}, which is not an http(s) URL") from None
                        if nxt in seen:
                            raise DocumentError(f"redirect loop ({' -> '.join(seen + [nxt])[:300]})")
                        seen.append(nxt)
                        current = nxt
                        continue
                    if response.status_code >= 400:
                        raise DocumentError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                    suffix, charset = _content_type(response.headers.get("content-type", ""))
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise DocumentError(f"page too large ({megabytes(int(declared))} > limit {megabytes(max_bytes)})")
                    body = bytearray()
                    for chunk in response.iter_raw():
                        body += chunk
                        if len(body) > max_bytes:
                            raise DocumentError(f"page too large (over the limit of {megabytes(max_bytes)})")
                        if time.monotonic() > deadline:
                            raise DocumentError(f"timed out after {timeout:g} s")
                    raw = bytes(body)
            except httpx.TimeoutException:
                raise DocumentError(f"timed out after {timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise DocumentError(f"cannot fetch: {type(exc).__name__}: {exc}") from None
            if response.headers.get("content-encoding"):
                raw = _decompress(raw, response.headers["content-encoding"], max_bytes)
            if charset and suffix != ".pdf" and charset.lower().replace("_", "-") not in {"utf-8", "utf8", "us-ascii", "ascii"}:
                try:
                    raw = raw.decode(charset, errors="replace").encode("utf-8")
                except LookupError:
                    pass  # an unknown charset: our own decoding guesses
            return Page(url, current, raw, suffix)
    raise DocumentError(f"too many redirects (more than {MAX_REDIRECTS})")


def _content_type(header: str) -> tuple[str, str | None]:
    kind, _, params = header.partition(";")
    kind = kind.strip().lower()
    if kind not in CONTENT_TYPES:
        raise DocumentError(f"unsupported content type {kind or '(none)'!r} (expected HTML, XHTML, plain text, Markdown or PDF)")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return CONTENT_TYPES[kind], charset


def _decompress(raw: bytes, encoding: str, max_bytes: int) -> bytes:
    """gzip/deflate bodies (we read raw bytes, to count what arrives), bounded: no zip bomb."""
    import zlib

    encoding = encoding.strip().lower()
    if encoding in {"", "identity"}:
        return raw
    if encoding not in {"gzip", "x-gzip", "deflate"}:
        raise DocumentError(f"unsupported content encoding {encoding!r}")
    try:
        decoder = zlib.decompressobj(zlib.MAX_WBITS | 32 if "gzip" in encoding else zlib.MAX_WBITS)
        out = decoder.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise DocumentError(f"corrupt {encoding} body: {exc}") from exc
    if len(out) > max_bytes:
        raise DocumentError(f"page too large (over the limit of {megabytes(max_bytes)} once decompressed)")
    return out
