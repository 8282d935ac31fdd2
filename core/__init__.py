"""Paraply's core: config, plugin manager, hook specs, app factory, storage,
accounts, templating and CLI. Plugins import ``hookimpl`` from here."""

import pluggy

hookimpl = pluggy.HookimplMarker("paraply")

__all__ = ["hookimpl"]
__version__ = "0.1.0"
