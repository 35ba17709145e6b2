"""Facet counts: how many documents hold each value of a field, within a result set.

Whoosh's ``groupedby`` asks a categorizer for every matching document, one
Python call per document and field, reading term vectors or columns each
time; on a large result set that is most of a search's cost. Here each
field's values are read once per searcher, as the set of entries holding
each value (the field's postings), and a result set is counted by set
intersections, which run in C. Facet counts count documents: the result sets
given here hold only ``kind:doc`` entries, so page entries (which carry
article ids too) never count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from whoosh.searching import Searcher

Counts = tuple[tuple[str, int], ...]


class FacetTables:
    """Per searcher: for each facet field, each value and the entries holding it."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self._fields: dict[str, dict[str, frozenset[int]]] = {}

    def values(self, field: str) -> Mapping[str, frozenset[int]]:
        if field not in self._fields:
            self._fields[field] = self._read(field)
        return self._fields[field]

    def _read(self, field: str) -> dict[str, frozenset[int]]:
        reader = self._searcher.reader()
        fieldobj = self._searcher.schema[field]
        table: dict[str, frozenset[int]] = {}
        for term in reader.lexicon(field):
            value = fieldobj.from_bytes(term) if hasattr(fieldobj, "from_bytes") else term.decode("utf-8")
            table[str(value)] = frozenset(reader.postings(field, term).all_ids())
        return table

    def count(self, matched: set[int], fields: Iterable[str]) -> dict[str, Counts]:
        """Documents of ``matched`` per value of each field, most frequent first."""
        counts: dict[str, Counts] = {}
        for field in fields:
            pairs = []
            for value, holders in self.values(field).items():
                found = len(holders & matched) if len(holders) < len(matched) else len(matched & holders)
                if found and value:
                    pairs.append((value, found))
            counts[field] = tuple(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))
        return counts

