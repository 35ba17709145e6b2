"""From what a user typed to a Whoosh query.

Whoosh's own syntax (phrases, AND/OR/NOT, grouping, wildcards, fuzzy ``~``,
ranges and ``>``/``<``), with ``-`` before a part as ``NOT``, over the title, issuer and body, with friendly
fields: ``article:``, ``instrument:``, ``type:``, ``date:``, ``year:``,
``place:``, ``lang:``, ``issuer:``, ``source:``. Field values are normalised
the way the index holds them: article values go through the treaty reference
parser (``article:"Art. 147 GC IV"`` is ``article:GCIV-147``), places through
the gazetteer (``place:Şuşa`` is ``place:Shusha``). Selected facet values and
the access levels a user may see become a filter that every search carries,
so nothing outside it reaches a count or a snippet. Whoosh's parser accepts
almost anything and silently drops what it cannot read; here such a query
becomes a :class:`~archive.errors.QueryError` that says what is wrong and,
where it can, which query to run instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import cache

from whoosh import query as wq
from whoosh.fields import DATETIME, Schema
from whoosh.qparser import GtLtPlugin, MultifieldParser, OperatorsPlugin
from whoosh.qparser.plugins import FieldAliasPlugin, FuzzyTermPlugin

from archive.errors import QueryError
from archive.settings import DOCUMENT_TYPES
from index.schema import keyword_value

TEXT_FIELDS = ("title", "issuer", "body")
#: Fields named in error messages: the ones worth typing.
SEARCHABLE_FIELDS = frozenset({"title", "issuer", "body", "type", "year", "date", "lang", "language", "place",
                               "instrument", "article", "source", "control", "synthetic"})
#: Names users may type before a colon, and the index field each means.
FIELD_ALIASES = {"language": "lang"}
FIELD_PREFIX = re.compile(r"(?<![\w\\])([A-Za-z_]+):")
#: How a value is written after each field that takes one, for the message of a field left without.
FIELD_EXAMPLES = {"article": "article:GCIV-147", "instrument": "instrument:APMBC", "type": "type:appeal",
                  "date": "date:2022 or date:[2020 TO 2022]", "year": "year:2022", "lang": "lang:ru",
                  "place": "place:Shusha", "title": "title:landmines", "issuer": "issuer:HALO",
                  "body": "body:landmines"}
#: Whoosh's ``NOT``, or a ``-`` in front of a word, phrase, group or ``field:value`` (``landmines -article:GCIV-147``,
#: as search engines read it). Only at the start of a part: the hyphen of ``GCIV-147`` or ``Nagorno-Karabakh``
#: is no operator. Whoosh's parser, left as it was, took the minus for nothing and searched what followed it,
#: so ``-article:GCIV-147`` found the very documents it was meant to leave out.
NOT_OPERATOR = r"(^|(?<=[\s()]))(NOT(?=\s)|-(?=[^\s-]))"
#: A ``-`` that leaves out nothing: standing alone (``landmines - clearance``), or doubled (``--clearance``, which
#: Whoosh read as the word itself). Either was dropped without a word.
LONE_MINUS = re.compile(r"(?:^|(?<=[\s(]))-+(?=[\s)]|$)")
DOUBLE_MINUS = re.compile(r"(?:^|(?<=[\s(]))-{2,}(?=[^\s)-])")
#: A term in single quotes, as Whoosh's parser reads one (``issuer:'UN - OCHA'``): a '-' inside is part of it.
SINGLE_QUOTED = re.compile(r"(^|(?<=\W))'.*?'(?=\s|\]|[)}]|$)")
DANGLING_START = re.compile(r"^\s*(AND|OR)\b")
DANGLING_END = re.compile(r"\b(AND|OR|NOT)\s*$")
#: Operators with nothing on one side inside a query, which Whoosh read as something else: a doubled one
#: (``mines OR OR shelling`` was ``mines AND shelling``), one opening or closing a group (``(mines OR) shelling``
#: searched the word "or").
DOUBLED_OPERATOR = re.compile(r"\b(AND|OR)((?:\s+(?:AND|OR)\b)+)")
GROUP_OPENED_BY_OPERATOR = re.compile(r"\(\s*(AND|OR)\b\s*")
GROUP_CLOSED_BY_OPERATOR = re.compile(r"\s*\b(AND|OR|NOT)\s*\)")

#: The start of a ``field:value`` part of a query. Its value (see :func:`field_parts`) is a phrase, a term in single
#: quotes, a group, a range or one run of characters; its words are values (an article, a place, a date), never
#: offered a "did you mean" replacement.
FIELD_PART = re.compile(r'(?<![\w\\])\w+:')
FIELD_VALUE = re.compile(r'"[^"]*"?|\'[^\']*\'?|[\[{][^\]}]*[\]}]?|\S*')


def build_parser(schema: Schema) -> MultifieldParser:
    parser = MultifieldParser(list(TEXT_FIELDS), schema=schema)
    parser.replace_plugin(OperatorsPlugin(Not=NOT_OPERATOR))
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(GtLtPlugin())
    aliases: dict[str, list[str]] = {}
    for alias, field in FIELD_ALIASES.items():
        aliases.setdefault(field, []).append(alias)
    parser.add_plugin(FieldAliasPlugin(aliases))
    return parser


def parse_user_query(parser: MultifieldParser, text: str) -> wq.Query:
    """The query for ``text``; every document when it is blank."""
    text = text.strip()
    if not text:
        return wq.Every()
    check_syntax(text, set(parser.schema.names()) | set(FIELD_ALIASES))
    try:
        parsed = parser.parse(rewrite_date_comparisons(text))
    except Exception as error:  # noqa: BLE001 - whoosh raises many kinds on bad input
        raise QueryError(text, _parse_problem(text, error), _plain_words(text)) from error
    parsed = _quoted_dates(parsed, parser.schema)
    backwards = [match for match in DATE_RANGE.finditer(text) if _runs_backwards(match, parser.schema)]
    if backwards:
        swapped = text
        for match in reversed(backwards):
            swapped = swapped[:match.start()] + f"date:[{match[3]} TO {match[2]}]" + swapped[match.end():]
        raise QueryError(text, "the date range runs backwards: it ends before it starts (a range goes from the "
                               "earlier date to the later one)", swapped)
    if _holds_null(parsed):
        raise QueryError(text, "part of it could not be read as a search (check field values such as dates: "
                               "date:2022, date:[2020 TO 2022], date:>2021-06)", _plain_words(text))
    return normalise_values(parsed, text)


def _runs_backwards(match: re.Match[str], schema: Schema) -> bool:
    """Whether the range ``match`` (of :data:`DATE_RANGE`) ends before it starts even with both ends included:
    such a range found nothing, without a word. ``date:{2021 TO 2022}`` is empty too, but runs forwards (its
    brackets leave nothing between the two years) and is left alone.
    """
    if not (match[2] and match[3]):
        return False  # open at one end
    try:
        inclusive = schema["date"].parse_range("date", match[2], match[3], False, False)
    except Exception:  # noqa: BLE001 - an unreadable date: the parser has its own message for it
        return False
    start, end = getattr(inclusive, "start", None), getattr(inclusive, "end", None)
    return start is not None and end is not None and start > end


def _quoted_dates(query: wq.Query, schema: Schema) -> wq.Query:
    """``date:"2022"`` read as ``date:2022``: a quoted value reaches Whoosh as a bare term, which would match
    only the first instant of the period (or fail on an empty or unreadable value)."""
    if isinstance(query, wq.Term) and query.fieldname in schema and isinstance(query.text, str) \
            and isinstance(schema[query.fieldname], DATETIME):
        return schema[query.fieldname].parse_query(query.fieldname, query.text.strip(), boost=query.boost)
    if query.is_leaf():
        return query
    return query.apply(lambda child: _quoted_dates(child, schema))


#: Fields holding true or false, and the values Whoosh's ``BOOLEAN`` reads as either (it read any other as true).
BOOLEAN_FIELDS = frozenset({"synthetic"})
BOOLEAN_VALUES = frozenset({"t", "true", "yes", "1", "f", "false", "no", "0"})


def _check_boolean(text: str, field: re.Match[str]) -> None:
    """Raise :class:`QueryError` when the ``field`` of a true-or-false field has another value: ``synthetic:none``
    found the synthetic documents, the very ones it was meant to leave out."""
    value = FIELD_VALUE.match(text, field.end())
    written = value[0] if value else ""
    unquoted = written.strip("\"'")
    if written.startswith(("(", "[", "{")) or unquoted.lower() in BOOLEAN_VALUES:
        return
    raise QueryError(text, f"{field[0]} is true or false ({field[0]}true, or NOT {field[0]}true for the others), "
                           f"not {unquoted!r}", _without(text, field.start(), field.end() + len(written)))


#: A comparison with nothing to compare with: ``date:>``, ``year:<=`` at the end of the query or of a group.
LONE_COMPARISON = re.compile(r"(>=|<=|>|<)(?=$|[\s)])")
COMPARISON_EXAMPLES = {"date": "2021-06", "year": "2020"}
SPACED_VALUE = re.compile(r"\s+(?=\d)")


def check_syntax(text: str, fields: set[str]) -> None:
    """Raise :class:`QueryError` for the mistakes Whoosh would silently swallow."""
    unquoted = outside_quotes(text)
    for match in FIELD_PREFIX.finditer(unquoted):
        if match[1] not in fields:
            known = ", ".join(sorted(f for f in fields if f in SEARCHABLE_FIELDS))
            raise QueryError(text, f"there is no field {match[1]!r}; fields are: {known}",
                             text.replace(match[0], match[1] + " ", 1))
        if match.end() == len(text) or text[match.end()] in " \t\r\n)":
            # Whoosh searched the field's name as a word of the text: "article:" found every "Article"
            example = FIELD_EXAMPLES.get(match[1], f"{match[1]}:VALUE")
            raise QueryError(text, f"{match[0]} needs a value right after the colon, as in {example}",
                             _without(text, match.start(), match.end()))
        if match[1] in BOOLEAN_FIELDS:
            _check_boolean(text, match)
        comparison = LONE_COMPARISON.match(text, match.end())
        if comparison:  # Whoosh compared with nothing, and found nothing, silently
            operator = comparison[1]
            example = f"{match[1]}:{operator}{COMPARISON_EXAMPLES.get(match[1], 'VALUE')}"
            spaced = SPACED_VALUE.match(text, comparison.end())  # "date:> 2021": the value is there, a space early
            mended = (text[:comparison.end()] + text[spaced.end():] if spaced
                      else _without(text, match.start(), comparison.end()))
            raise QueryError(text, f"{match[0]}{operator} needs a value after the {operator}, as in {example}", mended)
    if text.count('"') % 2:
        raise QueryError(text, "a phrase is not closed", text + '"')
    phrases_masked = outside_quotes(text, "_")  # a phrase is something to leave out
    phrases_masked = SINGLE_QUOTED.sub(lambda term: "_" * len(term[0]), phrases_masked)  # and so is a quoted term
    # The query offered instead is mended of every stray '-' at once (of only the first, it was refused in turn).
    lone, doubled = list(LONE_MINUS.finditer(phrases_masked)), list(DOUBLE_MINUS.finditer(phrases_masked))
    mended = text
    for found, put in sorted([(m, "") for m in lone] + [(m, "-") for m in doubled], key=lambda f: -f[0].start()):
        mended = mended[:found.start()] + put + mended[found.end():]
    if lone:
        raise QueryError(text, "a '-' leaves out the word, phrase or field right after it, with no space between "
                               "(landmines -clearance); this one leaves out nothing", " ".join(mended.split()) or None)
    if doubled:
        raise QueryError(text, "one '-' leaves out what follows it (landmines -clearance); more than one is no "
                               "operator", mended)
    depth = 0
    for char in outside_quotes(text):
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
    _check_operators_inside(text, phrases_masked)
    unbracketed = UNBRACKETED_RANGE.search(phrases_masked)
    if unbracketed:
        field, start, end = unbracketed.groups()
        bracketed = f"{field}:[{start} TO {end}]"
        raise QueryError(text, f"a range goes in square brackets, as in {bracketed}",
                         text[:unbracketed.start()] + bracketed + text[unbracketed.end():])


def _check_operators_inside(text: str, masked: str) -> None:
    """Raise :class:`QueryError` for an operator inside the query with nothing on one side (see
    :data:`DOUBLED_OPERATOR`), offering the query without it. ``masked`` is ``text`` with its phrases and quoted
    terms overwritten, at the same offsets."""
    found = DOUBLED_OPERATOR.search(masked)
    if found:
        mended = text[:found.end(1)] + text[found.end():]
        raise QueryError(text, f"{found[2].split()[0]} needs a search term on both sides", mended)
    found = GROUP_OPENED_BY_OPERATOR.search(masked)
    if found:
        mended = text[:found.start() + 1] + text[found.end():]
        raise QueryError(text, f"{found[1]} needs a search term on both sides", mended)
    found = GROUP_CLOSED_BY_OPERATOR.search(masked)
    if found:
        mended = text[:found.start()] + ")" + text[found.end():]
        where = "after it" if found[1] == "NOT" else "on both sides"
        raise QueryError(text, f"{found[1]} needs a search term {where}", mended)


#: Words of the query language: never a "did you mean" word to replace, never a word to highlight.
QUERY_OPERATORS = frozenset({"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"})
DATE_VALUE = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
#: A range written without its brackets (``date:2020 TO 2022``), which Whoosh read as ``date:2020`` and the words
#: "to" and "2022".
UNBRACKETED_RANGE = re.compile(rf"\b(date|year):({DATE_VALUE})\s+(?i:TO)\s+({DATE_VALUE})(?![\w-])")
DATE_COMPARISON = re.compile(rf'\bdate:(>=|<=|>|<)(?P<quote>"?)({DATE_VALUE})(?P=quote)(?![\w-])')
#: A date range with an exclusive bound: ``date:{2020 TO 2022}``, ``date:{2021-06 TO]``, ``date:[TO 2022}``.
# "to" as well as "TO": Whoosh's range syntax takes either.
DATE_RANGE = re.compile(rf"\bdate:([\[{{])\s*(?:({DATE_VALUE})\s+)?(?i:TO)(?:\s+({DATE_VALUE}))?\s*([\]}}])")


def rewrite_date_comparisons(text: str) -> str:
    """``date:>2021-06`` as the range it means: from 1 July 2021 on (``>=`` from 1 June).

    Whoosh reads ``>`` and ``<`` on dates as ``>=`` and ``<=``, and drops the
    exclusive bounds of ``date:{2020 TO 2022}``; a lawyer who writes
    ``date:>2010`` or ``date:{2010 TO 2012}`` does not mean documents of 2010.
    """
    def replace(match: re.Match[str]) -> str:
        operator, value = match[1], match[3]
        first, last = _period(value)
        if operator == ">":
            return f"date:[{(last + dt.timedelta(days=1)).isoformat()} TO]"
        if operator == "<":
            return f"date:[TO {(first - dt.timedelta(days=1)).isoformat()}]"
        return f"date:[{value} TO]" if operator == ">=" else f"date:[TO {value}]"

    def exclusive(match: re.Match[str]) -> str:
        # Whoosh's DATETIME.parse_range drops the exclusive flags ({ and }), so {2020 TO 2022} would include
        # 2020 and 2022: an exclusive bound excludes the whole period it names.
        opening, start, end, closing = match[1], match[2], match[3], match[4]
        if opening == "[" and closing == "]":
            return match[0]
        if start and opening == "{":
            start = (_period(start)[1] + dt.timedelta(days=1)).isoformat()
        if end and closing == "}":
            end = (_period(end)[0] - dt.timedelta(days=1)).isoformat()
        return f"date:[{start or ''} TO {end or ''}]".replace("[ TO", "[TO").replace("TO ]", "TO]")

    return DATE_RANGE.sub(exclusive, DATE_COMPARISON.sub(replace, text))


def _period(value: str) -> tuple[dt.date, dt.date]:
    """The first and last day of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        first = dt.date(parts[0], parts[1], 1)
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    day = dt.date(*parts)
    return day, day


