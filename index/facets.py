"""Facet counts: how many documents hold each value of a field, within a result set.

Whoosh's ``groupedby`` asks a categorizer for every matching document, one
Python call per document and field, reading term vectors or columns each
time; on a large result set that is most of a search's cost. Here each
field's values are read once per version of the index, as the set of
document entries holding each value (the field's postings, page entries left
out), and a result set is counted by set intersections, which run in C.
Facet counts count documents: page entries (which carry article ids too)
are in neither the tables nor the result sets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from whoosh.searching import Searcher

Counts = tuple[tuple[str, int], ...]


class FacetTables:
    """For each facet field, each value and the document entries holding it; read once, shared by threads."""

    def __init__(self) -> None:
        self._fields: dict[str, dict[str, frozenset[int]]] = {}
        self._lock = threading.Lock()

    def values(self, searcher: Searcher, documents: frozenset[int], field: str) -> Mapping[str, frozenset[int]]:
        table = self._fields.get(field)
        if table is None:
            table = self._read(searcher, documents, field)
            with self._lock:
                table = self._fields.setdefault(field, table)
        return table

    @staticmethod
    def _read(searcher: Searcher, documents: frozenset[int], field: str) -> dict[str, frozenset[int]]:
        """The field's values and their document entries (page entries, which carry article ids too, left out)."""
        reader = searcher.reader()
        fieldobj = searcher.schema[field]
        table: dict[str, frozenset[int]] = {}
        for term in reader.lexicon(field):
            value = fieldobj.from_bytes(term) if hasattr(fieldobj, "from_bytes") else term.decode("utf-8")
            holders = documents.intersection(reader.postings(field, term).all_ids())
            if holders:
                table[str(value)] = frozenset(holders)
        return table

    def count(self, searcher: Searcher, documents: frozenset[int], matched: set[int] | frozenset[int],
              fields: Iterable[str]) -> dict[str, Counts]:
        """Documents of ``matched`` per value of each field, most frequent first."""
        counts: dict[str, Counts] = {}
        for field in fields:
            pairs = []
            for value, holders in self.values(searcher, documents, field).items():
                found = len(holders & matched) if len(holders) < len(matched) else len(matched & holders)
                if found and value:
                    pairs.append((value, found))
            counts[field] = tuple(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))
        return counts
