"""The archive's one error tree.

Every error the archive raises on purpose is an :class:`ArchiveError`. Each
subclass carries the data a caller needs (a path, a reason, an id) and a
message that names the object and says what to do next. The edges translate
them: the CLI into ``click.ClickException``, the web app into its one JSON
error shape or an HTML page, the ingest pipeline into a per-file failure
recorded in the catalog.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from archive.models import counted


class ArchiveError(Exception):
    """Base for every error the archive raises on purpose."""

    status = 500


class ConfigurationError(ArchiveError):
    """A setting has a value the archive cannot use."""

    status = 500

    def __init__(self, name: str, value: object, expected: str) -> None:
        super().__init__(f"setting {name}={value!r} is not valid: expected {expected}")
        self.name, self.value, self.expected = name, value, expected


class ExtractionError(ArchiveError):
    """A file could not be read into text.

    ``reason`` is a short machine-readable word (``encrypted``, ``corrupt``,
    ``empty``, ``unsupported``, ``timeout``…) that ingest reports record.
    """

    status = 422

    def __init__(self, path: Path | str, reason: str, detail: str = "") -> None:
        message = f"{path}: could not extract text ({reason})"
        if detail:
            message += f": {detail}"
        super().__init__(message)
        self.path, self.reason, self.detail = Path(path), reason, detail


class MetadataError(ArchiveError):
    """A sidecar or manifest holds metadata the archive cannot accept."""

    status = 422

    def __init__(self, source: Path | str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source, self.problem = source, problem


class DocumentNotFoundError(ArchiveError):
    """No document with that id or control number is in the catalog."""

    status = 404

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(
            f"no document {key!r} in this archive; "
            "search for it with `evidence search` or check the archive home"
        )
        self.key = key


class PublicUrlNeededError(ArchiveError):
    """A citation or an export names a document's permalink on the web app, whose address the archive has not been
    told."""

    status = 400

    def __init__(self) -> None:
        super().__init__("a citation or an export gives each document's permalink on the web app: set "
                         "ARCHIVE_PUBLIC_URL to the address it is reached at "
                         "(ARCHIVE_PUBLIC_URL=https://evidence.example.org)")


class CatalogError(ArchiveError):
    """The catalog is missing, newer than this program, or inconsistent."""

    status = 500


class WriterBusyError(CatalogError):
    """Another process or thread holds the archive's writer lock (an ingest, a reindex, an access change)."""

    status = 503


class ArchiveClosedError(CatalogError):
    """The archive was closed (``Archive.close``) while another thread still used it; what it asked was not done."""

    status = 503

    def __init__(self, home: Path | str) -> None:
        super().__init__(f"the archive at {home} has been closed, and this was neither read nor written: what was "
                         "committed before the close is kept; open the archive again to go on")
        self.home = home


class SourceChangedError(CatalogError):
    """A file's bytes changed between being read by a worker and being copied into the store."""

    def __init__(self, source: Path | str) -> None:
        super().__init__(f"{source} changed while it was being ingested; ingest it again once it stops changing")
        self.source = source


class StorageError(ArchiveError):
    """The archive could not write to its own home: a full disk, a quota, a read-only or failing file system.

    Not the fault of the file being ingested: a batch stops at the first one
    (:class:`BatchStoppedError`) instead of failing every file after it.
    ``where`` is the folder or file that could not be written.
    """

    status = 507

    def __init__(self, where: Path | str, problem: str, advice: str) -> None:
        super().__init__(f"the archive could not write to {where}: {problem}; {advice}")
        self.where, self.problem, self.advice = where, problem, advice

    FREE_SPACE = "free space on that disk (or move the archive home to a larger one)"
    MAKE_WRITABLE = "make the archive home writable by this user"
    CHECK_DISK = "check the disk and its file system (the system log names the fault)"

    @classmethod
    def from_os_error(cls, where: Path | str, error: OSError) -> StorageError:
        problem = error.strerror or str(error)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return cls(where, problem, cls.FREE_SPACE)
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return cls(where, problem, cls.MAKE_WRITABLE)
        return cls(where, problem, cls.CHECK_DISK)

    @classmethod
    def from_sqlite_error(cls, where: Path | str, error: Exception) -> StorageError | None:
        """The storage fault behind a SQLite error, or None when it is not one (a lock, a bad statement)."""
        name = getattr(error, "sqlite_errorname", "")
        if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and _no_space_at(where)):
            # SQLite reports a disk too full to create its write-ahead log's files as an I/O error
            return cls(where, str(error), cls.FREE_SPACE)
        if name.startswith("SQLITE_READONLY"):
            return cls(where, str(error), cls.MAKE_WRITABLE)
        if name.startswith("SQLITE_IOERR"):
            return cls(where, str(error), cls.CHECK_DISK)
        return None

    @classmethod
    @contextlib.contextmanager
    def raised_for(cls, where: Path | str) -> Iterator[None]:
        """Report a failure to write into the archive home as the archive's (this error), naming ``where``."""
        try:
            yield
        except OSError as error:
            raise cls.from_os_error(where, error) from error


