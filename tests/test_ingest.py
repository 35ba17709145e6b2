"""Ingest end to end on real files: a generated PDF, a text file, a corrupt PDF."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import archive.ingest as ingest_module
from archive.ingest import WorkerOptions, discover, ingest, process_file
from archive.settings import Settings
from archive.store import Archive
from archive.verify import verify
from index import SearchRequest, open_index
from tests.conftest import write_pdf, write_sidecar


def test_ingest_stores_catalogs_and_indexes_every_readable_file(settings: Settings, sample_folder: Path) -> None:
    report = ingest([sample_folder], settings)
    assert (report.ingested, report.duplicate, report.failed) == (2, 0, 1)
    assert report.failures == {"corrupt": 1}
    with Archive(settings) as archive:
        documents = {d.original_name: d for d in archive.iter_documents()}
        pdf = documents["report.pdf"]
        assert pdf.page_count == 2
        assert pdf.metadata.type == "report"
        assert pdf.metadata.date == "2021-06-01"
        assert pdf.metadata.issuer == "Demining NGO"
        assert archive.object_path(pdf.sha256).read_bytes() == (sample_folder / "report.pdf").read_bytes()
        pages = archive.pages(pdf.id)
        assert "landmines" in pages[1].text
        assert [(r.ref_id, r.page) for r in archive.references(pdf.id)] == [("GCIV-147", 2)]
        appeal = documents["appeal.txt"]
        assert appeal.metadata.title == "Appeal on landmines"
        assert appeal.metadata.date == "2022-04-23"
        assert appeal.metadata.date_source == "dateline"
        failed = [row for row in archive.outcomes(report.run_id) if row["outcome"] == "failed"]
        assert [(Path(r["path"]).name, r["reason"]) for r in failed] == [("broken.pdf", "corrupt")]
    with open_index(settings.index_dir) as search_index:
        assert search_index.doc_count() == 2


def test_reingesting_the_same_folder_adds_nothing(settings: Settings, sample_folder: Path) -> None:
    ingest([sample_folder], settings)
    with Archive(settings) as archive:
        before = (archive.count_documents(), len(archive.events()))
    again = ingest([sample_folder], settings)
    assert (again.ingested, again.duplicate, again.failed) == (0, 2, 1)
    with Archive(settings) as archive:
        assert (archive.count_documents(), len(archive.events())) == before
        duplicates = [r for r in archive.outcomes(again.run_id) if r["outcome"] == "duplicate"]
        assert {r["doc_id"] for r in duplicates} == {d.id for d in archive.iter_documents()}
    with open_index(settings.index_dir) as search_index:
        assert search_index.doc_count() == 2


def test_same_bytes_twice_in_one_batch_is_stored_once(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "twins"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text("The same testimony about landmines.", encoding="utf-8")
    report = ingest([folder], settings)
    assert (report.ingested, report.duplicate) == (1, 1)


def test_a_bad_sidecar_fails_its_file_only(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = folder / "good.txt"
    good.write_text("Mine clearance in Tartar.", encoding="utf-8")
    bad = folder / "bad.txt"
    bad.write_text("A letter.", encoding="utf-8")
    write_sidecar(bad, type="memo")
    report = ingest([folder], settings)
    assert (report.ingested, report.failed) == (1, 1)
    with Archive(settings) as archive:
        failed = [r for r in archive.outcomes(report.run_id) if r["outcome"] == "failed"]
    assert failed[0]["reason"] == "metadata" and "memo" in failed[0]["detail"]


def test_empty_mislabelled_and_unsupported_files_are_failed_with_reasons(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "fake.pdf").write_text("just text, not a PDF", encoding="utf-8")
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    report = ingest([folder], settings)
    assert report.failures == {"empty": 1, "mislabelled": 1, "unsupported": 1}


def test_encrypted_pdf_needs_its_password(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    write_pdf(folder / "sealed.pdf", ["Sealed statement about landmines."], password="s3cret")
    first = ingest([folder], settings)
    assert first.failures == {"encrypted": 1}
    second = ingest([folder], settings, passwords=["wrong", "s3cret"])
    assert second.ingested == 1
    with Archive(settings) as archive:
        document = next(archive.iter_documents())
        assert "Sealed statement" in archive.pages(document.id)[0].text


def test_discover_skips_sidecars_hidden_files_and_ignored_names(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    write_sidecar(tmp_path / "a.txt", type="report")
    (tmp_path / ".hidden.txt").write_text("h", encoding="utf-8")
    (tmp_path / "README.md").write_text("r", encoding="utf-8")
    (tmp_path / ".evidenceignore").write_text("README.md\n", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "b.md").write_text("b", encoding="utf-8")
    assert [p.name for p in discover([tmp_path])] == ["a.txt", "b.md"]


def test_worker_reports_a_known_hash_as_duplicate_without_extracting(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "a.pdf"
    path.write_bytes(b"not even a pdf")
    digest = hashlib.sha256(b"not even a pdf").hexdigest()
    result = process_file(str(path), WorkerOptions(known_hashes=frozenset({digest})))
    assert type(result).__name__ == "Duplicate"


def test_worker_gives_up_on_a_file_past_the_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import archive.ingest as pipeline

    def slow_extract(*args: object, **kwargs: object) -> None:
        time.sleep(5)

    monkeypatch.setattr(pipeline, "extract", slow_extract)
    path = tmp_path / "slow.txt"
    path.write_text("slow", encoding="utf-8")
    result = process_file(str(path), WorkerOptions(file_timeout=0.2))
    assert type(result).__name__ == "Failure" and result.reason == "timeout"


def test_search_finds_ingested_pdf_on_its_page(settings: Settings, sample_folder: Path) -> None:
    ingest([sample_folder], settings)
    with Archive(settings) as archive, open_index(settings.index_dir) as search_index:
        search_index.page_text = archive.page_text
        results = search_index.search(SearchRequest(query="landmines"))
        titles = {h.title for h in results.hits}
        assert titles == {"Clearance report", "Appeal on landmines"}
        report_hit = next(h for h in results.hits if h.title == "Clearance report")
        assert [p.page for p in report_hit.pages] == [2]
        assert "<mark" in report_hit.pages[0].snippet


def test_time_limit_also_holds_in_a_worker_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    import time

    import archive.ingest as pipeline

    def slow_extract(*args: object, **kwargs: object) -> None:
        for _ in range(500):
            time.sleep(0.01)  # Python-level work the timer can interrupt

    monkeypatch.setattr(pipeline, "extract", slow_extract)
    path = tmp_path / "slow.txt"
    path.write_text("slow", encoding="utf-8")
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(process_file(str(path), WorkerOptions(file_timeout=0.2))))
    thread.start()
    thread.join(timeout=10)
    assert type(results[0]).__name__ == "Failure" and results[0].reason == "timeout"


@pytest.mark.parametrize("swallowed", [Exception, BaseException])
def test_a_time_limit_reached_where_a_library_swallows_errors_still_fails_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swallowed: type[BaseException]) -> None:
    """pypdf wraps fonts and content streams in `except Exception`: the timeout raised there was swallowed, that
    page came out empty, the rest of the file was read, and the document was stored with a page missing (noted
    as "scanned, blank or damaged"; a second run skips it as already in the archive)."""
    import time

    import pypdf

    original = pypdf.PageObject.extract_text

    def extract_text(self: pypdf.PageObject, *args: object, **kwargs: object) -> str:
        try:
            time.sleep(1)  # the time limit is reached here, inside the library
        except swallowed:
            return ""
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pypdf.PageObject, "extract_text", extract_text)
    path = write_pdf(tmp_path / "slow.pdf", ["First page about landmines.", "Second page."])
    result = process_file(str(path), WorkerOptions(file_timeout=0.2))
    assert type(result).__name__ == "Failure" and result.reason == "timeout"


def test_a_batch_is_committed_early_when_its_postings_fill_the_writers_memory(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from index import write

    folder = tmp_path / "long"
    folder.mkdir()
    for n in range(5):
        (folder / f"statement-{n}.txt").write_text(f"Statement {n}: landmines near the road. " * 40, encoding="utf-8")
    monkeypatch.setattr(write, "POOLED_POSTINGS", 30)  # fewer than one statement's postings: one commit each
    report = ingest([folder], settings)
    assert report.ingested == 5 and settings.index_batch > 5
    with Archive(settings) as archive:
        assert list(archive.unindexed_ids()) == []
    with open_index(settings.index_dir) as search_index:
        assert len(search_index._ix._segments()) == 5
        assert search_index.search(SearchRequest(query="landmines")).total == 5


def test_a_file_that_changes_before_it_is_stored_fails_alone(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "live"
    folder.mkdir()
    (folder / "a.txt").write_text("A log that keeps growing about landmines.", encoding="utf-8")
    (folder / "b.txt").write_text("A steady memo about Aghdam.", encoding="utf-8")
    real_record = ingest_module._record

    def record_after_a_change(archive, run_id, result, *options):  # the file changes between the worker and the writer
        if result.path.endswith("a.txt"):
            with open(result.path, "a", encoding="utf-8") as handle:
                handle.write(" one more line")
        return real_record(archive, run_id, result, *options)

    monkeypatch.setattr(ingest_module, "_record", record_after_a_change)
    report = ingest([folder], settings)
    assert (report.ingested, report.failed) == (1, 1)
    assert report.failures == {"changed": 1}
    with Archive(settings) as archive:
        failed = [r for r in archive.outcomes(report.run_id) if r["outcome"] == "failed"]
        assert Path(failed[0]["path"]).name == "a.txt" and "ingest it again" in failed[0]["detail"]
        assert [d.original_name for d in archive.iter_documents()] == ["b.txt"]


def test_a_file_name_that_is_not_utf8_is_ingested_and_recorded(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"r\xe9sum\xe9.txt"), "wb") as handle:  # Latin-1 name
        handle.write(b"A memo about landmines near Aghdam.")
    (folder / "z.txt").write_text("A later memo about Tartar.", encoding="utf-8")
    report = ingest([folder], settings)
    assert (report.ingested, report.failed) == (2, 0)
    with Archive(settings) as archive:
        names = sorted(d.original_name for d in archive.iter_documents())
        assert names == ["r\\xe9sum\\xe9.txt", "z.txt"]
        assert any(r["path"].endswith("r\\xe9sum\\xe9.txt") for r in archive.outcomes(report.run_id))
        assert verify(archive).ok


def test_symlink_loops_and_unlistable_folders_get_an_outcome(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "odd"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "inside.txt").write_text("A memo nobody can list.", encoding="utf-8")
    (folder / "loop1").symlink_to("loop2")
    (folder / "loop2").symlink_to("loop1")
    (folder / "z.txt").write_text("A memo about landmines.", encoding="utf-8")
    report = ingest([folder], settings)  # a symlink loop fails unreadable; it no longer stops the batch
    assert (report.ingested, report.failures) == (2, {"unreadable": 2})
    real_walk = os.walk

    def walk_without_permission(top, onerror=None, **kwargs):  # as if "locked" were chmod 000 (tests may run as root)
        for here, dirnames, filenames in real_walk(top, onerror=onerror, **kwargs):
            if Path(here).name == "locked":
                onerror(PermissionError(13, "Permission denied", here))
                continue
            yield here, dirnames, filenames

    monkeypatch.setattr(ingest_module.os, "walk", walk_without_permission)
    assert [p.name for p in discover([folder])] == ["loop1", "loop2", "z.txt", "locked"]


def test_discover_reads_ignore_files_in_every_folder_and_skips_ignored_folders(tmp_path: Path) -> None:
    (tmp_path / ".evidenceignore").write_text("drafts/\nnotes/*.txt\n", encoding="utf-8")
    for name in ("keep.txt", "drafts/d.txt", "notes/n.txt", "notes/n.md", "sub/s.txt", "sub/README.md",
                 "sub/deep/x.txt", "drafts.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name, encoding="utf-8")
    (tmp_path / "sub" / ".evidenceignore").write_text("README.md\ndeep\n", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["drafts.txt", "keep.txt", "notes/n.md", "sub/s.txt"]


def test_discover_keeps_link_names_follows_linked_folders_and_lists_each_file_once(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "inner").mkdir(parents=True)
    (elsewhere / "blob1").write_text("an appeal", encoding="utf-8")
    (elsewhere / "inner" / "i.txt").write_text("inner", encoding="utf-8")
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "appeal.txt").symlink_to(elsewhere / "blob1")
    (batch / "more").symlink_to(elsewhere / "inner", target_is_directory=True)
    (batch / "again").symlink_to(batch, target_is_directory=True)  # a loop through a folder link
    (batch / "manifest.csv").write_text("path,type\nappeal.txt,appeal\n", encoding="utf-8")
    found = list(discover([batch, batch / "appeal.txt", batch, batch / "more"], skip=[batch / "manifest.csv"]))
    assert [p.relative_to(batch).as_posix() for p in found] == ["appeal.txt", "more/i.txt"]


def test_a_linked_file_is_read_under_its_own_name_with_its_sidecar(settings: Settings, tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "blob1").write_text("An appeal about landmines near Aghdam.", encoding="utf-8")
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "appeal.txt").symlink_to(store / "blob1")
    write_sidecar(batch / "appeal.txt", type="appeal", title="Appeal by link")
    (batch / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    report = ingest([batch], settings)
    assert (report.ingested, report.failures) == (1, {"unreadable": 1})
    with Archive(settings) as archive:
        [document] = archive.iter_documents()
        assert (document.original_name, document.title, document.metadata.type) == (
            "appeal.txt", "Appeal by link", "appeal")
        [failed] = [r for r in archive.outcomes(report.run_id) if r["outcome"] == "failed"]
        assert Path(failed["path"]).name == "dangling.txt"


def test_a_manifest_inside_the_batch_folder_is_not_ingested(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "memo.txt").write_text("A memo about landmines.", encoding="utf-8")
    (tmp_path / "batch.csv").write_text("path,type\nmemo.txt,report\n", encoding="utf-8")
    report = ingest([tmp_path], settings, manifest=tmp_path / "batch.csv")
    assert (report.files, report.ingested, report.failed) == (1, 1, 0)


def test_a_name_with_no_room_for_a_sidecar_name_is_ingested(settings: Settings, tmp_path: Path) -> None:
    name = "a" * 251 + ".txt"  # 255 bytes: NAME.meta.json would be too long for the file system
    (tmp_path / name).write_text("A memo about landmines.", encoding="utf-8")
    report = ingest([tmp_path], settings)
    assert (report.ingested, report.failed) == (1, 0)


@pytest.mark.parametrize(("numbers", "text"), [([1, 2, 3, 7], "1-3, 7"), ([4], "4"), ([2, 4, 5], "2, 4-5")])
def test_page_ranges_in_notes(numbers: list[int], text: str) -> None:
    assert ingest_module._ranges(numbers) == text


def test_a_manifest_reached_through_a_linked_folder_is_not_ingested(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "memo.txt").write_text("A memo about landmines.", encoding="utf-8")
    (real / "batch.csv").write_text("path,type\nmemo.txt,report\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    assert [p.name for p in discover([tmp_path / "link"], skip=[real / "batch.csv"])] == ["memo.txt"]
    assert [p.name for p in discover([real], skip=[tmp_path / "link" / "batch.csv"])] == ["memo.txt"]


def test_the_writer_says_when_it_is_busy_with_the_index(settings: Settings, sample_folder: Path,
                                                        tmp_path: Path) -> None:
    """A commit that merges segments can take minutes: the progress bar says so instead of standing still."""
    said: list[str] = []
    report = ingest([sample_folder], settings, status=said.append)
    assert said == [f"writing the search index ({report.ingested} documents; segments may merge)", ""]
    with Archive(settings) as archive:
        archive.mark_all_unindexed()  # as a reindex killed after marking leaves it
    empty = tmp_path / "nothing"
    empty.mkdir()
    said.clear()
    ingest([empty], settings, status=said.append)
    assert said == [f"indexing {report.ingested} documents an earlier run stored but did not index",
                    f"writing the search index ({report.ingested} documents; segments may merge)", "", ""]


@pytest.mark.parametrize("dayfirst, dateline, expected", [
    (True, "Baku, 03/04/2022", "2022-04-03"),
    (False, "Baku, 03/04/2022", "2022-03-04"),
    (False, "Baku, 01.13.2022", "2022-01-13"),
])
def test_the_document_date_follows_dayfirst_like_the_dates_in_its_text(
        settings: Settings, tmp_path: Path, dayfirst: bool, dateline: str, expected: str) -> None:
    """ARCHIVE_DAYFIRST=false read the dates in the text month first, but the document's own date (the one
    searched with date:, sorted and cited) was still read from its dateline day first."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "letter.txt").write_text(f"{dateline}\n\nReport on mine clearance.\n", encoding="utf-8")
    ingest([folder], settings.with_changes(dayfirst=dayfirst))
    with Archive(settings) as archive:
        document = archive.get_document("EVA-000001")
        mentioned = [row[0] for row in archive.db.execute("SELECT value FROM dates")]
    assert (document.metadata.date, document.metadata.date_source) == (expected, "dateline")
    assert mentioned == [expected]


