"""The pages in headless Chromium (Debian's ``chromium`` package), driven by Playwright.

The app runs on a real ingested archive, served by werkzeug on 127.0.0.1 at a
free port in a thread. The test searches, clicks a facet, opens a document at
a page, copies a citation (read back from the clipboard), opens the document
and the article browser, and downloads an export; it fails on any browser
console error (a Content-Security-Policy violation shows up there). Each page
is saved as a screenshot under ``artifacts/browser/`` for a person to look at.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from archive.settings import Settings
from tests.test_webapp import document_named, web_archive
from webapp import create_app

CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "browser"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed: `apt-get install chromium` (.ci/run installs it)")


@pytest.fixture
def base_url(settings: Settings, sample_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    web_archive(settings, sample_folder, tmp_path_factory)
    app = create_app({"ARCHIVE_SETTINGS": settings})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def browser_page(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(base_url=base_url, accept_downloads=True, viewport={"width": 1280, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        page = context.new_page()
        page.console_errors = []  # type: ignore[attr-defined]
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        try:
            yield page
        finally:
            context.close()
            browser.close()


def shoot(page: object, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_search_facet_page_citation_and_export_in_chromium(browser_page: object, settings: Settings) -> None:
    page = browser_page
    page.goto("/")
    assert page.locator(".total strong").inner_text() == "4"
    shoot(page, "01-search-home")

    page.fill("#q", "landmines")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"\?q=landmines"))
    assert page.locator(".total strong").inner_text() == "2"
    assert page.locator(".snippet mark").count() > 0
    shoot(page, "02-search-results")

    page.click('section[data-facet="type"] a[data-facet-value="report"]')
    page.wait_for_url(re.compile(r"type=report"))
    assert page.locator(".total strong").inner_text() == "1"
    assert page.locator("a.chip").inner_text().startswith("Type: report")
    shoot(page, "03-search-facet")

    page.click(".snippet a.pageref >> text=p. 2")
    report = document_named(settings, "report.pdf")
    page.wait_for_url(re.compile(rf"/documents/{report.id}/pages/2\?q=landmines"))
    assert page.locator(".pagehead strong").inner_text() == "2"
    assert page.locator(".page mark").first.inner_text() == "landmines"
    shoot(page, "04-document-page")

    page.click("button.copy")
    page.wait_for_selector(".copied:text('Copied')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#citation-text").inner_text().strip()
    assert copied.startswith('Demining NGO, "Clearance report"') and f"/documents/{report.id}/pages/2" in copied

    page.click(".crumbs a")
    page.wait_for_url(re.compile(rf"/documents/{report.id}\?q=landmines#page-2"))
    assert page.locator(".metadata .sha").inner_text() == report.sha256
    assert page.locator(".timeline li").count() >= 2
    shoot(page, "05-document")

    page.goto("/articles")
    shoot(page, "06-articles")
    page.click('#APMBC a[href="/articles/APMBC-5"]')
    page.wait_for_url(re.compile(r"/articles/APMBC-5$"))
    assert page.locator(".passage").count() == 2
    shoot(page, "07-article")
    page.click(".crumbs a >> nth=1")
    page.wait_for_url(re.compile(r"/articles/APMBC$"))
    assert page.locator(".citing-documents tbody tr").count() == 2
    shoot(page, "08-instrument")

    page.goto("/")
    assert not page.locator('a[data-facet-value="GCIV-49"]').is_visible()
    page.click('.tree summary:has(a[data-facet-value="GCIV"])', position={"x": 4, "y": 10})  # the disclosure marker
    page.click('a[data-facet-value="GCIV-49"]')
    page.wait_for_url(re.compile(r"/\?article=GCIV-49$"))
    assert page.locator(".hit h3").inner_text() == "Mine map submission: Fuzuli"
    page.click(".hit h3 a")
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]{16}$"))
    assert page.locator(".references h4").count() == 3
    shoot(page, "09-document-references")

    page.goto("/?q=mines")
    with page.expect_download() as download_info:
        page.click('a[data-export="csv"]')
    download = download_info.value
    assert download.suggested_filename == "evidence-export.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert "Mine map submission: Fuzuli" in {row["title"] for row in rows}

    assert page.console_errors == []  # no CSP violation, no failed resource on any page so far

    page.goto('/?q="unclosed')
    assert "a phrase is not closed" in page.locator(".message").inner_text()
    shoot(page, "10-error")
