"""The subscriber's side of WebSub: this site following its peers' hubs.

For each peer feed we keep a random callback token and an HMAC secret
(``FeedState``); the callback is ``/-/websub/callback/<token>``. We answer
the hub's intent verification only for a topic we asked for, and a content
delivery is ingested only when its ``X-Hub-Signature`` is the HMAC-SHA256
(or -384/-512) of the body with our secret: a payload with a missing or bad
signature is ignored, as the spec requires (answered 202 all the same, so
nobody learns anything from the difference).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from core.api import FetchError, parse_int, utcnow
from federation.models import FeedState

#: The longest lease a hub may grant that we record (a year).
MAX_LEASE_SECONDS = 366 * 24 * 3600

if TYPE_CHECKING:
    from core.api import Site
    from federation.runtime import Federation

log = logging.getLogger("paraply.federation")

CALLBACK_PATH = "/-/websub/callback/"
ALGORITHMS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def signature_ok(secret: str, body: bytes, header: str) -> bool:
    method, _, given = header.partition("=")
    digest = ALGORITHMS.get(method.strip().lower())
    if not secret or digest is None or not given:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


async def subscribe(runtime: Federation, state_id: int, hub: str, topic: str) -> None:
    """Ask ``hub`` to push ``topic`` to us. The token and secret are stored
    first, because the hub's verification may arrive before its answer."""
    site = runtime.site
    stored = await asyncio.to_thread(_new_secret, site, state_id)
    if stored is None:
        return
    token, secret = stored
    form = {
        "hub.mode": "subscribe",
        "hub.topic": topic,
        "hub.callback": site.absolute_url(CALLBACK_PATH + token),
        "hub.secret": secret,
        "hub.lease_seconds": str(runtime.lease_seconds),
    }
    try:
        await runtime.fetcher.post(hub, data=form)
    except FetchError as exc:
        log.info("WebSub: subscribing to %s at %s failed: %s", topic, hub, exc)


def _new_secret(site: Site, state_id: int) -> tuple[str, str] | None:
    """A callback token (kept) and a fresh secret for a feed, stored; None if it is gone."""
    with site.session() as db:
        state = db.get(FeedState, state_id)
        if state is None:
            return None
        if not state.callback_token:
            state.callback_token = secrets.token_urlsafe(24)
        state.secret = secrets.token_hex(32)
        db.add(state)
        return state.callback_token, state.secret


def _state(site: Site, token: str) -> FeedState | None:
    with site.session() as db:
        return db.exec(select(FeedState).where(FeedState.callback_token == token)).first()


async def callback_endpoint(request: Request) -> Response:
    from federation.runtime import runtime_of

    runtime = runtime_of(request)
    token = request.path_params["token"]
    state = await asyncio.to_thread(_state, runtime.site, token) if token else None
    if state is None:
        return PlainTextResponse("Unknown subscription", status_code=404)
    if request.method == "GET":
        return await asyncio.to_thread(_verify, runtime, request, state)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > runtime.fetcher.max_bytes:
            return PlainTextResponse("Too large", status_code=413)
    if not signature_ok(state.secret, body, request.headers.get("x-hub-signature", "")):
        log.warning("WebSub: ignored a delivery for %s with a missing or wrong signature", state.url)
        return PlainTextResponse("Accepted", status_code=202)
    await runtime.ingest_push(state, body, request.headers.get("content-type", ""))
    return PlainTextResponse("Accepted", status_code=202)


def _verify(runtime: Federation, request: Request, state: FeedState) -> Response:
    params = request.query_params
    mode, topic, challenge = params.get("hub.mode"), params.get("hub.topic"), params.get("hub.challenge", "")
    if topic != state.url or not challenge:
        return PlainTextResponse("Not our topic", status_code=404)
    if mode == "subscribe":
        # Bounded: a lease of 10**30 seconds overflowed timedelta (a 500 to the hub).
        lease = parse_int(params.get("hub.lease_seconds"), 0, minimum=0, maximum=MAX_LEASE_SECONDS) or 0
        # One UPDATE: the feed may be removed while the hub asks (the admin
        # left the neighbour); then there is no subscription to confirm,
        # where a loaded row's update raised StaleDataError (a 500 to the hub).
        now = utcnow()
        values = {"subscribed_at": now, "lease_until": now + timedelta(seconds=max(lease, 0))}
        with runtime.site.session() as db:
            found = db.connection().execute(update(FeedState).where(col(FeedState.id) == state.id).values(values))
        if not found.rowcount:
            return PlainTextResponse("Not our topic", status_code=404)
        return PlainTextResponse(challenge)
    if mode == "unsubscribe" and runtime.unsubscribing(state.url):
        return PlainTextResponse(challenge)
    return PlainTextResponse("Not confirmed", status_code=404)
