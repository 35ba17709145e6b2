"""The queue of web uploads (archive.uploads), claimed by one taker and resumable, and the server's thread that
catches up with what waits for the writer (archive.catchup): queued uploads, and documents the index has not
followed.

The web pages around them (a 202 while a batch holds the archive, the upload's page, an access change caught up
after the writer let go) are in test_access.py.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import pytest

from archive.catchup import catching_up, start_catching_up
from archive.errors import BatchStoppedError, WorkersFailingError
from archive.ingest import IngestReport, ingest
from archive.settings import Settings
from archive.store import Archive
from archive.uploads import (
    RECORD,
    Upload,
    claimed,
    drain,
    find_upload,
    leftover_uploads,
    new_upload,
    queue,
    queued_uploads,
)
from archive.verify import verify


def queued(settings: Settings, files: dict[str, bytes], actor: str = "admin") -> Upload:
    """An upload queued as the web page queues one (in an archive home that exists): files saved, then the record."""
    Archive(settings).close()
    upload_id, folder = new_upload(settings)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return queue(upload_id, folder, actor=actor, names={name: "given " + name for name in files})


def outcomes(settings: Settings, run_id: str) -> list[tuple[str, str]]:
    with Archive(settings) as archive:
        return [(Path(row["path"]).name, row["outcome"]) for row in archive.outcomes(run_id)]


def wait_for_catch_up(settings: Settings, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while catching_up(settings) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert catching_up(settings) is None, "the catch-up thread did not finish"


def test_a_drained_upload_goes_in_under_its_id_as_its_admin_and_leaves_the_queue(settings: Settings) -> None:
    upload = queued(settings, {"a.txt": b"Landmines near Aghdam, statement A.", "b.txt": b"Shelling, statement B."})
    assert queued_uploads(settings) == [upload] and find_upload(settings, upload.id) == upload
    assert drain(settings) == 1
    assert sorted(outcomes(settings, upload.id)) == [("a.txt", "ingested"), ("b.txt", "ingested")]
    with Archive(settings) as archive:
        assert {e.actor for e in archive.events() if e.document_id} == {"admin"}  # not the archive's own actor
        assert verify(archive).ok
    assert queued_uploads(settings) == [] and not upload.folder.exists()
    assert find_upload(settings, upload.id) is None


def test_an_upload_another_taker_holds_is_left_to_it(settings: Settings) -> None:
    """Two server threads, or two server processes, never ingest one upload at once."""
    upload = queued(settings, {"a.txt": b"Landmines near Aghdam."})
    with claimed(upload) as mine:
        assert mine
        with claimed(upload) as again:  # another open file description: as another thread or process sees it
            assert not again
        assert drain(settings) == 0 and queued_uploads(settings) == [upload]
        assert outcomes(settings, upload.id) == []
    assert drain(settings) == 1 and outcomes(settings, upload.id) == [("a.txt", "ingested")]


def test_a_taker_that_claims_an_upload_just_taken_in_does_nothing(settings: Settings) -> None:
    upload = queued(settings, {"a.txt": b"Landmines near Aghdam."})
    listed = queued_uploads(settings)  # listed by a second taker, before the first took it in
    assert drain(settings) == 1
    with claimed(listed[0]) as mine:
        assert not mine
    assert outcomes(settings, upload.id) == [("a.txt", "ingested")]  # not ingested twice
    second = queued(settings, {"b.txt": b"Shelling near Fuzuli."})
    listed = queued_uploads(settings)
    (second.folder / RECORD).unlink()  # taken in by another, whose removal of the folder has not come yet
    with claimed(listed[0]) as mine:
        assert not mine


def test_an_upload_cut_short_goes_in_again_and_ends_whole(settings: Settings) -> None:
    """A server killed while it ingested an upload: the next taker ingests all of it again, under the same id."""
    upload = queued(settings, {"a.txt": b"Landmines near Aghdam.", "b.txt": b"Shelling near Fuzuli."})
    ingest([upload.folder / "a.txt"], settings.with_changes(actor="admin"), run_id=upload.id)  # the first attempt
    assert queued_uploads(settings) == [upload]
    assert drain(settings) == 1
    assert sorted(outcomes(settings, upload.id)) == [("a.txt", "duplicate"), ("a.txt", "ingested"),
                                                     ("b.txt", "ingested")]
    with Archive(settings) as archive:
        assert archive.count_documents() == 2 and verify(archive).ok


def test_half_saved_and_unreadable_uploads_are_not_taken_in(settings: Settings,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    Archive(settings).close()
    _, half_saved = new_upload(settings)  # the server died while it saved the files: no record
    (half_saved / "a.txt").write_bytes(b"Landmines.")
    broken = queued(settings, {"b.txt": b"Shelling."})
    (broken.folder / RECORD).write_text("{not json", encoding="utf-8")
    other = queued(settings, {"c.txt": b"Mines."})
    (other.folder / RECORD).write_text(json.dumps({"id": "20200101T000000Z-000000000000", "actor": "x",
                                                   "queued": "", "names": {}}), encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="archive.uploads"):
        assert queued_uploads(settings) == [] and drain(settings) == 0
    assert "cannot be read" in caplog.text and "names another upload" in caplog.text
    assert (half_saved / "a.txt").exists() and (broken.folder / "b.txt").exists()  # left for an administrator
    assert outcomes(settings, broken.id) == []


def test_a_server_that_starts_with_uploads_queued_takes_them_in(settings: Settings,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from webapp import create_app

    monkeypatch.setattr("archive.catchup.POLL_SECONDS", 0.05)
    upload = queued(settings, {"a.txt": b"Landmines near Aghdam."})
    create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings})
    wait_for_catch_up(settings)
    assert outcomes(settings, upload.id) == [("a.txt", "ingested")] and queued_uploads(settings) == []
    assert start_catching_up(settings) is None  # nothing waits: no thread


def test_the_draining_thread_outlives_a_stopped_batch_and_tries_again_later(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Workers that keep dying (or a full disk) stop an upload's batch: its files stay queued and are retried."""
    import archive.ingest

    monkeypatch.setattr("archive.catchup.POLL_SECONDS", 0.05)
    real, tries = archive.ingest.ingest, []

    def failing_twice(paths, settings, **options):
        tries.append(time.monotonic())
        if len(tries) <= 2:
            report = IngestReport(run_id=options["run_id"], started="")
            raise BatchStoppedError(report, WorkersFailingError(10, paths[0] / "a.txt"), total=1)
        return real(paths, settings, **options)

    monkeypatch.setattr(archive.ingest, "ingest", failing_twice)
    upload = queued(settings, {"a.txt": b"Landmines near Aghdam."})
    with caplog.at_level(logging.ERROR, logger="archive.catchup"):
        assert start_catching_up(settings) is not None
        assert start_catching_up(settings) is None  # one thread per home and process
        wait_for_catch_up(settings)
    assert len(tries) == 3 and outcomes(settings, upload.id) == [("a.txt", "ingested")]
    assert tries[1] - tries[0] >= 0.1 and tries[2] - tries[1] >= 0.2  # twice as long after each failure in a row
    assert caplog.text.count("could not catch up with the work waiting for its writer") == 2


