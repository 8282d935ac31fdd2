"""The association and network topics against the real SMTP server, on both
databases, on a site with the events plugin: a digest of the site's news
and events includes a new event; a subscriber who follows one association
(from the "Följ via e-post" link on its page) gets only that association's
news and events; one who follows the network gets the neighbours' items
with a link to their home site and "Hos <site>"; the settings page changes
the associations followed; unsubscribing deletes them with the address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from core.api import member_page_url
from core.testing import add_user, smtp_settings
from plugins.evenemang.models import Event, Organiser
from plugins.nyhetsbrev.models import Subscriber
from tests.conftest import DEFAULT_WEBPORTAL, text_of
from tests.nyhetsbrev.test_digest import _digests, _subscribe
from tests.test_news import add_news
from tests.webportal_fixtures import add_association

NOW = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)  # a Tuesday


@pytest.fixture
def topic_site(make_site, smtp_inbox):
    site = make_site(
        plugins=["webportal", "evenemang", "nyhetsbrev"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL},
        extra=smtp_settings(smtp_inbox.port, from_address="info@testsite.example"),
    )
    site.clock.set(NOW)
    return site


def add_event(site, title: str, starts: datetime, *organisers) -> None:
    naive = starts.astimezone(UTC).replace(tzinfo=None)
    with site.session() as db:
        event = Event(
            uid=f"ev-{title}@testsite.example",
            title=title,
            starts_at=naive,
            ends_at=naive + timedelta(hours=2),
            tz="UTC",
            first_start_utc=naive,
            last_end_utc=naive + timedelta(hours=2),
        )
        db.add(event)
        db.flush()
        for association in organisers:
            db.add(Organiser(event_id=event.id, association_slug=association.slug, association_name=association.name))
        db.commit()


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_digests_with_events_and_one_followed_association(topic_site, make_client, smtp_inbox):
    site = topic_site
    mockeln = add_association(site, "Möckelns IF")
    skid = add_association(site, "Degerfors Skidklubb")
    visitor = make_client(site)

    # "Följ via e-post" on the association's page leads to the form with it ticked.
    with site.session() as db:
        page_url = member_page_url(site, db, mockeln.slug)
    assert page_url
    page = visitor.get(page_url)
    follow = re.search(r'href="([^"]*/nyhetsbrev/prenumerera\?forening=[^"]+)"', page.text)
    assert follow and "Följ via e-post" in text_of(page.text)
    form = visitor.get(follow.group(1).replace("&amp;", "&"))
    assert form.status_code == 200 and "Möckelns IF" in text_of(form.text)
    assert re.search(r'value="mockelns-if" checked', form.text)
    unknown = visitor.get("/nyhetsbrev/prenumerera?forening=finns-inte")
    assert unknown.status_code == 200 and 'value="finns-inte"' not in unknown.text

    alla = _subscribe(
        site, visitor, smtp_inbox, "alla@test.example", topic_nyheter="y", topic_evenemang="y", frequency="dagligen"
    )
    foljer = _subscribe(site, visitor, smtp_inbox, "foljer@test.example", foreningar=mockeln.slug, frequency="dagligen")
    with site.session() as db:
        row = db.exec(select(Subscriber).where(Subscriber.email == "foljer@test.example")).one()
        assert (row.topics, row.associations) == ("", "mockelns-if")

    add_news(site, "Möckelns IF bygger ny bana", association=mockeln, when=NOW + timedelta(hours=1))
    add_news(site, "Skidklubben vaxar", association=skid, when=NOW + timedelta(hours=1))
    add_news(site, "Kansliet har sommarstängt", when=NOW + timedelta(hours=1))
    add_event(site, "Seriematch på Möckeln", NOW + timedelta(days=3), mockeln)
    add_event(site, "Skidtävling", NOW + timedelta(days=4), skid)
    site.clock.set(NOW + timedelta(days=1))
    digests = {m["To"]: _plain(m) for m in _digests(site, smtp_inbox)}
    assert set(digests) == {"alla@test.example", "foljer@test.example"}

    everything = digests["alla@test.example"]
    assert "Evenemang\n---------" in everything.replace("\r\n", "\n")
    for title in ("Seriematch på Möckeln", "Skidtävling", "Kansliet har sommarstängt", "Skidklubben vaxar"):
        assert title in everything
    assert "Seriematch på Möckeln (2026-04-03 12:00)" in everything  # 10:00 UTC, in the site's time zone

    followed = digests["foljer@test.example"]
    assert "Möckelns IF bygger ny bana" in followed and "Seriematch på Möckeln" in followed
    for other in ("Skidklubben vaxar", "Skidtävling", "Kansliet har sommarstängt"):
        assert other not in followed

    # The settings page shows the association followed; unticking it stops its items.
    page = f"/nyhetsbrev/prenumeration/{foljer}"
    shown = visitor.get(page)
    assert "Möckelns IF" in text_of(shown.text) and re.search(r'value="mockelns-if" checked', shown.text)
    none = visitor.submit(page, {"language": "sv", "frequency": "dagligen"})
    assert none.status_code == 400 and "Välj minst ett ämne." in text_of(none.text)
    done = visitor.submit(page, {"language": "sv", "frequency": "dagligen", "topic_evenemang": "y"})
    assert done.status_code == 303
    with site.session() as db:
        row = db.exec(select(Subscriber).where(Subscriber.email == "foljer@test.example")).one()
        assert (row.topics, row.associations) == ("evenemang", "")

    # Unsubscribing deletes the address and what it followed.
    assert visitor.submit(f"/nyhetsbrev/avsluta/{alla}").status_code == 303
    with site.session() as db:
        assert db.exec(select(Subscriber).where(Subscriber.email == "alla@test.example")).first() is None


def test_an_address_already_subscribed_follows_through_its_settings_link(topic_site, make_client, smtp_inbox):
    """Anyone can type an address into the form: an address already confirmed
    gets its settings link with the association ticked, and only its owner
    adds it."""
    site = topic_site
    mockeln = add_association(site, "Möckelns IF")
    visitor = make_client(site)
    _subscribe(site, visitor, smtp_inbox, "vera@test.example", topic_nyheter="y")
    before = len(smtp_inbox.messages)
    again = visitor.submit(
        "/nyhetsbrev/prenumerera", {"email": "vera@test.example", "consent": "y", "foreningar": mockeln.slug}
    )
    assert again.status_code == 303
    from tests.nyhetsbrev.test_newsletter import _link, _wait

    _wait(smtp_inbox, before + 1)
    link = _link(smtp_inbox.messages[before], r"/nyhetsbrev/prenumeration/\S+")
    assert link.endswith("?forening=mockelns-if")
    with site.session() as db:
        assert db.exec(select(Subscriber)).one().associations == ""
    page = visitor.get(link)
    assert re.search(r'value="mockelns-if" checked', page.text)
    done = visitor.submit(
        link.split("?")[0],
        {"language": "sv", "frequency": "veckovis", "topic_nyheter": "y", "foreningar": mockeln.slug},
    )
    assert done.status_code == 303
    with site.session() as db:
        assert db.exec(select(Subscriber)).one().associations == "mockelns-if"


def test_the_network_topic_links_each_item_to_its_home_site(topic_site, make_client, smtp_inbox):
    """The neighbours' news and events as federation stored its copies; each
    entry links to the item on its own site and says whose it is."""
    from federation.models import Entry, Peer

    site = topic_site
    visitor = make_client(site)
    _subscribe(site, visitor, smtp_inbox, "natet@test.example", topic_natverket="y", frequency="dagligen")
    _subscribe(site, visitor, smtp_inbox, "hemma@test.example", topic_nyheter="y", frequency="dagligen")
    with site.session() as db:
        peer = Peer(url="https://filipstad.example", name="Filipstads föreningar")
        db.add(peer)
        db.flush()
        for kind, title, hours in (
            ("news", "Ny badplats i Filipstad", 2),
            ("events", "Marknad i Filipstad", 3),
            ("news", "Gammal nyhet", -48),
        ):
            db.add(
                Entry(
                    peer_id=peer.id,
                    kind=kind,
                    entry_id=f"tag:filipstad.example,2026:{kind}/{hours}",
                    title=title,
                    link=f"https://filipstad.example/{kind}/{hours}",
                    published=NOW + timedelta(hours=hours),
                    updated=NOW + timedelta(hours=hours),
                )
            )
        db.commit()
    add_news(site, "Hemmanyhet", when=NOW + timedelta(hours=1))
    site.clock.set(NOW + timedelta(days=1))
    digests = {m["To"]: _plain(m).replace("\r\n", "\n") for m in _digests(site, smtp_inbox)}
    network = digests["natet@test.example"]
    assert "Nyheter i nätverket" in network and "Evenemang i nätverket" in network
    assert "* Ny badplats i Filipstad (Hos Filipstads föreningar)\n  https://filipstad.example/news/2" in network
    assert "* Marknad i Filipstad (Hos Filipstads föreningar)\n  https://filipstad.example/events/3" in network
    assert "Gammal nyhet" not in network and "Hemmanyhet" not in network
    home = digests["hemma@test.example"]
    assert "Hemmanyhet" in home and "Filipstad" not in home


def test_followed_associations_are_in_the_export(topic_site, make_client, smtp_inbox):
    """The associations an address follows are in its owner's data export."""
    import io
    import json
    import zipfile

    from core.models import Role

    site = topic_site
    mockeln = add_association(site, "Möckelns IF")
    visitor = make_client(site)
    _subscribe(site, visitor, smtp_inbox, "vera@test.example", foreningar=mockeln.slug)
    add_user(site, "vera@test.example", Role.NONE, "Vera")
    vera = make_client(site)
    vera.login("vera@test.example")
    archive = zipfile.ZipFile(io.BytesIO(vera.get("/konto/mina-uppgifter.zip").content))
    data = json.loads(archive.read("uppgifter.json"))
    assert data["nyhetsbrev"]["prenumeration"][0]["följda föreningar"] == "mockelns-if"


def test_the_demo_has_followers_of_associations_and_the_network(topic_site):
    """Loaded twice, the demo's subscribers follow listed associations and the network, once."""
    from core.demo import load_demo

    site = topic_site
    for _ in range(2):
        load_demo(site, echo=lambda _: None)
    with site.session() as db:
        rows = {s.email: s for s in db.exec(select(Subscriber)).all()}
    followed = rows["birgitta.ek@exempel.se"].associations.split(",")
    assert len(followed) == 2 and all(member_page_url(site, db, slug) for slug in followed)
    assert "natverket" in rows["per-olof.strand@exempel.se"].topics
