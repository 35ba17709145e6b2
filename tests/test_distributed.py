"""Ingest through a real Dask ``LocalCluster`` (separate worker processes over loopback).

A batch sent to the cluster gives the same catalog as the local process pool,
also when a worker is killed mid-batch; a file that kills its worker every
time fails ``worker-crashed`` and the batch goes on; without ``--scheduler``
Dask is never imported.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.ingest import Duplicate, Extraction, Failure, IngestReport, Result, WorkerOptions, ingest, process_file
from archive.settings import Settings
from tests.conftest import APPEAL_TEXT, REPORT_PAGES, catalog_snapshot, stored_documents, write_pdf, write_sidecar

FILES = 90


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two worker processes, one thread each; the scheduler's HTTP server on a free port (":0"), since with
    ``dashboard_address=None`` it takes 8787 and warns when another cluster on this machine holds it."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as local_cluster:
        yield local_cluster


@pytest.fixture(scope="module")
def client(cluster: Any) -> Iterator[Any]:
    import distributed

    with distributed.Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Text files and PDFs with sidecars, a corrupt PDF, an encrypted PDF and an unsupported file."""
    folder = tmp_path_factory.mktemp("batch")
    for i in range(FILES):
        words = (f"Statement {i} about landmines near Aghdam and Shusha, see Article {100 + i % 50} of the Fourth "
                 f"Geneva Convention and Article 5 of the Ottawa Convention.")
        name = f"doc-{i:03d}.{'pdf' if i % 3 == 0 else 'txt'}"
        if i % 3 == 0:
            write_pdf(folder / name, [words, *REPORT_PAGES, f"Last page of statement {i}. Baku, 3 March 2021"])
        else:
            (folder / name).write_text(f"{words}\n{APPEAL_TEXT}Baku, {1 + i % 28} March 2021\n", encoding="utf-8")
        if i % 5 == 0:
            write_sidecar(folder / name, type="testimony", date="2020-01-02", places=["Fuzuli"])
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    write_pdf(folder / "locked.pdf", ["Secret statement."], password="s3cret")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not read")
    return folder


@pytest.fixture(scope="module")
def local_catalog(batch: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    home = tmp_path_factory.mktemp("local") / "home"
    ingest([batch], _settings(home), workers=2)
    return catalog_snapshot(home, in_arrival_order=False)


def _settings(home: Path) -> Settings:
    return Settings(home=home, actor="tester", file_timeout=30.0, index_batch=20)


@pytest.mark.slow
def test_a_batch_on_the_cluster_gives_the_same_catalog_as_the_local_pool(
        cluster: Any, batch: Path, local_catalog: dict[str, object], tmp_path: Path) -> None:
    report = ingest([batch], _settings(tmp_path / "home"), scheduler=cluster.scheduler_address)

    assert (report.ingested, report.failed) == (FILES, 3)
    assert report.failures == {"corrupt": 1, "encrypted": 1, "unsupported": 1}
    assert catalog_snapshot(tmp_path / "home", in_arrival_order=False) == local_catalog


@pytest.mark.slow
def test_the_cli_sends_a_batch_to_the_scheduler(cluster: Any, sample_folder: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "ingest", "--quiet", "--scheduler",
                                       cluster.scheduler_address, str(sample_folder)])

    assert result.exit_code == 3, result.output  # the broken PDF of sample_folder
    assert "3 files: 2 ingested (3 pages), 0 already in the archive, 1 failed (1 corrupt)" in result.output


@pytest.mark.slow
def test_killing_a_worker_mid_batch_loses_nothing(cluster: Any, client: Any, batch: Path,
                                                  local_catalog: dict[str, object], tmp_path: Path) -> None:
    home = tmp_path / "home"
    victim = next(iter(client.run(os.getpid).values()))
    reports: list[IngestReport] = []
    run = threading.Thread(target=lambda: reports.append(
        ingest([batch], _settings(home), scheduler=cluster.scheduler_address)))
    run.start()
    deadline = time.monotonic() + 30
    while stored_documents(home) < 5 and run.is_alive() and time.monotonic() < deadline:
        time.sleep(0.002)
    assert run.is_alive(), "the batch finished before a worker could be killed; make it larger"
    os.kill(victim, signal.SIGKILL)
    stored_at_kill = stored_documents(home)
    run.join(timeout=60)

    assert 0 < stored_at_kill < FILES
    assert reports and (reports[0].ingested, reports[0].failed) == (FILES, 3)
    assert catalog_snapshot(home, in_arrival_order=False) == local_catalog
    assert victim not in client.run(os.getpid).values()


POISON = "poison.txt"


def _exit_on_poison(path: str, options: WorkerOptions) -> Result:
    """A worker function that kills its worker process on one file, like a crash deep inside a parser."""
    if Path(path).name == POISON:
        os._exit(1)
    return process_file(path, options)


