"""The pages in headless Chromium (Debian's ``chromium`` package), driven by Playwright.

The app runs on a real ingested archive, served by werkzeug on 127.0.0.1 at a
free port in a thread. The test searches, clicks a facet, opens a document at
a page, copies a citation (read back from the clipboard), opens the document
and the article browser, and downloads an export; it fails on any browser
console error (a Content-Security-Policy violation shows up there). Each page
is saved as a screenshot under ``artifacts/browser/`` for a person to look at. Then keyboard use
(the skip link, headings, the copy button's focus without a clipboard API) and layout (facet counts
beside their own entry, no sideways scrolling at 375 px, a side column that scrolls with the page).
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
    page.fill("#q", "landmines clearance")  # a changed query keeps the filter
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"\?q=landmines\+clearance&type=report$"))
    assert page.locator("a.chip").inner_text().startswith("Type: report")
    page.go_back()
    page.wait_for_url(re.compile(r"\?q=landmines&type=report$"))

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

    page.click(".crumbs a >> text=whole document")
    page.wait_for_url(re.compile(rf"/documents/{report.id}\?q=landmines&back=type%3Dreport#page-2"))
    assert page.locator(".metadata .sha").inner_text() == report.sha256
    assert page.locator(".timeline li").count() >= 2
    shoot(page, "05-document")
    page.click(".crumbs a >> text=Search")  # back to the results as they were: the filter kept
    page.wait_for_url(re.compile(r"/\?q=landmines&type=report$"))
    assert page.locator(".total strong").inner_text() == "1"

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
    assert page.locator(".tree summary a, .tree summary button").count() == 0  # no control inside a control
    page.click('.tree summary:has(span[title="GCIV"])')  # opens the instrument; its filter is its list's first entry
    assert page.locator('a.whole[data-facet-value="GCIV"]').is_visible()
    page.click('.tree summary:has(span[title="GCIV-49"])')  # the article has paragraphs: open it too
    page.click('a[data-facet-value="GCIV-49"]')
    page.wait_for_url(re.compile(r"/\?article=GCIV-49$"))
    assert page.locator(".hit h3").inner_text() == "Mine map submission: Fuzuli"
    page.click(".hit h3 a")
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]{16}\?back=article%3DGCIV-49$"))
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


# -- keyboard: the skip link, headings, the copy button's focus without the clipboard API --------------
# The copy fallback is what a plain-HTTP deployment on a host name gets, so those pages are opened as
# http://archive.test:PORT mapped to 127.0.0.1: not a secure context.


@pytest.fixture
def chromium(base_url: str) -> Iterator[tuple[object, str]]:
    from playwright.sync_api import sync_playwright

    port = base_url.rsplit(":", 1)[1]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, "--host-resolver-rules=MAP archive.test 127.0.0.1"])
        try:
            yield browser, f"http://archive.test:{port}"
        finally:
            browser.close()


def test_skip_link_leads_past_the_facets_to_the_results(chromium: tuple[object, str]) -> None:
    browser, origin = chromium
    page = browser.new_page(base_url=origin)  # type: ignore[attr-defined]
    page.goto("/?q=landmines")
    assert page.locator("h1").count() == 1
    assert page.evaluate("[...document.querySelectorAll('h1,h2,h3')].map(h => h.tagName)")[:1] == ["H1"]
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["width"] > 20  # shown when focused
    page.keyboard.press("Enter")
    presses = 0
    while not page.evaluate("!!document.activeElement.closest('.hit')") and presses < 10:
        page.keyboard.press("Tab")
        presses += 1
        assert page.evaluate("!!document.activeElement.closest('.results')"), "Tab stays in the results"
    assert presses <= 3, "the sort link and the syntax help, then the first result (not 60 facet links)"
    page.goto("/articles")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_copy_without_the_clipboard_api_keeps_the_focus_on_the_button(chromium: tuple[object, str], settings) -> None:
    browser, origin = chromium
    page = browser.new_page(base_url=origin)  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    report = document_named(settings, "report.pdf")
    page.goto(f"/documents/{report.id}/pages/2")
    assert page.evaluate("window.isSecureContext") is False and page.evaluate("!navigator.clipboard")
    page.focus("button.copy")
    page.keyboard.press("Enter")
    page.wait_for_selector(".copied:text('Copied')")
    assert page.evaluate("document.activeElement.className") == "copy"
    assert page.get_attribute("button.copy", "data-copied") == page.locator("#citation-text").inner_text().strip()
    assert errors == []


def test_without_javascript_no_copy_button_is_offered(chromium: tuple[object, str], settings) -> None:
    """The button copies through app.js: without it, it would be a button that does nothing when pressed."""
    browser, origin = chromium
    report = document_named(settings, "report.pdf")
    for scripts in (False, True):
        page = browser.new_page(base_url=origin, java_script_enabled=scripts)  # type: ignore[attr-defined]
        for url in (f"/documents/{report.id}", f"/documents/{report.id}/pages/2"):
            page.goto(url)
            assert page.locator("#citation-text").is_visible()  # to select and copy by hand
            assert page.locator("button.copy").is_visible() is scripts, (url, scripts)
        page.close()


# -- layout: facet counts beside their own entry, no sideways scrolling, the side column -----------------

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_each_article_count_is_on_its_own_entry(browser_page) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto("/")
    page.evaluate("document.querySelectorAll('.tree details').forEach(d => d.open = true)")
    misplaced = page.evaluate("""() => [...document.querySelectorAll('.tree .count')].filter(count => {
        const entry = count.parentElement.getBoundingClientRect(), box = count.getBoundingClientRect();
        const middle = box.top + box.height / 2;
        return middle < entry.top || middle > entry.top + box.height;  // on the entry's first line
    }).map(count => count.parentElement.innerText)""")
    assert misplaced == []


def test_the_counts_of_closed_instruments_line_up_with_the_other_facet_counts(browser_page) -> None:
    page = browser_page
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/?q=mines")
        page.evaluate("document.querySelectorAll('details.filters').forEach(d => d.open = true)")
        edges = page.evaluate("""() => [...document.querySelectorAll(
            '.tree > ul > li > details > summary > .count, .facet[data-facet="type"] > ul > li > .count')]
            .map(count => [count.parentElement.innerText.split('\\n')[0],
                           Math.round(count.getBoundingClientRect().right)])""")
        assert len(edges) > 4
        column = max(right for _, right in edges)
        assert [label for label, right in edges if right != column] == [], f"at {width} px: {edges}"


def test_a_facet_value_with_a_long_word_keeps_its_count_in_the_column(browser_page) -> None:
    page = browser_page
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/")
        page.evaluate("""() => {  // an issuer or place named by one long word (a web address, a chain of names)
            document.querySelectorAll('details.filters').forEach(d => d.open = true);
            document.querySelector('.facet[data-facet="issuer_facet"] li a').textContent =
                'Supercalifragilistic'.repeat(3);
        }""")
        spilled = page.evaluate("""() => [...document.querySelectorAll('.facet:not(.tree) li .count')].filter(count => {
            const column = count.closest('.facet').getBoundingClientRect();
            return count.offsetParent && count.getBoundingClientRect().right > column.right + 0.5;
        }).map(count => count.parentElement.innerText)""")
        assert spilled == [], f"at {width} px"
        assert page.evaluate(OVERFLOW) == 0, f"at {width} px"


def test_long_words_and_narrow_windows_do_not_scroll_sideways(browser_page, settings) -> None:
    page = browser_page
    word = "Supercalifragilistic" * 8
    report = document_named(settings, "report.pdf")
    page.goto(f"/documents/{report.id}")
    page.evaluate(f"document.querySelector('h1').textContent = '{word}'")
    assert page.evaluate(OVERFLOW) == 0
    page.goto("/?q=landmines")
    page.evaluate(f"document.querySelector('.hit h3 a').textContent = '{word}'")
    assert page.evaluate(OVERFLOW) == 0
    page.set_viewport_size({"width": 375, "height": 740})
    for url in ("/", f"/documents/{report.id}", f"/documents/{report.id}/pages/2", "/articles", "/articles/APMBC",
                "/articles/APMBC-5", "/login"):
        page.goto(url)
        assert page.evaluate(OVERFLOW) == 0, url


def test_the_search_syntax_help_opened_on_a_phone_does_not_scroll_sideways(browser_page) -> None:
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    for url in ("/?q=landmines", '/?q="unclosed'):  # the results page and the error page of a refused query
        page.goto(url)
        page.click(".syntax summary")
        assert page.locator(".syntax dd").first.is_visible()
        assert page.evaluate(OVERFLOW) == 0, url
    shoot(page, "syntax-phone")


def test_the_side_column_of_a_document_scrolls_with_the_page(browser_page, settings) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 500})  # a side column taller than the window
    page.goto(f"/documents/{document_named(settings, 'report.pdf').id}")
    assert page.evaluate("getComputedStyle(document.querySelector('.docside')).position") != "sticky"
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    custody = page.locator(".custody").bounding_box()
    assert custody and custody["y"] + custody["height"] <= 500 + 1


def test_an_upload_during_a_batch_waits_and_its_page_shows_the_outcome_once_in(
        browser_page, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin's form, a 202 page saying the files are kept, and that page reloading itself until they are in."""
    from archive.accounts import add_user
    from archive.store import Archive

    monkeypatch.setattr("archive.store.WRITER_WAIT", 0.2)
    monkeypatch.setattr("archive.catchup.POLL_SECONDS", 0.2)
    monkeypatch.setattr("webapp.admin.REFRESH_SECONDS", 1)
    with Archive(settings) as archive:
        add_user(archive, "clerk", "admin", "correct horse battery staple")
    page = browser_page
    page.goto("/login")
    page.fill("#name", "clerk")
    page.fill("#password", "correct horse battery staple")
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert "Signed in as" in page.locator(".account").inner_text()
    statement = tmp_path / "Показания у Глимборово.txt"
    statement.write_text("Показания о минах у Глимборово, 2022.", encoding="utf-8")
    with Archive(settings) as batch, batch.writer_lock():  # an overnight batch holds the archive
        page.goto("/ingest")
        page.set_input_files("#files", str(statement))
        page.click(".ingest-form button[type=submit]")
        assert "Queued at" in page.locator(".queued").inner_text()
        assert "Показания у Глимборово.txt" in page.locator(".queued-files").inner_text()
        shoot(page, "upload-queued")
        page.evaluate("window.stillHere = true")  # a reload would lose it
        page.wait_for_timeout(2500)  # the page looks every second: nothing has changed, so it stays
        assert page.evaluate("window.stillHere === true")
    page.wait_for_selector(".outcome-ingested", timeout=60_000)  # the page went to itself once the files were in
    assert "1 ingested" in page.locator(".summary").inner_text()
    shoot(page, "upload-done")
    page.click("table.outcomes a")
    assert "Глимборово" in page.locator("main").inner_text()
    assert not page.console_errors