def _without(text: str, start: int, end: int) -> str | None:
    """``text`` without ``text[start:end]`` and the operator or empty group that leaves dangling, if a query
    remains."""
    rest = re.sub(r"\(\s*\)", " ", text[:start] + " " + text[end:])
    rest = DANGLING_END.sub("", DANGLING_START.sub("", " ".join(rest.split()))).strip()
    return rest or None


def field_parts(query: str) -> list[tuple[int, int]]:
    """Where the ``field:value`` parts of ``query`` are; a group's value runs to its own ``)``, past the groups
    within it and the brackets of its phrases."""
    unquoted = outside_quotes(query)
    parts = []
    for name in FIELD_PART.finditer(query):
        end = name.end()
        if query.startswith("(", end):
            depth = 0
            while end < len(query):
                depth += {"(": 1, ")": -1}.get(unquoted[end], 0)
                end += 1
                if not depth:
                    break
        else:
            value = FIELD_VALUE.match(query, end)
            end = value.end() if value else end
        parts.append((name.start(), end))
    return parts


def outside_quotes(text: str, fill: str = " ") -> str:
    """``text`` with each phrase in double quotes (its quotes too) overwritten by ``fill``, character for character:
    what is left is the query's structure, at the same offsets."""
    return re.sub(r'"[^"]*"', lambda phrase: fill * len(phrase[0]), text)


