"""A register's own templates (HTML for the PDF, DOCX for Word) cannot build huge texts, lists or numbers, nor run
without end: each attempt, and every other template error, is refused by `isa render` quickly, in bounded memory,
with the template's file, the line (a DOCX's part and paragraph), what went wrong and what to do; never a traceback.
What a template within the limits prints is unchanged."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from isa_toolkit.cli import main
from isa_toolkit.documents import template_limits

from ..conftest import complete_isa

ID = "ISA-2026-0001"
SECONDS = 5
EXTRA_MIB = 300

# Each bomb, and a piece of what the refusal says.
BOMBS = {
    "'x' * 10**9": ("{{ 'x' * 10**9 }}", "'x' * 1000000000 would make a text of 1,000,000,000 characters"),
    # Jinja's ** is left-associative: (10 ** 10) ** 10, a number of 333 bits.
    "10 ** 10 ** 10": ("{{ 10 ** 10 ** 10 }}", "10000000000 ** 10 would make a number of more than 256 bits"),
    "10 ** (10 ** 10)": ("{{ 10 ** (10 ** 10) }}", "10 ** 10000000000 would make a number of more than 256 bits"),
    "range(10**9)": ("{% for i in range(10**9) %}{{ i }}{% endfor %}",
                     "range(1000000000,) would give 1,000,000,000 numbers, more than the 10,000"),
    "center(10**9)": ("{{ 'x'|center(10**9) }}", "the filter center would make a text of 1,000,000,000 characters"),
    "nested loops over range(100000)": (
        "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
        "range(100000,) would give 100,000 numbers"),
    "nested loops over range(10000)": (
        "{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}",
        "did not finish within 100,000 steps"),
    "a macro calling itself without end": (
        "{% macro m(n) %}{{ m(n) }}{{ m(n) }}{% endmacro %}{{ m(1) }}", "calls went more than 50 deep"),
    "a macro calling itself twice, 40 deep": (
        "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(40) }}",
        "did not finish within 100,000 steps"),
    "'%s'|format with a huge width": (
        "{{ '%999999999s'|format(doc.title) }}", "the format filter with a width of 999,999,999 would make a text"),
    "'%*s'|format with the width as an argument": (
        "{{ '%*s'|format(10**9, doc.title) }}", "gives a width or precision with *, which a template may not"),
    "'{:>N}'.format": ("{{ '{:>999999999}'.format(doc.title) }}", "with a width of 999,999,999 would make a text"),
    "~ doubling a text": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "joining texts with ~ would make a text of 2,097,152 characters"),
    "+ doubling a text": (
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "would make a text of 2,097,152 characters"),
    "a list growing itself": ("{% set l = [1] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}",
                              "extend on a list of 131,072 items would make 131,072 items"),
    "replace": ("{{ ('x' * 100000)|replace('x', 'x' * 1000) }}", "the filter replace would make a text of 100,000,000"),
    "join with a long separator": ("{{ range(10000)|join('y' * 1000) }}", "the filter join would make a text"),
    "a text method": ("{{ 'x'.ljust(10**9) }}", "the text method ljust would make a text of 1,000,000,000"),
    "printing far too much": ("{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}",
                              "the document would be more than 4,194,304 characters long"),
    "a syntax error": ("{% if %}", "it is not a valid template: Expected an expression"),
    "an undefined variable": ("{{ doc.titel }}", "'dict object' has no attribute 'titel'; a template made for an "
                                                 "earlier version of the toolkit"),
    "a division by zero": ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
}


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def html_template(root: Path, line: str) -> Path:
    """The register's own agreement page, ``line`` on its line 3."""
    path = root / "templates" / "html" / "agreement.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>\n<p>{{{{ doc.title }}}}</p>\n{line}\n</body></html>\n", encoding="utf-8")
    return path