def _no_space_at(where: Path | str) -> bool:
    """Whether the file system holding ``where`` has no block left for this user."""
    try:
        return os.statvfs(Path(where).parent).f_bavail == 0
    except OSError:
        return False


class WorkersFailingError(ArchiveError):
    """The extraction workers keep dying, file after file: the machine is at fault, not the files."""

    status = 503

    def __init__(self, crashes: int, last: Path | str) -> None:
        super().__init__(
            f"the extraction workers keep dying: the last {crashes} files each crashed the worker that read it "
            f"alone (the last was {last}). That many in a row points at the machine, not the files: look for the "
            "out-of-memory killer in the system log, a memory or process limit (ulimit), or a broken installation"
        )
        self.crashes, self.last = crashes, last


class IndexBuildError(ArchiveError):
    """A process helping to write the search index failed other than for want of space (then: StorageError)."""

    status = 500

    def __init__(self, where: Path | str, problem: str) -> None:
        super().__init__(
            f"a process writing {where} failed ({problem}); nothing it wrote was kept, and the index in use is as it "
            "was. Run the command again; if it fails the same way, look in the system log for the out-of-memory "
            "killer or a memory or process limit"
        )
        self.where, self.problem = where, problem


class BatchStoppedError(ArchiveError):
    """A batch stopped before its end: the archive could not be written (a :class:`StorageError`), its index
    turned out damaged (an :class:`IndexDamagedError`), or the workers kept dying (a :class:`WorkersFailingError`).

    ``report`` is the batch's report up to the stop (an ``IngestReport``):
    every file before it has its outcome; the file being stored has none,
    and nothing of it was kept.
    """

    def __init__(self, report: object, cause: ArchiveError, total: int) -> None:
        super().__init__(
            f"{cause}. The batch stopped after {getattr(report, 'files', 0):,} of {total:,} files; each file is "
            "stored whole or not at all, and what was stored is kept. Once that is fixed, run the same command "
            "again: stored files are skipped, and documents not yet searchable are indexed first"
        )
        self.report, self.cause, self.total = report, cause, total
        self.status = cause.status


class IntegrityError(ArchiveError):
    """An original or a custody event no longer matches its recorded hash."""

    status = 500


def minutes_to_wait(seconds: int) -> str:
    """``seconds`` as the whole minutes to wait, rounded up, at least one: "1 minute", "15 minutes"."""
    return counted(max(1, -(-seconds // 60)), "minute")


class TooManyExportsError(ArchiveError):
    """A visitor made ``Settings.export_limit`` exports within ``Settings.export_window`` seconds."""

    status = 429

    def __init__(self, limit: int, window: int, seconds: int) -> None:
        super().__init__(
            f"{limit} exports within {counted(max(1, window // 60), 'minute')} is the most this archive allows one "
            f"visitor (each is recorded in its custody ledger); try again in {minutes_to_wait(seconds)}, or narrow "
            "the search and export once: an export holds every result, not only the first page")
        self.seconds = seconds


class QueryError(ArchiveError):
    """A search query could not be understood.

    ``suggestion`` is a query the archive would run instead, when it has one.
    """

    status = 400

    def __init__(self, query: str, problem: str, suggestion: str | None = None) -> None:
        message = f"could not understand the query {query!r}: {problem}"
        if suggestion:
            message += f"; try: {suggestion}"
        super().__init__(message)
        self.query, self.problem, self.suggestion = query, problem, suggestion


class IndexDamagedError(ArchiveError):
    """A file of the search index is missing or cannot be read (a disk error, a file removed by hand)."""

    status = 503

    def __init__(self, directory: object, error: OSError) -> None:
        super().__init__(
            f"the search index in {directory} is damaged ({error.strerror or error}: {error.filename or ''}); "
            "run `evidence reindex` to rebuild it from the catalog, which holds everything the index is made of"
        )
        self.directory, self.error = directory, error


class IndexOutOfDateError(ArchiveError):
    """The search index was built by another schema version."""

    status = 503

    def __init__(self, found: int | None, expected: int) -> None:
        super().__init__(
            f"the search index has schema version {found}, this program needs {expected}: "
            "run `evidence reindex` to rebuild it from the catalog"
        )
        self.found, self.expected = found, expected


class GazetteerChangedError(ArchiveError):
    """The search index was built with other places than the gazetteer now configured."""

    status = 503

    def __init__(self, gazetteer: str) -> None:
        now = f"the built-in gazetteer merged with {gazetteer}" if gazetteer else "the built-in gazetteer alone"
        super().__init__(
            f"the search index was built with other places than the gazetteer now configured ({now}): "
            "run `evidence reindex` to rebuild it with these places, or set ARCHIVE_GAZETTEER back"
        )
        self.gazetteer = gazetteer
