"""The public catalogue a parent browses on a phone, the staff's item pages
(photos, numbers, repair), printable labels with a local QR code, branches
with opening hours, and a site without the plugin."""

from __future__ import annotations

import io
import re
from datetime import date

import segno
from PIL import Image
from sqlalchemy import inspect
from sqlmodel import select

from plugins.fritidsbanken import labels
from plugins.fritidsbanken.models import Branch, Item, ItemStatus, Loan, OpeningHours
from tests.conftest import DEFAULT_WEBPORTAL, text_of
from tests.fritidsbanken.conftest import add_borrower, add_item


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_a_parent_filters_by_category_size_and_what_is_free(world, fb_site, make_client):
    add_item(fb_site, "6001", "Hockeyskridskor", "Skridskor", "34", world.branch)
    add_item(fb_site, "6002", "Hockeyskridskor", "Skridskor", "36", world.branch)
    add_item(fb_site, "6003", "Konståkningsskridskor", "Skridskor", "34", world.branch, status=ItemStatus.ON_LOAN)
    add_item(fb_site, "6004", "Längdskidor", "Skidor", "130 cm", world.branch)
    add_item(fb_site, "6005", "Gammal hjälm", "Hjälmar och skydd", "M", world.branch, status=ItemStatus.RETIRED)
    person = add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    with fb_site.session() as db:
        item = db.exec(select(Item).where(Item.number == "6003")).one()
        db.add(
            Loan(
                item_id=item.id,
                borrower_id=person.id,
                borrower_tag="t",
                branch_id=world.branch,
                due_on=date(2026, 3, 16),
            )
        )
        db.commit()
    visitor = make_client(fb_site)
    everything = text_of(visitor.get("/fritidsbanken/").text)
    assert "4 saker" in everything and "Gammal hjälm" not in everything

    skates = visitor.get("/fritidsbanken/", params={"kategori": "Skridskor", "storlek": "34"})
    body = text_of(skates.text)
    assert "2 saker" in body and "Längdskidor" not in body
    assert "Konståkningsskridskor" in body and "Utlånad Tillgänglig från 16 mars" in body
    # The size list offers the sizes of the chosen category, smallest first.
    sizes = re.search(r'<select id="storlek".*?</select>', skates.text, re.S).group(0)
    assert re.findall(r'<option value="([^"]+)"', sizes) == ["34", "36"]

    free = text_of(
        visitor.get("/fritidsbanken/", params={"kategori": "Skridskor", "storlek": "34", "ledigt": "1"}).text
    )
    assert "1 sak" in free and "Konståkningsskridskor" not in free

    assert visitor.get("/fritidsbanken/artiklar/6005").status_code == 404
    page = text_of(visitor.get("/fritidsbanken/artiklar/6003").text)
    assert "Kan lånas från 16 mars 2026" in page and "Måndag 15:00–18:00" in page


def test_the_catalogue_pages_through_and_forgives_a_wrong_page_number(world, fb_site, make_client):
    for n in range(1, 27):  # 24 a page: two pages
        add_item(fb_site, str(7000 + n), f"Boll {n:02d}", "Bollar", "", world.branch)
    visitor = make_client(fb_site)

    def shown(page: str | None) -> list[str]:
        params = {"sida": page} if page is not None else {}
        return re.findall(r"Boll \d\d", text_of(visitor.get("/fritidsbanken/", params=params).text))

    first = shown(None)
    assert first[0] == "Boll 01" and "Boll 24" in first and "Boll 25" not in first
    assert shown("2") == ["Boll 25", "Boll 26"]
    assert shown("två") == first and shown("0") == first and shown("-3") == first  # not a page: the first
    assert shown("99") == ["Boll 25", "Boll 26"]  # past the end: the last

    counter = make_client(fb_site)
    counter.login(world.staff.email)
    assert "Boll 01" in text_of(counter.get("/fritidsbanken/admin/artiklar", params={"sida": "x"}).text)