def _start_failures() -> list[BaseException]:
    """What starting a worker has raised in the writer: EBADF from the forkserver's handshake (a worker killed as it
    was forked, seen when the out-of-memory killer struck), and EOFError from the forkserver dying before it
    sent the new worker's pid (seen in CI: click took it for end of input, "Aborted!", status 1)."""
    import errno

    return [OSError(errno.EBADF, "Bad file descriptor"), EOFError("unexpected EOF")]


@pytest.mark.parametrize("failure", _start_failures(), ids=lambda error: type(error).__name__)
def test_a_worker_that_cannot_be_started_strands_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         failure: BaseException) -> None:
    """Starting a worker can fail (see :func:`_start_failures`; a process limit too): that stopped the batch with
    a traceback. The failure is injected at the pool's submit, the one place it surfaces; the pool and its
    workers are real."""
    import concurrent.futures as cf

    from archive.ingest import run_workers

    for i in range(8):
        (tmp_path / f"note-{i}.txt").write_text(f"Note {i} on Article 147 of the Fourth Geneva Convention.",
                                                encoding="utf-8")
    files = sorted(tmp_path.glob("*.txt"))
    real_submit, calls = cf.ProcessPoolExecutor.submit, []

    def submit(self: cf.ProcessPoolExecutor, *args: object, **kwargs: object) -> cf.Future:
        calls.append(1)
        if 3 <= len(calls) <= 9:  # the third file's worker, then every try of the lone reads of the two before it
            raise failure
        return real_submit(self, *args, **kwargs)

    monkeypatch.setattr(cf.ProcessPoolExecutor, "submit", submit)
    monkeypatch.setattr("archive.ingest.WORKER_START_RETRIES", (0, 0))
    results = list(run_workers(files, WorkerOptions(), 2))
    assert [Path(r.path).name for r in results] == [f.name for f in files]  # every file once, in order
    assert [getattr(r, "reason", "ingested") for r in results] == ["worker-crashed"] * 2 + ["ingested"] * 6
    assert "no worker process could start" in results[0].detail


