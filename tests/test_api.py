"""The JSON API through Flask's test client, checked against its own OpenAPI document.

Every request of :data:`EXCHANGES` is sent to the real app on a real ingested
archive; its response must be described in ``webapp/openapi.json`` (path,
method, status and media type) and its JSON body must validate against the
schema the document gives for it. Every documented response must be produced
by at least one exchange, and every API route of the app must be documented,
so the description and the code cannot drift apart.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from archive.settings import Settings
from archive.store import Archive
from tests.test_webapp import document_named, web_archive
from webapp import create_app
from webapp.api import openapi_document

SPEC_URI = "urn:evidence-archive:openapi"


@pytest.fixture
def client(settings: Settings, sample_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    web_archive(settings, sample_folder, tmp_path_factory)
    return create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings, "SERVER_NAME": "archive.test"}).test_client()


@pytest.fixture
def ids(settings: Settings, client: FlaskClient) -> dict[str, str]:
    names = {"report": "report.pdf", "map": "mine-map.pdf", "letter": "letter.txt", "sealed": "sealed.txt"}
    return {key: document_named(settings, name).id for key, name in names.items()}


# -- the OpenAPI document against the real responses -----------------------------------------------

#: (URL template, expected status); {report}, {map}, {sealed} are document ids.
#: The documented answers of a full disk: tests/test_full_disk.py produces them on one and checks them.
API_507 = ("/api/export", "/api/documents/{doc_id}", "/api/documents/{doc_id}/pages",
           "/api/documents/{doc_id}/pages/{number}")
EXCHANGES: tuple[tuple[str, int], ...] = (
    ("/api/search?q=landmines", 200),
    ("/api/search?q=mines&type=report&type=appeal&sort=date&limit=1&page=2", 200),
    ("/api/search?article=GCIV-49-6&from=2022&to=2022-12", 200),
    ("/api/search", 200),
    ('/api/search?q="unclosed', 400),
    ("/api/search?q=colour:red", 400),
    ("/api/search?q=GC+IV+art.+147", 200),
    ("/api/search?page=zero", 400),
    ("/api/search?limit=1000", 400),
    ("/api/search?from=soon", 400),
    ("/api/documents/{report}", 200),
    ("/api/documents/{sealed}", 404),
    ("/api/documents/0000000000000000", 404),
    ("/api/documents/{map}/pages", 200),
    ("/api/documents/{sealed}/pages", 404),
    ("/api/documents/{map}/pages/2", 200),
    ("/api/documents/{map}/pages/0", 404),
    ("/api/documents/{map}/pages/9", 404),
    ("/api/documents/{map}/pages/99999999999999999999", 404),
    ("/api/documents/{map}/references", 200),
    ("/api/documents/{sealed}/references", 404),
    ("/api/documents/{report}/custody", 200),
    ("/api/documents/{sealed}/custody", 404),
    ("/api/documents/{map}/similar", 200),
    ("/api/documents/{sealed}/similar", 404),
    ("/api/documents/{report}/citation", 200),
    ("/api/documents/{report}/citation?page=2", 200),
    ("/api/documents/{report}/citation?page=3", 404),
    ("/api/documents/{sealed}/citation", 404),
    ("/api/articles", 200),
    ("/api/articles/APMBC-5", 200),
    ("/api/articles/GCIV-49", 200),
    ("/api/articles/APMBC", 200),
    ("/api/articles/APMBC-5?page=x", 400),
    ("/api/articles/GCIV-999", 404),
    ("/api/export?q=mines&format=csv", 200),
    ("/api/export?q=mines", 200),
    ("/api/export?format=csl-json", 200),
    ("/api/export?format=bibtex&type=report", 200),
    ("/api/export?format=ris", 200),
    ("/api/export?format=docx", 400),
    ("/api/export?q=(unclosed", 400),
    ("/api/openapi.json", 200),
)


def spec_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for ``schema`` whose ``$ref``s resolve inside the OpenAPI document."""
    spec = openapi_document()
    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012))
    return Draft202012Validator({"$id": "urn:evidence-archive:response", **_rebased(schema)}, registry=registry)


