"""Facet counts: how many documents hold each value of a field, within a result set.

Whoosh's ``groupedby`` asks a categorizer for every matching document, one
Python call per document and field, reading term vectors or columns each
time; on a large result set that is most of a search's cost. Here each
field's values are read once per version of the index, as the document
entries holding each value (the field's postings, page entries left out),
laid end to end in one array per field; a result set is counted with one
lookup over that array and one sum per value (numpy). Facet counts count
documents: page entries (which carry article ids too) are in neither the
tables nor the result sets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from whoosh.searching import Searcher

from index.sets import Entries, intersection, mask, read_postings

Counts = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class FacetTable:
    """One field's values, and the document entries holding each: ``holders[starts[i]:starts[i + 1]]``."""

    values: tuple[str, ...]
    starts: np.ndarray
    holders: Entries


class FacetTables:
    """For each facet field, each value and the document entries holding it; read once, shared by threads."""

    def __init__(self) -> None:
        self._fields: dict[str, FacetTable] = {}
        self._lock = threading.Lock()

    def table(self, searcher: Searcher, documents: Entries, field: str) -> FacetTable:
        table = self._fields.get(field)
        if table is None:
            table = self._read(searcher, documents, field)
            with self._lock:
                table = self._fields.setdefault(field, table)
        return table

    @staticmethod
    def _read(searcher: Searcher, documents: Entries, field: str) -> FacetTable:
        """The field's values and their document entries (page entries, which carry article ids too, left out)."""
        reader = searcher.reader()
        size = reader.doc_count_all()
        fieldobj = searcher.schema[field]
        values: list[str] = []
        parts: list[Entries] = []
        for term in reader.lexicon(field):
            value = fieldobj.from_bytes(term) if hasattr(fieldobj, "from_bytes") else term.decode("utf-8")
            holders = intersection(read_postings(searcher, field, term)[0], documents, size)
            if len(holders) and str(value):
                values.append(str(value))
                parts.append(holders)
        starts = np.cumsum([0] + [len(part) for part in parts], dtype=np.int64)
        holders = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return FacetTable(tuple(values), starts, holders)

    def count(self, searcher: Searcher, documents: Entries, matched: Entries,
              fields: Iterable[str]) -> dict[str, Counts]:
        """Documents of ``matched`` per value of each field, most frequent first."""
        counts: dict[str, Counts] = {}
        chosen = mask(matched, searcher.reader().doc_count_all())
        for field in fields:
            table = self.table(searcher, documents, field)
            if not table.values:
                counts[field] = ()
                continue
            found = np.add.reduceat(chosen[table.holders], table.starts[:-1], dtype=np.int64)
            pairs = [(value, int(n)) for value, n in zip(table.values, found.tolist(), strict=True) if n]
            counts[field] = tuple(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))
        return counts
