"""Uppdrag i nätverket on /samverkan/: the neighbours' open assignments,
each part labelled, and never the site's own. A Kristinehamn site once
listed its own assignments a second time "Hos Kristinehamns Föreningsråd",
linking to the port it ran on before: rows left from a copy of itself
among its peers. Here the site's own feed is really published, parsed and
stored under such peers (as ingest did before it refused echoes), beside a
real neighbour's feed, and the page shows the neighbour's alone."""

from __future__ import annotations

from sqlmodel import select

from core.models import Role
from core.testing import add_user, text_of
from federation import ingest
from federation.models import Peer
from federation.parse import parse
from plugins.samverkan.models import Assignment
from tests.conftest import DEFAULT_WEBPORTAL
from tests.samverkan.conftest import ADMIN, TODAY, assignment_form


def _publish(site, as_user, **form: object) -> str:  # type: ignore[no-untyped-def]
    """Send an assignment through the public form, open it as staff, and
    return the site's ``uppdrag`` feed as a peer fetches it."""
    visitor = as_user(site, None)
    assert visitor.submit("/samverkan/uppdrag/nytt", assignment_form(**form)).status_code == 303
    with site.session() as db:
        row = db.exec(select(Assignment).where(Assignment.title == form["title"])).one()
    assert as_user(site, ADMIN).submit(f"/samverkan/admin/uppdrag/{row.id}/lage", {"status": "open"}).status_code == 303
    feeds = visitor.get("/.well-known/paraply").json()["feeds"]
    return str(visitor.get(feeds["uppdrag"]["atom"]).text)


def _store(site, url: str, name: str, feed: str) -> None:  # type: ignore[no-untyped-def]
    """``feed`` stored as sent by the peer at ``url``, without the echo
    guard (``own_prefixes``): as rows stored before it, or under another id."""
    with site.session() as db:
        peer = Peer(url=url, name=name)
        db.add(peer)
        db.commit()
        assert peer.id is not None
        stats = ingest.apply(db, peer.id, "uppdrag", parse(feed.encode(), url + "/-/federation/uppdrag.atom"))
        db.commit()
        assert stats.new == 1, stats


def test_the_network_list_shows_neighbours_assignments_and_never_the_sites_own(sam_site, as_user, make_site, tmp_path):
    own_feed = _publish(sam_site, as_user, title="Fika vid dialogmötet", deadline="2026-10-30")
    neighbour = make_site(
        slug="granne",
        plugins=["webportal", "samverkan"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "samverkan": 'partner = "Storfors kommun"\n'},
        url=f"sqlite:///{tmp_path / 'granne.db'}",
    )
    neighbour.clock.set(TODAY)
    add_user(neighbour, ADMIN, Role.ADMIN, "Ada Admin")
    neighbours_feed = _publish(
        neighbour,
        as_user,
        title="Skridskodisco i ishallen",
        requester="Storfors kommun",
        when_text="Lördag 7 november",
        place="Ishallen",
        deadline="2026-10-20",
    )
    assert "Fika vid dialogmötet" in own_feed and "Skridskodisco i ishallen" in neighbours_feed

    site_name = sam_site.config.site.name
    # A copy of the site itself on the address it had before, under its own name.
    _store(sam_site, "http://127.0.0.1:8001", site_name, own_feed)
    # The site among its own peers (its base URL), with ids from before a tag authority was set.
    _store(sam_site, "http://sam.example", site_name, own_feed.replace("tag:sam.example,", "tag:sam.localhost,"))
    _store(sam_site, "http://granne.example", "Grannens föreningsråd", neighbours_feed)

    page = as_user(sam_site, None).get("/samverkan/")
    shown = text_of(page.text)
    own, network = shown.split("Uppdrag i nätverket", 1)
    assert "Fika vid dialogmötet" in own, "in the site's own list of open assignments"
    assert "Skridskodisco i ishallen" in network and "Hos Grannens föreningsråd" in network
    assert "Fika vid dialogmötet" not in network and f"Hos {site_name}" not in network
    assert 'href="http://granne.example/samverkan/#uppdrag-' in page.text
    assert "127.0.0.1:8001" not in page.text
    # Every part of a neighbour's assignment says what it is.
    assert "Beställare: Storfors kommun · När: Lördag 7 november · Var: Ishallen" in network
    assert "Sista dag att anmäla intresse: 20 oktober 2026" in network
    assert '<time datetime="2026-10-20">20 oktober 2026</time>' in page.text

    # With only the site's own copies left, the block is not there at all.
    with sam_site.session() as db:
        db.delete(db.exec(select(Peer).where(Peer.url == "http://granne.example")).one())
        db.commit()
    assert "Uppdrag i nätverket" not in text_of(as_user(sam_site, None).get("/samverkan/").text)
