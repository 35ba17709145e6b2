"""Query terms highlighted in page text, and the sentence around a reference.

Highlighting runs the index's own analyzer over the page text and over the
words of the query, so ``landmine`` marks ``landmines`` and ``Shusha`` marks
``Şuşa`` and ``Шуша``, as the search itself matched them. Everything is
escaped; only the ``<mark>`` tags this module adds are trusted markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from index.query import QUERY_OPERATORS

TEXT_FIELDS = frozenset({"title", "issuer", "body"})
FIELD_VALUE = re.compile(r'(\w+):("[^"]*"|\([^)]*\)|\[[^\]]*\]|\S+)')
WORD = re.compile(r"[\w*?]+")
SENTENCE_END = re.compile(r"[.!?;]\s|\n\s*\n")
#: Words whose full stop does not end a sentence: the abbreviations of legal citations
#: (``Arts. 49 and 147``, ``para. 2``, ``et seq.``, ``cf.``), titles and months, in English,
#: French, Russian and Azerbaijani. Single letters count too (initials, ``p.``, ``ч.``).
ABBREVIATIONS = frozenset({
    "art", "arts", "para", "paras", "subpara", "p", "pp", "no", "nos", "cf", "e.g", "i.e", "seq", "ff",
    "sub", "vol", "vols", "ch", "chap", "sec", "ss", "ibid", "op", "cit", "prot", "conv", "suppl", "al",
    "mr", "mrs", "ms", "dr", "prof", "st", "gen", "col", "lt", "vs", "approx", "fig", "figs",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "ст", "пп", "гг", "см", "стр", "им", "т.е", "т.к", "т.д", "рис",
    "səh",
})
_LAST_WORD = re.compile(r"[\w.]+$")


@dataclass(frozen=True)
class Terms:
    """Analysed query terms: exact terms, and prefixes from wildcards such as ``landm*``."""

    exact: frozenset[str]
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)

    def matches(self, term: str) -> bool:
        return term in self.exact or any(term.startswith(p) for p in self.prefixes)


def _analyzer() -> Any:
    """The analyzer of the app's index (its gazetteer included), or the built-in one outside an app."""
    from flask import current_app, has_app_context

    if has_app_context() and "search_index" in current_app.extensions:
        return current_app.extensions["search_index"].analyzer
    return _builtin_analyzer()


@lru_cache(maxsize=1)
def _builtin_analyzer() -> Any:
    from index.analysis import text_analyzer

    return text_analyzer()


def query_words(query: str) -> list[str]:
    """The words of a query that search text: no operators, no non-text ``field:value`` parts."""
    kept = FIELD_VALUE.sub(lambda m: m[2] if m[1] in TEXT_FIELDS else " ", query)
    return [w for w in WORD.findall(kept) if w not in QUERY_OPERATORS]


def query_terms(query: str) -> Terms:
    """The analysed terms of ``query`` (what highlighting looks for)."""
    return _query_terms(query, _analyzer())


@lru_cache(maxsize=256)
def _query_terms(query: str, analyzer: Any) -> Terms:
    exact: set[str] = set()
    prefixes: list[str] = []
    for word in query_words(query):
        if "*" in word or "?" in word:
            stem = re.split(r"[*?]", word, maxsplit=1)[0].lower()
            if len(stem) >= 2:
                prefixes.append(stem)
            continue
        exact.update(token.text for token in analyzer(word, mode="query"))
    return Terms(frozenset(exact), tuple(prefixes))


def query_articles(query: str) -> frozenset[str]:
    """The treaty ids a query asks for by ``article:`` or ``instrument:`` (``article:GCIV-147`` → GCIV-147),
    except those it excludes (``NOT``, ``-``); matched case-insensitively, as the index's id fields are."""
    asked: set[str] = set()
    for found in FIELD_VALUE.finditer(query):
        if found[1] not in ("article", "instrument") or EXCLUDED.search(query, 0, found.start()):
            continue
        asked.update(value.upper() for value in re.findall(r"[\w-]+", found[2]) if value not in QUERY_OPERATORS)
    return frozenset(asked)


