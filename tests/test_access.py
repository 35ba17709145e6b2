"""Access control through every channel, for anonymous visitors, readers, investigators and admins.

The archive holds two public documents, a restricted testimony (restricted by
its type, its sidecar names no level) and two confidential documents, each
hidden one with words no public document has (``Vorpalix`` is restricted,
``Zyxwvut`` confidential, ``Kestrelom`` in the restricted and both
confidential ones). Every channel a document could
leak through is asked as each role, in the browser (session cookie) and
through the API (bearer tokens): results, totals, facets, snippets, "did you
mean", "more like this", the article browser, exports, citations, document
pages, pages, originals and downloads, custody. Then access changes, CSRF,
lock-out, cookie flags and audit events.
"""

from __future__ import annotations

import csv
import errno
import html
import io
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from whoosh.query import Term
from whoosh.writing import SegmentWriter

from archive.accounts import add_user, change_access, create_token, remove_user
from archive.catchup import catching_up
from archive.errors import BatchStoppedError, StorageError, WorkersFailingError
from archive.ingest import IndexFeed, apply_access_changes, ingest
from archive.models import Document
from archive.service import open_search
from archive.settings import ACCESS_LEVELS, Settings
from archive.store import Archive
from archive.uploads import queued_uploads
from archive.verify import verify
from index import SearchIndex, SearchRequest, open_index
from tests.conftest import stored_documents, write_sidecar, write_statement_batch
from tests.test_store import _extraction
from tests.test_uploads import wait_for_catch_up
from webapp import create_app
from webapp.state import ANONYMOUS_ACTOR

PASSWORD = "correct horse battery staple"
ROLES = ("reader", "investigator", "admin")
DOCUMENTS = {
    "public.txt": ("Public report: landmines near Aghdam killed farmers on their fields. Clearance is required "
                   "by Article 5 of the Ottawa Convention. The village of Kestrelon was cleared.",
                   dict(title="Public report", type="report", date="2021-05-01", access="public")),
    "appeal.txt": ("Appeal: clear the landmines near Aghdam so that farmers can return to their fields.",
                   dict(title="Appeal to clear Aghdam", type="appeal", date="2022-04-23")),
    "witness.txt": ("Witness Vorpalix of Kestrelom saw landmines near Aghdam kill farmers on their fields. This is a "
                    "grave breach under Article 147 of the Fourth Geneva Convention.",
                    dict(title="Testimony of a farmer", type="testimony", date="2021-07-01")),
    "sealed.txt": ("Sealed testimony: Zyxwvut saw landmines near Aghdam kill farmers at Kestrelom on their fields. "
                   "Transfers of population are prohibited by Article 49(6) of the Fourth Geneva Convention.",
                   dict(title="Sealed testimony", type="testimony", date="2022-01-01", access="confidential")),
    "annex.txt": ("Confidential annex naming Zyxwvut and the families of Kestrelom.",
                  dict(title="Confidential annex", type="correspondence", date="2022-02-01",
                       access="confidential")),
}
HIDDEN_WORDS = {"restricted": ("Vorpalix", "Kestrelom"),
                "confidential": ("Zyxwvut", "Sealed testimony", "Confidential annex")}
#: Documents holding each hidden word, by role.
WORD_TOTALS = {"Vorpalix": {None: 0, "reader": 0, "investigator": 1, "admin": 1},
               "Kestrelom": {None: 0, "reader": 0, "investigator": 1, "admin": 3},
               "Zyxwvut": {None: 0, "reader": 0, "investigator": 0, "admin": 2}}
LEVELS = {None: ("public",), "reader": ("public",), "investigator": ("public", "restricted"),
          "admin": ("public", "restricted", "confidential")}
_TEMPLATE: dict[str, Path] = {}


def build(settings: Settings, folder: Path) -> None:
    folder.mkdir()
    for name, (text, meta) in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
        write_sidecar(folder / name, **meta)
    ingest([folder], settings)
    with Archive(settings) as archive:
        for role in ROLES:
            add_user(archive, role, role, PASSWORD)


@pytest.fixture
def home(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A fresh copy of the access tests' archive, with one user per role (ingested once per session)."""
    if "home" not in _TEMPLATE:
        template = tmp_path_factory.mktemp("access-archive")
        build(replace(settings, home=template / "home"), template / "docs")
        _TEMPLATE["home"] = template / "home"
    shutil.copytree(_TEMPLATE["home"], settings.home)
    (settings.home / "secret_key").unlink(missing_ok=True)
    return settings


@pytest.fixture
def app(home: Settings) -> Flask:
    return create_app({"TESTING": True, "ARCHIVE_SETTINGS": home, "SERVER_NAME": "archive.test"})


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, name: str, password: str = PASSWORD) -> FlaskClient:
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


@pytest.fixture
def clients(app: Flask) -> dict[str | None, FlaskClient]:
    """One test client per role, signed in by session; ``None`` is the anonymous visitor."""
    found: dict[str | None, FlaskClient] = {None: app.test_client()}
    for role in ROLES:
        found[role] = sign_in(app.test_client(), role)
    return found


@pytest.fixture
def tokens(home: Settings) -> dict[str | None, dict[str, str]]:
    """Request headers per role: a bearer token for each user, nothing for the anonymous visitor."""
    found: dict[str | None, dict[str, str]] = {None: {}}
    with Archive(home) as archive:
        for role in ROLES:
            found[role] = {"Authorization": f"Bearer {create_token(archive, role, 'tests')[1]}"}
    return found


def docs(settings: Settings) -> dict[str, Document]:
    with Archive(settings) as archive:
        return {d.original_name.removesuffix(".txt"): d for d in archive.iter_documents()}


def may_see(role: str | None, level: str) -> bool:
    return level in LEVELS[role]


def hidden_from(role: str | None) -> list[str]:
    return [word for level, words in HIDDEN_WORDS.items() if not may_see(role, level) for word in words]


def api(client: FlaskClient, url: str, headers: dict[str, str] | None = None, status: int = 200) -> dict:
    response = client.get(url, headers=headers or {})
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:300])
    return response.get_json()


def facet(body: dict, name: str) -> dict[str, int]:
    return {item["value"]: item["count"] for item in body["facets"][name]}


# -- the levels themselves -------------------------------------------------------------------------

def test_testimony_without_a_level_is_restricted_and_metadata_wins(home: Settings) -> None:
    found = docs(home)
    assert {name: d.metadata.access for name, d in found.items()} == {
        "public": "public", "appeal": "public", "witness": "restricted", "sealed": "confidential",
        "annex": "confidential"}


# -- search: results, totals, facets, snippets -----------------------------------------------------

EXPECTED_TOTALS = {None: 2, "reader": 2, "investigator": 3, "admin": 4}  # documents with "landmines"


@pytest.mark.parametrize("role", [None, *ROLES])
def test_results_and_totals_hold_only_visible_documents(clients, tokens, role: str | None) -> None:
    for client, headers in ((clients[role], {}), (clients[None], tokens[role])):
        body = api(client, "/api/search?q=landmines&limit=100", headers)
        assert body["total"] == len(body["hits"]) == EXPECTED_TOTALS[role]
        page = client.get("/?q=landmines").get_data(as_text=True) if not headers else ""
        if page:
            assert f"<strong>{EXPECTED_TOTALS[role]}</strong> documents" in page
        for word, totals in WORD_TOTALS.items():
            assert api(client, f"/api/search?q={word}", headers)["total"] == totals[role], (role, word)