@pytest.mark.slow
def test_a_file_that_kills_its_worker_every_time_fails_worker_crashed(client: Any, tmp_path: Path) -> None:
    from archive.distributed import run_on_dask

    names = [f"good-{i}.txt" for i in range(6)] + [POISON]
    for name in names:
        (tmp_path / name).write_text(f"{name}: Article 147 of the Fourth Geneva Convention.", encoding="utf-8")

    results = {Path(r.path).name: r for r in run_on_dask([tmp_path / n for n in names], WorkerOptions(), client,
                                                         function=_exit_on_poison)}

    assert sorted(results) == sorted(names)
    crashed = results.pop(POISON)
    assert isinstance(crashed, Failure)
    assert (crashed.reason, crashed.error_class) == ("worker-crashed", "KilledWorker")
    assert all(isinstance(r, Extraction) for r in results.values())


def _misbehave(path: str, options: WorkerOptions) -> Result:
    """A worker function that hangs inside process_file on ``slow.txt`` and raises on ``raises.txt``."""
    import archive.ingest

    name = Path(path).name
    if name == "raises.txt":
        raise RuntimeError("a bug in a worker function")
    if name != "slow.txt":
        return process_file(path, options)
    original = archive.ingest.is_supported
    archive.ingest.is_supported = _hang  # one thread per worker: nothing else runs process_file meanwhile
    try:
        return process_file(path, options)
    finally:
        archive.ingest.is_supported = original


def _hang(path: str) -> bool:
    while True:
        time.sleep(0.01)


@pytest.mark.slow
def test_hangs_and_task_exceptions_become_failures_and_the_workers_go_on(client: Any, tmp_path: Path) -> None:
    from archive.distributed import run_on_dask

    names = ["slow.txt", "raises.txt"] + [f"good-{i}.txt" for i in range(6)]
    for name in names:
        (tmp_path / name).write_text(f"{name}: Article 147 of the Fourth Geneva Convention.", encoding="utf-8")
    # A worker's first file imports the analysis (about half a second on two cores; a worker that replaced a
    # killed one is new): read one on every worker first. The limit leaves a good file room on a loaded machine
    # (at 0.5 s one timed out while the two cores were busy with other work).
    client.run(process_file, str(tmp_path / "good-0.txt"))

    results = {Path(r.path).name: r for r in run_on_dask([tmp_path / n for n in names],
                                                         WorkerOptions(file_timeout=4), client, function=_misbehave)}

    assert results.pop("slow.txt") == Failure(str(tmp_path / "slow.txt"), "timeout", "FileTimeoutError",
                                              "took longer than 4 s", _sha256(tmp_path / "slow.txt"))
    raised = results.pop("raises.txt")
    assert isinstance(raised, Failure)
    assert (raised.reason, raised.error_class, raised.detail) == ("error", "RuntimeError", "a bug in a worker function")
    assert all(isinstance(r, Extraction) for r in results.values())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_known_hashes_reach_the_workers_and_make_duplicates(client: Any, tmp_path: Path) -> None:
    from archive.distributed import run_on_dask

    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text("Already in the archive.", encoding="utf-8")
    new.write_text("Not yet in the archive.", encoding="utf-8")
    known = process_file(str(old), WorkerOptions())
    assert isinstance(known, Extraction)

    results = list(run_on_dask([old, new], WorkerOptions(known_hashes=frozenset({known.sha256})), client))

    assert sorted(type(r).__name__ for r in results) == ["Duplicate", "Extraction"]
    assert Duplicate(str(old), known.sha256) in results


def test_a_scheduler_that_does_not_answer_says_how_to_start_one() -> None:
    pytest.importorskip("distributed")
    from archive.distributed import SchedulerUnreachableError, run_on_dask

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(SchedulerUnreachableError, match=r"could not reach the Dask scheduler at tcp://.*`dask sched"):
        next(run_on_dask(["x.txt"], WorkerOptions(), address, timeout=0.5))


@pytest.mark.parametrize("address", ["bogus", "tcp://127.0.0.1"])
def test_an_address_without_a_port_is_refused_at_once_and_cleanly(address: str, tmp_path: Path) -> None:
    """Dask's client, made for such an address, failed half-made: the command then waited 20 s after its message
    and printed an "Exception ignored in Client.__del__" traceback."""
    pytest.importorskip("distributed")
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.txt").write_text("Mines near Aghdam.", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "archive", "--home", str(tmp_path / "home"), "ingest", "--quiet",
                          "--scheduler", address, str(folder)], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "missing port number" in run.stderr and "such as tcp://10.0.0.5:8786" in run.stderr
    assert f"dask worker {address}" not in run.stderr  # no advice to start workers at an address with no port
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr, run.stderr


def test_without_dask_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an environment without the extra looks like
    monkeypatch.delitem(sys.modules, "archive.distributed", raising=False)
    from archive.errors import ArchiveError

    with pytest.raises(ArchiveError, match=r"pip install 'evidence-archive\[distributed\]'"):
        import archive.distributed  # noqa: F401


def test_without_a_scheduler_dask_is_never_imported() -> None:
    code = ("import archive.ingest, archive.cli, sys; "
            "assert 'distributed' not in sys.modules and 'dask' not in sys.modules, 'dask was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent)
