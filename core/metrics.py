"""Prometheus metrics at ``/-/metrics`` (prometheus-client's text format).

What a small site's monitoring needs and nothing personal: requests by
method and status class, their latency, federation fetches and their
failures (core.fetch), the memory SQLite holds, and the mail outbox (waiting and failed messages,
counted in the database at each scrape, so every worker reports the same).
Every series carries the site's slug, since ``paraply demo`` serves several
sites from one process.

Who may read it: a request with ``Authorization: Bearer <PARAPLY_METRICS_TOKEN>``
(the token comes from the environment, never site.toml), or one from an
address in ``[server] metrics_allow`` (the visitor's address as
core.proxies decided it, so a forged ``X-Forwarded-For`` does not count).
Anyone else gets 404, as if there were nothing here.

With several uvicorn workers each process counts its own requests; a
scrape reaches one of them. Prometheus's ``rate()`` copes with that for a
small site; the outbox figures are the same from every worker.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from ipaddress import ip_address, ip_network
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric

    from core.site import Site

TOKEN_VARIABLE = "PARAPLY_METRICS_TOKEN"

#: One registry for the process; series are told apart by their ``site`` label.
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "paraply_http_requests",
    "HTTP requests answered, by method and status class (2xx, 3xx, 4xx, 5xx).",
    ["site", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "paraply_http_request_duration_seconds",
    "Time from a request's arrival to the start of its response.",
    ["site", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
FETCHES = Counter(
    "paraply_federation_fetches",
    "Requests to peers and outside feeds by the site's fetcher, by outcome (ok, error).",
    ["outcome"],
    registry=REGISTRY,
)


class SqliteMemoryCollector(Collector):
    """What SQLite's library holds in this process (core.sqlite_memory):
    its page caches grow with the files, out of Python's sight."""

    def collect(self) -> Iterator[Metric]:
        from core.sqlite_memory import memory_used

        used = memory_used()
        if used is not None:
            yield GaugeMetricFamily(
                "paraply_sqlite_memory_bytes", "Bytes SQLite has allocated in this process (all sites in it).", used
            )


REGISTRY.register(SqliteMemoryCollector())

_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def count_fetch(ok: bool) -> None:
    """Called by core.fetch for each request it finishes or gives up on."""
    FETCHES.labels(outcome="ok" if ok else "error").inc()


class MetricsMiddleware:
    """Counts and times every HTTP request of one site."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.slug = site.slug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in _METHODS else "other"
        started = time.perf_counter()
        status = 500

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                LATENCY.labels(site=self.slug, method=method).observe(time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            REQUESTS.labels(site=self.slug, method=method, status=f"{status // 100}xx").inc()


class OutboxCollector(Collector):
    """The mail outbox's size, read from the database at each scrape."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def collect(self) -> Iterator[Metric]:
        from sqlalchemy import func
        from sqlmodel import col, select

        from core.models import OutboxMessage

        waiting = GaugeMetricFamily(
            "paraply_outbox_waiting", "E-mails in the outbox not yet sent or given up on.", labels=["site"]
        )
        failed = GaugeMetricFamily("paraply_outbox_failed", "E-mails the outbox gave up on.", labels=["site"])
        with self.site.session() as db:
            unsent = col(OutboxMessage.sent_at).is_(None)
            count = func.count(col(OutboxMessage.id))
            waiting_count = db.exec(select(count).where(unsent, col(OutboxMessage.failed_at).is_(None))).one()
            failed_count = db.exec(select(count).where(unsent, col(OutboxMessage.failed_at).is_not(None))).one()
        waiting.add_metric([self.site.slug], float(waiting_count))
        failed.add_metric([self.site.slug], float(failed_count))
        yield waiting
        yield failed


def may_read(request: Request, site: Site) -> bool:
    token = os.environ.get(TOKEN_VARIABLE, "")
    given = request.headers.get("authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    allowed = [ip_network(entry, strict=False) for entry in site.config.server.metrics_allow]
    if not allowed or request.client is None:
        return False
    try:
        address = ip_address(request.client.host)
    except ValueError:
        return False
    return any(address in network for network in allowed)


def metrics(request: Request) -> Response:
    """``/-/metrics``: the process's series plus this site's outbox."""
    site: Site = request.app.state.site
    if not may_read(request, site):
        raise HTTPException(404)
    registry = CollectorRegistry(auto_describe=True)
    registry.register(OutboxCollector(site))
    body = generate_latest(REGISTRY) + generate_latest(registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
