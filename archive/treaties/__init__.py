"""Treaty catalogue and reference detection.

The catalogue (instruments, names, dates, articles) lives in
:mod:`archive.treaties.catalogue`; detection runs in three stages like
eyecite's: :mod:`~archive.treaties.patterns` (vocabulary),
:mod:`~archive.treaties.find` (spans in text) and
:mod:`~archive.treaties.resolve` (meaning, context, checks). This package
re-exports the public API; wiring into the CLI, ingest and search is left to
those modules.
"""

from archive.treaties.catalogue import (
    Article,
    Catalogue,
    Instrument,
    UnknownReferenceError,
    expand_id,
    levels_of,
    load_catalogue,
    make_id,
    split_id,
)
from archive.treaties.resolve import (
    Detection,
    DetectionContext,
    Diagnostic,
    ReferenceMatch,
    detect,
    find_references,
    find_references_in_pages,
    parse_article_query,
    refs_record,
)

__all__ = [
    "Article",
    "Catalogue",
    "Detection",
    "DetectionContext",
    "Diagnostic",
    "Instrument",
    "ReferenceMatch",
    "UnknownReferenceError",
    "detect",
    "expand_id",
    "levels_of",
    "find_references",
    "find_references_in_pages",
    "load_catalogue",
    "make_id",
    "parse_article_query",
    "refs_record",
    "split_id",
]
