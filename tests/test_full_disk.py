"""A full disk under the archive home: the batch stops with a clear message, and the rerun finishes it.

The disk is real: a tmpfs of a few hundred KB mounted in a private mount
namespace (``unshare``), so that nothing outside the test sees it. Each
scenario runs as a script inside that namespace, frees space by remounting
the tmpfs larger, and copies the archive home out for the checks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archive.cli import BATCH_STOPPED, SOME_FILES_FAILED
from archive.settings import Settings
from archive.store import Archive
from archive.verify import verify
from tests.conftest import catalog_snapshot, write_statement_batch
from tests.test_api import API_507, operation_for, spec_validator

pytestmark = pytest.mark.slow
FILES = 60


def run_on_a_small_disk(tmp_path: Path, size_kb: int, script: str, *args: str) -> dict[str, object]:
    """Run ``script`` (Python) with a tmpfs of ``size_kb`` mounted at its first argument; returns what it prints.

    As root, a mount namespace of its own; otherwise a user namespace too.
    """
    assert shutil.which("unshare"), "unshare (util-linux) is needed to give the test a disk of its own"
    small = tmp_path / "small"
    small.mkdir()
    program = tmp_path / "scenario.py"
    program.write_text(textwrap.dedent(script), encoding="utf-8")
    namespace = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--mount"]
    mount = f"mount -t tmpfs -o size={size_kb}k tmpfs {small}"
    root = Path(__file__).parent.parent
    result = subprocess.run([*namespace, "sh", "-c", f'{mount} && exec "$@"', "sh",
                             sys.executable, str(program), str(small), *args],
                            capture_output=True, text=True, timeout=300, cwd=root,
                            env={**os.environ, "PYTHONPATH": str(root)})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_statement_batch(tmp_path_factory.mktemp("batch"), FILES, sidecars=False)  # all public


@pytest.fixture(scope="module")
def whole(batch: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same batch ingested on a disk with room."""
    home = tmp_path_factory.mktemp("whole") / "home"
    assert subprocess.run(_ingest(home, batch), capture_output=True).returncode == SOME_FILES_FAILED
    return home


def _ingest(home: Path | str, folder: Path | str, *more: str) -> list[str]:
    return [sys.executable, "-m", "archive", "--home", str(home), "ingest", "--quiet", "--workers", "2",
            str(folder), *more]


INGEST_UNTIL_FULL_THEN_AGAIN = """
    import json, shutil, subprocess, sys
    small, batch, report, copy = sys.argv[1:5]
    home = f"{small}/home"
    command = [sys.executable, "-m", "archive", "--home", home, "ingest", "--quiet", "--workers", "2", batch]
    first = subprocess.run([*command, "--report", report], capture_output=True, text=True)
    subprocess.run(["mount", "-o", "remount,size=64m", small], check=True)  # space freed
    second = subprocess.run(command, capture_output=True, text=True)
    shutil.copytree(home, copy)
    print(json.dumps({"first": [first.returncode, first.stderr], "second": [second.returncode, second.stderr]}))
"""


@pytest.mark.parametrize(("size_kb", "full_at"), [
    (2_200, "catalog.sqlite3"),  # the catalog's write-ahead log fills it a third of the way through
    (5_000, "whoosh"),  # every file stored; the index's commit at the end does not fit
])
def test_a_full_disk_stops_the_batch_and_the_rerun_equals_an_uninterrupted_run(
        batch: Path, whole: Path, tmp_path: Path, size_kb: int, full_at: str) -> None:
    report, copy = tmp_path / "report.json", tmp_path / "copy"
    runs = run_on_a_small_disk(tmp_path, size_kb, INGEST_UNTIL_FULL_THEN_AGAIN, str(batch), str(report), str(copy))

    status, err = runs["first"]
    assert status == BATCH_STOPPED, err
    assert "Traceback" not in err
    assert "Error: the archive could not write to" in err
    assert f"/{full_at}: " in err, f"the disk filled elsewhere; adjust the size: {err}"
    assert "free space on that disk" in err and "run the same command again" in err
    written = json.loads(report.read_text(encoding="utf-8"))
    assert "free space on that disk" in written["stopped"]
    assert written["files"] > 0 and written["files"] == len(written["outcomes"])  # the counts match the list
    assert f"after {written['files']} of {FILES + 1} files" in err
    assert not any(o.get("reason") == "unreadable" for o in written["outcomes"]), "the files were blamed"

    status, err = runs["second"]
    assert status == SOME_FILES_FAILED, err  # broken.pdf, as in the uninterrupted run
    assert catalog_snapshot(copy, in_arrival_order=True) == catalog_snapshot(whole, in_arrival_order=True)
    with Archive(Settings(home=copy, actor="x"), readonly=True) as archive:
        assert verify(archive).ok


