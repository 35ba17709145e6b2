"""Citation formats: text to paste, CSL-JSON, BibTeX and RIS, from plain values (no archive, no Flask)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from archive import cite
from archive.models import Document, Metadata

SHA = "3f2a9c01d4e5b6a7" + "0" * 48
PERMALINK = "https://archive.example/documents/3f2a9c01d4e5b6a7/pages/2"
ACCESSED = dt.date(2025, 3, 7)


def document(**meta: object) -> Document:
    values = {"title": "Clearance report", "type": "report", "date": "2021-06-01", "issuer": "Demining NGO",
              "places": ("Aghdam",), **meta}
    return Document(id=SHA[:16], sha256=SHA, control_number="EVA-000012", original_name="report.pdf",
                    media_type="application/pdf", size=1234, page_count=3, metadata=Metadata(**values),
                    ingested_at="2024-01-01T00:00:00+00:00")


def citation(page: int | None = 2, **meta: object) -> cite.Citation:
    return cite.citation_for(document(**meta), permalink=PERMALINK, page=page, accessed=ACCESSED)


@pytest.mark.parametrize(("value", "expected"), [
    ("2022-04-23", "23 April 2022"), ("2022-04", "April 2022"), ("2022", "2022"), ("", ""),
    ("2022-13", "2022-13"), ("2022-02-30", "2022-02-30"), ("soon", "soon"),
])
def test_human_date(value: str, expected: str) -> None:
    assert cite.human_date(value) == expected


@pytest.mark.parametrize(("page", "meta", "expected"), [
    (2, {}, 'Demining NGO, "Clearance report" (Aghdam, 1 June 2021), p. 2 [EVA-000012-0002], '
            f"Evidence archive EVA-000012, SHA-256 {SHA}, {PERMALINK} (accessed 7 March 2025)."),
    (None, {"issuer": "", "places": (), "date": ""},
     f'"Clearance report", Evidence archive EVA-000012, SHA-256 {SHA}, {PERMALINK} '
     "(accessed 7 March 2025)."),
    (None, {"places": ("Shusha", "Fuzuli"), "date": "2022-04"},
     'Demining NGO, "Clearance report" (Shusha, Fuzuli, April 2022), Evidence archive EVA-000012, '
     f"SHA-256 {SHA}, {PERMALINK} (accessed 7 March 2025)."),
])
def test_text_citation(page: int | None, meta: dict[str, object], expected: str) -> None:
    assert cite.format_text(citation(page, **meta)) == expected


def test_citations_stay_on_one_line() -> None:
    value = citation(None, title="Line one\nLine two\tTabbed", issuer="Org\r\nwith newline", places=("A\tB",))
    text = cite.format_text(value)
    assert text.startswith('Org with newline, "Line one Line two Tabbed" (A B, 1 June 2021), ')
    assert not any(c in text for c in "\r\n\t")
    item = cite.csl_json(value)
    assert (item["title"], item["author"], item["event-place"]) == (
        "Line one Line two Tabbed", [{"literal": "Org with newline"}], "A B")


def test_csl_json_item() -> None:
    item = cite.csl_json(citation())
    assert item == {
        "id": "EVA000012p2", "type": "report", "title": "Clearance report", "genre": "report",
        "number": "EVA-000012", "archive": "Evidence archive", "archive_location": "EVA-000012-0002",
        "URL": PERMALINK, "note": f"SHA-256: {SHA}", "author": [{"literal": "Demining NGO"}],
        "issued": {"date-parts": [[2021, 6, 1]]}, "event-place": "Aghdam", "page": "2",
        "accessed": {"date-parts": [[2025, 3, 7]]},
    }
    assert json.loads(cite.write([citation(), citation(None)], "csl-json"))[1]["id"] == "EVA000012"


def test_a_citation_is_accessed_today_unless_told() -> None:
    made = cite.citation_for(document(), permalink=PERMALINK)
    assert made.accessed == dt.datetime.now(dt.UTC).date().isoformat()
    assert cite.format_text(made).endswith(f"(accessed {cite.human_date(made.accessed)}).")


def test_a_synthetic_document_is_marked_in_every_citation_format() -> None:
    """A document generated for testing, cited in a brief, read as evidence: no format said what it was."""
    marked = citation(synthetic=True)
    assert cite.format_text(marked).startswith(
        '[synthetic: generated for testing, not evidence] Demining NGO, "Clearance report" (')
    item = cite.csl_json(marked)
    assert item["status"] == "synthetic: generated for testing, not evidence"
    assert item["note"] == f"SHA-256: {SHA}; synthetic: generated for testing, not evidence"
    assert f"  note = {{SHA-256: {SHA}; synthetic: generated for testing, not evidence}},\n" in cite.bibtex(marked)
    assert f"N1  - SHA-256: {SHA}\r\nN1  - synthetic: generated for testing, not evidence\r\nER  - " in cite.ris(marked)
    plain = citation()
    assert not any("synthetic" in text for text in (cite.format_text(plain), json.dumps(cite.csl_json(plain)),
                                                     cite.bibtex(plain), cite.ris(plain)))


@pytest.mark.parametrize(("source", "marked"), [("pdf-info", True), ("dateline", False), ("metadata", False)])
def test_a_date_read_from_the_pdf_file_is_cited_as_that(source: str, marked: bool) -> None:
    """A document dated by nothing but its PDF file's information (when the file was made: a 1993 map scanned in
    2021 is of 2021) was cited with that date as its own; its page says "(from the pdf info)"."""
    value = citation(date_source=source)
    said = "date of the PDF file, not found in the document"
    text = cite.format_text(value)
    assert ("(Aghdam, 1 June 2021 [date of the PDF file, not found in the document]), p. 2" in text) is marked
    assert "(Aghdam, 1 June 2021), p. 2" in text or marked
    notes = (cite.csl_json(value)["note"], cite.bibtex(value), cite.ris(value))
    assert [said in note for note in notes] == [marked] * 3
    if marked:
        assert cite.csl_json(value)["note"] == f"SHA-256: {SHA}; {said}"
        assert f"N1  - SHA-256: {SHA}\r\nN1  - {said}\r\nER  - " in cite.ris(value)


def test_csl_types_follow_document_types() -> None:
    assert cite.csl_json(citation(type="testimony"))["type"] == "interview"
    assert cite.csl_json(citation(type="appeal"))["type"] == "document"


def test_bibtex_entry() -> None:
    assert cite.bibtex(citation()) == (
        "@misc{EVA000012p2,\n"
        "  title = {{Clearance report}},\n"
        "  author = {{Demining NGO}},\n"
        "  year = {2021},\n"
        "  month = jun,\n"
        "  date = {2021-06-01},\n"
        "  address = {Aghdam},\n"
        "  pages = {2},\n"
        "  number = {EVA-000012},\n"
        "  howpublished = {Evidence archive, EVA-000012-0002},\n"
        f"  note = {{SHA-256: {SHA}}},\n"
        f"  url = {{{PERMALINK}}},\n"
        "  urldate = {2025-03-07}\n"
        "}\n"
    )


@pytest.mark.parametrize(("raw", "escaped"), [
    ("50% & $5 #1 a_b", r"50\% \& \$5 \#1 a\_b"),
    ("{braces} back\\slash ^~", r"\{braces\} back\textbackslash{}slash \textasciicircum{}\textasciitilde{}"),
    ("Şuşa «Шуша»", "Şuşa «Шуша»"),
    ("Unbalanced } brace { {{",
     r"Unbalanced \textbraceright{} brace \textbraceleft{} \textbraceleft{}\textbraceleft{}"),
    ("} reversed {", r"\textbraceright{} reversed \textbraceleft{}"),
])
def test_bibtex_escapes_latex_specials(raw: str, escaped: str) -> None:
    assert cite.bibtex_escape(raw) == escaped
    assert "title = {{" + escaped + "}}" in cite.bibtex(citation(title=raw))


@pytest.mark.parametrize("title", ["Unbalanced } brace { {{ here \\", "} reversed {", "{a}}b{"])
def test_bibtex_braces_always_balance(title: str) -> None:
    """BibTeX counts escaped braces too: a field's braces must balance or the entry runs to the end of the file."""
    text = cite.write([citation(title=title), citation(title="Next entry")], "bibtex")
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


