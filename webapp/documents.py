"""The document and page views, the original (inline and as a download) and citation downloads.

Every route reaches its document through :func:`webapp.state.visible_document`,
so a document outside the visitor's access levels is a 404. Originals are
found by the document's SHA-256 in the object store, never by a path taken
from the URL. Downloading an original records a ``downloaded`` custody event
(so does viewing it inline, for a signed-in user), and a signed-in user's view
of a restricted or confidential document or page a ``viewed`` one. Audit
events appear in the custody timeline for admins only.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request, send_file

from archive import cite
from archive.models import Document, Reference
from archive.treaties import levels_of
from index import Hit
from webapp.highlight import Passage, cited_spans, highlight, passage
from webapp.refs import id_order, ref_label
from webapp.search import trail_of_request
from webapp.security import CONTROL_CHARACTERS
from webapp.state import (
    archive,
    permalink,
    record_download,
    record_view,
    search_index,
    visible_document,
    visible_events,
    visible_levels,
)

bp = Blueprint("documents", __name__)
#: Media types a browser may show inline; anything else is sent as a download.
INLINE_TYPES = frozenset({"application/pdf", "text/plain", "text/markdown", "text/html"})
#: The encodings ingest reads text in, by the names ``Document.extractor`` records (Python's), as HTTP and browsers
#: name them; ``iso8859-N`` becomes ``iso-8859-N`` (:func:`charset_of`).
CHARSETS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16-le": "utf-16le", "utf-16-be": "utf-16be",
            "cp1251": "windows-1251", "cp1252": "windows-1252", "cp1254": "windows-1254", "cp866": "ibm866",
            "koi8-r": "koi8-r", "koi8-u": "koi8-u", "latin-1": "iso-8859-1"}


@dataclass(frozen=True)
class Cited:
    """One reference with the sentence around it."""

    reference: Reference
    context: Passage


@dataclass(frozen=True)
class ArticleGroup:
    """The references to one article (or to its paragraphs) in a document."""

    article_id: str
    label: str
    references: tuple[Cited, ...]


@dataclass(frozen=True)
class InstrumentGroup:
    instrument_id: str
    label: str
    articles: tuple[ArticleGroup, ...]


def grouped_references(document: Document) -> tuple[InstrumentGroup, ...]:
    """The document's references by instrument, then article, each with its page and sentence."""
    tree: dict[str, dict[str, list[Cited]]] = defaultdict(lambda: defaultdict(list))
    texts: dict[int, str] = {}
    for reference in archive().references(document.id):
        if reference.page not in texts:
            texts[reference.page] = archive().page_text(document.id, reference.page) or ""
        levels = levels_of(reference.ref_id)
        context = passage(texts[reference.page], reference.start, reference.end)
        tree[levels[0]][levels[1] if len(levels) > 1 else levels[0]].append(Cited(reference, context))
    return tuple(
        InstrumentGroup(instrument, ref_label(instrument), tuple(
            ArticleGroup(article, ref_label(article), tuple(articles[article]))
            for article in sorted(articles, key=id_order)))
        for instrument, articles in sorted(tree.items(), key=lambda item: id_order(item[0]))
    )


def similar_documents(document: Document) -> tuple[Hit, ...]:
    """"More like this": documents the visitor may see whose text is most like this one's."""
    return search_index().more_like_this(document.id, visible_levels(), limit=5)


def citation(document: Document, page: int | None = None) -> cite.Citation:
    return cite.citation_for(document, permalink=permalink(document, page), page=page)


@bp.get("/documents/<doc_id>")
def show(doc_id: str) -> str:
    document = visible_document(doc_id)
    record_view(document, "document")
    trail = trail_of_request()
    asked = search_index().asked(trail.query)
    cited: dict[int, list[Reference]] = defaultdict(list)
    for reference in archive().references(document.id) if asked.articles else ():
        cited[reference.page].append(reference)
    pages = [(page, highlight(page.text, asked.words, cited_spans(cited[page.number], asked.articles), asked.phrases))
             for page in archive().pages(document.id)]
    return render_template(
        "document.html", document=document, pages=pages, references=grouped_references(document),
        events=visible_events(document), similar=similar_documents(document),
        citation=citation(document), format_text=cite.format_text, trail=trail,
    )


