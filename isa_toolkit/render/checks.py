"""``isa templates check``: what would make a document silently wrong."""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..resources import shipped
from .docx import split_tags
from .messages import used_messages


def check_templates(register_root: Path | None, path: Path | None = None) -> list[str]:
    """Problems, each ``path: message``: split DOCX tags, variables the context lacks, untranslated messages.

    ``path`` checks that templates folder alone; otherwise the register's own
    templates and the shipped ones.
    """
    from babel.messages.pofile import read_po

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
            if template.name.startswith("_"):
                continue
            for name in unknown_variables(template.read_text(encoding="utf-8"), sample):
                problems.append(f"{template}: uses {name}, which documents do not provide")
        for template in sorted((folder / "docx").glob("*.docx")):
            for name in unknown_variables(docx_source(template), sample):
                problems.append(f"{template}: uses {name}, which documents do not provide")
    for folder in folders:
        for template in sorted((folder / "docx").glob("*.docx")):
            for tag in split_tags(template):
                problems.append(f"{template}: the tag {tag} is split across runs (Word did it); retype it in one go")
    used = used_messages([f / "html" for f in folders if (f / "html").is_dir()],
                         [f / "docx" for f in folders if (f / "docx").is_dir()])
    for folder in folders:
        for catalog_path in sorted((folder / "locale").glob("*/LC_MESSAGES/messages.po")):
            with open(catalog_path, "rb") as handle:
                catalog = read_po(handle)
            translated = {m.id for m in catalog if m.id and m.string}
            for message in sorted(used - translated):
                problems.append(f"{catalog_path}: no translation for {message!r}")
    return problems


# -- variables a template uses that the context does not provide ---------------------------

_UNKNOWN = object()
_GLOBALS = {"range", "lipsum", "dict", "cycler", "joiner", "namespace", "loop", "true", "false", "none"}


def sample_context() -> dict:
    """A context filled from the richest example records, to check templates against."""
    from ..resources import shipped
    from ..store import load_chain, load_register
    from .context import disclosure_context, document_context

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
    doc["review"] = {"started": "", "last": "", "next": "", "changes": [{"version": "", "detail": "", "author": "", "date": ""}],
                     "findings": [{"stakeholder": "", "still_required": "", "changes": "", "date": "", "by": ""}]}
    merged["doc"], merged["docs"] = doc, [doc]
    merged["signature_pages"] = [{"doc": doc, "party": doc["signatories"][0]}]
    return merged


def _sample_disclosure():
    """A one-off disclosure with every field filled, for the disclosure templates (the example register has none)."""
    from ..model.disclosure import Disclosure

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


def unknown_variables(source: str, sample: dict) -> list[str]:
    """Each ``name.attribute`` a template reads that the sample context does not have."""
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment

    problems: list[str] = []
    tree = SandboxedEnvironment().parse(source)

    def resolve(node, scope):
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name]
            if node.name not in _GLOBALS:
                problems.append(node.name)
            return _UNKNOWN
        if isinstance(node, nodes.Getattr):
            base = resolve(node.node, scope)
            if isinstance(base, dict):
                if node.attr in base:
                    return base[node.attr]
                problems.append(f"{_dotted(node.node)}.{node.attr}")
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
    return sorted(set(problems))


def _dotted(node) -> str:
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    return "..."


def docx_source(template: Path) -> str:
    """The Jinja source of a DOCX template: its tags in order, docxtpl's {%p/{%tr/{%tc made plain."""
    import zipfile

    from .docx import TAG_RE

    with zipfile.ZipFile(template) as archive:
        texts = [archive.read(name).decode("utf-8") for name in sorted(archive.namelist())
                 if name.startswith("word/") and name.endswith(".xml")]
    tags = []
    for xml in texts:
        plain = re.sub(r"<[^>]+>", "", xml)
        tags += [html.unescape(tag) for tag in TAG_RE.findall(plain)]
    return "".join(re.sub(r"^\{%[ptrc]{1,2} ", "{% ", tag) for tag in tags)