@pytest.mark.parametrize(("date", "line"), [("2021-06-01", "  month = jun,\n"), ("1899-12", "  month = dec,\n")])
def test_bibtex_month_is_the_macro(date: str, line: str) -> None:
    """``month = {jun}`` is the literal text "jun"; the bare macro is what styles print as the month's name."""
    entry = cite.bibtex(citation(date=date))
    assert line in entry and "month = {" not in entry


def test_ris_record() -> None:
    assert cite.ris(citation()) == (
        "TY  - RPRT\r\nTI  - Clearance report\r\nAU  - Demining NGO\r\nPY  - 2021\r\nDA  - 2021/06/01/\r\n"
        "CY  - Aghdam\r\nSP  - 2\r\nM3  - report\r\nAN  - EVA-000012-0002\r\nDB  - Evidence archive\r\n"
        f"UR  - {PERMALINK}\r\nY2  - 2025/03/07\r\nN1  - SHA-256: {SHA}\r\nER  - \r\n"
    )


@pytest.mark.parametrize(("date", "line"), [("2022-04", "DA  - 2022/04//"), ("2022", "DA  - 2022///")])
def test_ris_partial_dates(date: str, line: str) -> None:
    assert line + "\r\n" in cite.ris(citation(date=date))


def test_ris_values_stay_on_one_line() -> None:
    record = cite.ris(citation(title="Line one\nTY  - JOUR\nline two"))
    assert "TI  - Line one TY - JOUR line two\r\n" in record and record.count("TY  -") == 1


def test_several_records_make_one_file() -> None:
    text = cite.write([citation(1), citation(2)], "ris")
    assert text.count("ER  - ") == 2
    assert cite.write([citation(1), citation(2)], "bibtex").count("@misc{") == 2


@pytest.mark.parametrize("fmt", sorted(cite.FORMATS))
@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_file_written_piece_by_piece_is_the_file_written_at_once(fmt: str, count: int) -> None:
    citations = [citation(page=None, title=f"Report {n}\\nwith a line break", places=("Aghdam", "Şuşa"))
                 for n in range(count)]
    parts = [cite.write_part(c, fmt, first=n == 0) for n, c in enumerate(citations)]
    assert "".join(parts) + cite.write_end(fmt, empty=not citations) == cite.write(citations, fmt)


def test_the_text_citation_names_the_whole_hash() -> None:
    """It named the first 12 hex digits (48 bits): enough to find the document, but a file made to match them is
    within reach of one graphics card, so the citation did not pin the original's bytes as a brief needs."""
    text = cite.format_text(citation(2))
    assert f"SHA-256 {SHA}," in text and len(SHA) == 64
