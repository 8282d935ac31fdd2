"""The ``startup`` and ``shutdown`` hooks, run in the app's lifespan.

An implementation may be a plain function or an ``async def`` one (its
coroutine is awaited here), as Datasette's ``startup``. They run one at a
time, start-up in plugin order and shut-down in the reverse, so a plugin
stops before the plugins it was started after.
"""

from __future__ import annotations

import inspect
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.site import Site

log = logging.getLogger("paraply")


async def start(site: Site) -> None:
    """Run every ``startup`` implementation; an error stops the start."""
    for impl in reversed(site.pm.hook.startup.get_hookimpls()):
        result = impl.function(**_arguments(impl.argnames, site))
        if inspect.isawaitable(result):
            await result


async def stop(site: Site) -> None:
    """Run every ``shutdown`` implementation, in reverse order; one that
    fails is logged so the others still release what they hold."""
    for impl in site.pm.hook.shutdown.get_hookimpls():
        try:
            result = impl.function(**_arguments(impl.argnames, site))
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("Plugin %r failed to shut down", impl.plugin_name)


def _arguments(names: tuple[str, ...], site: Site) -> dict[str, object]:
    return {"site": site} if "site" in names else {}