LOOSE_COMPARISON = re.compile(r"(?:^|[\s(])[<>]")


def _parse_problem(text: str, error: Exception) -> str:
    """What to tell the user when Whoosh's parser fails: never its internals (``IndexError: list index…``)."""
    if LOOSE_COMPARISON.search(text):
        return "< and > compare a field's value: put a field before them, as in date:<2020 or date:>=2021-06"
    if isinstance(error, (IndexError, KeyError, AttributeError, TypeError, AssertionError)):
        return "it could not be parsed: check its brackets, quotes and operators"
    return str(error)


def _holds_null(query: wq.Query) -> bool:
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return True
    return any(_holds_null(child) for child in query.children())


def _plain_words(text: str) -> str | None:
    """The words of ``text`` alone, as the query to offer when it cannot be read; none when they are all it holds
    (offered, it would fail again)."""
    words = " ".join("".join(c if c.isalnum() or c.isspace() else " " for c in text).split())
    return words if words and words != " ".join(text.split()) else None


# -- field values -------------------------------------------------------------------


def normalise_values(query: wq.Query, text: str) -> wq.Query:
    """Rewrite field values into the form the index holds (see the module docstring)."""
    if isinstance(query, wq.Phrase) and query.fieldname in NORMALISERS:
        # A quoted value with a comma ("Some Place, North", "GCIV-147, GCIV-53") reaches here as a phrase of the
        # comma-separated parts, which a keyword field (no positions) cannot run: it is the value as typed.
        query = wq.Term(query.fieldname, ", ".join(query.words), boost=query.boost)
    if isinstance(query, wq.Term) and query.fieldname in NORMALISERS:
        values = NORMALISERS[query.fieldname](str(query.text), text)
        terms = [wq.Term(query.fieldname, value, boost=query.boost) for value in values]
        return terms[0] if len(terms) == 1 else wq.Or(terms)
    if query.is_leaf():
        return query
    return query.apply(lambda child: normalise_values(child, text))


