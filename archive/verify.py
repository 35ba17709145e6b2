"""Checking the archive against itself: every original against its SHA-256, the custody chain end to end.

:func:`verify` reads; it never repairs. Each problem it finds names exactly
which document or event is wrong, so a person can tell a court what changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from archive.store import GENESIS_HASH, Archive, event_hash, file_sha256


@dataclass(frozen=True)
class Problem:
    """One thing that does not match the record."""

    kind: str  # original-missing | original-altered | catalog-altered | event-altered | chain-broken | chain-gap
    subject: str  # a control number or "event N"
    message: str


@dataclass
class VerifyReport:
    documents: int = 0
    events: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(archive: Archive, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Re-hash every original and re-check every custody event."""
    report = VerifyReport()
    report.problems.extend(_check_chain(archive, report))
    received = _received_hashes(archive)
    for document in archive.iter_documents():
        report.documents += 1
        report.problems.extend(_check_original(archive, document.sha256, document.control_number))
        if received.get(document.id) != document.sha256:
            report.problems.append(Problem(
                "catalog-altered", document.control_number,
                f"{document.control_number}: the catalog's SHA-256 differs from the one its custody chain "
                "recorded when it was received",
            ))
        if progress:
            progress(1)
    return report


def _received_hashes(archive: Archive) -> dict[str, str]:
    rows = archive.db.execute("SELECT doc_id, details FROM custody WHERE action = 'received' ORDER BY seq")
    found: dict[str, str] = {}
    for doc_id, details in rows:
        try:
            found.setdefault(doc_id, json.loads(details).get("sha256"))
        except (ValueError, AttributeError):
            continue
    return found


def _check_original(archive: Archive, sha256: str, control: str) -> Iterator[Problem]:
    path = archive.object_path(sha256)
    if not path.is_file():
        yield Problem("original-missing", control, f"{control}: the original {path} is missing")
        return
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
