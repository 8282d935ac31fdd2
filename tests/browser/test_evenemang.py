"""The events plugin in a real browser against the Möckeln demo site:

- an editor publishes an event: the form is sent empty first (the error
  summary leads to the field), then filled in; the event page and the month
  grid show it; axe-core runs on every page the flow lands on;
- the finding pages (list, today, weekend, week, month grid, a day, an
  event, the network calendar) and the editor's pages are axe-clean at
  1280 and 375 px and never scroll sideways on a phone.
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
from tests.browser.steps import actor, check_error_summary, log_in_as, wait_path

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_an_editor_publishes_an_event(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    from plugins.evenemang.models import Event

    person = actor(page, "pointer")
    where = "evenemang flow"
    log_in_as(page, mockeln, Role.EDITOR, "pointer")
    page.goto(mockeln.url + "/evenemang/mina")
    assert_accessible(page, axe_source, where)
    person.press(page.locator("main").get_by_role("link", name="Lägg upp ett evenemang"))
    wait_path(page, "/evenemang/nytt")
    assert_accessible(page, axe_source, where)
    form = page.locator("main form.form").first
    person.press(form.get_by_role("button", name="Spara"))
    page.wait_for_selector(".error-summary")
    check_error_summary(page, person, ["Rubrik", "Startdatum"], follow="Rubrik")
    assert_accessible(page, axe_source, where + ", errors")

    form = page.locator("main form.form").first
    person.fill(form.get_by_label("Rubrik", exact=True), "Simskola för vuxna, prova på")
    person.check(form.get_by_label("Karlskoga Simklubb"))
    person.fill(form.get_by_label("Startdatum"), "2027-01-12")
    person.fill(form.get_by_label("Starttid"), "18:00")
    person.fill(form.get_by_label("Sluttid"), "19:00")
    person.fill(form.get_by_label("Plats", exact=True), "Karlskoga simhall")
    form.get_by_label("Kategori").select_option("Idrott och motion")
    person.check(form.get_by_label("Tillgängligt utan trappsteg (rullstol, rollator)"))
    person.press(form.get_by_role("button", name="Spara"))
    wait_path(page, re.compile(r"/evenemang/\d+"))
    assert "är publicerat" in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Simskola för vuxna, prova på"
    assert "Tisdag 12 januari 2027, 18:00–19:00" in page.locator("main").inner_text()
    assert_accessible(page, axe_source, where)

    page.goto(mockeln.url + "/evenemang/manad?manad=2027-01")
    assert page.locator("main table").get_by_role("link", name=re.compile("Simskola för vuxna")).is_visible()
    with mockeln.site.session() as db:
        event = db.exec(select(Event).where(Event.title == "Simskola för vuxna, prova på")).one()
        assert event.step_free and event.category == "Idrott och motion"


def test_a_phone_user_sees_whether_the_room_is_free(browser: Any, mockeln: LiveSite, axe_source: Path) -> None:
    """A new-user trial on a phone: "Visa om lokalen är ledig" sat beside
    "Spara", far below the room, and the page came back at its top while the
    answer was up at the room. Now the button is under the room field and the
    page opens at the answer, with everything typed kept; Enter in a field
    still saves (the hidden default "Spara" comes first)."""
    from plugins.evenemang.models import Event

    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="sv-SE")
    page = context.new_page()
    try:
        where = "evenemang room check, phone"
        login(page, mockeln, Role.EDITOR)
        page.goto(mockeln.url + "/evenemang/nytt")
        person = actor(page, "pointer")
        form = page.locator("main form.form").first
        # A Thursday some 20 weeks ahead, in the morning: the demo books Stora salen on Tuesday evenings.
        day = mockeln.site.clock.today() + timedelta(weeks=20)
        day += timedelta(days=(3 - day.weekday()) % 7)
        person.fill(form.get_by_label("Rubrik", exact=True), "Förmiddagsdans på prov")
        person.check(form.get_by_label("Karlskoga Simklubb"))
        person.fill(form.get_by_label("Startdatum"), day.isoformat())
        person.fill(form.get_by_label("Starttid"), "10:00")
        person.fill(form.get_by_label("Sluttid"), "11:00")
        room = form.get_by_label("Lokal i Föreningarnas hus")
        salen = room.locator("option", has_text="Stora salen").get_attribute("value")
        room.select_option(salen)
        place = form.locator("fieldset", has=page.locator("legend", has_text="Plats"))
        check = place.get_by_role("button", name="Visa om lokalen är ledig")
        assert check.count() == 1, "the check's button is in the Plats fieldset"
        gap = check.bounding_box()["y"] - room.bounding_box()["y"]
        assert 0 < gap < 150, f"the check's button is right under the room field ({gap} px)"
        person.press(check)
        page.wait_for_selector("#lokalens-lage")
        assert page.url.endswith("#lokalens-lage")
        answer = page.get_by_role("status").filter(has_text="Lokalen")
        assert "Lokalen är ledig då" in answer.inner_text()
        box = answer.bounding_box()
        height = VIEWPORTS["phone"]["height"]
        # Scrolled to its anchor, the answer may start a fraction of a pixel above the top (rounding).
        assert box is not None and -1 < box["y"] and box["y"] + min(box["height"], 100) <= height, (
            f"the answer is on the screen without scrolling: {box}, scrolled {page.evaluate('window.scrollY')}"
        )
        form = page.locator("main form.form").first
        assert form.get_by_label("Rubrik", exact=True).input_value() == "Förmiddagsdans på prov"
        assert form.get_by_label("Startdatum").input_value() == day.isoformat()
        assert form.get_by_label("Lokal i Föreningarnas hus").input_value() == salen
        assert form.get_by_label("Karlskoga Simklubb").is_checked()
        assert_accessible(page, axe_source, where)

        # Enter in the title saves (not a second check), and the event page has no anchor left on.
        form.get_by_label("Rubrik", exact=True).press("Enter")
        wait_path(page, re.compile(r"/evenemang/\d+"))
        assert "#" not in page.url
        assert page.get_by_role("heading", level=1).inner_text() == "Förmiddagsdans på prov"
    finally:
        context.close()
    with mockeln.site.session() as db:
        saved = db.exec(select(Event).where(Event.title == "Förmiddagsdans på prov")).one()
        assert saved.room_ref == salen


PUBLIC = [
    "/evenemang",
    "/evenemang?barn=1&q=simning",
    "/evenemang/idag",
    "/evenemang/i-helgen",
    "/evenemang/vecka",
    "/evenemang/manad",
    "/evenemang/dag",
    "/natverket/kalender",
]
EDITOR = ["/evenemang/nytt", "/evenemang/mina"]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_event_pages_are_accessible(browser: Any, axe_source: Path, mockeln: LiveSite, viewport: str) -> None:
    from plugins.evenemang.models import Event

    with mockeln.site.session() as db:
        some = db.exec(select(Event).where(Event.rrule != "")).first()
        cancelled = db.exec(select(Event).where(Event.status == "cancelled")).first()
        assert some is not None and cancelled is not None
    pages = [*PUBLIC, f"/evenemang/{some.id}", f"/evenemang/{cancelled.id}"]
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
    page = context.new_page()
    problems: list[str] = []
    try:
        for role, urls in ((None, pages), (Role.EDITOR, EDITOR)):
            if role is not None:
                login(page, mockeln, role)
            for url in urls:
                page.goto(mockeln.url + url)
                problems.extend(axe_problems(page, axe_source, f"evenemang, {viewport}", url))
                if viewport == "phone" and page.evaluate(OVERFLOW) > 0:
                    problems.append(f"{url}: scrolls sideways at 375 px")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