#: What excludes the ``field:value`` that follows it: ``-article:X``, ``NOT article:X``.
EXCLUDED = re.compile(r"(?:-|(?:^|\s)NOT\s+)\Z")


def cited_spans(references: Sequence[Any], asked: frozenset[str]) -> list[tuple[int, int]]:
    """The spans of ``references`` (of one page) that cite what ``asked`` names, or a part of it: asking for
    GCIV-147 marks "Article 147(1)" too, as the search found it."""
    if not asked:
        return []
    from archive.treaties.catalogue import expand_id

    return [(r.start, r.end) for r in references if asked & {ref.upper() for ref in expand_id(r.ref_id)}]


def highlight(text: str, terms: Terms, cited: Sequence[tuple[int, int]] = ()) -> Markup:
    """``text`` escaped, with ``<mark class="hit">`` around each word matching ``terms`` and around each ``cited``
    span (the references a query asked for by article: ``article:GCIV-147`` marks "Article 147 of the Fourth
    Geneva Convention", whose words the query does not hold)."""
    if not terms and not cited:
        return escape(text)
    marked = sorted(cited)
    if terms:
        marked += [(token.startchar, token.endchar) for token in _analyzer()(text, chars=True, mode="index")
                   if terms.matches(token.text)]
    spans: list[tuple[int, int]] = []
    for start, end in sorted(marked):
        if spans and start < spans[-1][1]:  # inside or across one already marked: one mark for both
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    out, last = Markup(), 0
    for start, end in spans:
        out += escape(text[last:start]) + Markup('<mark class="hit">') + escape(text[start:end]) + Markup("</mark>")
        last = end
    return out + escape(text[last:])


@dataclass(frozen=True)
class Passage:
    """The sentence around a span: text before it, the span, text after it (all plain text)."""

    before: str
    match: str
    after: str

    def as_dict(self) -> dict[str, str]:
        return {"before": self.before, "match": self.match, "after": self.after}

    @property
    def text(self) -> str:
        return self.before + self.match + self.after


def ends_sentence(text: str, found: re.Match[str]) -> bool:
    """Whether a :data:`SENTENCE_END` match ends a sentence: not the full stop of ``Arts.`` or ``p.``."""
    if text[found.start()] != ".":
        return True
    word = _LAST_WORD.search(text, max(0, found.start() - 12), found.start())
    if word is None:
        return True
    word_text = word.group().strip(".").lower()
    if len(word_text) == 1 and word_text.isalpha():  # an initial or "p.", unless a numbered part ends there
        return _numbered_part(text, word.start(), word.group())
    return word_text not in ABBREVIATIONS


#: Words a Roman numeral numbers ("Additional Protocol I.", "Annex V."): there the full stop ends the sentence.
NUMBERED = re.compile(r"(?i:protocol|convention|annex|part|chapter|title|section|volume|protocole|протокол\w*|"
                      r"конвенци\w*|приложени\w*|часть|глав\w*|protokol\w*|konvensiya\w*|əlavə\w*)\s+$")


def _numbered_part(text: str, start: int, letter: str) -> bool:
    return letter in "IVX" and NUMBERED.search(text, max(0, start - 24), start) is not None


def passage(text: str, start: int, end: int, width: int = 220) -> Passage:
    """The sentence holding ``text[start:end]``, cut to about ``width`` characters each side."""
    begin = max(0, start - width)
    for found in SENTENCE_END.finditer(text, begin, start):
        if ends_sentence(text, found):
            begin = found.end()
    stop = min(len(text), end + width)
    after_end = next((f for f in SENTENCE_END.finditer(text, end, stop) if ends_sentence(text, f)), None)
    if after_end:
        stop = after_end.start() + 1
    before, after = text[begin:start], text[end:stop]
    before = ("…" if begin > 0 and start - begin >= width else "") + " ".join(before.split()) + (
        " " if before[-1:].isspace() else "")
    after = (" " if after[:1].isspace() else "") + " ".join(after.split())
    return Passage(before.lstrip(), " ".join(text[start:end].split()), after.rstrip())
