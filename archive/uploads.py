"""Files uploaded through the web, kept in a queue in the archive home until the one writer takes them in.

An upload is a folder ``uploads/web-ID`` in the home holding the files as
saved (names made safe, see ``webapp.admin.upload_name``) and a record,
``.upload.json``, naming the admin who uploaded them (the custody actor), when,
and the name each file had in the browser. ``ID`` is also the run id of its
ingest, so its outcomes are found in the catalog under it. Both hidden names
(the record, and ``.claim.lock``) are skipped by ingest, and no saved file
can take them (a saved name never starts with a dot).

The web request that received the files tries to ingest them at once. When
another writer holds the archive (an overnight batch, a reindex), the upload
stays queued, nothing lost, and a thread of the web server
(:func:`archive.catchup.start_catching_up`) takes the queue in as soon as the
writer lock is free; a server that stopped with uploads queued takes them in
when it starts again. Whoever ingests an
upload first claims it (an ``flock`` on ``.claim.lock``, released by the
operating system if the process dies), so two threads or two server processes
never ingest one upload at once. The folder is removed once its files are in;
an upload whose ingest was cut short (a killed server) stays queued and is
ingested again: the files stored already are then reported as duplicates of
themselves, under the same run id.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import StorageError, WriterBusyError
from archive.settings import Settings
from archive.store import file_sha256

if TYPE_CHECKING:
    from archive.ingest import IngestReport

UPLOADS = "uploads"
RECORD = ".upload.json"
CLAIM = ".claim.lock"
PREFIX = "web-"
#: An upload's id (and its run id): what ``new_upload`` makes, and all a URL may name.
UPLOAD_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{12}\Z")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upload:
    """One web upload waiting in the queue (or being ingested)."""

    id: str
    folder: Path
    actor: str
    queued: str
    #: Each saved file's name, mapped to the name the browser sent.
    names: Mapping[str, str] = field(default_factory=dict)

    def given_name(self, path: str) -> str:
        """The name the browser sent for a file saved at ``path`` (an outcome's path)."""
        saved = Path(path).name
        return self.names.get(saved, saved)


def new_upload(settings: Settings) -> tuple[str, Path]:
    """A new, empty upload folder in the home, and its id. Nothing is queued until :func:`queue` is called."""
    upload_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:12]
    root = settings.home / UPLOADS
    with StorageError.raised_for(root):  # in the archive home: a full disk is the archive's
        root.mkdir(exist_ok=True)
        folder = root / (PREFIX + upload_id)
        folder.mkdir()
    return upload_id, folder