@pytest.mark.parametrize("role", [None, *ROLES])
def test_facet_counts_count_only_visible_documents(clients, tokens, role: str | None) -> None:
    body = api(clients[None], "/api/search", tokens[role])
    types = facet(body, "type")
    assert types.get("testimony", 0) == {None: 0, "reader": 0, "investigator": 1, "admin": 2}[role]
    assert types.get("correspondence", 0) == (1 if role == "admin" else 0)
    assert types["report"] == 1 and types["appeal"] == 1
    articles, instruments = facet(body, "article"), facet(body, "instrument")
    assert articles.get("GCIV-147", 0) == (1 if may_see(role, "restricted") else 0)
    assert articles.get("GCIV-49-6", 0) == articles.get("GCIV-49", 0) == (1 if role == "admin" else 0)
    assert instruments.get("GCIV", 0) == {None: 0, "reader": 0, "investigator": 1, "admin": 2}[role]
    assert instruments["APMBC"] == 1 and facet(body, "year") == {
        None: {"2021": 1, "2022": 1}, "reader": {"2021": 1, "2022": 1}, "investigator": {"2021": 2, "2022": 1},
        "admin": {"2021": 2, "2022": 3}}[role]
    assert body["total"] == 2 + may_see(role, "restricted") + 2 * may_see(role, "confidential")
    tree = json.dumps(body["article_tree"])
    assert ("GCIV-49-6" in tree) == (role == "admin") and ("GCIV-147" in tree) == may_see(role, "restricted")


@pytest.mark.parametrize("role", [None, *ROLES])
def test_snippets_and_pages_never_quote_a_hidden_document(clients, role: str | None) -> None:
    for query in ("landmines", "farmers", "Aghdam", "fields", "Geneva"):
        text = clients[role].get(f"/api/search?q={query}&limit=100").get_data(as_text=True)
        page = clients[role].get(f"/?q={query}").get_data(as_text=True)
        for word in hidden_from(role):
            assert word not in text and word not in page, (role, query, word)
    if may_see(role, "restricted"):
        snippets = [p["snippet"] for h in api(clients[role], "/api/search?q=Vorpalix")["hits"] for p in h["pages"]]
        assert any("Vorpalix</mark>" in s for s in snippets), snippets


# -- did you mean ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "query", "expected"), [
    (None, "Zyxwvux", None), ("reader", "Zyxwvux", None), ("investigator", "Zyxwvux", None),
    ("admin", "Zyxwvux", "zyxwvut"),
    (None, "Vorpalex", None), ("reader", "Vorpalex", None), ("investigator", "Vorpalex", "vorpalix"),
    # Kestrelom is in three hidden documents: that must not stop Kestrelon being offered to those who see none
    (None, "Kestrelom", "kestrelon"), ("reader", "Kestrelom", "kestrelon"), ("admin", "Kestrelom", None),
])
def test_did_you_mean_uses_only_words_the_user_may_see(clients, role: str | None, query: str,
                                                       expected: str | None) -> None:
    body = api(clients[role], f"/api/search?q={query}")
    assert body["suggestion"] == expected
    page = clients[role].get(f"/?q={query}").get_data(as_text=True)
    for word in hidden_from(role):
        assert word.lower() not in page.lower().replace(query.lower(), ""), (role, query, word)


# -- more like this --------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [None, *ROLES])
def test_more_like_this_stays_within_visible_documents(clients, home: Settings, role: str | None) -> None:
    found = docs(home)
    similar = {h["id"] for h in api(clients[role], f"/api/documents/{found['public'].id}/similar")["hits"]}
    assert found["appeal"].id in similar
    for name in ("witness", "sealed", "annex"):
        visible = may_see(role, found[name].metadata.access)
        assert (found[name].id in similar) <= visible, (role, name)
    page = clients[role].get(f"/documents/{found['public'].id}").get_data(as_text=True)
    section = page[page.index('class="similar"'):page.index('class="custody"')]
    for name in ("witness", "sealed", "annex"):
        if not may_see(role, found[name].metadata.access):
            assert found[name].id not in section
    if role == "admin":
        assert found["sealed"].id in similar  # it does share the words: the filter, not chance, hides it


# -- the article browser ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", [None, *ROLES])
def test_article_counts_and_passages_follow_the_levels(clients, home: Settings, role: str | None) -> None:
    found = docs(home)
    body = api(clients[role], "/api/articles")
    gciv = next(i for i in body["instruments"] if i["id"] == "GCIV")
    expected = {None: 0, "reader": 0, "investigator": 1, "admin": 2}[role]
    assert (gciv["documents"], gciv["passages"]) == (expected, expected)
    apmbc = next(i for i in body["instruments"] if i["id"] == "APMBC")
    assert (apmbc["documents"], apmbc["passages"]) == (1, 1)
    article = api(clients[role], "/api/articles/GCIV-147")
    assert article["total"] == article["documents"] == int(may_see(role, "restricted"))
    assert api(clients[role], "/api/articles/GCIV-49")["total"] == int(role == "admin")
    for url in ("/articles", "/articles/GCIV", "/articles/GCIV-49", "/articles/GCIV-147"):
        page = clients[role].get(url).get_data(as_text=True)
        for name in ("witness", "sealed", "annex"):
            if not may_see(role, found[name].metadata.access):
                assert found[name].control_number not in page and found[name].id not in page, (url, name)
        for word in hidden_from(role):
            assert word not in page


# -- exports and citations -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl", "csl-json", "bibtex", "ris"])
@pytest.mark.parametrize("role", [None, "investigator", "admin"])
def test_exports_in_every_format_hold_only_visible_documents(clients, tokens, home: Settings, fmt: str,
                                                              role: str | None) -> None:
    found = docs(home)
    for client, url, headers in ((clients[role], f"/export/{fmt}?q=landmines", {}),
                                 (clients[None], f"/api/export?format={fmt}&q=landmines", tokens[role])):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        for name, document in found.items():
            expected = may_see(role, document.metadata.access) and name != "annex"  # the annex has no landmines
            assert (document.control_number in text) == expected, (role, fmt, name)
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
            assert len(rows) == EXPECTED_TOTALS[role]
            # a spreadsheet of restricted documents says which they are, as the JSON Lines export does
            levels = {document.control_number: document.metadata.access for document in found.values()}
            assert [row["access"] for row in rows] == [levels[row["control_number"]] for row in rows]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "ris"])