def article_ids(value: str, text: str = "") -> tuple[str, ...]:
    """Canonical article ids for what a user typed after ``article:``."""
    from archive.treaties import parse_article_query

    def parsed(text_: str) -> tuple[str, ...]:
        return tuple(i for i in parse_article_query(text_) if "-" in i and not _is_instrument(i))

    # the whole value first ("GC IV, art. 147" is one citation), else each comma-separated part ("GCIV-147, GCIV-53")
    ids = parsed(value) or tuple(dict.fromkeys(i for part in value.split(",") for i in parsed(part)))
    if not ids:
        missing = _missing_provision(value)
        if missing:
            raise QueryError(text or value, f"{value!r}: {missing}, so no document can cite it")
        raise QueryError(text or value, f"{value!r} does not name a treaty article; write an id such as "
                                        "GCIV-147 or APMBC-5-1, or a citation such as \"Art. 147 GC IV\"")
    return ids


def _missing_provision(value: str) -> str | None:
    """Why a well-formed id or citation names nothing: 'GCIV Article 160 does not exist (GCIV has Articles 1-159)'."""
    from archive.treaties import UnknownReferenceError, detect, load_catalogue, split_id

    cleaned = value.strip().strip("\"'").strip()
    catalogue = load_catalogue()
    try:
        instrument_id, article, paragraph, sub = split_id(cleaned)
    except UnknownReferenceError:
        diagnostics = detect(cleaned).diagnostics
        if not diagnostics:
            return None
        message = diagnostics[0].message
        instrument_id, article = message.split(" Article ")[0], None
    else:
        if article is None or instrument_id not in {i.id for i in catalogue.instruments}:
            return None
        missing = catalogue.missing(instrument_id, article, paragraph, sub)
        if missing is None:
            return None
        message = missing[1]
    try:
        numbers = sorted(catalogue.instrument(instrument_id).articles)
    except UnknownReferenceError:
        return message
    return f"{message} ({instrument_id} has Articles {numbers[0]}-{numbers[-1]})"


