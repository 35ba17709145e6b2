"""Checking the archive against itself: every original against its SHA-256, the custody chain end to end.

:func:`verify` reads; it never repairs. Each problem it finds names exactly
which document or event is wrong, so a person can tell a court what changed.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.store import (
    GENESIS_HASH,
    Archive,
    catalog_digest,
    document_from_row,
    document_id,
    event_hash,
    file_sha256,
)


@dataclass(frozen=True)
class Problem:
    """One thing that does not match the record."""

    #: catalog-damaged | original-missing | original-altered | original-writable | object-unknown
    #: | catalog-altered | document-missing | event-altered | event-missing | chain-broken | chain-gap
    #: | chain-truncated | chain-rewritten
    kind: str
    subject: str  # a control number or "event N"
    message: str


@dataclass
class VerifyReport:
    documents: int = 0
    events: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: The last event's number and hash: recorded outside the archive, they anchor the chain.
    head_seq: int = 0
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(archive: Archive, progress: Callable[[int], None] | None = None,
           expect: Sequence[tuple[int, str]] = ()) -> VerifyReport:
    """Re-hash every original and re-check every custody event.

    A chain checked only against itself cannot show that its newest events were removed, or that
    someone rewrote it and recomputed every hash. ``expect`` holds (event number, hash) pairs
    recorded outside the archive (a printed or filed head from an earlier run): each must still be
    in the chain, which proves nothing up to that event was changed or removed.
    """
    report = VerifyReport()
    # One read transaction: the chain, what it says of each document and the documents are one snapshot, so a
    # batch being ingested (or a view being recorded) meanwhile is never mistaken for tampering.
    archive.db.execute("BEGIN")
    unknown: list[tuple[str, Path]] = []
    try:
        report.problems.extend(_check_catalog_file(archive))
        report.problems.extend(_check_chain(archive, report))
        report.problems.extend(_check_expected(archive, report, expect))
        facts = _chain_facts(archive)
        catalogued: set[str] = set()
        for row in _catalog_rows(archive):
            report.documents += 1
            control, sha256 = str(row["control_number"]), str(row["sha256"])
            catalogued.add(sha256)
            facts_of = facts.pop(row["id"], {})
            report.problems.extend(_check_original(archive, sha256, control))
            try:
                document = document_from_row(row)
            except (ValueError, TypeError) as error:  # a column written outside the archive (not JSON, say)
                report.problems.append(Problem(
                    "catalog-altered", control,
                    f"{control}: its catalog row cannot be read as a document ({error}): it was written outside "
                    "the archive"))
            else:
                report.problems.extend(_check_against_chain(archive, document, facts_of))
            if "sha256" not in facts_of:
                report.problems.append(Problem(
                    "catalog-altered", control,
                    f"{control}: the custody chain holds no 'received' event for document "
                    f"{row['id']}: the document was added to the catalog outside the archive",
                ))
            elif facts_of["sha256"] != sha256:
                report.problems.append(Problem(
                    "catalog-altered", control,
                    f"{control}: the catalog's SHA-256 differs from the one its custody chain "
                    "recorded when it was received",
                ))
            if progress:
                progress(1)
        for doc_id, facts_of in facts.items():
            if "sha256" in facts_of:
                name = facts_of.get("control_number") or doc_id
                report.problems.append(Problem(
                    "document-missing", name,
                    f"{name}: the custody chain records that document {doc_id} was received (event "
                    f"{facts_of['received_seq']}), but the catalog no longer holds it"))
        unknown = list(_unknown_objects(archive, catalogued))
    except sqlite3.DatabaseError as error:  # a damaged catalog: named above by quick_check, or here
        report.problems.append(Problem("catalog-damaged", "catalog",
                                       f"the catalog could not be read to its end ({error})"))
    finally:  # a read transaction: ending it changes nothing
        with contextlib.suppress(sqlite3.Error):
            archive.db.execute("ROLLBACK")
    report.problems.extend(_check_unknown_objects(archive, unknown))
    return report


def _check_expected(archive: Archive, report: VerifyReport, expect: Sequence[tuple[int, str]]) -> Iterator[Problem]:
    for seq, digest in expect:
        if seq == 0 and digest.lower() == GENESIS_HASH:
            continue  # the head of a chain with no events yet (printed as 0:000…): every chain starts from it
        row = archive.db.execute("SELECT hash FROM custody WHERE seq = ?", (seq,)).fetchone()
        if row is None and seq > report.head_seq:
            yield Problem("chain-truncated", f"event {seq}",
                          f"event {seq} (recorded outside the archive as {digest}) is gone: the chain now ends "
                          f"at event {report.head_seq}, so its newest events were removed")
        elif row is None or row[0] != digest.lower():
            yield Problem("chain-rewritten", f"event {seq}",
                          f"event {seq} no longer has the hash recorded outside the archive ({digest}): the "
                          "chain up to it was rewritten, even if it is consistent with itself")


def _check_catalog_file(archive: Archive) -> Iterator[Problem]:
    """SQLite's own check of the catalog file: pages verify never reads (page texts) are damaged too."""
    findings = [row[0] for row in archive.db.execute("PRAGMA quick_check(20)")]
    if findings != ["ok"]:
        yield Problem("catalog-damaged", "catalog",
                      "the catalog file is damaged (SQLite quick_check: " + "; ".join(findings) + ")")


