"""Query terms highlighted in page text, and the sentence around a reference.

Highlighting runs the index's own analyzer over the page text and marks the
words whose terms the search looked for (:meth:`index.SearchIndex.asked`), so
``landmine`` marks ``landmines`` and ``Shusha`` marks ``Şuşa`` and ``Шуша``,
``demin*`` marks the words it found, and what a query leaves out (``NOT``,
``-``) is not marked. Everything is escaped; only the ``<mark>`` tags this
module adds are trusted markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from archive.treaties import levels_of
from index.search import PhraseTerms, phrase_spans
from webapp.state import search_index

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


def cited_spans(references: Sequence[Any], asked: frozenset[str]) -> list[tuple[int, int]]:
    """The spans of ``references`` (of one page) that cite what ``asked`` names, or a part of it: asking for
    GCIV-147 marks "Article 147(1)" too, as the search found it."""
    if not asked:
        return []
    return [(r.start, r.end) for r in references if asked & {ref.upper() for ref in levels_of(r.ref_id)}]


def highlight(text: str, words: frozenset[str], cited: Sequence[tuple[int, int]] = (),
              phrases: tuple[PhraseTerms, ...] = ()) -> Markup:
    """``text`` escaped, with ``<mark class="hit">`` around each word whose index term is one of ``words``, around
    each occurrence of one of ``phrases`` (their words standing apart are not marked), and around each ``cited``
    span (the references a query asked for by article: ``article:GCIV-147`` marks "Article 147 of the Fourth
    Geneva Convention", whose words the query does not hold)."""
    if not words and not cited and not phrases:
        return escape(text)
    marked = sorted(cited)
    if words:
        analyzer = search_index().analyzer
        marked += [(token.startchar, token.endchar) for token in analyzer(text, chars=True, mode="index")
                   if token.text in words]
    if phrases:
        marked += phrase_spans(search_index().analyzer, text, phrases)
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
