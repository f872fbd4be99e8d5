"""The package keeps its shape: imports run one way, down the data path, and never in a loop.

The layers, lowest first (docs/architecture.md says what each holds):
``model`` <- ``register`` <- ``workflows`` <- ``cases`` <- ``review`` <- ``documents`` <- ``signing`` <- ``site``
<- ``cli``.
A module may import its own layer and any lower one, never a higher one; the
few foundation modules (``errors``, ``resources``, ``i18n``, the package's own
``__init__``) sit under all of them and import none; ``__main__`` belongs to
the command line. Lazy imports inside
functions count too: they are how a loop hides.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "isa_toolkit"
LAYERS = ("model", "register", "workflows", "cases", "review", "documents", "signing", "site", "cli")
FOUNDATION = "foundation"


def modules(package: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        if "_data" in path.relative_to(package).parts:
            continue
        parts = (package.name, *path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def layer(module: str) -> str:
    if module.endswith(".__main__"):  # `python -m isa_toolkit` is the command line's other door
        return "cli"
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else FOUNDATION


def rank(name: str) -> int:
    return -1 if name == FOUNDATION else LAYERS.index(name)


def imports(module: str, path: Path, known: dict[str, Path]) -> list[tuple[int, str]]:
    """``(line, module)`` for every import of one of the package's modules, at the top or inside a function."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
            targets = submodules if len(submodules) == len(node.names) else [*submodules, base]
        else:
            continue
        out += [(node.lineno, target) for target in targets if target in known and target != module]
    return out


def crossings(package: Path) -> list[str]:
    """Each import that runs up the layers, as ``path:line: a imports b``."""
    known = modules(package)
    found = []
    for module, path in known.items():
        for line, target in imports(module, path, known):
            if rank(layer(target)) > rank(layer(module)) or (layer(module) == FOUNDATION and layer(target) != FOUNDATION):
                found.append(f"{path.relative_to(package.parent)}:{line}: {module} ({layer(module)}) imports "
                             f"{target} ({layer(target)})")
    return found


def loops(package: Path) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a circle (Tarjan's algorithm)."""
    known = modules(package)
    graph = {m: {t for _, t in imports(m, p, known)} for m, p in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_imports_run_down_the_layers():
    assert crossings(PACKAGE) == []


def test_no_module_imports_itself_round_a_loop():
    assert loops(PACKAGE) == []


def test_every_module_is_in_a_layer_or_the_foundation():
    foundation = sorted(m for m in modules(PACKAGE) if layer(m) == FOUNDATION)
    assert foundation == ["isa_toolkit", "isa_toolkit.errors", "isa_toolkit.i18n",
                          "isa_toolkit.resources"], "a new top-level module: put it in the layer whose job it does"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "isa_toolkit"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_the_check_finds_an_import_up_the_layers_even_inside_a_function(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "register/__init__.py": "",
        "register/load.py": "def load():\n    from ..workflows.checklist import evaluate\n",
        "workflows/__init__.py": "",
        "workflows/checklist.py": "from ..register.load import load\n",
    })
    assert crossings(root) == ["isa_toolkit/register/load.py:2: isa_toolkit.register.load (register) imports "
                               "isa_toolkit.workflows.checklist (workflows)"]
    assert loops(root) == [["isa_toolkit.register.load", "isa_toolkit.workflows.checklist"]]


def test_the_check_finds_a_loop_inside_one_layer(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "workflows/__init__.py": "from .signoff import signoff\n",
        "workflows/lifecycle.py": "from . import signoff\n",
        "workflows/signoff.py": "from .lifecycle import moved\n",
        "errors.py": "",
    })
    assert crossings(root) == []
    assert loops(root) == [["isa_toolkit.workflows.lifecycle", "isa_toolkit.workflows.signoff"]]


def test_python_dash_m_runs_the_command():
    result = subprocess.run([sys.executable, "-m", "isa_toolkit", "--version"], capture_output=True, text=True,
                            cwd=PACKAGE.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("isa, version ")