@bp.get("/documents/<doc_id>/pages/<int(max=999999):number>")
def page(doc_id: str, number: int) -> str:
    document = visible_document(doc_id)
    text = archive().page_text(document.id, number)
    if text is None:
        abort(404, f"{document.control_number} has no page {number}: it has {document.page_count} "
                   f"page{'s' if document.page_count != 1 else ''}, numbered from 1")
    record_view(document, f"page {number}")
    references = [r for r in archive().references(document.id) if r.page == number]
    trail = trail_of_request()
    asked = search_index().asked(trail.query)
    marked = highlight(text, asked.words, cited_spans(references, asked.articles), asked.phrases)
    return render_template(
        "page.html", document=document, number=number, text=marked,
        references=[Cited(r, passage(text, r.start, r.end)) for r in references], citation=citation(document, number),
        format_text=cite.format_text, trail=trail, label=ref_label,
    )


def charset_of(document: Document) -> str | None:
    """The charset a text original is written in, as ingest read it (``text cp1251`` → ``windows-1251``).

    ``None`` for an encoding browsers have no name for (UTF-32, a rare code page an HTML page declared): sent
    without one, the browser reads the page's own ``<meta charset>``. A document catalogued without its
    encoding is UTF-8, as it was always sent.
    """
    kind, _, encoding = document.extractor.partition(" ")
    if kind != "text" or not encoding:
        return "utf-8"
    if encoding.startswith("iso8859-"):
        return "iso-8859-" + encoding.removeprefix("iso8859-")
    return CHARSETS.get(encoding)


def content_type(document: Document) -> str:
    """The ``Content-Type`` of an original: its media type, and for text the charset it is written in (a Russian
    letter in Windows-1251 or KOI8-R, labelled UTF-8, showed as replacement characters)."""
    if not document.media_type.startswith("text/"):
        return document.media_type
    charset = charset_of(document)
    return f"{document.media_type}; charset={charset}" if charset else document.media_type


def _original(document: Document, *, as_attachment: bool) -> Response:
    path = archive().object_path(document.sha256)
    if not path.is_file():
        abort(404, f"the original of {document.control_number} is missing from the object store; "
                   "run `evidence verify` to check the archive")
    # a file name may hold a newline or another control character, which no header may carry
    name = CONTROL_CHARACTERS.sub("_", document.original_name)
    response = send_file(path, mimetype=document.media_type, as_attachment=as_attachment,
                         download_name=name, conditional=True, etag=document.sha256)
    response.headers["Content-Type"] = content_type(document)  # send_file would call every text UTF-8
    if document.media_type != "application/pdf":
        # an HTML original must not run in this site's origin: show it in a sandbox
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/documents/<doc_id>/original")
def original(doc_id: str) -> Response:
    """The original shown inline; a type no browser shows inline is a download (and recorded as one)."""
    document = visible_document(doc_id)
    if document.media_type not in INLINE_TYPES:
        return download(doc_id)
    return _recorded(document, _original(document, as_attachment=False), inline=True)


@bp.get("/documents/<doc_id>/download")
def download(doc_id: str) -> Response:
    document = visible_document(doc_id)
    return _recorded(document, _original(document, as_attachment=True), inline=False)


def _recorded(document: Document, response: Response, *, inline: bool) -> Response:
    """``response``, recorded as a download of the original unless it sends none of it: a 304 ("not modified") tells
    the client that the copy it holds is current, and like the answer to a HEAD carries no byte of the file."""
    if response.status_code != 304:
        record_download(document, inline=inline)
    return response


@bp.get("/documents/<doc_id>/cite.<fmt>")
def cite_file(doc_id: str, fmt: str) -> Response:
    document = visible_document(doc_id)
    if fmt not in cite.FORMATS:
        abort(404, f"no citation format {fmt!r}; formats are: {', '.join(cite.FORMATS)}")
    number = request.args.get("page", type=int)
    # a page that is not a number must not quietly become a citation of the whole document (as in the API)
    if "page" in request.args and (number is None or not 1 <= number <= document.page_count):
        abort(404, f"{document.control_number} has no page {request.args['page']!r}: "
                   f"pages are 1 to {document.page_count}")
    media, ext = cite.FORMATS[fmt]
    body = cite.write([citation(document, number)], fmt)
    name = document.control_number + (f"-p{number}" if number else "")
    response = Response(body, content_type=f"{media}; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", **attachment_names(f"{name}.{ext}"))
    return response


def attachment_names(name: str) -> dict[str, str]:
    """``Content-Disposition`` parameters naming a download ``name``, which may hold any letters.

    A server sends headers as Latin-1, so a control prefix in Azerbaijani or Cyrillic letters would fail the
    response: such a name goes as ``filename*`` (UTF-8, RFC 6266), with an ASCII ``filename`` beside it.
    """
    if name.isascii():
        return {"filename": name}
    simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return {"filename": simple, "filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")}
