"""The sample corpus that ``make run`` ingests: the real 2022 appeal, and demonstration documents that are
generated and say so, in their metadata, in their text and wherever the archive lists them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from archive.cli import main
from archive.extract import extract
from archive.ingest import discover
from archive.settings import Settings
from archive.synthetic import MARKERS
from webapp import create_app

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DEMO = CORPUS / "synthetic"


def test_every_demonstration_document_says_it_is_synthetic_in_its_metadata_and_on_its_first_page() -> None:
    files = [path for path in discover([DEMO]) if not path.name.endswith(".meta.json")]
    assert len(files) == 40
    for path in files:
        sidecar = json.loads(path.with_name(path.stem + ".meta.json").read_text(encoding="utf-8"))
        assert sidecar["synthetic"] is True and sidecar["source"].startswith("Synthetic generator"), path
        first_page = extract(path.read_bytes(), str(path)).pages[0].text
        assert any(marker in first_page for marker in MARKERS.values()), path


def test_the_sample_corpus_goes_in_whole_and_its_generated_documents_are_marked_in_results(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingested = CliRunner().invoke(main, ["--home", str(home), "ingest", "--json", str(CORPUS)])
    report = json.loads(ingested.output)
    assert ingested.exit_code == 0 and (report["ingested"], report["failed"]) == (41, 0), ingested.output
    client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": Settings(home=home)}).test_client()
    found = client.get("/api/search?q=mines&limit=100").get_json()
    marks = {hit["title"]: hit["synthetic"] for hit in found["hits"]}
    assert marks.pop("Appeal of the participants of the 5th Congress of World Azerbaijanis on the mining of "
                     "Azerbaijani territories") is False  # the one real document
    assert marks and all(marks.values())
    first_ten = client.get("/api/search?q=mines&limit=10").get_json()["hits"]
    page = client.get("/?q=mines").get_data(as_text=True)
    assert page.count('<span class="synthetic"') == sum(hit["synthetic"] for hit in first_ten) >= 9
    text = CliRunner().invoke(main, ["--home", str(home), "search", "mines", "--limit", "100"]).output
    assert text.count("[synthetic] ") == found["total"] - 1
