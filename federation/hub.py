"""The WebSub hub for this site's own feeds (W3C WebSub, section 5-7).

- ``POST /-/websub`` takes ``hub.mode`` (subscribe/unsubscribe),
  ``hub.topic`` (one of our current feed documents), ``hub.callback``,
  ``hub.lease_seconds`` and ``hub.secret``; answers 202 and then verifies
  the intent: a GET to the callback with a random ``hub.challenge`` that the
  subscriber must echo. Only then is the subscription stored (or removed).
- When a kind changes (``changes``), each subscriber of its topics gets the
  new document by POST, signed ``X-Hub-Signature: sha256=<HMAC of the
  body with the subscriber's secret>``, with ``Link`` rel=hub and rel=self,
  through the runtime's ``DeliveryQueue`` (``delivery``: bounded, one
  pending delivery per subscriber, retries); expired leases are dropped.

Callbacks are contacted through the same guarded fetcher as feeds, so a
subscription cannot make this server call into a private network (except
the allowlisted peers' own origins).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from sqlmodel import col, select
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from core.api import FetchError, parse_int, utcnow
from federation import publish
from federation.models import Subscription

if TYPE_CHECKING:
    from core.api import Site
    from federation.runtime import Federation

log = logging.getLogger("paraply.federation")

DEFAULT_LEASE = 10 * 24 * 3600
MIN_LEASE = 60
MAX_LEASE = 30 * 24 * 3600
MAX_SUBSCRIPTIONS = 2000


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _bad(message: str) -> Response:
    return PlainTextResponse(message, status_code=400)


async def hub_endpoint(request: Request) -> Response:
    """Subscription requests from subscribers (form-encoded POST)."""
    from federation.runtime import runtime_of

    runtime = runtime_of(request)
    site = runtime.site
    try:
        form = await request.form(max_fields=20, max_files=0)
    except HTTPException as exc:  # outside the app's error pages (an asgi_wrapper)
        return _bad(str(exc.detail))
    mode = str(form.get("hub.mode", ""))
    topic = str(form.get("hub.topic", ""))
    callback = str(form.get("hub.callback", ""))
    secret = str(form.get("hub.secret", ""))
    if mode not in ("subscribe", "unsubscribe"):
        return _bad("hub.mode must be subscribe or unsubscribe")
    if topic not in publish.topics(site):
        return _bad("hub.topic is not a feed of this hub")
    try:
        parts = urlsplit(callback)
        host = parts.hostname
    except ValueError:  # "http://[x]/": not an address at all
        return _bad("hub.callback must be an http(s) URL")
    if parts.scheme not in ("http", "https") or not host or len(callback) > 500:
        return _bad("hub.callback must be an http(s) URL")
    if len(secret.encode()) > 199:
        return _bad("hub.secret must be shorter than 200 bytes")
    lease_text = form.get("hub.lease_seconds") or str(DEFAULT_LEASE)
    lease_value = parse_int(lease_text)
    if lease_value is None:
        return _bad("hub.lease_seconds must be a number")
    lease = lease_value
    lease = max(MIN_LEASE, min(MAX_LEASE, lease)) if mode == "subscribe" else 0
    task = BackgroundTask(verify_intent, runtime, mode, topic, callback, secret, lease)
    return PlainTextResponse("Accepted", status_code=202, background=task)


async def verify_intent(runtime: Federation, mode: str, topic: str, callback: str, secret: str, lease: int) -> bool:
    """Ask the subscriber to confirm, then store or remove the subscription."""
    challenge = secrets.token_urlsafe(24)
    query = {"hub.mode": mode, "hub.topic": topic, "hub.challenge": challenge}
    if mode == "subscribe":
        query["hub.lease_seconds"] = str(lease)
    separator = "&" if urlsplit(callback).query else "?"
    try:
        answer = await runtime.fetcher.get(callback + separator + urlencode(query), accept="text/plain")
    except FetchError as exc:
        log.info("WebSub: %s did not confirm %s of %s: %s", callback, mode, topic, exc)
        return False
    if answer.body.strip() != challenge.encode():
        log.info("WebSub: %s answered the challenge wrongly", callback)
        return False
    return await asyncio.to_thread(_store_intent, runtime.site, mode, topic, callback, secret, lease)


def _store_intent(site: Site, mode: str, topic: str, callback: str, secret: str, lease: int) -> bool:
    """Store or remove a confirmed subscription (in a worker thread)."""
    with site.session() as db:
        existing = db.exec(
            select(Subscription).where(Subscription.topic == topic, Subscription.callback == callback)
        ).first()
        if mode == "unsubscribe":
            if existing is not None:
                db.delete(existing)
            return True
        count = db.exec(select(Subscription.id)).all()
        if existing is None and len(count) >= MAX_SUBSCRIPTIONS:
            return False
        row = existing or Subscription(topic=topic, callback=callback, lease_until=utcnow())
        row.secret = secret
        row.lease_until = utcnow() + timedelta(seconds=lease)
        db.add(row)
    return True


def _subscribers(runtime: Federation, topics: list[str]) -> list[Subscription]:
    now = utcnow()
    with runtime.site.session() as db:
        for expired in db.exec(select(Subscription).where(col(Subscription.lease_until) < now)).all():
            db.delete(expired)
        return list(db.exec(select(Subscription).where(col(Subscription.topic).in_(topics))).all())


async def publish_changes(runtime: Federation, kinds: set[str]) -> None:
    """Mark the subscribers of ``kinds``' topics due for delivery; the
    runtime's ``DeliveryQueue`` posts them the current documents."""
    site = runtime.site
    wanted = {url: topic for url, topic in publish.topics(site).items() if topic.kind in kinds}
    if not wanted:
        return
    subscriptions = await asyncio.to_thread(_subscribers, runtime, list(wanted))
    if subscriptions:
        runtime.deliveries.add(subscriptions, wanted)