def test_staff_add_an_item_with_a_photo_and_a_unique_number(world, fb_site, make_client):
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    form = counter.get("/fritidsbanken/admin/artiklar/ny")
    assert 'value="1001"' in form.text  # the next free number is suggested
    fields = {
        "csrftoken": counter.csrf(),
        "number": "1001",
        "name": "Snowracer",
        "category": "Vintersport",
        "size": "6–10 år",
        "condition": "good",
        "branch": str(world.branch),
        "donor": "IFK Karlskoga",
    }
    saved = counter.post(
        "/fritidsbanken/admin/artiklar/ny",
        data=fields,
        files={"photo_file": ("snowracer.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:300]
    with fb_site.session() as db:
        item = db.exec(select(Item).where(Item.number == "1001")).one()
    assert item.photo and (fb_site.uploads_dir / item.photo).is_file()
    public = counter.get("/fritidsbanken/artiklar/1001").text
    stem = item.photo.rsplit(".", 1)[0]  # shown in the sizes made on upload
    assert f'srcset="/uploads/{stem}.40.webp 40w"' in public
    assert "IFK Karlskoga" not in text_of(public)  # donor: staff only

    svg = counter.post(
        "/fritidsbanken/admin/artiklar/ny",
        data={**fields, "number": "1002"},
        files={"photo_file": ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")},
    )
    assert svg.status_code == 400 and "kunde inte läsas som en bild" in text_of(svg.text)
    clash = counter.submit("/fritidsbanken/admin/artiklar/ny", {k: v for k, v in fields.items() if k != "csrftoken"})
    assert clash.status_code == 400 and "ID-numret 1001 finns redan (Snowracer)" in text_of(clash.text)


def test_labels_carry_a_qr_code_of_the_item_address(world, fb_site, make_client):
    for n in ("7001", "7002", "7003"):
        add_item(fb_site, n, "Pulka", "Vintersport", "3–6 år", world.branch)
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    sheet = counter.get("/fritidsbanken/admin/etiketter", params={"nr": "7001-7003, 7999"})
    assert sheet.text.count('class="label"') == 3
    assert "Finns inte: 7999" in text_of(sheet.text)
    address = "http://testsite.example/fritidsbanken/artiklar/7002"
    assert f"QR-kod: {address}" in sheet.text
    # The code is what segno encodes for that address, made here, with nothing fetched from elsewhere.
    expected = str(labels.qr_svg(address))
    assert expected in sheet.text and segno.make(address, error="m").designator.endswith("-M")
    assert "http" not in re.sub(r"QR-kod: [^<]+", "", expected)
    assert '<span class="label-number">7002</span>' in sheet.text


def test_branches_with_opening_hours_and_staff(world, fb_site, make_client):
    admin = make_client(fb_site)
    admin.login(world.admin.email)
    bad = admin.submit(
        "/fritidsbanken/admin/stallen/ny", {"name": "Fritidsbanken Storfors", "opens_1": "25:00", "closes_1": "18"}
    )
    assert bad.status_code == 400
    assert "Skriv tiderna för tisdag som 15:00 och 18:00" in text_of(bad.text)
    made = admin.submit(
        "/fritidsbanken/admin/stallen/ny",
        {"name": "Fritidsbanken Storfors", "address": "Torget 1", "opens_1": "15.00", "closes_1": "18:30"},
    )
    assert made.status_code == 303
    with fb_site.session() as db:
        branch = db.exec(select(Branch).where(Branch.name == "Fritidsbanken Storfors")).one()
        hours = db.exec(select(OpeningHours).where(OpeningHours.branch_id == branch.id)).all()
    assert [(h.weekday, h.opens, h.closes) for h in hours] == [(1, "15:00", "18:30")]
    public = text_of(admin.get("/fritidsbanken/stallen").text)
    assert "Fritidsbanken Storfors Torget 1 Öppettider Tisdag 15:00–18:30" in public

    # Linking the editor's account makes it counter staff: the counter appears in the menu.
    editor = make_client(fb_site)
    editor.login(world.editor.email)
    assert editor.get("/fritidsbanken/disk").status_code == 403
    assert "Disken" not in text_of(editor.get("/fritidsbanken/").text)
    admin.submit(f"/fritidsbanken/admin/stallen/{branch.id}/personal", {"action": "add", "email": world.editor.email})
    assert "Disken – Fritidsbanken Storfors" in text_of(editor.get("/fritidsbanken/disk").text)


def test_search_and_front_page_show_the_catalogue(world, fb_site, make_client):
    add_item(fb_site, "8001", "Stormkök", "Friluftsliv", "", world.branch)
    visitor = make_client(fb_site)
    found = text_of(visitor.get("/sok", params={"q": "stormkök"}).text)
    assert "Stormkök" in found and "Finns att låna nu." in found
    front = text_of(visitor.get("/").text)
    assert "Nytt hos Fritidsbanken" in front and "Stormkök" in front


def test_a_site_without_the_plugin_has_none_of_it(make_site, make_client):
    site = make_site(plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    client = make_client(site)
    assert client.get("/fritidsbanken/").status_code == 404
    assert client.get("/fritidsbanken/mina-lan").status_code == 404
    assert "Fritidsbanken" not in text_of(client.get("/").text)
    tables = inspect(site.engine).get_table_names()
    assert tables and not [t for t in tables if t.startswith("fritidsbanken_")]
