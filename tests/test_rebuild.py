"""Rebuilding the index from the catalog: built beside the old one, put in place whole, followed by open readers;
stopped part way (a signal, a sub-writer killed), it leaves the old index in use and nothing else behind."""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import INTERRUPTED, TERMINATED, main
from archive.ingest import ingest
from archive.settings import Settings
from archive.store import Archive
from index import SearchRequest, open_index, rebuild
from tests.test_resume import _alive, _children
from tests.test_store import _extraction

rebuild_module = importlib.import_module("index.rebuild")  # index.rebuild the name is the function


@pytest.fixture
def home(tmp_path: Path) -> Settings:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(12):
        (folder / f"d{n:02d}.txt").write_text(f"Report {n} on landmines near Aghdam.", encoding="utf-8")
    settings = Settings(home=tmp_path / "home", actor="t", workers=1)
    ingest([folder], settings)
    return settings


def _catalogued_but_not_indexed(settings: Settings, tmp_path: Path) -> None:
    """A document the catalog holds and the index does not (as after a crash before its commit)."""
    with Archive(settings) as archive:
        archive.add_document(_extraction(tmp_path / "late.txt", "A late report on landmines."), "run-late")


def _total(settings: Settings, query: str = "landmines") -> int:
    with open_index(settings.index_dir, create=False) as ix:
        return ix.search(SearchRequest(query=query)).total


def test_an_open_index_follows_a_rebuild_that_replaced_its_folder(home: Settings, tmp_path: Path) -> None:
    with open_index(home.index_dir, create=False) as served:  # the web app's index, open all along
        assert served.search(SearchRequest(query="landmines")).total == 12
        _catalogued_but_not_indexed(home, tmp_path)
        with Archive(home) as archive, archive.writer_lock():
            assert rebuild(archive) == 13
        # the rebuilt index starts again from Whoosh's first generation, as the old one was: only the folder
        # tells them apart, and the open index must not go on reading the old one's deleted files
        assert served.search(SearchRequest(query="landmines")).total == 13
        assert served.search(SearchRequest(query="late")).total == 1
    assert not (tmp_path / "home" / "whoosh.rebuild").exists() and not (tmp_path / "home" / "whoosh.old").exists()


