"""Paraply's core: config, plugin manager, hook specs, app factory, storage,
accounts, templating and CLI. Plugins import ``hookimpl`` from here."""

import pluggy

hookimpl = pluggy.HookimplMarker("paraply")

# Bounded ``{x:id}`` and ``{x:id}`` path convertors for every route (core.params).
from core import params as _params  # noqa: E402,F401

__all__ = ["hookimpl"]
__version__ = "0.1.0"
