"""The odling plugin is our worked example of a third-party plugin: it is
registered through the ``paraply.plugins`` entry point, not as a built-in,
and it imports from core only what the documented public interface
(``core.api`` and ``core.hookimpl``) offers. Also: its demo data is a
season's worth and loads idempotently."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from sqlmodel import select

import core.api
from core import hookspecs
from core.demo import load_demo
from core.plugins import BUILTIN_PLUGINS, discover
from plugins.odling import hooks as odling_hooks
from plugins.odling.models import Bed, Harvest, Member, Observation, Planting, Signup, WorkSession
from tests.conftest import text_of
from tests.odling_fixtures import odling_site

REPO = Path(core.api.__file__).resolve().parents[1]
PLUGIN = REPO / "plugins" / "odling"
GUIDE = REPO / "docs" / "plugins.md"
ALLOWED = {"core.api"}  # and ``from core import hookimpl``


def core_imports(path: Path) -> list[tuple[int, str]]:
    """(line, what) for every import of core in a Python file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "core"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "core":
            if node.module == "core":
                found += [(node.lineno, f"core.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def test_odling_imports_nothing_from_core_outside_the_public_interface():
    files = sorted(PLUGIN.rglob("*.py"))
    assert len(files) > 10 and any(f.parent.name == "migrations" for f in files)
    used = {what for f in files for _, what in core_imports(f)}
    assert "core.api" in used, "the check found no imports of core.api: is it looking at the right files?"
    offending = [
        f"{f.relative_to(REPO)}:{line} imports {what}"
        for f in files
        for line, what in core_imports(f)
        if what not in ALLOWED | {"core.hookimpl"}
    ]
    assert not offending, "odling must use only core.api and core.hookimpl:\n" + "\n".join(offending)
    # Nor may it reach into another plugin.
    others = [
        f"{f.relative_to(REPO)}"
        for f in files
        if re.search(r"^\s*(from|import) plugins\.(?!odling)", f.read_text(encoding="utf-8"), re.M)
    ]
    assert not others


def test_the_check_catches_a_private_import(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from core import hookimpl\nfrom core.site import Site\nimport core.db\n", encoding="utf-8")
    assert core_imports(sneaky) == [(1, "core.hookimpl"), (2, "core.site"), (3, "core.db")]


def test_odling_is_registered_through_the_entry_point_like_a_third_party_plugin():
    assert "odling" not in BUILTIN_PLUGINS
    info = discover()["odling"]
    assert (info.module_path, info.source) == ("plugins.odling.hooks", "paraply")
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."paraply.plugins"]\nodling = "plugins.odling.hooks"' in pyproject


def test_every_odling_hookimpl_names_a_hook_and_takes_its_arguments():
    specs = {n: f for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(f, "paraply_spec")}
    impls = {n: f for n, f in inspect.getmembers(odling_hooks, inspect.isfunction) if hasattr(f, "paraply_impl")}
    assert {"routes", "settings_model", "nav_items", "front_page_blocks", "demo_data", "cli_commands"} <= set(impls)
    for name, impl in impls.items():
        assert name in specs, f"odling.{name} implements no hook"
        extra = set(inspect.signature(impl).parameters) - set(inspect.signature(specs[name]).parameters)
        assert not extra, f"odling.{name} takes {extra}, which the hook never passes"


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


def test_a_season_of_demo_data_loads_once(make_site, make_client):
    site = odling_site(make_site, settings="today = 2026-11-20\n")
    load_demo(site, echo=lambda _: None)

    def counts() -> dict[str, int]:
        with site.session() as db:
            return {
                m.__name__: len(db.exec(select(m)).all())
                for m in (Bed, Planting, Harvest, Member, WorkSession, Signup, Observation)
            }

    first = counts()
    assert first["Bed"] >= 10 and first["Planting"] >= 30 and first["Harvest"] >= 20
    assert first["Member"] >= 12 and first["WorkSession"] >= 15 and first["Signup"] >= 40
    assert first["Observation"] >= 30
    load_demo(site, echo=lambda _: None)
    assert counts() == first
    client = make_client(site)
    assert "Planeringsträff inför nästa säsong" in text_of(client.get("/parken/pass").text)
    months = text_of(client.get("/parken/pollinatorer?ar=2026").text)
    for month in ("April", "Maj", "Juni", "Juli", "Augusti", "September", "Oktober"):
        assert month in months