def test_an_export_goes_to_its_end_and_records_what_it_sent_when_a_document_is_hidden_while_it_is_sent(
        clients, home: Settings, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.setattr("archive.exports.BATCH", 1)  # one document a batch: the second is read while the first is sent
    first, second = (hit["control_number"] for hit in api(clients[None], "/api/search?q=landmines")["hits"])
    hidden = next(d for d in docs(home).values() if d.control_number == second)
    by_id = {d.id: d.control_number for d in docs(home).values()}
    response = clients[None].get(f"/export/{fmt}?q=landmines")  # recorded, and its first part written
    assert response.status_code == 200
    statuses: list[int] = []

    def hide() -> None:  # in a thread of its own, as on a server: the suspended stream keeps its contexts pushed in
        page = clients["admin"].get(f"/documents/{hidden.id}").get_data(as_text=True)  # this one, to share them
        statuses.append(clients["admin"].post(f"/documents/{hidden.id}/access",
                                              data={"level": "confidential", "csrf_token": csrf_of(page)}).status_code)

    admin = threading.Thread(target=hide)
    admin.start()
    admin.join()
    assert statuses == [302]
    text = response.get_data(as_text=True)  # raised DocumentNotFoundError half-way: a download cut short
    assert first in text and second not in text
    if fmt == "ris":
        assert text.rstrip().endswith("ER  -")
    with Archive(home) as archive:
        recorded = [by_id[doc_id] for event in archive.events() if event.action == "exported"
                    for doc_id in event.details["documents"]]
    assert recorded == [first]  # the custody ledger listed the hidden document as exported, though it was not sent


def test_an_export_lists_only_what_the_catalog_shows_when_the_index_lags_it(clients, home: Settings) -> None:
    """Between an access change's catalog commit and its index commit, the index still says public."""
    found = docs(home)
    with Archive(home) as archive:
        archive.set_access(found["public"].id, "confidential", actor="admin")  # the catalog's half of the change
    response = clients[None].get("/export/jsonl?q=landmines")
    assert response.status_code == 200
    assert [json.loads(line)["id"] for line in response.get_data(as_text=True).splitlines()] == [found["appeal"].id]
    with Archive(home) as archive:
        exported = [e for e in archive.events() if e.action == "exported"][-1]
    assert exported.details["documents"] == [found["appeal"].id] and exported.details["count"] == 1


def test_one_visitor_may_make_only_so_many_exports_and_a_refused_one_records_nothing(home: Settings) -> None:
    """Each export is a custody event: a loop of anonymous exports grew the append-only ledger without end."""
    app = create_app({"TESTING": True, "ARCHIVE_SETTINGS": replace(home, export_limit=2, export_window=600)})
    anonymous, other_address, reader = app.test_client(), app.test_client(), sign_in(app.test_client(), "reader")
    with Archive(home) as archive:
        before = len(archive.events())
    assert anonymous.get("/export/csv?q=landmines").status_code == 200
    assert anonymous.get("/api/export?format=jsonl&q=landmines").status_code == 200  # one count for both routes
    assert anonymous.get("/export/nonsense").status_code == 400  # refused before it counts
    assert anonymous.get("/export/csv?q=%22unclosed").status_code == 400  # so is a query that cannot run
    assert anonymous.head("/export/csv?q=landmines").status_code == 200  # nothing sent, nothing counted
    refused = anonymous.get("/export/ris?q=landmines")
    text = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 429 and "Too many exports" in text and "try again in 10 minutes" in text
    assert 590 <= int(refused.headers["Retry-After"]) <= 601
    api_refused = anonymous.get("/api/export?format=csv")
    assert api_refused.status_code == 429 and api_refused.get_json()["status"] == 429
    assert reader.get("/export/csv?q=landmines").status_code == 200  # a user is counted by name
    assert other_address.get("/export/csv", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200
    with Archive(home) as archive:
        exported = [e for e in archive.events()[before:] if e.action == "exported"]
    assert len(exported) == 4  # two anonymous, the reader's, the other address's: none for the refused ones


def test_an_export_limit_of_zero_is_no_limit(home: Settings) -> None:
    client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": replace(home, export_limit=0)}).test_client()
    assert all(client.get("/export/csv?q=landmines").status_code == 200 for _ in range(40))


def test_an_export_through_the_api_names_its_token_in_the_custody_ledger(clients, home: Settings) -> None:
    """Two tokens of one user are told apart: the one to revoke after a leak is the one the ledger names."""
    with Archive(home) as archive:
        laptop, laptop_secret = create_token(archive, "investigator", "laptop")
        create_token(archive, "investigator", "server")
    clients[None].get("/api/export?format=csv&q=landmines", headers={"Authorization": f"Bearer {laptop_secret}"})
    clients["investigator"].get("/api/export?format=csv&q=landmines")  # signed in: no token to name
    with Archive(home) as archive:
        by_token, by_session = [e for e in archive.events() if e.action == "exported"][-2:]
    assert (by_token.actor, by_token.details["token"]) == ("investigator", laptop.id)
    assert by_session.actor == "investigator" and "token" not in by_session.details


@pytest.mark.parametrize("role", [None, *ROLES])
def test_citations_of_hidden_documents_are_404s(clients, tokens, home: Settings, role: str | None) -> None:
    for document in docs(home).values():
        status = 200 if may_see(role, document.metadata.access) else 404
        for fmt in ("ris", "bibtex", "csl-json"):
            assert clients[role].get(f"/documents/{document.id}/cite.{fmt}").status_code == status
        api(clients[None], f"/api/documents/{document.id}/citation", tokens[role], status)


# -- documents, pages, originals, the API ----------------------------------------------------------

DOCUMENT_URLS = ("", "/pages/1", "/original", "/download", "/cite.ris")
API_URLS = ("", "/pages", "/pages/1", "/references", "/custody", "/similar", "/citation")


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_document_channel_is_a_404_outside_the_levels(clients, tokens, home: Settings,
                                                             role: str | None) -> None:
    for name, document in docs(home).items():
        visible = may_see(role, document.metadata.access)
        for key in (document.id, document.control_number, document.sha256):
            for suffix in DOCUMENT_URLS:
                response = clients[role].get(f"/documents/{key}{suffix}")
                assert response.status_code == (200 if visible else 404), (role, name, suffix)
                response.close()
        for suffix in API_URLS:
            for client, headers in ((clients[role], {}), (clients[None], tokens[role])):
                body = api(client, f"/api/documents/{document.id}{suffix}", headers, 200 if visible else 404)
                if not visible:
                    assert body == {"ok": False, "status": 404, "error": body["error"]}
                    assert document.title not in body["error"]


@pytest.mark.parametrize("role", [None, *ROLES])
def test_the_original_and_download_links_the_api_gives_work_with_its_token(app: Flask, tokens, home: Settings,
                                                                            role: str | None) -> None:
    """A script holding a token follows the API's own links to the original; they answered it 404 ("no document
    here") for every document beyond public, as if it were anonymous."""
    client = app.test_client()
    public = docs(home)["public"]
    links = api(client, f"/api/documents/{public.id}", tokens[role])
    for document in docs(home).values():
        visible = may_see(role, document.metadata.access)
        for link in ("original", "download"):
            url = links[link].replace(public.id, document.id)
            with client.get(url, headers=tokens[role]) as response:
                assert response.status_code == (200 if visible else 404), (role, document.original_name, link)
                if visible:
                    with Archive(home) as archive:
                        assert response.data == archive.object_path(document.sha256).read_bytes()
                        event = archive.events(document.id)[-1]
                    if role is not None:
                        assert (event.action, event.actor) == ("downloaded", role) and event.details["token"]


def test_a_bad_token_on_a_download_link_is_a_401_not_an_anonymous_download(app: Flask, home: Settings) -> None:
    public = docs(home)["public"]
    response = app.test_client().get(f"/documents/{public.id}/download", headers={"Authorization": "Bearer made-up"})
    assert response.status_code == 401 and "evidence tokens create" in response.get_data(as_text=True)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")  # what a 401 must say (RFC 9110)


def test_bad_or_revoked_tokens_are_401s_in_the_error_shape(app: Flask, home: Settings) -> None:
    client = app.test_client()
    with Archive(home) as archive:
        token, secret = create_token(archive, "investigator")
    witness = docs(home)["witness"]
    assert client.get(f"/api/documents/{witness.id}", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    with Archive(home) as archive:
        remove_user(archive, "investigator")
    for header in (f"Bearer {secret}", "Bearer made-up", "Basic dXNlcjpwYXNz", "Bearer "):
        response = client.get("/api/search", headers={"Authorization": header})
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        body = response.get_json()
        assert body["ok"] is False and body["status"] == 401 and "evidence tokens create" in body["error"]


def test_a_removed_user_is_signed_out(app: Flask, home: Settings) -> None:
    client = sign_in(app.test_client(), "investigator")
    witness = docs(home)["witness"]
    assert client.get(f"/documents/{witness.id}").status_code == 200
    with Archive(home) as archive:
        remove_user(archive, "investigator")
    assert client.get(f"/documents/{witness.id}").status_code == 404
    assert "Signed in as" not in client.get("/").get_data(as_text=True)


# -- access changes --------------------------------------------------------------------------------

def test_admin_changes_access_and_the_document_leaves_search_at_once(clients, home: Settings) -> None:
    public = docs(home)["public"]
    assert api(clients[None], "/api/search?q=Kestrelon")["total"] == 1
    page = clients["admin"].get(f"/documents/{public.id}").get_data(as_text=True)
    assert 'class="access-form"' in page
    response = clients["admin"].post(f"/documents/{public.id}/access",
                                     data={"level": "confidential", "csrf_token": csrf_of(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/documents/{public.id}")
    assert api(clients[None], "/api/search?q=Kestrelon")["total"] == 0
    assert api(clients["investigator"], "/api/search?q=Kestrelon")["total"] == 0
    assert "APMBC" not in facet(api(clients[None], "/api/search"), "instrument")
    assert clients[None].get(f"/documents/{public.id}").status_code == 404
    assert api(clients["admin"], "/api/search?q=Kestrelon")["total"] == 1
    with Archive(home) as archive:
        event = archive.events(public.id)[-1]
        assert archive.get_document(public.id).metadata.access == "confidential"
    assert (event.action, event.actor, event.details) == ("access-changed", "admin",
                                                           {"from": "public", "to": "confidential"})
    assert event.at.startswith("20")
    timeline = clients["admin"].get(f"/documents/{public.id}").get_data(as_text=True)
    assert "access-changed" in timeline and "is now confidential" in timeline


def test_an_access_change_comes_back_to_the_document_as_it_was_opened_from_the_results(clients, home: Settings) -> None:
    """The document page an admin changes the level on keeps its query marked and its way back to the results."""
    public = docs(home)["public"]
    opened = f"/documents/{public.id}?q=Kestrelon&back=type%3Dreport%26sort%3Ddate"
    page = clients["admin"].get(opened).get_data(as_text=True)
    action = html.unescape(re.search(r'class="access-form" action="([^"]+)"', page).group(1))
    response = clients["admin"].post(action, data={"level": "restricted", "csrf_token": csrf_of(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith(opened)
    after = clients["admin"].get(response.headers["Location"]).get_data(as_text=True)
    assert "is now restricted" in after
    assert '<a href="/?q=Kestrelon&amp;type=report&amp;sort=date">← Search</a>' in after
    assert "<mark" in after


def test_a_document_made_confidential_leaves_search_the_moment_the_catalog_records_it(
        home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the moment the catalog (and its custody event) holds the narrower level, no search finds the document
    at the old level: the served index (the web app's, open meanwhile) is searched right after that commit, before
    the index has followed."""
    public = docs(home)["public"]
    totals: list[int] = []
    commit_to_catalog = Archive.set_access

    def set_access_then_search(self: Archive, key: str, level: str, *, actor: str | None = None) -> Any:
        changed = commit_to_catalog(self, key, level, actor=actor)
        totals.append(served.search(SearchRequest(query="Kestrelon")).total)
        totals.append(served.search(SearchRequest(query="Kestrelon", access=ACCESS_LEVELS)).total)
        return changed

    monkeypatch.setattr(Archive, "set_access", set_access_then_search)
    with Archive(home) as served_catalog, open_search(home, served_catalog) as served, Archive(home) as archive, \
            open_index(home.index_dir, create=False) as index:
        assert served.search(SearchRequest(query="Kestrelon")).total == 1
        change = change_access(archive, index, public.id, "confidential", actor="admin")
        assert (change.before, change.indexed, change.pending) == ("public", True, "")
        # Before the index followed: left out even at the new level (the index still says public), then found again.
        assert totals == [0, 0]  # [1, 1] without the catalog's withheld list: a public result the ledger says is hidden
        assert served.search(SearchRequest(query="Kestrelon", access=ACCESS_LEVELS)).total == 1
        assert served.search(SearchRequest(query="Kestrelon")).total == 0
        assert archive.unindexed_ids() == [] and archive.withheld_ids() == frozenset()
        change_access(archive, index, public.id, "public", actor="admin")  # widening: found at the old level meanwhile
        assert totals == [0, 0, 0, 1] and served.search(SearchRequest(query="Kestrelon")).total == 1


def test_a_search_whose_searcher_predates_the_index_catching_up_still_leaves_the_document_out(
        home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The list of withheld documents is read before the searcher is taken: read after it, the index could catch
    up in between, the list come back empty and the old searcher show the document at its old level (4 anonymous
    searches in 17,000 did during a batch)."""
    public = docs(home)["public"]
    caught_up: list[int] = []
    opened = SearchIndex.searcher

    def searcher_then_the_index_catches_up(self: SearchIndex) -> Any:
        searcher = opened(self)
        if self is served and not caught_up:  # the batch commits the new level and clears the catalog's mark
            caught_up.append(apply_access_changes(admin_side, index))
        return searcher

    with Archive(home) as served_catalog, open_search(home, served_catalog) as served, Archive(home) as admin_side, \
            open_index(home.index_dir, create=False) as index:
        assert served.search(SearchRequest(query="Kestrelon")).total == 1  # its searcher is open, at public
        admin_side.set_access(public.id, "confidential", actor="admin")  # the catalog only: a batch holds the index
        monkeypatch.setattr(SearchIndex, "searcher", searcher_then_the_index_catches_up)
        assert served.search(SearchRequest(query="Kestrelon")).total == 0
        assert caught_up == [1] and admin_side.withheld_ids() == frozenset()
        assert served.search(SearchRequest(query="Kestrelon")).total == 0  # a new searcher, at the new level


def test_a_narrowing_the_index_cannot_follow_leaves_the_document_out_of_every_search_until_it_does(
        home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog's change stands (it is the record, with its custody event); the index failing to follow hides
    the document rather than showing it at its old level, and the next batch indexes it at the new one."""
    public = docs(home)["public"]

    def full(self: Any, **options: Any) -> None:  # the segment's files closed, nothing committed: a full disk
        self.cancel()
        raise OSError(errno.ENOSPC, "No space left on device")

    with Archive(home) as archive, open_search(home, archive) as index:
        with monkeypatch.context() as patched:
            patched.setattr(SegmentWriter, "commit", full)  # Whoosh's own commit, under the archive's handling
            with pytest.raises(StorageError):
                change_access(archive, index, public.id, "confidential", actor="admin")
        assert archive.get_document(public.id).metadata.access == "confidential"
        assert archive.events(public.id)[-1].details == {"from": "public", "to": "confidential"}
        for levels in (("public",), ACCESS_LEVELS):
            assert index.search(SearchRequest(query="Kestrelon", access=levels)).total == 0
        assert index.search(SearchRequest(query="Kestrelonn")).suggestion is None  # "kestrelon" before the change
        others = index.more_like_this(docs(home)["appeal"].id, ACCESS_LEVELS, limit=10)
        assert public.id not in {hit.doc_id for hit in others}
        assert index.more_like_this(public.id, ACCESS_LEVELS) == ()
        assert archive.withheld_ids() == {public.id} and archive.access_changed_ids() == [public.id]
    ingest([], home)  # the next batch indexes it again, at the level the catalog keeps
    with Archive(home) as archive, open_search(home, archive) as index:
        assert index.search(SearchRequest(query="Kestrelon")).total == 0
        assert index.search(SearchRequest(query="Kestrelon", access=ACCESS_LEVELS)).total == 1
        assert archive.withheld_ids() == frozenset() and archive.access_changed_ids() == []


def test_a_running_batch_takes_in_an_access_change_made_meanwhile(home: Settings,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch's index feed looks for access changes as it goes and commits them before the batch ends."""
    monkeypatch.setattr("archive.ingest.ACCESS_CHECK_SECONDS", 0)  # it looks every 2 s
    public = docs(home)["public"]
    with Archive(home) as batch_catalog, open_search(home, batch_catalog) as index, \
            IndexFeed(batch_catalog, index) as feed:
        feed.follow_access_changes()  # nothing changed: nothing committed
        with Archive(home) as admin_side:  # another process's connection: the web app's
            admin_side.set_access(public.id, "restricted", actor="admin")
            assert index.search(SearchRequest(query="Kestrelon", access=ACCESS_LEVELS)).total == 0
        feed.follow_access_changes()
        assert index.search(SearchRequest(query="Kestrelon", access=ACCESS_LEVELS)).total == 1  # before the end
        assert index.search(SearchRequest(query="Kestrelon")).total == 0
        assert batch_catalog.access_changed_ids() == [] and batch_catalog.unindexed_ids() == []


def test_a_document_of_the_batch_not_yet_committed_whose_access_changes_is_indexed_once_at_its_new_level(
        home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-adding it to the open writer would keep both entries (Whoosh deletes only committed ones): the old
    level's too, and the catalog would have called it up to date."""
    monkeypatch.setattr("archive.ingest.ACCESS_CHECK_SECONDS", 0)
    with Archive(home) as catalog, open_search(home, catalog) as index, IndexFeed(catalog, index) as feed:
        late = catalog.add_document(_extraction(tmp_path / "late.txt", "A late report naming Wrenfallow."), "late")
        feed.add(late.id)  # in the batch's open writer, not committed yet
        with Archive(home) as admin_side:
            admin_side.set_access(late.id, "confidential", actor="admin")
        feed.follow_access_changes()
        assert index.search(SearchRequest(query="Wrenfallow", access=ACCESS_LEVELS)).total == 1
        assert index.search(SearchRequest(query="Wrenfallow")).total == 0
        entries = index.searcher().search(Term("doc_id", late.id), limit=None)
        assert sorted(hit["access"] for hit in entries) == ["confidential", "confidential"]  # its document, its page
        assert catalog.withheld_ids() == frozenset() and catalog.unindexed_ids() == []


def test_an_access_change_read_by_a_writer_before_it_changed_is_not_marked_indexed(home: Settings) -> None:
    """A writer that read the old level (a rebuild, a batch) must not mark the document up to date after the
    change: the index holds the old level."""
    public = docs(home)["public"]
    with Archive(home) as archive:
        archive.set_access(public.id, "confidential", actor="admin")
        archive.mark_indexed([(public.id, "public")])  # what a writer that read it before the change would say
        assert archive.withheld_ids() == {public.id} and archive.unindexed_ids() == [public.id]
        archive.mark_indexed([(public.id, "confidential")])
        assert archive.withheld_ids() == frozenset() and archive.unindexed_ids() == []


@pytest.mark.slow
def test_an_admin_restricts_a_document_while_a_batch_runs(home: Settings, clients, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The change is not refused: it is in force for searches at once and the running batch re-indexes it."""
    monkeypatch.setattr("archive.store.WRITER_WAIT", 0.3)
    public = docs(home)["public"]
    (tmp_path / "batch").mkdir()
    folder = write_statement_batch(tmp_path / "batch", 600)
    process = subprocess.Popen([sys.executable, "-m", "archive", "--home", str(home.home), "ingest", "--quiet",
                                "--workers", "2", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        deadline = time.monotonic() + 60
        while stored_documents(home.home) < len(DOCUMENTS) + 5 and process.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.005)
        with Archive(home) as archive:
            assert archive.writer_active(), "the batch finished before the change; make it larger"
        page = clients["admin"].get(f"/documents/{public.id}").get_data(as_text=True)
        response = clients["admin"].post(f"/documents/{public.id}/access", follow_redirects=True,
                                         data={"level": "confidential", "csrf_token": csrf_of(page)})
        assert response.status_code == 200
        said = html.unescape(response.get_data(as_text=True))
        assert "is now confidential; a batch (or a reindex) is writing to the archive and re-indexes it as it goes; " \
               "searches leave it out until then" in said
        assert api(clients[None], "/api/search?q=Kestrelon")["total"] == 0  # at once, during the batch
        assert clients[None].get(f"/documents/{public.id}").status_code == 404
        _, err = process.communicate(timeout=120)
        assert process.returncode == 3, err  # broken.pdf
    finally:
        if process.poll() is None:
            process.kill()
    assert api(clients[None], "/api/search?q=Kestrelon")["total"] == 0
    assert api(clients["admin"], "/api/search?q=Kestrelon")["total"] == 1  # the batch re-indexed it
    with Archive(home) as archive:
        assert archive.access_changed_ids() == [] and archive.unindexed_ids() == []
        assert verify(archive).ok


def test_only_admins_change_access(clients, home: Settings) -> None:
    found = docs(home)
    for role in (None, "reader", "investigator"):
        page = clients[role].get(f"/documents/{found['public'].id}").get_data(as_text=True)
        assert 'class="access-form"' not in page
        token = csrf_of(clients[role].get("/login").get_data(as_text=True))
        forbidden = clients[role].post(f"/documents/{found['public'].id}/access",
                                       data={"level": "confidential", "csrf_token": token})
        assert forbidden.status_code == 403 and b"only an admin may change access levels" in forbidden.data
        hidden = clients[role].post(f"/documents/{found['sealed'].id}/access",
                                    data={"level": "public", "csrf_token": token})
        assert hidden.status_code == 404  # not 403: its existence does not leak
    assert docs(home)["public"].metadata.access == "public" and docs(home)["sealed"].metadata.access == "confidential"


# -- CSRF, sessions, cookies, lock-out -------------------------------------------------------------

def test_forms_without_the_csrf_token_are_refused(clients, home: Settings) -> None:
    public = docs(home)["public"]
    for data in ({"level": "restricted"}, {"level": "restricted", "csrf_token": "forged"}):
        response = clients["admin"].post(f"/documents/{public.id}/access", data=data)
        assert response.status_code == 400 and b"reload the page" in response.data
    assert docs(home)["public"].metadata.access == "public"
    assert clients["admin"].post("/logout").status_code == 400
    assert "Signed in as <strong>admin</strong>" in clients["admin"].get("/").get_data(as_text=True)
    fresh = clients[None]
    assert fresh.post("/login", data={"name": "admin", "password": PASSWORD}).status_code == 400
    assert clients["admin"].post("/ingest", data={}).status_code == 400


def multipart(content: bytes, name: str = "big.pdf", csrf: str = "") -> bytes:
    """A multipart body uploading one file (``files``), with a CSRF token if one is given (boundary ``b``)."""
    token = f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'.encode() if csrf else b""
    part = f'--b\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'.encode()
    return token + part + content + b"\r\n--b--\r\n"


class CountingStream(io.BytesIO):
    """A request body, counting what the server read of it."""

    consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data


@pytest.mark.parametrize(("role", "path"), [(None, "/login"), (None, "/ingest"), ("reader", "/logout"),
                                            ("investigator", "/ingest"), ("admin", "/documents/x/access")])
def test_a_large_body_is_refused_unread_except_an_admins_upload(clients, role: str | None, path: str) -> None:
    """A form is a few hundred bytes: the server read (and spooled to disk) up to a gigabyte from anyone, to refuse
    it afterwards for its missing CSRF token."""
    body = CountingStream(multipart(b"x" * 20 * 1024 * 1024))
    response = clients[role].post(path, input_stream=body, content_length=len(body.getvalue()),
                                  content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413 and body.consumed == 0


def test_a_smaller_limit_in_the_apps_config_still_holds_for_forms(home: Settings) -> None:
    app = create_app({"TESTING": True, "ARCHIVE_SETTINGS": home, "MAX_CONTENT_LENGTH": 10_000})
    body = CountingStream(multipart(b"x" * 20_000))
    response = app.test_client().post("/login", input_stream=body, content_length=len(body.getvalue()),
                                      content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413 and body.consumed == 0


def test_an_admin_still_uploads_a_file_larger_than_a_form(clients, home: Settings) -> None:
    admin = clients["admin"]
    token = csrf_of(admin.get("/ingest").get_data(as_text=True))
    big = ("Landmines near Aghdam. " * 100_000).encode()  # 2.3 MB
    response = admin.post("/ingest", data=multipart(big, "big-report.txt", token),
                          content_type="multipart/form-data; boundary=b")
    assert response.status_code == 200 and "ingested" in response.get_data(as_text=True)


def test_bearer_api_calls_need_no_csrf_token(clients, tokens) -> None:
    response = clients[None].post("/api/search", headers=tokens["admin"])
    assert response.status_code == 405  # the route's answer, not a CSRF refusal


def test_logout_ends_the_session(clients, home: Settings) -> None:
    page = clients["investigator"].get("/").get_data(as_text=True)
    assert "Signed in as <strong>investigator</strong>" in page
    assert clients["investigator"].post("/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    assert clients["investigator"].get(f"/documents/{docs(home)['witness'].id}").status_code == 404


def test_a_copy_of_the_cookie_stops_working_at_sign_out(app: Flask, home: Settings) -> None:
    client = sign_in(app.test_client(), "investigator")
    copied = client.get_cookie("evidence_session", domain="archive.test").value
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_of(page)}).status_code == 302
    other = app.test_client()
    other.set_cookie("evidence_session", copied, domain="archive.test")
    assert other.get(f"/documents/{docs(home)['witness'].id}").status_code == 404
    assert sign_in(app.test_client(), "investigator").get(f"/documents/{docs(home)['witness'].id}").status_code == 200


def test_session_cookie_is_httponly_lax_and_secure_over_https(app: Flask) -> None:
    plain = app.test_client()
    token = csrf_of(plain.get("/login").get_data(as_text=True))
    cookie = plain.post("/login", data={"name": "reader", "password": PASSWORD, "csrf_token": token}) \
        .headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    login = secure.get("/login", base_url="https://archive.test")
    assert "Secure" in login.headers["Set-Cookie"]
    response = secure.post("/login", base_url="https://archive.test", data={
        "name": "reader", "password": PASSWORD, "csrf_token": csrf_of(login.get_data(as_text=True))})
    assert response.status_code == 302
    assert all(flag in response.headers["Set-Cookie"] for flag in ("Secure", "HttpOnly", "SameSite=Lax"))


def test_signed_in_pages_are_not_cached_by_others(clients) -> None:
    assert clients["reader"].get("/").headers["Cache-Control"] == "private, no-store"
    assert "no-store" not in clients[None].get("/").headers.get("Cache-Control", "")


def test_secret_key_is_kept_in_the_home_readable_by_its_owner_only(home: Settings) -> None:
    first = create_app({"ARCHIVE_SETTINGS": home})
    key_file = home.home / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert create_app({"ARCHIVE_SETTINGS": home}).secret_key == first.secret_key == key_file.read_text().strip()
    assert create_app({"ARCHIVE_SETTINGS": home, "SECRET_KEY": "given"}).secret_key == "given"


def test_wrong_password_and_unknown_name_answer_alike_then_the_account_locks(home: Settings) -> None:
    app = create_app({"TESTING": True, "ARCHIVE_SETTINGS": replace(home, login_attempts=3)})
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))

    def attempt(name: str, password: str):
        return client.post("/login", data={"name": name, "password": password, "csrf_token": token})

    wrong, unknown = attempt("reader", "not the password"), attempt("nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert b"name or password is wrong" in wrong.data and b"name or password is wrong" in unknown.data
    attempt("reader", "still wrong")
    attempt("reader", "wrong again")
    locked = attempt("reader", PASSWORD)
    assert locked.status_code == 429
    assert b"is locked after too many failed logins; try again in 15 minutes" in locked.data
    assert attempt("admin", PASSWORD).status_code == 302  # other accounts are not locked


def test_login_redirects_only_within_the_site(app: Flask) -> None:
    # a tab or newline inside "/\t/evil.example" is dropped on the way to the Location header (and by browsers)
    for target, expected in (("/articles", "/articles"), ("//evil.example/", "/"), ("https://evil.example", "/"),
                             ("/\t/evil.example", "/"), ("/\n/evil.example", "/"), ("/\r\n/x", "/")):
        client = app.test_client()
        token = csrf_of(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"name": "reader", "password": PASSWORD, "csrf_token": token,
                                               "next": target})
        assert response.headers["Location"] == expected


# -- audit -----------------------------------------------------------------------------------------

def test_a_head_request_views_and_downloads_nothing(clients, tokens, home: Settings) -> None:
    """A download manager sends HEAD before GET: the original was recorded as sent twice, once with no body."""
    witness = docs(home)["witness"]
    for url in (f"/documents/{witness.id}", f"/documents/{witness.id}/pages/1", f"/documents/{witness.id}/download",
                f"/documents/{witness.id}/original"):
        response = clients["investigator"].head(url)
        response.close()  # as a server does: an original's file is closed with the response
        assert response.status_code == 200
    assert clients[None].head(f"/api/documents/{witness.id}", headers=tokens["investigator"]).status_code == 200
    with Archive(home) as archive:
        assert [e for e in archive.events(witness.id) if e.action in ("viewed", "downloaded")] == []
    clients["investigator"].get(f"/documents/{witness.id}/download").close()
    with Archive(home) as archive:
        assert [e.action for e in archive.events(witness.id) if e.action == "downloaded"] == ["downloaded"]


def test_a_not_modified_answer_downloads_nothing_and_a_part_of_the_file_is_recorded(clients, home: Settings) -> None:
    """A 304 sends no byte (the client's copy is current): it was recorded as a download of the original."""
    witness = docs(home)["witness"]
    current = {"If-None-Match": f'"{witness.sha256}"'}
    for view in ("download", "original"):
        with clients["investigator"].get(f"/documents/{witness.id}/{view}", headers=current) as response:
            assert response.status_code == 304 and not response.data
    with Archive(home) as archive:
        assert [e for e in archive.events(witness.id) if e.action == "downloaded"] == []
    with clients["investigator"].get(f"/documents/{witness.id}/download", headers={"Range": "bytes=0-9"}) as response:
        assert response.status_code == 206 and len(response.data) == 10  # some bytes were sent: recorded
    with Archive(home) as archive:
        assert [e.actor for e in archive.events(witness.id) if e.action == "downloaded"] == ["investigator"]


def test_views_and_downloads_by_signed_in_users_are_custody_events(clients, tokens, home: Settings) -> None:
    found = docs(home)
    witness, public = found["witness"], found["public"]
    clients["investigator"].get(f"/documents/{witness.id}")
    clients["investigator"].get(f"/documents/{witness.id}/pages/1")
    clients[None].get(f"/api/documents/{witness.id}/pages", headers=tokens["investigator"])
    clients["investigator"].get(f"/documents/{public.id}")  # public: not an audited view
    clients["reader"].get(f"/documents/{public.id}/download").close()
    clients["reader"].get(f"/documents/{public.id}/original").close()
    with Archive(home) as archive:
        views = [e for e in archive.events(witness.id) if e.action == "viewed"]
        public_events = archive.events(public.id)
    assert [(e.actor, e.details["what"]) for e in views] == [
        ("investigator", "document"), ("investigator", "page 1"), ("investigator", "api pages")]
    assert views[-1].details["token"] and views[0].details["access"] == "restricted"
    assert not [e for e in public_events if e.action == "viewed"]
    downloads = [e for e in public_events if e.action == "downloaded"]
    assert [(e.actor, e.details.get("inline", False)) for e in downloads] == [("reader", False), ("reader", True)]


def test_an_anonymous_visitors_downloads_and_exports_are_not_recorded_as_the_archives_own(clients, home: Settings
                                                                                        ) -> None:
    """They were recorded under ``ARCHIVE_ACTOR`` (the staff name the server runs as), so the ledger showed the
    archive's own staff downloading and exporting what an unknown visitor took."""
    public = docs(home)["public"]
    clients[None].get(f"/documents/{public.id}/download").close()
    assert clients[None].get("/export/csv?q=landmines").status_code == 200
    with Archive(home) as archive:
        taken = [e for e in archive.events() if e.action in ("downloaded", "exported")]
    assert [(e.action, e.actor) for e in taken] == [("downloaded", ANONYMOUS_ACTOR), ("exported", ANONYMOUS_ACTOR)]
    assert home.actor != ANONYMOUS_ACTOR


def test_views_are_not_recorded_when_audit_views_is_off(home: Settings) -> None:
    app = create_app({"TESTING": True, "ARCHIVE_SETTINGS": replace(home, audit_views=False)})
    witness = docs(home)["witness"]
    sign_in(app.test_client(), "investigator").get(f"/documents/{witness.id}")
    with Archive(home) as archive:
        assert "viewed" not in {e.action for e in archive.events(witness.id)}


def test_audit_events_are_shown_to_admins_only(clients, tokens, home: Settings) -> None:
    witness = docs(home)["witness"]
    clients["investigator"].get(f"/documents/{witness.id}")
    timeline = clients["investigator"].get(f"/documents/{witness.id}").get_data(as_text=True)
    assert ">ingested<" in timeline and ">viewed<" not in timeline
    actions = {e["action"] for e in api(clients[None], f"/api/documents/{witness.id}/custody",
                                        tokens["investigator"])["events"]}
    assert "viewed" not in actions and "ingested" in actions
    admin_page = clients["admin"].get(f"/documents/{witness.id}").get_data(as_text=True)
    assert ">viewed<" in admin_page and "by investigator" in admin_page
    audit = clients["admin"].get("/audit").get_data(as_text=True)
    assert "investigator" in audit and witness.control_number in audit
    assert clients["investigator"].get("/audit").status_code == 403
    assert clients[None].get("/audit").status_code == 403


def test_the_audit_trail_shows_details_as_words_not_python(clients, home: Settings) -> None:
    """An export's filters and an inline view of an original read as a person writes them, not as Python prints
    them (``{'type': ['report']}``, ``True``)."""
    public = docs(home)["public"]
    for url in ("/export/csv?q=Kestrelon&type=report&type=appeal", f"/documents/{public.id}/original"):
        with clients["admin"].get(url) as response:
            assert response.status_code == 200 and response.get_data()
    audit = html.unescape(clients["admin"].get("/audit").get_data(as_text=True))
    assert "filters: type=report, type=appeal" in audit and "query: Kestrelon" in audit
    assert "inline: yes" in audit
    assert "{'" not in audit and "['" not in audit and ": True" not in audit


@pytest.mark.parametrize("role", [None, *ROLES])
def test_the_folder_a_file_came_from_and_who_acted_are_shown_only_beyond_public(clients, tokens, home: Settings,
                                                                  role: str | None) -> None:
    public = docs(home)["public"]
    events = api(clients[None], f"/api/documents/{public.id}/custody", tokens[role])["events"]
    [received] = [e for e in events if e["action"] == "received"]
    with Archive(home) as archive:
        [stored] = [e for e in archive.events(public.id) if e.action == "received"]
    assert Path(stored.details["path"]).is_absolute()  # the archive keeps the whole path
    shown = received["details"]["path"]
    assert shown == (stored.details["path"] if role in ("investigator", "admin") else "public.txt")
    assert received["details"]["sha256"] == stored.details["sha256"]
    # nor are the archive's staff named to them (a name is half of a password guess)
    assert received["actor"] == (stored.actor if role in ("investigator", "admin") else "archive staff")
    page = clients[None].get(f"/documents/{public.id}").get_data(as_text=True)
    assert "by archive staff" in page and f"by {stored.actor}<" not in page


# -- ingest through the web ------------------------------------------------------------------------

def test_admin_ingests_through_the_web_as_the_actor(clients, home: Settings) -> None:
    page = clients["admin"].get("/ingest").get_data(as_text=True)
    data = {
        "csrf_token": csrf_of(page),
        "files": [(io.BytesIO(b"Testimony naming Brambleford, a victim of shelling."), "new witness.txt"),
                  (io.BytesIO(json.dumps({"type": "testimony"}).encode()), "new witness.meta.json"),
                  (io.BytesIO(DOCUMENTS["appeal.txt"][0].encode()), "appeal copy.txt")],
    }
    response = clients["admin"].post("/ingest", data=data, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "new witness.txt" in text and "duplicate" in text
    assert api(clients["investigator"], "/api/search?q=Brambleford")["total"] == 1  # restricted by its type
    assert api(clients[None], "/api/search?q=Brambleford")["total"] == 0
    with Archive(home) as archive:
        added = next(d for d in archive.iter_documents() if d.original_name == "new witness.txt")
        assert {e.actor for e in archive.events(added.id)} == {"admin"}
    assert not list((home.home / "uploads").iterdir())  # the upload folder is removed
    for role in (None, "reader", "investigator"):
        assert clients[role].get("/ingest").status_code == 403
        assert "Ingest</a>" not in clients[role].get("/").get_data(as_text=True)


def test_web_ingest_keeps_the_names_of_the_files(clients, home: Settings) -> None:
    """Cyrillic and Azerbaijani file names are the originals' names, not an ASCII remnant of them."""
    page = clients["admin"].get("/ingest").get_data(as_text=True)
    data = {
        "csrf_token": csrf_of(page),
        "files": [(io.BytesIO("Отчёт о разминировании у Глимборово.".encode()), "Отчёт о разминировании.txt"),
                  (io.BytesIO(json.dumps({"type": "report"}).encode()), "Отчёт о разминировании.meta.json"),
                  (io.BytesIO("Şuşa şəhərində Qlimborovo mina.".encode()), "Məktub Şuşa.txt"),
                  (io.BytesIO(b"Hidden trick near Glimborovo."), "../../.hidden.txt")],
    }
    response = clients["admin"].post("/ingest", data=data, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "3 ingested" in text and "outcome-failed" not in text, text
    with Archive(home) as archive:
        names = {d.original_name: d for d in archive.iter_documents()}
    assert {"Отчёт о разминировании.txt", "Məktub Şuşa.txt", "hidden.txt"} <= set(names)
    assert names["Отчёт о разминировании.txt"].metadata.type == "report"  # its sidecar was found by name


def test_a_web_ingest_stopped_by_dying_workers_says_so_without_server_paths(
        clients, home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's own behaviour is tested in test_resume.py; here, what the web page makes of it."""
    import archive.ingest

    def workers_keep_dying(paths, settings, **options):
        report = archive.ingest.IngestReport(run_id="r", started="")
        cause = WorkersFailingError(10, home.home / "uploads" / "web-x" / "a.txt")
        raise BatchStoppedError(report, cause, total=1)

    monkeypatch.setattr(archive.ingest, "ingest", workers_keep_dying)
    retried: list[Settings] = []
    monkeypatch.setattr("webapp.admin.start_catching_up", retried.append)
    page = clients["admin"].get("/ingest").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "files": [(io.BytesIO(b"Testimony."), "a.txt")]}
    response = clients["admin"].post("/ingest", data=data, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 503 and "could not finish this ingest" in text, text
    assert "wait in the upload queue" in text and "nothing needs to be sent again" in text
    assert str(home.home) not in text and "cannot store anything" not in text
    [waiting] = queued_uploads(home)  # nothing lost: the server tries the file again later
    assert (waiting.folder / "a.txt").read_bytes() == b"Testimony." and retried == [home]


def test_an_upload_while_a_batch_holds_the_archive_waits_in_the_queue_and_goes_in_after_it(
        clients, home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused with a 503 before: during an overnight batch, no admin could upload anything all night."""
    monkeypatch.setattr("archive.store.WRITER_WAIT", 0.2)
    monkeypatch.setattr("archive.catchup.POLL_SECONDS", 0.1)
    page = clients["admin"].get("/ingest").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page),
            "files": [(io.BytesIO("Показания о минах у Глимборово.".encode()), "Показания.txt"),
                      (io.BytesIO(json.dumps({"type": "testimony"}).encode()), "Показания.meta.json")]}
    with Archive(home) as batch, batch.writer_lock():  # the overnight batch
        response = clients["admin"].post("/ingest", data=data, content_type="multipart/form-data")
        text = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 202 and "Queued" in text and "nothing needs to be sent again" in text, text
        link = re.search(r'href="(/ingest/uploads/[^"]+)"', text)
        assert link, text
        queued = clients["admin"].get(link.group(1)).get_data(as_text=True)
        assert "Queued at" in queued and "Показания.txt" in queued and 'http-equiv="refresh"' in queued
        assert link.group(1) in clients["admin"].get("/ingest").get_data(as_text=True)  # listed as waiting
        assert api(clients["investigator"], "/api/search?q=Глимборово")["total"] == 0  # not in yet
        time.sleep(0.5)  # the server's thread tries meanwhile, and finds the archive still held
        assert catching_up(home) is not None
    wait_for_catch_up(home)  # the queue was taken in once the batch let go
    done = clients["admin"].get(link.group(1)).get_data(as_text=True)
    assert "1 ingested" in done and "outcome-ingested" in done and 'http-equiv="refresh"' not in done, done
    assert api(clients["investigator"], "/api/search?q=Глимборово")["total"] == 1
    assert api(clients[None], "/api/search?q=Глимборово")["total"] == 0  # testimony: restricted by its sidecar
    with Archive(home) as archive:
        added = next(d for d in archive.iter_documents() if d.original_name == "Показания.txt")
        assert {e.actor for e in archive.events(added.id)} == {"admin"}
        assert verify(archive).ok
    assert not queued_uploads(home) and not list((home.home / "uploads").iterdir())


@pytest.mark.parametrize(("limit", "value"), [("INLINE_FILES", 1), ("INLINE_BYTES", 40)])
def test_a_large_upload_goes_in_in_the_background_and_its_page_shows_the_outcomes(
        clients, home: Settings, monkeypatch: pytest.MonkeyPatch, limit: str, value: int) -> None:
    """It was ingested in the request: minutes for a large upload, past a reverse proxy's timeout, and the admin,
    told it had failed while it went on, sent the files again."""
    monkeypatch.setattr(f"webapp.admin.{limit}", value)
    monkeypatch.setattr("archive.catchup.POLL_SECONDS", 0.1)
    page = clients["admin"].get("/ingest").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page),
            "files": [(io.BytesIO(b"Report on mines near Brambleford, first of two."), "one.txt"),
                      (io.BytesIO(b"Report on mines near Brambleford, second of two."), "two.txt")]}
    response = clients["admin"].post("/ingest", data=data, content_type="multipart/form-data")
    text = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 202 and "taken in by the server in the background" in text, text
    link = re.search(r'data-url="(/ingest/uploads/[^"]+)"', text)
    assert link, text
    wait_for_catch_up(home)
    done = clients["admin"].get(link.group(1)).get_data(as_text=True)
    assert "2 ingested" in done and done.count("outcome-ingested") == 2, done
    assert api(clients[None], "/api/search?q=Brambleford")["total"] == 2


def test_the_page_of_an_upload_is_for_admins_and_takes_no_path(clients, home: Settings) -> None:
    page = clients["admin"].get("/ingest").get_data(as_text=True)
    data = {"csrf_token": csrf_of(page), "files": [(io.BytesIO(b"Report on Brambleford."), "report.txt")]}
    text = clients["admin"].post("/ingest", data=data, content_type="multipart/form-data").get_data(as_text=True)
    link = re.search(r'href="(/ingest/uploads/[^"]+)"', text)
    assert link and "1 ingested" in text, text
    assert "outcome-ingested" in clients["admin"].get(link.group(1)).get_data(as_text=True)  # its outcomes stay
    for role in (None, "reader", "investigator"):
        assert clients[role].get(link.group(1)).status_code == 403
    for probe in ("../../catalog.sqlite3", "..%2F..%2Fcatalog.sqlite3", "20260101T000000Z-000000000000", "web-x"):
        response = clients["admin"].get(f"/ingest/uploads/{probe}")
        assert response.status_code == 404 and str(home.home) not in response.get_data(as_text=True)


def test_an_access_change_the_index_could_not_follow_is_caught_up_by_the_server_once_the_writer_lets_go(
        clients, home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that ends without looking (killed, say): before, the document stayed out of everyone's searches
    until the next ingest, reindex or access change."""
    monkeypatch.setattr("archive.store.WRITER_WAIT", 0.2)
    monkeypatch.setattr("archive.catchup.POLL_SECONDS", 0.1)
    public = docs(home)["public"]
    page = clients["admin"].get(f"/documents/{public.id}").get_data(as_text=True)
    with Archive(home) as writer, writer.writer_lock():
        clients["admin"].post(f"/documents/{public.id}/access", data={"level": "restricted",
                                                                        "csrf_token": csrf_of(page)})
        time.sleep(0.3)  # the server's thread waits for the writer meanwhile
        assert catching_up(home) is not None
        assert api(clients["investigator"], "/api/search?q=Kestrelon")["total"] == 0  # withheld until then
    wait_for_catch_up(home)
    assert api(clients["investigator"], "/api/search?q=Kestrelon")["total"] == 1  # no other writer came
    assert api(clients[None], "/api/search?q=Kestrelon")["total"] == 0
    with Archive(home) as archive:
        assert archive.access_changed_ids() == [] and verify(archive).ok


def test_navigation_shows_who_is_signed_in(clients) -> None:
    assert 'class="signin"' in clients[None].get("/").get_data(as_text=True)
    page = clients["investigator"].get("/").get_data(as_text=True)
    assert "Signed in as <strong>investigator</strong>" in page and "(investigator)" in page


def test_setting_the_level_a_document_has_while_a_batch_runs_says_nothing_is_pending(
        home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing changed, yet the admin was told the index would catch up when the batch had run."""
    monkeypatch.setattr("archive.store.WRITER_WAIT", 0.2)
    public = docs(home)["public"]
    with Archive(home) as archive, open_search(home, archive) as search_index, \
            Archive(home) as batch, batch.writer_lock():
        change = change_access(archive, search_index, public.id, "public", actor="admin")
        assert (change.changed, change.indexed, change.pending) == (False, True, "")
        archive.set_access(public.id, "restricted", actor="admin")  # the catalog's half of a real change
        again = change_access(archive, search_index, public.id, "restricted", actor="admin")
        assert (again.changed, again.indexed) == (False, False)  # unchanged now, but the index still lags


def test_an_access_change_while_another_writer_holds_the_archive_is_in_force_and_caught_up_later(
        clients, home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused with a 503 before: an urgent restriction had to wait for the end of an overnight batch."""
    monkeypatch.setattr("archive.store.WRITER_WAIT", 0.2)
    public = docs(home)["public"]
    page = clients["admin"].get(f"/documents/{public.id}").get_data(as_text=True)
    with Archive(home) as writer, writer.writer_lock():  # a writer that ends without looking (a reindex, say)
        response = clients["admin"].post(f"/documents/{public.id}/access", follow_redirects=True,
                                         data={"level": "confidential", "csrf_token": csrf_of(page)})
    assert response.status_code == 200
    assert "searches leave it out until then" in html.unescape(response.get_data(as_text=True))
    assert docs(home)["public"].metadata.access == "confidential"
    for role in (None, "admin"):
        assert api(clients[role], "/api/search?q=Kestrelon")["total"] == 0
    ingest([], home)  # the next writer
    assert api(clients[None], "/api/search?q=Kestrelon")["total"] == 0
    assert api(clients["admin"], "/api/search?q=Kestrelon")["total"] == 1
