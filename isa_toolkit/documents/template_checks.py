"""``isa templates check``: what would make a document silently wrong."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import IsaError
from ..model.disclosure import Disclosure
from ..register.load import load_chain, load_register
from ..resources import shipped
from .context import disclosure_context, document_context
from .docx import split_tags
from .messages import message_text, message_uses
from .template_limits import check_source, check_source_size


def check_templates(register_root: Path | None, path: Path | None = None) -> list[str]:
    """Problems, each ``file:line: message`` (a DOCX's location is its part and paragraph): templates that cannot
    be read, split DOCX tags, variables the context lacks, catalog messages untranslated or marked fuzzy.

    ``path`` checks that templates folder alone; otherwise the register's own
    templates and the shipped ones.
    """
    from jinja2 import TemplateSyntaxError

    if path is not None:
        folders = [path]
    else:
        folders = [shipped("templates")]
        if register_root is not None and (register_root / "templates").is_dir():
            folders.insert(0, register_root / "templates")
    problems = []
    sample = sample_context()
    for folder in folders:
        for template in sorted((folder / "html").glob("*.html")):
            try:
                check_source_size(template)
                source = template.read_text(encoding="utf-8")
                check_source(template, source)
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"{template}: cannot be read as UTF-8 text ({exc})")
                continue
            except IsaError as exc:  # over a limit: refused before it is parsed, as rendering would refuse it
                problems.append(str(exc))
                continue
            try:
                names = _syntax_only(source) if _helper(template.name, source) else unknown_variables(source, sample)
            except TemplateSyntaxError as exc:
                problems.append(f"{template}:{exc.lineno}: not a valid template: {exc.message}")
                continue
            problems += [f"{template}:{line}: uses {name}, which documents do not provide" for name, line in names]
        for template in sorted((folder / "docx").glob("*.docx")):
            try:
                source, places = docx_source(template)
                for tag in split_tags(template):
                    problems.append(f"{template}: the tag {tag} is split across runs (Word did it); retype it in one go")
                names = unknown_variables(source, sample)
            except IsaError as exc:
                problems.append(str(exc))
                continue
            except TemplateSyntaxError as exc:
                problems.append(f"{template} ({places[exc.lineno - 1]}): not a valid template: {exc.message}")
                continue
            problems += [f"{template} ({places[line - 1]}): uses {name}, which documents do not provide"
                         for name, line in names]
    uses = message_uses([f / "html" for f in folders if (f / "html").is_dir()],
                        [f / "docx" for f in folders if (f / "docx").is_dir()])
    problems += _catalog_problems(folders, uses)
    return problems


_BLOCK = re.compile(r"\{%-?\s*block\b")


def _helper(name: str, source: str) -> bool:
    """A helper template (``_macros.html``, a file included by others) is checked where it is used; a layout the
    documents extend (``_base.html``: it has blocks) is rendered with a document's context, so it is checked whole."""
    return name.startswith("_") and not _BLOCK.search(source)


def _syntax_only(source: str) -> list:
    """A helper template (``_macros.html``) is checked where it is used; here only that it parses."""
    from jinja2.sandbox import SandboxedEnvironment

    SandboxedEnvironment().parse(source)
    return []


def _catalog_problems(folders: list[Path], uses: dict) -> list[str]:
    """Messages the templates, prompts and e-mails use that a catalog does not translate (a fuzzy entry is not used,
    so it counts; a message with a plural needs every form)."""
    from babel.messages.pofile import PoFileError, read_po

    problems = []
    for folder in folders:
        for catalog_path in sorted((folder / "locale").glob("*/LC_MESSAGES/messages.po")):
            try:
                with open(catalog_path, "rb") as handle:
                    catalog = read_po(handle, abort_invalid=True)
            except (PoFileError, OSError, UnicodeDecodeError) as exc:
                problems.append(f"{catalog_path}: cannot be read as a message catalog ({exc})")
                continue
            translated = {m.id for m in catalog if m.id and _translated(m, catalog.num_plurals) and not m.fuzzy}
            for message in catalog:
                if message.id in uses and _translated(message, catalog.num_plurals) and message.fuzzy:
                    problems.append(f"{catalog_path}:{message.lineno}: the translation of {message_text(message.id)} "
                                    "is marked fuzzy, so the English is used instead; check it and remove the fuzzy mark")
            for message in sorted(set(uses) - translated, key=lambda m: m if isinstance(m, tuple) else (m,)):
                if not any(m.id == message and m.fuzzy for m in catalog):
                    problems.append(f"{catalog_path}: no translation for {message_text(message)} "
                                    f"(used in {uses[message]})")
    return problems


def _translated(message, plurals: int) -> bool:
    """A message has a translation; one with a plural, in every form the catalog's language has (its Plural-Forms)."""
    if isinstance(message.string, tuple | list):
        return len(message.string) >= plurals and all(message.string)
    return bool(message.string)


# -- variables a template uses that the context does not provide ---------------------------

_UNKNOWN = object()
_GLOBALS = {"range", "lipsum", "dict", "cycler", "joiner", "namespace", "loop", "true", "false", "none"}


def sample_context() -> dict:
    """A context filled from the richest example records, to check templates against."""
    register = load_register(shipped("example_register"), use_cache=False)
    chain, _ = load_chain(register.root, register.settings)
    contexts = [document_context(register.agreements[i], ["en"], classification=register.classification, chain=chain,
                                 settings=register.settings, fallback=True, checklists_root=register.root)
                for i in ("ISA-2024-0001", "ISP-2025-0001", "ISA-2026-0001")]
    contexts.append(disclosure_context(_sample_disclosure(), ["en"], classification=register.classification,
                                       settings=register.settings, fallback=True, checklists_root=register.root))
    merged = dict(contexts[0])
    doc = dict(contexts[0]["doc"])
    for other in contexts[1:]:
        for key, value in other["doc"].items():
            if key not in doc or (doc[key] in (None, [], "") and value not in (None, [], "")):
                doc[key] = value
    doc["review"] = {"started": "", "last": "", "next": "", "next_label": "", "outcome": "", "next_after": "", "changes": [{"version": "", "detail": "", "author": "", "date": ""}],
                     "findings": [{"stakeholder": "", "still_required": "", "changes": "", "date": "", "by": ""}]}
    merged["doc"], merged["docs"] = doc, [doc]
    merged["signature_pages"] = [{"doc": doc, "party": doc["signatories"][0]}]
    return merged


def _sample_disclosure():
    """A one-off disclosure with every field filled, for the disclosure templates (the example register has none)."""
    text = {"en": "x"}
    return Disclosure.model_validate({
        "id": "DIS-2026-0001", "date": "2026-01-05", "urgent": True, "completed": "2026-01-06",
        "requester": {"organisation": "x", "name": "x", "title": "x", "email": "x@example.org", "phone": "x"},
        "identity_check": "x", "subject": "x", "data": text, "purpose": text, "legal_gateway": "x",
        "approval": {"name": "x", "rank": "x", "date": "2026-01-05"}, "decision": "disclose", "rationale": text,
        "sensitivity": "high", "transfer_method": "x", "retention": text, "security": text,
        "criteria": {"checklist": "one_off_disclosure", "answers": {"urgent": True, "accurate": False},
                     "outcome": "proceed_with_conditions", "reasons": ["accurate"], "conditions": [text],
                     "by": "x", "date": "2026-01-06"},
        "agreements_considered": ["ISA-2026-0001"], "recorded_by": "x", "recorded": "2026-01-06",
    })


def unknown_variables(source: str, sample: dict) -> list[tuple[str, int]]:
    """Each ``name.attribute`` a template reads that the sample context does not have, with its first line."""
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment

    problems: dict[str, int] = {}
    tree = SandboxedEnvironment().parse(source)

    def resolve(node, scope):
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name not in _GLOBALS:
                problems.setdefault(node.name, node.lineno)
            return _UNKNOWN
        if isinstance(node, nodes.Getattr):
            base = resolve(node.node, scope)
            if isinstance(base, dict):
                if node.attr in base:
                    return base[node.attr]
                problems.setdefault(f"{_dotted(node.node)}.{node.attr}", node.lineno)
            return _UNKNOWN
        walk(node, scope)
        return _UNKNOWN

    def bind(target, value, scope):
        if isinstance(target, nodes.Name):
            scope[target.name] = value
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                bind(item, _UNKNOWN, scope)

    def walk(node, scope):
        if isinstance(node, nodes.For):
            items = resolve(node.iter, scope)
            inner = dict(scope)
            bind(node.target, items[0] if isinstance(items, list) and items else _UNKNOWN, inner)
            inner["loop"] = _UNKNOWN
            for child in node.body:
                walk(child, inner)
            for child in node.else_:
                walk(child, scope)
            return
        if isinstance(node, nodes.Macro):
            scope[node.name] = _UNKNOWN  # a macro the template defines itself, callable after its definition
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = _UNKNOWN
            for child in node.body:
                walk(child, inner)
            return
        if isinstance(node, (nodes.FromImport, nodes.Import)):
            for name in node.names if isinstance(node, nodes.FromImport) else [node.target]:
                scope[name if isinstance(name, str) else name[-1]] = _UNKNOWN
            return
        if isinstance(node, nodes.Assign):
            walk(node.node, scope)
            bind(node.target, _UNKNOWN, scope)
            return
        if isinstance(node, (nodes.Name, nodes.Getattr)) and getattr(node, "ctx", "load") == "load":
            resolve(node, scope)
            return
        for child in node.iter_child_nodes():
            walk(child, scope)

    walk(tree, dict(sample))
    return sorted(problems.items())


def _dotted(node) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    return "..."


def docx_source(template: Path) -> tuple[str, list[str]]:
    """The Jinja source of a DOCX template (its tags in order, docxtpl's {%p/{%tr/{%tc made plain), one line per
    paragraph, and each line's location (``body paragraph 12``), so a problem can say where it is."""
    from .docx import TAG_RE, docx_paragraphs

    lines, places = [], []
    for where, texts in docx_paragraphs(template):
        tags = [re.sub(r"^\{%[ptrc]{1,2} ", "{% ", tag) for tag in TAG_RE.findall("".join(texts))]
        lines.append("".join(tags))
        places.append(where)
    return "\n".join(lines), places