#: Fill the tmpfs but for ``room`` KB with a file the script deletes to free the space again.
BALLAST = """
    import os
    def fill(small, room_kb):
        free = os.statvfs(small).f_bavail * os.statvfs(small).f_frsize
        with open(f"{small}/ballast", "wb") as ballast:
            ballast.write(b"x" * max(free - room_kb * 1024, 0))
    def empty(small):
        os.unlink(f"{small}/ballast")
"""

STORE_AN_ORIGINAL = BALLAST + """
    import hashlib, json, sys
    from pathlib import Path
    from archive.errors import StorageError
    from archive.settings import Settings
    from archive.store import Archive
    small, source = sys.argv[1:3]
    data = Path(source).read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    seen = {}
    with Archive(Settings(home=Path(small) / "home", actor="x")) as archive:
        fill(small, 64)
        try:
            archive.store_original(Path(source), sha256)
        except StorageError as error:
            seen["full"] = str(error)
        seen["left"] = sorted(p.name for p in (Path(small) / "home" / "objects").rglob("*") if p.is_file())
        try:
            archive.store_original(Path(source + ".missing"), sha256)
        except Exception as error:
            seen["missing"] = type(error).__name__
        empty(small)
        stored = archive.store_original(Path(source), sha256)
        seen["stored"] = hashlib.sha256(stored.read_bytes()).hexdigest() == sha256
    print(json.dumps(seen))
"""


def test_an_original_that_does_not_fit_is_the_archives_failure_and_leaves_no_partial_copy(tmp_path: Path) -> None:
    source = tmp_path / "large.pdf"
    source.write_bytes(os.urandom(400 * 1024))
    seen = run_on_a_small_disk(tmp_path, 2_000, STORE_AN_ORIGINAL, str(source))
    assert "the archive could not write to" in seen["full"] and "/objects/" in seen["full"]
    assert "No space left on device; free space on that disk" in seen["full"]
    assert seen["left"] == []  # the partial copy is gone
    assert seen["missing"] == "FileNotFoundError"  # a source that cannot be read stays the file's failure
    assert seen["stored"] is True  # once there is room


RECORD_EVENTS = BALLAST + """
    import json, sys
    from pathlib import Path
    from archive.errors import StorageError
    from archive.settings import Settings
    from archive.store import Archive
    from archive.verify import verify
    small = sys.argv[1]
    seen = {"recorded": 0}
    with Archive(Settings(home=Path(small) / "home", actor="x")) as archive:
        fill(small, 0)
        try:
            for _ in range(10_000):  # the write-ahead log may hold a few before the disk is full
                archive.record_event("note", None, {"text": "x" * 2000})
                seen["recorded"] += 1
        except StorageError as error:
            seen["full"] = str(error)
        seen["in_transaction"] = archive.db.in_transaction
        empty(small)
        archive.record_event("note", None, {"text": "after"})
        seen["ok"] = verify(archive).ok
        seen["events"] = archive.db.execute("SELECT COUNT(*) FROM custody").fetchone()[0]
    print(json.dumps(seen))
"""


def test_a_catalog_write_on_a_full_disk_is_refused_cleanly_and_the_catalog_goes_on(tmp_path: Path) -> None:
    seen = run_on_a_small_disk(tmp_path, 8_000, RECORD_EVENTS)
    assert seen["recorded"] < 10_000, "the disk never filled"
    assert "catalog.sqlite3: database or disk is full; free space on that disk" in seen["full"]
    assert seen["in_transaction"] is False  # no transaction left open to block the next one
    assert seen["ok"] is True and seen["events"] == seen["recorded"] + 1