def docx_template(root: Path, paragraph: str) -> Path:
    """The register's own agreement DOCX, ``paragraph`` as its second paragraph."""
    from docx import Document

    path = root / "templates" / "docx" / "agreement.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    document = Document()
    document.add_paragraph("{{ doc.title }}")
    document.add_paragraph(paragraph)
    document.save(path)
    return path


def render(root: Path, fmt: str):
    """``isa render`` of the agreement through the CLI: the result, the seconds taken, the extra peak MiB."""
    before, start = peak_mib(), time.monotonic()
    result = CliRunner().invoke(main, ["-R", str(root), "render", ID, "--format", fmt, "-o", str(root.parent / "out")])
    return result, time.monotonic() - start, peak_mib() - before


def assert_refused(result, *fragments: str) -> None:
    """Exit 1 through the CLI's own error (not an exception escaping it), with each fragment, and no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # CliRunner keeps an escaped exception
    assert result.output.startswith("Error: ") and "Traceback" not in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("bomb", BOMBS)
def test_a_template_bomb_is_refused_with_its_file_and_line(make_register, bomb, fmt):
    code, message = BOMBS[bomb]
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    if fmt == "pdf":
        template, where = html_template(root, code), "(line 3)"
    else:
        template, where = docx_template(root, code), "(body paragraph 2, at “"
    result, seconds, extra = render(root, fmt)
    assert_refused(result, f"the template {template} {where}", "cannot be used: ", message)
    assert seconds < SECONDS and extra < EXTRA_MIB, (seconds, extra)
    assert not (root.parent / "out").exists()  # nothing written


def test_an_error_in_a_layout_the_page_uses_names_that_file_and_its_line(make_register):
    """The shipped agreement page extends the register's own ``_base.html``: the refusal names both."""
    from isa_toolkit.resources import shipped

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    base = root / "templates" / "html" / "_base.html"
    base.parent.mkdir(parents=True)
    lines = (shipped("templates") / "html" / "_base.html").read_text().splitlines()
    at = next(n for n, line in enumerate(lines) if "<title>" in line)
    lines[at] = "{{ 'x' * 10**9 }}" + lines[at]
    base.write_text("\n".join(lines) + "\n")
    result, _, _ = render(root, "pdf")
    assert_refused(result, "agreement.html (line ", f"line {at + 1} of {base}, which it uses", "would make a text")


def test_the_time_limit_stops_a_slow_template(make_register, monkeypatch):
    """With the step budget out of the way, the clock alone stops nested loops."""
    monkeypatch.setattr(template_limits, "MAX_STEPS", 10**12)
    monkeypatch.setattr(template_limits, "TIME_LIMIT", 0.5)
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    for fmt, make in (("pdf", html_template), ("docx", docx_template)):
        template = make(root, "{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}")
        result, seconds, extra = render(root, fmt)
        assert_refused(result, str(template), "did not finish within 0.5 seconds")
        assert seconds < SECONDS and extra < EXTRA_MIB, (seconds, extra)


