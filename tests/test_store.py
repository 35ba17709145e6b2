"""The catalog, the object store and the custody chain, on a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from archive.errors import ArchiveClosedError, CatalogError, DocumentNotFoundError
from archive.models import Extraction, Metadata, Page, Reference
from archive.settings import Settings
from archive.store import GENESIS_HASH, SCHEMA_VERSION, Archive, event_hash, file_sha256
from archive.verify import verify


def _extraction(path: Path, text: str = "Article 147 of the Fourth Geneva Convention") -> Extraction:
    path.write_text(text, encoding="utf-8")
    return Extraction(
        path=str(path), sha256=file_sha256(path), size=path.stat().st_size, media_type="text/plain",
        pages=(Page(1, text, "plain-text", "en"),), metadata=Metadata(title="T", type="report", date="2022-04"),
        references=(Reference("GCIV-147", 1, 0, len(text), text),),
    )


def test_new_catalog_is_at_the_current_schema_version_in_wal_mode(settings: Settings) -> None:
    with Archive(settings) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert archive.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_catalog_of_schema_4_is_migrated_with_its_documents(settings: Settings, tmp_path: Path) -> None:
    with Archive(settings) as archive:
        doc = archive.add_document(_extraction(tmp_path / "a.txt"), "run-1")
        archive.mark_indexed([(doc.id, "public")])
    db = sqlite3.connect(settings.catalog_path)  # back to what the program of schema 4 left
    db.executescript("""DROP INDEX documents_access_changes; ALTER TABLE documents DROP COLUMN access_change;
                        CREATE TABLE login_locks (name TEXT PRIMARY KEY, until REAL NOT NULL);
                        PRAGMA user_version = 4;""")
    db.close()
    with Archive(settings) as archive:
        assert archive.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        assert archive.db.execute("SELECT name FROM sqlite_master WHERE name = 'login_locks'").fetchone() is None
        assert archive.unindexed_ids() == [] and archive.access_changed_ids() == []
        archive.set_access(doc.id, "restricted", actor="admin")
        assert archive.withheld_ids() == {doc.id} and archive.access_changed_ids() == [doc.id]
        assert verify(archive).ok


def test_catalog_from_a_newer_program_is_refused(settings: Settings) -> None:
    Archive(settings).close()
    db = sqlite3.connect(settings.catalog_path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(CatalogError, match="newer than this program"):
        Archive(settings)


def test_opening_a_missing_archive_without_create_says_what_to_do(settings: Settings) -> None:
    with pytest.raises(CatalogError, match="evidence ingest"):
        Archive(settings, create=False)


def test_add_document_stores_original_read_only_and_numbers_it(settings: Settings, tmp_path: Path) -> None:
    with Archive(settings) as archive:
        first = archive.add_document(_extraction(tmp_path / "a.txt"), "run")
        second = archive.add_document(_extraction(tmp_path / "b.txt", "other text"), "run")
        stored = archive.object_path(first.sha256)
        assert stored.read_bytes() == (tmp_path / "a.txt").read_bytes()
        assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        assert stored.parent.name == first.sha256[:2]
        assert (first.control_number, second.control_number) == ("EVA-000001", "EVA-000002")
        assert first.bates(3) == "EVA-000001-0003"
        assert archive.references(first.id)[0].ref_id == "GCIV-147"
        assert archive.get_document("EVA-000002").id == second.id
        assert archive.get_document(first.sha256).id == first.id


def test_control_number_prefix_is_configurable(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "h", control_prefix="CASE7", actor="t")
    with Archive(settings) as archive:
        document = archive.add_document(_extraction(tmp_path / "a.txt"), "run")
    assert document.control_number == "CASE7-000001"


def test_unknown_document_is_a_not_found_error(settings: Settings) -> None:
    with Archive(settings) as archive, pytest.raises(DocumentNotFoundError):
        archive.get_document("EVA-999999")


def test_custody_events_chain_by_hash(settings: Settings, tmp_path: Path) -> None:
    with Archive(settings) as archive:
        document = archive.add_document(_extraction(tmp_path / "a.txt"), "run-1")
        archive.record_event("exported", document.id, {"format": "csv"})
        events = archive.events()
    assert [e.action for e in events] == ["received", "ingested", "exported"]
    assert events[0].prev_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    for event in events:
        assert event.hash == event_hash(event.seq, event.at, event.actor, event.action, event.document_id,
                                        event.details, event.prev_hash)
    assert events[0].actor == "tester"


def test_a_failed_transaction_leaves_no_rows(settings: Settings, tmp_path: Path) -> None:
    extraction = _extraction(tmp_path / "a.txt")
    with Archive(settings) as archive:
        archive.add_document(extraction, "run")
        with pytest.raises(sqlite3.IntegrityError):
            archive.add_document(extraction, "run")  # same sha256: the UNIQUE constraint refuses it
        assert archive.count_documents() == 1
        assert len(archive.events()) == 2


def test_store_original_refuses_a_file_that_changed(settings: Settings, tmp_path: Path) -> None:
    extraction = _extraction(tmp_path / "a.txt")
    (tmp_path / "a.txt").write_text("changed after hashing", encoding="utf-8")
    with Archive(settings) as archive:
        with pytest.raises(CatalogError, match="changed while it was being ingested"):
            archive.add_document(extraction, "run")
        assert archive.count_documents() == 0
        assert not archive.object_path(extraction.sha256).exists()
        leftovers = [p for p in settings.objects_dir.rglob("*") if p.is_file()]
        assert leftovers == []


def test_object_path_accepts_only_hex_digests(settings: Settings) -> None:
    with Archive(settings) as archive, pytest.raises(ValueError):
        archive.object_path("../../etc/passwd" + "0" * 48)


def test_nothing_is_written_outside_the_home(settings: Settings, tmp_path: Path) -> None:
    before = set(os.listdir(tmp_path))
    with Archive(settings) as archive:
        archive.record_event("note", None, {})
    assert set(os.listdir(tmp_path)) - before == {"home"}


def test_one_writer_at_a_time(settings: Settings) -> None:
    with (Archive(settings) as first, Archive(settings) as second, first.writer_lock(),
          pytest.raises(CatalogError, match="another process is writing"), second.writer_lock()):
        pass


def test_taking_the_writer_lock_removes_partial_copies_of_a_killed_writer(settings: Settings) -> None:
    with Archive(settings) as archive:
        partial = settings.objects_dir / "ab" / ".incoming-x1y2"
        partial.parent.mkdir(parents=True)
        partial.write_bytes(b"half an original")
        with archive.writer_lock():
            assert not partial.exists()


def test_transactions_from_many_threads_on_one_connection_do_not_clash(settings: Settings) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with Archive(settings) as archive:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda n: archive.record_event("viewed", None, {"n": n}), range(200)))
        events = archive.events()
    assert len(events) == 200
    assert all(after.prev_hash == before.hash for before, after in zip(events, events[1:], strict=False))


def test_a_new_home_is_its_owners_alone(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "new-home", actor="t")
    Archive(settings).close()
    assert settings.home.stat().st_mode & 0o777 == 0o700  # originals and catalog hold the evidence


# -- threads sharing one Archive (the web app) ------------------------------------------------------------------

def test_a_read_in_one_thread_does_not_make_another_threads_write_fail(tmp_path: Path) -> None:
    """A read still stepping in one thread, a commit by another process, then a custody event in a third thread:
    on one shared connection the read pinned an old snapshot and BEGIN IMMEDIATE failed at once ("database is
    locked", busy_timeout never consulted)."""
    import threading

    from archive.verify import verify

    settings = Settings(home=tmp_path / "home", actor="t")
    with Archive(settings) as served, Archive(settings) as other_process:
        for number in range(3):
            served.record_event("note", None, {"n": number})
        reading, written = threading.Event(), threading.Event()

        def read_slowly() -> None:
            rows = served.db.execute("SELECT seq FROM custody ORDER BY seq")
            next(rows)  # a page rendered from rows as they come
            reading.set()
            written.wait(10)
            list(rows)

        thread = threading.Thread(target=read_slowly)
        thread.start()
        try:
            assert reading.wait(10)
            other_process.record_event("received", None, {"from": "an ingest"})
            served.record_event("downloaded", None, {"file": "x.pdf"})
        finally:
            written.set()
            thread.join()
        assert [e.action for e in served.events()][-2:] == ["received", "downloaded"]
        assert verify(served).ok


def test_the_connections_of_ended_threads_are_closed(tmp_path: Path) -> None:
    import threading

    settings = Settings(home=tmp_path / "home", actor="t")
    with Archive(settings) as archive:
        def read() -> None:
            archive.count_documents()

        def open_files() -> int:
            thread = threading.Thread(target=read)
            thread.start()
            thread.join()
            return len(os.listdir("/proc/self/fd"))

        before = open_files()
        for _ in range(100):  # a server that starts a thread per request
            after = open_files()
        assert after <= before + 3  # SQLite may hold a closed connection's descriptor while others lock the file


def test_close_waits_for_the_transaction_in_progress_and_refuses_the_rest_clearly(tmp_path: Path) -> None:
    """Closed from another thread, the connection of a transaction in progress was closed under it (a
    ProgrammingError, "Cannot operate on a closed database", and its work rolled back), and a transaction waiting
    for the lock then opened a new connection and committed after the close (a connection nothing closed)."""
    import threading
    import time

    from archive.verify import verify

    settings = Settings(home=tmp_path / "home", actor="t")
    archive = Archive(settings)
    inside, closing = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def in_progress() -> None:  # an ingest's document: several statements in one transaction
        try:
            with archive.transaction() as db:
                archive.append_event(db, "note", None, {"step": 1})
                inside.set()
                closing.wait(10)
                time.sleep(0.3)  # the close has begun meanwhile
                archive.append_event(db, "note", None, {"step": 2})
            outcomes["in progress"] = "committed"
        except Exception as error:  # noqa: BLE001 - what the thread was told is the test's finding
            outcomes["in progress"] = error

    def waiting() -> None:  # a view's custody event, waiting for the transaction lock
        inside.wait(10)
        try:
            archive.record_event("note", None, {"step": "waiting"})
            outcomes["waiting"] = "committed"
        except Exception as error:  # noqa: BLE001
            outcomes["waiting"] = error

    threads = [threading.Thread(target=in_progress), threading.Thread(target=waiting)]
    for thread in threads:
        thread.start()
    assert inside.wait(10)
    time.sleep(0.1)  # the second thread is waiting for the lock
    closing.set()
    archive.close()
    with Archive(settings) as other:  # another process's view, as the close returns
        committed = [event.details for event in other.events()]
    for thread in threads:
        thread.join(10)
    assert committed == [{"step": 1}, {"step": 2}]  # the close waited for the transaction in progress
    assert outcomes["in progress"] == "committed"
    assert isinstance(outcomes["waiting"], ArchiveClosedError), outcomes["waiting"]
    assert "has been closed, and this was neither read nor written" in str(outcomes["waiting"])
    with pytest.raises(ArchiveClosedError):
        archive.record_event("note", None, {"step": "after"})
    with pytest.raises(ArchiveClosedError):
        archive.count_documents()
    with Archive(settings) as again:
        assert [event.details for event in again.events()] == committed  # nothing written after the close
        assert verify(again).ok


CLOSE_UNDER_LOAD = """
import collections, gc, json, os, sys, threading, time
from pathlib import Path
from archive.errors import ArchiveClosedError
from archive.settings import Settings
from archive.store import Archive
from archive.verify import verify

folder = Path(sys.argv[1])
seen = {"errors": collections.Counter(), "written_after_close": 0, "verified": 0, "catalog_files_open": 0}
for round_ in range(int(sys.argv[2])):
    settings = Settings(home=folder / f"home-{round_}", actor="t")
    archive = Archive(settings)
    closed = threading.Event()

    def work(name):
        while True:
            after = closed.is_set()
            try:
                archive.record_event("note", None, {"who": name})  # a transaction
                archive.count_documents(), archive.events()  # reads, outside any transaction
                seen["written_after_close"] += after
            except Exception as error:
                seen["errors"][type(error).__name__] += 1
                if after:
                    return

    threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.02 + round_ % 5 * 0.01)
    archive.close()
    closed.set()
    for thread in threads:
        thread.join(10)
    gc.collect()
    catalog = str(settings.catalog_path)
    seen["catalog_files_open"] += sum(os.readlink(f"/proc/self/fd/{fd}").startswith(catalog)
                                      for fd in os.listdir("/proc/self/fd") if os.path.exists(f"/proc/self/fd/{fd}"))
    with Archive(settings) as again:
        seen["verified"] += verify(again).ok
print(json.dumps(seen))
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files in /proc")
def test_closing_while_threads_read_and_write_never_crashes_and_writes_nothing_after(tmp_path: Path) -> None:
    """Closing a connection while another thread ran a statement on it crashed the interpreter (a segmentation
    fault within ten closes of four busy threads); run in a process of its own, so that a crash fails the test."""
    import json
    import subprocess
    import sys

    rounds = 30
    run = subprocess.run([sys.executable, "-X", "faulthandler", "-c", CLOSE_UNDER_LOAD, str(tmp_path), str(rounds)],
                         capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout)
    assert set(seen["errors"]) == {"ArchiveClosedError"}, seen["errors"]
    assert seen["written_after_close"] == 0
    assert seen["verified"] == rounds
    assert seen["catalog_files_open"] == 0  # every thread's connection closed (by itself) once it let go
