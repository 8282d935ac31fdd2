"""Every plugin keeps to the public interface: from core it imports only
``core.api``, ``core.testing`` and ``from core import hookimpl``, and it
imports no other plugin (plugins talk through hooks). The check reads each
Python file of the plugin, its migrations included, and finds imports
anywhere in it, inside functions too. docs/plugins.md explains every name
the interface offers."""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

import pytest

import core.api
from core import hookspecs

REPO = Path(core.api.__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "plugins.md"

#: Plugins that live outside ``plugins/`` (in a top-level package of their own):
#: federation, the default plugin every site loads.
OUTSIDE_PLUGINS: tuple[str, ...] = ("federation",)

#: What a plugin may import from core.
ALLOWED_CORE = {"core.api", "core.testing", "core.hookimpl"}


def plugin_packages() -> dict[str, Path]:
    """Name -> folder of every plugin package: each under plugins/, and those in ``OUTSIDE_PLUGINS``."""
    inside = {p.name: p for p in sorted((REPO / "plugins").iterdir()) if (p / "__init__.py").is_file()}
    return inside | {name: REPO / name for name in OUTSIDE_PLUGINS}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every absolute import in a Python file, anywhere in
    it; ``from a import b`` counts as ``a.b``, since b may be a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def offences(name: str, path: Path) -> list[str]:
    """What in one file of plugin ``name`` reaches past the interface."""
    others = set(plugin_packages()) - {name}
    wrong = []
    for line, module in imported_modules(path):
        parts = module.split(".")
        if parts[0] == "core" and not any(module == a or module.startswith(a + ".") for a in ALLOWED_CORE):
            wrong.append(f"{line}: {module} is not core.api, core.testing or core.hookimpl")
        elif parts[0] == "plugins" and len(parts) > 1 and parts[1] in others:
            wrong.append(f"{line}: {module} belongs to the plugin {parts[1]}")
        elif parts[0] in others and parts[0] in OUTSIDE_PLUGINS:
            wrong.append(f"{line}: {module} belongs to the plugin {parts[0]}")
    return wrong


def test_the_plugins_are_found():
    assert {"webportal", "lisa", "fritidsbanken", "odling", "federation"} <= set(plugin_packages())


@pytest.mark.parametrize("name", sorted(plugin_packages()))
def test_plugin_imports_only_the_public_interface(name):
    files = sorted(plugin_packages()[name].rglob("*.py"))
    assert any(f.parent.name == "migrations" for f in files), f"{name}: the check found no migrations"
    used = {module for f in files for _, module in imported_modules(f)}
    assert any(m.startswith("core.api.") for m in used), f"{name}: no import of core.api found; wrong files?"
    wrong = [f"{f.relative_to(REPO)}:{problem}" for f in files for problem in offences(name, f)]
    assert not wrong, f"{name} must use only core.api, core.testing and core.hookimpl, and no other plugin:\n" + (
        "\n".join(wrong)
    )


def test_the_check_catches_private_and_cross_plugin_imports(tmp_path, monkeypatch):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "from core import hookimpl\n"
        "from core.api import Site\n"
        "from core.site import Site as S\n"
        "import core.db\n"
        "from core import paging\n"
        "from plugins.lisa import models\n"
        "def later():\n"
        "    from plugins.webportal.directory import page_url\n"
        "    from federation.models import Entry\n"
        "    from core.testing import add_user\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "OUTSIDE_PLUGINS", ("federation",))
    assert [line for line, _ in imported_modules(sneaky)] == [1, 2, 3, 4, 5, 6, 8, 9, 10]
    assert offences("lisa", sneaky) == [
        "3: core.site.Site is not core.api, core.testing or core.hookimpl",
        "4: core.db is not core.api, core.testing or core.hookimpl",
        "5: core.paging is not core.api, core.testing or core.hookimpl",
        "8: plugins.webportal.directory.page_url belongs to the plugin webportal",
        "9: federation.models.Entry belongs to the plugin federation",
    ]


def test_the_guide_documents_every_name_of_the_public_interface():
    guide = GUIDE.read_text(encoding="utf-8")
    missing = [name for name in core.api.__all__ if f"`{name}`" not in guide]
    assert not missing, f"docs/plugins.md does not explain {missing}"
    for name in core.api.__all__:
        assert hasattr(core.api, name), name
    undocumented_hooks = [
        n
        for n, f in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(f, "paraply_spec") and f"`{n}(" not in guide
    ]
    assert not undocumented_hooks, f"docs/plugins.md lacks the hooks {undocumented_hooks}"