SPLIT_WORDS = """selector => [...document.querySelectorAll(selector)].filter(cell => {
    // a cell narrower than one of its words (a line may break after a hyphen), which it then splits inside
    const style = getComputedStyle(cell), probe = document.createElement('span');
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const name of ['fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'letterSpacing']) {
        probe.style[name] = style[name];  // not the shorthand "font": empty when a cell sets tabular figures
    }
    probe.style.whiteSpace = 'nowrap'; probe.style.position = 'absolute';
    document.body.append(probe);
    const widest = Math.max(...cell.innerText.split(/\\s+|(?<=-)/).map(word => {
        probe.textContent = word; return probe.getBoundingClientRect().width; }));
    probe.remove();
    return widest > room + 1;
}).map(cell => cell.innerText)"""


def test_on_a_phone_the_outcomes_and_the_audit_trail_keep_their_words_whole(browser_page, settings: Settings,
                                                                            tmp_path: Path) -> None:
    """Three or five columns on a 375 px screen split "Outcome", "Who" and "ingested" letter by letter; the tables
    keep their words and scroll sideways in a box of their own, which the keyboard can reach."""
    from archive.accounts import add_user
    from archive.store import Archive

    with Archive(settings) as archive:
        add_user(archive, "clerk", "admin", "correct horse battery staple")
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/login")
    page.fill("#name", "clerk")
    page.fill("#password", "correct horse battery staple")
    with page.expect_navigation():
        page.press("#password", "Enter")
    statement = tmp_path / "statement.txt"
    statement.write_text("A statement about mines near Aghdam, 2023.", encoding="utf-8")
    page.goto("/ingest")
    page.set_input_files("#files", str(statement))
    page.click(".ingest-form button[type=submit]")
    assert "1 ingested" in page.locator(".summary").inner_text()
    split = page.evaluate(SPLIT_WORDS, ".outcomes th, .outcomes td:nth-child(2)")
    assert split == [] and page.evaluate(OVERFLOW) == 0, split
    shoot(page, "upload-phone")
    page.click("table.outcomes a")  # downloads of originals are on the audit trail
    assert page.request.get(page.locator(".metadata a[download]").get_attribute("href")).ok
    page.goto("/audit")
    assert page.locator(".audit-events td.action").count() > 0
    split = page.evaluate(SPLIT_WORDS, ".audit-events th, .audit-events td:not(:last-child)")
    assert split == [] and page.evaluate(OVERFLOW) == 0, split
    shoot(page, "audit-phone")
    assert _accessibility_violations(page) == []  # the scrolling box is named and reached by the keyboard


