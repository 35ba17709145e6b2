"""The bulk writer: Whoosh's multi-process writer, with sub-writers it stops, waits for and hears from.

:class:`BulkWriter` hands the documents it is given to one sub-writer process
per core, each of which analyses them and writes a segment of its own
(``multisegment``); the commit names all the segments at once. Whoosh's own
``MpWriter`` leaves its sub-writers to themselves: ``cancel`` only set a flag
on the parent's copy of each, so they went on writing while the caller
removed their folder; Ctrl-C or SIGTERM reaching the process group ended them
with tracebacks; and a sub-writer that failed (a full disk) printed its
traceback and ended, after which its segment was left out of the commit
without a word, or the writer waited for ever to hand it more documents.

Here a sub-writer leaves stopping to the writer (:mod:`archive.lifeline`) and
reports a failure to it instead of printing it; the writer raises that
failure, and on cancel, or on any error in its commit, kills its sub-writers
and waits for each to end before it returns. What to index, and what the
index's entries are, is :mod:`index.write`'s.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import sys
from dataclasses import dataclass
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

from archive.errors import IndexBuildError
from archive.lifeline import follow_parent, stop_signals_held

#: How long the writer waits on its queues before it looks whether a sub-writer has failed (seconds).
POLL = 0.5


@dataclass(frozen=True)
class SubWriterFailure:
    """What a sub-writer sends back instead of its segment when it fails; an exception may not survive pickling."""

    kind: str
    message: str
    errno: int | None = None
    strerror: str | None = None

    @classmethod
    def of(cls, error: BaseException) -> SubWriterFailure:
        if isinstance(error, OSError) and error.errno is not None:
            return cls(type(error).__name__, str(error), error.errno, error.strerror)
        return cls(type(error).__name__, str(error))

    def error(self, where: str) -> Exception:
        """The error the writer raises: an ``OSError`` again (a full disk is then the archive's ``StorageError``)."""
        if self.errno is not None:
            return OSError(self.errno, self.strerror or self.message)
        return IndexBuildError(where, f"{self.kind}: {self.message}")


class _SubWriter(SubWriterTask):
    """Whoosh's sub-writer process, which leaves stopping to its writer and reports its failure to it."""

    def __init__(self, *args: Any, parent_pid: int) -> None:
        super().__init__(*args)
        self.parent_pid = parent_pid

    def run(self) -> None:
        follow_parent(self.parent_pid)
        try:
            super().run()
        except BaseException as error:  # noqa: BLE001 - told to the writer, which raises it
            self.resultqueue.put(SubWriterFailure.of(error))
            sys.exit(1)  # an exit status, without the traceback multiprocessing would print


class BulkWriter(MpWriter):
    """Whoosh's ``MpWriter`` with ``multisegment=True``, whose sub-writers are stopped and joined, never left behind."""

    def __init__(self, ix: Any, procs: int, **kwargs: Any) -> None:
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)
        self._where = str(getattr(self.storage, "folder", "the search index"))

    def _new_task(self) -> _SubWriter:
        task = _SubWriter(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                          self.multisegment, parent_pid=os.getpid())
        with stop_signals_held():  # until the child ignores them itself
            task.start()
            self.tasks.append(task)
        return task

    def _enqueue(self) -> None:
        """Write the buffered documents to a job file and hand it to the sub-writers (as Whoosh does)."""
        self._raise_failure()  # a sub-writer that has failed gets no more, and the others no more either
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        self._put((filename, len(self.docbuffer)))
        self.docbuffer = []

    def _put(self, job: tuple[str, int] | None) -> None:
        """Put ``job`` on the job queue, waiting while it is full, but not for sub-writers that have failed."""
        while True:
            try:
                self.jobqueue.put(job, timeout=POLL)
                return
            except queue.Full:
                self._raise_failure()

    def _raise_failure(self) -> None:
        """Raise the failure of a sub-writer that has ended with one, if any has."""
        if not any(task.exitcode not in (None, 0) for task in self.tasks):
            return
        with contextlib.suppress(queue.Empty):
            while True:
                item = self.resultqueue.get(timeout=POLL)
                if isinstance(item, SubWriterFailure):
                    raise item.error(self._where)
        raise self._ended_early()

    def _ended_early(self) -> IndexBuildError:
        """The error of a sub-writer that ended without a word (killed), by how the first such one ended."""
        code = next((task.exitcode for task in self.tasks if task.exitcode not in (None, 0)), 0)
        how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
        return IndexBuildError(self._where, f"a sub-writer process ended without writing its segment: {how}")

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        try:
            if self.docbuffer:
                self._enqueue()
            for _ in self.tasks:
                self._put(None)  # finish your segment
            segments = self._merge_segments(mergetype, optimize, merge)
            segments += self._sub_segments()
        except BaseException:
            self._stop_tasks()
            raise
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()

    def _sub_segments(self) -> list[Any]:
        """The segment of each sub-writer, once all have written theirs; the first failure is raised at once."""
        segments: list[Any] = []
        while len(segments) < len(self.tasks):
            try:
                item = self.resultqueue.get(timeout=POLL)
            except queue.Empty:
                if any(task.exitcode is None for task in self.tasks):
                    continue  # still writing
                try:  # every one has ended: what they sent was in the pipe before they did
                    item = self.resultqueue.get(timeout=POLL)
                except queue.Empty:
                    raise self._ended_early() from None
            if isinstance(item, SubWriterFailure):
                raise item.error(self._where)
            segments.append(item[2])  # (run file, field names, segment)
        for task in self.tasks:
            task.join()
        return segments

    def cancel(self) -> None:
        """Drop everything added: the sub-writers are killed and have ended when this returns."""
        try:
            self._stop_tasks()
        finally:
            SegmentWriter.cancel(self)

    def _stop_tasks(self) -> None:
        for task in self.tasks:
            if task.exitcode is None:
                task.kill()  # its work is dropped: nothing to wait for
        for task in self.tasks:
            task.join()
        for channel in (self.jobqueue, self.resultqueue):
            channel.cancel_join_thread()  # no one is left to read what it holds: do not wait for that at exit
            channel.close()
        self.tasks = []
