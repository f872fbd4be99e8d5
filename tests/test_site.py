"""The register site (isa site): every page well formed and self-contained, its numbers the listings' own, record
text never markup, the public site holding only the public register's fields, both languages, the same bytes twice.

The sites are built once for the module, from a copy of the example register with a few records added: hostile
text in a draft, a record that cannot be loaded (a right-to-left override), and an open breach that owes things.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from isa_toolkit.cli import main

from .conftest import git

AS_OF = "2026-11-23"
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}")
RLO = "\u202e"
BREACH = """\
id: INC-2026-0002
kind: incident
languages: [en]
type: breach
summary:
  en: A referral list was left on a shared printer.
severity: medium
occurred: 2026-11-09
reported: 2026-11-10
reported_by: A reporter
self_reported: true
organisations: [Greenway Homes]
agreements: [ISA-2023-0002]
data_involved:
  en: Names of four tenants.
regulator:
  required: true
recorded_by: Tom Whitfield
recorded: 2026-11-10
"""
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def isa(root: Path, *args: str):
    result = CliRunner().invoke(main, ["-R", str(root), *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The register and its sites: ``both`` (en/ and fr/), ``again`` (the same, built a second time) and ``public``."""
    base = tmp_path_factory.mktemp("site")
    root = base / "register"
    assert CliRunner().invoke(main, ["init", str(root), "--example"]).exit_code == 0
    draft = root / "agreements" / "ISA-2026-0002.yaml"
    text = draft.read_text(encoding="utf-8")
    title = " ".join(HOSTILE).replace("'", "''")
    text = re.sub(r"^title:\n  en: .*$", f"title:\n  en: '{title}'", text, count=1, flags=re.M)
    draft.write_text(text, encoding="utf-8")
    broken = root / "agreements" / "ISA-2026-0009.yaml"
    broken.write_text(text.replace("ISA-2026-0002", "ISA-2026-0009").replace("title:\n  en: '", f"title:\n  en: '{RLO}"),
                      encoding="utf-8")
    (root / "incidents" / "INC-2026-0002.yaml").write_text(BREACH, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-qm", "hostile records")
    out = {}
    timings = {}
    for name, args in {"both": ["--lang", "both"], "again": ["--lang", "both"], "public": ["--public"]}.items():
        started = time.monotonic()
        isa(root, "site", "-o", str(base / name), "--as-of", AS_OF, *args)
        timings[name] = time.monotonic() - started
        out[name] = base / name
    return root, out, timings


def pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


class Page(html.parser.HTMLParser):
    """The tags of a page, checked as they are read: every element closed in order, void ones never."""

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.links: list[tuple[str, str]] = []  # (attribute, value) of every href and src
        self.ids: set[str] = set()
        self.html_lang: str | None = None
        self.langs: list[str] = []
        self.data = []
        self.feed(path.read_text(encoding="utf-8"))
        self.close()
        if self.stack:
            self.errors.append(f"left open: {self.stack}")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if "lang" in attrs:
            self.langs.append(attrs["lang"])
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src", "action", "xlink:href", "poster", "srcset"):
            if name in attrs:
                self.links.append((name, attrs[name]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.errors.append(f"end tag of a void element: {tag}")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'} at {self.getpos()}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.data.append(data)

    @property
    def text(self) -> str:
        return "".join(self.data)


@pytest.mark.parametrize("name", ["both", "public"])
def test_every_page_is_well_formed_self_contained_and_its_links_resolve(sites, name):
    _, out, _ = sites
    site = out[name]
    parsed = {path: Page(path) for path in pages(site)}
    assert len(parsed) > 3
    for path, page in parsed.items():
        assert page.errors == [], path
        assert page.html_lang in ("en", "fr"), path
        # Whatever a page holds, a browser runs no script and loads nothing but the site's own files.
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', path.read_text("utf-8"))
        assert policy and "default-src 'none'" in policy[1] and "'unsafe-inline'" not in policy[1], path
        assert "script-src 'self'" in policy[1] or "script-src" not in policy[1], path
        for attribute, value in page.links:
            assert not re.match(r"(?i)\s*(https?:)?//", value), (path, value)  # nothing from another host
            assert not value.lower().startswith(("javascript:", "data:")), (path, value)
            if value.startswith("mailto:"):
                continue
            target, _, fragment = value.partition("#")
            resolved = (path.parent / target).resolve() if target else path
            assert resolved.is_file() and resolved.is_relative_to(site.resolve()), (path, value)
            if fragment and resolved.suffix == ".html":
                ids = parsed[resolved].ids if resolved in parsed else Page(resolved).ids
                assert fragment in ids, (path, value)
    # The charts are drawn in the page, with their words: a title and a description naming the figures.
    if name == "both":
        svg = (site / "en" / "index.html").read_text(encoding="utf-8")
        assert "<svg" in svg and "<title id=\"status-chart-title\">" in svg and "<desc" in svg
    # No stylesheet or script from elsewhere, no web font.
    for asset in site.rglob("*.css"):
        assert "url(" not in asset.read_text(encoding="utf-8") and "@import" not in asset.read_text(encoding="utf-8")
    for asset in site.rglob("*.js"):
        assert not re.search(r"https?://|fetch\(|XMLHttpRequest|import\(", asset.read_text(encoding="utf-8"))


def test_the_overview_counts_what_the_listings_list(sites):
    root, out, _ = sites
    page = (out["both"] / "en" / "index.html").read_text(encoding="utf-8")

    listed = json.loads(isa(root, "list", "--json").stdout)["records"]
    counts: dict[str, int] = {}
    for entry in listed.values():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    shown = {m[0]: int(m[1]) for m in re.findall(r'data-count="status-([a-z_]+)">(\d+)<', page)}
    assert shown == counts
    assert f'data-count="agreements">{len(listed)}<' in page

    due = json.loads(isa(root, "review", "due", "--json", "--as-of", AS_OF, "--within", "90").stdout)["due"]
    rows = re.findall(r'<tr class="band-([a-z0-9]+)[^"]*" data-review="([^"]+)"', page)
    assert [record_id for _, record_id in rows] == list(due)
    assert {record_id for band, record_id in rows if band == "overdue"} == {i for i, d in due.items() if d["overdue"]}
    assert any(d["overdue"] for d in due.values())  # the example register has an overdue review: shown as such
    for record_id, item in due.items():
        if item["owner"]:
            assert item["owner"] in page

    people = json.loads(isa(root, "pending", "--json").stdout)["people"]
    expected = {(p["who"], record_id) for p in people for record_id in p["waiting"]}
    found = set()
    for who, body in re.findall(r'<section class="person" data-person="([^"]+)">(.*?)</section>', page, re.S):
        found |= {(html_unescape(who), record_id) for record_id in re.findall(r'data-pending="([^"]+)"', body)}
    assert found == expected and expected

    owed = json.loads(isa(root, "deadlines", "--json", "--as-of", AS_OF).stdout)["deadlines"]
    rows = re.findall(r'<tr( class="overdue")? data-deadline="([^"]+)"', page)
    assert [record_id for _, record_id in rows] == [item["record_id"] for item in owed] and owed
    assert [bool(late) for late, _ in rows] == [item["overdue"] for item in owed]
    assert page.count('<strong class="bad">Overdue</strong>') >= sum(item["overdue"] for item in owed)


def test_a_wait_nothing_dates_counts_from_the_day_the_record_came_in(sites, tmp_path):
    """ISA-2026-0001 waits on its first stage with no pack sent and no move recorded: the overview says it has
    waited at least since its first commit, and on a site made as of a day before that commit, that it cannot say."""
    import datetime as dt

    root, out, _ = sites
    first = git(root, "log", "--format=%aI", "--", "agreements/ISA-2026-0001.yaml").split()[-1][:10]
    today = dt.date.today().isoformat()
    isa(root, "site", "-o", str(tmp_path / "today"), "--as-of", today)
    page = (tmp_path / "today" / "index.html").read_text(encoding="utf-8")
    days = (dt.date.today() - dt.date.fromisoformat(first)).days
    assert f"waiting at least {days} day{'' if days == 1 else 's'} (recorded on {first})" in page
    assert "since an unknown day" not in page
    earlier = (out["both"] / "en" / "index.html").read_text(encoding="utf-8")  # as of AS_OF, before any commit
    assert first > AS_OF and "since an unknown day" in earlier and "recorded on" not in earlier


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_record_text_is_shown_as_text_never_as_markup(sites):
    _, out, _ = sites
    for tree in ("en", "fr"):
        for name in ("register.html", "records/ISA-2026-0002.html", "index.html"):
            text = (out["both"] / tree / name).read_text(encoding="utf-8")
            assert "<script>alert" not in text and "<img" not in text
            if name != "index.html":
                assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
                assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in text
                assert "{{7*7}}" in text and ">49<" not in text and " 49 " not in text
            page = Page(out["both"] / tree / name)
            assert page.errors == []
            if name != "index.html":
                assert HOSTILE[0] in page.text and HOSTILE[1] in page.text  # read back as the words written
    for path in out["both"].rglob("*.html"):
        assert RLO not in path.read_text(encoding="utf-8"), path
    # The record that cannot be loaded is listed with its file, line and reason, the override named by its code.
    overview = (out["both"] / "en" / "index.html").read_text(encoding="utf-8")
    assert "agreements/ISA-2026-0009.yaml" in overview and "U+202E" in overview


def test_public_site_holds_only_the_public_registers_fields(sites):
    root, out, _ = sites
    from isa_toolkit.register.load import load_register

    register = load_register(root)
    people: set[str] = set()

    def contact(c) -> None:
        if c is not None:
            people.update(v for v in (c.name, c.email, c.phone) if v)

    for c in register.settings.contacts.values():
        contact(c)
    for agreement in register.agreements.values():
        contact(agreement.owner)
        for party in agreement.parties:
            for c in (party.designated_officer, party.data_protection_officer, party.signatory):
                contact(c)
        people.update(s.name for s in agreement.signoffs)
        people.update(v for s in agreement.sent for v in (s.name, s.email) if v)
        people.update(h.by for h in agreement.history)
    for incident in register.section("incident").records.values():
        people.add(incident.recorded_by)
    assert "Margaret Okonedo" in people and len(people) > 20

    public = out["public"]
    exported = json.loads(isa(root, "export", "--public", "--format", "json").stdout)
    assert sorted(p.stem for p in (public / "records").glob("*.html")) == sorted(row["id"] for row in exported)
    text = "\n".join(path.read_text(encoding="utf-8") for path in pages(public))
    for value in sorted(people):
        assert value not in text, value
    assert "INC-" not in text and "DIS-" not in text and "REQ-" not in text
    assert "ISA-2026-0002" not in text and "ISA-2022-0001" not in text  # a draft, a terminated agreement
    assert not (public / "reviews.ics").exists()
    # Every value a public record page shows is a field of the public export, in that order.
    for row in exported:
        page = Page(public / "records" / f"{row['id']}.html").text
        for value in row.values():
            if value:
                assert html_unescape(value).replace("[en] ", "") in page, (row["id"], value)


def test_both_languages_each_in_its_folder_with_a_way_to_the_other(sites):
    _, out, _ = sites
    site = out["both"]
    assert (site / "index.html").is_file() and (site / "reviews.ics").is_file()
    for lang, other in (("en", "fr"), ("fr", "en")):
        for path in pages(site / lang):
            page = Page(path)
            assert page.html_lang == lang, path
            relative = path.relative_to(site / lang).as_posix()
            assert any(value.endswith(f"{other}/{relative}") for _, value in page.links), path
    # Text in the other language is marked: the bilingual protocol's French on an English page, English-only titles
    # on French pages.
    protocol = (site / "en" / "records" / "ISP-2025-0001.html").read_text(encoding="utf-8")
    assert '<section lang="fr" class="language">' in protocol
    french = (site / "fr" / "register.html").read_text(encoding="utf-8")
    assert '<span lang="en">Domestic abuse multi-agency' in french
    assert "Toutes les fiches du registre" in french and "Accords" in french


def test_two_builds_are_byte_identical(sites):
    _, out, _ = sites
    first = {p.relative_to(out["both"]): p.read_bytes() for p in out["both"].rglob("*") if p.is_file()}
    second = {p.relative_to(out["again"]): p.read_bytes() for p in out["again"].rglob("*") if p.is_file()}
    assert first == second


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pages_made_by_worker_processes_are_the_pages_made_here(sites, tmp_path, monkeypatch, method):
    """A large register's record pages are made by a worker per core (forked on Linux, spawned elsewhere): the same
    bytes as made in one process, in both languages."""
    import datetime as dt

    from isa_toolkit.register.load import load_register
    from isa_toolkit.site import build

    root, out, _ = sites
    monkeypatch.setenv("ISA_START_METHOD", method)
    monkeypatch.setattr(build, "PARALLEL_PAGES", 1)
    register = load_register(root)
    made = build.build_site(register, tmp_path / "site", langs=["en", "fr"], as_of=dt.date.fromisoformat(AS_OF))
    assert made.pages == len(pages(out["both"]))
    first = {p.relative_to(out["both"]): p.read_bytes() for p in out["both"].rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "site"): p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert first == second


def test_where_no_folder_may_be_made_beside_the_site_the_old_pages_are_deleted_in_place(sites, tmp_path,
                                                                                        monkeypatch):
    import datetime as dt

    from isa_toolkit.register.load import load_register
    from isa_toolkit.site import build

    root, out, _ = sites
    site = tmp_path / "site"
    shutil.copytree(out["public"], site)
    (site / "records" / "ISA-1999-0001.html").write_text("old", encoding="utf-8")

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(build.tempfile, "mkdtemp", refused)
    build.build_site(load_register(root), site, langs=["en"], public=True, as_of=dt.date.fromisoformat(AS_OF))
    assert not (site / "records" / "ISA-1999-0001.html").exists()
    made = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert made == {p.relative_to(out["public"]): p.read_bytes() for p in out["public"].rglob("*") if p.is_file()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def _stop_at_once(*args):
    os._exit(9)  # as the system's out-of-memory killer would stop a worker


def test_a_worker_that_dies_stops_the_build_with_a_message(sites, tmp_path, monkeypatch):
    import datetime as dt

    from isa_toolkit.errors import IsaError
    from isa_toolkit.register.load import load_register
    from isa_toolkit.site import build

    root, _, _ = sites
    monkeypatch.setenv("ISA_START_METHOD", "fork")
    monkeypatch.setattr(build, "PARALLEL_PAGES", 1)
    monkeypatch.setattr(build, "_render_range", _stop_at_once)
    with pytest.raises(IsaError, match="worker process making the site's pages stopped"):
        build.build_site(load_register(root), tmp_path / "site", langs=["en"], as_of=dt.date.fromisoformat(AS_OF))


def test_each_record_page_lists_the_commits_isa_log_lists(sites, tmp_path):
    """The site reads every record's history in one pass of git's log; each is what ``isa log ID`` gives, on a
    history with amendments, a branch merged in by hand and a record that is gone."""
    from isa_toolkit.register.query import histories, history

    root, _, _ = sites
    copy = tmp_path / "register"
    shutil.copytree(root, copy)
    env = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    isa(copy, "amend", "ISA-2026-0002", "--set", "contact=Jo Bloggs, 01632 960001", "--by", "Test")
    git(copy, "checkout", "-qb", "side")
    incident = copy / "incidents" / "INC-2026-0002.yaml"
    incident.write_text(incident.read_text(encoding="utf-8").replace("four tenants", "five tenants"), encoding="utf-8")
    git(copy, *env, "commit", "-qam", "a correction on a branch")
    git(copy, "checkout", "-q", "-")
    isa(copy, "amend", "ISA-2026-0002", "--set", "contact=Jo Bloggs, 01632 960002", "--by", "Test")
    git(copy, *env, "merge", "-q", "--no-edit", "side")
    git(copy, "rm", "-q", "agreements/ISA-2026-0009.yaml")
    git(copy, *env, "commit", "-qm", "a record that could not be read, removed")
    # Both sides change the same record and the merge keeps ours: git's history of that file leaves the side's
    # commit out, and so must the page.
    git(copy, "checkout", "-qb", "side2")
    incident.write_text(incident.read_text(encoding="utf-8").replace("five tenants", "six tenants"), encoding="utf-8")
    other = copy / "agreements" / "ISA-2026-0001.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "# checked on the branch\n", encoding="utf-8")
    git(copy, *env, "commit", "-qam", "a change the merge will not keep, and one it will")
    git(copy, "checkout", "-q", "-")
    incident.write_text(incident.read_text(encoding="utf-8").replace("five tenants", "seven tenants"), encoding="utf-8")
    git(copy, *env, "commit", "-qam", "the change kept")
    git(copy, *env, "merge", "-q", "--no-commit", "-s", "ours", "side2")
    git(copy, "checkout", "side2", "--", "agreements/ISA-2026-0001.yaml")
    git(copy, *env, "commit", "-qm", "merge: the branch's agreement, our incident")
    found = histories(copy)
    ids = [p.stem for folder in ("agreements", "disclosures", "requests", "incidents") for p in (copy / folder).glob("*.yaml")]
    assert len(ids) > 5
    for record_id in [*ids, "ISA-2026-0009"]:
        assert found.get(record_id, []) == history(copy, record_id), record_id
    assert len(found["ISA-2026-0002"]) >= 3
    assert [c.subject for c in found["INC-2026-0002"]][:2] == ["the change kept", "a correction on a branch"]
    # A register kept in a folder of a larger repository: paths are the register's own.
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    shutil.copytree(root, outer / "register", ignore=shutil.ignore_patterns(".git"))
    git(outer, "add", "-A")
    git(outer, *env, "commit", "-qm", "the register, in a folder")
    inner = histories(outer / "register")
    assert inner["ISA-2026-0002"] == history(outer / "register", "ISA-2026-0002") and inner["ISA-2026-0002"]


def test_where_the_site_may_go(sites, tmp_path):
    root, out, _ = sites
    # Inside the register, where git would take the pages in: refused.
    result = CliRunner().invoke(main, ["-R", str(root), "site", "-o", str(root / "public")])
    assert result.exit_code == 1 and "git would take the files in" in result.output
    assert not (root / "public").exists()
    # A folder that holds something else is never emptied.
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"...")
    result = CliRunner().invoke(main, ["-R", str(root), "site", "-o", str(other)])
    assert result.exit_code == 1 and "not a site made by isa site" in result.output
    assert (other / "holiday.jpg").exists()
    # The documents name officers: not with --public.
    result = CliRunner().invoke(main, ["-R", str(root), "site", "--public", "--with-documents", "-o",
                                       str(tmp_path / "pub")])
    assert result.exit_code == 1 and "--with-documents cannot go with --public" in result.output
    # A site made before is replaced whole: a page of a record gone does not stay behind.
    copy = tmp_path / "again"
    shutil.copytree(out["public"], copy)
    (copy / "records" / "ISA-1999-0001.html").write_text("old", encoding="utf-8")
    stopped = tmp_path / ".again.isa-site-old-x1"  # what a build stopped part-way left beside the site: its own
    stopped.mkdir()
    (stopped / ".isa-site").write_text("made by isa site", encoding="utf-8")
    (stopped / "index.html").write_text("older", encoding="utf-8")
    theirs = tmp_path / ".again.isa-site-old-x2"  # the same name, but not made by isa site: left alone
    theirs.mkdir()
    isa(root, "site", "--public", "-o", str(copy), "--as-of", AS_OF)
    assert not (copy / "records" / "ISA-1999-0001.html").exists()
    assert sorted(p.name for p in copy.iterdir()) == sorted(p.name for p in out["public"].iterdir())
    assert not stopped.exists() and theirs.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir() if "isa-site-old" in p.name) == [theirs.name]


def test_the_site_labels_are_translated_and_the_templates_check_passes(sites):
    root, out, _ = sites
    result = CliRunner().invoke(main, ["-R", str(root), "templates", "check"])
    assert result.exit_code == 0, result.output
    # Codes of the record are shown in words, in the page's language, as the documents name them.
    for lang, words in {"en": ("Information security manager", "Discloser and recipient", "Lawful basis"),
                        "fr": ("Responsable de la sécurité de l’information", "Fournisseur et destinataire",
                               "Base licite")}.items():
        overview = (out["both"] / lang / "index.html").read_text(encoding="utf-8")
        record = (out["both"] / lang / "records" / "ISA-2026-0001.html").read_text(encoding="utf-8")
        assert words[0] in overview and words[0] in record and all(word in record for word in words[1:])
        for code in ("information_security_manager", "partner_designated_officer", "lawful_basis"):
            assert f">{code}" not in record and f"{code})</h3>" not in overview, (lang, code)
