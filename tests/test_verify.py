"""`evidence verify`: altering a byte of an original or a field of an event is caught and named."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from archive.cli import main
from archive.ingest import ingest
from archive.settings import Settings
from archive.store import Archive
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
    assert {(p.kind, p.subject) for p in problems} == {("chain-gap", "event 3"), ("chain-broken", "event 3")}


def test_a_rewritten_catalog_hash_is_caught(settings: Settings, sample_folder: Path) -> None:
    _ingested(settings, sample_folder)
    db = sqlite3.connect(settings.catalog_path)
    db.execute("UPDATE documents SET sha256 = ? WHERE control_number = 'EVA-000001'", ("f" * 64,))
    db.commit()
    db.close()
    with Archive(settings) as archive:
        kinds = {(p.kind, p.subject) for p in verify(archive).problems}
    assert ("catalog-altered", "EVA-000001") in kinds
