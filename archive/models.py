"""The archive's values: documents, pages, references, custody events.

Frozen dataclasses only; no I/O. The store turns catalog rows into these and
back; the ingest workers produce :class:`Extraction` values; the index, the
CLI and the web app read them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    """One page of a document's text, numbered from 1."""

    number: int
    text: str
    method: str = "text-layer"  # text-layer | plain-text | html | ocr | failed
    language: str = ""


@dataclass(frozen=True)
class Reference:
    """A treaty reference found on a page, with its exact span in the page text."""

    ref_id: str
    page: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DateFound:
    """A date mentioned on a page."""

    page: int
    start: int
    end: int
    text: str
    value: dt.date
    precision: str = "day"


@dataclass(frozen=True)
class PlaceFound:
    """A place mentioned on a page, by its gazetteer (canonical) name."""

    page: int
    start: int
    end: int
    text: str
    name: str


@dataclass(frozen=True)
class Metadata:
    """What is known about a document besides its text (sidecar, manifest, analysis)."""

    title: str = ""
    type: str = "other"
    date: str = ""  # ISO: YYYY-MM-DD, YYYY-MM or YYYY
    date_source: str = ""  # metadata | dateline | pdf-info | html-meta | ""
    issuer: str = ""
    source: str = ""
    languages: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    access: str = "public"
    synthetic: bool = False
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Extraction:
    """Everything a worker learned about one file: the writer's input."""

    path: str
    sha256: str
    size: int
    media_type: str
    pages: tuple[Page, ...]
    metadata: Metadata
    references: tuple[Reference, ...] = ()
    dates: tuple[DateFound, ...] = ()
    places: tuple[PlaceFound, ...] = ()
    extractor: str = ""
    seconds: float = 0.0
    #: What a reader of the batch's report should know about a file that went in (pages without text).
    notes: tuple[str, ...] = ()
    #: The pages' index terms (an ``index.terms.AnalysedText``), made in the worker so the one writer need not;
    #: not stored in the catalog (the index can always be rebuilt from the page texts).
    terms: Any = field(default=None, repr=False, compare=False)

    @property
    def page_count(self) -> int:
        return len(self.pages)


@dataclass(frozen=True)
class Document:
    """A document as the catalog holds it."""

    id: str
    sha256: str
    control_number: str
    original_name: str
    media_type: str
    size: int
    page_count: int
    metadata: Metadata
    ingested_at: str
    extractor: str = ""

    @property
    def title(self) -> str:
        return self.metadata.title or self.original_name

    @property
    def year(self) -> str:
        return self.metadata.date[:4]

    def bates(self, page: int) -> str:
        """The Bates-style number of a page: ``EVA-000123-0004``."""
        return f"{self.control_number}-{page:04d}"


@dataclass(frozen=True)
class CustodyEvent:
    """One link of the custody chain."""

    seq: int
    at: str
    actor: str
    action: str
    document_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


def counted(number: int, noun: str) -> str:
    """``1 file``, ``2 files``, ``1,200 files``: a count with its noun, for messages."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
