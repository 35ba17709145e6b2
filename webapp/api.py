"""The JSON API under ``/api/``: the pages' data as JSON, described by ``/api/openapi.json``.

Search results have the shape the CLI prints with ``--json``
(:func:`archive.cli.results_as_dict`); documents the shape of ``evidence show
--json`` (:func:`archive.service.document_as_dict`). Every error, whatever
raised it, has one shape, ``{"ok": false, "error": ..., "status": ...}``
(plus ``suggestion`` for a query the archive would run instead); see
:mod:`webapp.errors`. A request sees what its user may see: the user of the
``Authorization: Bearer TOKEN`` header, else of the session, else an
anonymous visitor's public documents (see :mod:`webapp.auth`).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from archive import cite
from archive.cli import hit_as_dict, results_as_dict
from archive.models import Document
from archive.service import document_as_dict
from webapp.articles import NONE, PASSAGES_PER_PAGE, below, checked_id, instrument_rows, passage_page
from webapp.documents import citation, grouped_references, similar_documents
from webapp.export import export_response
from webapp.refs import article_counts, citing_passages, ref_label
from webapp.search import article_tree, request_from_args, suggestion_of
from webapp.state import (
    archive,
    event_actor,
    event_details,
    external_url,
    permalink,
    record_view,
    search_index,
    visible_document,
    visible_events,
    visible_levels,
)

bp = Blueprint("api", __name__, url_prefix="/api")


def links(document: Document) -> dict[str, str]:
    return {
        "permalink": permalink(document),
        "original": external_url("documents.original", doc_id=document.id),
        "download": external_url("documents.download", doc_id=document.id),
    }


@bp.get("/search")
def search() -> Response:
    results = search_index().search(request_from_args(request.args))
    data = results_as_dict(results)
    data["suggestion"] = suggestion_of(results)
    data["article_tree"] = [_node(n) for n in article_tree(results.facets)]
    return jsonify(data)


def _node(node: Any) -> dict[str, Any]:
    return {"field": node.field, "value": node.value, "label": node.label, "count": node.count,
            "children": [_node(child) for child in node.children]}


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    found = visible_document(doc_id)
    record_view(found, "api document")
    return jsonify({**document_as_dict(archive(), found), **links(found)})


@bp.get("/documents/<doc_id>/pages")
def pages(doc_id: str) -> Response:
    found = visible_document(doc_id)
    record_view(found, "api pages")
    items = [_page(found, p.number, p.text, p.method) for p in archive().pages(found.id)]
    return jsonify({"id": found.id, "pages": items})


@bp.get("/documents/<doc_id>/pages/<int(max=999999):number>")
def page(doc_id: str, number: int) -> Response:
    found = visible_document(doc_id)
    for item in archive().pages(found.id):
        if item.number == number:
            record_view(found, f"api page {number}")
            return jsonify(_page(found, item.number, item.text, item.method))
    abort(404, f"{found.control_number} has no page {number}: it has {found.page_count}, numbered from 1")


def _page(document: Document, number: int, text: str, method: str) -> dict[str, Any]:
    return {"number": number, "bates": document.bates(number), "text": text, "method": method,
            "permalink": permalink(document, number)}


@bp.get("/documents/<doc_id>/references")
def references(doc_id: str) -> Response:
    found = visible_document(doc_id)
    groups = [
        {"instrument": group.instrument_id, "label": group.label, "articles": [
            {"article": article.article_id, "label": article.label, "references": [
                {"id": c.reference.ref_id, "page": c.reference.page, "start": c.reference.start,
                 "end": c.reference.end, "text": c.reference.text, "context": c.context.as_dict(),
                 "permalink": permalink(found, c.reference.page)}
                for c in article.references]}
            for article in group.articles]}
        for group in grouped_references(found)
    ]
    return jsonify({"id": found.id, "instruments": groups})


@bp.get("/documents/<doc_id>/custody")
def custody(doc_id: str) -> Response:
    found = visible_document(doc_id)
    events = [{"seq": e.seq, "at": e.at, "actor": event_actor(e), "action": e.action, "details": event_details(e),
               "prev_hash": e.prev_hash, "hash": e.hash} for e in visible_events(found)]
    return jsonify({"id": found.id, "events": events})


@bp.get("/documents/<doc_id>/similar")
def similar(doc_id: str) -> Response:
    found = visible_document(doc_id)
    hits = [hit_as_dict(h) for h in similar_documents(found)]
    return jsonify({"id": found.id, "hits": hits})


@bp.get("/documents/<doc_id>/citation")
def document_citation(doc_id: str) -> Response:
    found = visible_document(doc_id)
    number = request.args.get("page", type=int)
    if "page" in request.args and (number is None or not 1 <= number <= found.page_count):
        abort(404, f"{found.control_number} has no page {request.args['page']!r}: pages are 1 to {found.page_count}")
    value = citation(found, number)
    return jsonify({"id": found.id, "page": number, "permalink": value.permalink, "text": cite.format_text(value),
                    "csl_json": cite.csl_json(value), "bibtex": cite.bibtex(value), "ris": cite.ris(value)})


@bp.get("/articles")
def articles() -> Response:
    counts = article_counts(archive(), visible_levels())
    return jsonify({"instruments": [
        {"id": row.instrument.id, "name": row.instrument.full_name, "short_name": row.instrument.short_name,
         "documents": row.count.documents, "passages": row.count.passages,
         "articles": [{"id": a.id, "number": a.number, "heading": a.heading, "documents": a.count.documents,
                       "passages": a.count.passages} for a in row.articles]}
        for row in instrument_rows(counts)]})


@bp.get("/articles/<ref_id>")
def article(ref_id: str) -> Response:
    canonical, number = checked_id(ref_id)
    counts = article_counts(archive(), visible_levels())
    count = counts.get(canonical, NONE)
    page_number = passage_page()
    total, passages = citing_passages(archive(), canonical, visible_levels(), limit=PASSAGES_PER_PAGE,
                                      offset=(page_number - 1) * PASSAGES_PER_PAGE)
    return jsonify({
        "id": canonical, "label": ref_label(canonical), "documents": count.documents, "passages": count.passages,
        "below": [{"id": key, "label": ref_label(key), "documents": c.documents, "passages": c.passages}
                  for key, c in below(canonical, counts)],
        "total": total, "page": page_number, "limit": PASSAGES_PER_PAGE,
        "hits": [{"document": p.doc_id, "control_number": p.control_number, "title": p.title, "date": p.date,
                  "type": p.type, "reference": p.ref_id, "page": p.page, "text": p.text,
                  "context": p.context.as_dict(),
                  "permalink": external_url("documents.page", doc_id=p.doc_id, number=p.page)}
                 for p in passages],
    })


@bp.get("/export")
def export() -> Response:
    return export_response(request.args.get("format", "jsonl"))


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


def openapi_document() -> dict[str, Any]:
    """The OpenAPI description of this API, shipped as ``webapp/openapi.json``."""
    return json.loads(resources.files("webapp").joinpath("openapi.json").read_text(encoding="utf-8"))
