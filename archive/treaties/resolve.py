"""Decide what each found piece refers to (last pipeline stage) and the public API.

Takes the mentions and citations of :mod:`archive.treaties.find` and binds
every citation to an instrument: the one named right after it ("Article 147 of
the Fourth Geneva Convention", "статья 147 Уголовного кодекса"), else the one
named right before it ("GC IV, art. 49(6)", "Ottava Konvensiyasının 5-ci
maddəsi"), else the instrument last named in the text (the context, which also
serves "the Convention", "ibid." and "the same Convention"). A citation whose
target is a national law, code or another treaty yields nothing. Articles,
paragraphs and sub-paragraphs are checked against the catalogue; what does not
exist becomes a :class:`Diagnostic`, never a reference.

Decisions worth knowing:

* "Protocol II" / "AP II" is Additional Protocol II unless the text around it
  speaks of the CCW (amended, 1996, booby-traps, CCW, Protocol III...; a
  mention of mines counts half); ties go to the family last named, then to
  APII. A cited provision that exists in only one of the two decides
  ("Article 17 of Protocol II" is APII, "Article 3(3)" the CCW one).
* "Article 5 of the First and Second Geneva Conventions" yields one reference
  per instrument; "Fourth Geneva Convention (GCIV)" is one mention.
* A citation followed by "of <something that is not a catalogue instrument>"
  (a law, a report, "the Agreement"), by a capitalised Russian genitive
  ("Уголовного кодекса", "Соглашения") or preceded by a capitalised
  Azerbaijani genitive ("Qanunun 5-ci maddəsi") names another instrument and
  yields nothing; such a name also resets the context.
* "the Geneva Convention" without a number is the Geneva Convention last
  named, else GCIV; "the Geneva Conventions" with Article 1-3 is GC-COMMON,
  with an article only one Convention has (144-159) that Convention,
  otherwise it names no single instrument and yields nothing.
* An article whose paragraph structure is not recorded (most Geneva
  Convention articles) accepts any paragraph; a recorded structure rejects a
  missing paragraph. A lettered item cited without a paragraph number
  ("Article 8(a)") counts as the article.
* Mentions of an instrument without an article are references to the
  instrument; risky abbreviations (API, PI, MBT, "IV GC", "4 GC") count only
  inside citations, and only there set the context ("The API returned an
  error. Article 5 ..." yields nothing). "IV GC" and "4 GC" are read right
  after the cited number ("Art. 53 4 GC"), after "of (the)" where the citation
  ends ("Article 147 of the IV GC.") and right before the keyword ("IV GC
  Article 147"), never across a comma before it ("At the IV GC, Article 12").
* A bare number right after a Geneva or Additional Protocol abbreviation
  ("GCIV 147", "AP I 51(2)") is an article only when the instrument has it and
  punctuation or the end of the text follows; it binds to that abbreviation
  alone ("GCIV 1949", "GC IV 12 August 1949", "GCIV 196 States" stay the
  instrument). A list ("GCIV 1, 2 and 3") counts up to its last item that
  punctuation follows, and only while the instrument has every article in it
  ("GCIV 147 and 160." stays the instrument); a range never does.
* "Article 146 et seq." / "Arts. 146 ff." / "articles 146 et suivants" cite
  the named article only; the following ones are not guessed.
* French citations bind through "de la", "de l'", "du", "des" ("article 49,
  alinéa 6, de la IVe Convention de Genève"), and "de" before an unknown name
  marks another instrument, as "of" does. "Protocole II" is decided like
  "Protocol II"; "CG IV" and "PA I" are the French "GC IV" and "AP I"
  ("CGI", the tax code, is not).

Storage, indexing and the CLI are left to their own modules.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from archive.treaties import patterns as p
from archive.treaties.catalogue import (
    UnknownReferenceError,
    load_catalogue,
    make_id,
    split_id,
)
from archive.treaties.find import (
    BARE,
    Citation,
    CitationItem,
    Mention,
    citation_windows,
    find_citations,
    find_mentions,
    scan_triggers,
    with_bare_numbers,
)

FOREIGN_TARGET = "<foreign>"
PLURAL_GENEVA = "<geneva-conventions>"
CONVENTIONS = {"GCI", "GCII", "GCIII", "GCIV", "APMBC", "CCM"}
PROTOCOLS = {"API", "APII", "CCW-APII-1996", "CCW-PIII"}
GENEVA = {"GCI", "GCII", "GCIII", "GCIV"}
CCW_PROTOCOLS = {"CCW-APII-1996", "CCW-PIII"}
SPECIFIC_KINDS = {p.INSTRUMENT, p.PROTOCOL_TWO, p.GENEVA_SINGLE, p.PROTOCOL_LIST, p.GENEVA_LIST}
LIST_KINDS = {p.PROTOCOL_LIST, p.GENEVA_LIST}


@dataclass(frozen=True)
class ReferenceMatch:
    """A reference found in text: canonical id, span (code points, end exclusive), exact text."""

    id: str
    start: int
    end: int
    text: str

    @property
    def instrument(self) -> str:
        return split_id(self.id)[0]

    @property
    def article(self) -> int | None:
        return split_id(self.id)[1]

    @property
    def paragraph(self) -> str | None:
        return split_id(self.id)[2]

    @property
    def subparagraph(self) -> str | None:
        return split_id(self.id)[3]


@dataclass(frozen=True)
class Diagnostic:
    """Something that looked like a reference but was not emitted, and why."""

    kind: str
    start: int
    end: int
    text: str
    message: str


@dataclass(frozen=True)
class Detection:
    """Everything the detector found in one text."""

    matches: tuple[ReferenceMatch, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class DetectionContext:
    """What has been named so far; carried across the pages of one document."""

    last_any: str | None = None
    last_convention: str | None = None
    last_protocol: str | None = None
    last_geneva: str | None = None
    last_protocol_two: str | None = None
    ccw_seen: bool = False

    def note(self, instrument_id: str) -> None:
        self.last_any = instrument_id
        if instrument_id in CONVENTIONS:
            self.last_convention = instrument_id
        if instrument_id in GENEVA:
            self.last_geneva = instrument_id
        if instrument_id in PROTOCOLS:
            self.last_protocol = instrument_id
        if instrument_id in ("APII", "CCW-APII-1996"):
            self.last_protocol_two = instrument_id
        if instrument_id in CCW_PROTOCOLS:
            self.ccw_seen = True

    def note_foreign(self, mention_text: str) -> None:
        self.last_any = FOREIGN_TARGET
        lowered = mention_text.lower()
        if re.search(r"conven|treat|конвенц|договор|konvens|müqavil", lowered):
            self.last_convention = FOREIGN_TARGET
        if re.search(r"protoc|протокол|protokol", lowered):
            self.last_protocol = FOREIGN_TARGET


@dataclass(frozen=True)
class Binding:
    """The mention a citation is attached to, and how ('follow', 'precede', 'group')."""

    mention: Mention | None
    how: str
    foreign: bool = False


@dataclass
class _Output:
    matches: list[ReferenceMatch] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


# -- binding (positional, no context) ------------------------------------------


def _following_binding(text: str, citation: Citation, by_start: dict[int, Mention]) -> Binding | None:
    connector = p.FOLLOW_CONNECTOR.match(text, citation.end)
    position = connector.end()
    positions = [position]
    determiner = p.FOLLOW_DETERMINER.match(text, position)
    if determiner:
        positions.append(determiner.end())
    year = p.FOLLOW_YEAR.match(text, positions[-1])
    if year:
        positions.append(year.end())
    for candidate in positions:
        if candidate in by_start:
            return Binding(by_start[candidate], "follow")
    phrase = p.FOLLOW_NOUN_PHRASE.match(text, citation.end)
    if phrase and phrase.end() in by_start and by_start[phrase.end()].kind in SPECIFIC_KINDS:
        return Binding(by_start[phrase.end()], "follow")
    if connector["of"] and p.FOLLOW_OF.fullmatch(connector["of"]) and p.FOLLOW_WORD.match(text, positions[-1]):
        return Binding(None, "follow", foreign=True)
    gap = text[citation.end:position]
    if gap.strip() == "" and position < len(text) and re.match(r"[А-ЯЁ]", text[position]):
        return Binding(None, "follow", foreign=True)
    return None


def _preceding_binding(text: str, citation: Citation, by_end: dict[int, Mention]) -> Binding | None:
    lookback = text[max(0, citation.start - 40):citation.start]
    gap = p.PRECEDING_GAP.search(lookback)
    earliest = citation.start - (len(gap.group()) if gap else 0)
    mention = next(
        (by_end[end] for end in range(citation.start, earliest - 1, -1) if end in by_end), None
    )
    if mention is None:
        if citation.style == "az" and p.AZ_GENITIVE_BEFORE.search(lookback):
            return Binding(None, "precede", foreign=True)
        return None
    return Binding(mention, "precede", foreign=mention.kind in (p.FOREIGN, p.CCW_FRAME))


def bind_citations(text: str, citations: list[Citation], mentions: list[Mention]) -> list[Binding | None]:
    """Attach each citation to the mention after it, before it, or its list neighbour's."""
    by_start = {m.start: m for m in mentions}
    by_end = {m.end: m for m in mentions}
    bindings: list[Binding | None] = []
    for citation in citations:
        binding = None
        if citation.style not in ("az", BARE):
            binding = _following_binding(text, citation, by_start)
        binding = binding or _preceding_binding(text, citation, by_end)
        if binding and binding.mention and binding.mention.kind in (p.FOREIGN, p.CCW_FRAME):
            binding = Binding(binding.mention, binding.how, foreign=True)
        bindings.append(binding)
    for index in range(len(citations) - 2, -1, -1):
        following = bindings[index + 1]
        if bindings[index] is None and following is not None and following.how in ("follow", "group"):
            gap = text[citations[index].end:citations[index + 1].start]
            if p.GROUP_GAP.fullmatch(gap):
                bindings[index] = Binding(following.mention, "group", following.foreign)
    return bindings


