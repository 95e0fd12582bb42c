"""The layout keeps its shape: imports go down the layers of docs/architecture.md, there are no import
circles (counting imports inside functions and ``"core.x"`` strings), Streamlit stays in the views,
and pages reach core only through its services.

The graph is read from the source text (ast), so the test needs nothing running."""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Top to bottom. A module may import modules of its own layer or of a lower one.
LAYERS: list[set[str]] = [
    {"core.ui", "core.api", "core.commands", "core.cli", "core.__main__"},
    {"core.film"},
    {"core.recording"},
    {"core.cast"},
    {"core.generation", "core.render"},
    {"core.timeline"},
    {"core.breakdowns"},
    {"core.scripts"},
    {"core.jobs", "core.costs"},
    {"core.registry"},
    {"core.providers"},
    {"core.story"},
    {"core.projects", "core.progress", "core.media_assets", "core.storage", "core.accounts", "core.shares", "core.thumbnails"},
    {"core.media"},
    {"core.db", "core.credentials", "core.models"},
    {"core.settings", "core.errors", "core"},
]
STREAMLIT_HOMES = ("app.py", "pages/", "core/ui/")
# What a page may not import: provider code and the job engine's insides (pages go through services).
PAGE_FORBIDDEN = re.compile(r"^core\.(providers(\.|$)|jobs\.(runner|results|cache|engine|queue|leases)(\.|$))")


def _modules() -> dict[str, Path]:
    mods = {}
    for f in sorted((ROOT / "core").rglob("*.py")):
        if "migrations" in f.parts:
            continue
        name = ".".join(f.relative_to(ROOT).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = f
    return mods


MODULES = _modules()


def _resolve(name: str) -> str:
    while name and name not in MODULES:
        name = name.rsplit(".", 1)[0] if "." in name else ""
    return name


def _imports(path: Path) -> list[tuple[str, int, bool | None]]:
    """(imported module, line, inside a function) for every import of a core module in ``path``,
    plus ``"core.x"`` / ``"core.x:y"`` strings (importlib targets, marked None: loaded lazily on
    purpose, but they count for layers and circles)."""
    src = path.read_text()
    found = []

    def visit(node, in_func):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", "") == "TYPE_CHECKING":
                continue  # annotations only: nothing is imported when the program runs
            inner = in_func or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            names = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [f"{child.module}.{a.name}" for a in child.names] or [child.module]
                names = [_resolve(n) or child.module for n in names]
            for n in names:
                if n == "core" or n.startswith("core."):
                    found.append((_resolve(n) or n, child.lineno, in_func))
            visit(child, inner)

    visit(ast.parse(src), False)
    for m in re.finditer(r"[\"'](core(?:\.[a-z_0-9]+)+)[:\"']", src):
        found.append((_resolve(m.group(1)), src.count("\n", 0, m.start()) + 1, None))
    return [(n, line, inner) for n, line, inner in found if n]


def _layer(module: str) -> int:
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        for n, layer in enumerate(LAYERS):
            if prefix in layer:
                return n
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS and docs/architecture.md")


def test_every_core_module_has_a_layer():
    for module in MODULES:
        _layer(module)


def test_imports_go_down_the_layers():
    wrong = []
    for module, path in MODULES.items():
        for target, line, _ in _imports(path):
            if _layer(target) < _layer(module):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target} (a higher layer)")
    assert not wrong, "\n".join(wrong)


def test_no_import_circles():
    graph = defaultdict(set)
    for module, path in MODULES.items():
        for target, _, _ in _imports(path):
            if target != module and not module.startswith(target + "."):  # a package importing its own parts
                graph[module].add(target)
    index, low, stack, on, circles, counter = {}, {}, [], set(), [], [0]

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for module in list(MODULES):
        if module not in index:
            visit(module)
    assert not circles, circles


def test_core_imports_sit_at_the_top_of_modules():
    """Imports of core modules inside functions hide the structure (and used to dodge circles)."""
    inner = [f"{path.relative_to(ROOT)}:{line} imports {target} inside a function"
             for module, path in MODULES.items() for target, line, in_func in _imports(path)
             if in_func is True and target.startswith("core") and not _explained(path, line)]
    assert not inner, "\n".join(inner)


def _explained(path: Path, line: int) -> bool:
    """An inside import may stay when a comment on its line says why (``# import here: …``)."""
    text = path.read_text().splitlines()
    return "import here:" in text[line - 1] or (line > 1 and "import here:" in text[line - 2])


def test_streamlit_only_in_the_views():
    offenders = []
    for f in sorted(ROOT.rglob("*.py")):
        rel = f.relative_to(ROOT).as_posix()
        if rel.startswith(("tests/", "bench/", ".")) or rel.startswith(STREAMLIT_HOMES):
            continue
        if re.search(r"^\s*(import streamlit|from streamlit)", f.read_text(), re.M):
            offenders.append(rel)
    assert not offenders, offenders


def test_pages_go_through_services():
    offenders = []
    for f in sorted([*ROOT.glob("pages/*.py"), ROOT / "app.py"]):
        for target, line, _ in _imports(f):
            if PAGE_FORBIDDEN.match(target):
                offenders.append(f"{f.relative_to(ROOT)}:{line} imports {target}")
    assert not offenders, "\n".join(offenders)


def test_no_module_is_a_corridor():
    """Modules stay small enough to read (the design asks for a few hundred lines)."""
    long = [f"{p.relative_to(ROOT)} ({n} lines)" for p in ROOT.joinpath("core").rglob("*.py")
            if "migrations" not in p.parts and (n := len(p.read_text().splitlines())) > 450]
    assert not long, long
