"""Property: whatever the order of ingests, access changes and index catch-ups, no document outside a
visitor's levels reaches them, and every search surface agrees with the catalog.

A state machine (hypothesis) ingests small batches of real text files with random access levels
(sidecars; some name none, so the level comes from the type), words drawn from a small vocabulary and
some treaty citations; changes access levels with :func:`change_access` (the index follows at once,
as the web form and ``evidence access`` do) or with the catalog's half alone (:meth:`Archive.set_access`,
as when another writer holds the lock), lets the index catch up later (:func:`apply_access_changes`,
:func:`catch_up_index`) or rebuilds it (:func:`index.rebuild`). After every step, for the anonymous
visitor, a reader, an investigator and an admin (API tokens; session cookies for the web pages), it
checks against what the catalog says, read with SQL (``documents.access``, ``documents.access_change``,
pages and references):

* every search (each word of the vocabulary, an article and an instrument query, the empty query, a
  misspelt word), read page by page: the documents, the total, every facet count, each snippet's words
  (all from its own document), the "did you mean" word;
* "more like this" of a document, exports (API and web), the search page's HTML;
* the article browser's counts and passages, and a document's record and citation (200 or 404, never 403).

Search surfaces see what the index holds: a narrowed document is withheld from everyone until the
index holds its new level, a widened one is found at the level the index last took (which the machine
remembers). Catalog surfaces (article browser, documents, citations, exports' records) follow the
catalog's level at once.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from archive import store
from archive.accounts import add_user, change_access, create_token
from archive.ingest import apply_access_changes, catch_up_index, ingest
from archive.settings import ACCESS_LEVELS, Settings
from archive.store import Archive
from archive.treaties import expand_id
from index import open_index, rebuild
from index.schema import keyword_value
from tests.conftest import write_sidecar
from tests.test_access import PASSWORD, sign_in
from webapp import create_app

#: Words of the documents. Each starts with a letter no other term of the index starts with, so that a
#: misspelling of one has that word alone within reach of "did you mean".
VOCABULARY = ("brackenfield", "dunmorrow", "halverstone", "kestrelwood", "lowmarsh", "pellingham")
MISSPELT = {"brackenfield": "brackenfeeld", "dunmorrow": "dunmorrew", "halverstone": "halverstane",
            "kestrelwood": "kestrelwuud", "lowmarsh": "lowmursh", "pellingham": "pellinghem"}
CITATIONS = {"GCIV-147": "Article 147 of the Fourth Geneva Convention",
             "APMBC-5": "Article 5 of the Ottawa Convention"}
ARTICLE_QUERIES = {"article:GCIV-147": "GCIV-147", "instrument:APMBC": "APMBC"}
TYPES = ("report", "appeal", "testimony")
DATES = ("2020-03-01", "2021-06-15", "")
ROLES: dict[str | None, tuple[str, ...]] = {None: ("public",), "reader": ("public",),
                                             "investigator": ("public", "restricted"), "admin": ACCESS_LEVELS}
FACETS = ("type", "instrument", "article", "year", "lang", "place", "issuer_facet")
MAX_DOCUMENTS = 30
PAGE = 7  # results per page: the empty query's results take several pages
WORD = re.compile(r"\w+")
TAG = re.compile(r"<[^>]*>")

Matches = Callable[["Truth"], bool]
#: Searches (query-string arguments), and which documents each matches.
QUERIES: list[tuple[dict[str, str], Matches]] = [
    ({"q": ""}, lambda t: True),
    *(({"q": word}, lambda t, word=word: word in t.words) for word in VOCABULARY),
    ({"q": "article:GCIV-147"}, lambda t: "GCIV-147" in t.refs),
    ({"q": "instrument:APMBC"}, lambda t: "APMBC" in t.refs),
    ({"q": "NOT brackenfield"}, lambda t: "brackenfield" not in t.words),
    ({"q": "dunmorrow OR lowmarsh"}, lambda t: bool({"dunmorrow", "lowmarsh"} & t.words)),
    ({"q": "halverstone AND NOT kestrelwood"}, lambda t: "halverstone" in t.words and "kestrelwood" not in t.words),
    ({"q": '"brackenfield dunmorrow"'}, lambda t: f" {t.text} ".find(" brackenfield dunmorrow ") >= 0),
    ({"q": "pell*"}, lambda t: "pellingham" in t.words),
    ({"q": "lowmursh~"}, lambda t: "lowmarsh" in t.words),
    ({"q": "", "type": "testimony"}, lambda t: t.facets["type"] == {"testimony"}),
    ({"q": "brackenfield", "sort": "date", "from": "2021"}, lambda t: "brackenfield" in t.words and t.date >= "2021"),
]

new_document = st.fixed_dictionaries({
    "words": st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3),
    "citations": st.lists(st.sampled_from(sorted(CITATIONS)), max_size=2, unique=True),
    "access": st.sampled_from((*ACCESS_LEVELS, None)),  # None: the sidecar names no level (testimony: restricted)
    "type": st.sampled_from(TYPES),
    "date": st.sampled_from(DATES),
})
level = st.sampled_from(ACCESS_LEVELS)


@dataclass(frozen=True)
class Truth:
    """One document as the catalog has it."""

    id: str
    control_number: str
    access: str
    access_change: str  # '' | 'widened' | 'narrowed'
    words: frozenset[str]
    text: str  # its words in order, lowercased, one space between them
    date: str
    refs: frozenset[str]  # every level of every reference: GCIV, GCIV-147…
    passages: Counter[str]  # references in its text, counted for each level
    facets: dict[str, frozenset[str]]


def catalog_truth(settings: Settings) -> dict[str, Truth]:
    """Every document, read from the catalog with SQL alone, in control-number order."""
    with Archive(settings) as archive:
        db = archive.db
        refs: dict[str, list[str]] = {}
        for doc_id, ref_id in db.execute("SELECT doc_id, ref_id FROM refs ORDER BY doc_id, page, start"):
            refs.setdefault(doc_id, []).append(ref_id)
        texts: dict[str, list[str]] = {}
        for doc_id, text in db.execute("SELECT doc_id, text FROM pages ORDER BY doc_id, number"):
            texts.setdefault(doc_id, []).extend(w.lower() for w in WORD.findall(text))
        found = {}
        for row in db.execute("SELECT id, control_number, access, access_change, type, doc_date, issuer, languages, "
                              "places FROM documents ORDER BY seq"):
            levels = [expanded for ref_id in refs.get(row["id"], ()) for expanded in expand_id(ref_id)]
            instruments = {ref_levels[0] for ref_levels in map(expand_id, refs.get(row["id"], ()))}
            facets = {
                "type": frozenset({row["type"]}), "year": frozenset({row["doc_date"][:4]} - {""}),
                "issuer_facet": frozenset({row["issuer"]} - {""}),
                "lang": frozenset(json.loads(row["languages"])),
                "place": frozenset(keyword_value(p) for p in json.loads(row["places"])),
                "instrument": frozenset(instruments), "article": frozenset(set(levels) - instruments),
            }
            found[row["id"]] = Truth(row["id"], row["control_number"], row["access"], row["access_change"],
                                     frozenset(texts.get(row["id"], ())), " ".join(texts.get(row["id"], ())),
                                     row["doc_date"], frozenset(levels), Counter(levels), facets)
        return found


def api(client: FlaskClient, url: str, headers: dict[str, str], status: int = 200) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:300])
    return response.get_json()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """An empty archive with one user per role, and an API token of each (made once: hashing passwords is slow)."""
    home = tmp_path_factory.mktemp("access-properties") / "home"
    secrets = {}
    with Archive(Settings(home=home, actor="tester")) as archive:
        for role in ROLES:
            if role:
                add_user(archive, role, role, PASSWORD)
                secrets[role] = create_token(archive, role, "properties")[1]
    open_index(home / "whoosh").close()
    return home, secrets


class AccessMachine(RuleBasedStateMachine):
    """Ingests, access changes and index catch-ups, checked after each step against the catalog."""

    def __init__(self, base: Settings, template: tuple[Path, dict[str, str]], folder: Path) -> None:
        super().__init__()
        home, secrets = template
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shutil.copytree(home, folder / "home")
        self.folder = folder
        self.settings = replace(base, home=folder / "home", export_limit=0, audit_views=False)
        self.app = create_app({"TESTING": True, "ARCHIVE_SETTINGS": self.settings, "SERVER_NAME": "archive.test"})
        self.client = self.app.test_client()  # API calls, with a token or none
        self.headers: dict[str | None, dict[str, str]] = {None: {}}
        self.headers.update({role: {"Authorization": f"Bearer {secret}"} for role, secret in secrets.items()})
        self.sessions: dict[str | None, FlaskClient] = {None: self.app.test_client()}
        self.batches = 0
        self.serial = 0
        self.checks = 0
        self.ids: list[str] = []
        self.indexed_level: dict[str, str] = {}  # what the index holds of each document, as far as the steps tell
        self.touched: str | None = None

    # -- steps ------------------------------------------------------------------------------------

    @initialize()
    def sign_in(self) -> None:
        for role in ROLES:
            if role:
                self.sessions[role] = sign_in(self.app.test_client(), role)

    @precondition(lambda self: len(self.ids) < MAX_DOCUMENTS)
    @rule(documents=st.lists(new_document, min_size=1, max_size=4))
    def ingest_a_batch(self, documents: list[dict[str, Any]]) -> None:
        self.batches += 1
        batch = self.folder / f"batch-{self.batches}"
        batch.mkdir()
        for document in documents[:MAX_DOCUMENTS - len(self.ids)]:
            self.serial += 1
            path = batch / f"record-{self.serial}.txt"
            text = " ".join([*document["words"], "."] + [CITATIONS[ref] + "." for ref in document["citations"]])
            path.write_text(text + " " * self.serial + "\n", encoding="utf-8")  # never the same bytes twice
            meta = {"type": document["type"], "date": document["date"]}
            if document["access"]:
                meta["access"] = document["access"]
            write_sidecar(path, **{k: v for k, v in meta.items() if v})
        report = ingest([batch], self.settings)
        assert report.failed == 0 and report.duplicate == 0, report.summary()
        self._index_caught_up()

    @precondition(lambda self: self.ids)
    @rule(which=st.integers(min_value=0), to=level, through_the_web_app=st.booleans())
    def change_access_and_reindex(self, which: int, to: str, through_the_web_app: bool) -> None:
        doc_id = self.ids[which % len(self.ids)]
        if through_the_web_app:  # what the admin's form does: the server's own catalog and index
            change = change_access(self.app.extensions["archive"], self.app.extensions["search_index"], doc_id, to,
                                   actor="admin")
        else:  # what `evidence access` does
            with Archive(self.settings) as archive, open_index(self.settings.index_dir) as search_index:
                change = change_access(archive, search_index, doc_id, to, actor="admin")
        assert change.indexed and change.document.metadata.access == to
        self.touched = doc_id
        self._index_caught_up()

    @precondition(lambda self: self.ids)
    @rule(which=st.integers(min_value=0), to=level, through_change_access=st.booleans())
    def change_access_while_another_writer_holds_the_archive(self, which: int, to: str,
                                                             through_change_access: bool) -> None:
        """The catalog's half of a change alone: the index lags until a writer catches up."""
        doc_id = self.ids[which % len(self.ids)]
        with Archive(self.settings) as archive:
            if not through_change_access:
                archive.set_access(doc_id, to, actor="admin")
            else:
                waited, store.WRITER_WAIT = store.WRITER_WAIT, 0.01
                try:
                    with Archive(self.settings) as batch, batch.writer_lock(), \
                            open_index(self.settings.index_dir) as search_index:
                        change = change_access(archive, search_index, doc_id, to, actor="admin")
                finally:
                    store.WRITER_WAIT = waited
                (pending,) = archive.db.execute("SELECT access_change FROM documents WHERE id = ?",
                                                (doc_id,)).fetchone()
                # the index lags exactly when the catalog says a change is pending (setting the level a
                # document has, with nothing pending, is no change for the index to follow)
                assert change.indexed == (pending == "") and change.withheld == (pending == "narrowed"), \
                    (change, pending)
        self.touched = doc_id

    @precondition(lambda self: self.ids)
    @rule(by_the_catch_up_thread=st.booleans())
    def let_the_index_catch_up(self, by_the_catch_up_thread: bool) -> None:
        if by_the_catch_up_thread:  # what the server's thread runs once the writer lets go
            catch_up_index(self.settings)
        else:  # what a batch does between its commits
            with Archive(self.settings) as archive, archive.writer_lock(), \
                    open_index(self.settings.index_dir) as search_index:
                apply_access_changes(archive, search_index)
        self._index_caught_up()

    @precondition(lambda self: self.ids)
    @rule()
    def rebuild_the_index(self) -> None:
        with Archive(self.settings) as archive, archive.writer_lock():
            assert rebuild(archive) == len(self.ids)
        self._index_caught_up()

    def _index_caught_up(self) -> None:
        """The step brought the index up to date with the catalog: it holds every document at its level."""
        truth = catalog_truth(self.settings)
        self.ids = list(truth)
        assert all(t.access_change == "" for t in truth.values()), "the catalog still lists changes to index"
        self.indexed_level = {doc_id: t.access for doc_id, t in truth.items()}

    def teardown(self) -> None:
        self.app.extensions["search_index"].close()
        self.app.extensions["archive"].close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- the property -----------------------------------------------------------------------------

    @invariant()
    def every_surface_agrees_with_the_catalog(self) -> None:
        truth = catalog_truth(self.settings)
        assert list(truth) == self.ids
        self.checks += 1
        for doc_id, t in truth.items():
            if t.access_change == "":  # nothing pending: the index holds the catalog's level
                assert self.indexed_level[doc_id] == t.access, (doc_id, t)
        for role, levels in ROLES.items():
            catalog_visible = [d for d, t in truth.items() if t.access in levels]
            # What searches may find: not withheld, at the level the index holds.
            searchable = [d for d, t in truth.items()
                          if t.access_change != "narrowed" and self.indexed_level[d] in levels]
            assert set(searchable) <= set(catalog_visible), "the model lets a search show a hidden document"
            self._check_searches(role, truth, searchable)
            self._check_more_like_this(role, truth, searchable)
            self._check_exports(role, truth, searchable)
            self._check_articles(role, truth, catalog_visible)
            self._check_documents(role, truth, catalog_visible)

    def _queries(self) -> list[tuple[dict[str, str], Matches]]:
        """Every search of :data:`QUERIES`, and one misspelt word (another at each check), matching nothing."""
        misspelt = MISSPELT[VOCABULARY[self.checks % len(VOCABULARY)]]
        return [*QUERIES, ({"q": misspelt}, lambda t: False)]

    def _search_all_pages(self, role: str | None, args: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        hits: list[dict[str, Any]] = []
        first: dict[str, Any] = {}
        page = 1
        while True:
            query = urlencode({**args, "limit": PAGE, "page": page})
            body = api(self.client, f"/api/search?{query}", self.headers[role])
            first = first or body
            assert body["total"] == first["total"] and body["facets"] == first["facets"], (role, query, page)
            hits.extend(body["hits"])
            if len(body["hits"]) < PAGE or len(hits) >= body["total"]:
                return hits, first
            page += 1

    def _check_searches(self, role: str | None, truth: dict[str, Truth], searchable: list[str]) -> None:
        for args, matches in self._queries():
            query = args["q"]
            expected = {d for d in searchable if matches(truth[d])}
            hits, first = self._search_all_pages(role, args)
            found = [hit["id"] for hit in hits]
            where = (role, args)
            if args.get("sort") == "date":
                dates = [truth[d].date for d in found]
                assert dates == sorted(dates, reverse=True), (*where, dates)
            assert len(found) == len(set(found)), where
            assert set(found) == expected, (*where, set(found) ^ expected)
            assert first["total"] == len(expected), where
            for name in FACETS:
                counts = Counter(value for d in expected for value in truth[d].facets[name])
                assert {f["value"]: f["count"] for f in first["facets"].get(name, [])} == dict(counts), (*where, name)
            for hit in hits:
                for page in hit["pages"]:
                    said = {w.lower() for w in WORD.findall(html.unescape(TAG.sub(" ", page["snippet"])))}
                    assert said <= truth[hit["id"]].words, (*where, hit["id"], page["snippet"])
            if query in MISSPELT.values():
                word = next(w for w, m in MISSPELT.items() if m == query)
                offered = word if any(word in truth[d].words for d in searchable) else None
                assert first["suggestion"] == offered, where
            else:
                assert first["suggestion"] is None, (*where, first["suggestion"])
        page = self.sessions[role].get("/?q=").get_data(as_text=True)  # the search page (first page of results)
        for doc_id, t in truth.items():
            if doc_id not in searchable:
                assert t.control_number not in page and doc_id not in page, (role, doc_id)

    def _check_more_like_this(self, role: str | None, truth: dict[str, Truth], searchable: list[str]) -> None:
        doc_id = self.ids[self.checks % len(self.ids)] if self.ids else None
        if doc_id is None:
            return
        levels = ROLES[role]
        if truth[doc_id].access not in levels:
            api(self.client, f"/api/documents/{doc_id}/similar", self.headers[role], 404)
            return
        body = api(self.client, f"/api/documents/{doc_id}/similar", self.headers[role])
        similar = [hit["id"] for hit in body["hits"]]
        # A document has at most 12 words (3 of the vocabulary, 9 of two citations), all of them key terms:
        # the others like it are those sharing one; none if it is not found itself.
        alike = {d for d in searchable if d != doc_id and truth[d].words & truth[doc_id].words}
        assert set(similar) <= alike, (role, doc_id, set(similar) - alike)
        assert len(similar) == (min(5, len(alike)) if doc_id in searchable else 0), (role, doc_id, similar)

    def _check_exports(self, role: str | None, truth: dict[str, Truth], searchable: list[str]) -> None:
        word = VOCABULARY[self.checks % len(VOCABULARY)]
        for query in ("", word):
            expected = {d for d in searchable if query in ("", *truth[d].words)}
            response = self.client.get(f"/api/export?format=jsonl&q={query}", headers=self.headers[role])
            assert response.status_code == 200
            exported = [json.loads(line)["id"] for line in response.get_data(as_text=True).splitlines()]
            assert len(exported) == len(set(exported)) and set(exported) == expected, (role, query)
        response = self.sessions[role].get(f"/export/csv?q={word}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        expected = {d for d in searchable if word in truth[d].words}
        assert {d for d in truth if d in text} == expected, (role, word)
        with Archive(self.settings) as archive:
            recorded = [e for e in archive.events() if e.action == "exported"][-1]
        assert set(recorded.details["documents"]) == expected

    def _check_articles(self, role: str | None, truth: dict[str, Truth], visible: list[str]) -> None:
        body = api(self.client, "/api/articles", self.headers[role])
        for row in (*body["instruments"], *(a for i in body["instruments"] for a in i["articles"])):
            counted = (row["documents"], row["passages"])
            assert counted == (sum(row["id"] in truth[d].refs for d in visible),
                               sum(truth[d].passages[row["id"]] for d in visible)), (role, row["id"])
        for ref_id in ("GCIV-147", "APMBC-5"):
            article = api(self.client, f"/api/articles/{ref_id}", self.headers[role])
            holders = {d for d in visible if ref_id in truth[d].refs}
            assert article["total"] == article["documents"] == len(holders), (role, ref_id)
            assert {hit["document"] for hit in article["hits"]} == holders, (role, ref_id)

    def _check_documents(self, role: str | None, truth: dict[str, Truth], visible: list[str]) -> None:
        doc_id = self.touched or (self.ids[0] if self.ids else None)
        if doc_id is None:
            return
        status = 200 if doc_id in visible else 404
        api(self.client, f"/api/documents/{doc_id}", self.headers[role], status)
        api(self.client, f"/api/documents/{doc_id}/citation", self.headers[role], status)
        response = self.sessions[role].get(f"/documents/{doc_id}/cite.ris")
        assert response.status_code == status, (role, doc_id)


#: Few examples of few steps: each step ingests or re-indexes for real and checks some hundred requests.
MACHINE_SETTINGS = hypothesis_settings(max_examples=8, stateful_step_count=12, deadline=None, derandomize=True,
                                       database=None, suppress_health_check=[HealthCheck.too_slow])


def test_no_document_reaches_a_visitor_outside_their_levels_whatever_the_order_of_changes(
        settings: Settings, template: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    run_state_machine_as_test(
        lambda: AccessMachine(settings, template, tmp_path / "run"),
        settings=MACHINE_SETTINGS,
    )

