"""A batch killed with SIGKILL and run again ends identical to an uninterrupted run."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.cli import BATCH_STOPPED, SOME_FILES_FAILED, TERMINATED
from archive.settings import Settings
from archive.store import Archive
from archive.verify import verify
from tests.conftest import catalog_snapshot, stored_documents, write_pdf, write_statement_batch

pytestmark = pytest.mark.slow
FILES = 60


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_statement_batch(tmp_path_factory.mktemp("batch"), FILES)


def _ingest_command(home: Path, folder: Path) -> list[str]:
    return [sys.executable, "-m", "archive", "--home", str(home), "ingest", "--quiet", "--workers", "2", str(folder)]


def test_sigkill_mid_batch_then_rerun_equals_an_uninterrupted_run(batch: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    assert subprocess.run(_ingest_command(whole, batch), capture_output=True).returncode == SOME_FILES_FAILED

    killed = tmp_path / "killed"
    process = subprocess.Popen(_ingest_command(killed, batch), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while stored_documents(killed) < 5 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "the batch finished before it could be killed; make it larger"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    stored = stored_documents(killed)
    assert 0 < stored < FILES, f"killed after {stored} documents"

    assert subprocess.run(_ingest_command(killed, batch), capture_output=True).returncode == SOME_FILES_FAILED
    assert catalog_snapshot(killed, in_arrival_order=True) == catalog_snapshot(whole, in_arrival_order=True)
    with Archive(Settings(home=killed, actor="x")) as archive:
        assert verify(archive).ok


def _descendants(pid: int) -> set[int]:
    """Every living process whose chain of parents leads to ``pid`` (from /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_workers_leave_when_the_writer_is_killed(batch: Path, tmp_path: Path) -> None:
    process = subprocess.Popen(_ingest_command(tmp_path / "home", batch), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    helpers: set[int] = set()
    while stored_documents(tmp_path / "home") < 3 and process.poll() is None and time.monotonic() < deadline:
        helpers |= _descendants(process.pid)
        time.sleep(0.005)
    helpers |= _descendants(process.pid)
    assert process.poll() is None, "the batch finished before it could be killed; make it larger"
    assert len(helpers) >= 3  # the forkserver (or resource tracker) and two workers
    os.kill(process.pid, signal.SIGKILL)  # the writer alone: its workers are not signalled
    process.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in helpers if _alive(pid)]
    for pid in left:  # do not leave them behind for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert left == []


def _running_batch(home: Path, folder: Path, *more: str, stored: int = 5,
                   env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """An ingest of ``folder`` in a process group of its own, once ``stored`` documents are in (still running)."""
    process = subprocess.Popen([*_ingest_command(home, folder), *more], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    deadline = time.monotonic() + 60
    while stored_documents(home) < stored and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert process.poll() is None, "the batch finished before it could be interrupted; make it larger"
    return process


def test_ctrl_c_mid_batch_says_what_to_do_and_the_rerun_finishes(batch: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    process = _running_batch(home, batch)
    os.kill(process.pid, signal.SIGINT)  # what Ctrl-C sends
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "run the same command again to ingest the rest" in err and "Traceback" not in err
    how_far = re.search(r"stopped by Ctrl-C after (\d+) of (\d+) files", err)
    assert how_far and int(how_far[2]) == FILES + 1  # broken.pdf too
    assert int(how_far[1]) >= 5, err  # at least the documents stored before the signal (it said 0 under --quiet)
    rerun = subprocess.run(_ingest_command(home, batch), capture_output=True, text=True)
    assert rerun.returncode == SOME_FILES_FAILED  # broken.pdf, as in an uninterrupted run
    with Archive(Settings(home=home, actor="x")) as archive:
        assert verify(archive).ok and archive.count_documents() == FILES


def test_sigterm_mid_batch_stops_it_like_ctrl_c_and_the_rerun_finishes(batch: Path, tmp_path: Path) -> None:
    """What a job's time limit (``timeout``) or a service manager sends: to the writer alone."""
    home, report = tmp_path / "home", tmp_path / "report.json"
    process = _running_batch(home, batch, "--report", str(report))
    helpers = _descendants(process.pid)
    os.kill(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == TERMINATED, err
    assert "stopped by SIGTERM after" in err and "run the same command again" in err and "Traceback" not in err
    gone_in = int(re.search(r"after (\d+) of", err)[1])
    assert gone_in >= 5, err
    written = json.loads(report.read_text(encoding="utf-8"))  # what a nightly job's time limit leaves to read
    assert written["stopped"] == f"stopped by SIGTERM after {gone_in} of {FILES + 1} files"
    assert written["files"] == gone_in == len(written["outcomes"])
    assert stored_documents(home) < FILES
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in helpers if _alive(pid)]  # its workers went with it
    rerun = subprocess.run(_ingest_command(home, batch), capture_output=True, text=True)
    assert rerun.returncode == SOME_FILES_FAILED  # broken.pdf, as in an uninterrupted run
    with Archive(Settings(home=home, actor="x")) as archive:
        assert verify(archive).ok and archive.count_documents() == FILES


def _workers(pid: int) -> set[int]:
    """The extraction workers of the ingest ``pid``: the forkserver's children (the writer's grandchildren)."""
    children = {child for child in _descendants(pid) if _parent(child) == pid}
    return {worker for worker in _descendants(pid) if _parent(worker) in children}


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def test_a_worker_killed_mid_batch_loses_nothing(batch: Path, tmp_path: Path) -> None:
    """What the out-of-memory killer does once: the files in flight are read again, each alone."""
    whole = tmp_path / "whole"
    assert subprocess.run(_ingest_command(whole, batch), capture_output=True).returncode == SOME_FILES_FAILED
    home = tmp_path / "home"
    process = _running_batch(home, batch, stored=3)
    workers = _workers(process.pid)
    assert workers, "the batch finished before a worker could be killed; make it larger"
    os.kill(min(workers), signal.SIGKILL)
    _, err = process.communicate(timeout=120)
    assert process.returncode == SOME_FILES_FAILED, err  # broken.pdf alone
    assert "worker-crashed" not in err
    assert catalog_snapshot(home, in_arrival_order=True) == catalog_snapshot(whole, in_arrival_order=True)


@pytest.fixture(scope="module")
def long_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty PDFs of twenty pages: each takes a worker long enough for a watcher to kill it on the way."""
    folder = tmp_path_factory.mktemp("long")
    for i in range(20):
        pages = [f"Statement {i}, page {n}: landmines near Aghdam, Article 147 of the Fourth Geneva Convention. " * 8
                 for n in range(1, 21)]
        write_pdf(folder / f"long-{i:02d}.pdf", pages)
    return folder


def _children(pid: int) -> set[int]:
    try:
        return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


#: Loaded at the start of every Python process of the batch under test (through ``PYTHONPATH``): in the pool's
#: forkserver, every process forked (a worker, a worker reading one file alone) is killed as it starts, as an
#: out-of-memory killer that takes every worker would. Nothing races a worker to its file's end.
WORKER_KILLER = """
import os, signal
with open("/proc/self/cmdline", "rb") as command:
    if b"multiprocessing.forkserver" in command.read():
        os.register_at_fork(after_in_child=lambda: os.kill(os.getpid(), signal.SIGKILL))
"""


#: Python's forkserver dies, printing this, when a process pool that is breaking connects to it and leaves before
#: sending its request (multiprocessing/forkserver.py catches only OSError there). The batch copes (a worker that
#: cannot start is tried again, and the next pool starts a new forkserver), but the traceback is Python's.
FORKSERVER_EOF = re.compile(r"Traceback \(most recent call last\):\n(?:  .*\n)*?.*forkserver\.py.*\n(?:  .*\n)*"
                            r"EOFError\n")


def _without_forkserver_eof(err: str) -> str:
    return FORKSERVER_EOF.sub("", err)


def test_workers_that_keep_dying_stop_the_batch_with_the_machine_named_not_the_files(
        long_pdfs: Path, tmp_path: Path) -> None:
    """An out-of-memory killer that takes every worker: ten files in a row crash even alone, and the batch stops."""
    home, report = tmp_path / "home", tmp_path / "report.json"
    (tmp_path / "killer").mkdir()
    (tmp_path / "killer" / "sitecustomize.py").write_text(WORKER_KILLER, encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path / "killer"),
                                                                              os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([*_ingest_command(home, long_pdfs), "--report", str(report)], env=environment,
                         capture_output=True, text=True, timeout=300)
    err = run.stderr
    assert run.returncode == BATCH_STOPPED, err
    assert "the extraction workers keep dying: the last 10 files each crashed" in err
    assert "Traceback" not in _without_forkserver_eof(err), err
    assert "out-of-memory killer" in err and "run the same command again" in err
    written = json.loads(report.read_text(encoding="utf-8"))
    crashed = [o for o in written["outcomes"] if o.get("reason") == "worker-crashed"]
    assert len(crashed) == written["files"] >= 10 and written["stopped"].startswith("the extraction workers keep dying")
    assert written["files"] < 20  # stopped, not run to the end file by file
    rerun = subprocess.run(_ingest_command(home, long_pdfs), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr  # the crashed files went in
    with Archive(Settings(home=home, actor="x")) as archive:
        assert verify(archive).ok and archive.count_documents() == 20


def test_a_worker_that_stops_answering_is_killed_and_only_its_file_fails(batch: Path, tmp_path: Path) -> None:
    """Code the worker's own alarm cannot interrupt: stopped workers (SIGSTOP) answer nothing until killed."""
    home = tmp_path / "home"
    environment = {**os.environ, "ARCHIVE_FILE_TIMEOUT": "1"}  # the writer gives up after 2 × 1 + 10 s
    process = _running_batch(home, batch, stored=3, env=environment)
    workers = _workers(process.pid)
    assert workers, "the batch finished before its workers could be stopped"
    for worker in workers:
        os.kill(worker, signal.SIGSTOP)
    _, err = process.communicate(timeout=120)
    assert process.returncode == SOME_FILES_FAILED, err
    hung = [line for line in err.splitlines() if "timeout (the worker stopped answering; it was killed)" in line]
    assert len(hung) == 1, err
    assert not [pid for pid in workers if _alive(pid)]  # killed, not left stopped
    with Archive(Settings(home=home, actor="x")) as archive:
        assert archive.count_documents() == FILES - 1 and verify(archive).ok
    rerun = subprocess.run(_ingest_command(home, batch), capture_output=True, text=True)
    assert rerun.returncode == SOME_FILES_FAILED  # broken.pdf: the file that hung went in this time
    with Archive(Settings(home=home, actor="x")) as archive:
        assert archive.count_documents() == FILES


def test_sigterm_to_the_whole_process_group_stops_the_batch_like_ctrl_c(batch: Path, tmp_path: Path) -> None:
    """What systemd (and `timeout`, after the writer) sends: every process of the batch gets SIGTERM. A worker
    ended while sending its result could leave the writer waiting for the rest of it for ever."""
    home = tmp_path / "home"
    process = _running_batch(home, batch)
    assert _workers(process.pid), "the batch finished before it could be stopped; make it larger"
    os.killpg(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == TERMINATED, err
    assert "stopped by SIGTERM after" in err and "Traceback" not in err
    rerun = subprocess.run(_ingest_command(home, batch), capture_output=True, text=True)
    assert rerun.returncode == SOME_FILES_FAILED  # broken.pdf, as in an uninterrupted run
    with Archive(Settings(home=home, actor="x")) as archive:
        assert verify(archive).ok and archive.count_documents() == FILES


#: Ingests a folder, then writes its report and is killed (SIGKILL) after the report's third file.
KILLED_WHILE_WRITING_THE_REPORT = """
import os, signal, sys
from pathlib import Path
from archive.ingest import ingest, write_report
from archive.settings import Settings
from archive.store import Archive

home, folder, target = map(Path, sys.argv[1:])
settings = Settings(home=home, actor="t", workers=1)
report = ingest([folder], settings)
with Archive(settings) as archive:
    outcomes = archive.outcomes

    def killed_after_three(run_id):
        for number, row in enumerate(outcomes(run_id)):
            if number == 3:
                os.kill(os.getpid(), signal.SIGKILL)
            yield row

    archive.outcomes = killed_after_three
    write_report(archive, report, target)
"""


@pytest.mark.parametrize("name", ["report.json", "report.csv"])
def test_a_writer_killed_while_writing_its_report_leaves_no_half_report(batch: Path, tmp_path: Path,
                                                                        name: str) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    target = folder / name
    target.write_text("the report of last night's batch\n", encoding="utf-8")  # replaced by tonight's, or by none
    run = subprocess.run([sys.executable, "-c", KILLED_WHILE_WRITING_THE_REPORT, str(tmp_path / "home"), str(batch),
                          str(target)], capture_output=True)
    assert run.returncode == -signal.SIGKILL, run.stderr.decode()
    # Three rows of sixty-one would pass for a report (a CSV's rows end cleanly), and so would last night's.
    assert not target.exists()
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == []  # a rerun ingests no leftover
    run = subprocess.run([sys.executable, "-m", "archive", "--home", str(tmp_path / "home"), "ingest", "--quiet",
                          "--report", str(target), str(batch)], capture_output=True)
    assert run.returncode == SOME_FILES_FAILED, run.stderr.decode()
    assert [p.name for p in folder.iterdir()] == [name]  # the copy the killed writer left is gone too
    assert len(target.read_text(encoding="utf-8-sig").strip().splitlines()) > FILES
