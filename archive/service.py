"""The verbs the CLI and the web app share: search the archive, describe a document.

These join the catalog (the system of record) and the index (derived) so
that neither interface has to: search results get their snippets from the
catalog's page texts, and a document's description comes from the catalog
alone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from archive.models import Document
from archive.settings import Settings
from archive.store import Archive
from archive.treaties import levels_of


def open_search(settings: Settings, archive: Archive) -> Any:
    """The archive's search index, reading snippet texts and the documents to leave out from ``archive``."""
    return open_archive_index(settings, archive, page_text=archive.page_text, withheld=archive.withheld_ids)


def open_archive_index(settings: Settings, archive: Archive, **options: Any) -> Any:
    """The search index of ``archive``, made new and empty only while the catalog holds no documents.

    An archive that holds documents and has no index has lost it (a home restored without its derived
    ``whoosh/`` folder, the folder removed by hand): an empty index made in its place answered "0 documents" to
    every search, and the next batch indexed its own files alone. That is an
    :class:`~archive.errors.IndexDamagedError`, which says to run ``evidence reindex``.
    """
    from index import SearchIndex

    return SearchIndex(settings.index_dir, create=not archive.count_documents(), gazetteer=settings.gazetteer,
                       **options)


def search_archive(
    settings: Settings,
    query: str,
    *,
    selected: Mapping[str, Sequence[str]] | None = None,
    limit: int = 10,
    offset: int = 0,
    sort: str = "relevance",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    access: Sequence[str] = ("public",),
) -> Any:
    """One search over the archive at ``settings.home``, as the CLI runs it."""
    from index import SearchRequest

    with Archive(settings, create=False) as archive, open_search(settings, archive) as search_index:
        request = SearchRequest(query=query, selected=dict(selected or {}), limit=limit, offset=offset,
                                sort=sort, date_from=date_from, date_to=date_to, access=tuple(access))
        return search_index.search(request)


def articles_by_document(archive: Archive, doc_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The article-level ids each document cites (``GCIV-147``, not ``GCIV-147-1``), in order of citation."""
    ids = list(doc_ids)
    if not ids:
        return {}
    found: dict[str, dict[str, None]] = defaultdict(dict)
    rows = archive.db.execute(
        f"SELECT DISTINCT doc_id, ref_id FROM refs WHERE doc_id IN ({','.join('?' * len(ids))}) "
        "ORDER BY doc_id, page, start", ids,
    )
    for doc_id, ref_id in rows:
        levels = levels_of(ref_id)
        found[doc_id][levels[1] if len(levels) > 1 else levels[0]] = None
    return {doc_id: tuple(articles) for doc_id, articles in found.items()}


def document_as_dict(archive: Archive, document: Document, *, with_text: bool = False) -> dict[str, Any]:
    """A document's catalog record as plain JSON-ready data."""
    meta = document.metadata
    data: dict[str, Any] = {
        "id": document.id,
        "control_number": document.control_number,
        "title": document.title,
        "type": meta.type,
        "date": meta.date,
        "date_source": meta.date_source,
        "issuer": meta.issuer,
        "source": meta.source,
        "languages": list(meta.languages),
        "places": list(meta.places),
        "access": meta.access,
        "synthetic": meta.synthetic,
        "original_name": document.original_name,
        "media_type": document.media_type,
        "size": document.size,
        "page_count": document.page_count,
        "sha256": document.sha256,
        "ingested_at": document.ingested_at,
        "extractor": document.extractor,
        "references": [
            {"id": r.ref_id, "page": r.page, "start": r.start, "end": r.end, "text": r.text}
            for r in archive.references(document.id)
        ],
    }
    if with_text:
        data["pages"] = [
            {"number": p.number, "text": p.text, "method": p.method, "language": p.language,
             "bates": document.bates(p.number)}
            for p in archive.pages(document.id)
        ]
    return data
