"""Finding, reading, decoding and cleaning article files.

Ingest works in two steps so that an unchanged corpus costs almost nothing:
:func:`discover` lists candidate files and :func:`read_bytes` returns their raw
bytes (enough to hash and compare), and only files that changed go through
:func:`parse`, which decodes, extracts text from HTML/PDF, strips web debris
and reads title/outlet/author/date metadata.

HTML and XHTML go through trafilatura (main text, title, author, site name,
publication date; comments and navigation dropped); our own cleaner is the
fallback when trafilatura finds no article text, and the only cleaner for
plain text with web debris (the seeds). Everything in a file is untrusted: it
is read as data, never followed (no links fetched, no entities resolved).
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError

SUPPORTED_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
# Bump when cleaning or chunking changes, so every document is re-processed on the next ingest.
# 4: HTML through trafilatura; author and publication date stored with every chunk.
CLEANER_VERSION = "4"


class DocumentError(Exception):
    """A single file cannot be ingested; the message is the reason shown to the user."""


@dataclass(frozen=True)
class SourceFile:
    """A file found under an ingest root, or a web page fetched by URL.

    Attributes:
        path: absolute path of the file (for a page: a name with the suffix of its content type).
        doc_id: the path relative to the folder it was found in (the file name
            for a file given directly, the URL for a page); shown in citations and used in filters.
        url: the page's URL (None for a file).
        root: for a file found in a folder, that folder resolved: the file must still resolve
            inside it when read. None for a file named directly, which is read as given.
    """

    path: Path
    doc_id: str
    url: str | None = None
    root: Path | None = None

    @property
    def key(self) -> str:
        """Stable store key: two files never share it, even with equal doc_ids."""
        return self.url or str(self.path)

    @property
    def location(self) -> str:
        """Where the document came from: the file's path or the page's URL."""
        return self.url or str(self.path)

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()


@dataclass(frozen=True)
class Document:
    """A cleaned article, ready for chunking."""

    source: SourceFile
    text: str
    content_hash: str
    title: str | None = None
    outlet: str | None = None
    byline: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when the article states one
    warnings: tuple[str, ...] = field(default=())

    @property
    def doc_id(self) -> str:
        return self.source.doc_id

    @property
    def author(self) -> str | None:
        return self.byline

    @property
    def display_title(self) -> str:
        return self.title or (self.source.url or self.source.path.name)


def discover(paths: list[str | Path]) -> tuple[list[SourceFile], list[Path], list[tuple[Path, str]]]:
    """List supported files under ``paths`` (files or folders, recursively).

    Returns the files, the folders they were found in (the roots whose vanished
    documents may be pruned), and the entries refused without being opened, each
    with its reason: inside a folder, only regular files that resolve inside that
    folder are read (a link ``evil.txt -> /etc/passwd`` is refused); FIFOs, sockets
    and devices are refused anywhere (opening a FIFO would block). A file named
    directly is read as given, links included. A path that does not exist raises
    :class:`UsageError`; hidden files and folders are ignored.
    """
    files: dict[Path, SourceFile] = {}
    roots: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{raw}: no such file or folder")
        path = Path(os.path.abspath(path))  # normalise "..", keep symlinks as given
        if path.is_dir():
            roots.append(path)
            inside = path.resolve()
            for found in sorted(path.rglob("*")):
                rel = found.relative_to(path)
                if any(part.startswith(".") for part in rel.parts) or found.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                problem = _unsafe(found, inside)
                if problem:
                    refused.append((found, problem))
                elif not found.is_dir():
                    files.setdefault(found, SourceFile(found, rel.as_posix(), root=inside))
        else:
            problem = _unsafe(path, None)
            if problem:
                refused.append((path, problem))
            else:
                files.setdefault(path, SourceFile(path, path.name))
    return list(files.values()), roots, refused


def _unsafe(path: Path, root: Path | None) -> str | None:
    """Why ``path`` must not be opened, judged from metadata only; None when it may be read.

    ``root``: the resolved folder the file was found in, which a link must not leave.
    """
    try:
        if path.is_symlink() and not path.exists():
            return f"cannot read file: broken symbolic link to {os.readlink(path)}"
        if root is not None and path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                return f"symbolic link to {target}, outside the folder being ingested"
        mode = path.stat().st_mode  # follows a link that stays inside
    except (OSError, RuntimeError) as exc:  # a dangling or looping link
        return f"cannot read file: {getattr(exc, 'strerror', None) or exc}"
    if stat.S_ISDIR(mode):
        return None if root is not None else "a folder"
    return _not_regular(mode)


def _not_regular(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    kind = ("FIFO (named pipe)" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode)
            else "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "folder" if stat.S_ISDIR(mode)
            else "special file")
    return f"not a regular file ({kind})"


def megabytes(size: int) -> str:
    """A size in the unit of the ``max_file_mb`` setting (2**20 bytes): a 20 MB limit reads "20.0 MB"."""
    return f"{size / 2**20:.1f} MB"


def read_bytes(source: SourceFile, max_bytes: int) -> bytes:
    """The raw bytes of a file, or :class:`DocumentError` saying why not.

    :func:`discover` judged the file from its metadata, but it may have been replaced since
    (by a FIFO, a link out of its folder, a larger file), so the file actually opened is judged
    again: a file found in a folder must still resolve inside it, and is opened without following
    a link in its place; any file must be a regular file (opened non-blocking, so a FIFO cannot
    hang the run) and within ``max_bytes``, both by the open descriptor's size and by the bytes
    read. An oversized file is refused, never cut off at the limit.
    """
    path = source.path
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"unsupported file type {path.suffix or '(none)'!r}")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
    if source.root is not None:
        path = Path(os.path.realpath(path))  # a link that stays inside is read (see discover)
        if not path.is_relative_to(source.root):
            raise DocumentError(f"symbolic link to {path}, outside the folder being ingested")
        flags |= os.O_NOFOLLOW  # a link put in its place since: refused (ELOOP), not followed
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise DocumentError(_open_failure(path, exc, source.root is not None)) from exc
    try:
        info = os.fstat(fd)
        problem = _not_regular(info.st_mode)
        if problem:
            raise DocumentError(problem)
        if source.root is not None and not _opened_inside(fd, source.root):
            raise DocumentError("moved outside the folder being ingested while it was being read")
        if info.st_size > max_bytes:
            raise DocumentError(f"file too large ({megabytes(info.st_size)} > limit {megabytes(max_bytes)})")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if len(raw) > max_bytes:  # it grew after fstat, or states no size (procfs)
        raise DocumentError(f"file too large (over the limit of {megabytes(max_bytes)} when read)")
    return raw


def _open_failure(path: Path, exc: OSError, nofollow: bool) -> str:
    """The reason a file could not be opened; a socket (ENXIO) or a link refused by O_NOFOLLOW named as such."""
    if nofollow and exc.errno == errno.ELOOP:
        return "replaced by a symbolic link after it was listed; not followed"
    try:
        problem = _not_regular(os.stat(path).st_mode)
    except OSError:
        problem = None
    return problem or f"cannot read file: {exc.strerror or exc}"


def _opened_inside(fd: int, root: Path) -> bool:
    """Whether the open file lies inside ``root``, where the system can tell (Linux's /proc): this
    catches a parent folder replaced by a link between resolving the path and opening it."""
    try:
        where = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return True  # no /proc: the resolved path opened without following a final link is the check
    return Path(where).is_relative_to(root)


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse(source: SourceFile, raw: bytes) -> Document:
    """Decode, extract and clean one file's bytes into a :class:`Document`."""
    if not raw.strip():
        raise DocumentError("empty file")
    suffix = source.suffix
    warnings: list[str] = []
    heading: str | None = None
    if suffix == ".pdf":
        text, heading = _pdf_text(raw)
    else:
        if b"\x00" in raw[:8192]:
            raise DocumentError("binary file (contains NUL bytes), not text")
        text = _decode(raw, warnings)
        if suffix in HTML_SUFFIXES:
            return _html_document(source, raw, text, warnings, source.url)
        if suffix in {".md", ".markdown"}:
            text, heading = _markdown_text(text)
    cleaned = clean_text(text)
    if not cleaned.text.strip():
        raise DocumentError("no text left after extraction and cleaning")
    return Document(
        source=source,
        text=cleaned.text,
        content_hash=content_hash(raw),
        title=heading or cleaned.title,
        outlet=cleaned.outlet,
        byline=cleaned.byline,
        published=cleaned.published,
        warnings=tuple(warnings),
    )


def _html_document(source: SourceFile, raw: bytes, html: str, warnings: list[str], url: str | None = None) -> Document:
    """An HTML page: trafilatura's article text and metadata, else our own extraction.

    Refused (:class:`DocumentError`) when neither finds a sentence of prose: a section
    front or a page of links is navigation, not an article.
    """
    meta = _trafilatura(html, url) or _Extracted("", None, None, None, None)
    text = meta.text
    cleaned = clean_text(text)
    if not _has_prose(cleaned.text):
        text, heading = _html_text(html)  # the fallback: our rules
        cleaned = clean_text(text)
        meta = _Extracted(text, meta.title or heading, meta.author, meta.sitename, meta.date)
    if not cleaned.text.strip():
        raise DocumentError("no text left after extraction and cleaning")
    if not _has_prose(cleaned.text):
        raise DocumentError("no article text found (the page holds only navigation, links or headings)")
    if any(p.match(line.strip()) for p in _PAYWALL for line in text.splitlines()):
        warnings.append("paywalled page: only the text before the subscription prompt was extracted")
    return Document(
        source=source,
        text=cleaned.text,
        content_hash=content_hash(raw),
        title=meta.title or cleaned.title,
        outlet=meta.sitename or cleaned.outlet,
        byline=meta.author or cleaned.byline,
        published=meta.date or cleaned.published,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class _Extracted:
    text: str
    title: str | None
    author: str | None
    sitename: str | None
    date: str | None


# Never article text: trafilatura drops these itself on most pages, but not on very short ones.
_PRUNE = ["//nav", "//*[@role='navigation']", "//form", "//footer"]


def _trafilatura(html: str, url: str | None = None) -> _Extracted | None:
    """Main text and metadata by trafilatura, or None when it finds no text."""
    import logging
    from datetime import date

    import trafilatura

    for name in ("trafilatura", "htmldate", "courlan"):  # its reasons are ours to give, on one line
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        found = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True, include_images=False,
            prune_xpath=_PRUNE,
            # the date the page states (meta tags, JSON-LD, <time>), not one guessed from any number in it
            date_extraction_params={"original_date": True, "extensive_search": False,
                                    "max_date": date.today().isoformat()},
        )
    except (ValueError, TypeError, RecursionError) as exc:
        raise DocumentError(f"malformed HTML: {exc}") from exc
    if found is None:
        return None

    def field_(value: object) -> str | None:
        value = _squash(str(value)) if value else ""
        return value or None

    # trafilatura's text has one block per line; ours has blank lines between paragraphs
    text = "\n\n".join(line.strip() for line in (found.text or "").splitlines() if line.strip())
    title = field_(found.title)
    if title and text and not text.startswith(title):
        text = f"{title}\n\n{text}"
    author = field_(found.author)
    return _Extracted(text, title, author.replace("; ", ", ") if author else None, field_(found.sitename),
                      field_(found.date) if found.date and _ISO_DATE.fullmatch(str(found.date)) else None)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _has_prose(text: str) -> bool:
    """At least one sentence: six or more words ending like a sentence (links and headlines do not)."""
    return any(len(line.split()) >= 6 and re.search(r"[.!?\"”’)]$", line.strip()) for line in text.splitlines())


def _decode(raw: bytes, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM); otherwise Windows-1252, then Latin-1, with a warning."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
    for encoding in ("cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        warnings.append(f"not valid UTF-8 ({bad}); decoded as {encoding}")
        return text
    raise DocumentError("cannot decode text")  # unreachable: latin-1 decodes any byte


def _html_text(html: str) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html, "html.parser")
    except Exception as exc:  # html.parser is lenient; this is for truly broken input
        raise DocumentError(f"malformed HTML: {exc}") from exc
    for tag in soup(["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "svg"]):
        tag.decompose()
    heading = None
    h1 = soup.find("h1")
    if h1 and h1.get_text(strip=True):
        heading = _squash(h1.get_text(" ", strip=True))
    elif soup.title and soup.title.get_text(strip=True):
        heading = _squash(soup.title.get_text(" ", strip=True))
    body = soup.body or soup
    blocks = []
    for element in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td", "figcaption"]):
        if element.find(["p", "li", "blockquote", "pre", "td"]):
            continue  # a container: its children are emitted themselves
        piece = _squash(element.get_text(" ", strip=True))
        if piece:
            blocks.append(piece)
    text = "\n\n".join(blocks) if blocks else body.get_text("\n", strip=True)
    # Truncated markup ("</body" with no ">") is parsed as text: drop such stray tags.
    text = re.sub(r"</?[A-Za-z][\w-]*(\s[^<>]*)?>?(?=\s|$)", " ", text)
    if heading and not text.startswith(heading):
        text = f"{heading}\n\n{text}"
    return text, heading


def _markdown_text(text: str) -> tuple[str, str | None]:
    heading = None
    match = re.search(r"^#\s+(.+?)\s*#*\s*$", text, flags=re.M)
    if match:
        heading = match.group(1).strip()
    # Keep the words, drop markup that would otherwise be read as content.
    text = re.sub(r"^#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return text, heading


def _pdf_text(raw: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            raise DocumentError("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or None
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise DocumentError(f"corrupt or unreadable PDF: {exc}") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise DocumentError("PDF has no extractable text (scanned images?)")
    return text, title.strip() if isinstance(title, str) and title.strip() else None


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- cleaning -----------------------------------------------------------------

@dataclass(frozen=True)
class Cleaned:
    text: str
    title: str | None
    outlet: str | None
    byline: str | None
    published: str | None = None


_SEPARATOR = re.compile(r"^[\W_]{1,}$")  # only punctuation/symbols: ____, ----, * * *, /
_CRUMB_SEPARATOR = re.compile(r"^[/>»|›·•]$")
_DEBRIS = [re.compile(p, re.I) for p in (
    r"^comments?(\s*\(\d+\))?$",
    r"^(blog )?comments powered by disqus\.?$",
    r"^published (in|on)\b.{0,80}$",
    r"^(advertisement|sponsored content|share this( article| story)?|share|tweet|print|email)$",
    r"^(sign up|subscribe)\b.{0,80}newsletter.{0,40}$",
    r"^[—–-]*\s*with assistance from\b.{0,200}$",
    r"^(©|\(c\)|copyright\b).{0,300}$",
    r"^.{0,200}\b(distributed by|all rights reserved)\b.{0,200}$",
)]
# Subscription prompts of a paywalled page: never article text.
_PAYWALL = [re.compile(p, re.I) for p in (
    r"^subscribe( now| today)?( to (continue|keep) reading| to read (more|the (full|whole|rest of the) (article|story)))?[.!]?$",
    r"^(this|the rest of this) (article|story|content) is (only )?(for|available to|reserved for) (paying )?(subscribers|members)( only)?[.!]?$",
    r"^already (a subscriber|a member|have an account)\?.{0,40}$",
    r"^(get|start|enjoy) (unlimited|full|digital|complete) access\b.{0,100}$",
    r"^(continue reading|read the full (article|story)) with a subscription[.!]?$",
)]
_DEBRIS += _PAYWALL
_COPYRIGHT_OWNER = re.compile(r"(?:©|\([cC]\)|[Cc]opyright)\s*(?:\d{4}\s*)?([A-Z][\w&.,' -]*?)\s*(?:\s(?:Visit|Distributed|All rights)\b|$)")
_NAME = r"[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}"
_BYLINE = re.compile(
    rf"^(?:[Bb]y\s+)?(?P<names>{_NAME}(?:(?:\s*,\s*|\s+and\s+){_NAME})*?)"
    rf"(?:\s*,\s*(?P<outlet>[A-Z][\w&.' ]{{1,60}}?))?(?:\s+on)?$"
)


_MONTHS = {m: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
    ("november", "nov"), ("december", "dec")), start=1) for m in names}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_LINE = re.compile(
    r"^(?:(?:published|updated|posted|last updated|first published|date)(?: on)?:?\s+)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<y1>\d{{4}})"
    rf"|{_MONTH.replace('month', 'month2')}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?\.?$",
    re.I,
)


def date_line(lines: list[str]) -> str | None:
    """The publication date of plain text, as YYYY-MM-DD: a line near the top that is only a date
    ("18 March 2025", "Published: March 18, 2025 10:30 GMT", "2025-03-18"); None when not clearly present."""
    from datetime import date

    for line in [line.strip() for line in lines if line.strip()][:8]:
        match = _DATE_LINE.match(line)
        if not match:
            continue
        g = match.groupdict()
        month = g["m3"] or _MONTHS[(g["month"] or g["month2"]).lower()]
        try:
            return date(int(g["y1"] or g["y2"] or g["y3"]), int(month), int(g["d1"] or g["d2"] or g["d3"])).isoformat()
        except ValueError:  # "31 February"
            return None
    return None


def _is_sentence(line: str) -> bool:
    return bool(re.search(r"[.!?\"”:;]$", line)) or len(line.split()) > 20


def _heading_like(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 20 and not line.endswith((".", ",", ";")) and not line[0].islower()


def clean_text(text: str) -> Cleaned:
    """Strip web debris (crumbs, comment widgets, footers, separators) and read metadata.

    Args:
        text: decoded text of one article.

    Returns:
        the cleaned text (paragraphs separated by blank lines), the title
        (first heading-like line), and the outlet/byline where stated.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    lines = [line.strip() for line in text.split("\n")]

    outlet = byline = None
    for line in lines:
        match = _COPYRIGHT_OWNER.search(line) if len(line.split()) <= 40 else None
        if match and match.group(1).strip():
            outlet = match.group(1).strip().rstrip(",")
            break

    published = date_line(lines)
    keep = [bool(line) for line in lines]
    content = [i for i, line in enumerate(lines) if line]

    # Breadcrumbs: a lone separator with short, sentence-less neighbours, near the top.
    for pos, i in enumerate(content[:12]):
        if _CRUMB_SEPARATOR.match(lines[i]):
            keep[i] = False
            for j in (content[pos - 1] if pos else None, content[pos + 1] if pos + 1 < len(content) else None):
                if j is not None and len(lines[j].split()) <= 4 and not _is_sentence(lines[j]):
                    keep[j] = False
        elif re.fullmatch(r"[^.!?]{1,30}(\s*[>»›|]\s*[^.!?]{1,30}){1,}", lines[i]):
            keep[i] = False  # "Home > World > Europe"

    for i, line in enumerate(lines):
        if keep[i] and (_SEPARATOR.match(line) or any(p.match(line) for p in _DEBRIS)):
            keep[i] = False

    # Byline: among the first few remaining lines, a short "Names, Outlet" line.
    remaining = [i for i in range(len(lines)) if keep[i]]
    for i in remaining[:4]:
        line = lines[i]
        match = _BYLINE.match(line) if len(line.split()) <= 14 and not _is_sentence(line) else None
        if match and (line.lower().startswith("by ") or match.group("outlet") or line.endswith(" on")):
            byline = match.group("names")
            outlet = (match.group("outlet") or "").strip() or outlet
            # Keep the credit line (readers ask "who wrote it?"), minus the dangling "on <date>".
            lines[i] = re.sub(r"\s+on$", "", line)
            break

    title = None
    remaining = [i for i in range(len(lines)) if keep[i]]
    if remaining and _heading_like(lines[remaining[0]]):
        title = lines[remaining[0]]

    # Rebuild: blank lines stay paragraph breaks, runs of them collapse to one.
    out: list[str] = []
    for i, line in enumerate(lines):
        if keep[i]:
            out.append(line)
        elif not line and out and out[-1] != "":
            out.append("")
    cleaned = "\n".join(out).strip()
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return Cleaned(cleaned, title, outlet, byline, published)
