"""A query that cites a treaty in its words is offered as the references it cites (index/cited.py)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from archive.errors import QueryError
from index.cited import reference_query
from index.query import build_parser, parse_user_query
from index.schema import build_schema


@pytest.mark.parametrize(("query", "rewritten"), [
    ("art. 147 of the Fourth Geneva Convention", "article:GCIV-147"),
    ("Article 147 GCIV", "article:GCIV-147"),
    ("статья 147 Четвертой Женевской конвенции", "article:GCIV-147"),
    ("Art. 5 para. 1 of the Ottawa Convention", "article:APMBC-5-1"),
    ("AP I art 51(4)(a) and art 52", "article:API-51-4-a article:API-52"),
    ("Articles 147 and 53 of GC IV", "article:GCIV-147 article:GCIV-53"),  # the treaty after a list goes too
    ("Geneva Conventions common article 3", "article:GC-COMMON-3"),
    ("GCIV-147", "article:GCIV-147"),  # an id as one word: the detector alone reads only "GCIV" in it
    ("gciv-147", "article:GCIV-147"),
    ("landmines Fourth Geneva Convention", "landmines instrument:GCIV"),
    ("CCW Amended Protocol II", "instrument:CCW-APII-1996"),
    ("APMBC", "instrument:APMBC"),
    # the rest of the query is kept as typed: words, operators, fields, groups, a leading minus
    ("landmines -GCIV-147", "landmines -article:GCIV-147"),
    ("art 147 GCIV OR art 53 GCIV", "article:GCIV-147 OR article:GCIV-53"),
    ("place:Shusha Article 147 GCIV", "place:Shusha article:GCIV-147"),
    ("(landmines OR art 147 GCIV) AND year:2022", "(landmines OR article:GCIV-147) AND year:2022"),
])
def test_citations_in_the_words_become_references(query: str, rewritten: str) -> None:
    assert reference_query(query) == rewritten


@pytest.mark.parametrize("query", [
    "mine clearance",
    "Article 147",  # no treaty named: nothing to search for
    "Ottawa",
    "Nagorno-Karabakh mines",  # a hyphenated word that is no id
    "GCIV-160",  # an id of an article the convention does not have
    '"Article 147 GCIV" mines',  # a phrase is searched as typed
    "article:GCIV-147 mines",  # already a reference
    'title:"Fourth Geneva Convention"',  # a field's value is never read as a citation
    "",
])
def test_nothing_is_offered_where_the_words_cite_nothing(query: str) -> None:
    assert reference_query(query) is None


PARSER = build_parser(build_schema())
PIECES = st.sampled_from([
    "art. 147 of the Fourth Geneva Convention", "GCIV-147", "Articles 147 and 53 of GC IV", "AP I art 51(4)(a)",
    "Ottawa Convention", "landmines", "OR", "AND", "NOT", "-", "(", ")", '"', "place:Shusha", "and", "of", ",",
    "type:appeal", "GC-COMMON-3", "статья 147 ЖК IV", "Cenevrə Konvensiyası",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=6).map(" ".join))
def test_what_is_offered_is_a_query_the_search_reads(query: str) -> None:
    """For any query the search reads, the references offered are a query it reads too, asking for references."""
    try:
        parse_user_query(PARSER, query)
    except QueryError:
        assume(False)  # a refused query is answered by its error, not with results and an offer
    rewritten = reference_query(query)
    if rewritten is None:
        return
    parsed = parse_user_query(PARSER, rewritten)
    asked = {term for field, term in parsed.iter_all_terms() if field in {"article", "instrument"}}
    assert asked, f"{rewritten!r} asks for no reference"
