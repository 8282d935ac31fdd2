"""The background side of federation for one site, run in the app's lifespan.

``Federation.of(site)`` is the site's one runtime, kept in ``site.state``
and made the first time it is asked for (when the site's app is built, by
federation's ``asgi_wrapper`` hook), which starts watching the kinds'
tables. ``start()``/``stop()`` run from the ``startup`` and ``shutdown``
hooks, in the app's lifespan. Only a site with peers or external feeds
starts a poller; every site can be a hub.

The poller keeps one row per peer (``Peer``) with its schedule and health.
Each round it polls the peers that are due, each in its own task: discover
the peer's feeds (``/.well-known/paraply``), fetch each with conditional GET,
ingest, walk the archives once (backfill), and subscribe to the peer's hub
when push is on. A peer that pushes is polled far less often; a failing one
backs off (10 s, 40 s, 160 s ... up to six hours). A peer's errors are caught and
recorded, never raised: a peer that is down, slow or hostile costs only its
own row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import col, select
from starlette.requests import Request

from core.api import N_, Fetcher, FetchError, Site, origin_of, pending_migrations, site_of, utcnow
from federation import changes, hub, ingest, parse, publish
from federation.kinds import kinds_for
from federation.models import FeedState, Peer

log = logging.getLogger("paraply.federation")

#: A peer that pushes is still polled, this many times less often.
PUSH_POLL_FACTOR = 12
MAX_BACKOFF = 6 * 3600
FIRST_RETRY = 10
MAX_ARCHIVE_PAGES = 200
MAX_KINDS = 20
PARALLEL_POLLS = 32
LOCK_RETRY = 15.0
#: Peers polled together, whose bookkeeping is written in one transaction.
ROUND_SIZE = 64
EXTERNAL = "external"


@dataclass
class Outcome:
    """How polling one peer went, written by ``Federation._record``."""

    peer_id: int
    started: datetime
    stats: ingest.Stats = field(default_factory=ingest.Stats)
    errors: list[str] = field(default_factory=list)
    #: New ETag and Last-Modified per feed state id.
    validators: dict[int, tuple[str, str]] = field(default_factory=dict)


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Federation:
    def __init__(self, site: Site) -> None:
        self.site = site
        self.config = site.config.federation
        self.lease_seconds = self.config.lease_seconds
        self.loop: asyncio.AbstractEventLoop | None = None
        self._fetcher: Fetcher | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._polling: set[int] = set()
        #: Kinds changed since the hub last looked up their subscribers.
        self._changed: set[str] = set()
        self._publishing = False
        self._wake: asyncio.Event | None = None
        self.lock_retry = LOCK_RETRY
        from federation.lock import PollerLock

        self.lock = PollerLock(site.engine, site.data_dir)
        from federation.delivery import DeliveryQueue

        self.deliveries = DeliveryQueue(self)
        self._running = False

    # -- set-up --------------------------------------------------------------------------

    @classmethod
    def of(cls, site: Site) -> Federation:
        """The site's runtime, made (and its kinds' tables watched) on first
        use; one per site however many apps serve it."""
        runtime: Federation | None = getattr(site.state, "federation", None)
        if runtime is None:
            runtime = site.state.federation = cls(site)
            changes.watch(site.engine, list(kinds_for(site).values()), runtime.changed)
        return runtime

    @property
    def has_sources(self) -> bool:
        return bool(self.config.peers or self.config.external)

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            allowed = [p.url for p in self.config.peers if p.allow_private]
            allowed += [e.url for e in self.config.external if e.allow_private]
            self._fetcher = Fetcher(
                allowed, timeout=float(self.config.timeout), total_timeout=float(self.config.timeout) * 3
            )
        return self._fetcher

    @property
    def own_prefixes(self) -> tuple[str, ...]:
        """``tag:<authority>,<year>:`` of our own ids, to refuse echoes."""
        return tuple({k.feed_id.rsplit(":", 1)[0] + ":" for k in kinds_for(self.site).values()})

    # -- lifespan ------------------------------------------------------------------------

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        await asyncio.to_thread(self._index_stored)
        if self.has_sources or await asyncio.to_thread(self._has_joined):
            self._running = True
            self.spawn(self._run())

    def _has_joined(self) -> bool:
        if pending_migrations(self.site):
            return False
        with self.site.session() as db:
            return db.exec(select(Peer.id).where(col(Peer.joined).is_(True))).first() is not None

    def ensure_running(self) -> None:
        """Start the poller if it is not running (a peer was added from the
        web on a site that had none), else wake it; from any thread."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return

        def on_loop() -> None:
            if self.loop is None:
                return
            if not self._running:
                self._running = True
                self.spawn(self._run())
            elif self._wake is not None:
                self._wake.set()

        loop.call_soon_threadsafe(on_loop)

    def _index_stored(self) -> None:
        """Copies stored before the site had its search index become
        searchable once (later, ingest keeps the index up to date).
        A database that is behind is left alone: start-up only says so."""
        if pending_migrations(self.site):
            return
        with self.site.session() as db:
            ingest.index_unindexed(db)

    async def stop(self) -> None:
        self.loop = None
        self._running = False
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(self.lock.release)
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        assert self.loop is not None
        task = self.loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def changed(self, kinds: set[str]) -> None:
        """Called after a commit that changed our own content (any thread)."""
        publish.DocumentCache.of(self.site).invalidate(kinds)
        loop = self.loop
        if loop is None or loop.is_closed():
            return

        def publish_on_loop() -> None:
            self._changed |= kinds
            if self.loop is not None and not self._publishing:
                self._publishing = True
                self.spawn(self._publish())

        loop.call_soon_threadsafe(publish_on_loop)

    async def _publish(self) -> None:
        """One subscriber lookup at a time: the changes that come while one
        runs are taken together by the next, so a burst of commits costs a
        few lookups, not one (with its write) per commit."""
        try:
            while self._changed:
                kinds, self._changed = self._changed, set()
                await hub.publish_changes(self, kinds)
        finally:
            self._publishing = False

    def wake(self) -> None:
        """Poll due peers now (after an admin's "Hämta nu")."""
        loop, event = self.loop, self._wake
        if loop is not None and event is not None and not loop.is_closed():
            loop.call_soon_threadsafe(event.set)

    def unsubscribing(self, topic: str) -> bool:
        return False  # we never ask to unsubscribe; a removed peer's lease simply runs out

    # -- peers ---------------------------------------------------------------------------

    def sync_peers(self, reset: bool = False) -> None:
        """Rows for the peers and external feeds in site.toml; with ``reset``
        every one is due now (subscriptions are renewed on start)."""
        wanted = [(p.url, p.name, False) for p in self.config.peers]
        wanted += [(e.url, e.name, True) for e in self.config.external]
        with self.site.session() as db:
            rows = {p.url: p for p in db.exec(select(Peer)).all()}
            for url, name, external in wanted:
                row = rows.get(url) or Peer(url=url, name=name, external=external)
                row.name, row.external = name, external
                if reset or row.next_attempt_at is None:
                    row.next_attempt_at = utcnow()
                db.add(row)
            configured = {url for url, _name, _external in wanted}
            for row in rows.values():
                if row.joined and row.url not in configured:
                    from federation.join import allow_local

                    allow_local(self.site, row.url)
                    if reset or row.next_attempt_at is None:
                        row.next_attempt_at = utcnow()
                        db.add(row)

    def _due(self) -> tuple[list[int], float]:
        """Peers to poll now, and seconds until the next one is due."""
        urls = [p.url for p in self.config.peers] + [e.url for e in self.config.external]
        now = utcnow()
        with self.site.session() as db:
            rows = db.exec(select(Peer).where(col(Peer.url).in_(urls) | col(Peer.joined).is_(True))).all()
        due, wait = [], 5.0
        for row in rows:
            when = _aware(row.next_attempt_at) or now
            if row.id in self._polling:
                continue
            if when <= now:
                due.append(row.id)
            else:
                wait = min(wait, (when - now).total_seconds())
        return [d for d in due if d is not None], max(wait, 0.05)

    async def _run(self) -> None:
        while not await asyncio.to_thread(self.lock.acquire):
            await asyncio.sleep(self.lock_retry)
        await asyncio.to_thread(self.sync_peers, True)
        limit = asyncio.Semaphore(PARALLEL_POLLS)
        assert self._wake is not None
        while True:
            due, wait = await asyncio.to_thread(self._due)
            for start in range(0, len(due), ROUND_SIZE):
                batch = due[start : start + ROUND_SIZE]
                self._polling.update(batch)
                self.spawn(self._round_guarded(batch, limit))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except TimeoutError:
                pass

    async def poll_peers(self, peer_ids: list[int]) -> None:
        """Poll these peers now, the way the poller does: in rounds of
        ``ROUND_SIZE``, at most ``PARALLEL_POLLS`` at a time (the benchmark
        measures this)."""
        limit = asyncio.Semaphore(PARALLEL_POLLS)
        rounds = [peer_ids[start : start + ROUND_SIZE] for start in range(0, len(peer_ids), ROUND_SIZE)]
        self._polling.update(peer_ids)
        await asyncio.gather(*(self._round_guarded(batch, limit) for batch in rounds))

    async def _round_guarded(self, peer_ids: list[int], limit: asyncio.Semaphore) -> None:
        try:
            await self.poll_round(peer_ids, limit)
        finally:
            self._polling.difference_update(peer_ids)

    async def poll(self, peer_id: int) -> ingest.Stats:
        """Poll one peer or external feed now and record how it went."""
        return (await self.poll_round([peer_id]))[peer_id]

    async def poll_round(self, peer_ids: list[int], limit: asyncio.Semaphore | None = None) -> dict[int, ingest.Stats]:
        """Poll several peers at once. The bookkeeping is read in one query
        and written in one transaction, so an unchanged re-sync costs little
        more than its 304s; each document is still ingested on its own."""
        peers, states = await asyncio.to_thread(self._load, peer_ids)
        gate = limit or asyncio.Semaphore(PARALLEL_POLLS)

        async def one(peer: Peer) -> Outcome:
            async with gate:
                return await self._poll_peer(peer, states)

        outcomes = await asyncio.gather(*(one(peer) for peer in peers))
        await asyncio.to_thread(self._record, outcomes)
        return {o.peer_id: o.stats for o in outcomes}

    def _load(self, peer_ids: list[int]) -> tuple[list[Peer], dict[tuple[int, str], FeedState]]:
        with self.site.session() as db:
            peers = list(db.exec(select(Peer).where(col(Peer.id).in_(peer_ids))).all())
            rows = db.exec(select(FeedState).where(col(FeedState.peer_id).in_(peer_ids))).all()
        return peers, {(row.peer_id, row.kind): row for row in rows}

    async def _poll_peer(self, peer: Peer, states: dict[tuple[int, str], FeedState]) -> Outcome:
        assert peer.id is not None
        outcome = Outcome(peer.id, utcnow())
        discovery_error = ""
        try:
            feeds = {EXTERNAL: {"atom": peer.url}} if peer.external else await self._feeds_of(peer)
        except Exception as exc:
            # Without the discovery document, poll the feeds we knew, each
            # conditionally: a broken /.well-known must not stop the news.
            discovery_error = _explain(exc, peer.url)
            known = (peer.discovery or {}).get("feeds", {})
            feeds = {kind: {"atom": info["atom"]} for kind, info in known.items()}
        feed_errors: list[str] = []
        # Each feed on its own: a broken members feed must not stop the news.
        for kind, info in feeds.items():
            state = states.get((peer.id, kind))
            if self._unchanged(info, state):
                continue
            url = info["atom"]
            try:
                await self._poll_feed(peer, kind, url, state, outcome)
            except Exception as exc:
                message = _explain(exc, url)
                if message == discovery_error:
                    continue  # the same cause (the server is down): said once
                label = "" if peer.external else f"{KIND_LABELS.get(kind, kind)}: "
                feed_errors.append(label + message)
        if discovery_error:
            outcome.errors.append(discovery_error)
        outcome.errors.extend(feed_errors)
        return outcome

    async def _feeds_of(self, peer: Peer) -> dict[str, dict[str, str]]:
        """The peer's feeds by kind (``atom`` URL and ``version``), from its
        discovery document, asked for conditionally on every poll."""
        assert peer.id is not None
        discovery = peer.discovery or {}
        url = peer.url + "/.well-known/paraply"
        result = await self.fetcher.get(
            url, etag=discovery.get("_etag", "") if discovery else "", accept="application/json"
        )
        if not result.not_modified:
            discovery = discovery_from(result.body, peer.url)
            discovery["_etag"] = result.etag[:200]
            await asyncio.to_thread(self._save_discovery, peer.id, discovery)
        return dict(discovery.get("feeds", {}))

    def _save_discovery(self, peer_id: int, discovery: dict[str, Any]) -> None:
        with self.site.session() as db:
            row = db.get(Peer, peer_id)
            if row is not None:
                row.discovery = discovery
                row.hub = discovery.get("hub", "")
                db.add(row)

    def _unchanged(self, info: dict[str, str], state: FeedState | None) -> bool:
        """The discovery document says this feed is the one we already have:
        its version is the ETag we kept, it is backfilled, and no
        subscription needs renewing. Then it is not fetched at all."""
        version = info.get("version", "")
        return bool(
            version
            and state is not None
            and state.url == info["atom"]
            and state.etag == version
            and state.backfilled
            and not (self.config.push and self._needs_subscription(state))
        )

    def _state(self, peer_id: int, kind: str, url: str) -> FeedState:
        with self.site.session() as db:
            state = db.exec(select(FeedState).where(FeedState.peer_id == peer_id, FeedState.kind == kind)).first()
            if state is not None and state.url == url:
                return state  # the common case: read only
            if state is None:
                state = FeedState(peer_id=peer_id, kind=kind, url=url)
            elif state.url != url:
                state.url, state.etag, state.last_modified = url, "", ""
            db.add(state)
            db.commit()
            db.refresh(state)
            return state

    async def _poll_feed(self, peer: Peer, kind: str, url: str, state: FeedState | None, outcome: Outcome) -> None:
        assert peer.id is not None  # peers are saved before they are polled
        if state is None or state.url != url:
            state = await asyncio.to_thread(self._state, peer.id, kind, url)
        assert state.id is not None
        result = await self.fetcher.get(url, etag=state.etag, last_modified=state.last_modified)
        links = dict(result.links)
        if not result.not_modified:
            feed = await asyncio.to_thread(parse.parse, result.body, result.url, result.content_type)
            outcome.stats += await asyncio.to_thread(self._apply, peer.id, kind, feed)
            for rel, href in feed.links.items():
                links.setdefault(rel, href)
            if not state.backfilled:
                outcome.stats += await self._backfill(peer, kind, feed)
        if (result.etag, result.last_modified) != (state.etag, state.last_modified):
            outcome.validators[state.id] = (result.etag[:200], result.last_modified[:100])
        hub_url = links.get("hub", "")
        if self.config.push and hub_url and self._needs_subscription(state):
            self_url = links.get("self", "")
            topic = self_url if self_url and origin_of(self_url) == origin_of(url) else url
            if topic != state.url:
                await asyncio.to_thread(self._state, peer.id, kind, topic)
            from federation.subscriber import subscribe

            await subscribe(self, state.id, hub_url, topic)

    async def _backfill(self, peer: Peer, kind: str, feed: parse.ParsedFeed) -> ingest.Stats:
        """Walk ``prev-archive`` links once (RFC 5005), oldest last."""
        assert peer.id is not None
        stats = ingest.Stats()
        link, seen = feed.links.get("prev-archive", ""), set[str]()
        while link and link not in seen and len(seen) < MAX_ARCHIVE_PAGES:
            seen.add(link)
            result = await self.fetcher.get(link)
            page = await asyncio.to_thread(parse.parse, result.body, result.url, result.content_type)
            page.complete = False  # an archive never replaces the listing
            stats += await asyncio.to_thread(self._apply, peer.id, kind, page)
            link = page.links.get("prev-archive", "")
        await asyncio.to_thread(self._mark_backfilled, peer.id, kind)
        return stats

    def _mark_backfilled(self, peer_id: int, kind: str) -> None:
        with self.site.session() as db:
            state = db.exec(select(FeedState).where(FeedState.peer_id == peer_id, FeedState.kind == kind)).first()
            if state is not None:
                state.backfilled = True
                db.add(state)

    def _needs_subscription(self, state: FeedState) -> bool:
        lease = _aware(state.lease_until)
        if lease is None:
            return True
        return lease - utcnow() < self._renew_margin()

    def _renew_margin(self) -> timedelta:
        return timedelta(seconds=max(self.lease_seconds * 0.2, 5))

    def _apply(self, peer_id: int, kind: str, feed: parse.ParsedFeed, pushed: bool = False) -> ingest.Stats:
        """Ingest one document; a pushed one also counts as the peer's latest
        success, in the same transaction, so a page never shows new entries
        beside an old "does not answer" notice."""
        with self.site.session() as db:
            stats = ingest.apply(db, peer_id, kind, feed, self.own_prefixes)
            if pushed or stats.dropped:
                now = utcnow()
                peer = db.get(Peer, peer_id)
                if peer is not None:
                    if pushed:
                        peer.last_success_at = now
                        peer.items_received += stats.received
                    if stats.dropped:
                        # The entries that could not be read, for the admin page;
                        # not a failure: the rest of the document was stored.
                        peer.last_error_at = now
                        peer.last_error = " ".join(stats.dropped)[:500]
                    db.add(peer)
            return stats

    def _record(self, outcomes: list[Outcome]) -> None:
        """Health, schedule and validators of a round, in one transaction.
        Read again once when a peer or its feed was removed while the round
        ran (the admin left the neighbour): its rows are then skipped."""
        if not outcomes:
            return
        try:
            self._record_once(outcomes)
        except StaleDataError:
            self._record_once(outcomes)

    def _record_once(self, outcomes: list[Outcome]) -> None:
        now = utcnow()
        interval = timedelta(seconds=self.config.poll_interval)
        with self.site.session() as db:
            ids = [o.peer_id for o in outcomes]
            peers = {p.id: p for p in db.exec(select(Peer).where(col(Peer.id).in_(ids))).all()}
            states = db.exec(select(FeedState).where(col(FeedState.peer_id).in_(ids))).all()
            validators = self._validators_of(outcomes)
            by_peer: dict[int, list[FeedState]] = {}
            for state in states:
                if state.id in validators:
                    state.etag, state.last_modified = validators[state.id]
                    db.add(state)
                by_peer.setdefault(state.peer_id, []).append(state)
            for outcome in outcomes:
                peer = peers.get(outcome.peer_id)
                if peer is None:
                    continue
                peer.last_attempt_at = outcome.started
                peer.items_received += outcome.stats.received
                if outcome.errors:
                    peer.last_error_at = now
                    peer.last_error = " ".join(outcome.errors)[:500]
                    peer.failures += 1
                    peer.next_attempt_at = now + timedelta(seconds=self.backoff(peer.failures))
                else:
                    peer.last_success_at = now
                    peer.failures = 0
                    leases = [_aware(s.lease_until) for s in by_peer.get(outcome.peer_id, [])]
                    pushing = self.config.push and leases and all(lease and lease > now for lease in leases)
                    following = now + (interval * PUSH_POLL_FACTOR if pushing else interval)
                    for lease in leases:
                        if lease is not None:
                            renew = max(lease - self._renew_margin(), now + timedelta(seconds=1))
                            following = min(following, renew)
                    peer.next_attempt_at = following
                db.add(peer)

    def backoff(self, failures: int) -> float:
        """Seconds before the next try after ``failures`` failures in a row:
        soon after the first (a peer restarting, sites starting together),
        then four times longer each time, up to six hours."""
        first = min(FIRST_RETRY, self.config.poll_interval)
        return float(min(first * 4 ** min(failures - 1, 12), max(MAX_BACKOFF, self.config.poll_interval)))

    @staticmethod
    def _validators_of(outcomes: list[Outcome]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        for outcome in outcomes:
            found.update(outcome.validators)
        return found

    def _record_error(self, peer_id: int, message: str, started: datetime, stats: ingest.Stats) -> None:
        outcome = Outcome(peer_id, started, stats)
        outcome.errors.append(message)
        self._record([outcome])

    # -- push ----------------------------------------------------------------------------

    async def ingest_push(self, state: FeedState, body: bytes, content_type: str) -> None:
        """A verified delivery from a peer's hub: ingest it like a poll."""
        started = utcnow()
        try:
            feed = await asyncio.to_thread(parse.parse, body, state.url, content_type)
            await asyncio.to_thread(self._apply, state.peer_id, state.kind, feed, True)
        except Exception as exc:
            # A signed push is answered 202 whatever its body holds: the
            # reason goes to the admin page (and unexpected ones to the log).
            message = _explain(exc, state.url)
            try:
                await asyncio.to_thread(self._record_error, state.peer_id, message, started, ingest.Stats())
            except Exception:
                log.exception("Federation: could not record a failed push from %s", state.url)


def runtime_of(request: Request) -> Federation:
    """The runtime of the site serving ``request`` (for endpoints)."""
    return Federation.of(site_of(request))


KIND_LABELS = {"news": N_("Nyheter"), "members": N_("Föreningar"), "events": N_("Evenemang")}


def _explain(exc: Exception, url: str) -> str:
    """An error for the admin page, in Swedish; unexpected ones are logged."""
    if isinstance(exc, FetchError | parse.FeedError):
        return str(exc)
    log.exception("Federation: fetching %s failed", url)
    return N_("Ett oväntat fel inträffade (%(error)s). Vi försöker igen senare.") % {"error": type(exc).__name__}


def discovery_from(body: bytes, base_url: str) -> dict[str, Any]:
    """A peer's ``/.well-known/paraply``, checked: only http(s) feed URLs
    on the peer's own origin are kept."""
    import json

    from federation import clean

    try:
        data = json.loads(body)
    except ValueError as exc:
        raise parse.FeedError(N_("Grannens /.well-known/paraply var inte giltig JSON.")) from exc
    if not isinstance(data, dict) or not isinstance(data.get("feeds"), dict):
        raise parse.FeedError(N_("Grannens /.well-known/paraply saknar en lista över flöden."))
    origin = origin_of(base_url)
    feeds: dict[str, dict[str, str]] = {}
    for kind, info in list(data["feeds"].items())[:MAX_KINDS]:
        if not isinstance(kind, str) or not isinstance(info, dict):
            continue
        atom = clean.url(info.get("atom"))
        if atom and origin_of(atom) == origin and kind.replace("-", "").isalnum():
            feeds[kind[:32]] = {
                "atom": atom,
                "title": clean.text(info.get("title"), 80),
                "version": clean.text(info.get("version"), 100),
            }
    hub_url = clean.url(data.get("hub"))
    return {
        "name": clean.text(data.get("name"), 200),
        "feeds": feeds,
        "hub": hub_url,
    }
