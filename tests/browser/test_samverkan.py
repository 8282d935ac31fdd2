"""The partnership (samverkan) in a real browser against the Möckeln demo site:

- a requester sends an assignment anonymously, first with the e-mail
  missing (the error is explained and nothing typed is lost), then whole;
- the demo editor accepts an offer on Erbjudna uppdrag, after sending it
  once with no answer chosen (refused, explained, the message kept);
- staff export the last tertial's report as PDF, and its text carries the
  figures the page shows;
- the plugin's pages are axe-clean at 1280 and 375 px and never scroll
  sideways on a phone.
"""

from __future__ import annotations

import io
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

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_a_requester_sends_an_assignment_anonymously(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    from plugins.samverkan.models import Assignment

    person = actor(page, "keyboard")
    where = "samverkan, new assignment"
    page.goto(mockeln.url + "/samverkan/uppdrag/nytt")
    assert_accessible(page, axe_source, where)
    form = page.locator("main form.form")
    person.fill(form.get_by_label("Vad gäller uppdraget?"), "Korvgrillning på nationaldagen")
    person.fill(form.get_by_label("Beskriv uppdraget"), "Grilla och servera korv till 200 besökare i Folkparken.")
    person.fill(form.get_by_label("Organisationens namn"), "Kultur- och fritidsförvaltningen")
    person.fill(form.get_by_label("Kontaktperson"), "Kim Kontakt")
    # The consent is left out at first: the form must say so and keep the rest.
    person.press(form.get_by_role("button", name="Skicka uppdraget"))
    page.wait_for_selector(".error-summary, [role=alert]")
    assert "Skriv en e-postadress så att vi kan svara." in page.locator("main").inner_text()
    assert "Kryssa i rutan" in page.locator("main").inner_text()
    assert form.get_by_label("Vad gäller uppdraget?").input_value() == "Korvgrillning på nationaldagen"
    assert_accessible(page, axe_source, where + ", error")
    person.fill(page.locator("main form.form").get_by_label("E-post"), "kim@karlskoga.example")
    person.check(page.locator("main form.form").get_by_label("Jag går med på"))
    person.press(page.locator("main form.form").get_by_role("button", name="Skicka uppdraget"))
    wait_path(page, "/samverkan/")
    assert "Tack! Vi har tagit emot uppdraget" in page.get_by_role("status").first.inner_text()
    with mockeln.site.session() as db:
        row = db.exec(select(Assignment).where(Assignment.title == "Korvgrillning på nationaldagen")).one()
    assert row.status == "new" and row.contact_email == "kim@karlskoga.example"


def test_an_editor_accepts_an_offer(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    from plugins.samverkan.models import Offer

    person = actor(page, "pointer")
    log_in_as(page, mockeln, Role.EDITOR, "pointer")
    page.goto(mockeln.url + "/samverkan/erbjudanden")
    assert_accessible(page, axe_source, "samverkan offers")
    item = page.locator("main li.samverkan-item").filter(has=page.get_by_role("button", name="Svara")).first
    title = item.get_by_role("heading").inner_text()
    # Sent before choosing: "Välj svar" accepts nothing; the error says what to do and the message stays.
    assert item.get_by_label("Ert svar").input_value() == ""
    person.fill(item.get_by_label("Meddelande till kansliet"), "Vi tar det gärna.")
    person.press(item.get_by_role("button", name="Svara"))
    page.wait_for_selector(".error-summary")
    assert "Välj om föreningen vill ta uppdraget eller inte." in page.locator(".error-summary").inner_text()
    assert_accessible(page, axe_source, "samverkan offers, no answer chosen")
    item = page.locator("main li.samverkan-item").filter(has_text=title).first
    assert item.get_by_label("Meddelande till kansliet").input_value() == "Vi tar det gärna."
    item.get_by_label("Ert svar").select_option("yes")
    person.press(item.get_by_role("button", name="Svara"))
    wait_path(page, "/samverkan/erbjudanden")
    assert "Tack för ert svar!" in page.get_by_role("status").first.inner_text()
    answered = page.locator("main li.samverkan-item").filter(has_text=title).first.inner_text()
    assert "Ja, vi vill ta uppdraget" in answered
    with mockeln.site.session() as db:
        assert any(o.answer == "yes" for o in db.exec(select(Offer)).all())


def test_staff_export_the_tertial_report_as_pdf(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    from pypdf import PdfReader

    from plugins.samverkan import periods

    last = periods.last_tertial(mockeln.site.clock.today())
    person = actor(page, "pointer")
    log_in_as(page, mockeln, Role.ADMIN, "pointer")
    page.goto(mockeln.url + "/samverkan/admin/rapport")
    assert_accessible(page, axe_source, "samverkan report")
    page.get_by_label("Period", exact=True).select_option(last.key)
    person.press(page.locator("main form").first.get_by_role("button", name="Visa"))
    page.wait_for_url(re.compile(r"period=" + last.key))
    shown = page.locator("main").inner_text()
    match = re.search(r"Nätverksträffar\s+(\d+) st", shown)
    assert match, shown[:2000]
    # WeasyPrint lays the report out before the download starts: seconds on
    # a busy machine (CI ran out of the 10 s default), and speed is not
    # what this test checks.
    page.set_default_timeout(60_000)
    with page.expect_download(timeout=60_000) as download:
        person.press(page.get_by_role("link", name="PDF"))
    data = Path(download.value.path()).read_bytes()
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert last.label in text and f"Nätverksträffar {match.group(1)} st" in text


PUBLIC = [
    "/samverkan/",
    "/samverkan/uppdrag/nytt",
    "/samverkan/uppdrag/{public}/intresse",
    "/samverkan/uppdrag/{public}/intresse/tack",
    "/samverkan/remissvar",
]
EDITOR = ["/samverkan/erbjudanden", "/mina-foreningar"]
ADMIN = [
    "/samverkan/admin/uppdrag",
    "/samverkan/admin/uppdrag/{assignment}",
    "/samverkan/admin/uppdrag/{public}",
    "/samverkan/admin/sociala-foretag",
    "/samverkan/admin/remissvar",
    "/samverkan/admin/remissvar/ny",
    "/samverkan/admin/moten",
    "/samverkan/admin/moten/{meeting}",
    "/samverkan/admin/moten/ny",
    "/samverkan/admin/projekt",
    "/samverkan/admin/projekt/{project}",
    "/samverkan/admin/rapport",
    "/samverkan/admin/rapport/skickad/{sent}",
]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_partnership_pages_are_accessible(browser: Any, axe_source: Path, mockeln: LiveSite, viewport: str) -> None:
    from plugins.samverkan.models import Assignment, Meeting, Project, Report

    with mockeln.site.session() as db:
        ids = {
            "assignment": db.exec(select(Assignment).where(Assignment.status == "open")).first().id,  # type: ignore[union-attr]
            # A public open one: its interest form, and its staff page with the demo's interests.
            "public": db.exec(
                select(Assignment).where(Assignment.status == "open", Assignment.show_public == True)  # noqa: E712
            )
            .first()
            .id,  # type: ignore[union-attr]
            "meeting": db.exec(select(Meeting)).first().id,  # type: ignore[union-attr]
            "project": db.exec(select(Project)).first().id,  # type: ignore[union-attr]
            "sent": db.exec(select(Report).where(Report.frozen != "")).first().id,  # type: ignore[union-attr]
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
                problems.extend(axe_problems(page, axe_source, f"samverkan, {viewport}", url))
                if viewport == "phone" and page.evaluate(OVERFLOW) > 0:
                    problems.append(f"{url}: scrolls sideways at 375 px")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
