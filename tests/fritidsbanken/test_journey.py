"""The issue's "done when", end to end through the web app: at the counter a
staff member checks out three items to a child with guardian consent; the
parent sees the due day on a phone; a reminder goes out two days before; the
items come back and are available again; the statistics show the year."""

from __future__ import annotations

import re
from datetime import timedelta

from plugins.fritidsbanken.reminders import run_daily
from tests.conftest import text_of
from tests.fritidsbanken.conftest import add_item, child_with_consent, phone_login


def test_three_items_to_a_child_and_back(world, fb_site, make_client, sent, fake_clock):
    site = fb_site
    add_item(site, "2001", "Hockeyskridskor", "Skridskor", "34", world.branch, needs_consent=True)
    add_item(site, "2002", "Hjälm", "Hjälmar och skydd", "S", world.branch)
    add_item(site, "2003", "Pulka", "Vintersport", "6–10 år", world.branch)
    child = child_with_consent(site)

    counter = make_client(site)
    counter.login(world.staff.email)
    # 1. Find the child by the guardian's number, as typed at the counter: straight to the borrower.
    found = counter.get("/fritidsbanken/disk", params={"q": "070-174 06 50"}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/fritidsbanken/disk/lantagare/{child.id}"
    page = counter.get(found.headers["location"])
    assert "samtycke finns" in text_of(page.text)
    # 2. Scan three labels into one box (the first as a QR code's address) and press "Låna ut".
    scanned = "http://testsite.example/fritidsbanken/artiklar/2001\n2002 2003"
    done = counter.submit(f"/fritidsbanken/disk/lantagare/{child.id}/lana", {"numbers": scanned}, follow_redirects=True)
    assert done.status_code == 200
    body = text_of(done.text)
    assert body.count("Utlånad till och med 2026-03-16") == 3, body
    assert "Lånat just nu (3)" in body

    # 3. The parent, on a phone, with no account: number, texted code, and the due day.
    phone = make_client(site)
    phone_login(phone, sent, "070-174 06 50", "+46701740650")
    mine = text_of(phone.get("/fritidsbanken/mina-lan").text)
    assert "Alva Andersson" in mine
    assert mine.count("Lämna tillbaka senast måndag 16 mars") == 3

    # 4. Two days before the due day the daily job texts the guardian, once.
    fake_clock.advance(timedelta(days=12))  # Saturday 14 March
    report = run_daily(site)
    assert report.due_soon == 1
    reminders = [m for m in sent.to("+46701740650") if "Påminnelse" in m]
    assert len(reminders) == 1
    assert "Hockeyskridskor (2001), Hjälm (2002), Pulka (2003) ska lämnas tillbaka senast 2026-03-16" in reminders[0]
    assert "+46701740650: Hej Anna! Det gäller Alva Andersson. Påminnelse från Fritidsbanken:" in reminders[0]
    assert "2026-03-16" in reminders[0] and "avgift" not in reminders[0].lower()
    assert run_daily(site).due_soon == 0  # running twice sends nothing twice

    # The reminder's link opens the loans on another phone without a code.
    link = re.search(r"https?://\S+/mina-lan/lank/\S+", reminders[0])
    assert link
    other_phone = make_client(site)
    opened = other_phone.get(link.group(0).replace("http://testsite.example", ""))
    assert "Lämna tillbaka senast måndag 16 mars" in text_of(opened.text)

    # 5. The items come back at the counter and are available again.
    fake_clock.advance(timedelta(days=2))
    counter.login(world.staff.email)  # 14 days idle: a sign-in lasts 14 days from its last use (core.sessions)
    back = counter.submit("/fritidsbanken/disk/aterlamna", {"numbers": "2001 2002\n2003"}, follow_redirects=True)
    assert text_of(back.text).count("Återlämnad och tillgänglig igen.") == 3
    catalogue = text_of(counter.get("/fritidsbanken/", params={"kategori": "Skridskor"}).text)
    assert "Hockeyskridskor" in catalogue and "Tillgänglig" in catalogue
    assert "Inga lån just nu." in text_of(phone.get("/fritidsbanken/mina-lan").text)

    # 6. The statistics page shows the year's three loans.
    counter.login(world.admin.email)
    stats = text_of(
        counter.get("/fritidsbanken/admin/statistik", params={"fran": "2026-01-01", "till": "2026-12-31"}).text
    )
    assert "Lån 3 Unika låntagare 1" in stats
    assert "mar 2026 3" in stats  # the month table
