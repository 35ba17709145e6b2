"""The index schema, and its version.

One Whoosh index holds two kinds of entries: one per document (``kind:doc``),
which results, counts and facets come from, and one per page
(``kind:page``), which page-level hits and snippets come from. Facet
counts therefore count documents, never pages. A page's text is in its own
field, ``page_body``, so that the document ranking's BM25 statistics (term
frequencies, average length of ``body``) are those of documents alone. Both
take terms analysed ahead of time (:mod:`index.terms`) as well as text; an
index whose schema has plain ``TEXT`` there reads and searches the same, and
its writer analyses the text itself. Bump :data:`SCHEMA_VERSION`
whenever a field changes; an index of another version must be rebuilt with
``evidence reindex``.
"""

from __future__ import annotations

from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from index.analysis import PlaceData, text_analyzer
from index.terms import AnalysableText

SCHEMA_VERSION = 6  # 6: a hyphenated word is indexed under its parts too (5: place terms made one space)

#: Facet fields the search page and API offer, in display order.
FACET_FIELDS = ("type", "instrument", "article", "year", "lang", "place", "issuer_facet")
#: Facet fields that hold several values per document.
MULTI_VALUED = frozenset({"instrument", "article", "lang", "place"})


def keyword_value(value: str) -> str:
    """A value as a comma-separated keyword field holds it: commas, which separate values there, and runs of
    spaces become one space (a place named "Some Place, North" is the term ``Some Place North``)."""
    return " ".join(value.replace(",", " ").split())


def build_schema(places: PlaceData | None = None) -> Schema:
    """The schema, its text analyzer knowing ``places`` (default: the built-in gazetteer)."""
    analyzer = text_analyzer(places=places)
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        doc_id=ID(stored=True),
        page=NUMERIC(int, stored=True),
        control=ID(stored=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0),
        issuer=TEXT(analyzer=analyzer, stored=True, field_boost=2.0),
        body=AnalysableText(analyzer=analyzer, phrase=True),
        page_body=AnalysableText(analyzer=analyzer, phrase=True),
        type=ID(stored=True, sortable=True),
        date=DATETIME(stored=True, sortable=True),
        date_text=STORED(),
        year=ID(stored=True, sortable=True),
        lang=KEYWORD(stored=True, commas=True, vector=True),
        place=KEYWORD(stored=True, commas=True, vector=True),
        instrument=KEYWORD(commas=True, vector=True),
        article=KEYWORD(commas=True, vector=True),
        issuer_facet=ID(sortable=True),
        source=ID(stored=True),
        access=ID(stored=True),
        synthetic=BOOLEAN(stored=True),
        refs=STORED(),
    )
