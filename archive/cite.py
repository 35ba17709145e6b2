"""Citation formats: how a document (or one of its pages) is cited.

:func:`citation_for` turns a catalog :class:`~archive.models.Document` into a
frozen :class:`Citation`; the formatters turn citations into text a lawyer can
paste (:func:`format_text`), CSL-JSON (:func:`csl_json`), BibTeX
(:func:`bibtex`) and RIS (:func:`ris`). Everything here is pure: the caller
supplies the permalink (the web app builds it from the document id, which is
derived from the original's SHA-256 and so survives re-indexing) and decides
who may see what.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from archive.models import Document

#: The download formats: name → (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
    "bibtex": ("application/x-bibtex", "bib"),
    "ris": ("application/x-research-info-systems", "ris"),
}

CSL_TYPES = {"report": "report", "treaty": "treaty", "testimony": "interview",
             "correspondence": "personal_communication"}
RIS_TYPES = {"report": "RPRT", "treaty": "STAT", "testimony": "PCOMM", "correspondence": "PCOMM"}
#: What every citation of a generated test document says of it, as the document page and ``evidence show`` do.
SYNTHETIC = "synthetic: generated for testing, not evidence"
#: What a citation says of a date the archive read only from the PDF file's information (when the file was made,
#: which for a scan is the day it was scanned), as the document page says "(from the pdf info)".
PDF_DATE = "date of the PDF file, not found in the document"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


@dataclass(frozen=True)
class Citation:
    """Everything a citation of a document, or of one page of it, says."""

    doc_id: str
    control_number: str
    title: str
    issuer: str
    places: tuple[str, ...]
    date: str  # ISO: YYYY-MM-DD, YYYY-MM, YYYY or ""
    doc_type: str
    sha256: str
    permalink: str
    page: int | None = None
    bates: str | None = None  # the page's Bates number, when a page is cited
    archive_name: str = "Evidence archive"
    accessed: str = ""  # ISO date the citation was made (styles for online sources print it), or ""
    synthetic: bool = False  # generated for testing or a demonstration: every format says so
    date_source: str = ""  # where the date was read: metadata | dateline | pdf-info | ""

    @property
    def date_from_pdf(self) -> bool:
        """Whether the date is only the PDF file's (:data:`PDF_DATE`), not one the document or its metadata gives."""
        return bool(self.date) and self.date_source == "pdf-info"

    @property
    def notes(self) -> tuple[str, ...]:
        """What a citation's note says: the original's full SHA-256, then :data:`SYNTHETIC` and :data:`PDF_DATE`
        when they apply."""
        return (f"SHA-256: {self.sha256}", *((SYNTHETIC,) if self.synthetic else ()),
                *((PDF_DATE,) if self.date_from_pdf else ()))

    @property
    def key(self) -> str:
        """A citation key for BibTeX: ``EVA000012`` or ``EVA000012p3``."""
        key = re.sub(r"[^A-Za-z0-9]", "", self.control_number)
        return f"{key}p{self.page}" if self.page else key

    def date_parts(self) -> list[int]:
        return [int(part) for part in self.date.split("-") if part.isdigit()]


def permalink_on(origin: str, document: Document, page: int | None = None) -> str:
    """The permalink of ``document`` (or of its page ``page``) on the web app served at ``origin``
    (``Settings.public_url``), as the web app's own routes make it: ``/documents/ID``, ``/documents/ID/pages/N``."""
    path = f"/documents/{document.id}" + (f"/pages/{page}" if page else "")
    return origin.rstrip("/") + path


def citation_for(document: Document, *, permalink: str, page: int | None = None,
                 archive_name: str = "Evidence archive", accessed: dt.date | None = None) -> Citation:
    """The citation of ``document``, or of its page ``page``, reachable at ``permalink``, accessed today (UTC)."""
    meta = document.metadata
    accessed = accessed or dt.datetime.now(dt.UTC).date()
    # a citation is one line to paste: newlines and tabs kept in the catalog's metadata become spaces, and
    # other control characters are dropped
    return Citation(
        doc_id=document.id, control_number=document.control_number, title=_one_line(document.title),
        issuer=_one_line(meta.issuer), places=tuple(_one_line(p) for p in meta.places), date=meta.date,
        doc_type=meta.type, sha256=document.sha256,
        permalink=permalink, page=page, bates=document.bates(page) if page else None, archive_name=archive_name,
        accessed=accessed.isoformat(), synthetic=meta.synthetic, date_source=meta.date_source,
    )


def human_date(value: str) -> str:
    """``2022-04-23`` → ``23 April 2022``; ``2022-04`` → ``April 2022``; ``2022`` stays; bad input stays."""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            day = dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
            return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
        if len(parts) == 2 and 1 <= int(parts[1]) <= 12:
            return f"{MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
    except ValueError:
        return value
    return value


