"""What the staff keep of the house besides bookings: extra closed days
(for the house or one room) and a photo of each room, uploaded through
core's image handling."""

from __future__ import annotations

import re

from core.testing import text_of
from tests.lokaler.conftest import ADMIN, EDITOR, booking_form
from tests.lokaler.test_permissions import resource_form
from tests.test_directory_admin import png_bytes


def test_staff_close_a_day_and_it_cannot_be_booked(lok_site, rooms, as_user):
    admin = as_user(lok_site, ADMIN)
    ekan = rooms["Mötesrum Ekan"]
    page = admin.get("/lokaler/stangt")
    assert page.status_code == 200 and "Inga stängda dagar framöver" in text_of(page.text)
    # Bad input: named in Swedish, what was typed kept.
    past = admin.submit("/lokaler/stangt", {"day": "2027-03-01", "resource": str(ekan), "reason": "Städdag"})
    assert past.status_code == 400 and "Dagen har redan varit" in text_of(past.text)
    assert 'value="Städdag"' in past.text
    missing = admin.submit("/lokaler/stangt", {"day": "", "resource": "999999", "reason": ""})
    text = text_of(missing.text)
    assert missing.status_code == 400
    assert "Välj ett datum" in text and "Skriv varför" in text and "Välj hela huset eller ett av rummen" in text
    saved = admin.submit("/lokaler/stangt", {"day": "2027-03-09", "resource": str(ekan), "reason": "Städdag"})
    assert saved.status_code == 303
    assert "2027-03-09 är stängt: Städdag." in text_of(admin.get(saved.headers["location"]).text)
    week = text_of(as_user(lok_site, None).get(f"/lokaler/{ekan}?vecka=2027-03-08").text)
    assert "Städdag" in week
    refused = as_user(lok_site, EDITOR).submit(f"/lokaler/{ekan}/boka", booking_form())
    assert refused.status_code == 400
    # Another room is open that day; the whole house closes every room.
    salen = rooms["Stora salen"]
    assert as_user(lok_site, EDITOR).submit(f"/lokaler/{salen}/boka", booking_form()).status_code == 303
    assert (
        admin.submit("/lokaler/stangt", {"day": "2027-03-10", "resource": "huset", "reason": "Personaldag"}).status_code
        == 303
    )
    assert "Personaldag" in text_of(as_user(lok_site, None).get(f"/lokaler/{salen}?vecka=2027-03-08").text)
    # Removed again: bookable.
    listing = admin.get("/lokaler/stangt").text
    first = re.search(r'action="(/lokaler/stangt/\d+/ta-bort)"', listing)
    assert first is not None
    assert admin.submit(first.group(1)).status_code == 303
    assert as_user(lok_site, EDITOR).submit(f"/lokaler/{ekan}/boka", booking_form()).status_code == 303


def test_a_room_gets_a_photo_with_a_description(lok_site, rooms, as_user):
    admin = as_user(lok_site, ADMIN)
    ekan = rooms["Mötesrum Ekan"]
    photo = {"image_file": ("ekan.png", png_bytes((1200, 800)), "image/png")}
    form = resource_form(name="Mötesrum Ekan")
    without_alt = admin.submit(f"/lokaler/{ekan}/redigera", form, files=photo)
    assert without_alt.status_code == 400 and "Beskriv fotot med några ord" in text_of(without_alt.text)
    saved = admin.submit(
        f"/lokaler/{ekan}/redigera", {**form, "image_alt": "Ett runt bord med tolv stolar"}, files=photo
    )
    assert saved.status_code == 303, text_of(saved.text)[:400]
    page = as_user(lok_site, None).get(f"/lokaler/{ekan}").text
    img = re.search(r"<img [^>]*>", page)
    assert img is not None and 'alt="Ett runt bord med tolv stolar"' in img.group(0) and "/uploads/lokaler" in page
    assert 'alt="Ett runt bord med tolv stolar"' in as_user(lok_site, None).get("/lokaler/").text
    # Not an image: refused in Swedish, the old photo kept.
    junk = {"image_file": ("ekan.png", b"not a picture", "image/png")}
    refused = admin.submit(f"/lokaler/{ekan}/redigera", {**form, "image_alt": "X"}, files=junk)
    assert refused.status_code == 400
    assert "/uploads/lokaler" in as_user(lok_site, None).get(f"/lokaler/{ekan}").text
    # Removed.
    removed = admin.submit(f"/lokaler/{ekan}/redigera", {**form, "remove_image": "y"})
    assert removed.status_code == 303
    assert "/uploads/lokaler" not in as_user(lok_site, None).get(f"/lokaler/{ekan}").text


def test_staff_let_an_office_and_the_vacancy_list_follows(lok_site, as_user):
    from datetime import date

    from plugins.lokaler import demo

    with lok_site.session() as db:
        demo._offices(db, [], date(2027, 3, 3))
        db.commit()
    admin, visitor = as_user(lok_site, ADMIN), as_user(lok_site, None)
    assert "Skrivbordsplats B" in text_of(visitor.get("/lokaler/kontor").text)
    listing = admin.get("/lokaler/kontor/alla").text
    edit = re.search(
        r'href="(/lokaler/kontor/\d+/redigera)">Ändra<span class="visually-hidden"> Skrivbordsplats B', listing
    )
    assert edit is not None
    form = admin.get(edit.group(1)).text
    assert 'value="Skrivbordsplats B"' in form and 'type="date"' in form
    # Bad input, each named: an unknown tenant, no start, an end before the start.
    bad = admin.submit(
        edit.group(1),
        {"name": "Skrivbordsplats B", "tenant": "okand", "period_start": "2027-05-01", "period_end": "2027-04-01"},
    )
    text = text_of(bad.text)
    assert bad.status_code == 400
    assert "Välj en medlemsförening i listan" in text and "Slutdatumet är före startdatumet" in text
    no_start = admin.submit(edit.group(1), {"name": "Skrivbordsplats B", "tenant": "pro-karlskoga"})
    assert no_start.status_code == 400 and "Skriv från vilket datum platsen hyrs" in text_of(no_start.text)
    let = admin.submit(
        edit.group(1),
        {
            "name": "Skrivbordsplats B",
            "tenant": "pro-karlskoga",
            "period_start": "2027-03-01",
            "period_end": "2027-12-31",
            "terms": "En månads uppsägning.",
        },
    )
    assert let.status_code == 303
    assert "Skrivbordsplats B" not in text_of(visitor.get("/lokaler/kontor").text)
    staff = text_of(admin.get("/lokaler/kontor/alla").text)
    assert "PRO Karlskoga" in staff and "2027-03-01–2027-12-31" in staff and "En månads uppsägning." in staff
    # A new place without a tenant is vacant at once.
    assert admin.submit("/lokaler/kontor/ny", {"name": "Skrivbordsplats C", "tenant": ""}).status_code == 303
    assert "Skrivbordsplats C" in text_of(visitor.get("/lokaler/kontor").text)
