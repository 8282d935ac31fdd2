"""Background work a running site repeats: one asyncio task in the app's
lifespan that runs a blocking function in a thread every so many seconds.
The daily jobs (core.daily) and the mail outbox (core.mail) use it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

from core.site import Site

log = logging.getLogger("paraply")


class PeriodicTask(ABC):
    """Calls ``run()`` in a thread now and then every ``every`` seconds
    until stopped. A failure is logged with ``failure`` and the next round
    comes as usual (a database hiccup must not end the loop)."""

    name = "periodic"
    failure = "bakgrundsarbetet misslyckades"

    def __init__(self, site: Site, every: float) -> None:
        self.site = site
        self.every = every
        self.task: asyncio.Task[None] | None = None

    def enabled(self) -> bool:
        return True

    @abstractmethod
    def run(self) -> object:
        """One round of the work; runs in a thread."""

    async def start(self) -> None:
        if self.enabled():
            self.task = asyncio.create_task(self._loop(), name=f"paraply-{self.name}-{self.site.slug}")

    async def _loop(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.run)
            except Exception:
                log.exception("%s: %s", self.site.slug, self.failure)
            await asyncio.sleep(self.every)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