def test_documents_a_killed_batch_stored_but_did_not_index_are_indexed_by_the_server(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, they stayed out of every search until the next ingest, reindex or access change."""
    from archive.service import open_search
    from index import SearchRequest
    from tests.test_store import _extraction
    from webapp import create_app

    monkeypatch.setattr("archive.catchup.POLL_SECONDS", 0.05)
    ingest([], settings)  # an archive with an index
    with Archive(settings) as archive:  # the writer's catalog half, then killed before its index commit
        stored = archive.add_document(_extraction(tmp_path / "kestrel.txt", "Mines at Kestrelon, Article 147."), "r")
        assert archive.unindexed_ids() == [stored.id]
    with Archive(settings) as archive, writer_held(settings):  # the next writer is not there yet
        create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings})
        time.sleep(0.3)
        assert catching_up(settings) is not None and archive.unindexed_ids() == [stored.id]
    wait_for_catch_up(settings)
    with Archive(settings) as archive:
        assert archive.unindexed_ids() == []
        found = open_search(settings, archive).search(SearchRequest(query="Kestrelon"))
    assert [hit.doc_id for hit in found.hits] == [stored.id]


def writer_held(settings: Settings):
    """Another writer holding the archive, as an ingest does (its own connection and lock)."""
    import contextlib

    @contextlib.contextmanager
    def held():
        with Archive(settings) as other, other.writer_lock():
            yield

    return held()


def test_a_server_starts_even_when_it_cannot_tell_what_waits(settings: Settings, caplog: pytest.LogCaptureFixture,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """An uploads folder the server may not read (a deployment's permissions) must not stop it from serving."""
    from webapp import create_app

    queued(settings, {"a.txt": b"Landmines near Aghdam."})

    def unreadable(settings: Settings) -> list[Upload]:
        raise PermissionError(13, "Permission denied", str(settings.home / "uploads"))

    monkeypatch.setattr("archive.catchup.queued_uploads", unreadable)
    with caplog.at_level(logging.ERROR, logger="archive.catchup"):
        client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings}).test_client()
    assert client.get("/api/search?q=anything").status_code == 200
    assert "could not tell what waits" in caplog.text and catching_up(settings) is None