@pytest.mark.parametrize("failure", [ConnectionRefusedError(111, "Connection refused"), EOFError("unexpected EOF")],
                         ids=lambda error: type(error).__name__)
def test_a_worker_that_cannot_start_for_a_moment_is_tried_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                failure: BaseException) -> None:
    """Python's forkserver dies when a breaking pool leaves it mid-request, and refuses the next pools while it
    dies (ECONNREFUSED), or ends while a pool waits for its answer (EOFError): the files read alone then failed
    one after another, enough to stop a batch."""
    import concurrent.futures as cf

    from archive.ingest import run_workers

    for i in range(4):
        (tmp_path / f"note-{i}.txt").write_text(f"Note {i} on Article 147.", encoding="utf-8")
    files = sorted(tmp_path.glob("*.txt"))
    real_submit, calls, slept = cf.ProcessPoolExecutor.submit, [], []

    def submit(self: cf.ProcessPoolExecutor, *args: object, **kwargs: object) -> cf.Future:
        calls.append(1)
        if len(calls) in (3, 4, 5):  # the third file's worker, then the first two tries of the first lone read
            raise failure
        return real_submit(self, *args, **kwargs)

    monkeypatch.setattr(cf.ProcessPoolExecutor, "submit", submit)
    monkeypatch.setattr("archive.ingest.time.sleep", slept.append)
    results = list(run_workers(files, WorkerOptions(), 2))
    assert [getattr(r, "reason", "ingested") for r in results] == ["ingested"] * 4
    assert slept == [0.2, 1.0]


