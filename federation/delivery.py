"""The hub's delivery queue: every subscriber gets the newest document, soon,
without a burst of changes multiplying the work.

``publish_changes`` used to post to every subscriber at once, once per
change: an import of 500 associations (500 commits) meant 500 fan-outs to
every peer, all open at the same time. Here a change only *marks* the
subscribers of the changed topics as due. A fixed number of workers take
due subscribers in the order they became due and post each the topic's
current document as it is at that moment (rendered once and cached by
``publish``), so:

- a subscriber is due at most once: changes that come while it waits are
  in the document it gets; a change while its delivery is under way makes
  it due again, and that delivery starts only when the one under way has
  ended, so it never keeps an old copy;
- at most ``WORKERS`` deliveries are open at a time, however many peers
  and changes there are;
- a failed delivery is retried after 1, 5 and 30 seconds without holding a
  worker; a subscriber that answers 410 Gone is not retried;
- how each delivery went is written in batches, not one transaction each.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select

from core.api import FetchError, utcnow
from federation import publish
from federation.hub import sign
from federation.models import Subscription

if TYPE_CHECKING:
    from federation.runtime import Federation

log = logging.getLogger("paraply.federation")

WORKERS = 32
RETRIES = (1.0, 5.0, 30.0)
#: Results are written when this many have gathered, or when the queue is empty.
RECORD_BATCH = 200


@dataclass
class Due:
    """A subscriber waiting for the current document of its topic."""

    subscription_id: int
    callback: str
    secret: str
    topic: publish.Topic
    attempt: int = 0


class DeliveryQueue:
    def __init__(self, runtime: Federation, workers: int = WORKERS) -> None:
        self.runtime = runtime
        self.workers = workers
        self.due: OrderedDict[int, Due] = OrderedDict()
        self.running = 0
        #: Subscribers with a delivery under way: a second one to the same
        #: subscriber waits, so an older document cannot arrive last.
        self.sending: set[int] = set()
        self.results: dict[int, str] = {}

    def add(self, subscriptions: list[Subscription], topics: dict[str, publish.Topic]) -> None:
        """Mark subscribers due (on the runtime's loop); a subscriber already
        due keeps its place. Those made due together are taken in random
        order, so no peer is always the last to hear."""
        subscriptions = random.sample(subscriptions, len(subscriptions))
        for subscription in subscriptions:
            if subscription.id is None or subscription.id in self.due:
                continue
            self.due[subscription.id] = Due(
                subscription.id, subscription.callback, subscription.secret, topics[subscription.topic]
            )
        while self.running < min(self.workers, len(self.due)):
            self.running += 1
            self.runtime.spawn(self._work())

    @property
    def idle(self) -> bool:
        return not self.due and self.running == 0

    async def _work(self) -> None:
        try:
            while (item := self._take()) is not None:
                self.sending.add(item.subscription_id)
                try:
                    await self._deliver(item)
                finally:
                    self.sending.discard(item.subscription_id)
                if len(self.results) >= RECORD_BATCH:
                    await self._record()
        finally:
            self.running -= 1
        if self.running == 0 and self.results:
            await self._record()

    def _take(self) -> Due | None:
        """The longest-due subscriber that has no delivery under way (the
        worker sending to it takes it next)."""
        for subscription_id in self.due:
            if subscription_id not in self.sending:
                return self.due.pop(subscription_id)
        return None

    async def _deliver(self, item: Due) -> None:
        site = self.runtime.site
        topic = item.topic
        try:
            document = publish.cached(site, topic.kind, topic.fmt, topic.path)
            if document is None:
                document = await asyncio.to_thread(publish.render, site, topic.kind, topic.fmt, None, topic.path)
        except Exception:  # a plugin's broken kind must not stop the queue
            log.exception("WebSub: rendering %s for delivery failed", topic.path)
            return
        headers = {
            "Content-Type": document.media_type,
            "Link": f'<{document.hub}>; rel="hub", <{document.self_url}>; rel="self"',
        }
        if item.secret:
            headers["X-Hub-Signature"] = sign(item.secret, document.body)
        try:
            await self.runtime.fetcher.post(item.callback, content=document.body, headers=headers)
        except FetchError as exc:
            error = str(exc)[:300]
            self.results[item.subscription_id] = error
            if "410" not in error and item.attempt < len(RETRIES):
                self._retry(item, RETRIES[item.attempt])
            return
        self.results[item.subscription_id] = ""

    def _retry(self, item: Due, delay: float) -> None:
        item.attempt += 1
        loop = self.runtime.loop
        if loop is None:
            return

        def again() -> None:
            if item.subscription_id not in self.due:  # a newer change may have made it due already
                self.due[item.subscription_id] = item
                self.add([], {})

        loop.call_later(delay, again)

    async def _record(self) -> None:
        results, self.results = self.results, {}
        await asyncio.to_thread(record, self.runtime, results)


def record(runtime: Federation, results: dict[int, str]) -> None:
    """When each subscriber was last served and how it went: one transaction."""
    now = utcnow()
    with runtime.site.session() as db:
        rows = db.exec(select(Subscription).where(col(Subscription.id).in_(list(results)))).all()
        for row in rows:
            row.last_delivery_at = now
            row.last_delivery_error = results[row.id or 0]
            db.add(row)
