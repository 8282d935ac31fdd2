"""The catalogue groups identical things (issue 17): "Fotboll, 9 lediga av
12" with one photo instead of twelve cards, counts that follow a loan at
the counter, the thing's own list one by one, sizes said once ("Storlek 5",
never "Storlek storlek 5"), and a photo that identical items share survives
when one of them gets its own."""

from __future__ import annotations

import io
import re
from datetime import date

from PIL import Image
from sqlmodel import select

from core.api import store_image
from plugins.fritidsbanken.models import Item, ItemStatus, Loan
from plugins.fritidsbanken.web import size_label
from tests.conftest import text_of
from tests.fritidsbanken.conftest import add_borrower, add_item, child_with_consent


def _photo(site) -> str:
    out = io.BytesIO()
    Image.new("RGB", (720, 480), "#e9f1f8").save(out, format="JPEG")
    return store_image(out.getvalue(), site.uploads_dir, "fritid")


def _cards(html: str) -> list[str]:
    """The text of each card in the catalogue's list."""
    block = re.search(r'<ul class="card-list[^"]*" aria-label="Saker att låna">(.*?)</ul>', html, re.S)
    assert block is not None
    return [text_of(card) for card in re.findall(r'<li class="card[^"]*">(.*?)</li>', block.group(1), re.S)]


def test_identical_things_are_one_card_with_a_photo_and_counts_that_follow_a_loan(world, fb_site, make_client):
    photo = _photo(fb_site)
    for n, size in enumerate(["3", "4", "5", "storlek 5"] * 3):
        add_item(fb_site, str(8001 + n), "Fotboll", "Bollar", size, world.branch, photo=photo)
    add_item(fb_site, "8101", "Basketboll", "Bollar", "7", world.branch, status=ItemStatus.ON_LOAN)
    with fb_site.session() as db:
        basket = db.exec(select(Item).where(Item.number == "8101")).one()
        person = add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
        loan = Loan(item_id=basket.id, borrower_id=person.id, borrower_tag="t", branch_id=world.branch)
        loan.due_on = date(2026, 3, 20)
        db.add(loan)
        db.commit()

    visitor = make_client(fb_site)
    page = visitor.get("/fritidsbanken/")
    assert "13 saker" in text_of(page.text)
    cards = _cards(page.text)
    assert cards == [
        "Basketboll Bollar · Storlek 7 Utlånad Tillgänglig från 20 mars",
        "Fotboll Bollar · Storlekar 3, 4, 5 12 lediga av 12",
    ]
    # One photo for the twelve, in its sizes, and a link to the twelve one by one.
    stem = photo.removesuffix(".jpg")
    assert page.text.count(f'srcset="/uploads/{stem}.320.webp 320w') == 1
    assert 'href="/fritidsbanken/?sak=Fotboll"' in page.text

    counter = make_client(fb_site)
    counter.login(world.staff.email)
    child = child_with_consent(fb_site)
    lent = counter.submit(f"/fritidsbanken/disk/lantagare/{child.id}/lana", {"numbers": "8001 8002 8003"})
    assert lent.status_code in (200, 303)  # the counter answers on the page (a redirect is the faults branch's)
    assert "Fotboll Bollar · Storlekar 3, 4, 5 9 lediga av 12" in _cards(visitor.get("/fritidsbanken/").text)
    free_only = _cards(visitor.get("/fritidsbanken/", params={"ledigt": "1"}).text)
    assert free_only == ["Fotboll Bollar · Storlekar 3, 4, 5 9 lediga av 9"]

    # The thing's own list: each of the twelve with its size said once and its status.
    one_by_one = visitor.get("/fritidsbanken/", params={"sak": "Fotboll"})
    body = text_of(one_by_one.text)
    assert "12 saker" in body and "Basketboll" not in body
    assert "Fotboll – Storlek 5 nr 8004 · Fritidsbanken Karlskoga Tillgänglig" in body
    assert "storlek storlek" not in body.casefold()
    assert "Fotboll – Storlek 3 nr 8001 · Fritidsbanken Karlskoga Utlånad" in body
    assert 'href="/fritidsbanken/artiklar/8001"' in one_by_one.text


def test_a_size_that_already_says_storlek_is_said_once():
    assert size_label("storlek 5") == "Storlek 5"
    assert size_label("Strl. M") == "Storlek M"
    assert size_label("5") == "Storlek 5"
    assert size_label("130 cm") == "Storlek 130 cm"
    assert size_label("storlek") == ""
    assert size_label("") == ""


def test_a_shared_photo_stays_when_one_item_gets_its_own(world, fb_site, make_client):
    shared = _photo(fb_site)
    add_item(fb_site, "8201", "Pulka", "Vintersport", "", world.branch, photo=shared)
    add_item(fb_site, "8202", "Pulka", "Vintersport", "", world.branch, photo=shared)
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    with fb_site.session() as db:
        item = db.exec(select(Item).where(Item.number == "8201")).one()
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "red").save(out, format="PNG")
    saved = counter.post(
        f"/fritidsbanken/admin/artiklar/{item.id}",
        data={
            "csrftoken": counter.csrf(),
            "number": "8201",
            "name": "Pulka",
            "category": "Vintersport",
            "size": "",
            "condition": "good",
            "branch": str(world.branch),
        },
        files={"photo_file": ("egen.png", out.getvalue(), "image/png")},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:300]
    with fb_site.session() as db:
        photos = {i.number: i.photo for i in db.exec(select(Item)).all()}
    assert photos["8202"] == shared and photos["8201"] != shared
    assert (fb_site.uploads_dir / shared).is_file()
    assert (fb_site.uploads_dir / shared.replace(".jpg", ".320.webp")).is_file()


def test_junk_in_the_catalogues_address_is_no_error(world, fb_site, make_client):
    add_item(fb_site, "8301", "Pulka", "Vintersport", "", world.branch)
    visitor = make_client(fb_site)
    refused = visitor.get("/fritidsbanken/", params={"stalle": "9" * 25})  # answered 500 (an int beyond SQLite's)
    assert refused.status_code == 400 and "går att använda (stalle)" in refused.text  # now refused in words
    for query in (
        {"sak": "<script>alert(1)</script>"},
        {"sak": "Pulka", "sida": "9" * 30},
        {"sak": "x" * 5000, "ledigt": "1"},
    ):
        page = visitor.get("/fritidsbanken/", params=query)
        assert page.status_code == 200, query
        assert "<script>alert(1)</script>" not in page.text