def test_on_a_phone_the_documents_citing_an_article_keep_their_words_whole(browser_page) -> None:
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    for url in ("/articles/APMBC-5", "/articles/APMBC"):
        page.goto(url)
        assert page.locator(".citing-documents tbody tr").count() == 2
        split = page.evaluate(SPLIT_WORDS, ".citing-documents th, .citing-documents td:not(:first-child)")
        assert split == [] and page.evaluate(OVERFLOW) == 0, (url, split)
        assert _accessibility_violations(page) == [], url
    shoot(page, "instrument-phone")


def test_a_wrong_password_leaves_the_focus_on_the_password_to_type_again(browser_page, settings: Settings) -> None:
    """The page refusing it keeps the name: the cursor waits in the empty password field, not in the name."""
    from archive.accounts import add_user
    from archive.store import Archive

    with Archive(settings) as archive:
        add_user(archive, "clerk", "admin", "correct horse battery staple")
    page = browser_page
    page.goto("/login")
    assert page.evaluate("document.activeElement.id") == "name"
    page.fill("#name", "clerk")
    page.fill("#password", "wrong horse")
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert "wrong" in page.locator(".message").inner_text()
    assert page.input_value("#name") == "clerk"
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("correct horse battery staple")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Signed in as" in page.locator(".account").inner_text()


