"""From what a user typed to a Whoosh query.

Whoosh's own syntax (phrases, AND/OR/NOT, grouping, wildcards, fuzzy ``~``)
over the title, issuer and body, with the facet fields usable by name
(``type:appeal``, ``year:2022``). Selected facet values and the access levels
a user may see become a filter that every search carries, so nothing outside
it can reach a count or a snippet. A query Whoosh cannot parse becomes a
:class:`~archive.errors.QueryError` that says what went wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import MultifieldParser
from whoosh.qparser.plugins import FieldAliasPlugin, FuzzyTermPlugin

from archive.errors import QueryError

TEXT_FIELDS = ("title", "issuer", "body")
#: Fields named in error messages: the ones worth typing.
SEARCHABLE_FIELDS = frozenset({"title", "issuer", "body", "type", "year", "date", "lang", "language", "place",
                               "instrument", "article", "source", "control"})
#: Names users may type before a colon, and the index field each means.
FIELD_ALIASES = {"language": "lang"}


def build_parser(schema: Schema) -> MultifieldParser:
    parser = MultifieldParser(list(TEXT_FIELDS), schema=schema)
    parser.add_plugin(FuzzyTermPlugin())
    aliases: dict[str, list[str]] = {}
    for alias, field in FIELD_ALIASES.items():
        aliases.setdefault(field, []).append(alias)
    parser.add_plugin(FieldAliasPlugin(aliases))
    return parser


FIELD_PREFIX = re.compile(r"(?<![\w\\])([A-Za-z_]+):")
DANGLING_START = re.compile(r"^\s*(AND|OR)\b")
DANGLING_END = re.compile(r"\b(AND|OR|NOT)\s*$")


def parse_user_query(parser: MultifieldParser, text: str) -> wq.Query:
    """The query for ``text``; every document when it is blank.

    Whoosh's parser accepts almost anything and silently drops what it cannot
    read; a lawyer must instead be told. Unknown fields, unclosed phrases or
    groups, dangling operators and values that read as nothing become a
    :class:`QueryError` with the query the archive would run instead.
    """
    text = text.strip()
    if not text:
        return wq.Every()
    check_syntax(text, set(parser.schema.names()) | set(FIELD_ALIASES))
    try:
        parsed = parser.parse(text)
    except Exception as error:  # noqa: BLE001 - whoosh raises many kinds on bad input
        raise QueryError(text, f"{type(error).__name__}: {error}", _plain_words(text)) from error
    if _holds_null(parsed):
        raise QueryError(text, "part of it could not be read as a search (check field values such as dates)",
                         _plain_words(text))
    return parsed


def check_syntax(text: str, fields: set[str]) -> None:
    """Raise :class:`QueryError` for the mistakes Whoosh would silently swallow."""
    for match in FIELD_PREFIX.finditer(_outside_quotes(text)):
        if match[1] not in fields:
            known = ", ".join(sorted(f for f in fields if f in SEARCHABLE_FIELDS))
            raise QueryError(text, f"there is no field {match[1]!r}; fields are: {known}",
                             text.replace(match[0], match[1] + " ", 1))
    if text.count('"') % 2:
        raise QueryError(text, "a phrase is not closed", text + '"')
    depth = 0
    for char in _outside_quotes(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QueryError(text, "a ')' closes a group that was never opened", text.replace(")", "", 1))
    if depth:
        raise QueryError(text, "a group '(' is not closed", text + ")" * depth)
    for pattern in (DANGLING_START, DANGLING_END):
        found = pattern.search(text)
        if found:
            rest = (text[:found.start()] + text[found.end():]).strip()
            where = "after it" if found[1] == "NOT" else "on both sides"
            raise QueryError(text, f"{found[1]} needs a search term {where}", rest or None)


def _outside_quotes(text: str) -> str:
    return re.sub(r'"[^"]*"', lambda m: " " * len(m[0]), text)


def _holds_null(query: wq.Query) -> bool:
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return True
    return any(_holds_null(child) for child in query.children())


def _plain_words(text: str) -> str | None:
    words = "".join(c if c.isalnum() or c.isspace() else " " for c in text).split()
    return " ".join(words) or None


def build_filter(
    kind: str,
    access: Iterable[str],
    selected: Mapping[str, Sequence[str]] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> wq.Query:
    """Entries of ``kind`` a user may see, within the selected facet values and dates."""
    parts: list[wq.Query] = [wq.Term("kind", kind), wq.Or([wq.Term("access", level) for level in access])]
    for field, values in (selected or {}).items():
        if values:
            parts.append(wq.Or([wq.Term(field, value) for value in values]))
    if date_from or date_to:
        start = dt.datetime.combine(date_from, dt.time.min) if date_from else None
        end = dt.datetime.combine(date_to, dt.time.max) if date_to else None
        parts.append(wq.DateRange("date", start, end))
    return wq.And(parts)