def queue(upload_id: str, folder: Path, *, actor: str, names: Mapping[str, str]) -> Upload:
    """Queue the files saved in ``folder``: write its record, whole or not at all (a folder with no record is
    an upload cut short while its files were saved, and is not ingested).

    The files are on the disk before the record is (``fsync``): a queued upload is one the admin was told is
    kept, and a power cut must not leave the record naming files that were still only in memory.
    """
    upload = Upload(upload_id, folder, actor, dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), dict(names))
    record = {"id": upload.id, "actor": upload.actor, "queued": upload.queued, "names": upload.names}
    partial = folder / (RECORD + ".part")
    with StorageError.raised_for(folder):
        for saved in upload.names:
            _fsync(folder / saved)
        with open(partial, "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, folder / RECORD)
        _fsync(folder)  # the record's name, in the folder
        _fsync(folder.parent)  # the folder's name, in uploads/
    return upload


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def queued_uploads(settings: Settings) -> list[Upload]:
    """Every queued upload of the home, oldest first (the order they are ingested in)."""
    root = settings.home / UPLOADS
    try:
        folders = sorted(p for p in root.iterdir() if p.name.startswith(PREFIX))
    except FileNotFoundError:
        return []
    found = []
    for folder in folders:
        upload = _read(folder)
        if upload is not None:
            found.append(upload)
    return found


def find_upload(settings: Settings, upload_id: str) -> Upload | None:
    """The queued upload with this id, or None. The id is matched against the queue, never made into a path."""
    if not UPLOAD_ID.match(upload_id):
        return None
    return next((u for u in queued_uploads(settings) if u.id == upload_id), None)


def _read(folder: Path) -> Upload | None:
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        upload = Upload(str(record["id"]), folder, str(record["actor"]), str(record["queued"]),
                        {str(k): str(v) for k, v in record.get("names", {}).items()})
    except FileNotFoundError:
        return None  # not queued yet, or taken in and being removed
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        log.error("the upload record %s cannot be read (%s); its files stay in %s until an administrator ingests "
                  "them with `evidence ingest`", folder / RECORD, error, folder)
        return None
    if folder.name != PREFIX + upload.id or not UPLOAD_ID.match(upload.id):
        log.error("the upload record %s names another upload (%s); left alone", folder / RECORD, upload.id)
        return None
    return upload


@contextlib.contextmanager
def claimed(upload: Upload) -> Iterator[bool]:
    """Hold ``upload`` for this thread alone while the block runs; yields False if another holds it, or it is gone."""
    try:
        handle = open(upload.folder / CLAIM, "a+")  # noqa: SIM115 - held for the whole block
    except FileNotFoundError:
        yield False  # taken in and removed meanwhile
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield (upload.folder / RECORD).exists()  # the holder before may have taken it in and removed it since


def ingest_upload(settings: Settings, upload: Upload) -> IngestReport | None:
    """Ingest ``upload`` (its admin as the custody actor, its id as the run id) and remove it from the queue.

    Returns the ingest's report, or None when another thread or process holds the upload. Raises
    :class:`~archive.errors.WriterBusyError` when another writer holds the archive (the upload stays queued),
    and what :func:`archive.ingest.ingest` raises when a batch stops (the upload stays queued too: the files
    that went in are reported as duplicates the next time).
    """
    from archive.ingest import ingest  # ingest imports the index, which a queue listing does not need

    with claimed(upload) as mine:
        if not mine:
            return None
        report = ingest([upload.folder], settings.with_changes(actor=upload.actor), run_id=upload.id)
        with StorageError.raised_for(upload.folder):
            (upload.folder / RECORD).unlink()  # no longer queued, even if the rest cannot be removed
        shutil.rmtree(upload.folder, ignore_errors=True)
        return report


#: How long a folder of an upload with no record is taken for one being saved by a live request, in seconds; past
#: it, the server that was saving it stopped (killed, or the machine lost power) before the upload was queued.
LEFTOVER_AGE = 3600.0


@dataclass(frozen=True)
class Leftover:
    """An upload folder a stopped server left without a record: its files were never queued for ingest."""

    folder: Path
    files: int
    size: int
    saved: str  # when its newest file was written, ISO (UTC)


def leftover_uploads(settings: Settings, *, now: float | None = None) -> list[Leftover]:
    """The folders in ``uploads/`` a server left without a record (see :func:`tidy_leftovers`), oldest first."""
    root = settings.home / UPLOADS
    try:
        folders = sorted(p for p in root.iterdir() if p.name.startswith(PREFIX) and p.is_dir())
    except FileNotFoundError:
        return []
    now = time.time() if now is None else now
    found = []
    for folder in folders:
        if (folder / RECORD).exists():
            continue  # queued (or being taken in)
        try:
            stats = [p.stat() for p in folder.iterdir() if p.is_file() and p.name != CLAIM]
            newest = max((st.st_mtime for st in stats), default=folder.stat().st_mtime)
        except OSError as error:  # removed meanwhile (an upload just taken in), or unreadable: not listed now
            log.debug("the upload folder %s could not be looked at: %s", folder, error)
            continue
        if now - newest < LEFTOVER_AGE:
            continue  # a request may be saving it now
        saved = dt.datetime.fromtimestamp(newest, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        found.append(Leftover(folder, len(stats), sum(st.st_size for st in stats), saved))
    return found


def tidy_leftovers(settings: Settings, known: Callable[[str], bool]) -> list[Leftover]:
    """Remove the leftover upload folders whose every file is in the archive already (``known``: whether the
    catalog holds an original with this SHA-256), and that hold nothing else (no folder, no pipe); return those
    kept, which hold files that never went in.

    A server killed while saving an upload leaves a folder with no record, which is never ingested: the admin
    was not told the upload was kept. One killed between taking an upload in and removing its folder leaves
    one too, its files all in the archive. The first kind is kept for an administrator (the ingest page lists
    it, and the log names it); the second is removed, as it would have been.
    """
    kept = []
    for leftover in leftover_uploads(settings):
        # Anything but a file (a folder, a pipe) is no saved upload, and what a folder holds is not looked at.
        try:
            entries = [p for p in leftover.folder.iterdir() if p.name != CLAIM]
        except OSError:
            continue  # removed meanwhile
        if all(p.is_file() and _known(p, known) for p in entries):  # an empty one holds nothing to keep
            shutil.rmtree(leftover.folder, ignore_errors=True)
            log.info("removed %s, an upload folder a stopped server left: %s", leftover.folder,
                     f"its {len(entries)} files are in the archive" if entries else "it held no file")
            continue
        log.warning("%s holds %d files of an upload a stopped server never queued, not all of them in the archive: "
                    "ingest them with `evidence ingest %s`, or remove the folder", leftover.folder,
                    leftover.files, leftover.folder)
        kept.append(leftover)
    return kept


def _known(path: Path, known: Callable[[str], bool]) -> bool:
    """Whether the file at ``path`` is in the archive; one that cannot be read is taken as not (and its folder kept)."""
    try:
        return known(file_sha256(path))
    except OSError as error:
        log.warning("%s cannot be read (%s); its folder is kept", path, error.strerror or error)
        return False


def drain(settings: Settings) -> int:
    """Ingest queued uploads, oldest first, until the queue is empty or another writer holds the archive.

    Returns how many uploads this call took in. Raises what :func:`ingest_upload` raises, except that a busy
    archive ends the call quietly.
    """
    taken = 0
    for upload in queued_uploads(settings):
        try:
            report = ingest_upload(settings, upload)
        except WriterBusyError:
            break
        if report is not None:
            taken += 1
            log.info("ingested the upload %s of %s: %s", upload.id, upload.actor, report.summary())
    return taken
