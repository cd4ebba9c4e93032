"""The package layout: a views module never imports another views module (shared loaders, permission checks
and page helpers live in each package's ``access.py`` or another non-view module)."""

from __future__ import annotations

import ast
from pathlib import Path

ENGAGE = Path(__file__).resolve().parent.parent / "engage"


def _is_views(module: str) -> bool:
    return module.rsplit(".", 1)[-1].startswith("views")


def _imported_modules(tree: ast.Module) -> set[str]:
    """Every engage module the file imports, including ``from package import module``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("engage"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("engage"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def views_importing_views(root: Path = ENGAGE) -> list[str]:
    """'importer -> imported' for each views module that imports another views module."""
    problems = []
    for path in sorted(root.rglob("views*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for module in sorted(_imported_modules(tree)):
            if _is_views(module):
                problems.append(f"{path.relative_to(root.parent)} -> {module}")
    return problems


def test_no_views_module_imports_another():
    assert views_importing_views() == []


def test_the_check_sees_each_way_of_importing_a_views_module(tmp_path):
    package = tmp_path / "engage" / "things"
    package.mkdir(parents=True)
    (package / "views_a.py").write_text("from engage.things.views_b import helper\n")
    (package / "views_c.py").write_text("from engage.things import bp, views_b\n")
    (package / "views.py").write_text("import engage.things.views_b\n")
    (package / "views_ok.py").write_text("from engage.things.access import thing_for\n")
    assert views_importing_views(tmp_path / "engage") == [
        "engage/things/views.py -> engage.things.views_b",
        "engage/things/views_a.py -> engage.things.views_b",
        "engage/things/views_c.py -> engage.things.views_b",
    ]
