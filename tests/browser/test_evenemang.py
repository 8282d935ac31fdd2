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