COMMIT_THE_INDEX = BALLAST + """
    import json, subprocess, sys
    from pathlib import Path
    from archive.errors import StorageError
    from archive.settings import Settings
    from archive.store import Archive
    from index import SearchRequest, open_index
    small, folder = sys.argv[1:3]
    settings = Settings(home=Path(small) / "home", actor="x")
    subprocess.run([sys.executable, "-m", "archive", "--home", str(settings.home), "ingest", "-q", folder],
                   capture_output=True)
    seen = {}
    with Archive(settings) as archive, open_index(settings.index_dir) as search_index:
        ids = [row[0] for row in archive.db.execute("SELECT id FROM documents ORDER BY seq")]
        before = sorted(p.name for p in settings.index_dir.iterdir())
        fill(small, 0)
        try:
            with search_index.writer() as writer:  # commits at the end, cancels on an error
                for doc_id in ids:  # the same documents again: a segment as large as the index
                    writer.add(archive.get_document(doc_id), archive.pages(doc_id), archive.references(doc_id))
        except StorageError as error:
            seen["full"] = str(error)
        seen["unchanged"] = sorted(p.name for p in settings.index_dir.iterdir()) == before
        empty(small)
        with search_index.writer() as writer:  # the lock was released: this process can write again
            writer.add(archive.get_document(ids[0]), archive.pages(ids[0]), archive.references(ids[0]))
        seen["total"] = search_index.search(SearchRequest(query="", limit=100)).total
        seen["documents"] = len(ids)
    print(json.dumps(seen))
"""


def test_an_index_commit_on_a_full_disk_leaves_the_index_as_it_was_and_writable(batch: Path, tmp_path: Path) -> None:
    seen = run_on_a_small_disk(tmp_path, 8_000, COMMIT_THE_INDEX, str(batch))
    assert "/whoosh: No space left on device; free space on that disk" in seen["full"]
    assert seen["unchanged"] is True  # no half-written segment holds on to the space
    assert seen["total"] == seen["documents"]


SERVE_ON_A_FULL_DISK = BALLAST + """
    import io, json, subprocess, sys
    from pathlib import Path
    from archive.accounts import add_user, create_token
    from archive.settings import Settings
    from archive.store import Archive
    from tests.test_access import csrf_of, sign_in
    from webapp import create_app
    small, folder = sys.argv[1:3]
    settings = Settings(home=Path(small) / "home", actor="x")
    subprocess.run([sys.executable, "-m", "archive", "--home", str(settings.home), "ingest", "-q", folder],
                   capture_output=True)
    with Archive(settings) as archive:
        add_user(archive, "admin", "admin", "a long enough password")
        doc_id, secret = [row[0] for row in archive.db.execute("SELECT id FROM documents ORDER BY seq LIMIT 2")]
        archive.set_access(secret, "confidential")  # an admin's views of it are recorded
        _, token = create_token(archive, "admin", "script")  # never used: its first use records when
    app = create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings, "SERVER_NAME": "archive.test"})
    visitor, admin = app.test_client(), sign_in(app.test_client(), "admin", "a long enough password")
    form = csrf_of(admin.get("/ingest").get_data(as_text=True))
    fill(small, 0)
    seen = {"downloads": 0, "read": visitor.get(f"/documents/{doc_id}").status_code}  # reading records nothing
    seen["token search"] = visitor.get("/api/search?q=Aghdam", headers={"Authorization": f"Bearer {token}"}).status_code
    # Each download is recorded; the catalog's write-ahead log may take a few before the disk refuses one.
    while (response := visitor.get(f"/documents/{doc_id}/download")).status_code == 200 and seen["downloads"] < 5000:
        seen["downloads"] += 1
    for name, response in [
        ("download", response),
        ("/api/export", visitor.get("/api/export?format=jsonl")),
        ("/api/documents/{doc_id}", admin.get(f"/api/documents/{secret}")),
        ("/api/documents/{doc_id}/pages", admin.get(f"/api/documents/{secret}/pages")),
        ("/api/documents/{doc_id}/pages/{number}", admin.get(f"/api/documents/{secret}/pages/1")),
        ("upload", admin.post("/ingest", content_type="multipart/form-data", data={
            "csrf_token": form, "files": [(io.BytesIO(b"Testimony about Aghdam. " * 20_000), "new.txt")]})),
    ]:
        seen[name] = [response.status_code, response.get_data(as_text=True)]
    empty(small)
    seen["after"] = visitor.get(f"/documents/{doc_id}/download").status_code
    print(json.dumps(seen))
"""


def test_the_web_app_on_a_full_disk_answers_507_without_naming_the_servers_folders(
        batch: Path, tmp_path: Path) -> None:
    seen = run_on_a_small_disk(tmp_path, 8_000, SERVE_ON_A_FULL_DISK, str(batch))
    assert seen["read"] == 200
    assert seen["token search"] == 200  # a token's "last used" is not worth refusing a search for
    for name in ("download", "upload", *API_507):
        status, body = seen[name]
        assert status == 507, (name, body[:500])
        assert "cannot store anything at the moment" in body, name
        assert str(tmp_path) not in body and "small" not in body, name
    for path in API_507:  # as documented in openapi.json
        documented = operation_for(path)[1]["responses"]["507"]["content"]["application/json"]["schema"]
        assert spec_validator(documented).is_valid(json.loads(seen[path][1])), path
    assert seen["after"] == 200


