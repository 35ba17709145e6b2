"""`evidence verify`: altering a byte of an original or a field of an event is caught and named."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.ingest import ingest
from archive.settings import Settings
from archive.store import GENESIS_HASH, Archive, event_hash
from archive.verify import verify


def _ingested(settings: Settings, sample_folder: Path) -> None:
    ingest([sample_folder], settings)


def test_a_clean_archive_verifies(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    with Archive(settings) as archive:
        report = verify(archive)
    assert report.ok and report.documents == 2 and report.events == 4


def test_one_altered_byte_of_an_original_is_named(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    with Archive(settings) as archive:
        document = archive.get_document("EVA-000002")
        path = archive.object_path(document.sha256)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "--quiet"])
    assert result.exit_code == 1
    assert "original-altered: EVA-000002" in result.output
    assert "EVA-000001" not in result.output


def test_a_missing_original_is_named(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    with Archive(settings) as archive:
        path = archive.object_path(archive.get_document("EVA-000001").sha256)
    path.unlink()
    with Archive(settings) as archive:
        problems = verify(archive).problems
    assert [(p.kind, p.subject) for p in problems] == [("original-missing", "EVA-000001")]


def test_an_altered_event_field_is_named(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    db = sqlite3.connect(settings.catalog_path)
    db.execute("UPDATE custody SET actor = 'someone else' WHERE seq = 3")
    db.commit()
    db.close()
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "--quiet"])
    assert result.exit_code == 1
    assert "event-altered: event 3 " in result.output
    assert "event 2 " not in result.output and "event 4 " not in result.output


def test_a_deleted_event_breaks_the_chain_where_it_was(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    db = sqlite3.connect(settings.catalog_path)
    db.execute("DELETE FROM custody WHERE seq = 2")
    db.commit()
    db.close()
    with Archive(settings) as archive:
        problems = verify(archive).problems
    assert {(p.kind, p.subject) for p in problems} == {("chain-gap", "event 3"), ("chain-broken", "event 3"),
                                                       ("event-missing", "EVA-000001")}  # whose event it was


def test_a_rewritten_catalog_hash_is_caught(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    db = sqlite3.connect(settings.catalog_path)
    db.execute("UPDATE documents SET sha256 = ? WHERE control_number = 'EVA-000001'", ("f" * 64,))
    db.commit()
    db.close()
    with Archive(settings) as archive:
        kinds = {(p.kind, p.subject) for p in verify(archive).problems}
    assert ("catalog-altered", "EVA-000001") in kinds


def test_a_batch_written_while_verify_runs_is_not_taken_for_tampering(
        settings: Settings, sample_folder: Path, tmp_path: Path, monkeypatch) -> None:
    import archive.verify as verify_module
    from tests.test_store import _extraction

    _ingested(settings, sample_folder)
    read_chain = verify_module._chain_facts

    def chain_then_a_new_document(archive: Archive) -> dict[str, dict]:
        found = read_chain(archive)
        with Archive(settings) as writer:  # another process's ingest commits in between
            writer.add_document(_extraction(tmp_path / "late.txt", "A late witness statement"), "run-late")
        return found

    monkeypatch.setattr(verify_module, "_chain_facts", chain_then_a_new_document)
    with Archive(settings, readonly=True) as archive:
        report = verify(archive)
    assert report.ok, report.problems
    assert report.documents == 2 and report.events == 4


def test_verify_writes_nothing_and_refuses_an_empty_catalog(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    settings.catalog_path.write_bytes(b"")
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "--quiet"])
    assert result.exit_code == 1
    assert "holds no catalog" in result.output and "OK" not in result.output
    assert settings.catalog_path.stat().st_size == 0  # no schema was created in it


def test_a_damaged_catalog_is_reported_not_a_traceback(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    with open(settings.catalog_path, "r+b") as handle:
        handle.write(b"not a database!!")
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "--quiet"])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "cannot be read as a catalog" in result.output and "restore catalog.sqlite3" in result.output


def test_damage_in_pages_verify_does_not_read_is_found(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    db = sqlite3.connect(settings.catalog_path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'pages'").fetchone()[0]
    db.close()
    with open(settings.catalog_path, "r+b") as handle:
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\xff" * 64)
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "--quiet"])
    assert result.exit_code == 1
    assert "catalog-damaged: the catalog" in result.output


#: Root writes through file modes; without these capabilities it is bound by them like anyone.
DROP_FILE_CAPABILITIES = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                          "--bounding-set=-dac_override,-dac_read_search"]


def test_a_read_only_home_verifies(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    paths = [settings.home, *settings.home.rglob("*")]
    for path in paths:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        if os.geteuid() == 0:
            assert shutil.which("setpriv"), "setpriv (util-linux) is needed to run this test as root"
            command = [*DROP_FILE_CAPABILITIES, sys.executable, "-m", "archive", "--home", str(settings.home)]
            probe = subprocess.run([*command[:-4], "touch", str(settings.home / "probe")], capture_output=True)
            assert probe.returncode != 0, "the home is still writable: the test would prove nothing"
            result = subprocess.run([*command, "verify", "--quiet"], capture_output=True, text=True)
            output, status = result.stdout + result.stderr, result.returncode
        else:
            run = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "--quiet"])
            output, status = run.output, run.exit_code
    finally:
        for path in paths:
            path.chmod(path.stat().st_mode | 0o200)
    assert status == 0, output
    assert "2 originals and 4 custody events checked: OK" in output


def _sql(settings: Settings, statement: str, *params: object) -> None:
    db = sqlite3.connect(settings.catalog_path)
    db.execute(statement, params)
    db.commit()
    db.close()


def _problems(settings: Settings) -> set[tuple[str, str]]:
    with Archive(settings, readonly=True) as archive:
        return {(p.kind, p.subject) for p in verify(archive).problems}


def test_an_access_level_changed_without_its_event_is_named(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    with Archive(settings) as archive:
        archive.set_access("EVA-000002", "confidential")
    _sql(settings, "UPDATE documents SET access = 'public' WHERE control_number = 'EVA-000002'")
    _sql(settings, "UPDATE documents SET access = 'confidential' WHERE control_number = 'EVA-000001'")
    assert _problems(settings) == {("catalog-altered", "EVA-000001"), ("catalog-altered", "EVA-000002")}


@pytest.mark.parametrize("statement", [
    "UPDATE documents SET title = 'Forged' WHERE control_number = 'EVA-000001'",
    "UPDATE documents SET doc_date = '1999-01-01' WHERE control_number = 'EVA-000001'",
    "UPDATE pages SET text = 'nothing happened' WHERE number = 1 AND doc_id = "
    "(SELECT id FROM documents WHERE control_number = 'EVA-000001')",
    "DELETE FROM refs WHERE doc_id = (SELECT id FROM documents WHERE control_number = 'EVA-000002')",
])
def test_catalog_rows_changed_after_ingest_are_named(settings: Settings, sample_folder: Path, statement: str) -> None:
    _ingested(settings, sample_folder)
    db = sqlite3.connect(settings.catalog_path)
    changed = db.execute(statement).rowcount
    db.commit()
    db.close()
    assert changed >= 1
    control = "EVA-000002" if "refs" in statement else "EVA-000001"
    assert _problems(settings) == {("catalog-altered", control)}


def test_a_renumbered_document_is_named(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    _sql(settings, "UPDATE documents SET control_number = 'EVA-000099' WHERE control_number = 'EVA-000001'")
    assert ("catalog-altered", "EVA-000099") in _problems(settings)


def test_a_document_deleted_from_the_catalog_is_named(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    with Archive(settings) as archive:
        doc_id = archive.get_document("EVA-000001").id
    for table in ("pages", "refs", "dates", "places", "documents"):
        _sql(settings, f"DELETE FROM {table} WHERE {'id' if table == 'documents' else 'doc_id'} = ?", doc_id)
    kinds = _problems(settings)
    assert ("document-missing", "EVA-000001") in kinds
    assert any(kind == "object-unknown" for kind, _ in kinds)


def test_stray_objects_and_writable_originals_are_named(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    with Archive(settings) as archive:
        original = archive.object_path(archive.get_document("EVA-000002").sha256)
        planted = archive.object_path("ab" * 32)
    planted.parent.mkdir(exist_ok=True)
    planted.write_bytes(b"planted")
    (planted.parent / ".incoming-partial").write_bytes(b"a killed writer's copy")  # not a problem
    os.chmod(original, 0o644)
    assert _problems(settings) == {("original-writable", "EVA-000002"),
                                   ("object-unknown", str(planted.relative_to(settings.home)))}


def test_an_archive_from_before_the_catalog_digest_still_verifies(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    db = sqlite3.connect(settings.catalog_path)
    rows = db.execute("SELECT seq, at, actor, action, doc_id, details FROM custody ORDER BY seq").fetchall()
    db.execute("DELETE FROM custody")
    prev = GENESIS_HASH
    for seq, at, actor, action, doc_id, details in rows:  # the events as older versions wrote them
        details = {k: v for k, v in json.loads(details).items() if k not in ("access", "catalog")}
        digest = event_hash(seq, at, actor, action, doc_id, details, prev)
        db.execute("INSERT INTO custody VALUES (?,?,?,?,?,?,?,?)",
                   (seq, at, actor, action, doc_id, json.dumps(details, sort_keys=True), prev, digest))
        prev = digest
    db.commit()
    db.close()
    assert _problems(settings) == set()


def _head(settings: Settings) -> str:
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "--quiet", "--json"])
    return json.loads(result.stdout)["head"]


def test_removing_the_newest_events_is_caught_against_a_recorded_head(
        settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    with Archive(settings) as archive:
        archive.set_access("EVA-000001", "confidential")
    head = _head(settings)
    assert head.startswith("5:")
    _sql(settings, "DELETE FROM custody WHERE seq = 5")
    _sql(settings, "UPDATE documents SET access = 'public' WHERE control_number = 'EVA-000001'")
    assert CliRunner().invoke(main, ["--home", str(settings.home), "verify", "-q"]).exit_code == 0  # unanchored
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "-q", "--expect", head])
    assert result.exit_code == 1
    assert "chain-truncated: event 5 " in result.output and "write nothing to this archive" in result.output


def test_a_rewritten_chain_with_recomputed_hashes_is_caught_against_a_recorded_head(
        settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    head = _head(settings)
    db = sqlite3.connect(settings.catalog_path)
    rows = db.execute("SELECT seq, at, actor, action, doc_id, details FROM custody ORDER BY seq").fetchall()
    db.execute("DELETE FROM custody")
    prev = GENESIS_HASH
    for seq, at, actor, action, doc_id, details in rows:
        actor = "someone else" if seq == 1 else actor
        digest = event_hash(seq, at, actor, action, doc_id, json.loads(details), prev)
        db.execute("INSERT INTO custody VALUES (?,?,?,?,?,?,?,?)",
                   (seq, at, actor, action, doc_id, details, prev, digest))
        prev = digest
    db.commit()
    db.close()
    assert CliRunner().invoke(main, ["--home", str(settings.home), "verify", "-q"]).exit_code == 0  # consistent
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "-q", "--expect", head])
    assert result.exit_code == 1 and "chain-rewritten: event 4 " in result.output


def test_an_expected_head_that_is_still_there_passes_and_a_malformed_one_is_refused(
        settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    head = _head(settings)
    with Archive(settings) as archive:
        archive.record_event("exported", None, {"format": "csv"})
    ok = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "-q", "--expect", head])
    assert ok.exit_code == 0 and "custody head: 5:" in ok.output
    bad = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "-q", "--expect", "abc"])
    assert bad.exit_code == 2 and "EVENT:SHA256" in bad.output


def test_the_head_of_an_archive_without_events_is_a_head_that_passes(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    ingest([tmp_path], settings)  # a catalog, but no custody event yet
    head = _head(settings)
    assert head == f"0:{GENESIS_HASH}"
    assert CliRunner().invoke(main, ["--home", str(settings.home), "verify", "-q", "--expect", head]).exit_code == 0
    (tmp_path / "memo.txt").write_text("A memo about landmines.", encoding="utf-8")
    ingest([tmp_path], settings)
    assert CliRunner().invoke(main, ["--home", str(settings.home), "verify", "-q", "--expect", head]).exit_code == 0


def test_an_expected_head_with_non_ascii_digits_is_refused_cleanly(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "-q", "--expect", "²:" + "a" * 64])
    assert result.exit_code == 2 and "EVENT:SHA256" in result.output


def test_removing_the_newest_event_of_a_batch_is_named_without_a_recorded_head(
        settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)  # the last event is EVA-000002's `ingested`, written with its `received`
    _sql(settings, "DELETE FROM custody WHERE seq = (SELECT MAX(seq) FROM custody)")
    with Archive(settings) as archive:
        report = verify(archive)
    assert {(p.kind, p.subject) for p in report.problems} == {("event-missing", "EVA-000002")}
    assert "event 3" in report.problems[0].message  # its `received` event, which is still there
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "--quiet"])
    assert result.exit_code == 1 and "event-missing: EVA-000002" in result.stderr


@pytest.mark.parametrize(("column", "value"), [
    ("sha256", "tampered"), ("sha256", "upper"), ("languages", "not json"), ("places", "{"), ("extra", "[1, 2"),
])
def test_a_catalog_column_that_cannot_be_read_is_named_and_the_rest_still_verified(
        settings: Settings, sample_folder: Path, column: str, value: str) -> None:
    _ingested(settings, sample_folder)
    if value == "upper":
        _sql(settings, f"UPDATE documents SET {column} = upper({column}) WHERE control_number = 'EVA-000001'")
    else:
        _sql(settings, f"UPDATE documents SET {column} = ? WHERE control_number = 'EVA-000001'", value)
    with Archive(settings) as archive:
        planted = archive.object_path(archive.get_document("EVA-000002").sha256)
    os.chmod(planted, 0o644)  # a problem of another document, found all the same
    problems = _problems(settings)
    assert ("catalog-altered", "EVA-000001") in problems and ("original-writable", "EVA-000002") in problems
    result = CliRunner().invoke(main, ["--home", str(settings.home), "verify", "--quiet"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # not a traceback
    assert "catalog-altered: EVA-000001" in result.stderr
