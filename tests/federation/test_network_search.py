"""Search across the network, between real servers on 127.0.0.1: an
association written at Möckeln is found by the site search at Filipstad,
marked with its site, ranked with Filipstad's own, filterable by site and
kind, and it follows the origin's edits and removal."""

from __future__ import annotations

from sqlmodel import select

from federation.models import Peer
from tests.federation.harness import Browser, eventually
from tests.federation.test_propagation import pair
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
