"""The browser harness itself (tests/browser_harness.py), on tiny pages made here: what it reports is true."""

from __future__ import annotations

import time

import pytest

from tests import browser_harness as harness
from tests.browser_harness import axe_violations, load, outside

browser, browser_without_js = harness.browser, harness.browser_without_js  # the module-scoped fixtures

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body><main><h1>{title}</h1>{body}</main></body></html>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    root = base / "site"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "style.css").write_text("h1 { color: rgb(0, 128, 0); }\n")
    (root / "assets" / "app.js").write_text("document.documentElement.dataset.script = 'ran';\n")
    (base / "elsewhere.css").write_text("p { margin: 0; }\n")

    def page(name, title, head="", body=""):
        (root / name).write_text(PAGE.format(title=title, head=head, body=body), encoding="utf-8")

    page("index.html", "Local", '<link rel="stylesheet" href="assets/style.css"><script src="assets/app.js"></script>',
         "<p>Everything here comes from the site folder.</p>")
    page("error.html", "Error", body="<script>console.error('something broke');</script>")
    page("remote.html", "Remote", body='<img src="https://example.invalid/x.png" alt="A remote picture">'
                                       '<img src="http://192.0.2.1/y.png" alt="A picture by address">')
    page("no-alt.html", "No alt", body='<img src="assets/missing.png">')
    page("sibling.html", "Sibling", '<link rel="stylesheet" href="../elsewhere.css">')
    return root


def test_a_local_page_loads_its_css_and_script_from_the_folder_only(browser, site):
    page = load(browser, site / "index.html")
    assert [(r.url.removeprefix(site.as_uri()), r.type, r.failed) for r in page.requests] == [
        ("/index.html", "Document", None), ("/assets/style.css", "Stylesheet", None),
        ("/assets/app.js", "Script", None)]
    assert outside(page.requests, site) == []
    assert page.errors == []
    assert browser.execute_script("return document.documentElement.dataset.script") == "ran"
    heading = browser.find_element("css selector", "h1")
    assert heading.value_of_css_property("color") == "rgba(0, 128, 0, 1)"


def test_the_console_errors_of_a_page_are_reported(browser, site):
    page = load(browser, site / "error.html")
    assert len(page.errors) == 1 and "something broke" in page.errors[0]
    assert load(browser, site / "index.html").errors == []  # each load reports its own messages only


def test_a_request_leaving_the_site_is_recorded_and_fails_at_once(browser, site):
    started = time.monotonic()
    page = load(browser, site / "remote.html")
    assert time.monotonic() - started < 10  # no waiting on a network that is not there
    assert outside(page.requests, site) == ["https://example.invalid/x.png", "http://192.0.2.1/y.png"]
    remote = [r for r in page.requests if not r.url.startswith("file:")]
    assert [r.type for r in remote] == ["Image", "Image"]
    assert all(r.failed and r.failed.startswith("net::ERR_") for r in remote)
    assert len(page.errors) == 2 and all("Failed to load resource" in e for e in page.errors)


def test_a_file_outside_the_site_folder_counts_as_leaving_it(browser, site):
    page = load(browser, site / "sibling.html")
    assert outside(page.requests, site) == [(site.parent / "elsewhere.css").as_uri()]


def test_axe_finds_an_image_without_alternative_text(browser, site):
    load(browser, site / "no-alt.html")
    violations = axe_violations(browser)
    assert [v["id"] for v in violations["critical"]] == ["image-alt"]
    assert violations["critical"][0]["nodes"] == [["img"]]  # axe's selector for the element
    load(browser, site / "index.html")
    assert axe_violations(browser) == {}


def test_a_browser_without_javascript_runs_no_script(browser_without_js, site):
    page = load(browser_without_js, site / "index.html")
    assert "assets/app.js" not in " ".join(page.urls)  # not even fetched
    assert browser_without_js.execute_script("return document.documentElement.dataset.script || null") is None
    assert outside(page.requests, site) == [] and page.errors == []
    with pytest.raises(AssertionError, match="without JavaScript"):
        axe_violations(browser_without_js)


def test_without_chromium_the_fixture_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "CHROMIUM", tmp_path / "chromium")
    reason = harness.missing()
    assert reason and "apt-get install chromium chromium-driver" in reason