# -- meaning (needs context) ------------------------------------------------------


def _protocol_two(text: str, mention: Mention, context: DetectionContext) -> str:
    own = text[mention.start:mention.end]
    if p.CCW_SIGNALS.search(own):
        return "CCW-APII-1996"
    if p.ADDITIONAL_SIGNALS.search(own):
        return "APII"
    around = text[max(0, mention.start - 300):mention.start] + " " + text[mention.end:mention.end + 300]
    ccw = len(p.CCW_SIGNALS.findall(around)) + (1 if context.ccw_seen else 0)
    ccw += 0.5 if p.WEAK_CCW_SIGNALS.search(around) else 0
    additional = len(p.ADDITIONAL_SIGNALS.findall(around))
    if ccw != additional:
        return "CCW-APII-1996" if ccw > additional else "APII"
    if context.last_protocol_two:
        return context.last_protocol_two
    return "CCW-APII-1996" if context.last_protocol in CCW_PROTOCOLS else "APII"


def _list_members(mention: Mention) -> list[str]:
    if mention.kind == p.GENEVA_LIST:
        return list(dict.fromkeys(mention.numerals))
    additional = "I" in mention.numerals or mention.value == "additional"
    ids = {"I": "API", "II": "APII"} if additional else {"II": "CCW-APII-1996", "III": "CCW-PIII"}
    return [ids[n] for n in mention.numerals if n in ids]


