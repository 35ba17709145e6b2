"""Bytes to pages of text: the only module that imports pypdf.

:func:`extract` takes the bytes of one file and its name and returns the
pages of text, the media type and what the file says about itself (PDF
information dictionary, HTML title and meta tags). A PDF's ligature
characters ("ﬁ", "ﬂ") are read as their letters. It raises
:class:`~archive.errors.ExtractionError` with a short reason word
(``empty``, ``encrypted``, ``corrupt``, ``mislabelled``, ``unsupported``,
``binary``) when a file cannot be read. Deciding what the text means is left
to :mod:`archive.analyse`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import pypdf
from pypdf.errors import FileNotDecryptedError, PyPdfError, WrongPasswordError

from archive.decode import decode_html, decode_text, html_meta, html_title, html_to_text
from archive.errors import ArchiveError, ExtractionError
from archive.models import Page

#: File name endings the archive reads, and the media type each one claims.
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
}

EXTRACTOR = f"pypdf {pypdf.__version__}"

#: Latin ligatures a typesetting program draws as one glyph ("ﬁ", "ﬂ", "ﬃ"), which a text layer may carry as one
#: character: read as their letters, or "conﬂict" and "ﬁrst" are no words the archive can search or detect.
_LIGATURES = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st",
})

#: What pypdf raises on a damaged page: the page is kept empty, marked ``failed``.
DAMAGED_PAGE = (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError,
                ZeroDivisionError)
#: What pypdf raises on a damaged file: the file fails as ``corrupt``.
DAMAGED_PDF = (*DAMAGED_PAGE, AssertionError, OSError)


class _PypdfWarnings(logging.Handler):
    """pypdf reports recoverable damage through logging: kept out of the batch's output, and
    collected while a page is read (per thread), so that a page that comes out empty can say why."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        caught = getattr(self.local, "caught", None)
        if caught is not None and len(caught) < 5:
            caught.append(record.getMessage())

    @contextlib.contextmanager
    def collecting(self) -> Any:
        self.local.caught = caught = []
        try:
            yield caught
        finally:
            self.local.caught = None


_pypdf_warnings = _PypdfWarnings()
_pypdf_logger = logging.getLogger("pypdf")
_pypdf_logger.setLevel(logging.WARNING)
_pypdf_logger.propagate = False
_pypdf_logger.addHandler(_pypdf_warnings)


@dataclass(frozen=True)
class ExtractedText:
    """The pages of one file and what the file says about itself."""

    media_type: str
    pages: tuple[Page, ...]
    info: dict[str, Any] = field(default_factory=dict)
    extractor: str = ""
    #: What went wrong on pages that came out without text (``page 2: pypdf: incorrect header check``).
    notes: tuple[str, ...] = ()


def is_supported(name: str) -> bool:
    """Whether the archive reads files with this name's ending."""
    return PurePath(name).suffix.lower() in MEDIA_TYPES


