"""Reading evidence texts: dates, language, places, document type and title.

Pure functions over text, one page or one document at a time; no I/O apart
from loading the gazetteer once. Getting text out of files is
:mod:`archive.decode` and :mod:`archive.extract`'s job; deciding what to store
is the ingest pipeline's.
"""

from archive.analyse.dates import DateMention, find_dateline, find_dates, parse_date, parse_pdf_date, pdf_date_written
from archive.analyse.doctype import (
    DOCUMENT_TYPES,
    guess_title,
    guess_type,
    is_placeholder_author,
    is_placeholder_title,
)
from archive.analyse.language import LANGUAGES, detect_language, detect_languages
from archive.analyse.places import (
    Gazetteer,
    GazetteerError,
    Place,
    PlaceMention,
    find_places,
    load_gazetteer,
    places_in,
)

__all__ = [
    "DOCUMENT_TYPES",
    "LANGUAGES",
    "DateMention",
    "Gazetteer",
    "GazetteerError",
    "Place",
    "PlaceMention",
    "detect_language",
    "detect_languages",
    "find_dateline",
    "find_dates",
    "find_places",
    "guess_title",
    "guess_type",
    "is_placeholder_author",
    "is_placeholder_title",
    "load_gazetteer",
    "parse_date",
    "parse_pdf_date",
    "pdf_date_written",
    "places_in",
]
