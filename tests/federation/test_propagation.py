"""End to end, between real servers on 127.0.0.1: news and members written
at one site reach another by push and by polling; edits, deletions and a
member leaving propagate; a new peer backfills from the archives; a peer
that goes down and comes back loses nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from federation.models import Entry, FeedState, Peer
from plugins.webportal.models import News
from tests.federation.harness import Browser, eventually
from tests.webportal_fixtures import add_association


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
        timeout=10,
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


def filipstad_site(network):
    return network.sites["filipstad"]


def pair(network, **options):
    """Möckeln and Filipstad, each the other's peer, subscribed both ways."""
    mockeln = network.site("mockeln", "Möckelnföreningarna", ["filipstad"], **options)
    filipstad = network.site("filipstad", "Filipstads föreningar", ["mockeln"], **options)
    if options.get("push", True):
        eventually(lambda: subscribed(filipstad, network.url("mockeln")), message="Filipstad never subscribed")
    return mockeln, filipstad


def test_an_edit_and_a_deletion_propagate(network):
    pair(network, poll_interval=3600)
    editor, visitor = Browser(network.url("mockeln")), Browser(network.url("filipstad"))
    news_id = write_news(editor, "Loppis på lördag")
    eventually(lambda: "Loppis på lördag" in visitor.text("/natverket/nyheter"), message="not pushed")

    response = editor.submit(f"/nyheter/{news_id}/redigera", news_form("Loppis på söndag i stället"))
    assert response.status_code == 303
    page = eventually(
        lambda: (t := visitor.text("/natverket/nyheter")) and "Loppis på söndag i stället" in t and t,
        message="the edit never arrived",
    )
    assert "Loppis på lördag" not in page  # replaced, not duplicated

    response = editor.submit(f"/nyheter/{news_id}/ta-bort", {"bekrafta": "ja"})
    assert response.status_code == 303
    eventually(lambda: "Loppis" not in visitor.text("/natverket/nyheter"), message="the deletion never arrived")
    editor.close()
    visitor.close()


def test_unpublishing_withdraws_the_copy(network):
    pair(network, poll_interval=3600)
    editor, visitor = Browser(network.url("mockeln")), Browser(network.url("filipstad"))
    news_id = write_news(editor, "Utkast som slank ut")
    eventually(lambda: "Utkast som slank ut" in visitor.text("/natverket/nyheter"), message="not pushed")
    editor.submit(f"/nyheter/{news_id}/redigera", news_form("Utkast som slank ut", published=False))
    eventually(lambda: "Utkast som slank ut" not in visitor.text("/natverket/nyheter"), message="still shown")
    editor.close()
    visitor.close()


def test_a_removed_member_disappears_from_the_network_directory(network):
    mockeln, filipstad = pair(network, poll_interval=3600)
    add_association(mockeln, "Karlskoga Schackklubb")
    club = add_association(mockeln, "Degerfors Körsällskap", municipality="Degerfors")
    visitor = Browser(network.url("filipstad"))
    listing = eventually(
        lambda: (t := visitor.text("/natverket/foreningar")) and "Degerfors Körsällskap" in t and t,
        message="members were not pushed",
    )
    assert "Karlskoga Schackklubb" in listing
    searched = visitor.text("/natverket/foreningar?q=schack")
    assert "Karlskoga Schackklubb" in searched and "Degerfors Körsällskap" not in searched

    admin = Browser(network.url("mockeln"))
    admin.login()
    assert admin.submit(f"/admin/foreningar/{club.id}/ta-bort", {"bekrafta": "ja"}).status_code == 303
    eventually(
        lambda: "Degerfors Körsällskap" not in visitor.text("/natverket/foreningar"),
        message="the removed member is still listed",
    )
    assert "Karlskoga Schackklubb" in visitor.text("/natverket/foreningar")
    admin.close()
    visitor.close()


