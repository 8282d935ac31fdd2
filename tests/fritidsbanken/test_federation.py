"""Fritidsbanken's "new in the catalogue" as a federated kind: listed in the
discovery document, published as a complete Atom feed of the items that came
in lately, and shown from peers' copies on "Lånbart i närheten"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from federation.models import Entry, Peer, Tombstone
from plugins.fritidsbanken.models import ItemStatus
from tests.conftest import text_of
from tests.fritidsbanken.conftest import MONDAY, add_borrower, add_item


def test_new_items_are_a_federated_kind(world, fb_site, make_client, fake_clock):
    fresh = add_item(fb_site, "1201", "SUP-bräda", "Vattensport", "", world.branch)
    add_item(fb_site, "1202", "Kanot", "Vattensport", "", world.branch, status=ItemStatus.RETIRED)
    fake_clock.set(MONDAY - timedelta(days=90))
    add_item(fb_site, "1203", "Gamla skidor", "Skidor", "150 cm", world.branch)
    fake_clock.set(MONDAY)
    client = make_client(fb_site)

    discovery = client.get("/.well-known/paraply").json()
    feed = discovery["feeds"]["fritidsbanken"]
    assert feed["title"] == "Nytt hos Fritidsbanken"
    atom = client.get(feed["atom"].replace(fb_site.base_url, ""))
    assert atom.status_code == 200
    assert f"<id>tag:testsite.example,2026:fritidsbanken/{fresh.id}</id>" in atom.text
    assert "SUP-bräda" in atom.text and "http://testsite.example/fritidsbanken/artiklar/1201" in atom.text
    assert "Kanot" not in atom.text and "Gamla skidor" not in atom.text
    assert "complete" in atom.text  # RFC 5005: receivers replace their copy

    # Lending does not touch the feed: no tombstones, no pushes at counter speed.
    vera = add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    client.login(world.staff.email)
    client.submit(f"/fritidsbanken/disk/lantagare/{vera.id}/lana", {"numbers": "1201"}, follow_redirects=True)
    with fb_site.session() as db:
        assert db.exec(select(Tombstone)).first() is None
    assert "SUP-bräda" in client.get(feed["atom"].replace(fb_site.base_url, "")).text


def test_nearby_shows_what_peers_got_in(world, fb_site, make_client):
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with fb_site.session() as db:
        peer = Peer(url="https://storfors.example", name="Storfors föreningar", last_success_at=now)
        db.add(peer)
        db.flush()
        db.add(
            Entry(
                peer_id=peer.id,
                kind="fritidsbanken",
                entry_id="tag:storfors.example,2026:fritidsbanken/7",
                title="Tält 2 personer",
                link="https://storfors.example/fritidsbanken/artiklar/501",
                summary="Friluftsliv. Lånas gratis i 14 dagar hos Fritidsbanken Storfors.",
                published=now,
                updated=now,
            )
        )
        db.add(Entry(peer_id=peer.id, kind="news", entry_id="x", title="En nyhet", published=now, updated=now))
        db.commit()
    page = make_client(fb_site).get("/fritidsbanken/i-narheten")
    body = text_of(page.text)
    assert "Storfors föreningar" in body and "Tält 2 personer" in body and "En nyhet" not in body
    assert 'href="https://storfors.example/fritidsbanken/artiklar/501"' in page.text
