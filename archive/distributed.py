"""Run the ingest workers on a Dask distributed cluster; the one writer stays here.

:func:`run_on_dask` sends :func:`archive.ingest.process_file` (fingerprint,
extract, analyse) for every path to the workers of a Dask cluster and yields
their results in completion order, with a bounded number of files in flight.
:func:`archive.ingest.ingest` calls it for ``evidence ingest --scheduler``;
storing, cataloguing and indexing stay with its one writer.

What it leaves to others:

* the files: workers read them by path, so every worker must see the batch
  under the same paths as the writer (shared storage);
* the code: workers unpickle :func:`process_file` by reference, so every worker
  machine must have the project installed (``pip install
  'evidence-archive[distributed]'``);
* the cluster: ``dask scheduler`` and ``dask worker`` run it, restart dead
  workers and retry their tasks. A file that kills more workers than
  ``distributed.scheduler.allowed-failures`` allows ends in ``KilledWorker``;
  it is then run once more alone, so that a file that merely sat on the same
  worker is not blamed, and is failed ``worker-crashed`` when it kills again.

Dask runs tasks in worker threads, where Python cannot install a SIGALRM
handler; :class:`archive.ingest.FileDeadline` keeps ``file_timeout`` there with
a timer instead. Neither can interrupt a file stuck inside C code; such a file
keeps its worker thread busy.

This module imports Dask; nothing else in the archive does, so a batch without
``--scheduler`` neither imports nor needs it.
"""

from __future__ import annotations

import concurrent.futures as cf
import uuid
from collections.abc import Callable, Iterable, Iterator
from itertools import count, islice
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.ingest import Duplicate, Failure, FileTimeoutError, Result, WorkerOptions, process_file
from archive.models import Extraction

INSTALL_HINT = "pip install 'evidence-archive[distributed]'"
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler
WORKER_WAIT = 60.0  # seconds to wait for a first worker to join the scheduler

Worker = Callable[[str, WorkerOptions], Result]
RESULT_TYPES = (Extraction, Failure, Duplicate)


class ClusterError(ArchiveError):
    """The Dask cluster could not take or finish the batch."""

    status = 503


class DaskNotInstalledError(ClusterError):
    """``--scheduler`` was given but Dask is not installed here."""

    def __init__(self) -> None:
        super().__init__(f"ingest with --scheduler needs Dask: {INSTALL_HINT} (here and on every worker machine)")


class SchedulerUnreachableError(ClusterError):
    """No Dask scheduler answered at the address given."""

    def __init__(self, address: str, problem: str) -> None:
        super().__init__(
            f"could not reach the Dask scheduler at {address} ({problem}): start one with `dask scheduler` "
            f"on that machine and workers with `dask worker {address}`, or check the address"
        )
        self.address, self.problem = address, problem


class SchedulerAddressError(SchedulerUnreachableError):
    """The address given names no scheduler: it needs a host and a port."""

    def __init__(self, address: str, problem: str) -> None:
        ClusterError.__init__(
            self, f"{address!r} is not a Dask scheduler's address ({problem}): give its host and port, as "
                  "`dask scheduler` prints them, such as tcp://10.0.0.5:8786")
        self.address, self.problem = address, problem


class NoWorkersError(ClusterError):
    """The scheduler answered but no worker joined it in time."""

    def __init__(self, address: str, waited: float) -> None:
        super().__init__(
            f"the Dask scheduler at {address} has had no workers for {waited:g} s: "
            f"start some with `dask worker {address} --nworkers N --nthreads 1` on machines that see the files"
        )
        self.address, self.waited = address, waited


class WorkerSetupError(ClusterError):
    """The workers could not load what the batch needs, usually because the archive is not installed there."""

    def __init__(self, address: str, problem: str) -> None:
        super().__init__(
            f"the Dask workers of {address} could not load the ingest code ({problem}): "
            f"install the project on every worker machine with {INSTALL_HINT}, then restart the workers"
        )
        self.address, self.problem = address, problem


class SchedulerLostError(ClusterError):
    """The connection to the scheduler broke during the batch."""

    def __init__(self, address: str) -> None:
        super().__init__(
            f"lost the Dask scheduler at {address} during the batch: what was stored is kept; "
            "run the same command again to ingest the rest"
        )
        self.address = address


try:
    import distributed
    from distributed.diagnostics.plugin import WorkerPlugin
    from distributed.scheduler import KilledWorker
except ImportError as error:  # the optional extra is not installed
    raise DaskNotInstalledError() from error


# -- on the workers ---------------------------------------------------------------

_batches: dict[str, WorkerOptions] = {}  # the options of each batch this worker serves


class _BatchOptions(WorkerPlugin):
    """Gives a batch's options to every worker, also to workers that join or restart later.

    The options (passwords, known hashes, the manifest) can weigh megabytes:
    they travel once per worker, not with every file, and unlike scattered
    data they cannot be lost when workers die.
    """

    idempotent = False

    def __init__(self, batch: str, options: WorkerOptions) -> None:
        self.name = f"evidence-ingest-{batch}"
        self.batch, self.options = batch, options

    def setup(self, worker: Any) -> None:
        _batches[self.batch] = self.options

    def teardown(self, worker: Any) -> None:
        _batches.pop(self.batch, None)


def _run_task(path: str, batch: str, function: Worker) -> Result:
    """One file on a worker: the batch's options from this worker's plugin, then ``function``."""
    try:
        return function(path, _batches[batch])
    except FileTimeoutError:  # the alarm fired just as process_file was returning
        options = _batches[batch]
        return Failure(path, "timeout", "FileTimeoutError", f"took longer than {options.file_timeout:g} s")


# -- on the writer's machine ------------------------------------------------------