def test_a_new_peer_backfills_older_news_from_the_archives(network):
    mockeln = network.site("mockeln", "Möckelnföreningarna", [], poll_interval=3600)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with mockeln.session() as db:
        for i in range(120):  # 50 per document: the current one and two archive pages
            when = start + timedelta(days=i)
            db.add(News(title=f"Nyhet nummer {i}", published_at=when, updated_at=when))
        db.commit()

    filipstad = network.site("filipstad", "Filipstads föreningar", ["mockeln"], push=False, poll_interval=3600)

    def copies() -> int:
        with filipstad.session() as db:
            return len(db.exec(select(Entry).where(Entry.kind == "news")).all())

    eventually(lambda: copies() == 120, timeout=30, message="the archives were not walked")
    visitor = Browser(network.url("filipstad"))
    assert "Nyhet nummer 119" in visitor.text("/natverket/nyheter")
    assert "Nyhet nummer 0" in visitor.text("/natverket/nyheter?sida=6")
    visitor.close()


def test_a_peer_that_goes_down_and_comes_back_loses_nothing(network):
    pair(network, poll_interval=1, lease_seconds=3600)
    editor, visitor = Browser(network.url("mockeln")), Browser(network.url("filipstad"))
    write_news(editor, "Före avbrottet")
    eventually(lambda: "Före avbrottet" in visitor.text("/natverket/nyheter"), message="not pushed")

    # Möckeln goes down: Filipstad keeps its last good copy and says how old it is.
    # (It pushes, so it is polled seldom; the admin asks for a poll now.)
    network.stop("mockeln")
    visitor.login()
    with filipstad_site(network).session() as db:
        peer_id = db.exec(select(Peer)).one().id
    assert visitor.submit(f"/-/admin/natverket/{peer_id}/hamta", {}).status_code == 303
    page = eventually(
        lambda: (t := visitor.text("/natverket/nyheter")) and "svarar inte just nu" in t and t,
        message="no notice that Möckeln is down",
    )
    assert "Före avbrottet" in page and "Möckelnföreningarna" in page
    health = visitor.text("/-/admin/natverket")
    assert "Det gick inte att ansluta" in health and "Fel vid senaste försöket" in health

    # Filipstad goes down too; Möckeln comes back and publishes while it is away.
    network.stop("filipstad")
    network.start("mockeln")
    write_news(editor, "Under tiden Filipstad sov")
    network.start("filipstad")
    visitor = Browser(network.url("filipstad"))
    page = eventually(
        lambda: (t := visitor.text("/natverket/nyheter")) and "Under tiden Filipstad sov" in t and t,
        timeout=20,
        message="the news written while Filipstad was down never arrived",
    )
    assert "Före avbrottet" in page
    # Once the poll that brought it is recorded, the copy is no longer called old.
    eventually(lambda: "svarar inte just nu" not in visitor.text("/natverket/nyheter"), message="still marked old")
    editor.close()
    visitor.close()


class Requests:
    """An ASGI wrapper that notes each request's method, path and status."""

    def __init__(self, app) -> None:
        self.app = app
        self.seen: list[tuple[str, str, int]] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def noting(message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append((scope["method"], scope["path"], message["status"]))
            await send(message)

        await self.app(scope, receive, noting)


def test_an_unchanged_peer_costs_one_conditional_request(network):
    """The discovery document lists each feed's current ETag, so a poll of
    a peer where nothing changed is one 304, and a change fetches only the
    feed that changed."""
    from core.app import create_app

    mockeln = network.site("mockeln", "Möckelnföreningarna", start=False)
    requests = Requests(create_app(mockeln))
    network.serve("mockeln", requests)
    network.site("filipstad", "Filipstads föreningar", ["mockeln"], push=False, poll_interval=1)
    editor, visitor = Browser(network.url("mockeln")), Browser(network.url("filipstad"))
    write_news(editor, "Vårstädning i parken")
    eventually(lambda: "Vårstädning i parken" in visitor.text("/natverket/nyheter"), message="never polled")

    def polls() -> list[tuple[str, str, int]]:
        return [r for r in requests.seen if r[1].startswith(("/.well-known/", "/-/federation/"))]

    requests.seen.clear()
    eventually(lambda: len(polls()) >= 2, timeout=40, message="Filipstad stopped polling")
    assert set(polls()) == {("GET", "/.well-known/paraply", 304)}

    requests.seen.clear()
    write_news(editor, "Loppis på lördag")
    eventually(lambda: "Loppis på lördag" in visitor.text("/natverket/nyheter"), message="the change never came")
    fetched = {path for _method, path, status in polls() if status == 200}
    assert fetched == {"/.well-known/paraply", "/-/federation/news.atom"}  # not the unchanged members feed
    editor.close()
    visitor.close()
