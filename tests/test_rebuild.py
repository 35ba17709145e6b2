"""Rebuilding the index from the catalog: built beside the old one, put in place whole, followed by open readers."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.ingest import ingest
from archive.settings import Settings
from archive.store import Archive
from index import SearchRequest, open_index, rebuild
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
