"""Föreningarnas hus in a real browser against the Möckeln demo site:

- an association editor, with the keyboard only, books a weekly series in
  Stora salen that runs past the end of a demo association's term: the
  preview lists the date that collides before anything is saved, and the
  editor books the free ones; axe-core runs on every page the flow lands on;
- an admin approves a waiting request;
- the house's pages are axe-clean at 1280 and 375 px and never scroll
  sideways on a phone.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from core.models import Role
from tests.browser.axe import assert_accessible, axe_problems
from tests.browser.conftest import VIEWPORTS, login
from tests.browser.server import LiveSite
from tests.browser.steps import actor, log_in_as, wait_path

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _room(live: LiveSite, name: str) -> int:
    from plugins.lokaler.models import Resource

    with live.site.session() as db:
        room = db.exec(select(Resource).where(Resource.name == name)).one()
        assert room.id is not None
        return room.id


def test_an_editor_books_a_series_with_the_keyboard(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    from plugins.lokaler.models import Booking

    salen = _room(mockeln, "Stora salen")
    today = mockeln.site.clock.today()
    # The demo's first association has Stora salen on Tuesdays 18-20 for 14 weeks from today.
    first = today + timedelta(weeks=13)
    first += timedelta(days=(1 - first.weekday()) % 7)
    last = first + timedelta(weeks=4)
    person = actor(page, "keyboard")
    where = "lokaler, series by keyboard"
    log_in_as(page, mockeln, Role.EDITOR, "keyboard")
    page.goto(mockeln.url + f"/lokaler/{salen}/boka?datum={first.isoformat()}&fran=18:00")
    assert_accessible(page, axe_source, where)
    person.skip_to_content()
    form = page.locator("main form.form").first
    person.fill(form.get_by_label("Vad ska ni göra?"), "Sångövning för alla")
    repeat = form.get_by_label("Hur ofta?")
    person.tab_to(repeat)
    page.keyboard.type("Varje")
    assert repeat.input_value() == "weekly"
    until = form.get_by_label("Upprepa till och med")
    person.fill(until, last.isoformat())
    person.press(form.get_by_role("button", name="Boka eller förhandsgranska serien"))
    page.wait_for_selector("#forhandsvisning")
    main = page.locator("main").inner_text()
    assert "1 av datumen går inte att boka" in main
    rows = page.locator("table tbody tr").all_inner_texts()
    assert len(rows) == 5 and "Krockar" in rows[0] and all("Ledig" in r for r in rows[1:]), rows
    assert_accessible(page, axe_source, where + ", preview")
    with mockeln.site.session() as db:
        assert db.exec(select(Booking).where(Booking.title == "Sångövning för alla")).first() is None, (
            "a preview saves nothing"
        )
    person.press(page.get_by_role("button", name="Boka de 4 lediga tiderna"))
    wait_path(page, "/lokaler/mina")
    assert "4 tider är bokade." in page.get_by_role("status").first.inner_text()
    assert_accessible(page, axe_source, where + ", mine")
    with mockeln.site.session() as db:
        saved = db.exec(select(Booking).where(Booking.title == "Sångövning för alla")).all()
    assert len(saved) == 4 and len({b.series_id for b in saved}) == 1


def test_an_admin_approves_a_request(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    from plugins.lokaler.models import Booking, BookingStatus

    with mockeln.site.session() as db:
        waiting = db.exec(select(Booking).where(Booking.title == "Planeringsdag")).one()
        assert waiting.status == BookingStatus.REQUESTED
    person = actor(page, "pointer")
    log_in_as(page, mockeln, Role.ADMIN, "pointer")
    page.goto(mockeln.url + "/lokaler/granska")
    assert_accessible(page, axe_source, "lokaler review")
    person.press(page.locator("main table").get_by_role("row", name=re.compile("Planeringsdag")).get_by_role("link"))
    wait_path(page, f"/lokaler/bokning/{waiting.id}")
    assert_accessible(page, axe_source, "lokaler booking, admin")
    person.press(page.locator("main").get_by_role("button", name="Godkänn"))
    wait_path(page, "/lokaler/granska")
    assert "Bokningen är godkänd." in page.get_by_role("status").first.inner_text()
    with mockeln.site.session() as db:
        assert db.get(Booking, waiting.id).status == BookingStatus.CONFIRMED  # type: ignore[union-attr]


PUBLIC = ["/lokaler/", "/lokaler/{salen}", "/lokaler/{buss}", "/lokaler/kontor", "/lokaler/kontor/intresse"]
EDITOR = ["/lokaler/{salen}/boka", "/lokaler/mina", "/lokaler/bokning/{own}"]
ADMIN = [
    "/lokaler/huset",
    "/lokaler/dagblad",
    "/lokaler/granska",
    "/lokaler/bokning/{own}",
    "/lokaler/bokning/{own}/flytta",
    "/lokaler/statistik",
    "/lokaler/kontor/alla",
    "/lokaler/ny",
    "/lokaler/{salen}/redigera",
    "/lokaler/stangt",
    "/lokaler/kontor/ny",
    "/lokaler/kontor/{office}/redigera",
]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_house_pages_are_accessible(browser: Any, axe_source: Path, mockeln: LiveSite, viewport: str) -> None:
    from core.api import editable_associations, get_user_by_email
    from plugins.lokaler.models import Booking

    email, _password = mockeln.login_for(Role.EDITOR)
    with mockeln.site.session() as db:
        editor = get_user_by_email(db, email)
        slugs = [ref.slug for ref in editable_associations(mockeln.site, db, editor)]
        own = db.exec(select(Booking).where(Booking.association_slug.in_(slugs))).first()  # type: ignore[attr-defined]
        assert own is not None, f"the demo editor's associations {slugs} have no demo booking"
    from plugins.lokaler.models import Office

    with mockeln.site.session() as db:
        office = db.exec(select(Office)).first()
        assert office is not None, "the demo has offices"
    ids = {
        "salen": _room(mockeln, "Stora salen"),
        "buss": _room(mockeln, "Minibussen"),
        "own": own.id,
        "office": office.id,
    }
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
    page = context.new_page()
    problems: list[str] = []
    try:
        for role, urls in ((None, PUBLIC), (Role.EDITOR, EDITOR), (Role.ADMIN, ADMIN)):
            if role is not None:
                page.context.clear_cookies()
                login(page, mockeln, role)
            for template in urls:
                url = template.format(**ids)
                answer = page.goto(mockeln.url + url)
                assert answer is not None and answer.status == 200, f"{url} as {role}: {answer and answer.status}"
                problems.extend(axe_problems(page, axe_source, f"lokaler, {viewport}", url))
                if viewport == "phone" and page.evaluate(OVERFLOW) > 0:
                    problems.append(f"{url}: scrolls sideways at 375 px")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