def _rebased(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: (SPEC_URI + v if k == "$ref" and v.startswith("#") else _rebased(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_rebased(v) for v in schema]
    return schema


def operation_for(path: str) -> tuple[str, dict[str, Any]]:
    """The documented path template matching a concrete ``path``, and its GET operation."""
    for template, item in openapi_document()["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template, item["get"]
    raise AssertionError(f"{path} is not described in openapi.json")


def test_openapi_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    validate(response.get_json())  # raises OpenAPIValidationError with the offending part


def test_every_api_route_is_documented_and_every_documented_path_exists(client: FlaskClient) -> None:
    rules = [rule.rule for rule in client.application.url_map.iter_rules() if rule.rule.startswith("/api/")]
    routes = {re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule) for rule in rules}  # <int(max=9):n> → {n}
    assert routes == set(openapi_document()["paths"])


def test_real_responses_match_the_openapi_document(client: FlaskClient, ids: dict[str, str]) -> None:
    exercised: set[tuple[str, str]] = set()
    for template, status in EXCHANGES:
        url = template.format(**ids)
        with client.get(url) as response:
            assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
            path_template, operation = operation_for(url.split("?")[0])
            documented = operation["responses"].get(str(status))
            assert documented, f"{path_template} does not document status {status}"
            content = documented["content"]
            assert response.mimetype in content, f"{url}: {response.mimetype} not documented for {status}"
            if response.mimetype == "application/json":
                errors = sorted(spec_validator(content[response.mimetype]["schema"]).iter_errors(response.get_json()),
                                key=str)
                assert not errors, f"{url}: {errors[0].message} at {list(errors[0].absolute_path)}"
            exercised.add((path_template, str(status)))
    for template, status in EXCHANGES:  # every path once more, with a token that is no token
        path_template, operation = operation_for(template.format(**ids).split("?")[0])
        if status != 200 or (path_template, "401") in exercised:
            continue
        with client.get(template.format(**ids), headers={"Authorization": "Bearer not-a-token"}) as response:
            assert response.status_code == 401, template
            schema = operation["responses"]["401"]["content"]["application/json"]["schema"]
            assert spec_validator(schema).is_valid(response.get_json()), template
        exercised.add((path_template, "401"))
    paths = openapi_document()["paths"]
    documented = {(path, status) for path, item in paths.items() for status in item["get"]["responses"]}
    on_a_full_disk = {(path, "507") for path in API_507}
    assert documented - exercised - on_a_full_disk == set(), "documented responses no test request produces"


def test_schema_check_can_fail(client: FlaskClient, ids: dict[str, str]) -> None:
    body = client.get(f"/api/documents/{ids['report']}").get_json()
    schema = openapi_document()["paths"]["/api/documents/{doc_id}"]["get"]["responses"]["200"]["content"]
    validator = spec_validator(schema["application/json"]["schema"])
    assert validator.is_valid(body)
    assert not validator.is_valid({**body, "unexpected": 1})
    assert not validator.is_valid({k: v for k, v in body.items() if k != "sha256"})


# -- the one error shape ---------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "status", "message"), [
    ("/api/search?page=two", 400, "page and limit must be whole numbers"),
    ("/api/documents/0000000000000000", 404, "no document '0000000000000000'"),
    ("/api/nowhere", 404, "not found on the server"),
    ("/api/articles/NOPE-1", 404, "not a canonical reference id"),
])
def test_every_api_error_has_one_shape(client: FlaskClient, url: str, status: int, message: str) -> None:
    response = client.get(url)
    assert response.status_code == status and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status and message in body["error"]


def test_search_offers_the_reference_its_words_cite(client: FlaskClient) -> None:
    cited = client.get("/api/search?q=GC+IV+art.+147").get_json()
    assert cited["reference_query"] == "article:GCIV-147"
    assert client.get("/api/search?q=" + cited["reference_query"]).get_json()["total"] == 1
    assert client.get("/api/search?q=landmines").get_json()["reference_query"] is None


def test_an_export_filtered_by_article_lists_the_citing_pages(client: FlaskClient) -> None:
    """The export of a search narrowed to an article from the facets named no page: it cites the page that cites it."""
    rows = [json.loads(line) for line in client.get("/api/export?format=jsonl&article=GCIV-147").text.splitlines()]
    assert [(row["title"], row["first_matching_pages"]) for row in rows] == [("Clearance report", [2])]