REINDEX_ON_A_FULL_DISK = BALLAST + """
    import json, subprocess, sys
    from pathlib import Path
    from archive.settings import Settings
    from index import SearchRequest, open_index
    small, folder = sys.argv[1:3]
    home = Path(small) / "home"
    evidence = [sys.executable, "-m", "archive", "--home", str(home)]
    subprocess.run([*evidence, "ingest", "-q", folder], capture_output=True)
    fill(small, 100)
    failed = subprocess.run([*evidence, "reindex"], capture_output=True, text=True)
    seen = {"status": failed.returncode, "err": failed.stderr, "home": sorted(p.name for p in home.iterdir())}
    with open_index(Settings(home=home).index_dir) as search_index:
        seen["total"] = search_index.search(SearchRequest(query="Aghdam", limit=100)).total
    empty(small)
    seen["again"] = subprocess.run([*evidence, "reindex"], capture_output=True, text=True).stdout
    print(json.dumps(seen))
"""


def test_a_reindex_on_a_full_disk_keeps_the_old_index_and_gives_the_space_back(batch: Path, tmp_path: Path) -> None:
    seen = run_on_a_small_disk(tmp_path, 8_000, REINDEX_ON_A_FULL_DISK, str(batch))
    assert seen["status"] == 1
    assert "Error: the archive could not write to" in seen["err"] and "whoosh.rebuild: No space left" in seen["err"]
    # the message alone, below the progress bar: a sub-writer printed its traceback above it (its folder had been
    # removed while it ran)
    said = [line for line in seen["err"].splitlines() if line.strip() and "doc/s]" not in line]
    assert len(said) == 1 and said[0].startswith("Error: "), seen["err"]
    assert "whoosh.rebuild" not in seen["home"]  # the half-built index is gone
    assert seen["total"] == FILES  # the old index still answers
    assert f"indexed {FILES} documents" in seen["again"]


REPORT_ON_THE_FULL_DISK = """
    import json, os, subprocess, sys
    small, batch = sys.argv[1:3]
    run = subprocess.run([sys.executable, "-m", "archive", "--home", f"{small}/home", "ingest", "--quiet",
                          "--workers", "2", batch, "--report", f"{small}/report.json"], capture_output=True, text=True)
    print(json.dumps({"status": run.returncode, "err": run.stderr, "left": sorted(os.listdir(small))}))
"""


def test_a_report_on_the_full_disk_is_a_warning_and_leaves_no_half_file(batch: Path, tmp_path: Path) -> None:
    seen = run_on_a_small_disk(tmp_path, 2_000, REPORT_ON_THE_FULL_DISK, str(batch))
    assert seen["status"] == BATCH_STOPPED, seen["err"]  # not 1: why the batch stopped is still the news
    assert "warning: the batch ran" in seen["err"] and "its report could not be written" in seen["err"]
    assert "Error: the archive could not write to" in seen["err"]
    assert seen["left"] == ["home"]  # no half-written report to pass for one


SHOW_ON_A_FULL_DISK = BALLAST + """
    import json, subprocess, sys
    small, folder = sys.argv[1:3]
    evidence = [sys.executable, "-m", "archive", "--home", f"{small}/home"]
    subprocess.run([*evidence, "ingest", "-q", folder], capture_output=True)
    fill(small, 0)
    shown = subprocess.run([*evidence, "show", "EVA-000001"], capture_output=True, text=True)
    empty(small)
    again = subprocess.run([*evidence, "show", "EVA-000001"], capture_output=True, text=True)
    print(json.dumps({"status": shown.returncode, "err": shown.stderr, "again": again.returncode}))
"""


def test_a_disk_too_full_to_open_the_catalog_says_to_free_space(batch: Path, tmp_path: Path) -> None:
    """SQLite cannot create its write-ahead log's files there and calls it an I/O error: the advice was to check
    the disk, when freeing space is what helps."""
    seen = run_on_a_small_disk(tmp_path, 8_000, SHOW_ON_A_FULL_DISK, str(batch))
    assert seen["status"] == 1 and "Traceback" not in seen["err"], seen["err"]
    assert "catalog.sqlite3: " in seen["err"] and "free space on that disk" in seen["err"], seen["err"]
    assert seen["again"] == 0
