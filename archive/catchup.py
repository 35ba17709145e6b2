"""Work a writer left for later, done by a thread of the web server as soon as the archive's writer lock is free.

Two kinds of work wait for the one writer:

* web uploads queued while another writer held the archive (:mod:`archive.uploads`);
* documents the index has not followed yet: stored by a batch killed before
  its index commit (searches do not find them), or whose access level
  changed while another writer held the lock (a narrowed one is left out of
  every search until the index holds its new level).

Every writer catches up on the index as it starts and ends (an ingest, a
reindex, an access change), but after a writer that was killed none may come
for a long time. So the web server starts this thread when it starts, and
when one of its requests leaves work waiting (an upload queued, an access
change the index could not follow yet); the thread tries every
:data:`POLL_SECONDS` while anything waits, and ends when nothing does. One
thread per process and home; two server processes may both run one, and the
writer lock and the uploads' claims keep them from doing anything twice.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from archive.errors import ArchiveError, BatchStoppedError, IndexDamagedError, StorageError, WriterBusyError
from archive.settings import Settings
from archive.store import Archive
from archive.uploads import drain, queued_uploads, tidy_leftovers

#: How often the thread tries the writer lock while work waits, in seconds.
POLL_SECONDS = 10.0
#: The longest the thread waits before trying again after a failure (a full disk), in seconds.
BACKOFF_MAX = 600.0

log = logging.getLogger(__name__)

_threads: dict[Path, threading.Thread] = {}
_threads_lock = threading.Lock()


def waiting(settings: Settings) -> bool:
    """Whether any work waits for the writer: a queued upload, or documents the index has not followed."""
    if queued_uploads(settings):
        return True
    if not settings.catalog_path.exists():
        return False
    with Archive(settings, create=False) as archive:
        return _index_behind(archive)


def _index_behind(archive: Archive) -> bool:
    """Whether the catalog holds documents the index has not followed (stored, or changed in access level)."""
    return bool(archive.unindexed_ids() or archive.access_changed_ids())


def catch_up(settings: Settings) -> None:
    """Do what waits, if no other writer holds the archive: queued uploads first (each also brings the index up
    to date), then the index. Raises what an ingest raises when it stops (a full disk)."""
    from archive.ingest import catch_up_index  # the index machinery, loaded where it is fed

    drain(settings)
    if not settings.catalog_path.exists():
        return
    with Archive(settings, create=False) as archive:
        if archive.writer_active() or not _index_behind(archive):
            return  # a batch indexes its own documents as it goes: nothing to do while it runs
    try:
        count = catch_up_index(settings)
    except WriterBusyError:
        return
    if count:
        log.info("the index caught up with %d documents of %s", count, settings.home)


def tidy_uploads(settings: Settings) -> None:
    """At server start: remove the upload folders a stopped server left whose files are all in the archive, and
    name in the log those holding files that never went in (:func:`archive.uploads.tidy_leftovers`)."""
    try:
        if not settings.catalog_path.exists():
            tidy_leftovers(settings, lambda sha256: False)
            return
        with Archive(settings, create=False) as archive:
            tidy_leftovers(settings, lambda sha256: archive.find_by_sha256(sha256) is not None)
    except (OSError, ArchiveError) as error:  # the server starts, and searches, all the same
        log.error("the upload folders a stopped server left could not be looked at (%s)", error)


def start_catching_up(settings: Settings) -> threading.Thread | None:
    """Start this process's thread for the home, unless it runs already or nothing waits.

    A failure (a full disk, workers that keep dying) is logged and tried again later, waiting twice as long
    after each failure in a row, up to :data:`BACKOFF_MAX`; queued files stay queued meanwhile.
    """
    home = settings.home.resolve()
    with _threads_lock:
        running = _threads.get(home)
        if running is not None and running.is_alive():
            return None
        try:
            if not waiting(settings):
                return None
        except (OSError, ArchiveError) as error:  # the server starts, and searches, all the same
            log.error("the archive could not tell what waits for its writer (%s); queued uploads and the index "
                      "catch up at the next ingest or server start", error)
            return None
        thread = threading.Thread(target=_until_done, args=(settings,), name=f"catch-up {home}", daemon=True)
        _threads[home] = thread
        thread.start()
        return thread


def catching_up(settings: Settings) -> threading.Thread | None:
    """This process's thread for the home, while it runs."""
    with _threads_lock:
        thread = _threads.get(settings.home.resolve())
    return thread if thread is not None and thread.is_alive() else None


def _until_done(settings: Settings) -> None:
    failures = 0  # in a row
    while True:
        pause = POLL_SECONDS
        try:
            catch_up(settings)
            failures = 0
        except Exception as error:  # noqa: BLE001 - the thread must outlive one bad attempt; nothing is lost
            failures += 1
            pause = min(POLL_SECONDS * 2 ** failures, BACKOFF_MAX)
            # a full disk, dying workers, a damaged index (the message says to reindex): no bug, no traceback
            expected = isinstance(error, BatchStoppedError | StorageError | IndexDamagedError)
            log.error("the archive could not catch up with the work waiting for its writer: %s; trying again in "
                      "%.1f s", error, pause, exc_info=not expected)
        with _threads_lock:
            try:
                done = not waiting(settings)
            except Exception:  # noqa: BLE001 - the catalog could not be read now: look again later
                log.exception("the archive could not tell what waits for its writer")
                done = False
            if done:
                _threads.pop(settings.home.resolve(), None)
                return
        time.sleep(pause)
