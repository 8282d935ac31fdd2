"""WebSub between real servers: the hub verifies intent before it stores a
subscription and signs what it delivers; the subscriber ignores a payload
whose signature is wrong; leases are renewed; and only one worker polls."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
from datetime import timedelta

import httpx
from sqlalchemy import create_engine
from sqlmodel import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from core.models import utcnow
from federation.lock import PollerLock
from federation.models import Entry, FeedState, Peer, Subscription
from plugins.webportal.models import News
from tests.federation.harness import Browser, eventually
from tests.federation.test_propagation import Requests, pair, write_news


def subscriber_app(received: list[tuple[dict[str, str], bytes]], echo: bool) -> Starlette:
    async def callback(request: Request) -> Response:
        if request.method == "GET":
            challenge = request.query_params.get("hub.challenge", "")
            return PlainTextResponse(challenge if echo else "fel svar")
        received.append((dict(request.headers), await request.body()))
        return PlainTextResponse("tack", status_code=202)

    return Starlette(routes=[Route("/cb/{name}", callback, methods=["GET", "POST"])])


def test_the_hub_verifies_intent_and_signs_deliveries(network):
    received: list[tuple[dict[str, str], bytes]] = []
    port = network.port("subscriber")
    network.serve("subscriber", subscriber_app(received, echo=True))
    liar_port = network.port("liar")
    network.serve("liar", subscriber_app([], echo=False))
    mockeln = network.site(
        "mockeln",
        "Möckelnföreningarna",
        extra_peers=[("Prenumeranten", network.url("subscriber")), ("Lögnaren", network.url("liar"))],
        poll_interval=3600,
    )
    hub = network.url("mockeln") + "/-/websub"
    topic = network.url("mockeln") + "/-/federation/news.atom"

    def ask(callback: str, **overrides: str) -> httpx.Response:
        form = {"hub.mode": "subscribe", "hub.topic": topic, "hub.callback": callback, "hub.secret": "hemlis"}
        return httpx.post(hub, data={**form, **overrides})

    assert ask(f"http://127.0.0.1:{port}/cb/a", **{"hub.topic": "http://annan.example/feed"}).status_code == 400
    assert ask(f"http://127.0.0.1:{port}/cb/a", **{"hub.mode": "kanske"}).status_code == 400
    assert ask("javascript:alert(1)").status_code == 400
    assert ask(f"http://127.0.0.1:{liar_port}/cb/x").status_code == 202
    assert ask(f"http://127.0.0.1:{port}/cb/a", **{"hub.lease_seconds": "600"}).status_code == 202

    def stored() -> list[Subscription]:
        with mockeln.session() as db:
            return list(db.exec(select(Subscription)).all())

    rows = eventually(stored, message="the verified subscription was not stored")
    assert [r.callback for r in rows] == [f"http://127.0.0.1:{port}/cb/a"]  # the liar never confirmed
    lease = rows[0].lease_until
    assert timedelta(seconds=590) < lease - utcnow() <= timedelta(seconds=600)

    write_news(Browser(network.url("mockeln")), "Signerad nyhet")
    eventually(lambda: received, message="nothing was delivered")
    headers, body = received[0]
    assert b"Signerad nyhet" in body
    expected = "sha256=" + hmac.new(b"hemlis", body, hashlib.sha256).hexdigest()
    assert headers["x-hub-signature"] == expected
    assert f'<{topic}>; rel="self"' in headers["link"] and f'<{hub}>; rel="hub"' in headers["link"]

    # Unsubscribing is verified the same way.
    assert ask(f"http://127.0.0.1:{port}/cb/a", **{"hub.mode": "unsubscribe"}).status_code == 202
    eventually(lambda: not stored(), message="the unsubscription was not applied")


def test_a_payload_with_a_bad_signature_is_ignored(network):
    mockeln, filipstad = pair(network, poll_interval=3600)
    with filipstad.session() as db:
        state = db.exec(select(FeedState).where(FeedState.kind == "news")).one()
    body = httpx.get(state.url).content.replace(b"</feed>", b"")
    entry = (
        b"<entry><id>tag:mockeln.localhost,2026:news/999</id><title>Insmugglad</title>"
        b"<updated>2026-05-01T00:00:00Z</updated><link href='https://exempel.se/'/></entry></feed>"
    )
    body += entry
    callback = network.url("filipstad") + "/-/websub/callback/" + state.callback_token

    def copies() -> list[str]:
        with filipstad.session() as db:
            return [e.title for e in db.exec(select(Entry).where(Entry.kind == "news")).all()]

    wrong = "sha256=" + hmac.new(b"fel nyckel", body, hashlib.sha256).hexdigest()
    for headers in ({"X-Hub-Signature": wrong}, {}, {"X-Hub-Signature": "md5=abc"}):
        response = httpx.post(callback, content=body, headers={"Content-Type": "application/atom+xml", **headers})
        assert response.status_code == 202
    assert "Insmugglad" not in copies()
    assert httpx.post(network.url("filipstad") + "/-/websub/callback/okand", content=body).status_code == 404

    right = "sha256=" + hmac.new(state.secret.encode(), body, hashlib.sha256).hexdigest()
    assert httpx.post(callback, content=body, headers={"X-Hub-Signature": right}).status_code == 202
    assert "Insmugglad" in copies()
    # Delivered twice, stored once.
    httpx.post(callback, content=body, headers={"X-Hub-Signature": right})
    assert copies().count("Insmugglad") == 1


def test_leases_are_renewed_before_they_run_out(network):
    mockeln, filipstad = pair(network, poll_interval=3600, lease_seconds=60)
    with filipstad.session() as db:
        for state in db.exec(select(FeedState)).all():
            state.lease_until = utcnow() + timedelta(seconds=5)
            db.add(state)
        peer_id = db.exec(select(Peer)).one().id

    admin = Browser(network.url("filipstad"))
    admin.login()
    assert admin.submit(f"/-/admin/natverket/{peer_id}/hamta", {}).status_code == 303

    def renewed() -> bool:
        with filipstad.session() as db:
            leases = [s.lease_until for s in db.exec(select(FeedState)).all()]
        return all(lease is not None and lease - utcnow() > timedelta(seconds=30) for lease in leases)

    eventually(renewed, message="the leases were not renewed")
    assert "Aktiv: grannen skickar ändringar direkt." in admin.text("/-/admin/natverket")
    admin.close()


def test_only_one_worker_holds_the_poller_lock(database_url, tmp_path):
    first_engine, second_engine = create_engine(database_url), create_engine(database_url)
    first = PollerLock(first_engine, tmp_path)
    second = PollerLock(second_engine, tmp_path)
    try:
        assert first.acquire()
        assert not second.acquire()
        first.release()
        assert second.acquire()
        assert not first.acquire()
    finally:
        first.release()
        second.release()
        first_engine.dispose()
        second_engine.dispose()


def test_a_burst_of_changes_reaches_each_subscriber_a_few_times_with_the_newest(network):
    """Twenty commits in a row do not make twenty deliveries to every
    subscriber: each gets the current document, and the last one it gets
    holds the last change. A subscriber that fails is tried again."""
    received: dict[str, list[bytes]] = {"steady": [], "flaky": []}
    failures = {"flaky": 1}
    burst_done = threading.Event()

    async def callback(request: Request) -> Response:
        name = request.path_params["name"]
        if failures.get(name):
            failures[name] -= 1
            return PlainTextResponse("inte nu", status_code=503)
        # A slow subscriber: each delivery is under way until the burst is
        # over, so how many it gets does not depend on how fast commits are.
        await asyncio.to_thread(burst_done.wait, 30)
        received[name].append(await request.body())
        return PlainTextResponse("tack", status_code=202)

    network.serve("subscriber", Starlette(routes=[Route("/cb/{name}", callback, methods=["POST"])]))
    mockeln = network.site("mockeln", "Möckelnföreningarna", extra_peers=[("Prenumeranten", network.url("subscriber"))])
    topic = network.url("mockeln") + "/-/federation/news.atom"
    with mockeln.session() as db:
        for name in received:
            db.add(
                Subscription(
                    topic=topic,
                    callback=f"{network.url('subscriber')}/cb/{name}",
                    secret="hemlis",
                    lease_until=utcnow() + timedelta(days=1),
                )
            )
    for n in range(20):
        with mockeln.session() as db:  # twenty commits, twenty changes
            db.add(News(title=f"Skurnyhet {n}", published_at=utcnow(), updated_at=utcnow()))
    burst_done.set()

    for name in received:
        eventually(
            lambda name=name: received[name] and b"Skurnyhet 19" in received[name][-1],
            message=f"{name} never got the newest document",
        )
    # The first delivery was under way through the burst. The changes after
    # it made the subscriber due once; the hub's lookups still running when
    # the burst ended (at most one under way and one waiting, which takes
    # all the rest) can make it due at most twice more. Not 20.
    assert len(received["steady"]) <= 4
    assert failures["flaky"] == 0  # it did refuse once, and was tried again

    def recorded() -> list[tuple[str, str]]:
        with mockeln.session() as db:
            rows = db.exec(select(Subscription)).all()
            return sorted((r.callback.rsplit("/", 1)[1], r.last_delivery_error) for r in rows if r.last_delivery_at)

    eventually(lambda: recorded() == [("flaky", ""), ("steady", "")], message="deliveries were not recorded")


def test_with_two_worker_processes_one_polls_and_nothing_is_ingested_twice(network):
    """``paraply serve --workers 2``: both processes start the app, the
    poller lock lets one of them poll, so the peer is asked once (the poll
    interval is an hour) and its news is stored once."""
    import os
    import subprocess
    import sys

    from core.app import create_app

    mockeln = network.site("mockeln", "Möckelnföreningarna", start=False)
    requests = Requests(create_app(mockeln))
    network.serve("mockeln", requests)
    editor = Browser(network.url("mockeln"))
    for title in ("Vårstädning i parken", "Loppis på lördag"):
        write_news(editor, title)
    editor.close()
    filipstad = network.site(
        "filipstad", "Filipstads föreningar", ["mockeln"], push=False, poll_interval=3600, start=False
    )
    env = {
        **os.environ,
        "PARAPLY_DATABASE_URL": filipstad.engine.url.render_as_string(hide_password=False),
        "PARAPLY_SECRET_KEY": "test-two-workers",
    }
    command = [sys.executable, "-c", "from core.cli import cli; cli()", "serve", "--site", str(filipstad.folder)]
    command += ["--port", str(network.port("filipstad")), "--workers", "2"]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    started: list[str] = []
    try:
        assert server.stderr is not None
        for line in server.stderr:
            if "Application startup complete" in line:
                started.append(line)
                if len(started) == 2:
                    break
        assert len(started) == 2, "the two workers did not both start"
        visitor = Browser(network.url("filipstad"))
        eventually(lambda: "Loppis på lördag" in visitor.text("/natverket/nyheter"), message="never polled")
        time.sleep(3)  # time for a second poller, if there were one
        asked = [path for _method, path, _status in requests.seen if path == "/.well-known/paraply"]
        assert len(asked) == 1, requests.seen
        with filipstad.session() as db:
            titles = sorted(e.title for e in db.exec(select(Entry).where(Entry.kind == "news")).all())
        assert titles == ["Loppis på lördag", "Vårstädning i parken"]
        visitor.close()
    finally:
        server.terminate()
        server.wait(20)


def test_a_subscription_request_with_a_field_over_the_limit_gets_400_not_500(client):
    """The hub reads its form outside the app's error pages (it sits in an
    asgi_wrapper, before sessions and CSRF): a field larger than Starlette's
    1 MB per field is a bad request, answered in plain text."""
    body = {"hub.mode": "subscribe", "hub.topic": "x" * (1024 * 1024 + 10), "hub.callback": "http://peer.example/"}
    response = client.post("/-/websub", data=body)
    assert response.status_code == 400 and "maximum size" in response.text


def test_the_anonymous_hub_fetches_callbacks_through_the_guarded_fetcher(network, caplog):
    """``POST /-/websub`` makes the server fetch a caller-chosen URL (issue
    18, fault 5): a callback at an IPv6 form of a private IPv4 address is
    refused by the same rules as feeds, so nothing is connected and nothing
    is stored, while a subscriber on loopback would have answered."""
    received: list[tuple[dict[str, str], bytes]] = []
    port = network.port("inside")
    network.serve("inside", subscriber_app(received, echo=True))
    mockeln = network.site("mockeln", "Möckelnföreningarna", poll_interval=3600)
    hub = network.url("mockeln") + "/-/websub"
    topic = network.url("mockeln") + "/-/federation/news.atom"
    wrapped = ["::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "2002:7f00:1::", "2002:a9fe:a9fe::"]
    caplog.set_level("INFO", logger="paraply.federation")
    for address in [*wrapped, "::ffff:127.0.0.1"]:
        form = {"hub.mode": "subscribe", "hub.topic": topic, "hub.callback": f"http://[{address}]:{port}/cb/a"}
        assert httpx.post(hub, data=form).status_code == 202

    def refused() -> list[str]:
        found = [r.getMessage() for r in caplog.records if "did not confirm" in r.getMessage()]
        return found if len(found) == len(wrapped) + 1 else []

    reasons = eventually(refused, message="the hub did not try every callback")
    for address in wrapped:
        (reason,) = [r for r in reasons if f"[{address}]" in r.split(" did not")[0]]
        assert "internt eller privat nät" in reason, reason
    assert received == []
    with mockeln.session() as db:
        assert db.exec(select(Subscription)).all() == []


def test_a_hub_asking_about_a_feed_removed_meanwhile_gets_a_404_not_a_500(network):
    """The admin leaves a neighbour while its hub is confirming our
    subscription: the feed's row is gone between the callback's lookup and
    its update (seen in CI as a StaleDataError and a 500 to the hub)."""
    from types import SimpleNamespace
    from urllib.parse import urlencode

    from federation.subscriber import _verify

    mockeln, filipstad = pair(network, poll_interval=3600)
    with filipstad.session() as db:
        state = db.exec(select(FeedState).where(FeedState.kind == "news")).one()
        db.delete(state)
    query = {"hub.mode": "subscribe", "hub.topic": state.url, "hub.challenge": "utmaning", "hub.lease_seconds": "600"}
    request = Request({"type": "http", "method": "GET", "headers": [], "query_string": urlencode(query).encode()})
    answer = _verify(SimpleNamespace(site=filipstad), request, state)  # type: ignore[arg-type]
    assert answer.status_code == 404