def test_on_a_phone_the_results_come_first_and_the_filters_open_on_demand(browser_page) -> None:
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/?q=landmines")
    first = page.locator(".hit h3").first.bounding_box()
    assert first and first["y"] + first["height"] <= 740, "the first result is on the first screen"
    facet = page.locator('section[data-facet="type"] a[data-facet-value="report"]')
    assert not facet.is_visible()
    page.click(".facets summary.filters-toggle")
    assert facet.is_visible()
    page.click('section[data-facet="type"] a[data-facet-value="report"]')
    page.wait_for_url(re.compile(r"type=report"))
    assert "Type: report" in page.locator("a.chip").inner_text()
    assert "1 on" in page.locator(".facets summary.filters-toggle").inner_text()  # says a filter is set
    page.set_viewport_size({"width": 1280, "height": 900})  # a window made wide shows them beside the results
    page.wait_for_selector('section[data-facet="type"] a[data-facet-value="report"]', state="visible", timeout=5000)
    assert not page.locator(".facets summary.filters-toggle").is_visible()
    assert page.console_errors == []


def _accessibility_violations(page: object) -> list[str]:
    """axe-core's WCAG 2 A and AA violations on the page as shown, one line each (rule, impact, where)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                              "wcag21aa", "wcag22aa"]},
                                       "resultTypes": ["violations"]})
    return [f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            for violation in results.response["violations"]]


def test_every_page_meets_wcag_aa_as_axe_checks_it(browser_page, settings: Settings) -> None:
    """Search, results with filters and a "did you mean", a refused query, a document, a page, the article
    browser, the sign-in page and, signed in as an admin, the upload and access pages: no violation axe-core
    finds of WCAG 2.x A and AA (contrast, names of controls and links, landmarks, language, lists, ARIA),
    at a desktop width and a phone's."""
    from archive.accounts import add_user
    from archive.store import Archive

    report = document_named(settings, "report.pdf")
    with Archive(settings) as archive:
        add_user(archive, "clerk", "admin", "correct horse battery staple")
    page = browser_page
    public = ["/", "/?q=landmines&type=report&sort=date", "/?q=landmnes", "/?q=landmines+AND",
              f"/documents/{report.id}?q=landmines", f"/documents/{report.id}/pages/2?q=landmines",
              "/articles", "/articles/APMBC", "/articles/APMBC-5", "/login", "/no-such-page"]
    found: dict[str, list[str]] = {}
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        for url in public:
            page.goto(url)
            found.update({f"{url} at {width} px": v for v in [_accessibility_violations(page)] if v})
    page.goto("/login")
    page.fill("#name", "clerk")
    page.fill("#password", "correct horse battery staple")
    with page.expect_navigation():
        page.press("#password", "Enter")
    for url in ("/ingest", f"/documents/{report.id}", "/audit"):
        page.goto(url)
        found.update({f"{url} (admin)": v for v in [_accessibility_violations(page)] if v})
    assert not found, "\n".join(f"{where}: {line}" for where, lines in found.items() for line in lines)
    page.evaluate("""() => {  // style set through the DOM: the pages' CSP refuses inline style attributes
        const main = document.querySelector('main'), faint = document.createElement('p');
        faint.textContent = 'faint'; faint.style.color = '#bbb'; faint.style.background = '#fff';
        main.append(document.createElement('img'), faint);
    }""")
    seen = " ".join(_accessibility_violations(page))  # the check itself sees what it is there to see
    assert "image-alt" in seen and "color-contrast" in seen, seen
