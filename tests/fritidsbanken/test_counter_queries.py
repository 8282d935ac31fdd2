"""The counter's statements per request (issue 21: 50 check-out + check-in
pairs a second through the web). One pair is four requests: the check-out
POST, the borrower page it redirects to, the check-in POST and the counter
page it redirects to. Most of a request's time is SQLAlchemy's Python per
statement, so the counts are held here: a statement more fails, and so does
a count that grows with the borrower's open loans (a query per loan).

Counted as branch staff (the usual person at the desk) and as a site admin
(staff everywhere), on both databases.
"""

from __future__ import annotations

import pytest

from core.testing import Client, QueryCounter
from plugins.fritidsbanken import lending
from tests.conftest import text_of
from tests.fritidsbanken.conftest import World, add_borrower, add_item

#: Statements per request of the pair (was 10, 16, 11, 11 for staff and 9,
#: 13, 10, 8 for an admin, and the borrower page one more per open loan).
#: Each: the session row with its account (core.sessions), the user's
#: branches (access.staff_branches, read once per request); a page also
#: webportal's menu (its pages for the menu and the footer, and for staff
#: who are not admins whether they edit pages). No UPDATE of the borrower's
#: "last active" here: the test's clock stands still.
PAIR = {
    "staff": {"check-out": 7, "borrower page": 9, "check-in": 6, "counter page": 7},
    "admin": {"check-out": 7, "borrower page": 8, "check-in": 6, "counter page": 6},
}


def _pair(counter: QueryCounter, client: Client, borrower_id: int, number: str) -> dict[str, int]:
    """Lend ``number`` to the borrower and take it back as a browser does
    (each POST, then the page it redirects to); the statements of each."""
    counts = {}
    out = client.submit(f"/fritidsbanken/disk/lantagare/{borrower_id}/lana", {"numbers": number})
    assert out.status_code == 303, out.text[:300]
    counts["check-out"] = len(counter.last)
    page = client.get(out.headers["location"])
    assert f"{number} Hockeyskridskor, 36: ✔ Utlånad till och med 2026-03-16." in text_of(page.text)
    counts["borrower page"] = len(counter.last)
    back = client.submit("/fritidsbanken/disk/aterlamna", {"numbers": number})
    assert back.status_code == 303, back.text[:300]
    counts["check-in"] = len(counter.last)
    page = client.get(back.headers["location"])
    assert f"{number} Hockeyskridskor, 36: ✔ Återlämnad och tillgänglig igen." in text_of(page.text)
    counts["counter page"] = len(counter.last)
    return counts


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_a_check_out_and_check_in_send_few_statements(world: World, fb_site, query_counter, who: str) -> None:
    for n in range(1, 6):
        add_item(fb_site, f"610{n}", branch_id=world.branch)
    borrower = add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    other = add_borrower(fb_site, "Otto Annan", "+46701740613", birth_year=1990)
    counter = query_counter(fb_site)
    with counter.client() as client:
        client.login(getattr(world, who).email)
        first = _pair(counter, client, borrower.id, "6101")
        # With three loans open (and one of them reserved by someone else)
        # the pages send no more: no statement per loan.
        out = client.submit(f"/fritidsbanken/disk/lantagare/{borrower.id}/lana", {"numbers": "6102 6103 6104"})
        assert out.status_code == 303
        with fb_site.session() as db:
            item = lending.item_by_number(db, "6102")
            assert item is not None
            lending.reserve(db, fb_site, other, item, fb_site.clock.today())
            db.commit()
        more = _pair(counter, client, borrower.id, "6105")
        page = text_of(client.get(f"/fritidsbanken/disk/lantagare/{borrower.id}").text)
        assert "Lånat just nu (3)" in page
        assert page.count("Någon väntar på den här saken") == 1
    assert first == PAIR[who], f"statements per request of the pair: {first}, expected {PAIR[who]}"
    assert more == PAIR[who], f"with three loans open: {more}, expected {PAIR[who]}"
