"""The hook specs are the plugin API: every hook is documented, tested and
callable the way the module docstring promises, and every implementation
shipped in this repository names a hook that exists."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from types import ModuleType

import pluggy
import pytest

from core import hooks as core_hooks
from core import hookspecs
from core.plugins import BUILTIN_PLUGINS, build_manager, discover
from federation import hooks as federation_hooks
from plugins.webportal import hooks as webportal_hooks
from tests.plugins import installed_with

TESTS = Path(__file__).parent
PROJECT = "paraply"


def _specs() -> dict[str, object]:
    return {
        name: fn
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if getattr(fn, f"{PROJECT}_spec", None) is not None
    }


def _impls(module: ModuleType) -> dict[str, object]:
    return {
        name: fn
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if getattr(fn, f"{PROJECT}_impl", None) is not None
    }


def _common_arguments() -> set[str]:
    """Arguments the module docstring explains once for every hook."""
    doc = hookspecs.__doc__ or ""
    section = doc.split("Common arguments:", 1)
    assert len(section) == 2, "core/hookspecs.py's docstring lost its 'Common arguments:' paragraph"
    paragraph = section[1].split("\n\n", 1)[0]
    return set(re.findall(r"``(\w+)`` is", paragraph))


def test_the_spec_module_declares_the_hooks():
    # Guards the tests below against passing vacuously.
    assert {"routes", "nav_items", "settings_model", "template_context"} <= set(_specs())
    assert {"site", "request", "session"} <= _common_arguments()


@pytest.mark.parametrize("name", sorted(_specs()))
def test_every_hookspec_has_a_real_docstring(name):
    doc = inspect.getdoc(_specs()[name]) or ""
    assert len(doc) > 40, f"hookspec {name!r} in core/hookspecs.py needs a docstring that says what to return and when"


def test_every_hookspec_has_a_section_in_the_plugin_guide():
    guide = (TESTS.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
    missing = sorted(name for name in _specs() if f"### `{name}(" not in guide)
    assert not missing, f"docs/plugins.md has no section for {', '.join(missing)}"


def test_every_hookspec_has_a_test_in_test_hooks():
    tree = ast.parse((TESTS / "test_hooks.py").read_text(encoding="utf-8"))
    tests = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = sorted(f"test_hook_{name}" for name in _specs() if f"test_hook_{name}" not in tests)
    assert not missing, f"tests/test_hooks.py lacks {', '.join(missing)}"


@pytest.mark.parametrize("name", sorted(_specs()))
def test_every_hookspec_argument_is_explained(name):
    """Each parameter is named in the hook's docstring (as ``name``) or is
    one of the common arguments the module docstring explains."""
    spec = _specs()[name]
    doc = inspect.getdoc(spec) or ""
    common = _common_arguments()
    unexplained = [
        param for param in inspect.signature(spec).parameters if f"``{param}``" not in doc and param not in common
    ]
    assert not unexplained, f"hookspec {name!r}: explain {', '.join(unexplained)} in its docstring"


@pytest.mark.parametrize("name", sorted(_specs()))
def test_hookspec_arguments_are_plain_keywords(name):
    """Hooks are called with keyword arguments only. pluggy does not pass a
    spec argument that has a default, and cannot pass ``*args``/``**kwargs``,
    so neither may appear in a spec."""
    for param in inspect.signature(_specs()[name]).parameters.values():
        assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, f"{name}: {param.name} is {param.kind}"
        assert param.default is inspect.Parameter.empty, f"{name}: {param.name} has a default pluggy would drop"


@pytest.mark.parametrize(
    "module", [core_hooks, federation_hooks, webportal_hooks], ids=["core", "federation", "webportal"]
)
def test_every_shipped_hookimpl_names_a_hook_and_takes_its_arguments(module):
    specs = _specs()
    impls = _impls(module)
    assert impls, f"{module.__name__} has no hook implementations"
    for name, impl in impls.items():
        assert name in specs, f"{module.__name__}.{name} implements no hook in core/hookspecs.py"
        extra = set(inspect.signature(impl).parameters) - set(inspect.signature(specs[name]).parameters)
        assert not extra, f"{module.__name__}.{name} takes {extra}, which the hook never passes"


def test_built_in_plugins_register_cleanly():
    installed = discover()
    pm = build_manager(list(BUILTIN_PLUGINS), installed)
    assert set(BUILTIN_PLUGINS) <= {pm.get_name(p) for p in pm.get_plugins()}


def test_a_misnamed_hookimpl_is_refused():
    with pytest.raises(pluggy.PluginValidationError, match="nav_item"):
        build_manager(["misnamed"], installed_with("misnamed"))
    # Installed but not enabled, it is blocked and harms nobody.
    pm = build_manager([], installed_with("misnamed"))
    assert pm.is_blocked("misnamed")
