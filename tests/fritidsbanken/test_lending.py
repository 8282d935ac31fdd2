"""Lending rules at the counter: several numbers at once with a line each,
consent for minors, the due day on an open day, one extension while nobody
waits, the reservation queue, damaged items to repair."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from plugins.fritidsbanken import lending
from plugins.fritidsbanken.models import Item, ItemStatus, Reservation
from plugins.fritidsbanken.reminders import run_daily
from tests.conftest import text_of
from tests.fritidsbanken.conftest import add_borrower, add_item, child_with_consent, phone_login


def _status(site, number: str) -> str:
    with site.session() as db:
        item = db.exec(select(Item).where(Item.number == number)).one()
        return item.status


def test_one_box_many_numbers_each_answered(world, fb_site, make_client):
    add_item(fb_site, "4001", branch_id=world.branch)
    add_item(fb_site, "4002", branch_id=world.branch, status=ItemStatus.REPAIR, repair_note="Slö skena")
    add_item(fb_site, "4003", "Kanot", "Vattensport", "", world.branch, needs_consent=True)
    child = child_with_consent(fb_site, consent=False)
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    page = counter.submit(
        f"/fritidsbanken/disk/lantagare/{child.id}/lana",
        {"numbers": "4001, 4002; 9999\n4003 4001"},
        follow_redirects=True,
    )
    body = text_of(page.text)
    assert "4001 Hockeyskridskor, 36: ✔ Utlånad till och med 2026-03-16." in body
    assert "4002 Hockeyskridskor, 36: ✖ Är på reparation: Slö skena." in body
    assert "9999 : ✖ Det finns ingen sak med det ID-numret." in body
    assert "4003 Kanot: ✖ Kräver målsmans samtycke" in body
    assert "Lånat just nu (1)" in body
    # The same item again is refused and says to whom it is lent.
    again = text_of(
        counter.submit(
            f"/fritidsbanken/disk/lantagare/{child.id}/lana", {"numbers": "4001"}, follow_redirects=True
        ).text
    )
    assert "Är redan utlånad till den här låntagaren." in again


def test_due_day_moves_to_the_next_open_day(world, fb_site, make_client, fake_clock):
    add_item(fb_site, "4101", branch_id=world.branch)
    adult = add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    fake_clock.advance(timedelta(days=1))  # Tuesday: +14 days is a Tuesday; Karlskoga opens Mon, Wed, Sat
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    body = text_of(
        counter.submit(
            f"/fritidsbanken/disk/lantagare/{adult.id}/lana", {"numbers": "4101"}, follow_redirects=True
        ).text
    )
    assert "Utlånad till och med 2026-03-18." in body  # the Wednesday after


def test_extend_once_and_never_while_someone_waits(world, fb_site, make_client, sent):
    add_item(fb_site, "4201", branch_id=world.branch)
    add_item(fb_site, "4202", branch_id=world.branch)
    vera = add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    olle = add_borrower(fb_site, "Olle Annan", "+46701740622", birth_year=1985)
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    counter.submit(f"/fritidsbanken/disk/lantagare/{vera.id}/lana", {"numbers": "4201 4202"}, follow_redirects=True)
    counter.submit(f"/fritidsbanken/disk/lantagare/{olle.id}/reservera", {"number": "4202", "pickup_on": "2026-03-10"})

    phone = make_client(fb_site)
    phone_login(phone, sent, "0701740612", "+46701740612")
    mine = phone.get("/fritidsbanken/mina-lan").text
    assert "Någon väntar på den här saken, så lånet kan inte förlängas." in text_of(mine)
    with fb_site.session() as db:
        loans = {item.number: loan.id for loan, item in lending.open_loans_of(db, vera.id)}
    refused = phone.submit(f"/fritidsbanken/mina-lan/lan/{loans['4202']}/forlang", {}, follow_redirects=True)
    assert "Någon väntar" in text_of(refused.text)
    first = phone.submit(f"/fritidsbanken/mina-lan/lan/{loans['4201']}/forlang", {}, follow_redirects=True)
    assert "Lånet är förlängt. Lämna tillbaka senast 2026-03-30." in text_of(first.text)
    second = phone.submit(f"/fritidsbanken/mina-lan/lan/{loans['4201']}/forlang", {}, follow_redirects=True)
    assert "Lånet har redan förlängts en gång." in text_of(second.text)


def test_the_queue_hands_the_item_to_the_next_person(world, fb_site, make_client, sent, fake_clock):
    add_item(fb_site, "4301", "SUP-bräda", "Vattensport", "", world.branch)
    first = add_borrower(fb_site, "Först Person", "+46701740631", birth_year=1980)
    second = add_borrower(fb_site, "Andra Person", "+46701740632", birth_year=1981)
    third = add_borrower(fb_site, "Tredje Person", "+46701740633", birth_year=1982)
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    counter.submit(f"/fritidsbanken/disk/lantagare/{first.id}/lana", {"numbers": "4301"}, follow_redirects=True)

    # Two people queue from their phones for a pick-up day.
    for person, typed, suggested in ((second, "070-174 06 32", "2026-03-16"), (third, "070-174 06 33", "2026-03-30")):
        phone = make_client(fb_site)
        phone_login(phone, sent, typed, person.mobile)
        form = phone.get("/fritidsbanken/artiklar/4301/reservera")
        assert f'value="{suggested}"' in form.text  # when it is due back, plus a loan period per person ahead
        done = phone.submit(
            "/fritidsbanken/artiklar/4301/reservera", {"pickup_on": "2026-03-16", "borrower": person.id}
        )
        assert done.status_code == 303
    item_page = text_of(counter.get("/fritidsbanken/artiklar/4301").text)
    assert "2 reservationer före dig" in item_page

    # Back at the counter: held for the first in the queue, who gets a text.
    back = text_of(counter.submit("/fritidsbanken/disk/aterlamna", {"numbers": "4301"}, follow_redirects=True).text)
    assert "Reserverad: lägg den åt sidan för nästa i kön." in back
    assert _status(fb_site, "4301") == ItemStatus.RESERVED
    ready = sent.to(second.mobile)[-1]
    assert "SUP-bräda (4301) som du reserverade finns att hämta" in ready and "2026-03-19" in ready

    # Someone else cannot take it; the one it is held for can.
    refused = text_of(
        counter.submit(
            f"/fritidsbanken/disk/lantagare/{third.id}/lana", {"numbers": "4301"}, follow_redirects=True
        ).text
    )
    assert "Är reserverad för en annan låntagare till och med 2026-03-19." in refused
    taken = text_of(
        counter.submit(
            f"/fritidsbanken/disk/lantagare/{second.id}/lana", {"numbers": "4301"}, follow_redirects=True
        ).text
    )
    assert "✔ Utlånad" in taken

    # Returned again: now held for the third, who does not come; the hold expires.
    counter.submit("/fritidsbanken/disk/aterlamna", {"numbers": "4301"}, follow_redirects=True)
    assert "finns att hämta" in sent.to(third.mobile)[-1]
    fake_clock.advance(timedelta(days=17))  # 19 March, the last day to collect: still held
    assert run_daily(fb_site).expired_holds == 0
    fake_clock.advance(timedelta(days=1))
    assert run_daily(fb_site).expired_holds == 1
    assert _status(fb_site, "4301") == ItemStatus.AVAILABLE
    with fb_site.session() as db:
        states = [r.status for r in db.exec(select(Reservation).order_by(Reservation.id)).all()]
    assert states == ["fulfilled", "expired"]


def test_a_damaged_return_goes_to_repair_and_back(world, fb_site, make_client):
    add_item(fb_site, "4401", "Barncykel", "Cyklar", '16"', world.branch)
    adult = add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    counter.submit(f"/fritidsbanken/disk/lantagare/{adult.id}/lana", {"numbers": "4401"}, follow_redirects=True)
    back = counter.submit(
        "/fritidsbanken/disk/aterlamna", {"numbers": "4401", "damaged_note": "Punktering bak"}, follow_redirects=True
    )
    assert "Återlämnad och skickad till reparation." in text_of(back.text)
    listing = text_of(counter.get("/fritidsbanken/admin/artiklar", params={"status": "repair"}).text)
    assert "Barncykel" in listing and "Punktering bak" in listing
    assert "Barncykel" not in text_of(counter.get("/fritidsbanken/").text)  # not offered while broken
    with fb_site.session() as db:
        item_id = db.exec(select(Item.id).where(Item.number == "4401")).one()
    counter.submit(f"/fritidsbanken/admin/artiklar/{item_id}/reparerad", {})
    assert _status(fb_site, "4401") == ItemStatus.AVAILABLE


def test_parse_numbers_reads_scans_and_addresses():
    text = "1001\r\n1002 , 1003;;http://x.example/fritidsbanken/artiklar/1004?utm=1\n1001\nab-12"
    assert lending.parse_numbers(text) == ["1001", "1002", "1003", "1004", "AB-12"]
    assert lending.parse_numbers("") == []
    assert len(lending.parse_numbers(" ".join(str(n) for n in range(200)))) == lending.MAX_NUMBERS


def test_age_groups():
    today = date(2026, 3, 2)
    assert lending.age_group(add_age(2016), today) == "0–12 år"
    assert lending.age_group(add_age(2010), today) == "13–17 år"
    assert lending.age_group(add_age(1950), today) == "65 år och äldre"
    assert lending.age_group(add_age(None), today) == lending.UNKNOWN_AGE


def add_age(year):  # type: ignore[no-untyped-def]
    from plugins.fritidsbanken.models import Borrower

    return Borrower(name="X", tag="t", birth_year=year)


def test_reservation_rules(world, fb_site):
    add_item(fb_site, "4501", branch_id=world.branch)
    vera = add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    with fb_site.session() as db:
        item = lending.item_by_number(db, "4501")
        for day, message in (
            (date(2026, 3, 1), "Hämtdagen har redan varit"),
            (date(2026, 3, 2) + timedelta(days=200), "Välj en hämtdag inom"),
        ):
            try:
                lending.reserve(db, fb_site, vera, item, day)
            except lending.ReservationError as exc:
                assert message in str(exc)
            else:
                raise AssertionError(f"{day} was accepted")
        held = lending.reserve(db, fb_site, vera, item, date(2026, 3, 4))
        assert held.status == "ready" and held.hold_until == date(2026, 3, 7)
        try:
            lending.reserve(db, fb_site, vera, item, date(2026, 3, 4))
        except lending.ReservationError as exc:
            assert "redan reserverat" in str(exc)
        else:
            raise AssertionError("a second reservation by the same borrower was accepted")
