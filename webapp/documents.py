"""The document page: metadata, references, and the text page by page."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, render_template

from archive.errors import DocumentNotFoundError
from webapp.state import archive, visible_levels

bp = Blueprint("documents", __name__)


@bp.get("/documents/<doc_id>")
def show(doc_id: str) -> str:
    document = archive().get_document(doc_id)
    if document.metadata.access not in visible_levels():
        raise DocumentNotFoundError(doc_id)  # 404, not 403: existence does not leak
    references = defaultdict(list)
    for reference in archive().references(document.id):
        references[reference.ref_id].append(reference)
    return render_template(
        "document.html", document=document, pages=archive().pages(document.id), references=dict(references),
    )
