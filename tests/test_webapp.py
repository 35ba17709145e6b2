"""The web pages through Flask's test client, on a real ingested archive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from archive.ingest import ingest
from archive.settings import Settings
from archive.store import Archive
from tests.conftest import write_sidecar
from webapp import create_app


@pytest.fixture
def client(settings: Settings, sample_folder: Path) -> FlaskClient:
    hidden = sample_folder / "sealed.txt"
    hidden.write_text("Confidential witness named Zyxwvut saw landmines.", encoding="utf-8")
    write_sidecar(hidden, type="testimony", access="confidential")
    ingest([sample_folder], settings)
    app = create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings})
    return app.test_client()


def test_search_page_shows_results_with_highlighted_snippets(client: FlaskClient) -> None:
    response = client.get("/?q=landmines")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Clearance report" in page and "Appeal on landmines" in page
    assert re.search(r'<mark class="hit[^"]*">landmines</mark>', page)
    assert "<strong>2</strong> documents" in page


def test_facet_links_filter_the_results(client: FlaskClient) -> None:
    page = client.get("/?q=landmines").get_data(as_text=True)
    link = re.search(r'href="([^"]+)"\s+data-facet-value="appeal"', page)
    assert link, "the type facet offers 'appeal'"
    filtered = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r"<strong>1</strong> document(?!s)", filtered)
    assert "Appeal on landmines" in filtered and "Clearance report" not in filtered
    assert 'data-facet="year"' in filtered


def test_document_page_shows_metadata_references_and_text(client: FlaskClient, settings: Settings) -> None:
    with Archive(settings) as archive:
        document = next(d for d in archive.iter_documents() if d.original_name == "report.pdf")
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert document.sha256 in page and document.control_number in page
    assert "GCIV-147" in page and 'id="page-2"' in page
    assert "Fourth Geneva Convention" in page


def test_unknown_document_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/documents/0000000000000000")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_confidential_document_is_invisible_to_anonymous_visitors(client: FlaskClient, settings: Settings) -> None:
    assert "<strong>0</strong> documents" in client.get("/?q=Zyxwvut").get_data(as_text=True)
    with Archive(settings) as archive:
        sealed = next(d for d in archive.iter_documents() if d.original_name == "sealed.txt")
    assert client.get(f"/documents/{sealed.id}").status_code == 404
    facets = client.get("/").get_data(as_text=True)
    assert "testimony" not in facets


def test_query_text_is_escaped_in_the_page(client: FlaskClient) -> None:
    page = client.get('/?q="<script>alert(1)</script>"').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_bad_query_is_a_400_with_a_message(client: FlaskClient) -> None:
    response = client.get("/?q=landmines&page=two")
    assert response.status_code == 400
    assert "whole numbers" in response.get_data(as_text=True)


def test_pages_send_a_content_security_policy(client: FlaskClient) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