def test_query_error_carries_its_suggestion(client: FlaskClient) -> None:
    response = client.get('/api/search?q="grave breach')
    assert response.status_code == 400
    assert response.get_json() == {
        "ok": False, "status": 400, "suggestion": '"grave breach"',
        "error": "could not understand the query '\"grave breach': a phrase is not closed; try: \"grave breach\"",
    }


def test_unexpected_failure_is_a_500_without_details(settings: Settings, client: FlaskClient) -> None:
    app = create_app({"ARCHIVE_SETTINGS": settings})  # not TESTING: errors are handled, not raised

    def fail() -> str:
        raise RuntimeError("secret path /srv/archive/catalog.sqlite3")

    app.add_url_rule("/api/fail", view_func=fail)
    app.add_url_rule("/fail", view_func=fail)
    response = app.test_client().get("/api/fail")
    assert response.status_code == 500
    assert response.get_json() == {"ok": False, "status": 500, "error": (
        "the archive could not answer this request; the details are in the server log")}
    page = app.test_client().get("/fail")
    assert page.status_code == 500 and b"Something went wrong" in page.data and b"secret" not in page.data


def test_method_not_allowed_has_the_error_shape(client: FlaskClient) -> None:
    response = client.post("/api/search")
    assert response.status_code == 405 and response.get_json()["ok"] is False


# -- behaviour -------------------------------------------------------------------------------------

def test_search_answers_with_the_cli_shape_and_filters(client: FlaskClient) -> None:
    body = client.get("/api/search?q=landmines&type=report").get_json()
    assert body["total"] == 1 and body["query"] == "landmines"
    hit = body["hits"][0]
    assert hit["title"] == "Clearance report" and hit["pages"][0]["page"] == 2
    assert re.search(r'<mark class="hit[^"]*">landmines</mark>', hit["pages"][0]["snippet"])
    assert {"value": "report", "count": 1} in body["facets"]["type"]


def test_search_never_counts_invisible_documents(client: FlaskClient) -> None:
    body = client.get("/api/search?q=Zyxwvut").get_json()
    assert body["total"] == 0
    types = {f["value"] for f in client.get("/api/search").get_json()["facets"]["type"]}
    assert "testimony" not in types and {"report", "appeal", "mine_map_submission", "correspondence"} <= types


def test_document_has_its_links_and_references(client: FlaskClient, ids: dict[str, str]) -> None:
    body = client.get(f"/api/documents/{ids['map']}").get_json()
    assert body["permalink"] == f"http://archive.test/documents/{ids['map']}"
    assert body["download"] == f"http://archive.test/documents/{ids['map']}/download"
    assert [r["id"] for r in body["references"]] == ["APMBC-5", "GCIV-49-6", "APMBC-1-1-a"]


def test_references_are_grouped_with_context(client: FlaskClient, ids: dict[str, str]) -> None:
    body = client.get(f"/api/documents/{ids['map']}/references").get_json()
    assert [g["instrument"] for g in body["instruments"]] == ["GCIV", "APMBC"]
    apmbc = body["instruments"][1]
    assert [a["article"] for a in apmbc["articles"]] == ["APMBC-1", "APMBC-5"]
    five = apmbc["articles"][1]["references"][0]
    assert five["page"] == 2 and five["context"] == {
        "before": "Clearance is required under ", "match": "Article 5 of the Ottawa Convention",
        "after": " within ten years."}


def test_pages_carry_bates_numbers_and_permalinks(client: FlaskClient, ids: dict[str, str], settings: Settings) -> None:
    body = client.get(f"/api/documents/{ids['map']}/pages").get_json()
    control = document_named(settings, "mine-map.pdf").control_number
    assert [p["bates"] for p in body["pages"]] == [f"{control}-000{n}" for n in (1, 2, 3)]
    page = client.get(f"/api/documents/{ids['map']}/pages/3").get_json()
    assert "Article 49(6)" in page["text"] and page["permalink"].endswith(f"/documents/{ids['map']}/pages/3")


