"""The system of record: originals by SHA-256, the SQLite catalog, the custody ledger.

:class:`Archive` owns one archive home. It stores each original once,
read-only, under ``objects/ab/<sha256>``; keeps documents, pages, references,
dates, places and ingest outcomes in ``catalog.sqlite3`` (WAL mode, schema
versioned by ``PRAGMA user_version`` with forward migrations); and appends
custody events whose hashes chain each to the one before. It does no
extraction and no searching: the ingest pipeline feeds it, the index reads it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from archive.errors import (
    ArchiveClosedError,
    CatalogError,
    DocumentNotFoundError,
    SourceChangedError,
    StorageError,
    WriterBusyError,
)
from archive.models import CustodyEvent, Document, Extraction, Metadata, Page, Reference
from archive.settings import ACCESS_LEVELS, Settings
from archive.threads import PerThread

GENESIS_HASH = "0" * 64

#: Forward migrations; ``PRAGMA user_version`` is the number applied.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        seq INTEGER NOT NULL UNIQUE,
        control_number TEXT NOT NULL UNIQUE,
        original_name TEXT NOT NULL,
        original_path TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        page_count INTEGER NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        type TEXT NOT NULL DEFAULT 'other',
        doc_date TEXT NOT NULL DEFAULT '',
        date_source TEXT NOT NULL DEFAULT '',
        issuer TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        languages TEXT NOT NULL DEFAULT '[]',
        places TEXT NOT NULL DEFAULT '[]',
        access TEXT NOT NULL DEFAULT 'public',
        synthetic INTEGER NOT NULL DEFAULT 0,
        extra TEXT NOT NULL DEFAULT '{}',
        extractor TEXT NOT NULL DEFAULT '',
        ingested_at TEXT NOT NULL,
        indexed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE pages (
        doc_id TEXT NOT NULL REFERENCES documents(id),
        number INTEGER NOT NULL,
        text TEXT NOT NULL,
        method TEXT NOT NULL,
        language TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (doc_id, number)
    ) WITHOUT ROWID;
    CREATE TABLE refs (
        doc_id TEXT NOT NULL REFERENCES documents(id),
        page INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        ref_id TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX refs_by_id ON refs(ref_id);
    CREATE INDEX refs_by_doc ON refs(doc_id, page);
    CREATE TABLE dates (
        doc_id TEXT NOT NULL REFERENCES documents(id),
        page INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        value TEXT NOT NULL,
        precision TEXT NOT NULL
    );
    CREATE INDEX dates_by_doc ON dates(doc_id);
    CREATE TABLE places (
        doc_id TEXT NOT NULL REFERENCES documents(id),
        page INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        name TEXT NOT NULL
    );
    CREATE INDEX places_by_doc ON places(doc_id);
    CREATE TABLE outcomes (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT,
        outcome TEXT NOT NULL,
        doc_id TEXT,
        reason TEXT NOT NULL DEFAULT '',
        error_class TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );
    CREATE INDEX outcomes_by_path ON outcomes(path);
    CREATE TABLE custody (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        doc_id TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
    );
    CREATE INDEX custody_by_doc ON custody(doc_id);
    """,
    # 2: accounts (archive.accounts): users, API tokens (SHA-256 of the secret only), failed logins
    """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        digest TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        last_used TEXT,
        revoked TEXT
    );
    CREATE TABLE login_failures (
        name TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT '',
        at REAL NOT NULL
    );
    CREATE INDEX login_failures_by_name ON login_failures(name, at);
    CREATE INDEX login_failures_by_address ON login_failures(address, at);
    CREATE TABLE login_locks (
        name TEXT PRIMARY KEY,
        until REAL NOT NULL
    );
    """,
    # 3: a run's outcomes read in order without scanning every run's (reports of large batches)
    """
    CREATE INDEX outcomes_by_run ON outcomes(run_id, id);
    """,
    # 4: signing out ends a user's sessions on the server too (archive.accounts.end_sessions)
    """
    ALTER TABLE users ADD COLUMN sessions INTEGER NOT NULL DEFAULT 0;
    """,
    # 5: an access change the index has not caught up with yet (Archive.set_access): 'narrowed' ones are
    # left out of every search until it has, so a restriction takes effect at once, even during a batch
    """
    ALTER TABLE documents ADD COLUMN access_change TEXT NOT NULL DEFAULT '';
    CREATE INDEX documents_access_changes ON documents(access_change) WHERE access_change != '';
    """,
    # 6: lock-outs are worked out from login_failures alone (archive.accounts); login_locks was never written
    """
    DROP TABLE login_locks;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
#: The file in the home whose ``flock`` one writer holds at a time.
WRITER_LOCK = "writer.lock"
#: Seconds a writer waits for the lock before it gives up: longer than an access change holds it, far shorter than
#: a batch does.
WRITER_WAIT = 5.0


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with microseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def printable_path(path: str) -> str:
    """A path as text the catalog can hold.

    A name that is not UTF-8 reaches Python with its undecodable bytes as lone
    surrogates, which SQLite and the custody hashes cannot encode; they are
    written as ``\\xNN`` escapes instead, so the record still tells which file it was.
    """
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


def document_id(sha256: str) -> str:
    """The stable id of a document: the first 16 hex digits of its original's SHA-256."""
    return sha256[:16]