def test_a_rebuild_that_fails_leaves_the_old_index_in_use(home: Settings, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _catalogued_but_not_indexed(home, tmp_path)
    from index.write import IndexWriter

    real_add = IndexWriter.add
    added = []

    def add_then_fail(self, *args, **kwargs):
        added.append(1)
        if len(added) == 5:
            raise OSError(28, "No space left on device")
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(IndexWriter, "add", add_then_fail)
    with Archive(home) as archive, archive.writer_lock(), pytest.raises(OSError, match="No space"):
        rebuild(archive)
    monkeypatch.undo()
    assert _total(home) == 12  # the old index, whole
    with Archive(home) as archive:
        assert archive.unindexed_ids() != []  # the late document only: the rest stay marked indexed
        assert len(archive.unindexed_ids()) == 1
        assert rebuild(archive) == 13  # the next rebuild clears the unfinished one away
    assert _total(home) == 13


def test_a_crash_after_the_catalog_was_marked_leaves_it_resumable(home: Settings, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # killed between marking the catalog and putting the new index in place

    monkeypatch.setattr(rebuild_module, "_put_in_place", crash)
    with Archive(home) as archive, pytest.raises(KeyboardInterrupt):
        rebuild(archive)
    monkeypatch.undo()
    with Archive(home) as archive:
        assert len(archive.unindexed_ids()) == 12
    ingest([], home)  # the next ingest indexes what the catalog says is not indexed
    assert _total(home) == 12
    with Archive(home) as archive:
        assert archive.unindexed_ids() == []


def test_reindex_waits_for_no_ingest(home: Settings) -> None:
    with Archive(home) as archive, archive.writer_lock():  # an ingest is running
        result = CliRunner().invoke(main, ["--home", str(home.home), "reindex", "--quiet"])
    assert result.exit_code == 1 and "another process is writing" in result.output
    assert _total(home) == 12


def test_reindex_waits_for_an_access_change_that_holds_the_lock_for_a_moment(home: Settings) -> None:
    import threading
    import time

    held = threading.Event()

    def change_access() -> None:
        with Archive(home) as archive, archive.writer_lock():
            held.set()
            time.sleep(0.5)

    thread = threading.Thread(target=change_access)
    thread.start()
    held.wait(10)
    result = CliRunner().invoke(main, ["--home", str(home.home), "reindex", "--quiet"])
    thread.join()
    assert result.exit_code == 0, result.output  # refused: a nightly job failed for an admin's click
    assert _total(home) == 12


def test_an_access_change_made_during_a_reindex_is_indexed_after_it(home: Settings,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The rebuild read the old level; the document must neither be marked up to date nor stay at the old level."""
    with Archive(home) as archive:
        first = next(archive.iter_documents())
    reading = Archive.iter_documents

    def change_once_read(self: Archive, **options: object) -> object:
        for n, document in enumerate(reading(self, **options)):
            yield document
            if n == 0:  # an admin's click while the rebuild goes on (it no longer waits for the writer lock)
                with Archive(home) as admin_side:
                    admin_side.set_access(first.id, "confidential", actor="admin")

    monkeypatch.setattr(Archive, "iter_documents", change_once_read)
    result = CliRunner().invoke(main, ["--home", str(home.home), "reindex", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "indexed 12 documents, 1 of them again for a new access level" in result.output
    assert _total(home) == 11  # public searches: the index holds its new level
    with open_index(home.index_dir, create=False) as ix:
        assert ix.search(SearchRequest(query="landmines", access=("confidential",))).total == 1
    with Archive(home) as archive:
        assert archive.access_changed_ids() == [] and archive.unindexed_ids() == []


def test_the_fallback_of_two_renames_puts_the_index_in_place(home: Settings, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rebuild_module, "_exchange", lambda first, second: False)  # no renameat2 here
    _catalogued_but_not_indexed(home, tmp_path)
    with Archive(home) as archive:
        assert rebuild(archive) == 13
    assert _total(home) == 13


# -- `evidence reindex` stopped part way, as a real process -------------------------------------------------------

LARGE = 800  # documents: the rebuild takes several seconds on two cores, its sub-writers busy all along


@pytest.fixture(scope="module")
def large_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of ``LARGE`` synthetic documents (all public), catalogued and indexed."""
    from archive.models import Extraction, Metadata, Page
    from archive.store import file_sha256
    from archive.synthetic import iter_documents

    folder = tmp_path_factory.mktemp("large")
    settings = Settings(home=folder / "home", actor="t")
    with Archive(settings) as archive:
        for synthetic in iter_documents(LARGE, 11, text_only=True):
            path = folder / synthetic.name
            path.write_text(synthetic.text, encoding="utf-8")
            pages = tuple(Page(n, text, "plain-text", synthetic.language) for n, text in enumerate(synthetic.pages, 1))
            archive.add_document(Extraction(
                path=str(path), sha256=file_sha256(path), size=path.stat().st_size, media_type="text/plain",
                pages=pages, metadata=Metadata(title=synthetic.title, type=synthetic.type, date=synthetic.date)),
                "run-large")
    assert subprocess.run(_reindex(settings.home), capture_output=True).returncode == 0
    return settings.home


def _reindex(home: Path) -> list[str]:
    return [sys.executable, "-m", "archive", "--home", str(home), "reindex", "--quiet"]


def _everything(home: Path) -> int:
    """How many documents the index in use finds (all of them are public)."""
    with open_index(Settings(home=home).index_dir, create=False) as ix:
        return ix.search(SearchRequest(query="", limit=1)).total


def _reindex_with_sub_writers(home: Path) -> tuple[subprocess.Popen[str], list[int]]:
    """A reindex of ``home`` in a process group of its own, once its sub-writers have been at work for a moment."""
    process = subprocess.Popen(_reindex(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while len(_children(process.pid)) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)
    sub_writers = sorted(_children(process.pid))
    assert process.poll() is None and len(sub_writers) == 2, "the rebuild ended before it could be stopped"
    return process, sub_writers


def _finish(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Its output once it and every process holding its output have ended; a failure if that takes a minute."""
    try:
        return process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"not over a minute after the signal (status {process.returncode}): its sub-writers lived on")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the sub-writers in /proc")
@pytest.mark.parametrize(("name", "whole_group", "status"), [
    ("SIGINT", True, INTERRUPTED),  # Ctrl-C in a terminal: every process of the group
    ("SIGTERM", False, TERMINATED),  # `timeout`, `kill`: the command alone
    ("SIGTERM", True, TERMINATED),  # a service manager: every process of the group
])
def test_a_reindex_stopped_by_a_signal_says_so_and_nothing_else_and_leaves_the_index_whole(
        large_home: Path, tmp_path: Path, name: str, whole_group: bool, status: int) -> None:
    home = tmp_path / "home"
    shutil.copytree(large_home, home)
    process, sub_writers = _reindex_with_sub_writers(home)
    (os.killpg if whole_group else os.kill)(process.pid, getattr(signal, name))
    out, err = _finish(process)
    # Whoosh's sub-writers printed their tracebacks (KeyboardInterrupt, or FileNotFoundError once their folder was
    # removed under them), Ctrl-C said "Aborted!", and a SIGTERM to the command alone left them running for ever.
    assert not [pid for pid in sub_writers if _alive(pid)]  # stopped, and waited for, before the command ended
    assert process.returncode == status, err
    how = "Ctrl-C" if name == "SIGINT" else "SIGTERM"
    assert err == (f"reindex stopped by {how}: searches go on with the index in use, whole; run `evidence reindex` "
                   "again to rebuild it\n")
    assert out == ""
    assert sorted(p.name for p in home.iterdir() if p.name.startswith("whoosh")) == ["whoosh"]  # no staging left
    assert _everything(home) == LARGE
    with Archive(Settings(home=home)) as archive:
        assert archive.unindexed_ids() == []


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the sub-writers in /proc")
def test_a_sub_writer_killed_mid_reindex_fails_it_and_the_rerun_loses_nothing(large_home: Path, tmp_path: Path) -> None:
    """What the out-of-memory killer does. Its segment was left out of the commit without a word: "indexed 800
    documents", exit status 0, and dozens of documents no longer found."""
    home = tmp_path / "home"
    shutil.copytree(large_home, home)
    process, sub_writers = _reindex_with_sub_writers(home)
    os.kill(sub_writers[0], signal.SIGKILL)
    out, err = _finish(process)
    assert process.returncode == 1, (out, err)
    assert err.startswith(f"Error: a process writing {home / 'whoosh.rebuild'} failed (a sub-writer process ended "
                          "without writing its segment: killed by signal 9)"), err
    assert "out-of-memory killer" in err and "Traceback" not in err
    assert not [pid for pid in sub_writers if _alive(pid)]
    assert sorted(p.name for p in home.iterdir() if p.name.startswith("whoosh")) == ["whoosh"]
    assert _everything(home) == LARGE  # the old index, whole
    rerun = subprocess.run(_reindex(home), capture_output=True, text=True)
    assert rerun.returncode == 0 and rerun.stdout == f"indexed {LARGE} documents\n", rerun.stderr
    assert _everything(home) == LARGE
