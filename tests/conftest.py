"""Shared fixtures: a real archive home in tmp_path, real PDFs written with fpdf2."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from archive.settings import Settings

FONT_DIR = Path(os.environ.get("ARCHIVE_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))


def write_pdf(path: Path, pages: Sequence[str], *, title: str = "", author: str = "",
              created: dt.datetime | None = None, password: str | None = None) -> Path:
    """Write a real PDF with one text page per item of ``pages`` (DejaVu Sans, so Cyrillic works)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.set_font("DejaVu", size=11)
    pdf.set_creation_date(created or dt.datetime(2022, 4, 14, 13, 24, 21, tzinfo=dt.UTC))
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def write_sidecar(path: Path, **metadata: object) -> Path:
    sidecar = path.with_suffix(".meta.json")
    sidecar.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    return sidecar


REPORT_PAGES = (
    "Field report on mine clearance near Aghdam.\nThe team surveyed farmland and roads.",
    "Civilians were killed by landmines while returning home. Such conduct is a grave breach "
    "under Article 147 of the Fourth Geneva Convention.",
)
APPEAL_TEXT = (
    "Appeal on the landmine problem\n"
    "We call on the world community to support demining in Shusha and Fuzuli.\n"
    "Shusha, 23 April 2022\n"
)


def write_statement_batch(folder: Path, files: int, *, sidecars: bool = True) -> Path:
    """``files`` short statements (every third a three-page PDF; every fifth, with ``sidecars``, a restricted
    testimony by its sidecar) and one broken PDF."""
    for i in range(files):
        article = 100 + i % 50
        words = f"Statement {i} about landmines near Aghdam, see Article {article} of the Fourth Geneva Convention."
        if i % 3 == 0:
            write_pdf(folder / f"doc-{i:03d}.pdf", [words, f"Second page of statement {i}.", "Third page."])
        else:
            (folder / f"doc-{i:03d}.txt").write_text(words + f"\nBaku, {1 + i % 28} March 2021\n", encoding="utf-8")
        if sidecars and i % 5 == 0:
            write_sidecar(folder / f"doc-{i:03d}.{'pdf' if i % 3 == 0 else 'txt'}", type="testimony", date="2020-01-02")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", actor="tester", workers=1, file_timeout=30.0, index_batch=50)


@pytest.fixture
def sample_folder(tmp_path: Path) -> Path:
    """A folder with a two-page PDF report, a text appeal and a corrupt PDF."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    report = write_pdf(folder / "report.pdf", REPORT_PAGES, title="Clearance report", author="Demining NGO")
    write_sidecar(report, type="report", date="2021-06-01", issuer="Demining NGO", places=["Aghdam"])
    appeal = folder / "appeal.txt"
    appeal.write_text(APPEAL_TEXT, encoding="utf-8")
    write_sidecar(appeal, title="Appeal on landmines", type="appeal", language="en")
    (folder / "broken.pdf").write_bytes(report.read_bytes()[:300])
    return folder


def catalog_snapshot(home: Path, *, in_arrival_order: bool) -> dict[str, object]:
    """Everything that must match between two archives of the same batch, without times and run ids.

    ``in_arrival_order``: the two runs took results in the same order (the local pool), so control
    numbers and the sequence of custody events must match too; otherwise (Dask, completion order)
    documents are compared by hash and events as a multiset.
    """
    import collections

    from archive.store import Archive
    from archive.verify import verify
    from index import SearchRequest, open_index

    numbering = "seq, control_number, " if in_arrival_order else ""
    order = "seq" if in_arrival_order else "sha256"
    with Archive(Settings(home=home, actor="x")) as archive:
        db = archive.db
        tables = {
            "documents": db.execute(
                f"SELECT {numbering}id, sha256, original_name, original_path, media_type, size, page_count, title,"
                " type, doc_date, date_source, issuer, source, languages, places, access, synthetic, extra,"
                f" extractor, indexed FROM documents ORDER BY {order}"
            ).fetchall(),
            "pages": db.execute("SELECT * FROM pages ORDER BY doc_id, number").fetchall(),
            "refs": db.execute("SELECT * FROM refs ORDER BY doc_id, page, start, ref_id").fetchall(),
            "dates": db.execute("SELECT * FROM dates ORDER BY doc_id, page, start").fetchall(),
            "places": db.execute("SELECT * FROM places ORDER BY doc_id, page, start").fetchall(),
            "failed": db.execute(
                "SELECT DISTINCT path, reason, error_class FROM outcomes WHERE outcome = 'failed' ORDER BY path"
            ).fetchall(),
        }
        snapshot: dict[str, object] = {name: [tuple(row) for row in rows] for name, rows in tables.items()}
        events = [tuple(row) for row in db.execute("SELECT action, doc_id FROM custody ORDER BY seq")]
        snapshot["events"] = events if in_arrival_order else collections.Counter(events)
        assert verify(archive).ok
    snapshot["objects"] = sorted(p.name for p in (home / "objects").rglob("*") if p.is_file())
    with open_index(home / "whoosh") as search_index:
        results = search_index.search(SearchRequest(query="", limit=1000, facets=("type", "article")))
        snapshot["index"] = (results.total, sorted(h.doc_id for h in results.hits), dict(results.facets))
    return snapshot


def stored_documents(home: Path) -> int:
    """How many documents a running batch has committed, read without disturbing it (0 before it starts)."""
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=1)
        try:
            return db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0