def mention_instrument(text: str, mention: Mention, context: DetectionContext) -> str | None:
    """The instrument id a mention stands for here (or FOREIGN_TARGET / PLURAL_GENEVA / None)."""
    kind = mention.kind
    if kind == p.INSTRUMENT:
        return mention.value
    if kind == p.PROTOCOL_TWO:
        return _protocol_two(text, mention, context)
    if kind in LIST_KINDS:
        members = _list_members(mention)
        return members[0] if members else None
    if kind == p.GENEVA_SINGLE:
        return context.last_geneva or "GCIV"
    if kind == p.GENEVA_PLURAL:
        return PLURAL_GENEVA
    if kind == p.GENERIC_CONVENTION:
        return context.last_convention
    if kind == p.GENERIC_PROTOCOL:
        return context.last_protocol
    if kind == p.GENERIC_ANY:
        return context.last_any
    return FOREIGN_TARGET


def _update_context(text: str, mention: Mention, context: DetectionContext) -> None:
    if mention.kind in (p.FOREIGN, p.CCW_FRAME):
        context.note_foreign(text[mention.start:mention.end])
        context.ccw_seen = context.ccw_seen or mention.kind == p.CCW_FRAME
    elif mention.kind == p.GENEVA_PLURAL:
        context.last_any = context.last_convention = PLURAL_GENEVA
    elif mention.kind in LIST_KINDS:
        for member in _list_members(mention):
            context.note(member)
    elif mention.kind in SPECIFIC_KINDS:
        instrument = mention_instrument(text, mention, context)
        if instrument:
            context.note(instrument)