def instrument_ids(value: str, text: str = "") -> tuple[str, ...]:
    """Canonical instrument ids for what a user typed after ``instrument:``."""
    from archive.treaties import parse_article_query
    from archive.treaties.catalogue import split_id

    if _is_instrument(value.upper()):
        return (value.upper(),)
    ids = tuple(dict.fromkeys(split_id(i)[0] for i in parse_article_query(value)))
    if not ids:
        known = ", ".join(_instrument_ids())
        raise QueryError(text or value, f"{value!r} does not name a treaty; instruments are: {known}")
    return ids


def place_names(value: str, text: str = "") -> tuple[str, ...]:
    """The gazetteer's name for a place in any spelling; other names as typed."""
    from archive.analyse import places_in

    found = places_in(value)
    return (keyword_value(found[0] if found else value),)


def document_types(value: str, text: str = "") -> tuple[str, ...]:
    found = []
    for part in (p.strip() for p in value.split(",") if p.strip()):  # "appeal, report": either
        normalised = part.lower().replace("-", "_").replace(" ", "_")
        if normalised not in DOCUMENT_TYPES:
            raise QueryError(text or value, f"type {part!r} is not one of: {', '.join(DOCUMENT_TYPES)}", None)
        found.append(normalised)
    if not found:
        raise QueryError(text or value, f"name a type: one of {', '.join(DOCUMENT_TYPES)}", None)
    return tuple(found)