def _left_behind(settings: Settings, files: dict[str, bytes], *, hours_ago: float) -> Path:
    """An upload folder as a server killed mid-upload leaves it: files saved, no record, written ``hours_ago``."""
    Archive(settings).close()
    _, folder = new_upload(settings)
    then = time.time() - hours_ago * 3600
    for name, data in files.items():
        (folder / name).write_bytes(data)
        os.utime(folder / name, (then, then))
    return folder


def test_a_server_start_removes_left_folders_whose_files_went_in_and_names_the_others(
        settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A server killed while saving an upload (or between taking one in and removing its folder) left a folder
    with no record in uploads/ for ever, and no one was told. Its files either are in the archive (the folder is
    removed) or never went in (it is kept, named in the log and on the ingest page)."""
    from archive.catchup import tidy_uploads

    statement = b"Statement on landmines near Aghdam."
    source = tmp_path / "in"
    source.mkdir()
    (source / "statement.txt").write_bytes(statement)
    ingest([source], settings)
    went_in = _left_behind(settings, {"statement.txt": statement}, hours_ago=3)
    never = _left_behind(settings, {"statement.txt": statement, "other.txt": b"Never ingested."}, hours_ago=3)
    saving = _left_behind(settings, {"new.txt": b"Being saved by a live request."}, hours_ago=0)
    with caplog.at_level(logging.INFO, logger="archive.uploads"):
        tidy_uploads(settings)
    assert not went_in.exists() and never.exists() and saving.exists()
    assert f"{never} holds 2 files of an upload a stopped server never queued" in caplog.text
    assert [leftover.folder for leftover in leftover_uploads(settings)] == [never]
    later = {leftover.folder for leftover in leftover_uploads(settings, now=time.time() + 2 * 3600)}
    assert later == {never, saving}  # the one being saved, once it is old enough


def test_the_ingest_page_lists_the_folders_a_stopped_server_left(settings: Settings) -> None:
    from archive.accounts import add_user
    from tests.test_access import PASSWORD, sign_in
    from webapp import create_app

    folder = _left_behind(settings, {"a.txt": b"Never ingested."}, hours_ago=2)
    with Archive(settings) as archive:
        add_user(archive, "clerk", "admin", PASSWORD)
    client = sign_in(create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings}).test_client(), "clerk")
    page = client.get("/ingest").get_data(as_text=True)
    assert "Uploads a stopped server left" in page and f"<code>{folder}</code>: 1 file," in page
    assert folder.exists()  # listed, not removed: its file never went in


def test_a_left_folder_is_removed_only_when_everything_in_it_is_in_the_archive(
        settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Only the files at its top were looked at: one there in the archive, and the folder went with whatever
    else it held, a folder of files never ingested, a link to a folder elsewhere, a pipe."""
    from archive.catchup import tidy_uploads

    statement = b"Statement on landmines near Aghdam."
    source = tmp_path / "in"
    source.mkdir()
    (source / "statement.txt").write_bytes(statement)
    ingest([source], settings)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "kept.txt").write_bytes(b"Never ingested, outside the home.")
    with_folder, with_link, with_pipe = (_left_behind(settings, {"statement.txt": statement}, hours_ago=3)
                                         for _ in range(3))
    (with_folder / "more").mkdir()
    (with_folder / "more" / "other.txt").write_bytes(b"Never ingested.")
    (with_link / "more").symlink_to(elsewhere, target_is_directory=True)
    os.mkfifo(with_pipe / "pipe")
    then = time.time() - 3 * 3600
    for path in (with_folder / "more" / "other.txt", with_folder / "more"):
        os.utime(path, (then, then))
    with caplog.at_level(logging.INFO, logger="archive.uploads"):
        tidy_uploads(settings)
    assert with_folder.exists() and (with_folder / "more" / "other.txt").exists()
    assert with_link.exists() and (elsewhere / "kept.txt").exists() and with_pipe.exists()
    assert {leftover.folder for leftover in leftover_uploads(settings)} == {with_folder, with_link, with_pipe}
    assert f"{with_folder} holds" in caplog.text