def event_hash(seq: int, at: str, actor: str, action: str, doc_id: str | None,
               details: dict[str, Any], prev_hash: str) -> str:
    """The SHA-256 that seals one custody event and its link to the one before."""
    payload = json.dumps(
        [seq, at, actor, action, doc_id, details, prev_hash],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What happened to one file of a batch."""

    path: str
    outcome: str  # ingested | duplicate | failed
    sha256: str | None = None
    doc_id: str | None = None
    control_number: str | None = None
    reason: str = ""
    error_class: str = ""
    detail: str = ""
    pages: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


class Archive:
    """One archive home: originals, catalog and custody ledger.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, settings: Settings, *, create: bool = True, readonly: bool = False) -> None:
        self.settings = settings
        self.home = settings.home
        if (readonly or not create) and not settings.catalog_path.exists():
            raise CatalogError(
                f"no archive at {self.home}: ingest something first (`evidence ingest PATH`) "
                "or point --home / ARCHIVE_HOME at an existing archive"
            )
        self._transaction_lock = threading.RLock()
        self._closing = self._closed = False
        self._readonly_db: sqlite3.Connection | None = None
        # One connection per thread (the web app serves from several): statements of two threads on one
        # connection share its read snapshot and its transaction. A read still running in one thread kept the
        # connection on an old snapshot, so another thread's BEGIN IMMEDIATE failed at once with "database is
        # locked" (busy_timeout is not consulted) as soon as an ingest had committed; reads saw other threads'
        # uncommitted writes; and errors of one thread's statement surfaced in another's ("another row available").
        self._local = threading.local()
        self._connections: PerThread[sqlite3.Connection] = PerThread()
        if readonly:
            self._readonly_db = _open_readonly(settings.catalog_path)
            return
        with StorageError.raised_for(self.home):
            self.home.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new home: its owner's alone (evidence)
            settings.objects_dir.mkdir(exist_ok=True)
        db = sqlite3.connect(settings.catalog_path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as error:
            db.close()
            fault = StorageError.from_sqlite_error(settings.catalog_path, error)  # a full disk is not damage
            if fault is not None:
                raise fault from error
            raise CatalogError(_damaged(settings.catalog_path, error)) from None
        self._adopt(db)
        self._migrate()

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection to the catalog, opened on first use (one connection for a read-only archive).

        Once the archive is closed this raises :class:`ArchiveClosedError`, and closes this thread's connection.
        """
        if self._closed:
            self._close_own()
            raise ArchiveClosedError(self.home)
        if self._readonly_db is not None:
            return self._readonly_db
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._adopt(sqlite3.connect(self.settings.catalog_path, isolation_level=None,
                                             check_same_thread=False))  # closed by close(), maybe from another thread
        return db

    def _adopt(self, db: sqlite3.Connection) -> sqlite3.Connection:
        """Set up ``db`` as this thread's connection; close those of threads that have ended."""
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=10000")
        self._local.db = self._connections.adopt(db)
        return db

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the catalog, once a transaction another thread has in progress has ended (it commits or not as it
        would have).

        A transaction that was waiting to begin, and every use of the archive afterwards, in any thread, raise
        :class:`ArchiveClosedError`: nothing is written once the close has begun but what was under way. The
        connections of this thread and of threads that have ended are closed here; a thread still running closes
        its own at its next use of the archive (else it is closed once nothing holds it): it may be reading with
        it at this moment, and closing a connection under a statement crashed the interpreter.
        """
        self._closing = True  # a transaction not yet begun is refused
        with self._transaction_lock:  # the one in progress ends
            self._closed = True
        if self._readonly_db is not None:
            self._readonly_db.close()
        self._connections.close_unused()
        self._local.__dict__.pop("db", None)

    def _close_own(self) -> None:
        """Close this thread's connection, if it still has one (it is this thread's alone: no one else is using it)."""
        db = self._local.__dict__.pop("db", None)
        if db is not None:
            db.close()

    # -- schema ---------------------------------------------------------------

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CatalogError(
                f"{self.settings.catalog_path} has schema version {version}, newer than this "
                f"program's {SCHEMA_VERSION}: upgrade the evidence archive package"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One SQLite transaction: committed on success, rolled back on any error.

        Each thread has its own connection (:attr:`db`); a lock keeps the
        transactions of one process's threads (custody events of views and
        downloads in the web app) one at a time. :meth:`close` waits for the
        one in progress; those still waiting then raise :class:`ArchiveClosedError`.
        """
        with self._transaction_lock:
            if self._closing:
                self._close_own()
                raise ArchiveClosedError(self.home)
            try:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    yield self.db
                except BaseException:
                    if self.db.in_transaction:  # SQLite rolls back by itself after some errors (a full disk)
                        self.db.execute("ROLLBACK")
                    raise
                self.db.execute("COMMIT")
            except sqlite3.Error as error:
                fault = StorageError.from_sqlite_error(self.settings.catalog_path, error)
                if fault is None:
                    raise
                if self.db.in_transaction:  # a COMMIT that failed leaves the transaction open
                    with contextlib.suppress(sqlite3.Error):
                        self.db.execute("ROLLBACK")
                raise fault from error

    # -- the one writer -------------------------------------------------------

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the archive's writer lock: one batch writes at a time.

        The lock is an ``flock`` on ``writer.lock`` in the home, released by
        the operating system even when the writer is killed. Holding it, the
        writer removes partial copies a killed writer left in the object store.
        A holder that lets go within :data:`WRITER_WAIT` seconds (an access
        change takes a fraction of one) is waited for; a batch that holds it
        longer is not (:class:`WriterBusyError`).
        """
        handle = open(self.home / WRITER_LOCK, "a+")  # noqa: SIM115 - held for the whole block
        try:
            deadline = time.monotonic() + WRITER_WAIT
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WriterBusyError(
                            f"another process is writing to {self.home}; wait for it to finish, then run this again"
                        ) from None
                    time.sleep(0.05)
            self._remove_partial_objects()
            yield
        finally:
            handle.close()

    def writer_active(self) -> bool:
        """Whether another process holds the writer lock now (an ingest, a reindex, an access change)."""
        try:
            handle = open(self.home / WRITER_LOCK, "rb")  # noqa: SIM115 - closed below
        except OSError:
            return False
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            handle.close()
        return False

    def _remove_partial_objects(self) -> None:
        for partial in self.settings.objects_dir.glob("*/.incoming-*"):
            partial.unlink(missing_ok=True)

    # -- originals ------------------------------------------------------------

    def object_path(self, sha256: str) -> Path:
        """Where the original with this SHA-256 lives (whether or not it is there)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.settings.objects_dir / sha256[:2] / sha256[2:]

    def store_original(self, source: Path, sha256: str) -> Path:
        """Copy ``source`` into the object store once, read-only, checking its hash on the way."""
        target = self.object_path(sha256)
        if target.exists() and _file_sha256(target) == sha256:
            return target
        with StorageError.raised_for(target.parent):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        digest = hashlib.sha256()
        out = os.fdopen(fd, "wb")
        try:
            # Reading fails as the source's fault (OSError: the file is unreadable); writing as the archive's
            # (StorageError: a full disk stops the batch instead of failing every file after it).
            with open(source, "rb") as src:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    with StorageError.raised_for(target.parent):
                        out.write(chunk)
            with StorageError.raised_for(target.parent):
                out.flush()
                os.fsync(out.fileno())
                out.close()
            if digest.hexdigest() != sha256:
                raise SourceChangedError(source)
            with StorageError.raised_for(target.parent):
                os.chmod(tmp_name, 0o444)
                if target.exists():
                    os.chmod(target, 0o644)
                os.replace(tmp_name, target)
        except BaseException:
            with contextlib.suppress(OSError):
                out.close()  # what it could not flush is thrown away with the partial copy
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        return target

    # -- writing a document ---------------------------------------------------

    def find_by_sha256(self, sha256: str) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT id, control_number, access FROM documents WHERE sha256 = ?", (sha256,)
        ).fetchone()

    def known_hashes(self) -> frozenset[str]:
        return frozenset(row[0] for row in self.db.execute("SELECT sha256 FROM documents"))

    def add_document(self, extraction: Extraction, run_id: str) -> Document:
        """Store the original and write every row of one document in one transaction."""
        self.store_original(Path(extraction.path), extraction.sha256)
        meta = extraction.metadata
        name = printable_path(extraction.path)
        doc_id = document_id(extraction.sha256)
        now = utc_now()
        with self.transaction() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0]
            control = f"{self.settings.control_prefix}-{seq:06d}"
            db.execute(
                """INSERT INTO documents (id, sha256, seq, control_number, original_name, original_path,
                   media_type, size, page_count, title, type, doc_date, date_source, issuer, source,
                   languages, places, access, synthetic, extra, extractor, ingested_at)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                (doc_id, extraction.sha256, seq, control, Path(name).name, name,
                 extraction.media_type, extraction.size, extraction.page_count, meta.title, meta.type,
                 meta.date, meta.date_source, meta.issuer, meta.source, json.dumps(list(meta.languages)),
                 json.dumps(list(meta.places), ensure_ascii=False), meta.access, int(meta.synthetic),
                 json.dumps(meta.extra, ensure_ascii=False, sort_keys=True), extraction.extractor, now),
            )
            db.executemany(
                "INSERT INTO pages (doc_id, number, text, method, language) VALUES (?,?,?,?,?)",
                [(doc_id, p.number, p.text, p.method, p.language) for p in extraction.pages],
            )
            db.executemany(
                "INSERT INTO refs (doc_id, page, start, end, ref_id, text) VALUES (?,?,?,?,?,?)",
                [(doc_id, r.page, r.start, r.end, r.ref_id, r.text) for r in extraction.references],
            )
            db.executemany(
                "INSERT INTO dates (doc_id, page, start, end, text, value, precision) VALUES (?,?,?,?,?,?,?)",
                [(doc_id, d.page, d.start, d.end, d.text, d.value.isoformat(), d.precision)
                 for d in extraction.dates],
            )
            db.executemany(
                "INSERT INTO places (doc_id, page, start, end, text, name) VALUES (?,?,?,?,?,?)",
                [(doc_id, p.page, p.start, p.end, p.text, p.name) for p in extraction.places],
            )
            self.append_event(db, "received", doc_id, {
                "path": name, "sha256": extraction.sha256, "size": extraction.size,
                "run": run_id,
            })
            self.append_event(db, "ingested", doc_id, {
                "control_number": control, "pages": extraction.page_count,
                "extractor": extraction.extractor, "run": run_id,
                "access": meta.access, "catalog": catalog_digest(db, doc_id),
            })
            self._record_outcome(db, run_id, Outcome(
                path=extraction.path, outcome="ingested", sha256=extraction.sha256, doc_id=doc_id,
                control_number=control, pages=extraction.page_count, detail="; ".join(extraction.notes),
            ))
        return self.get_document(doc_id)

    def record_outcome(self, run_id: str, outcome: Outcome) -> None:
        with self.transaction() as db:
            self._record_outcome(db, run_id, outcome)

    def _record_outcome(self, db: sqlite3.Connection, run_id: str, outcome: Outcome) -> None:
        db.execute(
            """INSERT INTO outcomes (run_id, path, sha256, outcome, doc_id, reason, error_class, detail, at)
               VALUES (?,?,?,?,?,?,?,?,?)""",
            (run_id, printable_path(outcome.path), outcome.sha256, outcome.outcome, outcome.doc_id, outcome.reason,
             outcome.error_class, printable_path(outcome.detail) if outcome.detail else outcome.detail, utc_now()),
        )

    def mark_indexed(self, indexed: Iterable[tuple[str, str]]) -> None:
        """Record that the index now holds these ``(document id, access level)`` entries.

        A document whose access level changed after it was read for indexing
        (an admin's change during a batch) is not marked: the index holds its
        old level, so it stays unindexed, and left out of searches if it was
        narrowed, until the next writer indexes it at its new level.
        """
        with self.transaction() as db:
            db.executemany("UPDATE documents SET indexed = 1, access_change = '' WHERE id = ? AND access = ?",
                           list(indexed))

    def mark_all_unindexed(self) -> None:
        """Mark every document as not in the search index (before the index is replaced by a rebuilt one)."""
        with self.transaction() as db:
            db.execute("UPDATE documents SET indexed = 0")

    def unindexed_ids(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM documents WHERE indexed = 0 ORDER BY seq")]

    def access_changed_ids(self) -> list[str]:
        """Documents whose access level changed since the index last took them (see :meth:`set_access`)."""
        return [row[0] for row in self.db.execute(
            "SELECT id FROM documents WHERE access_change != '' ORDER BY seq")]

    def withheld_ids(self) -> frozenset[str]:
        """Documents every search must leave out: their access was narrowed and the index still has the old level."""
        return frozenset(row[0] for row in self.db.execute(  # "!= ''" lets SQLite use the partial index
            "SELECT id FROM documents WHERE access_change != '' AND access_change = 'narrowed'"))

    # -- custody --------------------------------------------------------------

    def record_event(self, action: str, doc_id: str | None, details: dict[str, Any], *,
                     actor: str | None = None) -> CustodyEvent:
        """Append one custody event in its own transaction; ``actor`` defaults to ``settings.actor``."""
        with self.transaction() as db:
            return self.append_event(db, action, doc_id, details, actor)

    def append_event(self, db: sqlite3.Connection, action: str, doc_id: str | None,
                     details: dict[str, Any], actor: str | None = None) -> CustodyEvent:
        """Append one custody event inside the caller's transaction (``with archive.transaction() as db``), so that
        it commits, or not, with what the caller read or wrote there."""
        last = db.execute("SELECT seq, hash FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        at, actor = utc_now(), actor or self.settings.actor
        digest = event_hash(seq, at, actor, action, doc_id, details, prev)
        db.execute(
            "INSERT INTO custody (seq, at, actor, action, doc_id, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
            (seq, at, actor, action, doc_id, json.dumps(details, ensure_ascii=False, sort_keys=True), prev, digest),
        )
        return CustodyEvent(seq, at, actor, action, doc_id, details, prev, digest)

    def set_access(self, key: str, level: str, *, actor: str | None = None) -> tuple[Document, CustodyEvent | None]:
        """Change a document's access level and record an ``access-changed`` event, in one transaction.

        The change takes effect for searches at once, without the index: the
        document is marked as changed (``access_change``), and while a
        narrowing is not yet in the index every search leaves the document
        out (:meth:`withheld_ids`). Whoever holds the writer lock brings the
        index up to date (:func:`archive.ingest.apply_access_changes`): the
        caller now, a running batch after its next index commit, or the next
        ingest or ``evidence reindex``. Setting the level it already has
        changes nothing and records no event.
        """
        if level not in ACCESS_LEVELS:
            raise ValueError(f"not an access level: {level!r}")
        document = self.get_document(key)
        with self.transaction() as db:
            (current,) = db.execute("SELECT access FROM documents WHERE id = ?", (document.id,)).fetchone()
            if current == level:
                event = None
            else:
                narrowed = ACCESS_LEVELS.index(level) > ACCESS_LEVELS.index(current)
                db.execute("UPDATE documents SET access = ?, indexed = 0, access_change = CASE "
                           "WHEN ? OR access_change = 'narrowed' THEN 'narrowed' ELSE 'widened' END WHERE id = ?",
                           (level, narrowed, document.id))
                event = self.append_event(db, "access-changed", document.id, {"from": current, "to": level}, actor)
        return self.get_document(document.id), event

    def events(self, doc_id: str | None = None) -> list[CustodyEvent]:
        sql = "SELECT * FROM custody" + (" WHERE doc_id = ?" if doc_id else "") + " ORDER BY seq"
        return [_event(row) for row in self.db.execute(sql, (doc_id,) if doc_id else ())]

    # -- reading --------------------------------------------------------------

    def count_documents(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def get_document(self, key: str) -> Document:
        """A document by id, control number or full SHA-256."""
        row = self.db.execute(
            "SELECT * FROM documents WHERE id = ? OR control_number = ? OR sha256 = ?",
            (key, key.upper(), key.lower()),
        ).fetchone()
        if row is None:
            raise DocumentNotFoundError(key)
        return document_from_row(row)

    def iter_documents(self, *, batch: int = 500) -> Iterator[Document]:
        """Every document in control-number order, read in batches."""
        last = 0
        while True:
            rows = self.db.execute(
                "SELECT * FROM documents WHERE seq > ? ORDER BY seq LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield document_from_row(row)
            last = rows[-1]["seq"]

    def pages(self, doc_id: str) -> list[Page]:
        return [
            Page(number=r["number"], text=r["text"], method=r["method"], language=r["language"])
            for r in self.db.execute("SELECT * FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,))
        ]

    def page_text(self, doc_id: str, number: int) -> str | None:
        row = self.db.execute(
            "SELECT text FROM pages WHERE doc_id = ? AND number = ?", (doc_id, number)
        ).fetchone()
        return None if row is None else row[0]

    def references(self, doc_id: str) -> list[Reference]:
        return [
            Reference(ref_id=r["ref_id"], page=r["page"], start=r["start"], end=r["end"], text=r["text"])
            for r in self.db.execute("SELECT * FROM refs WHERE doc_id = ? ORDER BY page, start", (doc_id,))
        ]

    def outcome_tally(self, run_id: str) -> Iterator[sqlite3.Row]:
        """A run's outcomes with the page count of each file's document (what the run's report counts)."""
        yield from self.db.execute(
            "SELECT o.path, o.outcome, o.reason, o.detail, COALESCE(d.page_count, 0) AS pages FROM outcomes o"
            " LEFT JOIN documents d ON d.id = o.doc_id WHERE o.run_id = ? ORDER BY o.id", (run_id,))

    def outcomes(self, run_id: str | None = None) -> Iterator[sqlite3.Row]:
        """Each file's outcome (of one run, or of all), with the control number of the document it went into."""
        query = ("SELECT outcomes.*, documents.control_number FROM outcomes"
                 " LEFT JOIN documents ON documents.id = outcomes.doc_id")
        if run_id:
            yield from self.db.execute(query + " WHERE outcomes.run_id = ? ORDER BY outcomes.id", (run_id,))
        else:
            yield from self.db.execute(query + " ORDER BY outcomes.id")


def _damaged(path: Path, error: Exception) -> str:
    return (f"{path} cannot be read as a catalog ({error}): write nothing to this archive; keep a copy of the "
            "home as it is (cp -a), restore catalog.sqlite3 with its -wal file from a backup, and verify again")


def _open_readonly(path: Path) -> sqlite3.Connection:
    """The catalog opened for reading only: nothing is created, migrated or checkpointed.

    A home the reader cannot write (a write-protected copy, a read-only mount) has no room for
    SQLite's shared-memory file; with no WAL file beside the catalog nothing is pending in one,
    so the file is then read as immutable. A WAL that cannot be read that way is an error, never
    silently skipped.
    """
    uri = "file:" + urllib.parse.quote(str(path.absolute())) + "?mode=ro"
    wal = path.with_name(path.name + "-wal")
    attempts = [uri] + ([] if wal.exists() and wal.stat().st_size else [uri + "&immutable=1"])
    for attempt in attempts:
        db = sqlite3.connect(attempt, uri=True, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.OperationalError as error:
            db.close()
            last: Exception = error
            continue
        except sqlite3.DatabaseError as error:
            db.close()
            raise CatalogError(_damaged(path, error)) from None
        if not {"documents", "custody"} <= tables:
            db.close()
            raise CatalogError(f"{path} holds no catalog (no documents or custody table): restore it from a "
                               "backup; do not ingest into this home until it is restored")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            db.close()
            raise CatalogError(f"{path} has schema version {version}, newer than this program's "
                               f"{SCHEMA_VERSION}: upgrade the evidence archive package")
        return db
    raise CatalogError(
        f"cannot read {path} without writing to the home ({last}): it holds a write-ahead log "
        f"({wal.name}) from a process that did not finish; verify a writable copy (cp -a) of the home instead"
    )


#: The columns of a document's row that never change after ingest (``access`` changes only with an
#: ``access-changed`` event; ``indexed`` and ``access_change`` are the search index's bookkeeping).
SEALED_COLUMNS = ("id", "sha256", "seq", "control_number", "original_name", "original_path", "media_type",
                  "size", "page_count", "title", "type", "doc_date", "date_source", "issuer", "source",
                  "languages", "places", "synthetic", "extra", "extractor", "ingested_at")


def catalog_digest(db: sqlite3.Connection, doc_id: str) -> str:
    """The SHA-256 of what ingest wrote about one document: its sealed columns, pages, references,
    dates and places, as the catalog holds them. The ``ingested`` event carries it, so ``verify``
    can tell when any of them was changed afterwards."""
    row = db.execute(f"SELECT {', '.join(SEALED_COLUMNS)} FROM documents WHERE id = ?", (doc_id,)).fetchone()
    parts: list[Any] = [list(row) if row is not None else None]
    for table, columns in (("pages", "number, text, method, language"),
                           ("refs", "page, start, end, ref_id, text"),
                           ("dates", "page, start, end, text, value, precision"),
                           ("places", "page, start, end, text, name")):
        parts.append([list(r) for r in db.execute(
            f"SELECT {columns} FROM {table} WHERE doc_id = ? ORDER BY {columns}", (doc_id,))])
    payload = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file, read in 1 MiB chunks."""
    return _file_sha256(path)


def document_from_row(row: sqlite3.Row) -> Document:
    """A document from its catalog row (``ValueError`` or ``TypeError`` when a column cannot be read)."""
    meta = Metadata(
        title=row["title"], type=row["type"], date=row["doc_date"], date_source=row["date_source"],
        issuer=row["issuer"], source=row["source"], languages=tuple(json.loads(row["languages"])),
        places=tuple(json.loads(row["places"])), access=row["access"], synthetic=bool(row["synthetic"]),
        extra=json.loads(row["extra"]),
    )
    return Document(
        id=row["id"], sha256=row["sha256"], control_number=row["control_number"],
        original_name=row["original_name"], media_type=row["media_type"], size=row["size"],
        page_count=row["page_count"], metadata=meta, ingested_at=row["ingested_at"],
        extractor=row["extractor"],
    )


def _event(row: sqlite3.Row) -> CustodyEvent:
    return CustodyEvent(
        seq=row["seq"], at=row["at"], actor=row["actor"], action=row["action"], document_id=row["doc_id"],
        details=json.loads(row["details"]), prev_hash=row["prev_hash"], hash=row["hash"],
    )