def format_text(citation: Citation) -> str:
    """One paragraph to paste into a brief.

    ``Demining NGO, "Clearance report" (Aghdam, 1 June 2021), p. 2 [EVA-000001-0002],
    Evidence archive EVA-000001, SHA-256 3f2a9c01d4e5b6a7… (all 64 digits), https://…/documents/3f2a9c01d4e5b6a7/pages/2``

    The whole SHA-256 is named: a prefix finds the document, but only the whole hash pins the original's bytes.
    """
    date = human_date(citation.date) + (f" [{PDF_DATE}]" if citation.date_from_pdf else "")
    where = ", ".join(part for part in (", ".join(citation.places), date) if part)
    head = f'"{citation.title}"' + (f" ({where})" if where else "")
    parts = [citation.issuer, head] if citation.issuer else [head]
    if citation.page:
        parts.append(f"p. {citation.page} [{citation.bates}]")
    parts += [f"{citation.archive_name} {citation.control_number}", f"SHA-256 {citation.sha256}",
              citation.permalink + (f" (accessed {human_date(citation.accessed)})" if citation.accessed else "")]
    return (f"[{SYNTHETIC}] " if citation.synthetic else "") + ", ".join(parts) + "."


def csl_json(citation: Citation) -> dict[str, Any]:
    """One CSL-JSON item (the format Zotero, Mendeley and citeproc read)."""
    item: dict[str, Any] = {
        "id": citation.key,
        "type": CSL_TYPES.get(citation.doc_type, "document"),
        "title": citation.title,
        "genre": citation.doc_type.replace("_", " "),
        "number": citation.control_number,
        "archive": citation.archive_name,
        "archive_location": citation.bates or citation.control_number,
        "URL": citation.permalink,
        "note": "; ".join(citation.notes),
    }
    if citation.synthetic:
        item["status"] = SYNTHETIC  # the variable styles print beside the title ("in press", "retracted")
    if citation.issuer:
        item["author"] = [{"literal": citation.issuer}]
    if citation.date_parts():
        item["issued"] = {"date-parts": [citation.date_parts()]}
    if citation.places:
        item["event-place"] = "; ".join(citation.places)
    if citation.page:
        item["page"] = str(citation.page)
    if citation.accessed:
        item["accessed"] = {"date-parts": [[int(part) for part in citation.accessed.split("-")]]}
    return item


def csl_json_text(citations: Iterable[Citation]) -> str:
    """A CSL-JSON file: an array of items."""
    return json.dumps([csl_json(c) for c in citations], ensure_ascii=False, indent=1) + "\n"


BIBTEX_SPECIAL = re.compile(r"[\\{}%&$#_^~]")
BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
#: BibTeX counts every brace, escaped or not: braces that do not pair up are written as commands.
BIBTEX_BRACES = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def _braces_pair_up(value: str) -> bool:
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def bibtex_escape(value: str) -> str:
    """``value`` safe inside a braced BibTeX field: LaTeX's special characters escaped.

    Braces that pair up become ``\\{`` and ``\\}``; otherwise every brace becomes ``\\textbraceleft{}`` or
    ``\\textbraceright{}``, since BibTeX ends a field at the brace that balances its opening one even when
    a backslash precedes it, and one unbalanced title would swallow the rest of the file.
    """
    escapes = BIBTEX_ESCAPES if _braces_pair_up(value) else {**BIBTEX_ESCAPES, **BIBTEX_BRACES}
    return BIBTEX_SPECIAL.sub(lambda m: escapes.get(m[0], "\\" + m[0]), value)


def bibtex(citation: Citation) -> str:
    """One ``@misc`` entry; the issuer is a corporate author (double braces keep it whole)."""
    fields: list[tuple[str, str]] = [("title", "{" + bibtex_escape(citation.title) + "}")]
    if citation.issuer:
        fields.append(("author", "{" + bibtex_escape(citation.issuer) + "}"))
    parts = citation.date_parts()
    if parts:
        fields.append(("year", str(parts[0])))
    if len(parts) > 1:
        fields.append(("month", MONTHS[parts[1] - 1][:3].lower()))
    if citation.date:
        fields.append(("date", citation.date))
    if citation.places:
        fields.append(("address", bibtex_escape("; ".join(citation.places))))
    if citation.page:
        fields.append(("pages", str(citation.page)))
    fields += [
        ("number", bibtex_escape(citation.control_number)),
        ("howpublished", bibtex_escape(f"{citation.archive_name}, {citation.bates or citation.control_number}")),
        ("note", bibtex_escape("; ".join(citation.notes))),
        ("url", citation.permalink),
    ]
    if citation.accessed:
        fields.append(("urldate", citation.accessed))
    # month is the bare macro (``month = jun``), which styles print as the month's name; braced, it is the text "jun"
    body = ",\n".join(f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{citation.key},\n{body}\n}}\n"


