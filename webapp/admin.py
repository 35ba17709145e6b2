"""What only admins do through the web: change a document's access level, ingest files, read the audit trail.

An access change is a POST from the document page: the catalog changes and an
``access-changed`` custody event names the admin, in one transaction, and the
document is re-indexed at once, so searches follow (during a batch the batch
re-indexes it, and a narrowed document is left out of searches meanwhile).
Uploaded files are saved to an upload folder inside the archive home and
ingested like ``evidence ingest`` does, with the admin as the custody actor;
the folder is removed once they are in. While another writer holds the
archive (an overnight batch), the upload waits in the queue
(:mod:`archive.uploads`) and its page, ``/ingest/uploads/ID``, shows its
outcomes once the server has taken it in.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from archive.accounts import AccountError, change_access
from archive.catchup import start_catching_up
from archive.errors import StorageError, WriterBusyError
from archive.ingest import tally
from archive.settings import ACCESS_LEVELS
from archive.uploads import (
    UPLOAD_ID,
    Upload,
    find_upload,
    ingest_upload,
    leftover_uploads,
    new_upload,
    queue,
    queued_uploads,
)
from webapp.auth import require_admin
from webapp.search import trail_of_request
from webapp.security import CONTROL_CHARACTERS
from webapp.state import archive, search_index, visible_document

bp = Blueprint("admin", __name__)
#: Custody actions the audit page lists.
AUDITED = ("viewed", "downloaded", "exported", "access-changed")
AUDIT_ROWS = 500
#: How often the page of a queued upload looks for its outcomes, in seconds.
REFRESH_SECONDS = 15
#: An upload of more files, or more bytes, than this is taken in by the server's thread, not in the request: a
#: request that ingests for minutes outlasts a reverse proxy's timeout (nginx gives 60 s), and the admin, told
#: it failed while it went on, sent the files again.
INLINE_FILES, INLINE_BYTES = 20, 50 * 1024 * 1024


@bp.post("/documents/<doc_id>/access")
def set_access(doc_id: str) -> Response:
    document = visible_document(doc_id)
    admin = require_admin("change access levels")
    level = request.form.get("level", "")
    if level not in ACCESS_LEVELS:
        raise AccountError(f"{level!r} is not an access level: choose {', '.join(ACCESS_LEVELS)}")
    change = change_access(archive(), search_index(), document.id, level, actor=admin.name)
    if change.pending:
        start_catching_up(archive().settings)  # in case the writer that holds the archive ends without looking
    flash(f"{document.control_number} is now {level}" + ("" if change.changed else " (unchanged)")
          + (f"; {change.pending}" if change.pending else ""))
    # back to the page as it was opened: the query marked, and its way back to the results
    return redirect(url_for("documents.show", doc_id=document.id, **trail_of_request().link))


@bp.route("/ingest", methods=["GET", "POST"])
def ingest_files() -> Any:
    admin = require_admin("ingest files through the web")
    settings = archive().settings
    if request.method == "GET":
        return render_template("ingest.html", outcomes=None, queue=queued_uploads(settings),
                               leftovers=leftover_uploads(settings))
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        raise AccountError("choose at least one file to ingest")
    upload_id, folder = new_upload(settings)
    try:
        saved = save_uploads(files, folder)
        upload = queue(upload_id, folder, actor=admin.name, names=saved)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # not queued: the admin is told, and nothing half-saved stays
        raise
    if len(saved) > INLINE_FILES or _size(folder) > INLINE_BYTES:
        start_catching_up(settings)
        return _upload_page(upload.id, upload, large=True), 202
    try:
        report = ingest_upload(settings, upload)
    except WriterBusyError:
        report = None  # an overnight batch, say: the upload waits in the queue
    except Exception:
        start_catching_up(settings)  # what went in is kept; the rest stays queued and is tried again later
        raise
    if report is None:
        start_catching_up(settings)
        return _upload_page(upload.id, upload), 202
    outcomes = [_outcome(row, upload) for row in archive().outcomes(report.run_id)]
    return render_template("ingest.html", outcomes=outcomes, summary=report.summary(), upload=upload,
                           queue=queued_uploads(settings), leftovers=leftover_uploads(settings))


@bp.get("/ingest/uploads/<upload_id>")
def upload_status(upload_id: str) -> Any:
    """An upload's page: queued (waiting for the writer), or its files' outcomes once they are in."""
    require_admin("read what was ingested through the web")
    settings = archive().settings
    waiting = find_upload(settings, upload_id)
    rows = list(archive().outcomes(upload_id)) if UPLOAD_ID.match(upload_id) else []
    if waiting is None and not rows:
        raise NotFound(f"no upload {upload_id!r} here: the ingest page lists the uploads still queued, and the "
                       "custody events of a document name the run it came in with")
    return _upload_page(upload_id, waiting, rows)


def _upload_page(upload_id: str, upload: Upload | None, rows: Sequence[Any] = (), *, large: bool = False) -> str:
    """The page of an upload: queued while ``upload`` (its queue record) is there, with the outcomes of ``rows``
    so far; ``large`` says it was queued for its size, not because another writer held the archive."""
    outcomes = [_outcome(row, upload) for row in rows]
    summary = tally(archive(), upload_id).summary(timed=False) if rows else ""
    return render_template("upload.html", upload_id=upload_id, upload=upload, outcomes=outcomes, summary=summary,
                           queued=upload is not None, large=large, refresh=REFRESH_SECONDS)


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


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


def _outcome(row: Any, upload: Upload | None) -> dict[str, Any]:
    name = upload.given_name(row["path"]) if upload else Path(row["path"]).name
    return {"file": name, "outcome": row["outcome"], "doc_id": row["doc_id"], "control_number": row["control_number"],
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
    events = [{**dict(row), "details": {key: shown(value) for key, value in json.loads(row["details"]).items()}}
              for row in rows]
    return render_template("audit.html", events=events, limit=AUDIT_ROWS)


def shown(value: Any) -> str:
    """A custody detail as a person writes it, not as Python prints it: ``type=report, type=appeal`` for the filters
    ``{'type': ['report', 'appeal']}``, ``yes`` for ``True``, ``public, restricted`` for a list."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{key}={shown(item)}" for key, items in value.items()
                         for item in (items if isinstance(items, list) else [items])) or "none"
    if isinstance(value, list):
        return ", ".join(shown(item) for item in value) or "none"
    return str(value)
