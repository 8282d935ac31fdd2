"""Festival programmes and registration in a real browser against the
Möckeln demo site:

- a resident signs up for an event with the keyboard only (Tab, typing,
  Enter), from the event page to the confirmation link in the mail the
  site wrote and the confirmation;
- an admin reviews the waiting programme submission and accepts it; it
  shows in the programme;
- the programme pages, the sign-up, cancel, participant and review pages
  are axe-clean at 1280 and 375 px and never scroll sideways on a phone.
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
from tests.browser.steps import actor, log_in_as, wait_path
from tests.browser.test_account_flows import link_mailed_to

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _registration_event(live: LiveSite) -> int:
    from plugins.evenemang.registration_models import RegistrationSetup

    with live.site.session() as db:
        setup = db.exec(select(RegistrationSetup)).first()
        assert setup is not None, "the demo has an event with registration"
        return setup.event_id


def test_a_resident_signs_up_with_the_keyboard_only(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    from plugins.evenemang.registration_models import Registration

    event_id = _registration_event(mockeln)
    person = actor(page, "keyboard")
    where = "registration flow"
    page.goto(mockeln.url + f"/evenemang/{event_id}")
    assert_accessible(page, axe_source, where)
    person.press(page.locator("main").get_by_role("link", name="Anmäl dig"))
    wait_path(page, f"/evenemang/{event_id}/anmal")
    assert_accessible(page, axe_source, where)
    form = page.locator("main form.form").first
    person.fill(form.get_by_label("Namn"), "Tangent Tangentsson")
    person.fill(form.get_by_label("E-post", exact=False).first, "tangent@exempel.se")
    person.press(form.get_by_role("button", name="Anmäl mig"))
    wait_path(page, f"/evenemang/{event_id}")
    assert "Vi har skickat ett mejl till tangent@exempel.se" in page.locator("body").inner_text()
    # The sign-up counts once the link in the mail is followed and confirmed (double opt-in).
    page.goto(mockeln.url + link_mailed_to(mockeln, "tangent@exempel.se", "/evenemang/bekrafta/"))
    assert_accessible(page, axe_source, where + ", confirming")
    person.press(page.locator("main").get_by_role("button", name="Bekräfta min anmälan"))
    wait_path(page, f"/evenemang/{event_id}")
    assert "Du är anmäld" in page.locator("body").inner_text()
    assert_accessible(page, axe_source, where + ", signed up")
    with mockeln.site.session() as db:
        row = db.exec(select(Registration).where(Registration.email == "tangent@exempel.se")).one()
        assert row.state == "confirmed" and row.name == "Tangent Tangentsson"


def test_an_admin_reviews_a_programme_submission(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    from plugins.evenemang.programme_models import ProgrammeItem

    person = actor(page, "pointer")
    where = "programme review flow"
    log_in_as(page, mockeln, Role.ADMIN, "pointer")
    page.goto(mockeln.url + "/evenemang/program/kulturkalaset/granska")
    assert_accessible(page, axe_source, where)
    section = page.locator("section", has=page.get_by_role("heading", name="Läxhjälpen visar sig"))
    person.check(section.get_by_label("Anta: programpunkten läggs in i programmet och kalendern"))
    person.fill(section.get_by_label("Meddelande till föreningen"), "Välkomna till kalaset!")
    person.press(section.get_by_role("button", name=re.compile("Skicka beslutet")))
    wait_path(page, "/evenemang/program/kulturkalaset/granska")
    assert "Föreningen har fått ett mejl" in page.locator("body").inner_text()
    assert_accessible(page, axe_source, where + ", decided")
    page.goto(mockeln.url + "/evenemang/program/kulturkalaset")
    assert page.locator("main").get_by_role("link", name="Läxhjälpen visar sig").is_visible()
    with mockeln.site.session() as db:
        item = db.exec(select(ProgrammeItem).where(ProgrammeItem.title == "Läxhjälpen visar sig")).one()
        assert item.state == "accepted" and item.event_id is not None


PUBLIC = ["/evenemang/program", "/evenemang/program/kulturkalaset", "/evenemang/program/kulturkalaset/utskrift"]
EDITOR = ["/evenemang/mina-bidrag", "/evenemang/program/kulturkalaset/bidra"]
ADMIN = [
    "/evenemang/nytt-program",
    "/evenemang/program/kulturkalaset/granska",
    "/evenemang/program/kulturkalaset/redigera",
]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_programme_and_registration_pages_are_accessible(
    browser: Any, axe_source: Path, mockeln: LiveSite, viewport: str
) -> None:
    from plugins.evenemang import registration_store
    from plugins.evenemang.registration_models import Registration

    event_id = _registration_event(mockeln)
    with mockeln.site.session() as db:
        registration = db.exec(select(Registration).where(Registration.event_id == event_id)).first()
        assert registration is not None
        cancel = "/evenemang/avboka/" + registration_store.cancel_token(mockeln.site, registration)
        pending = Registration(
            event_id=event_id, name="Väntar Svar", email=f"svar-{viewport}@exempel.se", state="pending", key="axe-key"
        )
        db.add(pending)
        db.commit()
        confirm = "/" + registration_store.confirm_url(mockeln.site, pending).split("/", 3)[3]
    public = [*PUBLIC, f"/evenemang/{event_id}", f"/evenemang/{event_id}/anmal", cancel, confirm]
    admin = [*ADMIN, f"/evenemang/{event_id}/deltagare"]
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
    page = context.new_page()
    problems: list[str] = []
    try:
        for role, urls in ((None, public), (Role.EDITOR, EDITOR), (Role.ADMIN, admin)):
            if role is not None:
                login(page, mockeln, role)
            for url in urls:
                page.goto(mockeln.url + url)
                problems.extend(axe_problems(page, axe_source, f"programme, {viewport}", url))
                if viewport == "phone" and page.evaluate(OVERFLOW) > 0:
                    problems.append(f"{url}: scrolls sideways at 375 px")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