def extract(data: bytes, name: str, passwords: Sequence[str] = ()) -> ExtractedText:
    """Read the text of one file. ``passwords`` are tried on encrypted PDFs."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in MEDIA_TYPES:
        raise ExtractionError(name, "unsupported", f"files ending in {suffix or '(nothing)'!r} are not read")
    if not data:
        raise ExtractionError(name, "empty", "the file has no bytes")
    looks_pdf = data[:1024].lstrip().startswith(b"%PDF-")
    if suffix == ".pdf":
        if not looks_pdf:
            raise ExtractionError(name, "mislabelled", "named .pdf but does not start with %PDF-")
        return _extract_pdf(data, name, passwords)
    if looks_pdf:
        raise ExtractionError(name, "mislabelled", f"named {suffix} but is a PDF; rename it to .pdf")
    return _extract_text(data, name, MEDIA_TYPES[suffix])


def _extract_text(data: bytes, name: str, media_type: str) -> ExtractedText:
    try:
        decoded = decode_html(data) if media_type == "text/html" else decode_text(data)
    except ArchiveError as error:
        raise ExtractionError(name, "binary", str(error)) from error
    info: dict[str, Any] = {"encoding": decoded.encoding}
    text = decoded.text
    if media_type == "text/html":
        info["title"] = html_title(text) or ""
        info["meta"] = html_meta(text)
        info.update(_html_author_and_date(info["meta"]))
        text = html_to_text(text)
        method = "html"
    else:
        method = "plain-text"
    if not text.strip():
        raise ExtractionError(name, "empty", "the file holds no text")
    pages = tuple(Page(number=i, text=chunk, method=method) for i, chunk in enumerate(_split_form_feeds(text), 1))
    return ExtractedText(media_type=media_type, pages=pages, info=info, extractor=f"text {decoded.encoding}")


#: The ``<meta>`` names that give a page's author and its date, the commonest first (Dublin Core, Open Graph,
#: schema.org ``itemprop``).
_HTML_AUTHOR_META = ("author", "dc.creator", "dcterms.creator")
_HTML_DATE_META = ("date", "dc.date", "dcterms.created", "dc.date.issued", "dcterms.issued",
                   "article:published_time", "datepublished", "pubdate")


def _html_author_and_date(meta: dict[str, str]) -> dict[str, str]:
    """What a page's meta tags say of its author and date, under the keys PDF information uses (``published``
    for the date, which is the page's, not a file's creation)."""
    found = {}
    for key, names in (("author", _HTML_AUTHOR_META), ("published", _HTML_DATE_META)):
        value = next((meta[name] for name in names if meta.get(name)), "")
        if value:
            found[key] = value
    return found


def _split_form_feeds(text: str) -> list[str]:
    """Plain text is one page, unless it carries form feeds between pages."""
    chunks = text.split("\f")
    return chunks if len(chunks) > 1 else [text]


def _extract_pdf(data: bytes, name: str, passwords: Sequence[str]) -> ExtractedText:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(reader, name, passwords)
        read = [_read_pdf_page(page, number) for number, page in enumerate(reader.pages, 1)]
        info = _pdf_info(reader)
    except ExtractionError:
        raise
    except DAMAGED_PDF as error:
        raise ExtractionError(name, "corrupt", f"{type(error).__name__}: {error}") from error
    if not read:
        raise ExtractionError(name, "empty", "the PDF has no pages")
    pages = tuple(page for page, _ in read)
    notes = tuple(f"page {page.number}: {why}" for page, why in read if why)
    return ExtractedText(media_type="application/pdf", pages=pages, info=info, extractor=EXTRACTOR, notes=notes)


def _decrypt(reader: pypdf.PdfReader, name: str, passwords: Sequence[str]) -> None:
    for password in ("", *passwords):
        try:
            if reader.decrypt(password):
                return
        except WrongPasswordError:
            continue
        except (PyPdfError, NotImplementedError) as error:  # e.g. AES without a crypto library
            raise ExtractionError(name, "encrypted", f"cannot decrypt: {error}") from error
    raise ExtractionError(
        name, "encrypted", "no password given opens it; pass --password or --passwords-file"
    )


def _read_pdf_page(page: Any, number: int) -> tuple[Page, str]:
    """The page, and why it came out without text when pypdf said why (else "")."""
    with _pypdf_warnings.collecting() as warned:
        try:
            text = (page.extract_text() or "").translate(_LIGATURES)
        except FileNotDecryptedError:
            raise
        except DAMAGED_PAGE as error:
            return Page(number=number, text="", method="failed"), f"cannot be read ({type(error).__name__}: {error})"
    why = f"pypdf: {'; '.join(dict.fromkeys(warned))}" if warned and not text.strip() else ""
    return Page(number=number, text=text, method="text-layer"), why


def _pdf_info(reader: pypdf.PdfReader) -> dict[str, Any]:
    raw = reader.metadata or {}
    info: dict[str, Any] = {}
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer", "/CreationDate", "/ModDate"):
        value = raw.get(key)
        if value is not None:
            info[key.lstrip("/").lower()] = str(value)
    return info
