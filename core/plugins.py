"""Finding plugins and building a site's plugin manager.

Installed is not enabled. Every plugin we can find (the built-in ones below and
third-party ones from the entry-point group ``paraply.plugins``) is known, but
only the plugins a site lists are registered; all others are blocked with
``set_blocked`` so nothing of theirs runs on that site.

Default plugins (``DEFAULT_PLUGINS``, as Datasette's) are enabled on every
site whatever its ``site.toml`` lists: today that is federation, which every
site runs. A site cannot switch a default plugin off.

Order rules: core comes first, then the default plugins not in the site's
list, then the site's list in order (a site that lists a default plugin puts
it where it is listed). pluggy calls implementations last-registered-first,
so we register in reverse; list hooks then return contributions in that
order and a ``firstresult`` hook is answered by the first plugin that
answers. Federation's list contributions are marked ``trylast``, so they
still come after the site's plugins'.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from core import hookspecs

ENTRY_POINT_GROUP = "paraply.plugins"

#: Built-in plugins: name -> module of hook implementations. Explicit on
#: purpose; third-party plugins use the entry-point group instead.
BUILTIN_PLUGINS: dict[str, str] = {
    "webportal": "plugins.webportal.hooks",
    "lisa": "plugins.lisa.hooks",
    "fritidsbanken": "plugins.fritidsbanken.hooks",
    "evenemang": "plugins.evenemang.hooks",
    "lokaler": "plugins.lokaler.hooks",
    "samverkan": "plugins.samverkan.hooks",
    "nyhetsbrev": "plugins.nyhetsbrev.hooks",
}

#: Plugins every site enables, whatever its ``site.toml`` lists. Like the
#: built-ins, found by module path only: core imports none of them.
DEFAULT_PLUGINS: dict[str, str] = {
    "federation": "federation.hooks",
}

CORE = "core"


def site_order(listed: list[str]) -> list[str]:
    """The plugins a site enables, in call order (after core): the default
    plugins it does not list, then its own list."""
    return [name for name in DEFAULT_PLUGINS if name not in listed] + list(listed)


@dataclass(frozen=True)
class PluginInfo:
    """A plugin we can load, and where its files are by convention."""

    name: str
    module_path: str
    source: str  # "built-in", "core" or the distribution that provides it
    version: str

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(self.module_path)

    @property
    def package_dir(self) -> Path:
        mod = self.module
        file = Path(mod.__file__ or "")
        # A hooks module inside a package: the package folder holds the files.
        return file.parent

    def folder(self, name: str) -> Path | None:
        path = self.package_dir / name
        return path if path.is_dir() else None

    @property
    def templates_dir(self) -> Path | None:
        return self.folder("templates")

    @property
    def static_dir(self) -> Path | None:
        return self.folder("static")

    @property
    def migrations_dir(self) -> Path | None:
        return self.folder("migrations")


def _core_info() -> PluginInfo:
    from core import __version__

    return PluginInfo(CORE, "core.hooks", "core", __version__)


def default_infos() -> dict[str, PluginInfo]:
    """The default plugins, which are always installed."""
    from core import __version__

    return {name: PluginInfo(name, module, "built-in", __version__) for name, module in DEFAULT_PLUGINS.items()}


def discover() -> dict[str, PluginInfo]:
    """Every installed plugin by name: default and built-in ones first, then
    entry points.

    Entry-point loading can be switched off with ``PARAPLY_NO_ENTRY_POINTS=1``
    (checked at call time, not import time), which tests use for isolation."""
    from core import __version__

    found = default_infos() | {
        name: PluginInfo(name, module, "built-in", __version__) for name, module in BUILTIN_PLUGINS.items()
    }
    if os.environ.get("PARAPLY_NO_ENTRY_POINTS") == "1":
        return found
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in found or ep.name == CORE:
            continue  # built-ins cannot be replaced by an installed package
        dist = ep.dist
        found[ep.name] = PluginInfo(
            ep.name,
            ep.value.split(":", 1)[0],
            dist.name if dist else "?",
            dist.version if dist else "?",
        )
    return found


def build_manager(enabled: list[str], installed: dict[str, PluginInfo]) -> pluggy.PluginManager:
    """A plugin manager with core and the ``enabled`` plugins registered, in
    site order, and every other installed plugin blocked."""
    pm = pluggy.PluginManager("paraply")
    pm.add_hookspecs(hookspecs)
    for name in installed:
        if name not in enabled:
            pm.set_blocked(name)
    for name in reversed(enabled):
        pm.register(installed[name].module, name=name)
    pm.register(_core_info().module, name=CORE)
    pm.check_pending()
    if os.environ.get("PARAPLY_TRACE_PLUGINS") == "1":
        pm.trace.root.setwriter(print)
        pm.enable_tracing()
    return pm


def call_each(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """Call one hook implementation at a time, yielding ``(plugin name,
    result)`` in call order (core, then site order); for hooks whose result
    belongs to the plugin that gave it, such as routes and settings."""
    caller = getattr(pm.hook, hook_name)
    for impl in reversed(caller.get_hookimpls()):
        args = {name: kwargs[name] for name in impl.argnames}
        yield impl.plugin_name, impl.function(**args)


def collect(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[Any]:
    """Call a list-returning hook and flatten the lists, in site order."""
    items: list[Any] = []
    for result in getattr(pm.hook, hook_name)(**kwargs):
        if result:
            items.extend(result)
    return items


def core_info() -> PluginInfo:
    return _core_info()