def test_citation_offers_every_format(client: FlaskClient, ids: dict[str, str]) -> None:
    body = client.get(f"/api/documents/{ids['report']}/citation?page=2").get_json()
    assert body["page"] == 2 and body["permalink"] == f"http://archive.test/documents/{ids['report']}/pages/2"
    assert body["text"].startswith('Demining NGO, "Clearance report" (Aghdam, 1 June 2021), p. 2 [')
    assert body["csl_json"]["page"] == "2" and body["csl_json"]["URL"] == body["permalink"]
    assert body["bibtex"].startswith("@misc{") and "TY  - RPRT\r\n" in body["ris"]


def test_json_is_utf8_text_not_ascii_escapes(client: FlaskClient) -> None:
    """Every letter beyond ASCII came as an escape (a Russian page as ``\\u0417\\u0430…``, six bytes a letter instead
    of two): Flask 2.3 dropped the ``JSON_AS_ASCII`` setting the app gave. ``evidence search --json`` writes UTF-8."""
    response = client.get("/api/articles/GCIV-147")
    assert response.mimetype == "application/json"
    assert "GCIV Article 147 — Penal sanctions".encode() in response.data and b"\\u2014" not in response.data
    assert response.get_json()["label"].startswith("GCIV Article 147 — ")


def test_articles_count_visible_documents_and_passages(client: FlaskClient) -> None:
    body = client.get("/api/articles").get_json()
    apmbc = next(i for i in body["instruments"] if i["id"] == "APMBC")
    assert (apmbc["documents"], apmbc["passages"]) == (2, 3)
    five = next(a for a in apmbc["articles"] if a["number"] == 5)
    assert (five["documents"], five["passages"]) == (2, 2) and five["heading"]


def test_article_lists_passages_including_paragraphs(client: FlaskClient, ids: dict[str, str]) -> None:
    body = client.get("/api/articles/APMBC-1").get_json()
    assert body["total"] == 1 and body["hits"][0]["reference"] == "APMBC-1-1-a"
    assert body["hits"][0]["document"] == ids["map"] and body["hits"][0]["page"] == 3
    assert body["below"] == [{"id": "APMBC-1-1", "label": "APMBC Article 1(1)", "documents": 1, "passages": 1}]


def test_similar_documents_stay_within_visible_levels(client: FlaskClient, ids: dict[str, str]) -> None:
    hits = client.get(f"/api/documents/{ids['letter']}/similar").get_json()["hits"]
    assert ids["map"] in {hit["id"] for hit in hits} and ids["letter"] not in {hit["id"] for hit in hits}
    assert ids["sealed"] not in {hit["id"] for hit in hits}


def test_export_writes_every_result_and_records_custody(client: FlaskClient, settings: Settings) -> None:
    response = client.get("/api/export?format=csv&q=mines")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert 'filename="evidence-export.csv"' in response.headers["Content-Disposition"]
    titles = {row["title"] for row in rows}
    assert "Mine map submission: Fuzuli" in titles and len(rows) == len(titles) >= 3
    assert all(row["permalink"].startswith("http://archive.test/documents/") for row in rows)
    with Archive(settings) as archive:
        event = archive.events()[-1]
    assert event.action == "exported" and event.document_id is None
    assert event.details["format"] == "csv" and event.details["count"] == len(rows)
    assert sorted(event.details["documents"]) == sorted(row["id"] for row in rows)


def test_csv_export_opens_as_utf8_in_spreadsheets(client: FlaskClient) -> None:
    """Excel takes a CSV file for UTF-8 only when it starts with a byte order mark."""
    body = client.get("/api/export?format=csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf") and body.count(b"\xef\xbb\xbf") == 1
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[0] == "control_number"


def test_export_goes_beyond_one_page_of_results(client: FlaskClient) -> None:
    total = client.get("/api/search").get_json()["total"]
    lines = client.get("/api/export?format=jsonl&limit=1&page=2").get_data(as_text=True).splitlines()
    assert len(lines) == total >= 4
    assert all(json.loads(line)["access"] == "public" for line in lines)


def test_csv_export_defuses_spreadsheet_formulas(client: FlaskClient) -> None:
    text = client.get("/api/export?format=csv&q=letter").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["title"].startswith("<script>")  # data is kept as it is, not escaped for HTML
    assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())