def bibtex_text(citations: Iterable[Citation]) -> str:
    return "\n".join(bibtex(c) for c in citations)


def ris(citation: Citation) -> str:
    """One RIS record (tags, two spaces, a hyphen, a space; CRLF line ends; ``ER`` closes it)."""
    lines = [("TY", RIS_TYPES.get(citation.doc_type, "GEN")), ("TI", citation.title)]
    if citation.issuer:
        lines.append(("AU", citation.issuer))
    parts = citation.date_parts()
    if parts:
        lines.append(("PY", str(parts[0])))
        padded = [f"{p:02d}" for p in parts[1:]] + [""] * (3 - len(parts))
        lines.append(("DA", "/".join([str(parts[0]), *padded]) + "/"))
    lines += [("CY", place) for place in citation.places]
    if citation.page:
        lines.append(("SP", str(citation.page)))
    lines += [
        ("M3", citation.doc_type.replace("_", " ")),
        ("AN", citation.bates or citation.control_number),
        ("DB", citation.archive_name),
        ("UR", citation.permalink),
        *([("Y2", citation.accessed.replace("-", "/"))] if citation.accessed else []),
        *[("N1", note) for note in citation.notes],
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


def ris_text(citations: Iterable[Citation]) -> str:
    return "\r\n".join(ris(c) for c in citations)


#: C0 and C1 control characters: no citation may hold them (LaTeX stops at one; PDF metadata read as the wrong
#: encoding is full of NULs). Those that are whitespace (newlines, tabs) become spaces first.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


#: Bidirectional controls that open an embedding or override (closed by U+202C) or an isolate (closed by U+2069).
OPENS_EMBEDDING, OPENS_ISOLATE = "\u202a\u202b\u202d\u202e", "\u2066\u2067\u2068"
CLOSES_EMBEDDING, CLOSES_ISOLATE = "\u202c", "\u2069"


def _one_line(value: str) -> str:
    """``value`` as one line of text: whitespace runs become one space, other control characters are dropped,
    and the right-to-left (or left-to-right) runs it opens end with it."""
    return _bidi_closed(" ".join(CONTROL_CHARACTERS.sub(lambda m: " " if m[0].isspace() else "", value).split()))


def _bidi_closed(value: str) -> str:
    """``value`` with the embeddings, overrides and isolates it leaves open closed at its end (as Unicode's
    bidirectional algorithm pairs them). Left open, a right-to-left override in a title ran on to the end of
    the paragraph: the rest of the citation, its control number, hash and permalink, read reversed."""
    open_runs: list[str] = []  # the closing character of each run still open
    for char in value:
        if char in OPENS_EMBEDDING or char in OPENS_ISOLATE:
            open_runs.append(CLOSES_EMBEDDING if char in OPENS_EMBEDDING else CLOSES_ISOLATE)
        elif char == CLOSES_EMBEDDING and open_runs[-1:] == [CLOSES_EMBEDDING]:
            open_runs.pop()
        elif char == CLOSES_ISOLATE and CLOSES_ISOLATE in open_runs:  # it closes the embeddings inside it too
            del open_runs[len(open_runs) - 1 - open_runs[::-1].index(CLOSES_ISOLATE):]
    return value + "".join(reversed(open_runs))


WRITERS = {"csl-json": csl_json_text, "bibtex": bibtex_text, "ris": ris_text}


def write(citations: Sequence[Citation], fmt: str) -> str:
    """Several citations as one file of format ``fmt`` (``csl-json``, ``bibtex`` or ``ris``)."""
    return WRITERS[fmt](citations)


#: What goes between two citations of a file, by format (CSL-JSON's items are indented inside its array).
SEPARATORS = {"csl-json": ",\n", "bibtex": "\n", "ris": "\r\n"}


def write_part(citation: Citation, fmt: str, *, first: bool) -> str:
    """One citation of a file written piece by piece: the parts, then :func:`write_end`, are :func:`write`'s text."""
    if fmt == "csl-json":
        item = textwrap.indent(json.dumps(csl_json(citation), ensure_ascii=False, indent=1), " ")
        return ("[\n" if first else SEPARATORS[fmt]) + item
    return ("" if first else SEPARATORS[fmt]) + (bibtex(citation) if fmt == "bibtex" else ris(citation))


def write_end(fmt: str, *, empty: bool) -> str:
    """What closes a file written with :func:`write_part` (``empty``: no part was written)."""
    if fmt == "csl-json":
        return "[]\n" if empty else "\n]\n"
    return ""
