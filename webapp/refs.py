"""Treaty references read from the catalog's ``refs`` table, inside the visitor's access levels.

The article browser, the article badges of search results and the API count
and list references here with SQL joined to ``documents``, so that a
document outside the visible levels never reaches a count or a passage. A
reference to a paragraph counts for its article and its instrument too
(``GCIV-49-6`` counts for ``GCIV-49`` and ``GCIV``).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from archive.store import Archive
from archive.treaties import UnknownReferenceError, levels_of, load_catalogue, split_id
from archive.treaties.catalogue import INSTRUMENT_IDS
from webapp.highlight import Passage, passage


@dataclass(frozen=True)
class Count:
    documents: int
    passages: int


@dataclass(frozen=True)
class Citing:
    """One passage citing an article: which document, which page, what it says around the reference."""

    doc_id: str
    control_number: str
    title: str
    date: str
    type: str
    ref_id: str
    page: int
    text: str
    context: Passage


def _in(levels: Sequence[str]) -> str:
    return ",".join("?" * len(levels))


def _matching(ref_id: str) -> tuple[str, tuple[str, int, str]]:
    """SQL matching ``ref_id`` itself and every reference below it (``GCIV-49`` → ``GCIV-49-6``)."""
    prefix = ref_id + "-"
    return "(r.ref_id = ? OR substr(r.ref_id, 1, ?) = ?)", (ref_id, len(prefix), prefix)


def article_counts(archive: Archive, levels: Sequence[str]) -> dict[str, Count]:
    """Documents and passages citing each instrument, article and paragraph."""
    documents: dict[str, set[str]] = defaultdict(set)
    passages: dict[str, int] = defaultdict(int)
    rows = archive.db.execute(
        f"SELECT r.ref_id, r.doc_id FROM refs r JOIN documents d ON d.id = r.doc_id WHERE d.access IN ({_in(levels)})",
        tuple(levels),
    )
    for ref_id, doc_id in rows:
        for level in levels_of(ref_id):
            documents[level].add(doc_id)
            passages[level] += 1
    return {key: Count(len(documents[key]), passages[key]) for key in documents}


def citing_passages(archive: Archive, ref_id: str, levels: Sequence[str], *, limit: int = 50,
                    offset: int = 0) -> tuple[int, list[Citing]]:
    """Every passage citing ``ref_id`` (or a paragraph below it), by control number and page."""
    where, params = _matching(ref_id)
    base = f"FROM refs r JOIN documents d ON d.id = r.doc_id WHERE {where} AND d.access IN ({_in(levels)})"
    total = archive.db.execute(f"SELECT COUNT(*) {base}", (*params, *levels)).fetchone()[0]
    rows = archive.db.execute(
        f"SELECT r.*, d.control_number, d.title, d.original_name, d.doc_date, d.type {base} "
        "ORDER BY d.seq, r.page, r.start LIMIT ? OFFSET ?",
        (*params, *levels, limit, offset),
    ).fetchall()
    return total, [_citing(archive, row) for row in rows]


@dataclass(frozen=True)
class CitingDocument:
    doc_id: str
    control_number: str
    title: str
    date: str
    passages: int
    pages: tuple[int, ...]


def citing_documents(archive: Archive, ref_id: str, levels: Sequence[str]) -> list[CitingDocument]:
    """The documents citing ``ref_id`` (or a paragraph below it), most passages first, with their pages."""
    where, params = _matching(ref_id)
    rows = archive.db.execute(
        "SELECT d.id, d.control_number, d.title, d.original_name, d.doc_date, COUNT(*) AS n, "
        "GROUP_CONCAT(DISTINCT r.page) AS pages FROM refs r JOIN documents d ON d.id = r.doc_id "
        f"WHERE {where} AND d.access IN ({_in(levels)}) GROUP BY d.id ORDER BY n DESC, d.seq",
        (*params, *levels),
    )
    return [CitingDocument(row["id"], row["control_number"], row["title"] or row["original_name"], row["doc_date"],
                           row["n"], tuple(sorted(int(p) for p in row["pages"].split(","))))
            for row in rows]


def _citing(archive: Archive, row: sqlite3.Row) -> Citing:
    text = archive.page_text(row["doc_id"], row["page"]) or ""
    context = passage(text, row["start"], row["end"]) if text else Passage("", row["text"], "")
    return Citing(
        doc_id=row["doc_id"], control_number=row["control_number"], title=row["title"] or row["original_name"],
        date=row["doc_date"], type=row["type"], ref_id=row["ref_id"], page=row["page"], text=row["text"],
        context=context,
    )


def is_valid_id(ref_id: str) -> bool:
    try:
        split_id(ref_id)
    except UnknownReferenceError:
        return False
    return True


def ref_label(ref_id: str) -> str:
    """A reader's label: ``GCIV Article 147 — Grave breaches``, ``GCIV Article 49(6)``, ``APMBC — Ottawa …``."""
    catalogue = load_catalogue()
    try:
        label = catalogue.describe(ref_id)
        instrument_id, article, paragraph, _ = split_id(ref_id)
    except UnknownReferenceError:
        return ref_id
    entry = catalogue.instrument(instrument_id).article(article) if article is not None else None
    if entry is not None and paragraph is None and entry.heading:
        label += f" — {entry.heading}"
    return label


def id_order(ref_id: str) -> tuple[int, int, int, str]:
    """Sort key of canonical ids: catalogue order of instruments, then article, paragraph, sub-paragraph."""
    try:
        instrument_id, article, paragraph, sub = split_id(ref_id)
    except UnknownReferenceError:
        return (len(INSTRUMENT_IDS), 0, 0, ref_id)
    rank = INSTRUMENT_IDS.index(instrument_id) if instrument_id in INSTRUMENT_IDS else len(INSTRUMENT_IDS)
    return (rank, article or 0, int(paragraph) if paragraph and paragraph.isdigit() else 0, sub or "")
