"""A hostile peer is contained: huge bodies, gzip bombs, billion laughs,
redirects into private networks, script in titles, links and SVG, duplicate
and missing ids and wrong dates, against the real fetcher and a real site."""

from __future__ import annotations

import tracemalloc

import anyio
import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core.api import BlockedAddress, Fetcher, FetchError
from core.testing import foreign_scripts
from federation.models import Entry, Peer
from federation.parse import FeedError, parse
from tests.federation.harness import Browser, Server, eventually, free_port
from tests.federation.hostile import hostile_app


@pytest.fixture
def servers():
    started: list[Server] = []

    def serve(app: Starlette) -> Server:
        server = Server(app, free_port())
        server.start()
        started.append(server)
        return server

    yield serve
    for server in started:
        server.stop()


def test_the_fetcher_refuses_what_a_hostile_server_sends(servers):
    hits: list[str] = []

    async def secret(request: Request) -> PlainTextResponse:
        hits.append(request.url.path)
        return PlainTextResponse("hemligt")

    inside = servers(Starlette(routes=[Route("/", secret)]))
    port = free_port()
    hostile = Server(hostile_app(port, loopback_target=inside.url + "/"), port)
    hostile.start()

    async def run() -> None:
        fetcher = Fetcher([hostile.url], timeout=1, total_timeout=3)
        try:
            # A redirect inside the allowlisted origin is followed.
            followed = await fetcher.get(hostile.url + "/to-self")
            assert followed.status == 200 and b"Skriptrubrik" in followed.body

            cases = {
                "/huge": "större än 5 MB",
                "/bomb": "efter uppackning",
                "/to-private": "10.20.30.40",
                "/to-metadata": "169.254.169.254",
                "/to-loopback": "internt eller privat nät",
                "/to-file": "inte en http",
                "/slow": "svarade inte",
            }
            for path, message in cases.items():
                with pytest.raises(FetchError, match=message):
                    await fetcher.get(hostile.url + path)

            # The bomb is stopped at the cap, so memory stays small.
            tracemalloc.start()
            with pytest.raises(FetchError):
                await fetcher.get(hostile.url + "/bomb")
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert peak < 24 * 1024 * 1024, f"a gzip bomb used {peak / 1e6:.0f} MB"

            laughs = await fetcher.get(hostile.url + "/laughs")
            with pytest.raises(FeedError, match="entiteter"):
                parse(laughs.body)
            garbage = await fetcher.get(hostile.url + "/garbage")
            with pytest.raises(FeedError):
                parse(garbage.body)
        finally:
            await fetcher.aclose()

        # Without the allowlist even the hostile server's loopback address is refused.
        stranger = Fetcher([], timeout=1)
        try:
            with pytest.raises(BlockedAddress):
                await stranger.get(hostile.url + "/xss.atom")
        finally:
            await stranger.aclose()

    try:
        anyio.run(run)
    finally:
        hostile.stop()
    assert hits == [], "a redirect reached a server on the private network"


def test_a_hostile_peer_is_contained_and_reported(network):
    port = network.port("hostile")
    # It also echoes an entry under Filipstad's own tag authority.
    network.serve("hostile", hostile_app(port, echo_id="tag:filipstad.localhost,2026:news/1"))
    filipstad = network.site(
        "filipstad",
        "Filipstads föreningar",
        extra_peers=[("Fientliga föreningar", network.url("hostile"))],
        poll_interval=3600,
    )

    def polled() -> bool:
        with filipstad.session() as db:
            peer = db.exec(select(Peer)).first()
            return bool(peer and peer.last_error_at)

    eventually(polled, message="the hostile peer was never polled")
    visitor = Browser(network.url("filipstad"))
    response = visitor.get("/natverket/nyheter")
    assert response.status_code == 200
    html = response.text.lower()
    assert foreign_scripts(html) == [], "a script reached the page"
    for bad in ("javascript:", "onerror", "<svg", "<iframe", "onmouseover", "alert("):
        assert bad not in html, f"{bad!r} reached the page"
    page = visitor.text("/natverket/nyheter")
    assert "Skriptrubrik" in page and "Sammanfattning" in page
    assert "Dubblett, ny" in page and "Dubblett, gammal" not in page
    assert "Utan id men med länk" in page and "Utan id och utan länk" not in page
    assert "Från framtiden" in page and "2999" not in page  # clamped to when it arrived
    assert "Trasigt datum" in page
    assert "Eko av en annan sajts nyhet" not in page  # our own id: never shown as a copy

    with filipstad.session() as db:
        rows = db.exec(select(Entry).where(Entry.kind == "news")).all()
        assert len(rows) == 5 and len({r.entry_id for r in rows}) == 5
        scripted = next(r for r in rows if r.entry_id == "tag:hostile.example,2026:news/1")
        assert scripted.link == ""  # javascript: dropped
        assert "<p>Text</p>" in scripted.content_html and "svg" not in scripted.content_html
        assert "website" not in (scripted.fields or {})
        assert not db.exec(select(Entry).where(Entry.kind.in_(["members", "events", "pages"]))).all()  # type: ignore[attr-defined]

    assert visitor.get("/").status_code == 200
    assert visitor.get("/natverket/foreningar").status_code == 200
    visitor.login()
    health = visitor.text("/-/admin/natverket")
    assert "Fientliga föreningar" in health and "Fel vid senaste försöket" in health
    assert "Föreningar: Svaret var större än 5 MB (efter uppackning)" in health
    assert "Evenemang: Flödet innehåller XML-entiteter" in health
    assert "pages: Svaret var större än 5 MB" in health
    assert "169.254" not in health  # an off-origin feed in the discovery document is not even tried
    visitor.close()


def test_outside_feeds_are_shown_on_the_front_page_sanitized(network):
    port = network.port("forum")
    network.serve("forum", hostile_app(port))
    network.site(
        "mockeln",
        "Möckelnföreningarna",
        external=[("Forum för idéburna organisationer", network.url("forum") + "/xss.atom")],
        poll_interval=3600,
    )
    visitor = Browser(network.url("mockeln"))
    front = eventually(
        lambda: (t := visitor.get("/").text) and "Skriptrubrik" in t and t,
        message="the outside feed never reached the front page",
    )
    assert "Forum för idéburna organisationer" in front
    assert foreign_scripts(front) == []
    for bad in ("javascript:", "onerror", "<svg"):
        assert bad not in front.lower()
    # max_items = 3: the three newest (the future one is clamped to now).
    block = front.split("Forum för idéburna organisationer", 1)[1]
    assert block.count("<h3>") == 3
    visitor.close()
