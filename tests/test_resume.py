"""A batch killed with SIGKILL and run again ends identical to an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.cli import SOME_FILES_FAILED
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
