"""Open assignments between real sites on 127.0.0.1 (issue 16): an open
assignment that Möckeln's requester let be shown reaches Kristinehamn's
public partnership page under "Uppdrag i nätverket", marked with Möckeln and
linking there; closing it removes it again; an assignment that is not public
never enters the feed, and the feed carries no contact details."""

from __future__ import annotations

import re

from tests.federation.harness import Browser, eventually
from tests.federation.test_propagation import subscribed

PLUGINS = ("webportal", "samverkan")


def assignment_form(title: str, public: bool) -> dict[str, str]:
    form = {
        "requester_kind": "kommun",
        "requester": "Kristinehamns kommun",
        "title": title,
        "description": "Vi söker en förening som håller i fikat.",
        "when_text": "Lördag 6 juni",
        "place": "Stadsparken",
        "scope": "Fyra timmar, sex personer",
        "compensation": "3 000 kr",
        "contact_name": "Ada Beställare",
        "contact_email": "ada.bestallare@example.org",
        "contact_phone": "0550-123 45",
        "consent": "y",
    }
    if public:
        form["show_public"] = "y"
    return form


def test_an_open_public_assignment_reaches_the_neighbours_page_and_leaves_when_closed(network):
    network.site("mockeln", "Möckelnföreningarna", ["kristinehamn"], poll_interval=3600, plugins=PLUGINS)
    kristinehamn = network.site(
        "kristinehamn", "Kristinehamns Föreningsråd", ["mockeln"], poll_interval=3600, plugins=PLUGINS
    )
    eventually(lambda: subscribed(kristinehamn, network.url("mockeln")), message="Kristinehamn never subscribed")

    visitor = Browser(network.url("mockeln"))
    assert visitor.submit("/samverkan/uppdrag/nytt", assignment_form("Fika på nationaldagen", True)).status_code == 303
    assert visitor.submit("/samverkan/uppdrag/nytt", assignment_form("Hemligt uppdrag", False)).status_code == 303
    office = Browser(network.url("mockeln"))
    office.login()
    admin_list = office.get("/samverkan/admin/uppdrag").text
    ids = sorted(set(re.findall(r"/samverkan/admin/uppdrag/(\d+)", admin_list)))
    assert len(ids) == 2, admin_list[:2000]
    for row_id in ids:
        assert office.submit(f"/samverkan/admin/uppdrag/{row_id}/lage", {"status": "open"}).status_code == 303

    neighbour = Browser(network.url("kristinehamn"))
    page = eventually(
        lambda: (t := neighbour.text("/samverkan/")) and "Fika på nationaldagen" in t and t,
        timeout=15,
        message="the assignment never reached Kristinehamn",
    )
    assert "Uppdrag i nätverket" in page and "Hos Möckelnföreningarna" in page
    assert "3 000 kr" in page and "Stadsparken" in page
    assert "Hemligt uppdrag" not in page
    html = neighbour.get("/samverkan/").text
    assert f'href="{network.url("mockeln")}/samverkan/#uppdrag-' in html  # links to its home site

    # The feed: the public one only, and no contact details of the requester.
    feeds = visitor.get("/.well-known/paraply").json()["feeds"]
    feed = visitor.get(feeds["uppdrag"]["atom"]).text
    assert "Fika på nationaldagen" in feed and "Hemligt uppdrag" not in feed
    for secret in ("ada.bestallare@example.org", "0550-123 45", "Ada Beställare"):
        assert secret not in feed

    # Closing it at home removes it from the neighbour's page.
    public_id = next(i for i in ids if "Fika på nationaldagen" in office.text(f"/samverkan/admin/uppdrag/{i}"))
    assert office.submit(f"/samverkan/admin/uppdrag/{public_id}/lage", {"status": "closed"}).status_code == 303
    eventually(
        lambda: "Fika på nationaldagen" not in neighbour.text("/samverkan/"),
        timeout=15,
        message="the closed assignment stayed at Kristinehamn",
    )
    assert "Fika på nationaldagen" not in visitor.get(feeds["uppdrag"]["atom"]).text
    for browser in (visitor, office, neighbour):
        browser.close()