def _chain_facts(archive: Archive) -> dict[str, dict[str, Any]]:
    """What the custody chain says about each document: received hash and size, control number,
    pages, access at ingest and the catalog digest (archives from before these were recorded lack
    them), and the access level its last ``access-changed`` event set."""
    facts: dict[str, dict[str, Any]] = {}
    rows = archive.db.execute("SELECT seq, action, doc_id, details FROM custody "
                              "WHERE action IN ('received', 'ingested', 'access-changed') ORDER BY seq")
    for seq, action, doc_id, details in rows:
        try:
            details = json.loads(details)
        except ValueError:
            continue
        if not isinstance(details, dict) or doc_id is None:
            continue
        known = facts.setdefault(doc_id, {})
        if action == "received" and "sha256" not in known:
            known.update(sha256=details.get("sha256"), size=details.get("size"), received_seq=seq)
        elif action == "ingested" and "ingested_seq" not in known:
            known.update(ingested_seq=seq, control_number=details.get("control_number"),
                         pages=details.get("pages"), access=details.get("access"), catalog=details.get("catalog"))
        elif action == "access-changed":
            known.update(access=details.get("to"), access_seq=seq)
    return facts


def _check_against_chain(archive: Archive, document: Any, facts: dict[str, Any]) -> Iterator[Problem]:
    control = document.control_number

    def altered(what: str) -> Problem:
        return Problem("catalog-altered", control, f"{control}: {what}")

    if document.id != document_id(document.sha256):
        yield altered(f"the catalog's document id {document.id} is not the start of its SHA-256")
    if "ingested_seq" not in facts:
        if "received_seq" in facts:  # ingest writes the two in one transaction: the newest event may be this one
            yield Problem("event-missing", control,
                          f"{control}: the custody chain holds the 'received' event of document {document.id} "
                          f"(event {facts['received_seq']}) but not the 'ingested' event written with it: "
                          "that event was removed")
        return
    seq = facts["ingested_seq"]
    if facts["control_number"] not in (None, control):
        yield altered(f"the custody chain (event {seq}) ingested document {document.id} as "
                      f"{facts['control_number']}, the catalog now calls it {control}")
    if facts["pages"] not in (None, document.page_count):
        yield altered(f"the catalog records {document.page_count} pages, the custody chain "
                      f"(event {seq}) {facts['pages']}")
    if facts.get("size") not in (None, document.size):
        yield altered(f"the catalog records a size of {document.size} bytes, the custody chain "
                      f"(event {facts['received_seq']}) {facts['size']}")
    if facts["access"] not in (None, document.metadata.access):
        yield altered(f"access is {document.metadata.access} in the catalog, but {facts['access']} in the custody "
                      f"chain (event {facts.get('access_seq', seq)}): it was changed without an access-changed event")
    if facts["catalog"] and facts["catalog"] != catalog_digest(archive.db, document.id):
        yield altered(f"what ingest wrote about it (metadata, page texts, references, dates or places) was "
                      f"changed afterwards: it no longer matches the digest recorded in event {seq}")


