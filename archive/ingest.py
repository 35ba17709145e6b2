"""The ingest pipeline: discover → fingerprint → extract → analyse → record.

Workers (a local process pool, or a Dask cluster through
:mod:`archive.distributed`) run :func:`process_file`, a pure function from a
path to an :class:`~archive.models.Extraction`, a :class:`Duplicate` or a
:class:`Failure`; they never touch the catalog or the index, but they do turn
the page texts into index terms (:mod:`index.terms`), the part of indexing
that needs no index. One writer, in the calling process, takes their results
(in discovery order from the local pool, so control numbers follow the
folder's order; in completion order from Dask), stores each original and its
catalog rows and custody events in one transaction, and feeds each document
to one open index writer (:class:`IndexFeed`) that commits every
``index_batch`` documents. Every file gets an outcome in the catalog. A crash
between documents leaves nothing half-written, and running the same batch
again picks up where it stopped: documents stored but not yet committed to
the index are indexed from the catalog first.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import csv
import ctypes
import dataclasses
import datetime as dt
import fnmatch
import functools
import glob
import hashlib
import itertools
import json
import multiprocessing
import os
import signal
import stat
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from archive import analyse as analysis
from archive.errors import (
    ArchiveError,
    BatchStoppedError,
    ExtractionError,
    IndexDamagedError,
    MetadataError,
    SourceChangedError,
    StorageError,
    WorkersFailingError,
)
from archive.extract import ExtractedText, extract, is_supported
from archive.lifeline import follow_parent
from archive.metadata import is_sidecar, read_manifest, read_sidecar
from archive.models import DateFound, Extraction, Metadata, Page, PlaceFound, Reference, counted
from archive.settings import ACCESS_LEVELS, Settings
from archive.store import Archive, Outcome, utc_now
from archive.treaties.resolve import find_references_in_pages

IGNORE_FILE = ".evidenceignore"
#: How often a running batch looks for access changes made meanwhile (a cheap query), in seconds.
ACCESS_CHECK_SECONDS = 2.0


@dataclass(frozen=True)
class Failure:
    """A file that could not be ingested, and why."""

    path: str
    reason: str
    error_class: str
    detail: str = ""
    sha256: str | None = None


@dataclass(frozen=True)
class Duplicate:
    """A file whose bytes the archive already holds."""

    path: str
    sha256: str
    #: The access level the file's own sidecar or manifest row names (empty when they name none).
    access: str = ""


Result = Extraction | Failure | Duplicate


@dataclass(frozen=True)
class WorkerOptions:
    """What every worker needs to know; sent once, when the worker starts."""

    passwords: tuple[str, ...] = ()
    dayfirst: bool = True
    default_access: str = "public"
    access_by_type: Mapping[str, str] = field(default_factory=dict)
    gazetteer: str = ""  # a user's places file merged into the built-in gazetteer
    file_timeout: float = 120.0
    known_hashes: frozenset[str] = frozenset()
    manifest: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    writer_pid: int = 0  # a local worker exits when this process is gone (0: not watched, as on Dask)


@dataclass
class IngestReport:
    """Counts of one run; the per-file outcomes are in the catalog under ``run_id``."""

    run_id: str
    started: str
    finished: str = ""
    ingested: int = 0
    duplicate: int = 0
    failed: int = 0
    pages: int = 0
    #: Documents that went in with pages holding no text (their outcomes say which).
    without_text: int = 0
    seconds: float = 0.0
    failures: dict[str, int] = field(default_factory=dict)
    #: Paths the ``--manifest`` names that no file of this batch has (their rows were not used).
    manifest_unmatched: list[str] = field(default_factory=list)
    #: Why the batch stopped before its end (a full disk, workers that keep dying, Ctrl-C or SIGTERM), or empty.
    stopped: str = ""

    @property
    def files(self) -> int:
        return self.ingested + self.duplicate + self.failed

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.outcome, getattr(self, outcome.outcome) + 1)
        self.pages += outcome.pages
        if outcome.outcome == "ingested" and outcome.detail:
            self.without_text += 1
        if outcome.outcome == "failed":
            self.failures[outcome.reason] = self.failures.get(outcome.reason, 0) + 1

    def summary(self, *, timed: bool = True) -> str:
        without_text = f", {self.without_text} with pages without text" if self.without_text else ""
        text = (f"{counted(self.files, 'file')}: {self.ingested:,} ingested ({counted(self.pages, 'page')}"
                f"{without_text}), {self.duplicate:,} already in the archive, {self.failed:,} failed")
        if self.failures:
            text += " (" + ", ".join(f"{n} {reason}" for reason, n in sorted(self.failures.items())) + ")"
        return text + (f" in {self.seconds:.1f} s" if timed else "")


# -- discover ---------------------------------------------------------------------


def discover(paths: Iterable[Path], *, skip: Iterable[Path] = ()) -> Iterator[Path]:
    """Every candidate file under ``paths``, in a stable order, each once.

    Sidecars, hidden files and folders, the ``skip`` files and folders (the
    batch's manifest, the archive home when a folder of the batch holds it)
    and what an ``.evidenceignore`` file lists are left out: in any
    folder, glob patterns one a line, matched against paths relative to that
    folder (``README.md``, ``drafts/``, ``notes/*.txt``); a pattern that
    matches a folder leaves out all of it. Symbolic links are followed and
    the files keep the names they were given (a link named ``appeal.pdf`` is
    read as ``appeal.pdf``, with its sidecar); a folder reached twice, through
    links or because two arguments overlap, is walked once. Files and folders
    the archive cannot read or list are yielded too, so that they get an
    outcome (``unreadable``).
    """
    skipped = {os.path.realpath(s) for s in skip}  # however the batch reaches it (a linked folder, say)
    seen: set[Path] = set()
    walked: set[tuple[int, int]] = set()
    for root in paths:
        root = Path(root)
        if root.is_dir():
            found: Iterable[Path] = _walk(root, walked, skipped)
        elif root.exists() or root.is_symlink():
            found = [_absolute(root)]
        else:
            raise ArchiveError(f"{root}: no such file or folder")
        for path in found:
            if path not in seen and not (skipped and os.path.realpath(path) in skipped):
                seen.add(path)
                yield path


def _walk(root: Path, walked: set[tuple[int, int]], skipped: set[str]) -> Iterator[Path]:
    """The files under ``root`` (see :func:`discover`); folders whose (device, inode) is in ``walked``, and those
    whose real path is in ``skipped``, are not."""
    unlisted: list[OSError] = []  # folders os.walk could not list: yielded, so that they fail ``unreadable``
    ignores: dict[Path, tuple[str, ...]] = {}  # folder → its .evidenceignore patterns
    for folder, dirnames, filenames in os.walk(root, onerror=unlisted.append, followlinks=True):
        yield from _unlisted(unlisted)
        here = Path(folder)
        try:
            identity = here.stat()
        except OSError:
            continue
        if (identity.st_dev, identity.st_ino) in walked:
            dirnames[:] = []
            continue
        walked.add((identity.st_dev, identity.st_ino))
        ignores[here] = _ignore_patterns(here)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not _ignored(root, here / d, ignores, is_folder=True)
            and not (skipped and os.path.realpath(here / d) in skipped)
        )
        for name in sorted(filenames):
            path = here / name
            if name.startswith(".") or is_sidecar(path) or _ignored(root, path, ignores, is_folder=False):
                continue
            yield _absolute(path)
    yield from _unlisted(unlisted)


def _ignored(root: Path, path: Path, ignores: dict[Path, tuple[str, ...]], *, is_folder: bool) -> bool:
    """Whether an ``.evidenceignore`` of ``root`` or of a folder between it and ``path`` lists ``path``."""
    for folder in (path.parent, *path.parent.parents):
        for pattern in ignores.get(folder, ()):
            if pattern.endswith("/") and not is_folder:
                continue
            if fnmatch.fnmatch(path.relative_to(folder).as_posix(), pattern.rstrip("/")):
                return True
        if folder == root:
            break
    return False


def _absolute(path: Path) -> Path:
    """``path`` made absolute and normalised, its symbolic links kept (the name given is the name used)."""
    return Path(os.path.abspath(path))


def _unlisted(errors: list[OSError]) -> Iterator[Path]:
    while errors:
        error = errors.pop(0)
        if error.filename:
            yield _absolute(Path(os.fsdecode(error.filename)))


def _ignore_patterns(folder: Path) -> tuple[str, ...]:
    ignore = folder / IGNORE_FILE
    try:
        lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.is_file() else []
    except (OSError, UnicodeDecodeError) as error:
        raise ArchiveError(f"{ignore} cannot be read ({error}); fix or remove it and run the batch again") from error
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


# -- the worker -------------------------------------------------------------------

_options = WorkerOptions()


class FileTimeoutError(BaseException):
    """Raised inside a worker when one file takes longer than allowed.

    A ``BaseException``, as ``KeyboardInterrupt`` is: pypdf catches ``Exception`` around fonts and content
    streams, and there the time limit left the page empty and the rest of the file was read and stored.
    """


def init_worker(options: WorkerOptions) -> None:
    """Pool initializer: keep the batch's options in this worker process, and leave when the writer has gone."""
    global _options
    _options = options
    # The writer decides when a batch stops. Ctrl-C and a service manager's SIGTERM reach the whole process group:
    # a worker ended by SIGTERM while sending a result left the pool waiting for the rest of it, for ever. A worker
    # whose writer has gone leaves by itself: a forkserver worker holds both ends of its task queue and the
    # forkserver's own lifeline, so nothing else would end it, and it would keep the forkserver alive with it.
    follow_parent(options.writer_pid)


def process_file(path: str, options: WorkerOptions | None = None) -> Result:
    """Fingerprint, extract and analyse one file. Never raises."""
    options = options or _options
    sha256: str | None = None
    deadline = FileDeadline(options.file_timeout)
    try:
        deadline.start()
        _require_a_file(path)
        data = Path(path).read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 in options.known_hashes:
            return Duplicate(path, sha256, _access_asked(path, options))
        given = _given_metadata(path, options)
        if not is_supported(path):
            raise ExtractionError(path, "unsupported", f"files ending in {Path(path).suffix!r} are not read")
        extracted = extract(data, path, options.passwords)
        result = build_extraction(path, sha256, len(data), extracted, given, options)
        if deadline.expired:  # the limit was reached, and something swallowed the error: a page may be missing
            raise FileTimeoutError()
        return result
    except FileTimeoutError:
        return Failure(path, "timeout", "FileTimeoutError", f"took longer than {options.file_timeout:g} s", sha256)
    except ExtractionError as error:
        return Failure(path, error.reason, type(error).__name__, error.detail or str(error), sha256)
    except MetadataError as error:
        return Failure(path, "metadata", type(error).__name__, str(error), sha256)
    except OSError as error:
        return Failure(path, "unreadable", type(error).__name__, str(error), sha256)
    except Exception as error:  # noqa: BLE001 - one bad file must never stop the batch
        return Failure(path, "error", type(error).__name__, str(error)[:500], sha256)
    finally:
        deadline.stop()


#: What a path of the batch may be instead of a file, by the ``stat`` test that tells it.
NOT_FILES = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"))


def _require_a_file(path: str) -> None:
    """Refuse what is not a file: reading a named pipe waits for a writer (its worker sat until the time limit, and
    the file failed ``timeout``), and a device's bytes are not fixed, so no original could be kept of them."""
    mode = os.stat(path).st_mode
    for is_kind, kind in NOT_FILES:
        if is_kind(mode):
            raise ExtractionError(path, "unsupported", f"{kind}, not a file: there are no fixed bytes to keep")


def _given_metadata(path: str, options: WorkerOptions) -> dict[str, Any]:
    """The metadata the batch gives the file: its manifest row, and its sidecar over it."""
    given = dict(options.manifest.get(os.path.realpath(path), {})) if options.manifest else {}
    given.update(read_sidecar(Path(path)))
    return given


def _access_asked(path: str, options: WorkerOptions) -> str:
    """The access level a duplicate's own metadata names, if any (metadata that cannot be read names none)."""
    try:
        return _given_metadata(path, options).get("access", "")
    except MetadataError:
        return ""


class FileDeadline:
    """Raises :class:`FileTimeoutError` in this thread once ``seconds`` have passed.

    On a process's main thread (the local pool) it is ``SIGALRM``. Elsewhere
    (a Dask worker runs tasks in threads, where signal handlers cannot be
    installed) a timer raises the error asynchronously in the thread. Either
    way it lands at the thread's next Python instruction: a file stuck inside
    compiled code is stopped only by killing its worker.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._thread = threading.get_ident()
        self._on_main = threading.current_thread() is threading.main_thread()
        self._previous: Any = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self.expired = False  # stays set even when the error raised is caught on the way

    def start(self) -> None:
        if self._on_main:
            self._previous = signal.signal(signal.SIGALRM, self._alarm)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        else:
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def stop(self) -> None:
        if self._on_main:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if self._previous is not None:
                signal.signal(signal.SIGALRM, self._previous)
        elif self._timer is not None:
            with self._lock:
                self._timer.cancel()
                self._timer = None

    def _expire(self) -> None:
        with self._lock:
            if self._timer is None:
                return  # stopped meanwhile
            self.expired = True
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread), ctypes.py_object(FileTimeoutError))

    def _alarm(self, signum: int, frame: object) -> None:
        self.expired = True
        raise FileTimeoutError()


# -- analyse ----------------------------------------------------------------------


def build_extraction(path: str, sha256: str, size: int, extracted: ExtractedText,
                     given: Mapping[str, Any], options: WorkerOptions) -> Extraction:
    """Turn extracted pages and given metadata into the writer's record."""
    pages = tuple(
        Page(p.number, p.text, p.method, analysis.detect_language(p.text)) for p in extracted.pages
    )
    texts = [p.text for p in pages]
    references = tuple(
        Reference(ref_id=m.id, page=pages[i].number, start=m.start, end=m.end, text=m.text)
        for i, m in find_references_in_pages(texts)
    )
    dates = tuple(
        DateFound(page.number, d.start, d.end, d.text, d.value, d.precision)
        for page in pages for d in analysis.find_dates(page.text, dayfirst=options.dayfirst)
    )
    places = tuple(
        PlaceFound(page.number, m.start, m.end, m.text, m.name)
        for page in pages for m in analysis.find_places(page.text, _gazetteer(options.gazetteer))
    )
    metadata = _metadata(given, extracted, pages, places, options)
    return Extraction(
        path=path, sha256=sha256, size=size, media_type=extracted.media_type, pages=pages,
        metadata=metadata, references=references, dates=dates, places=places,
        extractor=extracted.extractor, terms=_index_terms(texts, options.gazetteer),
        notes=_notes(pages, extracted.notes),
    )


def _notes(pages: Sequence[Page], extraction_notes: Sequence[str]) -> tuple[str, ...]:
    """What the batch's report says about a file that went in: which pages hold no text, and why if known."""
    blank = [p.number for p in pages if not p.text.strip()]
    if not blank:
        return ()
    which = "all pages" if len(blank) == len(pages) else f"page{'s' if len(blank) > 1 else ''} {_ranges(blank)}"
    return (f"no text on {which} of {len(pages)} (scanned, blank or damaged: not searchable)",
            *extraction_notes)


def _ranges(numbers: Sequence[int]) -> str:
    """``[1, 2, 3, 7]`` → ``1-3, 7``."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)


def _index_terms(texts: Sequence[str], gazetteer: str) -> Any:
    """The pages' index terms, so that the one writer does not analyse them (see :mod:`index.terms`)."""
    from index.terms import analyse_pages  # the index is derived: imported only where it is fed

    return analyse_pages(texts, gazetteer)


def _metadata(given: Mapping[str, Any], extracted: ExtractedText, pages: Sequence[Page],
              places: Sequence[PlaceFound], options: WorkerOptions) -> Metadata:
    text = "\n".join(p.text for p in pages)
    title = given.get("title") or _own_title(extracted) or analysis.guess_title(text) or ""
    date, date_source = _document_date(given, extracted, text, dayfirst=options.dayfirst)
    languages = given.get("language") or _languages(pages)
    named = [_canonical_place(name, options.gazetteer) for name in given.get("places", [])]
    found = [p.name for p in places if p.name not in named]
    doc_type = given.get("type") or analysis.guess_type(title, text)
    return Metadata(
        title=title,
        type=doc_type,
        date=date,
        date_source=date_source,
        issuer=given.get("issuer") or _own_author(extracted),
        source=given.get("source", ""),
        languages=tuple(languages),
        places=tuple(dict.fromkeys(named + found)),
        access=given.get("access") or options.access_by_type.get(doc_type, options.default_access),
        synthetic=bool(given.get("synthetic", False)),
        extra=dict(given.get("extra", {})),
    )


def _own_title(extracted: ExtractedText) -> str:
    """The title the file gives itself (PDF information, HTML ``<title>``), unless its writing program made it up."""
    title = extracted.info.get("title", "").strip()
    return "" if analysis.is_placeholder_title(title) else title


def _own_author(extracted: ExtractedText) -> str:
    """The author the file names (PDF information), unless it is an account name its writing program put there."""
    author = extracted.info.get("author", "").strip()
    return "" if analysis.is_placeholder_author(author) else author


def _canonical_place(name: str, gazetteer: str = "") -> str:
    """The gazetteer's name for a place given in metadata, whatever its spelling."""
    found = analysis.places_in(name, _gazetteer(gazetteer))
    return found[0] if len(found) == 1 else name


@functools.cache
def _gazetteer(extra: str) -> analysis.Gazetteer | None:
    """The gazetteer a batch uses: the built-in one, with the user's file merged in when one is set."""
    return analysis.load_gazetteer(Path(extra)) if extra else None


def _document_date(given: Mapping[str, Any], extracted: ExtractedText, text: str, *,
                   dayfirst: bool = True) -> tuple[str, str]:
    if given.get("date"):
        return given["date"], "metadata"
    dateline = analysis.find_dateline(text, dayfirst=dayfirst)
    if dateline is not None:
        return dateline.isoformat(), "dateline"
    for key, source in (("creationdate", "pdf-info"), ("moddate", "pdf-info"), ("published", "html-meta")):
        value = extracted.info.get(key)
        written = analysis.pdf_date_written(value) if value else None
        if written is not None:
            return written, source
    return "", ""


def _languages(pages: Sequence[Page]) -> list[str]:
    """The document's languages, most text first. ``other`` (a language the archive does not tell apart, such as
    French) only when no page is in one it does: a page of figures or names in an English report is no reason
    to list it, but a French document stored with no language at all was found by no ``lang:`` search."""
    weight: dict[str, int] = {}
    for page in pages:
        if page.language and page.language != "und":
            weight[page.language] = weight.get(page.language, 0) + len(page.text)
    if len(weight) > 1:
        weight.pop("other", None)
    return sorted(weight, key=lambda lang: -weight[lang])


# -- the pool ---------------------------------------------------------------------


#: Files in a row whose worker died even when each was read alone before a batch stops: a file that kills its
#: worker fails alone (``worker-crashed``), but this many in a row is the machine (memory, limits), not the files.
WORKER_CRASH_LIMIT = 10


def run_workers(paths: Iterable[Path], options: WorkerOptions, workers: int) -> Iterator[Result]:
    """Results in discovery order, at most a few files per worker in flight.

    A worker that dies takes down the pool; the files in flight are then run
    again one at a time, so that only the file that kills a worker fails
    (``worker-crashed``). A file that hangs past the time limit in code the
    worker's alarm cannot interrupt has its pool killed and fails ``timeout``.
    :data:`WORKER_CRASH_LIMIT` crashes in a row raise :class:`WorkersFailingError`.
    """
    source = iter(str(p) for p in paths)
    window = max(2, workers * 4)
    hard_limit = _hard_limit(options)
    executor = _new_pool(options, workers)
    pending: deque[tuple[str, cf.Future[Result]]] = deque()
    unsent: deque[str] = deque()  # taken from the source, not yet handed to a pool (it broke in between)
    crashes = 0  # files in a row that crashed the worker reading them alone
    try:
        while True:
            try:
                while len(pending) < window and (path := _next_unsent(unsent, source)) is not None:
                    pending.append((path, executor.submit(process_file, path)))
                    unsent.popleft()
                if not pending:
                    return
                result = _result_of(*pending[0], hard_limit, options)
            except (BrokenProcessPool, cf.TimeoutError, *WORKER_START_ERRORS) as error:  # died, hung, none started
                hung = pending[0][0] if isinstance(error, cf.TimeoutError) else None
                _kill(executor)
                # A worker that could not be started (an error from submit) strands the file it was for: read alone.
                stranded = [unsent.popleft()] if isinstance(error, WORKER_START_ERRORS) and unsent else []
                for recovered in itertools.chain(_recover(pending, options, hung),
                                                 (_run_alone(path, options) for path in stranded)):
                    yield recovered
                    crashes = crashes + 1 if getattr(recovered, "reason", "") == "worker-crashed" else 0
                    if crashes >= WORKER_CRASH_LIMIT:
                        raise WorkersFailingError(crashes, recovered.path) from error
                executor = _new_pool(options, workers)
                continue
            pending.popleft()
            crashes = 0
            yield result
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _hard_limit(options: WorkerOptions) -> float:
    """Seconds to wait for a worker's result before it counts as hung: past its own alarm, with room to spare."""
    return options.file_timeout * 2 + 10


def _next_unsent(unsent: deque[str], source: Iterator[str]) -> str | None:
    """The next path to hand to the pool: the one a broken pool refused, else the source's next (None at the end)."""
    if not unsent:
        path = next(source, None)
        if path is None:
            return None
        unsent.append(path)
    return unsent[0]


def _result_of(path: str, future: cf.Future[Result], timeout: float, options: WorkerOptions) -> Result:
    """The worker's result for ``path``. The file's time limit can ring in the moment between the end of its
    work and the alarm being stopped; the error then leaves the worker as the task's: the file timed out."""
    try:
        return future.result(timeout=timeout)
    except FileTimeoutError:
        return Failure(path, "timeout", "FileTimeoutError", f"took longer than {options.file_timeout:g} s")


def _recover(pending: deque[tuple[str, cf.Future[Result]]], options: WorkerOptions,
             hung: str | None) -> Iterator[Result]:
    while pending:
        path, future = pending.popleft()
        if path == hung:
            yield Failure(path, "timeout", "FileTimeoutError", "the worker stopped answering; it was killed")
        elif future.done() and not future.cancelled() and future.exception() is None:
            yield future.result()
        else:
            yield _run_alone(path, options)


#: Seconds to wait before each new try at starting a worker that could not start (see :func:`_run_alone`).
WORKER_START_RETRIES = (0.2, 1.0)

#: What starting a worker raises in the writer when it fails: OSError (the forkserver refusing or gone, a process
#: limit), or EOFError when the forkserver dies between taking the request and sending back the new worker's pid
#: (multiprocessing's ``read_signed``: "unexpected EOF"). Left to click, that EOFError was "Aborted!", status 1.
WORKER_START_ERRORS = (OSError, EOFError)


def _run_alone(path: str, options: WorkerOptions) -> Result:
    """``path`` read by a worker of its own: its result, or why it failed (its worker died, hung, or never started).

    A worker that cannot start is tried again, twice: Python's forkserver, which starts the workers, dies when a
    pool that is breaking connects to it and leaves mid-request, and while it is dying it refuses the next
    pools. Those files had failed "no worker process could start" one after another, enough to stop the batch
    as if the machine were at fault. Once it has died, the next pool starts a new one.
    """
    waits = iter(WORKER_START_RETRIES)
    while True:
        executor = _new_pool(options, 1)
        try:
            return _result_of(path, executor.submit(process_file, path), _hard_limit(options), options)
        except BrokenProcessPool:
            return Failure(path, "worker-crashed", "BrokenProcessPool", "the file made its worker process die")
        except cf.TimeoutError:
            _kill(executor)
            return Failure(path, "timeout", "FileTimeoutError", "the worker stopped answering; it was killed")
        except WORKER_START_ERRORS as error:  # its worker could not be started (the forkserver dying, a process limit)
            wait = next(waits, None)
            if wait is None:
                return Failure(path, "worker-crashed", type(error).__name__,
                               f"no worker process could start: {_start_failure(error)}")
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        time.sleep(wait)


def _start_failure(error: BaseException) -> str:
    if isinstance(error, EOFError):
        return "the forkserver that starts them ended before answering"
    return str(error)


def _new_pool(options: WorkerOptions, workers: int) -> cf.ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    return cf.ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=init_worker,
        initargs=(dataclasses.replace(options, writer_pid=os.getpid()),),
    )


def _kill(executor: cf.ProcessPoolExecutor) -> None:
    for process in list((executor._processes or {}).values()):  # no public way to stop a hung worker
        process.kill()


# -- the writer -------------------------------------------------------------------

Progress = Callable[[Outcome], None]
Status = Callable[[str], None]


def ingest(
    paths: Sequence[Path],
    settings: Settings,
    *,
    manifest: Path | None = None,
    passwords: Sequence[str] = (),
    progress: Progress | None = None,
    status: Status | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    listed: Callable[[int], None] | None = None,
    run_id: str | None = None,
    skip: Sequence[Path] = (),
) -> IngestReport:
    """Ingest every file under ``paths`` into the archive at ``settings.home``.

    ``skip`` names files the batch leaves out besides its manifest: the
    command line's ``--report``, which a nightly run may write into the
    folder it reads.

    ``listed`` hears how many files the batch holds once the folders are
    walked (once: a progress bar's total need not walk them again);
    ``progress`` hears each file's outcome; ``status`` what the writer is
    busy with between files (writing the index: minutes at 50,000 documents,
    when segments merge), then ``""`` when it is done. ``run_id`` names the
    run's outcomes in the catalog (a new id when not given; a web upload's
    id, so that its page finds them).

    Raises :class:`BatchStoppedError` (carrying the report so far) when the
    archive itself cannot be written (a full disk) or the workers keep dying,
    and :class:`BatchInterrupted` (a ``KeyboardInterrupt``, with the report
    so far) on Ctrl-C.
    """
    report = IngestReport(run_id=run_id or _new_run_id(), started=utc_now())
    clock = time.perf_counter()
    files = list(discover(paths, skip=[settings.home, *skip, *([manifest] if manifest else [])]))
    if listed:
        listed(len(files))
    manifest_entries = read_manifest(manifest) if manifest else {}
    if manifest_entries:
        report.manifest_unmatched = _unmatched_rows(manifest_entries, files)
    try:
        _run_batch(files, settings, report, manifest_entries, passwords, progress, status, workers, scheduler)
    except (StorageError, WorkersFailingError, IndexDamagedError) as error:  # every file after would fail too
        if isinstance(error, IndexDamagedError) and not report.files:
            raise  # found before any file was read: the batch did not start (rebuild the index, then run it)
        report.stopped = str(error)
        raise BatchStoppedError(_finished(report, clock), error, total=len(files)) from error
    except KeyboardInterrupt as interruption:  # Ctrl-C, or SIGTERM taken like it: the report so far goes along
        report.stopped = "interrupted"
        _recount(report, settings)
        raise BatchInterrupted(_finished(report, clock), interruption) from interruption
    return _finished(report, clock)


def _recount(report: IngestReport, settings: Settings) -> None:
    """Count the run's outcomes again from the catalog, the record: a signal (Ctrl-C, SIGTERM) can come between
    an outcome's commit and its count, and the report then said one file fewer than its list of outcomes."""
    if not settings.catalog_path.exists():
        return  # stopped before the batch opened the archive
    with Archive(settings) as archive:
        counted = tally(archive, report.run_id)
    for name in ("ingested", "duplicate", "failed", "pages", "without_text", "failures"):
        setattr(report, name, getattr(counted, name))


def tally(archive: Archive, run_id: str) -> IngestReport:
    """A run's counts, from its outcomes in the catalog (no times: those are in the run's own report)."""
    counted = IngestReport(run_id=run_id, started="")
    for row in archive.outcome_tally(run_id):
        counted.count(Outcome(row["path"], row["outcome"], reason=row["reason"] or "", detail=row["detail"] or "",
                              pages=row["pages"] if row["outcome"] == "ingested" else 0))
    return counted


class BatchInterrupted(KeyboardInterrupt):
    """A batch stopped by Ctrl-C (or what is taken like it), carrying its report so far."""

    def __init__(self, report: IngestReport, interruption: KeyboardInterrupt) -> None:
        super().__init__()
        self.report, self.interruption = report, interruption


def _finished(report: IngestReport, clock: float) -> IngestReport:
    report.finished = utc_now()
    report.seconds = time.perf_counter() - clock
    return report


def _run_batch(files: Sequence[Path], settings: Settings, report: IngestReport, manifest_entries: Mapping[str, Any],
               passwords: Sequence[str], progress: Progress | None, status: Status | None, workers: int | None,
               scheduler: str | None) -> None:
    from archive.service import open_archive_index  # the index is derived: imported only where it is fed

    with Archive(settings) as archive, archive.writer_lock(), \
            open_archive_index(settings, archive) as search_index:
        search_index.check_readable()  # before any file is read: a damaged index is rebuilt first, then the batch
        _index_leftovers(archive, search_index, status)
        options = WorkerOptions(
            passwords=tuple(passwords), dayfirst=settings.dayfirst, default_access=settings.default_access,
            access_by_type=settings.access_defaults, gazetteer=settings.gazetteer, file_timeout=settings.file_timeout,
            known_hashes=archive.known_hashes(),
            manifest=manifest_entries,
        )
        if scheduler:
            from archive.distributed import run_on_dask  # Dask is imported only for a batch sent to a cluster

            results = run_on_dask(files, options, scheduler)
        else:
            results = run_workers(files, options, workers or settings.worker_count)
        with IndexFeed(archive, search_index, status=status) as feed:
            for result in results:
                outcome = _record(archive, report.run_id, result, options)
                report.count(outcome)  # its outcome is in the catalog now, whatever happens to the index
                if progress:
                    progress(outcome)
                if outcome.outcome == "ingested" and outcome.doc_id:
                    feed.add(outcome.doc_id, getattr(result, "terms", None))
                feed.follow_access_changes()
        apply_access_changes(archive, search_index, status)  # those made during the last commit


def _unmatched_rows(entries: Mapping[str, Any], files: Sequence[Path]) -> list[str]:
    """The manifest's paths that name no file of the batch (a manifest may cover more than one batch).

    A row whose path differs from a file of the batch only in letter case is
    refused: its metadata (an access level, say) was surely meant for that file.
    """
    found = {os.path.realpath(f) for f in files}
    unmatched = sorted(set(entries) - found)
    by_case = {name.casefold(): name for name in found}
    for target in unmatched:
        if target.casefold() in by_case:
            raise MetadataError(target, f"the manifest names this file, but the batch holds "
                                        f"{by_case[target.casefold()]}: paths are case-sensitive; fix the manifest")
    return unmatched


def _record(archive: Archive, run_id: str, result: Result, options: WorkerOptions) -> Outcome:
    if isinstance(result, Extraction):
        existing = archive.find_by_sha256(result.sha256)
        if existing is None:
            try:
                document = archive.add_document(result, run_id)
            except SourceChangedError as error:  # one file that keeps changing must not stop the batch
                result = Failure(result.path, "changed", type(error).__name__, str(error), result.sha256)
            except OSError as error:
                result = Failure(result.path, "unreadable", type(error).__name__, str(error), result.sha256)
            else:
                return Outcome(result.path, "ingested", result.sha256, document.id,
                               document.control_number, detail="; ".join(result.notes), pages=result.page_count)
        else:
            result = Duplicate(result.path, result.sha256, _access_asked(result.path, options))  # not a default
    if isinstance(result, Duplicate):
        existing = archive.find_by_sha256(result.sha256)
        outcome = _duplicate_outcome(result, existing["id"], existing["control_number"], existing["access"])
    else:
        outcome = Outcome(result.path, "failed", result.sha256, reason=result.reason,
                          error_class=result.error_class, detail=result.detail)
    archive.record_outcome(run_id, outcome)
    return outcome


def _duplicate_outcome(duplicate: Duplicate, doc_id: str, control: str, held_at: str) -> Outcome:
    """A file whose bytes the archive holds: a duplicate, unless its metadata asks for a stricter access level than
    the one the archive holds them at (a confidential witness's copy of a public document): that fails, so that
    someone narrows the document or says why not, instead of the request passing unseen."""
    if duplicate.access and ACCESS_LEVELS.index(duplicate.access) > ACCESS_LEVELS.index(held_at):
        return Outcome(duplicate.path, "failed", duplicate.sha256, doc_id, control, reason="metadata",
                       error_class="AccessConflict",
                       detail=f"same bytes as {control}, which the archive holds as {held_at}; this file's metadata "
                              f"asks for {duplicate.access}: narrow it (evidence access {control} "
                              f"{duplicate.access}) or fix the metadata, then run the batch again")
    return Outcome(duplicate.path, "duplicate", duplicate.sha256, doc_id, control, detail=f"same bytes as {control}")


class IndexFeed:
    """Feeds documents the catalog now holds into one open index writer, committing every ``index_batch``.

    A batch is committed sooner when the postings it holds in memory reach
    the writer's limit (a few hundred long documents), so the writer's
    memory does not depend on how long the documents are.

    A document is marked indexed in the catalog only after the commit that
    holds it; a crash before that leaves it unindexed, and the next ingest (or
    ``evidence reindex``) indexes it from the catalog. Leaving the block by an
    exception cancels the uncommitted part, which the catalog still has.

    A batch's feed also takes in access changes made while it runs
    (:meth:`follow_access_changes`), since the batch holds the writer lock.
    """

    def __init__(self, archive: Archive, search_index: Any, *, replace: bool = False,
                 status: Status | None = None) -> None:
        self._archive = archive
        self._index = search_index
        self._replace = replace  # first remove what the index holds for each document (new ones have nothing)
        self._status = status
        self._writer: Any = None
        self._pending: list[tuple[str, str]] = []  # (document id, the access level it was indexed at)
        self._next_access_check = 0.0

    def add(self, doc_id: str, terms: Any = None) -> None:
        """Index a document the catalog holds; ``terms`` are its pages' terms from the worker, if it sent them."""
        if self._writer is None:
            self._writer = self._index.writer()
        archive = self._archive
        document = archive.get_document(doc_id)
        self._writer.add(document, archive.pages(doc_id), archive.references(doc_id), replace=self._replace,
                         analysed=terms)
        self._pending.append((doc_id, document.metadata.access))
        if len(self._pending) >= archive.settings.index_batch or self._writer.full:
            self.commit()

    def follow_access_changes(self) -> None:
        """Re-index, and commit now, the documents whose access level changed since the last look.

        Looks at most every :data:`ACCESS_CHECK_SECONDS`. Searches leave a
        narrowed document out until then (:meth:`Archive.withheld_ids`); a
        widened one is found at its old level meanwhile.
        """
        now = time.monotonic()
        if now < self._next_access_check:
            return
        self._next_access_check = now + ACCESS_CHECK_SECONDS
        if self._archive.access_changed_ids():
            # What the open writer holds is committed first: replacing a document there would leave its first
            # entry too (Whoosh deletes only committed ones), at the old level. Its catalog mark is refused.
            self.commit()
            apply_access_changes(self._archive, self._index, self._status)

    def commit(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            if self._status:
                pending = counted(len(self._pending), "document")
                self._status(f"writing the search index ({pending}; segments may merge)")
            writer.commit()
            self._archive.mark_indexed(self._pending)
            self._pending = []
            if self._status:
                self._status("")

    def __enter__(self) -> IndexFeed:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: Any) -> None:
        if kind is None:
            self.commit()
        elif self._writer is not None:
            writer, self._writer = self._writer, None
            writer.cancel()


def apply_access_changes(archive: Archive, search_index: Any, status: Status | None = None) -> int:
    """Re-index every document whose access level changed since the index took it; return how many.

    The caller holds the writer lock. An access change is in the catalog (and
    in force for searches) before the index follows: see
    :meth:`Archive.set_access`.
    """
    changed = archive.access_changed_ids()
    _index_again(archive, search_index, changed,
                 f"re-indexing {counted(len(changed), 'document')} whose access level changed", status)
    return len(changed)


def catch_up_index(settings: Settings) -> int:
    """Index what the index has not followed yet, under the writer lock; return how many documents that was.

    Those are documents a killed batch stored but did not index (searches do not find them yet) and documents
    whose access level changed while another writer held the lock (a narrowed one is left out of every
    search meanwhile). Every writer does this as it starts or ends; this is for when none is coming. Raises
    :class:`~archive.errors.WriterBusyError` when another writer holds the archive.
    """
    from archive.service import open_archive_index  # the index is derived: imported only where it is fed

    with Archive(settings) as archive, archive.writer_lock(), \
            open_archive_index(settings, archive) as search_index:
        search_index.check_readable()
        return _index_leftovers(archive, search_index) + apply_access_changes(archive, search_index)


def _index_leftovers(archive: Archive, search_index: Any, status: Status | None = None) -> int:
    """Index documents a previous, interrupted run stored but did not index (or indexed without marking);
    return how many.

    Documents whose access changed since they were indexed are among them.
    """
    leftovers = archive.unindexed_ids()
    _index_again(archive, search_index, leftovers,
                 f"indexing {counted(len(leftovers), 'document')} an earlier run stored but did not index", status)
    return len(leftovers)


def _index_again(archive: Archive, search_index: Any, doc_ids: Sequence[str], doing: str,
                 status: Status | None) -> None:
    """Index ``doc_ids`` from the catalog, replacing what the index holds of them; ``doing`` is said meanwhile."""
    if doc_ids and status:
        status(doing)
    with IndexFeed(archive, search_index, replace=True, status=status) as feed:
        for doc_id in doc_ids:
            feed.add(doc_id)
    if doc_ids and status:
        status("")


def _new_run_id() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


#: The columns of a CSV report: one row per file, as the JSON report's outcomes.
REPORT_COLUMNS = ("path", "outcome", "reason", "error_class", "detail", "control_number", "doc_id", "sha256", "at")


def write_report(archive: Archive, report: IngestReport, target: Path) -> None:
    """Write the run's counts and every file's outcome as JSON, or its outcomes as CSV when ``target`` ends in
    ``.csv``, streaming the outcomes from the catalog.

    The report is there whole or not at all (see :func:`_whole_file`): half a file would pass for a report.
    """
    if target.suffix.lower() == ".csv":
        _write_csv_report(archive, report, target)
        return
    head = {**vars(report), "files": report.files}
    with _whole_file(target, encoding="utf-8") as out:
        out.write("{\n")
        for key, value in head.items():
            out.write(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
        out.write(' "outcomes": [')
        for i, row in enumerate(archive.outcomes(report.run_id)):
            item = {k: row[k] for k in row.keys() if k not in ("id", "run_id") and row[k] not in (None, "")}  # noqa: SIM118
            out.write(("," if i else "") + "\n  " + json.dumps(item, ensure_ascii=False))
        out.write("\n ]\n}\n")


def _write_csv_report(archive: Archive, report: IngestReport, target: Path) -> None:
    """One row per file (:data:`REPORT_COLUMNS`), for a spreadsheet: a byte order mark so that it reads the
    UTF-8 of Cyrillic and Azerbaijani names, and cells that would run as formulas made text, as exports do. A batch
    that stopped early ends with a row of no path, its outcome ``stopped`` and why in ``detail``."""
    from archive.exports import spreadsheet_cell

    with _whole_file(target, encoding="utf-8-sig", newline="") as out:
        rows = csv.writer(out, lineterminator="\r\n")
        rows.writerow(REPORT_COLUMNS)
        for row in archive.outcomes(report.run_id):
            rows.writerow([spreadsheet_cell(str(row[column] or "")) for column in REPORT_COLUMNS])
        if report.stopped:  # the JSON report's `stopped`: without it, the rows would pass for the whole batch
            stopped = {"outcome": "stopped", "detail": report.stopped, "at": report.finished}
            rows.writerow([spreadsheet_cell(stopped.get(column, "")) for column in REPORT_COLUMNS])


@contextlib.contextmanager
def _whole_file(target: Path, **text: Any) -> Iterator[TextIO]:
    """A text file at ``target`` that is there whole or not at all, even if this process is killed meanwhile.

    The file it replaces is removed first (an earlier batch's report would pass for this one's), and the new one
    is written under a hidden name beside it, then renamed; a hidden copy a killed writer left is removed the next
    time. A target that is no plain file (a pipe, a terminal) is written directly: there is nothing to rename.
    """
    destination = Path(os.path.realpath(target))  # a link is written through, as open() does
    if destination.exists() and not destination.is_file():
        with open(destination, "w", **text) as out:
            yield out
        return
    for leftover in destination.parent.glob(f".{glob.escape(destination.name)}.*.partial"):
        leftover.unlink(missing_ok=True)
    destination.unlink(missing_ok=True)
    partial = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:8]}.partial")
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for open()
    try:
        with open(handle, "w", **text) as out:
            yield out
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