def test_a_left_file_that_cannot_be_read_keeps_its_folder_and_the_others_are_tidied(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A file the server may not read (saved by another user, say) stopped the tidying there: the folders after
    it were neither removed nor named in the log."""
    import archive.uploads
    from archive.catchup import tidy_uploads

    statement = b"Statement on landmines near Aghdam."
    source = tmp_path / "in"
    source.mkdir()
    (source / "statement.txt").write_bytes(statement)
    ingest([source], settings)
    unreadable = _left_behind(settings, {"locked.txt": b"Not for the server's eyes."}, hours_ago=3)
    unreadable = unreadable.rename(unreadable.with_name("web-19990101T000000Z-000000000000"))  # looked at first
    went_in = _left_behind(settings, {"statement.txt": statement}, hours_ago=3)
    never = _left_behind(settings, {"other.txt": b"Never ingested."}, hours_ago=3)
    real = archive.uploads.file_sha256

    def refused_for_locked_files(path: Path) -> str:
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(archive.uploads, "file_sha256", refused_for_locked_files)
    with caplog.at_level(logging.INFO, logger="archive.uploads"):
        tidy_uploads(settings)
    assert unreadable.exists() and not went_in.exists() and never.exists()
    assert f"{unreadable / 'locked.txt'} cannot be read" in caplog.text and f"{never} holds 1 files" in caplog.text


def test_an_empty_left_folder_is_removed_and_one_that_vanishes_while_listed_is_skipped(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder a server left with nothing in it (killed before the first file, or holding only its claim) was
    kept and listed as "0 files" for ever; one removed while the ingest page listed it (an upload just taken in)
    made the listing raise, a 500."""
    from archive.catchup import tidy_uploads

    empty = _left_behind(settings, {}, hours_ago=3)
    (empty / ".claim.lock").touch()
    then = time.time() - 3 * 3600
    os.utime(empty, (then, then))
    tidy_uploads(settings)
    assert not empty.exists()

    vanishing = _left_behind(settings, {"a.txt": b"Taken in meanwhile."}, hours_ago=3)
    kept = _left_behind(settings, {"b.txt": b"Never ingested."}, hours_ago=3)
    real_iterdir = Path.iterdir

    def iterdir(self: Path):  # the folder goes between the listing of uploads/ and the look inside it
        if self == vanishing:
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    assert [leftover.folder for leftover in leftover_uploads(settings)] == [kept]