def run_on_dask(paths: Iterable[Path | str], options: WorkerOptions, scheduler: str | distributed.Client, *,
                window: int | None = None, function: Worker = process_file,
                timeout: float = CONNECT_TIMEOUT) -> Iterator[Result]:
    """Results of ``function(path, options)`` for every path, run on a Dask cluster, in completion order.

    ``scheduler`` is an address (``tcp://host:8786``) or a connected
    :class:`distributed.Client`, which is left open. At most ``window`` files
    (default: four per worker thread) are in flight, so memory stays bounded
    however large the batch. A task that ends in an exception becomes a
    :class:`Failure` named after its class; ``KilledWorker`` becomes
    ``worker-crashed`` once the file has killed a worker again when run alone.
    """
    client, owned = _connect(scheduler, timeout)
    batch = uuid.uuid4().hex[:12]
    plugin: _BatchOptions | None = None
    try:
        _wait_for_workers(client)
        plugin = _register(client, _BatchOptions(batch, options))
        suspects: list[str] = []
        for path, result in _stream(client, batch, function, (str(p) for p in paths), window):
            if isinstance(result, KilledWorker):
                suspects.append(path)
            else:
                yield result
        for path in suspects:
            yield _run_alone(client, batch, function, path)
    finally:
        _close(client, owned, plugin)


def _connect(scheduler: str | distributed.Client, timeout: float) -> tuple[distributed.Client, bool]:
    if not isinstance(scheduler, str):
        return scheduler, False
    _check_address(scheduler)
    try:
        return distributed.Client(scheduler, timeout=timeout, set_as_default=False), True
    except (OSError, ValueError) as error:
        raise SchedulerUnreachableError(scheduler, str(error)) from error


def _check_address(scheduler: str) -> None:
    """Refuse an address that names no scheduler (``bogus``, ``tcp://host`` without its port) before a client is
    made: Dask's client, failing on one, was left half-made, and its clean-up held the command for 20 seconds
    after the error and then printed a traceback."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(scheduler)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as error:
        raise SchedulerAddressError(scheduler, str(error)) from error


def _wait_for_workers(client: distributed.Client) -> None:
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT)
    except TimeoutError as error:
        raise NoWorkersError(client.scheduler.address, WORKER_WAIT) from error


def _register(client: distributed.Client, plugin: _BatchOptions) -> _BatchOptions:
    try:
        client.register_plugin(plugin)
    except (ImportError, AttributeError) as error:
        raise WorkerSetupError(client.scheduler.address, f"{type(error).__name__}: {error}") from error
    return plugin


def _stream(client: distributed.Client, batch: str, function: Worker, source: Iterator[str],
            window: int | None) -> Iterator[tuple[str, Result | KilledWorker]]:
    """``(path, result)`` as tasks finish, keeping ``window`` tasks in flight; the result may be a KilledWorker."""
    window = window or max(4, 4 * sum(client.nthreads().values()))
    keys = count()
    in_flight: dict[distributed.Future, str] = {}
    finished = distributed.as_completed(loop=client.loop)

    def submit(path: str) -> None:
        future = client.submit(_run_task, path, batch, function, key=f"process_file-{batch}-{next(keys)}")
        in_flight[future] = path
        finished.add(future)

    try:
        for path in _take(source, window):
            submit(path)
        for done in finished.batches():
            results = _collect(client, done, in_flight)
            for path in _take(source, len(done)):
                submit(path)  # before the writer takes the results, so that the workers stay busy
            del done  # releases the tasks' results on their workers
            yield from results
    finally:
        if in_flight:
            client.cancel(list(in_flight))


def _collect(client: distributed.Client, done: list[distributed.Future],
             in_flight: dict[distributed.Future, str]) -> list[tuple[str, Result | KilledWorker]]:
    """The results of finished tasks, fetched in one round trip; the others one by one through :func:`_outcome`."""
    finished = {future.key: future for future in done if future.status == "finished"}
    try:
        values = client.gather(finished, errors="skip") if finished else {}
    except (OSError, cf.CancelledError):
        values = {}  # lost meanwhile: _outcome waits for Dask to compute them again, or says the scheduler is gone
    results = []
    for future in done:
        path = in_flight.pop(future)
        value = values.get(future.key)
        results.append((path, value if isinstance(value, RESULT_TYPES) else _outcome(client, future, path)))
    return results


def _take(source: Iterator[str], n: int) -> list[str]:
    return list(islice(source, n))


def _outcome(client: distributed.Client, future: distributed.Future, path: str) -> Result | KilledWorker:
    """The task's result; if the worker holding it died meanwhile, Dask computes it again and this waits."""
    try:
        return future.result()
    except KilledWorker as error:
        return error
    except cf.CancelledError as error:
        raise SchedulerLostError(client.scheduler.address) from error
    except Exception as error:  # noqa: BLE001 - a task's own error is one file's failure, never the batch's
        return Failure(path, "error", type(error).__name__, str(error)[:500])


def _run_alone(client: distributed.Client, batch: str, function: Worker, path: str) -> Result:
    """Run a file that was running when workers died, with nothing else in flight."""
    future = client.submit(_run_task, path, batch, function, key=f"process_file-{batch}-alone-{uuid.uuid4().hex[:8]}")
    result = _outcome(client, future, path)
    if isinstance(result, KilledWorker):
        return Failure(path, "worker-crashed", "KilledWorker",
                       f"the file made Dask workers die {result.allowed_failures + 1} times, also when run alone")
    return result


def _close(client: distributed.Client, owned: bool, plugin: _BatchOptions | None) -> None:
    try:
        if plugin is not None and client.status == "running":
            client.unregister_worker_plugin(plugin.name)
    except (OSError, ValueError, TimeoutError):
        pass  # the workers forget the batch when they restart; nothing to keep
    finally:
        if owned:
            client.close()
