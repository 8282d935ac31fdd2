"""Fritidsbanken in English (``?lang=en``, kept in the session): the public
pages, the counter, the statistics and the messages after a POST read in
English, with English dates; the same pages stay Swedish by default; and
what leaves the site (text messages, the CSV) stays in the site's language."""

from __future__ import annotations

import csv
import io
import re

from tests.conftest import Client, text_of
from tests.fritidsbanken.conftest import add_borrower, add_item, child_with_consent


def _texts(html: str, tag: str) -> list[str]:
    """The visible text of every ``<tag>`` in the page's main content (headings, buttons)."""
    main = html.split('<main id="innehall"', 1)[1].split("</main>", 1)[0]
    return [text_of(inner) for inner in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", main, flags=re.S)]


def _english(client: Client) -> Client:
    assert '<html lang="en">' in client.get("/fritidsbanken/?lang=en").text
    return client


def _lend_skates(world, fb_site, make_client) -> Client:
    """Skates and a helmet out on loan to a child (due Monday 16 March 2026);
    a sledge free. Returns a counter client in Swedish."""
    add_item(fb_site, "5001", "Hockeyskridskor", "Skridskor", "34", world.branch)
    add_item(fb_site, "5002", "Hjälm", "Hjälmar och skydd", "S", world.branch)
    add_item(fb_site, "5003", "Pulka", "Vintersport", "", world.branch)
    child = child_with_consent(fb_site)
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    counter.submit(f"/fritidsbanken/disk/lantagare/{child.id}/lana", {"numbers": "5001 5002"}, follow_redirects=True)
    return counter


def test_the_public_pages_in_english(world, fb_site, make_client):
    _lend_skates(world, fb_site, make_client)
    visitor = _english(make_client(fb_site))

    catalogue = visitor.get("/fritidsbanken/")
    assert '<html lang="en">' in catalogue.text
    text = text_of(catalogue.text)
    assert "Borrow sports and leisure equipment for free for 14 days. No fee, no deposit" in text
    assert "Where are we and when are we open?" in text
    # The default categories and statuses have English; the equipment's own names stay as written.
    assert "All categories Skis Skates Bikes" in text
    assert "Hockeyskridskor Skates · Size 34 On loan Available from 16 March" in text
    assert "Pulka Winter sports Available" in text
    assert "3 items" in text
    assert _texts(catalogue.text, "button") == ["Show"]
    assert not {"Låna", "Visa", "Kategori", "Tillgänglig", "Utlånad"} & set(text.split())

    item = visitor.get("/fritidsbanken/artiklar/5001")
    text = text_of(item.text)
    assert "Category Skates Size 34 Condition Good Status On loan Can be borrowed from 16 March 2026" in text
    assert "Join the queue" in text
    assert "Pick up at Fritidsbanken Karlskoga Bergsmansgatan 12 Monday 15:00–18:00 Wednesday 15:00–18:00" in text
    assert _texts(item.text, "h2")[-1] == "Pick up at Fritidsbanken Karlskoga"

    branches = visitor.get("/fritidsbanken/stallen")
    assert _texts(branches.text, "h1") == ["Branches and opening hours"]
    assert "Opening hours Tuesday 14:00–18:00" in text_of(branches.text)

    login = visitor.get("/fritidsbanken/mina-lan")
    assert _texts(login.text, "h1") == ["My loans"]
    assert "You need no password: type your mobile number and we will text you a code." in text_of(login.text)
    assert "Mobile number</label>" in login.text
    assert "Send code" in _texts(login.text, "button")
    wrong = visitor.submit("/fritidsbanken/mina-lan/kod", {"mobile": "12"}, follow_redirects=True)
    assert wrong.status_code == 400
    assert "Mobile number: Enter the mobile number in digits, for example 070-123 45 67." in text_of(wrong.text)

    # The front page block and the site search speak English too.
    front = text_of(visitor.get("/").text)
    assert "New at Fritidsbanken" in front and "Everything you can borrow for free at Fritidsbanken" in front
    found = text_of(visitor.get("/sok", params={"q": "pulka"}).text)
    assert "Winter sports. Available to borrow now." in found


def test_a_borrower_on_a_phone_in_english(world, fb_site, make_client, sent):
    _lend_skates(world, fb_site, make_client)
    phone = _english(make_client(fb_site))
    code_page = phone.submit("/fritidsbanken/mina-lan/kod", {"mobile": "070-174 06 50"}, follow_redirects=True)
    assert _texts(code_page.text, "h1") == ["Enter the code"]
    assert "we have texted a code to it. The code is valid for 15 minutes." in text_of(code_page.text)
    wrong = phone.submit("/fritidsbanken/mina-lan/verifiera", {"mobile": "+46701740650", "code": "12"})
    assert "The code is six digits. Type it as it is in the text message." in text_of(wrong.text)
    code = sent.code_for("+46701740650")
    assert (
        phone.submit("/fritidsbanken/mina-lan/verifiera", {"mobile": "+46701740650", "code": code}).status_code == 303
    )
    # The code goes out in the site's language: the recipient's is not known.
    assert "Din kod till Fritidsbanken är" in sent.to("+46701740650")[-1]

    mine = phone.get("/fritidsbanken/mina-lan")
    assert '<html lang="en">' in mine.text
    text = text_of(mine.text)
    assert "Logged in with 070-174 06 50." in text
    assert text.count("Return by Monday 16 March") == 2
    assert "Extend by 14 days" in _texts(mine.text, "button")
    assert "The details of Alva Andersson will be deleted automatically on 2 March 2028" in text

    # A flash after a POST comes in English, with an English date.
    loan_id = re.search(r'/mina-lan/lan/(\d+)/forlang"', mine.text).group(1)
    extended = phone.submit(f"/fritidsbanken/mina-lan/lan/{loan_id}/forlang", {}, follow_redirects=True)
    assert "The loan is extended. Return by 30/03/2026." in text_of(extended.text)
    again = phone.submit(f"/fritidsbanken/mina-lan/lan/{loan_id}/forlang", {}, follow_redirects=True)
    assert "The loan has already been extended once." in text_of(again.text)

    # Reserving: a refusal in the form, then a place in the queue.
    form = phone.get("/fritidsbanken/artiklar/5003/reservera")
    assert _texts(form.text, "h1") == ["Reserve Pulka"]
    borrower = re.search(r'name="borrower" value="(\d+)"', form.text).group(1)
    past = phone.submit("/fritidsbanken/artiklar/5003/reservera", {"pickup_on": "2026-01-01", "borrower": borrower})
    assert past.status_code == 400
    assert "Pick-up day: That pick-up day has passed. Choose today or a later day." in text_of(past.text)
    phone.submit("/fritidsbanken/artiklar/5003/reservera", {"pickup_on": "2026-03-04", "borrower": borrower})
    reserved = text_of(phone.get("/fritidsbanken/mina-lan").text)
    assert "Pulka is reserved for you. Pick it up by 07/03/2026." in reserved
    assert "Reservations Pulka : ready to pick up, by 7 March 2026 Cancel" in reserved

    out = phone.submit("/fritidsbanken/mina-lan/logga-ut", {}, follow_redirects=True)
    assert "You are logged out of your loans." in text_of(out.text)


def test_the_counter_and_its_pages_in_english(world, fb_site, make_client, sent):
    add_item(fb_site, "5101", "Kanot", "Vattensport", "", world.branch, needs_consent=True)
    add_item(fb_site, "5102", "Hjälm", "Hjälmar och skydd", "M", world.branch)
    child = child_with_consent(fb_site, consent=False)
    adult = add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    counter = _english(make_client(fb_site))
    counter.login(world.staff.email)

    desk = counter.get("/fritidsbanken/disk")
    assert _texts(desk.text, "h1") == ["Counter – Fritidsbanken Karlskoga"]
    assert _texts(desk.text, "h2") == ["Lend: find the borrower", "Check in"]
    assert _texts(desk.text, "button") == ["Find borrower", "Check in"]

    lent = counter.submit(
        f"/fritidsbanken/disk/lantagare/{child.id}/lana", {"numbers": "5101 5102 9999"}, follow_redirects=True
    )
    text = text_of(lent.text)
    assert "5102 Hjälm, M: ✔ Lent until 16/03/2026." in text
    assert "5101 Kanot: ✖ Needs a parent's or guardian's consent for borrowers under 18." in text
    assert "9999 : ✖ There is no item with that ID number." in text
    assert "born 2016 · guardian Anna Andersson 070-174 06 50 · no consent" in text
    # The table repeats the heading as its (visually hidden) caption, which names its scroll region.
    assert "On loan now (1) On loan now No. Item Due back Extend 5102 Hjälm (M) 16 Mar 2026" in text
    assert "Yes, delete the details of Alva Andersson" in text

    # A reservation taken at the counter, then the item comes back for it: the flash and the
    # counter's line are in English, the text message to the borrower in Swedish.
    queued = counter.submit(
        f"/fritidsbanken/disk/lantagare/{adult.id}/reservera", {"number": "5102", "pickup_on": "2026-03-02"}
    )
    assert "Hjälm is reserved: number 1 in the queue." in text_of(counter.get(queued.headers["location"]).text)
    back = text_of(counter.submit("/fritidsbanken/disk/aterlamna", {"numbers": "5102"}, follow_redirects=True).text)
    assert "Checked in 5102 Hjälm, M: ✔ Returned. Reserved: set it aside for the next person in the queue." in back
    assert "Hjälm (5102) som du reserverade finns att hämta" in sent.to(adult.mobile)[-1]

    # The borrower form: labels, hints and errors set in code.
    new = counter.submit("/fritidsbanken/disk/lantagare/ny", {"name": "Tove", "birth_year": "2015"})
    assert new.status_code == 400
    text = text_of(new.text)
    assert "Parent's or guardian's name: Enter the parent's or guardian's name: the borrower is under 18." in text
    assert "Year of birth (required) Needed to know whether the borrower is under 18." in text
    made = counter.submit(
        "/fritidsbanken/disk/lantagare/ny", {"name": "Tove Test", "birth_year": "1990", "mobile": "0701740699"}
    )
    assert "Tove Test is saved." in text_of(counter.get(made.headers["location"]).text)


def test_catalogue_administration_and_statistics_in_english(world, fb_site, make_client):
    counter = _lend_skates(world, fb_site, make_client)
    admin = _english(make_client(fb_site))
    admin.login(world.admin.email)

    items = admin.get("/fritidsbanken/admin/artiklar")
    assert _texts(items.text, "h1") == ["Catalogue"]
    assert "Status All Available On loan Reserved Being repaired Withdrawn" in text_of(items.text)
    form = admin.get("/fritidsbanken/admin/artiklar/ny")
    assert '<option value="Skridskor">Skates</option>' in form.text  # the stored value stays Swedish
    assert '<option value="worn">Worn but whole</option>' in form.text
    with fb_site.session() as db:
        from plugins.fritidsbanken.lending import item_by_number

        helmet = item_by_number(db, "5002")
    repair = admin.submit(f"/fritidsbanken/admin/artiklar/{helmet.id}/reparation", {"note": "Spräckt"})
    assert "The item is on loan. Check it in at the counter" in text_of(admin.get(repair.headers["location"]).text)

    hours = admin.submit(
        f"/fritidsbanken/admin/stallen/{world.branch}", {"name": "X", "opens_0": "18", "closes_0": "9"}
    )
    assert hours.status_code == 400
    assert "Write the times for Monday like 15:00 and 18:00" in text_of(hours.text)

    stats = admin.get("/fritidsbanken/admin/statistik", params={"fran": "2026-01-01", "till": "2026-03-31"})
    assert _texts(stats.text, "h1") == ["Fritidsbanken: statistics"]
    text = text_of(stats.text)
    assert "1 January 2026 – 31 March 2026 Loans 2 Unique borrowers 1" in text
    assert "Month Number Jan 2026 0 Feb 2026 0 Mar 2026 2" in text
    assert "Age group Number 0–12 years 1" in text
    assert '<title id="c-cat-t">Loans by category</title>' in stats.text
    assert "Helmets and protection: 1; Skates: 1" in stats.text  # the chart's description
    bad = admin.get("/fritidsbanken/admin/statistik", params={"fran": "1/1/2026"})
    assert "Write the dates as YYYY-MM-DD" in text_of(bad.text)

    # The CSV is a data format: Swedish whatever the page's language.
    rows = list(
        csv.reader(io.StringIO(admin.get("/fritidsbanken/admin/statistik.csv").text.lstrip("\ufeff")), delimiter=";")
    )
    assert rows[0] == ["avsnitt", "mått", "värde", "från", "till"]
    assert ["lån per åldersgrupp", "0–12 år", "2"] in [r[:3] for r in rows]

    # The admin overview and the follow-up report show this plugin's links and figures in English.
    overview = text_of(admin.get("/-/admin").text)
    assert "Fritidsbanken: the counter Lend, check in and register borrowers." in overview
    report = text_of(admin.get("/-/admin/uppfoljning", params={"fran": "2026-01-01", "till": "2026-12-31"}).text)
    assert "Loans from Fritidsbanken 2 pcs" in report
    assert "Borrowers 0–12 years 1 people" in report
    assert counter.get("/fritidsbanken/disk").status_code == 200


def test_swedish_is_unchanged_by_default(world, fb_site, make_client):
    counter = _lend_skates(world, fb_site, make_client)
    visitor = make_client(fb_site)
    catalogue = visitor.get("/fritidsbanken/")
    assert '<html lang="sv">' in catalogue.text
    text = text_of(catalogue.text)
    assert "Låna sport- och fritidsutrustning gratis i 14 dagar." in text
    assert "Hockeyskridskor Skridskor · Storlek 34 Utlånad Tillgänglig från 16 mars" in text
    assert _texts(catalogue.text, "button") == ["Visa"]
    assert "Hämtas hos Fritidsbanken Karlskoga" in text_of(visitor.get("/fritidsbanken/artiklar/5001").text)

    desk = counter.get("/fritidsbanken/disk")
    assert '<html lang="sv">' in desk.text and _texts(desk.text, "button") == ["Sök låntagare", "Ta emot"]
    back = text_of(counter.submit("/fritidsbanken/disk/aterlamna", {"numbers": "5001"}, follow_redirects=True).text)
    assert "5001 Hockeyskridskor, 34: ✔ Återlämnad och tillgänglig igen." in back
    stats = text_of(
        counter.get("/fritidsbanken/admin/statistik", params={"fran": "2026-03-01", "till": "2026-03-31"}).text
    )
    assert "Månad Antal mar 2026 2" in stats and "Åldersgrupp Antal 0–12 år 1" in stats

    # English for one visitor changes nothing for the next.
    _english(make_client(fb_site))
    assert '<html lang="sv">' in make_client(fb_site).get("/fritidsbanken/stallen").text
