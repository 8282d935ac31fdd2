"""Search across the network, between real servers on 127.0.0.1: an
association, a news item and a help service (LISA) written at Möckeln are
found by the site search at Filipstad, marked with their site, ranked with
Filipstad's own, filterable by site and kind, and they follow the origin's
edits and removal."""

from __future__ import annotations

from sqlmodel import select

from core.site import Site
from federation.models import Peer
from plugins.lisa import editing
from plugins.lisa.models import Organisation, Service, ServiceStatus
from tests.federation.harness import Browser, eventually
from tests.federation.test_propagation import pair, write_news
from tests.webportal_fixtures import add_association


def test_a_peers_association_is_found_from_the_other_site(network):
    mockeln, filipstad = pair(network, poll_interval=3600)
    add_association(filipstad, "Filipstads Körsällskap", municipality="Filipstad")
    club = add_association(mockeln, "Degerfors Körsångare", municipality="Degerfors", category="Kultur")
    visitor = Browser(network.url("filipstad"))

    page = eventually(
        lambda: (t := visitor.text("/sok?q=körs")) and "Degerfors Körsångare" in t and t,
        timeout=40,
        message="Möckeln's association never became searchable at Filipstad",
    )
    assert "2 träffar för ”körs”" in page
    # Ranked together, in one list; each hit says where it is from.
    assert page.index("Degerfors Körsångare") < page.index("Filipstads Körsällskap")  # name order among equals
    assert "Föreningar · Kultur · Degerfors · Från Möckelnföreningarna" in page
    assert "Föreningar · Idrott · Filipstad · Filipstads föreningar" in page
    html = visitor.get("/sok?q=körs").text
    assert f'href="{network.url("mockeln")}/foreningar/{club.slug}"' in html  # the peer's own page

    with filipstad.session() as db:
        peer_id = db.exec(select(Peer.id).where(Peer.url == network.url("mockeln"))).one()
    only_peer = visitor.text(f"/sok?q=körs&sajt={peer_id}")
    assert "Degerfors Körsångare" in only_peer and "Filipstads Körsällskap" not in only_peer
    only_own = visitor.text("/sok?q=körs&sajt=egen")
    assert "Filipstads Körsällskap" in only_own and "Degerfors Körsångare" not in only_own
    assert "Inga träffar" in visitor.text("/sok?q=körs&typ=news")
    network_list = visitor.text("/natverket/foreningar?q=körs")
    assert "Degerfors Körsångare" in network_list and "Filipstads Körsällskap" in network_list

    admin = Browser(network.url("mockeln"))
    admin.login()
    assert admin.submit(f"/admin/foreningar/{club.id}/ta-bort", {"bekrafta": "ja"}).status_code == 303
    eventually(
        lambda: "Degerfors Körsångare" not in visitor.text("/sok?q=körs"),
        timeout=40,
        message="the removed association stayed in Filipstad's search",
    )
    admin.close()
    visitor.close()


def add_service(site: Site, name: str, summary: str, municipality: str) -> int:
    """A LISA service saved as the admin form saves it, with its organisation."""
    with site.session() as db:
        organisation = Organisation(name=f"Röda Korset {municipality}", municipality=municipality)
        db.add(organisation)
        db.flush()
        assert organisation.id is not None
        service = Service(organisation_id=organisation.id, name=name, municipality=municipality)
        db.add(service)
        db.flush()
        editing.apply_changes(db, service, {"summary": summary}, site.clock.now())
        assert service.id is not None
        return service.id


def test_a_peers_news_and_help_services_are_found_from_the_other_site(network):
    mockeln, filipstad = pair(network, poll_interval=3600, plugins=("webportal", "lisa"))
    own_help = add_service(filipstad, "Loppis för barnfamiljer", "Barnkläder för en tjuga.", "Filipstad")
    peer_help = add_service(mockeln, "Loppisen Andra chansen", "Kläder och husgeråd för den som behöver.", "Degerfors")
    editor = Browser(network.url("mockeln"))
    write_news(editor, "Loppis i Föreningarnas hus", "Fynda och fika på lördag.")
    editor.close()
    visitor = Browser(network.url("filipstad"))

    page = eventually(
        lambda: (
            (t := visitor.text("/sok?q=loppis")) and "Loppisen Andra chansen" in t and "Föreningarnas hus" in t and t
        ),
        timeout=40,
        message="Möckeln's news and help service never became searchable at Filipstad",
    )
    assert "3 träffar för ”loppis”" in page
    # Ranked together, in one list; each hit says what it is and where it is from.
    assert "Nyheter · Från Möckelnföreningarna" in page
    assert "Hjälptjänster · Degerfors · Från Möckelnföreningarna" in page
    assert "Hjälptjänster · Filipstad · Filipstads föreningar" in page
    html = visitor.get("/sok?q=loppis").text
    assert f'href="{network.url("mockeln")}/hjalp/tjanst/{peer_help}"' in html  # the peer's own page
    assert f'href="/hjalp/tjanst/{own_help}"' in html
    assert '<option value="help">Hjälptjänster (2)</option>' in html
    assert '<option value="news">Nyheter (1)</option>' in html
    # A word of the peer's service's summary finds it too.
    assert "Loppisen Andra chansen" in visitor.text("/sok?q=husgeråd")

    with filipstad.session() as db:
        peer_id = db.exec(select(Peer.id).where(Peer.url == network.url("mockeln"))).one()
    help_only = visitor.text("/sok?q=loppis&typ=help")
    assert "Loppisen Andra chansen" in help_only and "Loppis för barnfamiljer" in help_only
    assert "Föreningarnas hus" not in help_only
    news_only = visitor.text("/sok?q=loppis&typ=news")
    assert "Föreningarnas hus" in news_only and "Loppisen" not in news_only
    peer_only = visitor.text(f"/sok?q=loppis&sajt={peer_id}")
    assert "Loppisen Andra chansen" in peer_only and "Föreningarnas hus" in peer_only
    assert "Loppis för barnfamiljer" not in peer_only
    own_only = visitor.text("/sok?q=loppis&sajt=egen&typ=help")
    assert "1 träff" in own_only and "Loppis för barnfamiljer" in own_only

    # A service that ends at Möckeln leaves Filipstad's search.
    with mockeln.session() as db:
        service = db.get(Service, peer_help)
        assert service is not None
        editing.apply_changes(db, service, {"status": ServiceStatus.ENDED.value}, mockeln.clock.now())
    eventually(
        lambda: "Loppisen Andra chansen" not in visitor.text("/sok?q=loppis"),
        timeout=40,
        message="the ended service stayed in Filipstad's search",
    )
    visitor.close()
