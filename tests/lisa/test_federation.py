"""LISA services are a federated kind ("help"): a site's feed carries its
directory (never referrals), and a peer that ingests it shows the help in
its own search under "Hjälp hos grannarna", linking back to the origin."""

from __future__ import annotations

from sqlmodel import select

from core.demo import load_demo
from federation import ingest
from federation.kinds import kinds_for
from federation.models import Entry, Peer
from federation.parse import parse
from federation.publish import feed_path
from tests.conftest import text_of


def test_help_feed_is_complete_and_carries_the_directory(lisa_site, login):
    kind = kinds_for(lisa_site)["help"]
    assert kind.complete and kind.title == "Hitta rätt hjälp"
    body = login(lisa_site, None).get(feed_path("help", "atom"))
    assert body.status_code == 200
    feed = parse(body.content, feed_path("help", "atom"), body.headers["content-type"])
    assert feed.complete
    titles = {e.title for e in feed.entries}
    assert "Jourtelefon" in titles and len(titles) == 34
    jour = next(e for e in feed.entries if e.title == "Jourtelefon")
    assert jour.id == "tag:lisa.example,2026:lisa/services/" + jour.link.rsplit("/", 1)[1]
    assert jour.fields["need_codes"] == "vald-i-nara-relationer" and jour.fields["phone"] == "0586-577 77"


def test_a_peer_shows_neighbouring_help_in_its_search(lisa_site, login, make_site, tmp_path):
    origin = login(lisa_site, None).get(feed_path("help", "atom")).content
    neighbour = make_site(
        slug="grannen",
        plugins=["lisa"],
        plugin_settings={"lisa": 'municipalities = ["Kristinehamn"]\n'},
        url=f"sqlite:///{tmp_path / 'grannen.db'}",
    )
    load_demo(neighbour, echo=lambda _m: None)  # its own demo: five services in Kristinehamn
    with neighbour.session() as db:
        peer = Peer(url="http://lisa.example", name="Möckeln")
        db.add(peer)
        db.commit()
        ingest.apply(db, peer.id, "help", parse(origin, "http://lisa.example" + feed_path("help", "atom")))
        db.commit()
        assert len(db.exec(select(Entry).where(Entry.kind == "help")).all()) == 34
    client = login(neighbour, None)
    page = client.get("/hjalp/", params={"behov": "vald-i-nara-relationer"})
    text = text_of(page.text)
    assert "Hjälp hos grannarna i nätverket" in text
    assert "Jourtelefon" in text and "Kvinno- och tjejjouren Karlskoga-Degerfors" in text
    assert 'href="http://lisa.example/hjalp/tjanst/' in page.text
    assert "Ring 0586-577 77" in text
    free_text = text_of(client.get("/hjalp/", params={"q": "skuldrådgivning"}).text)
    assert "Budget- och skuldrådgivning" in free_text
    # without a need or words there is no neighbours' list (the start page stays short)
    assert "Hjälp hos grannarna" not in client.get("/hjalp/").text