def test_a_time_limit_that_rings_as_the_worker_finishes_fails_only_that_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The alarm can ring between the end of a file's work and its being stopped: the FileTimeoutError then
    leaves the worker as the task's exception, and the writer re-raised it (a BaseException) and stopped. Such
    a task is injected at submit; the other files go through the real pool."""
    import concurrent.futures as cf

    from archive.ingest import FileTimeoutError, run_workers

    for i in range(4):
        (tmp_path / f"note-{i}.txt").write_text(f"Note {i} about landmines near Aghdam.", encoding="utf-8")
    files = sorted(tmp_path.glob("*.txt"))
    real_submit = cf.ProcessPoolExecutor.submit

    def submit(self: cf.ProcessPoolExecutor, fn: object, path: str, *args: object) -> cf.Future:
        if path.endswith("note-1.txt"):
            late: cf.Future = cf.Future()
            late.set_exception(FileTimeoutError())
            return late
        return real_submit(self, fn, path, *args)

    monkeypatch.setattr(cf.ProcessPoolExecutor, "submit", submit)
    results = list(run_workers(files, WorkerOptions(file_timeout=3), 2))
    assert [Path(r.path).name for r in results] == [f.name for f in files]
    assert [getattr(r, "reason", "ingested") for r in results] == ["ingested", "timeout", "ingested", "ingested"]
    assert results[1].detail == "took longer than 3 s"


def test_a_signal_between_an_outcome_and_its_count_leaves_the_report_counting_what_the_catalog_holds(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C or SIGTERM can land just after a file's outcome is committed: the report said one file fewer than
    its list of outcomes (1 run in about 40 of the SIGTERM test)."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(5):
        (folder / f"note-{n}.txt").write_text(f"Note {n} on landmines near Aghdam.", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    recorded = ingest_module._record
    seen: list[str] = []

    def record_then_signal(archive: Archive, run_id: str, result: object, *options: object) -> object:
        outcome = recorded(archive, run_id, result, *options)
        seen.append(outcome.outcome)
        if len(seen) == 4:
            raise KeyboardInterrupt  # what the signal handler raises, here after the commit
        return outcome

    monkeypatch.setattr(ingest_module, "_record", record_then_signal)
    with pytest.raises(ingest_module.BatchInterrupted) as stopped:
        ingest([folder], settings)
    report = stopped.value.report
    with Archive(settings) as archive:
        outcomes = list(archive.outcomes(report.run_id))
    assert report.files == len(outcomes) == 4
    assert (report.ingested, report.failed) == (seen.count("ingested"), seen.count("failed"))
    assert report.pages == report.ingested  # one page each


def test_a_named_pipe_in_the_folder_fails_as_no_file_without_waiting_for_a_writer(
        settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Mines near Aghdam.", encoding="utf-8")
    os.mkfifo(folder / "statement.txt")  # reading it waits for a writer: it held its worker until the time limit
    report = ingest([folder], settings)
    assert (report.ingested, report.failures) == (1, {"unsupported": 1})
    with Archive(settings) as archive:
        failed = next(r for r in archive.outcomes(report.run_id) if r["outcome"] == "failed")
    assert failed["path"].endswith("statement.txt") and "named pipe" in failed["detail"]


def test_the_same_bytes_asked_for_at_a_stricter_access_level_are_not_passed_over_as_a_duplicate(
        settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    statement = "Witness statement: mines were laid near the school in Aghdam."
    (folder / "a-copy.txt").write_text(statement, encoding="utf-8")
    write_sidecar(folder / "a-copy.txt", access="public")  # a copy that went round, found first
    (folder / "d-copy.txt").write_text(statement, encoding="utf-8")  # restricted by default (testimony): no request
    (folder / "b-witness.txt").write_text(statement, encoding="utf-8")
    write_sidecar(folder / "b-witness.txt", access="confidential")
    later = tmp_path / "later"
    later.mkdir()
    (later / "c-witness.txt").write_text(statement, encoding="utf-8")  # a later batch: known before it is read
    write_sidecar(later / "c-witness.txt", access="restricted")

    for batch, name in ((folder, "b-witness.txt"), (later, "c-witness.txt")):
        report = ingest([batch], settings)
        assert report.failures == {"metadata": 1}  # exit status 3: a nightly job sees it
        with Archive(settings) as archive:
            failed = next(r for r in archive.outcomes(report.run_id) if r["outcome"] == "failed")
            assert archive.get_document("EVA-000001").metadata.access == "public"
        assert failed["path"].endswith(name) and failed["doc_id"]
        assert "EVA-000001" in failed["detail"] and "public" in failed["detail"]
        assert "evidence access EVA-000001" in failed["detail"]

    with Archive(settings) as archive:
        archive.set_access("EVA-000001", "confidential")
    again = ingest([folder, later], settings)
    assert (again.duplicate, again.failed) == (4, 0)  # at its level now, or a stricter one: nothing to do
