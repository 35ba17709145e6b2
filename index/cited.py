"""The search for what a query cites: ``art. 147 of the Fourth Geneva Convention`` as ``article:GCIV-147``.

Typed as plain words, a citation is searched as words: it finds the documents
that happen to write it with the same words (``art``, ``147``, ``fourth``,
``geneva``, ``convention``), and misses those that cite the same article as
``GCIV Art. 147``, ``Article 147 GC IV`` or ``статья 147 Женевской конвенции``.
The reference detector reads the query as it reads a document, and
:func:`reference_query` rewrites each citation it finds into the field that
finds every form of it: ``article:`` for an article or paragraph,
``instrument:`` for a treaty named alone. The rest of the query (other words,
operators, fields, phrases) is kept as typed, so the rewritten query asks the
same question of the references instead of the words.

Nothing here reads the index: the rewritten query depends on the query's text
alone, so offering it tells nobody anything about the documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.query import field_parts, outside_quotes

#: A canonical id written as one word (``GCIV-147``, ``APMBC-5-1``, ``ccw-apii-1996-4``); the detector reads
#: ``GCIV`` in it as the treaty alone.
ID_WORD = re.compile(r"(?<![\w:])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+(?![\w-])")
#: What may stand between two citations of one list (``Articles 147 and 53``, ``147, 53``) or between an article
#: and the treaty it belongs to (``Article 147 of the Fourth Geneva Convention``): dropped with the citations.
#: ``AND``, ``OR`` and ``NOT`` in capitals are operators and are kept.
JOINING = re.compile(r"(?:[\s,;&]|\b(?:and|of|the|in|и|və)\b)*")


@dataclass(frozen=True)
class Cited:
    """One citation in a query: where it is, and the field part that searches for it."""

    start: int
    end: int
    part: str  # article:GCIV-147 or instrument:APMBC


def reference_query(text: str) -> str | None:
    """``text`` with each treaty citation in its words rewritten as ``article:`` or ``instrument:``, or ``None``
    when its words cite nothing (quoted phrases and ``field:value`` parts are never read as citations)."""
    cited = _citations(text)
    if not cited:
        return None
    pieces: list[str] = []
    position = 0
    for previous, citation in zip([None, *cited], cited, strict=False):
        gap = text[position:citation.start]
        if previous is not None and JOINING.fullmatch(gap):
            gap = " "  # "Articles 147 and 53": two references, asked for together
        pieces.append(gap)
        pieces.append(citation.part)
        position = citation.end
    pieces.append(text[position:])
    rewritten = " ".join("".join(pieces).split())
    return rewritten if rewritten != " ".join(text.split()) else None


def cited_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` cites a treaty in its words: a "did you mean" leaves those words alone (``Fourth`` in
    ``art. 147 of the Fourth Geneva Convention`` is no misspelling of ``four``)."""
    return [(citation.start, citation.end) for citation in _citations(text)]


def _citations(text: str) -> list[Cited]:
    """The citations of ``text`` outside its phrases and fields, in order."""
    from archive.treaties import detect, parse_article_query

    readable = _blanked(text)
    words = list(ID_WORD.finditer(readable))  # each read whole: "GCIV-160" cites no part of GCIV
    cited = [Cited(word.start(), word.end(), _part(ids[0])) for word in words if (ids := parse_article_query(word[0]))]
    taken = [word.span() for word in words]
    for match in detect(readable).matches:
        if not any(start < match.end and match.start < end for start, end in taken):
            cited.append(Cited(match.start, _bound_end(readable, match.end, match.id), _part(match.id)))
    cited.sort(key=lambda c: c.start)
    return cited


def _bound_end(text: str, end: int, reference_id: str) -> int:
    """Where the citation ending at ``end`` ends with the treaty named after it (``of GC IV``) taken in: the
    detector leaves that name out of the last article of a list (``Articles 147 and 53 of GC IV``)."""
    from archive.treaties import detect, split_id

    instrument, article = split_id(reference_id)[:2]
    joining = JOINING.match(text, end)
    if article is None or joining is None or joining.end() == end:
        return end
    after = joining.end()
    for match in detect(text[after:]).matches:
        if match.start == 0 and match.id == instrument:
            return after + match.end
        break
    return end


def _part(reference_id: str) -> str:
    """The field part that searches for ``reference_id``: an article (or paragraph) or a whole treaty."""
    from archive.treaties import split_id

    return f"{'instrument' if split_id(reference_id)[1] is None else 'article'}:{reference_id}"


def _blanked(text: str) -> str:
    """``text`` with its phrases and ``field:value`` parts overwritten by spaces, at the same offsets."""
    readable = list(outside_quotes(text))
    for start, end in field_parts(text):
        readable[start:end] = " " * (end - start)
    return "".join(readable)