@pytest.mark.parametrize(("fmt", "media", "marker"), [
    ("csl-json", "application/vnd.citationstyles.csl+json", '"type": "report"'),
    ("bibtex", "application/x-bibtex", "@misc{"),
    ("ris", "application/x-research-info-systems", "TY  - RPRT"),
])
def test_citation_exports_have_their_media_types(client: FlaskClient, fmt: str, media: str, marker: str) -> None:
    response = client.get(f"/api/export?format={fmt}&type=report")
    assert response.mimetype == media and marker in response.get_data(as_text=True)


def test_a_query_too_long_to_answer_quickly_is_a_400_before_it_is_run(client: FlaskClient) -> None:
    """One anonymous request holding a 100,000-letter word kept a server thread busy for almost a minute (its
    "did you mean" and parsing grow with the square of a word's length); a few of them, every thread."""
    for url in ("/api/search?q=", "/api/export?q=", "/?q="):
        response = client.get(url + "m" * 100_000)
        assert response.status_code == 400, url
        assert "at most 2,000 characters" in response.get_data(as_text=True)
    body = client.get("/api/search?q=" + "m" * 100_000).get_json()
    assert set(body) == {"ok", "error", "status"} and body["status"] == 400
    assert "m" * 100 not in body["error"]  # the query is not echoed whole
    longest = "landmines " * 200  # 2,000 characters
    assert client.get("/api/search", query_string={"q": longest}).status_code == 200


def test_dates_that_run_backwards_are_a_clear_error(client: FlaskClient) -> None:
    body = client.get("/api/search?q=landmines&from=2023&to=2020").get_json()
    assert body["status"] == 400 and "'from' (2023) is after 'to' (2020); swap them" in body["error"]
    assert client.get("/api/search?q=landmines&from=2020-05&to=2020-05").get_json()["total"] >= 0  # one month


def test_exports_stream_a_batch_of_documents_at_a_time(client: FlaskClient, settings: Settings,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import webapp.export as export

    monkeypatch.setattr("archive.exports.BATCH", 2)
    read: list[str] = []
    real = export.visible_document
    monkeypatch.setattr(export, "visible_document", lambda doc_id: read.append(doc_id) or real(doc_id))
    response = client.get("/api/export?format=jsonl", buffered=False)
    assert response.is_streamed
    with Archive(settings) as archive:
        event = archive.events()[-1]
    # the first batch is read and recorded before the body; the test client peeks at the first chunk (that batch)
    assert event.action == "exported" and event.details["part"] == 1 and event.details["count"] == len(read) == 2
    chunks = iter(response.response)
    first = next(chunks)
    assert len(read) == 2 and first.count(b"\n") == 2  # one batch read and sent, not the whole result set
    rest = b"".join(chunks)
    response.close()
    with Archive(settings) as archive:
        parts = [e for e in archive.events() if e.action == "exported"]
    assert [e.details["part"] for e in parts] == list(range(1, len(parts) + 1)) and len(parts) > 1
    assert all(e.details["export"] == parts[0].seq for e in parts[1:])  # one export: each batch before it was sent
    recorded = [doc_id for e in parts for doc_id in e.details["documents"]]
    assert len(read) == sum(e.details["count"] for e in parts) == (first + rest).count(b"\n") > 2
    assert [json.loads(line)["id"] for line in (first + rest).splitlines()] == recorded


def test_an_archive_error_of_the_catalog_is_a_500_that_names_no_folder(settings: Settings) -> None:
    """A damaged or missing catalog says where it is: the log needs that, a visitor must not read it."""
    from archive.errors import CatalogError

    app = create_app({"ARCHIVE_SETTINGS": settings})

    def fail() -> str:
        raise CatalogError(f"{settings.home}/catalog.sqlite3 is damaged")

    app.add_url_rule("/api/fail", view_func=fail)
    response = app.test_client().get("/api/fail")
    assert response.status_code == 500 and str(settings.home) not in response.get_data(as_text=True)
    assert response.get_json()["error"] == ("the archive could not answer this request; "
                                            "the details are in the server log")
