"""Events between real sites on 127.0.0.1 (issue 14, point 6): published at
Storfors, an event shows in Möckeln's "Kalender för nätverket" by WebSub
push within a second; a cancellation travels the same way and shows as
cancelled; a deletion removes the copy. A peer's event with a broken date
is left out with a message, never a 500."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.federation.harness import Browser, eventually
from tests.federation.test_propagation import subscribed

EVENTS = ("webportal", "evenemang")


def event_form(title: str, **extra: str) -> dict[str, str]:
    return {
        "title": title,
        "summary": "Kom och spela med oss.",
        "start_date": "2030-06-04",
        "start_time": "18:30",
        "end_time": "20:30",
        "place_name": "Folkets hus",
        "municipality": "Storfors",
        "is_free": "y",
        "age_group": "all",
        "status": "scheduled",
        "repeat": "",
        **extra,
    }


def test_an_event_published_at_storfors_reaches_mockelns_network_calendar_by_push(network):
    network.site("storfors", "Storfors föreningar", ["mockeln"], poll_interval=3600, plugins=EVENTS)
    mockeln = network.site("mockeln", "Möckelnföreningarna", ["storfors"], poll_interval=3600, plugins=EVENTS)
    eventually(lambda: subscribed(mockeln, network.url("storfors")), message="Möckeln never subscribed")

    storfors = Browser(network.url("storfors"))
    visitor = Browser(network.url("mockeln"))
    storfors.login()
    calendar = "/natverket/kalender?fran=2030-06-01"
    response = storfors.submit("/evenemang/nytt", event_form("Allspel i Folkets hus"))
    assert response.status_code == 303, response.text[:500]
    started = time.monotonic()  # published: from here the clock runs
    location = response.headers["location"]
    page = eventually(
        lambda: (t := visitor.text(calendar)) and "Allspel i Folkets hus" in t and t,
        timeout=10,
        interval=0.02,
        message="the event never reached Möckeln by push",
    )
    elapsed = time.monotonic() - started
    print(f"\npush: Storfors -> Möckeln network calendar in {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert "Storfors föreningar" in page and "18:30–20:30" in page
    html = visitor.get(calendar).text
    assert f'href="{network.url("storfors")}{location}"' in html  # links to its origin
    # Filter by site: Möckeln's own only hides it; Storfors only shows it.
    assert "Allspel i Folkets hus" not in visitor.text(calendar + "&sajt=egen")

    # A cancellation travels and shows as cancelled.
    cancelled = storfors.submit(location + "/redigera", event_form("Allspel i Folkets hus", status="cancelled"))
    assert cancelled.status_code == 303
    eventually(
        lambda: "Allspel i Folkets hus Inställt" in visitor.text(calendar),
        timeout=10,
        message="the cancellation never reached Möckeln",
    )
    # A deletion travels as a tombstone.
    assert storfors.submit(location + "/ta-bort", {"bekrafta": "ja"}).status_code == 303
    eventually(
        lambda: "Allspel i Folkets hus" not in visitor.text(calendar),
        timeout=10,
        message="the deletion never reached Möckeln",
    )
    storfors.close()
    visitor.close()


BROKEN_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:p="urn:paraply:federation:1">
  <title>Trasiga föreningar</title>
  <id>tag:broken.example,2026:evenemang</id>
  <updated>2026-03-01T00:00:00Z</updated>
  <entry>
    <id>tag:broken.example,2026:evenemang/1</id>
    <title>Bra möte</title>
    <link rel="alternate" href="http://broken.example/evenemang/1"/>
    <updated>2026-03-01T10:00:00Z</updated>
    <p:field name="uid">ev-1@broken.example</p:field>
    <p:field name="starts">2030-06-05T18:00</p:field>
    <p:field name="ends">2030-06-05T19:00</p:field>
    <p:field name="tz">Europe/Stockholm</p:field>
    <p:field name="status">scheduled</p:field>
  </entry>
  <entry>
    <id>tag:broken.example,2026:evenemang/2</id>
    <title>Möte den trettionde februari</title>
    <updated>2026-03-01T10:00:00Z</updated>
    <p:field name="starts">2030-02-30T18:00</p:field>
  </entry>
  <entry>
    <id>tag:broken.example,2026:evenemang/3</id>
    <title>Evig serie</title>
    <updated>2026-03-01T10:00:00Z</updated>
    <p:field name="starts">2030-06-05T18:00</p:field>
    <p:field name="ends">2030-06-05T19:00</p:field>
    <p:field name="rrule">FREQ=MINUTELY</p:field>
  </entry>
  <entry>
    <id>tag:broken.example,2026:evenemang/4</id>
    <title>Slutar före start</title>
    <updated>2026-03-01T10:00:00Z</updated>
    <p:field name="starts">2030-06-05T18:00</p:field>
    <p:field name="ends">2030-06-04T18:00</p:field>
  </entry>
</feed>"""


def broken_peer(port: int) -> Starlette:
    base = f"http://127.0.0.1:{port}"

    async def well_known(request: Request) -> Response:
        return JSONResponse({"name": "Trasiga föreningar", "feeds": {"events": {"atom": f"{base}/events.atom"}}})

    async def feed(request: Request) -> Response:
        return Response(BROKEN_FEED, media_type="application/atom+xml; charset=utf-8")

    return Starlette(routes=[Route("/.well-known/paraply", well_known), Route("/events.atom", feed)])


def test_a_peers_events_with_broken_dates_are_left_out_with_a_message(network):
    network.serve("broken", broken_peer(network.port("broken")))
    mockeln = network.site(
        "mockeln",
        "Möckelnföreningarna",
        extra_peers=[("Trasiga föreningar", network.url("broken"))],
        poll_interval=1,
        plugins=EVENTS,
    )
    del mockeln
    visitor = Browser(network.url("mockeln"))
    page = eventually(
        lambda: (t := visitor.text("/natverket/kalender?fran=2030-06-01")) and "Bra möte" in t and t,
        timeout=15,
        message="the peer's good event never arrived",
    )
    assert "3 evenemang från grannarna hade datum eller upprepningar som inte gick att läsa" in page
    for title in ("trettionde februari", "Evig serie", "Slutar före start"):
        assert title not in page
    visitor.close()
