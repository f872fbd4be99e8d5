"""The register site in a real browser (Debian's Chromium through Selenium): every page loads clean and stays in
its folder, the tables filter as asked, nothing needs a script to be read, hostile text never runs, and axe-core
finds nothing serious or critical, in English and in French."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from isa_toolkit.cli import main
from tests import browser_harness as harness
from tests.browser_harness import axe_violations, load, outside

browser, browser_without_js = harness.browser, harness.browser_without_js  # the module-scoped fixtures

AS_OF = "2026-12-01"
HOSTILE = "<script>window.pwned = 1</script>\"><img src=x onerror=\"window.pwned = 2\">{{7*7}} fire visits"


def isa(root, *args):
    result = CliRunner().invoke(main, ["-R", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example register, one agreement's title made hostile, and its site in both languages."""
    base = tmp_path_factory.mktemp("site")
    root = base / "register"
    assert CliRunner().invoke(main, ["init", str(root), "--example"]).exit_code == 0
    from isa_toolkit import register as store
    from isa_toolkit.model import Localized

    record = store.load_agreement(root, "ISA-2026-0002")  # a hostile title, as a person could type it
    store.save_agreement(root, record.model_copy(update={"title": Localized({"en": HOSTILE})}), change="title",
                         by="Test")
    site = base / "site"
    isa(root, "site", "-o", str(site), "--lang", "both", "--as-of", AS_OF)
    return root, site


def pages(site):
    return sorted(site.rglob("*.html"))


def test_every_page_loads_with_no_console_error_and_no_request_outside_the_site(browser, built):
    _, site = built
    for page in pages(site):
        shown = load(browser, page)
        assert shown.errors == [], (page, shown.errors)
        assert outside(shown.requests, site) == [], (page, outside(shown.requests, site))
        assert browser.execute_script("return window.pwned") is None, page


def test_every_link_on_every_page_resolves(browser, built):
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    _, site = built
    for page in pages(site):
        load(browser, page)
        for href in browser.execute_script("return [...document.querySelectorAll('a[href]')].map(a => a.href)"):
            parts = urlsplit(href)
            if parts.scheme in ("mailto", "tel"):
                continue  # an officer's address: the mail or phone program, not a page
            assert parts.scheme == "file", (page, href)  # no link leaves the site
            assert Path(unquote(parts.path)).exists(), (page, href)


def test_the_overview_counts_are_the_commands(browser, built):
    root, site = built
    load(browser, site / "en" / "index.html")
    listed = json.loads(isa(root, "list", "--json"))["records"]
    by_status: dict[str, int] = {}
    for entry in listed.values():
        by_status[entry["status"]] = by_status.get(entry["status"], 0) + 1
    body = browser.find_element(By.TAG_NAME, "body").text
    assert f"Total {len(listed)}" in body.replace("\n", " ")
    due = json.loads(isa(root, "review", "due", "--as-of", AS_OF, "--within", "90", "--json"))["due"]
    for record_id in due:
        assert record_id in body


def test_the_register_table_filters_by_partner_and_status(browser, built):
    root, site = built
    load(browser, site / "en" / "register.html")
    listed = json.loads(isa(root, "list", "--json"))["records"]

    def shown() -> set[str]:
        rows = browser.find_elements(By.CSS_SELECTOR, "#agreements-table tbody tr")
        return {row.get_attribute("data-id") for row in rows if row.is_displayed()}

    assert shown() == set(listed)
    Select(browser.find_element(By.CSS_SELECTOR, '[data-filter="partner"]')).select_by_value("Northshire Constabulary")
    with_police = {i for i, e in listed.items() if "Northshire Constabulary" in e["partners"]}
    assert shown() == with_police
    Select(browser.find_element(By.CSS_SELECTOR, '[data-filter="status"]')).select_by_value("active")
    assert shown() == {i for i in with_police if listed[i]["status"] == "active"}
    Select(browser.find_element(By.CSS_SELECTOR, '[data-filter="partner"]')).select_by_value("")
    assert shown() == {i for i, e in listed.items() if e["status"] == "active"}


def test_with_scripts_off_every_table_is_there_whole(browser_without_js, built):
    root, site = built
    listed = json.loads(isa(root, "list", "--json"))["records"]
    load(browser_without_js, site / "en" / "register.html")
    rows = browser_without_js.find_elements(By.CSS_SELECTOR, "#agreements-table tbody tr")
    assert {row.get_attribute("data-id") for row in rows if row.is_displayed()} == set(listed)
    load(browser_without_js, site / "fr" / "index.html")
    assert browser_without_js.find_elements(By.CSS_SELECTOR, "table")


def test_hostile_text_is_shown_as_written_and_never_runs(browser, built):
    _, site = built
    for page in (site / "en" / "register.html", site / "en" / "records" / "ISA-2026-0002.html"):
        load(browser, page)
        assert browser.execute_script("return window.pwned") is None
        text = browser.find_element(By.TAG_NAME, "body").text
        assert "<script>window.pwned = 1</script>" in text and "{{7*7}}" in text and "49" not in text.split("{{7*7}}")[0][-3:]
        assert not browser.find_elements(By.CSS_SELECTOR, "img[src='x']")


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("name", ["index.html", "register.html", "records/ISA-2024-0001.html"])
def test_axe_finds_nothing_serious_or_critical(browser, built, lang, name):
    _, site = built
    load(browser, site / lang / name)
    found = axe_violations(browser)
    assert not found.get("critical") and not found.get("serious"), found
    assert browser.execute_script("return document.documentElement.lang") == lang
