"""A batch killed with SIGKILL and run again ends identical to an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.cli import SOME_FILES_FAILED, TERMINATED
from archive.settings import Settings
from archive.store import Archive
from archive.verify import verify
from tests.conftest import catalog_snapshot, stored_documents, write_pdf, write_sidecar

pytestmark = pytest.mark.slow
FILES = 60


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batch")
    for i in range(FILES):
        article = 100 + i % 50
        words = f"Statement {i} about landmines near Aghdam, see Article {article} of the Fourth Geneva Convention."
        if i % 3 == 0:
            write_pdf(folder / f"doc-{i:03d}.pdf", [words, f"Second page of statement {i}.", "Third page."])
        else:
            (folder / f"doc-{i:03d}.txt").write_text(words + f"\nBaku, {1 + i % 28} March 2021\n", encoding="utf-8")
        if i % 5 == 0:
            write_sidecar(folder / f"doc-{i:03d}.{'pdf' if i % 3 == 0 else 'txt'}", type="testimony", date="2020-01-02")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    return folder


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


def test_ctrl_c_mid_batch_says_what_to_do_and_the_rerun_finishes(batch: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    process = subprocess.Popen(_ingest_command(home, batch), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while stored_documents(home) < 5 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert process.poll() is None, "the batch finished before it could be stopped; make it larger"
    os.kill(process.pid, signal.SIGINT)  # what Ctrl-C sends
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "run the same command again to ingest the rest" in err and "Traceback" not in err
    rerun = subprocess.run(_ingest_command(home, batch), capture_output=True, text=True)
    assert rerun.returncode == SOME_FILES_FAILED  # broken.pdf, as in an uninterrupted run
    with Archive(Settings(home=home, actor="x")) as archive:
        assert verify(archive).ok and archive.count_documents() == FILES


def test_sigterm_mid_batch_stops_it_like_ctrl_c_and_the_rerun_finishes(batch: Path, tmp_path: Path) -> None:
    """What a job's time limit (``timeout``) or a service manager sends: to the writer alone."""
    home = tmp_path / "home"
    process = subprocess.Popen(_ingest_command(home, batch), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    helpers: set[int] = set()
    while stored_documents(home) < 5 and process.poll() is None and time.monotonic() < deadline:
        helpers |= _descendants(process.pid)
        time.sleep(0.005)
    assert process.poll() is None, "the batch finished before it could be stopped; make it larger"
    os.kill(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == TERMINATED, err
    assert "stopped by SIGTERM after" in err and "run the same command again" in err and "Traceback" not in err
    assert stored_documents(home) < FILES
    assert not [pid for pid in helpers if _alive(pid)]  # its workers went with it
    rerun = subprocess.run(_ingest_command(home, batch), capture_output=True, text=True)
    assert rerun.returncode == SOME_FILES_FAILED  # broken.pdf, as in an uninterrupted run
    with Archive(Settings(home=home, actor="x")) as archive:
        assert verify(archive).ok and archive.count_documents() == FILES