def _emit_mention(text: str, mention: Mention, context: DetectionContext, out: _Output) -> None:
    if mention.kind not in SPECIFIC_KINDS or not mention.standalone:
        return
    members = (
        _list_members(mention) if mention.kind in LIST_KINDS
        else [mention_instrument(text, mention, context)]
    )
    for member in members:
        if member and member not in (FOREIGN_TARGET, PLURAL_GENEVA):
            out.matches.append(ReferenceMatch(member, mention.start, mention.end, text[mention.start:mention.end]))


def _citation_instrument(
    text: str, citation: Citation, binding: Binding | None, context: DetectionContext
) -> str | None:
    if citation.common:
        return "GC-COMMON"
    if binding is not None and binding.foreign:
        return FOREIGN_TARGET
    if binding is not None and binding.mention is not None:
        return mention_instrument(text, binding.mention, context)
    return context.last_any


def _item_id(
    instrument_id: str, item: CitationItem, text: str, out: _Output, span: tuple[int, int]
) -> str | None:
    """Canonical id of one item, or None with a diagnostic when it does not exist."""
    if instrument_id == PLURAL_GENEVA:
        instrument_id = _geneva_plural_target(item.article)
        if instrument_id is None:
            return None
    missing = load_catalogue().missing(instrument_id, item.article, item.paragraph, item.sub)
    if missing is not None:
        kind, message = missing
        return _diagnose(out, kind, span, text, message)
    return make_id(instrument_id, item.article, item.paragraph, item.sub)


def _geneva_plural_target(article: int) -> str | None:
    """'Article N of the Geneva Conventions': common Articles 1-3, else the one Convention having N."""
    if 1 <= article <= 3:
        return "GC-COMMON"
    catalogue = load_catalogue()
    having = [gc for gc in sorted(GENEVA) if catalogue.exists(gc, article)]
    return having[0] if len(having) == 1 else None


def _diagnose(out: _Output, kind: str, span: tuple[int, int], text: str, message: str) -> None:
    out.diagnostics.append(Diagnostic(kind, span[0], span[1], text[span[0]:span[1]], message))
    return None


def _citation_span(text: str, citation: Citation, binding: Binding | None) -> tuple[int, int]:
    start, end = citation.start, citation.end
    if binding and binding.mention and binding.how == "follow":
        end = _past_closing_bracket(text, citation.end, binding.mention.start, max(end, binding.mention.end))
    if binding and binding.mention and binding.how == "precede":
        start = min(start, binding.mention.start)
        end = _past_closing_bracket(text, binding.mention.end, citation.start, end)
    return start, end


def _past_closing_bracket(text: str, gap_start: int, gap_end: int, end: int) -> int:
    """``end``, moved past the bracket that closes one opened between the citation and its instrument."""
    gap = text[gap_start:gap_end]
    opened = max(gap.rfind("("), gap.rfind("["))
    if opened < 0 or ")" in gap[opened:] or "]" in gap[opened:]:
        return end  # no bracket left open between them ("Fourth Geneva Convention (1949), Article 147")
    closing = p.CLOSING_BRACKET[gap[opened]].match(text, end)
    return closing.end() if closing else end


def _items_exist(instrument_id: str, citation: Citation) -> bool:
    catalogue = load_catalogue()
    return any(catalogue.exists(instrument_id, i.article, i.paragraph, i.sub) for i in citation.items)


def _check_protocol_two(instrument_id: str, citation: Citation, binding: Binding | None) -> str:
    """'Article 17 of Protocol II' can only be APII; 'Article 3(3)' only the CCW one."""
    if binding is None or binding.mention is None or binding.mention.kind != p.PROTOCOL_TWO:
        return instrument_id
    other = "APII" if instrument_id == "CCW-APII-1996" else "CCW-APII-1996"
    if not _items_exist(instrument_id, citation) and _items_exist(other, citation):
        return other
    return instrument_id


def _emit_citation(
    text: str, citation: Citation, binding: Binding | None, context: DetectionContext, out: _Output
) -> None:
    instrument_id = _citation_instrument(text, citation, binding, context)
    if instrument_id is None or instrument_id == FOREIGN_TARGET:
        return
    instrument_id = _check_protocol_two(instrument_id, citation, binding)
    targets = [instrument_id]
    if binding and binding.mention and binding.mention.kind in LIST_KINDS and not citation.common:
        targets = _list_members(binding.mention)  # "Article 5 of the First and Second Geneva Conventions"
    whole = _citation_span(text, citation, binding)
    for target in targets:
        _emit_items(text, citation, target, whole, out)
    if instrument_id in catalogue_instrument_ids():
        context.note(instrument_id)


