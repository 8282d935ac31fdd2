"""Core imports nothing from federation or the plugins (DESIGN.md, "The
core is small"): federation and every plugin come in through hooks, found
by module paths written as strings (``core.plugins``). The check reads the
source, so it also sees imports inside functions, under ``TYPE_CHECKING``
and in migrations, which running the code would not; there is no list of
exceptions."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).parent.parent / "core"
FORBIDDEN = ("federation", "plugins")


def forbidden_imports(path: Path) -> list[str]:
    """``file:line module`` for every import of a forbidden package in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            if module.split(".", 1)[0] in FORBIDDEN:
                found.append(f"{path}:{node.lineno} {module}")
    return found


def test_core_imports_neither_federation_nor_plugins():
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 40 and any("migrations" in f.parts for f in files)  # the walk really covers core
    found = [hit for path in files for hit in forbidden_imports(path)]
    assert not found, "core must not import federation or a plugin:\n" + "\n".join(found)


def test_the_check_sees_a_sneaky_import(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "import json, plugins.lisa.models as lisa\n"
        "if TYPE_CHECKING:\n"
        "    from federation.kinds import FederatedKind\n"
        "def later():\n"
        "    import federation\n"
        "    from plugins.webportal import hooks\n"
        "    from core import site\n"
        "    from . import federation as relative  # a module of this package, not federation\n",
        encoding="utf-8",
    )
    found = [hit.split(" ", 1)[1] for hit in forbidden_imports(sneaky)]
    assert found == ["plugins.lisa.models", "federation.kinds", "federation", "plugins.webportal"]
