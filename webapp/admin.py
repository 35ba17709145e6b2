"""What only admins do through the web: change a document's access level, ingest files, read the audit trail.

An access change is a POST from the document page: the catalog changes and an
``access-changed`` custody event names the admin, in one transaction, and the
document is re-indexed at once, so searches follow (during a batch the batch
re-indexes it, and a narrowed document is left out of searches meanwhile).
Uploaded files are saved to a temporary folder inside the archive home,
ingested like ``evidence ingest`` does with the admin as the custody actor,
and the folder is removed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from archive.accounts import AccountError, change_access
from archive.errors import StorageError
from archive.settings import ACCESS_LEVELS
from webapp.auth import require_admin
from webapp.security import CONTROL_CHARACTERS
from webapp.state import archive, search_index, visible_document

bp = Blueprint("admin", __name__)
UPLOADS = "uploads"
#: Custody actions the audit page lists.
AUDITED = ("viewed", "downloaded", "exported", "access-changed")
AUDIT_ROWS = 500


@bp.post("/documents/<doc_id>/access")
def set_access(doc_id: str) -> Response:
    document = visible_document(doc_id)
    admin = require_admin("change access levels")
    level = request.form.get("level", "")
    if level not in ACCESS_LEVELS:
        raise AccountError(f"{level!r} is not an access level: choose {', '.join(ACCESS_LEVELS)}")
    change = change_access(archive(), search_index(), document.id, level, actor=admin.name)
    flash(f"{document.control_number} is now {level}" + ("" if change.changed else " (unchanged)")
          + (f"; {change.pending}" if change.pending else ""))
    return redirect(url_for("documents.show", doc_id=document.id))


@bp.route("/ingest", methods=["GET", "POST"])
def ingest_files() -> Any:
    admin = require_admin("ingest files through the web")
    if request.method == "GET":
        return render_template("ingest.html", outcomes=None)
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        raise AccountError("choose at least one file to ingest")
    from archive.ingest import ingest

    settings = archive().settings
    with StorageError.raised_for(settings.home / UPLOADS):  # in the archive home: a full disk is the archive's
        (settings.home / UPLOADS).mkdir(exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="web-", dir=settings.home / UPLOADS))
    try:
        saved = save_uploads(files, folder)
        report = ingest([folder], settings.with_changes(actor=admin.name))
        outcomes = [_outcome(row, saved) for row in archive().outcomes(report.run_id)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return render_template("ingest.html", outcomes=outcomes, summary=report.summary())


def save_uploads(files: list[FileStorage], folder: Path) -> dict[str, str]:
    """Save each upload under a safe, unique name; map the saved names back to the names given."""
    saved: dict[str, str] = {}
    for upload in files:
        name = upload_name(upload.filename or "")
        while name in saved:
            name = "_" + name
        with StorageError.raised_for(folder):
            upload.save(folder / name)
        saved[name] = upload.filename or name
    return saved


def upload_name(filename: str) -> str:
    """The name a browser sent, safe to save in the upload folder but otherwise as given.

    ``secure_filename`` keeps ASCII only, so ``Отчёт.txt`` became ``txt`` (no extension: failed as
    unsupported) and ``Məktub Şuşa.txt`` was stored as ``Mktub_Susa.txt``, the original name of
    the evidence. Only folders, control characters and leading dots (a hidden file is skipped by
    ingest; ``.evidenceignore`` would steer it) are taken out, and the name is cut to fit a file system.
    """
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = CONTROL_CHARACTERS.sub("_", name).strip().lstrip(".")
    if len(name.encode("utf-8")) > 200:
        stem, dot, ext = name.rpartition(".")
        ext = dot + ext if dot and len(ext) <= 16 else ""
        stem = name[: len(name) - len(ext)]
        while len((stem + ext).encode("utf-8")) > 200:
            stem = stem[:-1]
        name = stem + ext
    return name or "upload"


def _outcome(row: Any, saved: dict[str, str]) -> dict[str, Any]:
    name = Path(row["path"]).name
    return {"file": saved.get(name, name), "outcome": row["outcome"], "doc_id": row["doc_id"],
            "reason": row["reason"], "detail": row["detail"]}


@bp.get("/audit")
def audit() -> str:
    require_admin("read the audit trail")
    rows = archive().db.execute(
        f"SELECT c.seq, c.at, c.actor, c.action, c.doc_id, c.details, d.control_number FROM custody c "
        f"LEFT JOIN documents d ON d.id = c.doc_id WHERE c.action IN ({','.join('?' * len(AUDITED))}) "
        "ORDER BY c.seq DESC LIMIT ?",
        (*AUDITED, AUDIT_ROWS),
    ).fetchall()
    events = [{**dict(row), "details": json.loads(row["details"])} for row in rows]
    return render_template("audit.html", events=events, limit=AUDIT_ROWS)