def _emit_items(
    text: str, citation: Citation, instrument_id: str, whole: tuple[int, int], out: _Output
) -> None:
    first = citation.items[0]
    for item in citation.items:
        if len(citation.items) == 1:
            span = whole
        else:
            span = (min(item.start, whole[0]) if item is first else item.start, item.end)
        reference_id = _item_id(instrument_id, item, text, out, span)
        if reference_id:
            out.matches.append(ReferenceMatch(reference_id, span[0], span[1], text[span[0]:span[1]]))


def catalogue_instrument_ids() -> set[str]:
    return {instrument.id for instrument in load_catalogue().instruments} - {"GC-COMMON"}


def _outside_citations(mentions: list[Mention], citations: list[Citation]) -> list[Mention]:
    """Drop mentions swallowed by a citation's own span (both lists sorted by start)."""
    starts = [c.start for c in citations]
    kept = []
    for mention in mentions:
        index = bisect.bisect_right(starts, mention.start)
        if index and citations[index - 1].end >= mention.end:
            continue
        kept.append(mention)
    return kept


def _process(text: str, context: DetectionContext) -> Detection:
    triggers = scan_triggers(text)
    mentions = find_mentions(text, triggers)
    citations = find_citations(text, citation_windows(text, triggers))
    mentions = _outside_citations(mentions, citations)
    citations = with_bare_numbers(text, citations, mentions)
    bindings = bind_citations(text, citations, mentions)
    consumed = {id(b.mention) for b in bindings if b is not None and b.mention is not None}
    events: list[tuple[int, int, object]] = [(m.start, 1, m) for m in mentions]
    events += [(c.start, 0, (c, b)) for c, b in zip(citations, bindings, strict=True)]
    events.sort(key=lambda e: (e[0], e[1]))
    out = _Output()
    for _, _, event in events:
        if isinstance(event, Mention):
            if id(event) not in consumed:
                _emit_mention(text, event, context, out)
            if event.standalone or id(event) in consumed:  # "The API returned...": no context
                _update_context(text, event, context)
        else:
            citation, binding = event
            _emit_citation(text, citation, binding, context, out)
    matches = sorted(out.matches, key=lambda m: (m.start, m.end))
    return Detection(tuple(matches), tuple(out.diagnostics))


# -- public API ------------------------------------------------------------------


def detect(text: str, context: DetectionContext | None = None) -> Detection:
    """Find treaty references and diagnostics in ``text`` (context: carried state, optional)."""
    return _process(text, context if context is not None else DetectionContext())


def find_references(text: str) -> list[ReferenceMatch]:
    """References in ``text`` in order of position."""
    return list(detect(text).matches)


def find_references_in_pages(pages: Sequence[str]) -> list[tuple[int, ReferenceMatch]]:
    """References page by page (offsets relative to each page), context carried across pages."""
    context = DetectionContext()
    found: list[tuple[int, ReferenceMatch]] = []
    for index, page in enumerate(pages):
        found.extend((index, match) for match in detect(page, context).matches)
    return found


def refs_record(text: str) -> dict:
    """The stable JSON record: {"refs": [...], "matches": [...], "diagnostics": [...]}."""
    detection = detect(text)
    refs = list(dict.fromkeys(match.id for match in detection.matches))
    return {
        "refs": refs,
        "matches": [
            {"id": m.id, "start": m.start, "end": m.end, "text": m.text} for m in detection.matches
        ],
        "diagnostics": [asdict(d) for d in detection.diagnostics],
    }


def parse_article_query(value: str) -> tuple[str, ...]:
    """Canonical ids for a search value: 'GCIV-147', 'gciv-147' or 'Art. 147 GC IV'."""
    cleaned = value.strip().strip("\"'").strip()
    if not cleaned:
        return ()
    try:
        instrument_id, article, paragraph, sub = split_id(cleaned)
    except UnknownReferenceError:
        pass
    else:
        if load_catalogue().exists(instrument_id, article, paragraph, sub):
            return (make_id(instrument_id, article, paragraph, sub),)
        return ()
    return tuple(dict.fromkeys(match.id for match in detect(cleaned).matches))