def test_what_a_template_prints_within_the_limits_is_unchanged():
    """Every shipped HTML page renders to the same text in the limited environment as in Jinja's plain sandbox."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from isa_toolkit.documents.pdf import ConfinedLoader, environment
    from isa_toolkit.documents.template_checks import sample_context
    from isa_toolkit.resources import shipped

    folders = [shipped("templates") / "html"]
    context = sample_context()
    plain = SandboxedEnvironment(loader=ConfinedLoader(folders), autoescape=True, undefined=jinja2.StrictUndefined,
                                 keep_trailing_newline=True)
    for page in ("agreement", "signature-pages", "signoff-sheet", "assessment", "review-report"):
        limited = environment(folders)
        expected = plain.get_template(f"{page}.html").render(**context)
        assert limited.get_template(f"{page}.html").render(**context) == expected, page
        assert 0 < limited.steps < template_limits.MAX_STEPS // 20, (page, limited.steps)  # far from the budget


def test_the_limits_leave_ordinary_template_code_alone(tmp_path):
    """Loops with ``loop``, ``~``, ``+``, ``*``, ``%``, filters and format within the limits give what Jinja gives."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    source = ("{% for p in parties if p.name %}{{ loop.index }}/{{ loop.length }} {{ p.name ~ '!' }}"
              "{{ ' last' if loop.last }};{% endfor %} {{ 'ab' * 3 }} {{ [1, 2] + [3] }} {{ 2 ** 10 }} {{ 7 % 3 }}"
              " {{ '%05.1f'|format(3.14159) }} {{ '{:>6}'.format('x') }} {{ names|join(', ') }}"
              " {{ 'a b c'|center(9) }}| {{ range(3)|list }} {{ 'x'.rjust(3, '.') }}"
              "{% macro m(n) %}{% if n %}{{ n }}{{ m(n - 1) }}{% endif %}{% endmacro %} {{ m(5) }}"
              "{% for x in tree recursive %}[{{ x.n }}{{ loop(x.kids) }}]{% endfor %}"
              " {{ ('<b>{}</b>'|safe).format('<i>') }} {{ '{a}-{b}'.format_map({'a': 1, 'b': '&'}) }}"
              " {{ 'a&b'|replace('&', '<and>') }} {{ 'x'.encode()|length }} {{ parties|map(attribute='name')|list }}")
    context = {"parties": [{"name": "A & B"}, {"name": ""}, {"name": "C"}], "names": ["x", "<y>"],
               "tree": [{"n": 1, "kids": [{"n": 2, "kids": []}]}]}
    for autoescape in (True, False):
        plain = SandboxedEnvironment(autoescape=autoescape, undefined=jinja2.StrictUndefined)
        limited = template_limits.LimitedEnvironment(autoescape=autoescape, undefined=jinja2.StrictUndefined)
        assert limited.from_string(source).render(**context) == plain.from_string(source).render(**context)


def test_a_template_file_too_large_or_with_too_many_tags_is_refused_before_it_is_compiled(make_register):
    """Compiling grows faster than a template's tags (40,000 took seconds and hundreds of MB), and compiling is not
    counted in steps: the file's size and tags are checked first, by rendering and by `isa templates check`."""
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    template = html_template(root, "{{ doc.title }}" * 6_000)
    result, seconds, extra = render(root, "pdf")
    assert_refused(result, f"{template} has 6,001 tags", "more than the 5,000 a template may have")
    assert seconds < SECONDS and extra < EXTRA_MIB, (seconds, extra)
    checked = CliRunner().invoke(main, ["templates", "check", str(root / "templates")])
    assert checked.exit_code == 1 and f"{template} has 6,001 tags" in checked.output, checked.output
    template.write_text("<p>{{ doc.title }}</p>\n" + "<p>words</p>\n" * 300_000)
    result, seconds, extra = render(root, "pdf")
    assert_refused(result, f"{template} is 3,900,023 bytes, more than the 2,097,152 a template may be")
    checked = CliRunner().invoke(main, ["templates", "check", str(root / "templates")])
    assert checked.exit_code == 1 and f"{template} is 3,900,023 bytes" in checked.output, checked.output


def test_a_bomb_in_a_docx_templates_properties_is_located_there(make_register):
    """docxtpl renders the document's title, subject ... as templates too."""
    from docx import Document

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    template = root / "templates" / "docx" / "agreement.docx"
    template.parent.mkdir(parents=True)
    document = Document()
    document.add_paragraph("{{ doc.title }}")
    document.core_properties.subject = "{{ 'x' * 10**9 }}"
    document.save(template)
    result, seconds, extra = render(root, "docx")
    assert_refused(result, f"the template {template} (the document properties (File > Info), at “{{{{ 'x' * 10**9 }}}}”)",
                   "would make a text of 1,000,000,000 characters")
    assert seconds < SECONDS and extra < EXTRA_MIB, (seconds, extra)