def _unknown_objects(archive: Archive, catalogued: set[str]) -> Iterator[tuple[str, Path]]:
    """Files in objects/ that are no document's original (partial copies of a killed writer aside)."""
    root = archive.settings.objects_dir
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_dir() or path.name.startswith(".incoming-"):
            continue
        name = path.relative_to(root).as_posix().replace("/", "", 1)
        if name not in catalogued:
            yield name, path


def _check_unknown_objects(archive: Archive, unknown: list[tuple[str, Path]]) -> Iterator[Problem]:
    """Unknown objects, once those a writer stored after verify's snapshot are set aside.

    The object store is not part of the catalog's snapshot: a batch being ingested stores each
    original just before committing its rows. So an object is unknown only if the catalog as it is
    now does not hold it either, and none is reported while a writer holds the lock.
    """
    unknown = [(name, path) for name, path in unknown
               if archive.db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (name,)).fetchone() is None]
    if not unknown or archive.writer_active():
        return
    for _name, path in unknown:
        yield Problem("object-unknown", str(path.relative_to(archive.home)),
                      f"{path} is no document's original: it was put there outside the archive, or the "
                      "catalog lost the document it belonged to (a catalog restored without its -wal file?)")


def _catalog_rows(archive: Archive, batch: int = 500) -> Iterator[sqlite3.Row]:
    """Every document's catalog row in control-number order, as stored (read as documents one by one, by the
    caller: a row altered so that it cannot be read must not hide the documents after it)."""
    last: Any = 0
    while rows := archive.db.execute("SELECT * FROM documents WHERE seq > ? ORDER BY seq LIMIT ?",
                                     (last, batch)).fetchall():
        yield from rows
        last = rows[-1]["seq"]


def _check_original(archive: Archive, sha256: str, control: str) -> Iterator[Problem]:
    try:
        path = archive.object_path(sha256)
    except ValueError:
        yield Problem("catalog-altered", control,
                      f"{control}: the catalog's SHA-256 {sha256!r} is not a SHA-256 (64 lower-case hex digits): "
                      "it was changed outside the archive, and its original cannot be found by it")
        return
    if not path.is_file():
        yield Problem("original-missing", control, f"{control}: the original {path} is missing")
        return
    if path.stat().st_mode & 0o222:
        yield Problem("original-writable", control,
                      f"{control}: the original {path} is writable; originals are kept read-only (chmod 444)")
    actual = file_sha256(path)
    if actual != sha256:
        yield Problem("original-altered", control,
                      f"{control}: the original {path} has SHA-256 {actual}, the catalog records {sha256}")


def _check_chain(archive: Archive, report: VerifyReport) -> Iterator[Problem]:
    expected_prev, expected_seq = GENESIS_HASH, 1
    rows = archive.db.execute("SELECT * FROM custody ORDER BY seq")
    for row in rows:
        report.events += 1
        seq = row["seq"]
        subject = f"event {seq}"
        if seq != expected_seq:
            yield Problem("chain-gap", subject, f"event {seq} follows event {expected_seq - 1}: events are missing")
        if row["prev_hash"] != expected_prev:
            yield Problem("chain-broken", subject,
                          f"event {seq} ({row['action']}) does not link to the event before it")
        try:
            details = json.loads(row["details"])
        except ValueError:
            details = row["details"]
        recomputed = event_hash(seq, row["at"], row["actor"], row["action"], row["doc_id"], details,
                                row["prev_hash"])
        if recomputed != row["hash"]:
            yield Problem("event-altered", subject,
                          f"event {seq} ({row['action']}, document {row['doc_id']}, {row['at']}) "
                          "no longer matches its hash: a field was changed after it was recorded")
        expected_prev, expected_seq = row["hash"], seq + 1
        report.head_seq, report.head_hash = seq, row["hash"]
