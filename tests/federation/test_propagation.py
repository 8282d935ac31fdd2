"""End to end, between real servers on 127.0.0.1: news and members written
at one site reach another by push and by polling; edits, deletions and a
member leaving propagate; a new peer backfills from the archives; a peer
that goes down and comes back loses nothing."""

from __future__ import annotations

from sqlmodel import select

from federation.models import FeedState, Peer
from tests.federation.harness import Browser, eventually


def news_form(title: str, summary: str = "", published: bool = True) -> dict[str, str]:
    form = {"title": title, "summary": summary, "body": "Välkomna!", "association": ""}
    return {**form, "published": "y"} if published else form


def write_news(browser: Browser, title: str, summary: str = "") -> int:
    browser.login()
    response = browser.submit("/nyheter/ny", news_form(title, summary))
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].rstrip("/").split("/")[-1])


def subscribed(site, peer_url: str) -> bool:
    with site.session() as db:
        peer = db.exec(select(Peer).where(Peer.url == peer_url)).first()
        if peer is None:
            return False
        states = db.exec(select(FeedState).where(FeedState.peer_id == peer.id)).all()
        return len(states) >= 2 and all(s.lease_until is not None for s in states)


def test_news_published_at_mockeln_appears_at_filipstad_by_push(network):
    # Each lists the other: a hub calls back only to allowlisted peers on a private network.
    network.site("mockeln", "Möckelnföreningarna", ["filipstad"], poll_interval=3600)
    filipstad = network.site("filipstad", "Filipstads föreningar", ["mockeln"], poll_interval=3600)
    eventually(lambda: subscribed(filipstad, network.url("mockeln")), message="Filipstad never subscribed")

    mockeln = Browser(network.url("mockeln"))
    visitor = Browser(network.url("filipstad"))
    write_news(mockeln, "Öppet hus i Föreningarnas hus", "Kaffe och information.")
    # Polls are an hour apart here, so only push can bring it over in time.
    page = eventually(
        lambda: (t := visitor.text("/natverket/nyheter")) and "Öppet hus i Föreningarnas hus" in t and t,
        timeout=5,
        message="the news never reached Filipstad by push",
    )
    assert "Från Möckelnföreningarna" in page and "Kaffe och information." in page
    html = visitor.get("/natverket/nyheter").text
    assert f'href="{network.url("mockeln")}/"' in html  # the origin is linked
    mockeln.close()
    visitor.close()


def test_polling_brings_news_when_push_is_off(network):
    network.site("mockeln", "Möckelnföreningarna")
    filipstad = network.site("filipstad", "Filipstads föreningar", ["mockeln"], push=False, poll_interval=1)
    mockeln = Browser(network.url("mockeln"))
    write_news(mockeln, "Vårstädning i parken")
    visitor = Browser(network.url("filipstad"))
    eventually(lambda: "Vårstädning i parken" in visitor.text("/natverket/nyheter"), message="never polled")
    with filipstad.session() as db:
        assert all(s.lease_until is None for s in db.exec(select(FeedState)).all())  # nothing subscribed
    mockeln.close()
    visitor.close()