def years(value: str, text: str = "") -> tuple[str, ...]:
    """``year:2022``; anything else would quietly find nothing."""
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise QueryError(text or value, f"a year is four digits, such as year:2022 (not {value!r}); "
                                        "for a period write date:[2020 TO 2022]", None)
    return (value,)


def control_numbers(value: str, text: str = "") -> tuple[str, ...]:
    """``control:eva-000001`` as the catalog looks a control number up (``evidence show`` takes it in any case):
    as typed, or in capitals, as the default prefix writes it."""
    return tuple(dict.fromkeys((value, value.upper())))


def language_codes(value: str, text: str = "") -> tuple[str, ...]:
    return tuple(p.strip().lower() for p in value.split(",") if p.strip()) or (value.lower(),)  # "en,ru": either


@cache
def _instrument_ids() -> tuple[str, ...]:
    from archive.treaties import load_catalogue

    return tuple(instrument.id for instrument in load_catalogue().instruments)


def _is_instrument(value: str) -> bool:
    return value in _instrument_ids()


NORMALISERS: dict[str, Callable[[str, str], tuple[str, ...]]] = {
    "article": article_ids,
    "instrument": instrument_ids,
    "place": place_names,
    "type": document_types,
    "lang": language_codes,
    "year": years,
    "control": control_numbers,
}


def normalise_selected(selected: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Facet selections in index form (a ``--filter article=Art. 147 GCIV`` works too)."""
    clean: dict[str, list[str]] = {}
    for field, values in selected.items():
        normaliser = NORMALISERS.get(field)
        for value in values:
            for normalised in normaliser(value, value) if normaliser else (value,):
                clean.setdefault(field, []).append(normalised)
    return clean


def build_filter(
    kind: str,
    access: Iterable[str],
    selected: Mapping[str, Sequence[str]] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    withheld: Collection[str] = (),
) -> wq.Query:
    """Entries of ``kind`` a user may see, within the selected facet values and dates."""
    parts: list[wq.Query] = [wq.Term("kind", kind), access_filter(access, withheld)]
    for field, values in normalise_selected(selected or {}).items():
        if values:
            parts.append(wq.Or([wq.Term(field, value) for value in values]))
    if date_from or date_to:
        start = dt.datetime.combine(date_from, dt.time.min) if date_from else None
        end = dt.datetime.combine(date_to, dt.time.max) if date_to else None
        parts.append(wq.DateRange("date", start, end))
    return wq.And(parts)


def access_filter(access: Iterable[str], withheld: Collection[str] = ()) -> wq.Query:
    """Entries at one of the ``access`` levels, but none of the ``withheld`` documents'; nothing when no level is given.

    ``withheld`` are documents whose access the catalog has narrowed and the
    index does not know yet (:meth:`archive.store.Archive.withheld_ids`).
    """
    levels = list(access)
    if not levels:
        return wq.NullQuery
    allowed = wq.Or([wq.Term("access", level) for level in levels])
    if not withheld:
        return allowed
    return wq.AndNot(allowed, wq.Or([wq.Term("doc_id", doc_id) for doc_id in sorted(withheld)]))
