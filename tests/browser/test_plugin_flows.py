"""Each plugin's main flow in a real browser, once with a pointer and once with
the keyboard only (skip link, Tab, Enter, Space; visible focus on every stop),
against the Möckeln demo site served by uvicorn:

- LISA: a nurse finds help for a need, filters, opens a service and its card,
  sends a referral with consent; the receiving organisation's volunteer sees
  it and accepts it; the nurse sees the new status.
- Fritidsbanken: staff at the counter register a borrower, lend an item by its
  number and take it back; the public catalogue shows it out, then available.
- odling: a resident joins the park with consent, signs up for a work session,
  sees the place taken and cancels.

After each step the test asserts what the person sees and what the database
holds, and runs axe-core on every page the flow lands on, error states
included (each flow submits one form empty first).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from core.models import Role, User
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP
from tests.browser.server import LiveSite
from tests.browser.steps import HOW, actor, check_error_summary, log_in_as, log_in_with, path_of, wait_path


def stamp(how: str) -> str:
    """A short tag that keeps the pointer and keyboard runs' data apart."""
    return f"{how[0].upper()}{time.monotonic_ns() % 100_000}"


# -- LISA ----------------------------------------------------------------------------------------


def lisa_parties(live: LiveSite) -> dict[str, Any]:
    """The demo's nurse and volunteer, and a service of the volunteer's
    organisation that takes referrals, with a need it answers."""
    from plugins.lisa import directory
    from plugins.lisa.demo import demo_users
    from plugins.lisa.models import Membership, Organisation, Service, ServiceStatus

    (nurse, _), (volunteer, _) = demo_users(live.site)
    with live.site.session() as db:
        user = db.exec(select(User).where(User.email == volunteer)).one()
        org_id = db.exec(select(Membership.organisation_id).where(Membership.user_id == user.id)).one()
        service = db.exec(
            select(Service)
            .where(
                Service.organisation_id == org_id,
                Service.accepts_referrals == True,  # noqa: E712
                Service.status == ServiceStatus.ACTIVE,
            )
            .order_by(col(Service.id))
        ).first()
        assert service is not None, "the demo's volunteer organisation has no service that takes referrals"
        terms = directory.terms_of(db, service)
        assert terms, f"the demo service {service.name!r} answers no need"
        organisation = db.get(Organisation, org_id)
        assert organisation is not None
        return {
            "nurse": nurse,
            "volunteer": volunteer,
            "service_id": service.id,
            "service": service.name,
            "term": terms[0].name,
            "municipality": service.municipality,
            "organisation": organisation.name,
        }


def referral_row(live: LiveSite, person_name: str) -> Any:
    from plugins.lisa.models import Referral

    with live.site.session() as db:
        return db.exec(select(Referral).where(Referral.person_name == person_name)).first()


@pytest.mark.parametrize("how", HOW)
def test_lisa_find_help_and_send_a_referral(
    browser: Any, page: Any, mockeln: LiveSite, axe_source: Path, how: str
) -> None:
    lisa = lisa_parties(mockeln)
    person = actor(page, how)
    where = f"LISA flow, {how}"

    # A nurse at the health centre logs in and opens "Hitta hjälp" from the menu.
    log_in_with(page, mockeln, lisa["nurse"], how=how)
    person.press(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Hitta hjälp"))
    wait_path(page, "/hjalp/")
    assert_accessible(page, axe_source, where)

    # The need first ...
    person.skip_to_content()
    needs = page.get_by_role("navigation", name="Välj vad du behöver hjälp med")
    person.press(needs.get_by_role("link", name=lisa["term"], exact=True))
    page.wait_for_url(re.compile(r"behov="))
    assert lisa["term"] in page.locator("main .result-count").inner_text()
    # ... then one tap narrows it to the town.
    person.skip_to_content()
    quick = page.get_by_role("list", name="Snabbfilter")
    person.press(quick.get_by_role("link", name=lisa["municipality"], exact=True))
    page.wait_for_url(re.compile(r"kommun="))
    assert quick.get_by_role("link", name=lisa["municipality"], exact=True).get_attribute("aria-current") == "true"
    towns = page.locator(".lisa-results .org").all_inner_texts()
    assert towns and all(lisa["municipality"] in t for t in towns), towns
    assert_accessible(page, axe_source, where)

    # The service's card in the results, then its page and the "kort" to read out.
    person.skip_to_content()
    person.press(page.locator(".lisa-results").get_by_role("link", name=lisa["service"], exact=True))
    wait_path(page, f"/hjalp/tjanst/{lisa['service_id']}")
    assert page.get_by_role("heading", level=1).inner_text() == lisa["service"]
    assert_accessible(page, axe_source, where)
    person.skip_to_content()
    person.press(page.get_by_role("link", name="Visa som kort"))
    wait_path(page, f"/hjalp/tjanst/{lisa['service_id']}/kort")
    assert lisa["service"] in page.locator("main").inner_text()
    assert_accessible(page, axe_source, where)
    person.skip_to_content()
    person.press(page.get_by_role("link", name="Tillbaka till tjänsten"))
    wait_path(page, f"/hjalp/tjanst/{lisa['service_id']}")

    # The referral: sent empty once, the errors are announced and linked.
    person.skip_to_content()
    person.press(page.locator("main").get_by_role("link", name="Skicka remiss"))
    wait_path(page, f"/hjalp/tjanst/{lisa['service_id']}/remiss")
    assert_accessible(page, axe_source, where)
    person.skip_to_content()
    form = page.locator("main form.form")
    person.press(form.get_by_role("button", name="Skicka remissen"))
    page.wait_for_selector(".error-summary")
    check_error_summary(
        page,
        person,
        # A check box's entry is its error alone ("Kryssa i rutan ..."), not its label again.
        ["Förnamn eller alias", "Hur personen vill bli kontaktad", "Vad personen behöver hjälp med", "Kryssa i rutan"],
        follow="Förnamn eller alias",
    )
    assert_accessible(page, axe_source, where + ", errors")

    name = f"Amina {stamp(how)}"
    person.skip_to_content()
    person.fill(form.get_by_label("Förnamn eller alias"), name)
    person.fill(form.get_by_label("Hur personen vill bli kontaktad"), "070-174 06 99, helst efter kl. 16")
    person.fill(form.get_by_label("Vad personen behöver hjälp med"), "Vill träffa andra och prata, känner sig ensam.")
    person.check(form.get_by_label("Samtycke är inhämtat"))
    person.press(form.get_by_role("button", name="Skicka remissen"))
    wait_path(page, re.compile(r"/hjalp/remisser/\d+"))
    referral_id = int(path_of(page).rsplit("/", 1)[1])
    assert f"Remissen är skickad till {lisa['organisation']}" in page.get_by_role("status").first.inner_text()
    assert "Skickad, väntar på svar" in page.locator("main .lisa-status").inner_text()
    assert_accessible(page, axe_source, where)
    stored = referral_row(mockeln, name)
    assert stored is not None and stored.id == referral_id and stored.status == "sent"
    assert stored.consent_at is not None and lisa["organisation"] in stored.consent_scope

    # The volunteer at the receiving organisation, in their own browser.
    context = browser.new_context(viewport=DESKTOP, locale="sv-SE")
    context.set_default_timeout(10_000)
    other = context.new_page()
    try:
        volunteer = actor(other, how)
        log_in_with(other, mockeln, lisa["volunteer"], how=how)
        volunteer.press(other.get_by_role("navigation", name="Dina verktyg").get_by_role("link", name="Remisser"))
        wait_path(other, "/hjalp/remisser")
        received = other.locator("table", has=other.locator("caption", has_text="Mottagna remisser"))
        row = received.locator("tr", has=other.locator(f"a[href$='/remisser/{referral_id}']"))
        assert "Skickad, väntar på svar" in row.inner_text()
        assert name not in other.locator("main").inner_text(), "the list must not show personal data"
        assert_accessible(other, axe_source, where + ", receiver")
        volunteer.skip_to_content()
        volunteer.press(row.get_by_role("link"))
        wait_path(other, f"/hjalp/remisser/{referral_id}")
        assert name in other.locator("main").inner_text()
        assert_accessible(other, axe_source, where + ", receiver")
        volunteer.skip_to_content()
        volunteer.check(other.get_by_label("Antagen", exact=True))
        with other.expect_navigation():
            volunteer.press(other.get_by_role("button", name="Spara status"))
        wait_path(other, f"/hjalp/remisser/{referral_id}")
        assert "Remissens status är nu: antagen." in other.get_by_role("status").first.inner_text()
        assert "Antagen" in other.locator("main .lisa-status").inner_text()
        assert_accessible(other, axe_source, where + ", receiver")
    finally:
        context.close()
    stored = referral_row(mockeln, name)
    assert stored is not None and stored.status == "accepted"

    # The nurse sees the answer in her list and on the referral.
    page.goto(mockeln.url + "/hjalp/remisser")
    person.skip_to_content()
    sent = page.locator("table", has=page.locator("caption", has_text="Skickade remisser"))
    row = sent.locator("tr", has=page.locator(f"a[href$='/remisser/{referral_id}']"))
    assert "Antagen" in row.inner_text()
    person.press(row.get_by_role("link"))
    wait_path(page, f"/hjalp/remisser/{referral_id}")
    assert "Antagen" in page.locator("main .lisa-status").inner_text()
    assert page.get_by_role("button", name="Spara status").count() == 0, "the sender must not change the status"


# -- Fritidsbanken -------------------------------------------------------------------------------


#: PTS's mobile numbers for fiction: 070-174 06 05 to 070-174 06 99.
FICTION_FIRST, FICTION_LAST = 605, 699


def counter_setup(live: LiveSite) -> tuple[str, str, str]:
    """An item the demo editor's counter can lend now (available, at their
    branch, no queue, no consent needed), and a mobile number from PTS's
    fiction series that no borrower has yet."""
    from plugins.fritidsbanken import lending
    from plugins.fritidsbanken.access import staff_branch_ids
    from plugins.fritidsbanken.models import Borrower, Item, ItemStatus, Reservation

    email, _ = live.login_for(Role.EDITOR)
    with live.site.session() as db:
        editor = db.exec(select(User).where(User.email == email)).one()
        branches = staff_branch_ids(db, editor)
        assert branches, "the demo editor is not counter staff at any branch"
        queued = set(
            db.exec(select(Reservation.item_id).where(col(Reservation.status).in_(lending.ACTIVE_RESERVATION))).all()
        )
        item = next(
            i
            for i in db.exec(
                select(Item)
                .where(Item.status == ItemStatus.AVAILABLE, Item.needs_consent == False)  # noqa: E712
                .order_by(col(Item.number))
            ).all()
            if i.id not in queued and i.branch_id == min(branches)
        )
        used = {n for b in db.exec(select(Borrower)).all() for n in (b.mobile, b.guardian_mobile)}
        free = [n for n in range(FICTION_LAST, FICTION_FIRST - 1, -1) if f"+4670174{n:04d}" not in used]
        assert free, "every number in PTS's fiction series is taken by a demo borrower"
        mobile = f"070-174 {free[0] // 100:02d} {free[0] % 100:02d}"
        return item.number, item.name, mobile


def item_status(live: LiveSite, number: str) -> str:
    from plugins.fritidsbanken.models import Item

    with live.site.session() as db:
        return db.exec(select(Item.status).where(Item.number == number)).one()


def catalogue_status(page: Any, person: Any, live: LiveSite, number: str, name: str) -> str:
    """Search the public catalogue for the item's number, as anyone can, and
    read its status on the card; the item's own page must say the same."""
    page.goto(live.url + "/fritidsbanken/")
    person.skip_to_content()
    search = page.get_by_role("search", name="Filtrera katalogen")
    person.fill(search.get_by_label("Sök", exact=True), number)
    person.press(search.get_by_role("button", name="Visa"))
    page.wait_for_url(re.compile(r"q="))
    card = page.locator(".card", has=page.locator(f"a[href$='/artiklar/{number}']"))
    on_card = card.locator(".badge").inner_text()
    person.press(card.get_by_role("link", name=name))
    wait_path(page, f"/fritidsbanken/artiklar/{number}")
    assert page.get_by_role("heading", level=1).inner_text().startswith(name)
    on_page = page.locator("main .badge").inner_text()
    assert on_card == on_page, f"the catalogue card says {on_card!r}, the item's page {on_page!r}"
    return on_page


@pytest.mark.parametrize("how", HOW)
def test_fritidsbanken_lend_and_take_back(page: Any, mockeln: LiveSite, axe_source: Path, how: str) -> None:
    number, item_name, mobile = counter_setup(mockeln)
    person = actor(page, how)
    where = f"Fritidsbanken flow, {how}"

    # Staff open the counter from the menu and look the borrower up by mobile.
    log_in_as(page, mockeln, Role.EDITOR, how)
    person.press(page.get_by_role("navigation", name="Dina verktyg").get_by_role("link", name="Disken"))
    wait_path(page, "/fritidsbanken/disk")
    assert_accessible(page, axe_source, where)
    person.skip_to_content()
    person.fill(page.get_by_label("Mobilnummer eller namn"), mobile)
    person.press(page.get_by_role("button", name="Sök låntagare"))
    page.wait_for_url(re.compile(r"q="))
    assert "Ingen låntagare hittades" in page.locator("main").inner_text()

    # Not a borrower yet: register at the counter (sent empty once first).
    person.skip_to_content()
    person.press(page.get_by_role("link", name="Registrera en ny låntagare"))
    wait_path(page, "/fritidsbanken/disk/lantagare/ny")
    assert_accessible(page, axe_source, where)
    form = page.locator("main form.form")
    person.skip_to_content()
    person.press(form.get_by_role("button", name="Spara"))
    page.wait_for_selector(".error-summary")
    check_error_summary(page, person, ["Namn", "Födelseår"], follow="Namn")
    assert_accessible(page, axe_source, where + ", errors")
    borrower = f"Kim Lånesson {stamp(how)}"
    person.fill(form.get_by_label("Namn", exact=True), borrower)
    person.fill(form.get_by_label("Födelseår"), "1988")
    assert re.sub(r"\D", "", form.get_by_label("Mobilnummer", exact=True).input_value()).endswith(
        re.sub(r"\D", "", mobile)[-8:]
    ), "the number typed at the counter was not carried into the form"
    person.press(form.get_by_role("button", name="Spara"))
    wait_path(page, re.compile(r"/fritidsbanken/disk/lantagare/\d+"))
    assert page.get_by_role("heading", level=1).inner_text() == borrower
    assert_accessible(page, axe_source, where)

    # Lend: the number typed (or scanned) into the box, then "Låna ut".
    person.skip_to_content()
    person.fill(page.get_by_label("ID-nummer", exact=True), number)
    person.press(page.get_by_role("button", name="Låna ut"))
    results = page.locator(".counter-results")
    results.wait_for()
    line = results.locator("li", has_text=number)
    assert "✔" in line.inner_text() and "ok" in (line.get_attribute("class") or ""), line.inner_text()
    assert number in page.locator("section", has=page.locator("#lan")).inner_text()
    assert_accessible(page, axe_source, where)
    assert item_status(mockeln, number) == "on_loan"

    # The public catalogue shows it out, on its card and on its own page.
    assert catalogue_status(page, person, mockeln, number, item_name) == "Utlånad"
    assert_accessible(page, axe_source, where)

    # Back at the counter: take it back, no borrower needed.
    page.goto(mockeln.url + "/fritidsbanken/disk")
    person.skip_to_content()
    back = page.locator("section", has=page.locator("#ta-emot"))
    person.fill(back.get_by_label("ID-nummer", exact=True), number)
    person.press(back.get_by_role("button", name="Ta emot"))
    results = page.locator(".counter-results")
    results.wait_for()
    assert "Återlämnat" in results.inner_text()
    assert "✔" in results.locator("li", has_text=number).inner_text()
    assert_accessible(page, axe_source, where)
    assert item_status(mockeln, number) == "available"
    assert catalogue_status(page, person, mockeln, number, item_name) == "Tillgänglig"


# -- odling --------------------------------------------------------------------------------------


def open_session(live: LiveSite) -> tuple[int, str]:
    """The first upcoming work session with a free place."""
    from plugins.odling import sessions

    with live.site.session() as db:
        for work, taken in sessions.upcoming_with_counts(db, live.site):
            if taken < work.places:
                assert work.id is not None
                return work.id, work.task
    raise AssertionError("the demo park has no upcoming work session with a free place")


def places_left(page: Any) -> tuple[int, int]:
    """(free, total) from the session page's "3 av 8 platser lediga"."""
    text = page.locator("main .places-left").inner_text()
    match = re.search(r"(\d+)\D+?(\d+)", text)
    assert match, text
    return int(match.group(1)), int(match.group(2))


def signed_up(live: LiveSite, session_id: int, name: str) -> bool:
    from plugins.odling.models import Member, Signup

    with live.site.session() as db:
        row = db.exec(
            select(Signup)
            .join(Member, col(Member.id) == Signup.member_id)
            .where(Signup.session_id == session_id, Member.name == name)
        ).first()
        return row is not None


@pytest.mark.parametrize("how", HOW)
def test_odling_join_sign_up_and_cancel(page: Any, mockeln: LiveSite, axe_source: Path, how: str) -> None:
    session_id, task = open_session(mockeln)
    person = actor(page, how)
    where = f"odling flow, {how}"

    # A resident finds the work sessions in the park's own menu.
    page.goto(mockeln.url + "/parken/")
    assert_accessible(page, axe_source, where)
    person.skip_to_content()
    person.press(page.get_by_role("navigation", name="Parkens sidor").get_by_role("link", name="Arbetspass"))
    wait_path(page, "/parken/pass")
    assert_accessible(page, axe_source, where)
    person.skip_to_content()
    person.press(page.locator("main").get_by_role("link", name=task).first)
    wait_path(page, re.compile(r"/parken/pass/\d+"))
    page.goto(f"{mockeln.url}/parken/pass/{session_id}")
    free_before, total = places_left(page)
    assert_accessible(page, axe_source, where)

    # Joining: sent empty once, then with a name, an address, a way to take part and consent.
    person.skip_to_content()
    person.press(page.locator("main").get_by_role("link", name="Inte medlem än? Bli medlem"))
    wait_path(page, "/parken/bli-medlem")
    assert_accessible(page, axe_source, where)
    form = page.locator("main form.form")
    person.skip_to_content()
    person.press(form.get_by_role("button", name="Bli medlem"))
    page.wait_for_selector(".error-summary")
    check_error_summary(page, person, ["Namn", "Hur vill du vara med?", "Kryssa i rutan för att"], follow="Namn")
    assert_accessible(page, axe_source, where + ", errors")
    name = f"Sam Odlare {stamp(how)}"
    person.fill(form.get_by_label("Namn", exact=True), name)
    person.fill(form.get_by_label("E-postadress"), f"sam.{how}@example.org")
    person.check(form.get_by_label("Komma på arbetspass"))
    person.check(form.get_by_label("Jag samtycker till att mina uppgifter sparas"))
    person.press(form.get_by_role("button", name="Bli medlem"))
    wait_path(page, re.compile(r"/parken/mitt/[^/]+"))
    my_page = path_of(page)
    assert "Välkommen som medlem" in page.get_by_role("status").first.inner_text()
    assert name in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page, axe_source, where)

    # Sign up for the session from the member's own page.
    entry = page.locator("main li", has=page.locator(f"a[href$='/pass/{session_id}']"))
    person.skip_to_content()
    with page.expect_navigation():
        person.press(entry.get_by_role("button", name=re.compile(r"^Anmäl mig")))
    wait_path(page, my_page)
    assert f"Du är anmäld till {task}" in page.get_by_role("status").first.inner_text()
    assert "Du är anmäld." in entry.inner_text()
    assert_accessible(page, axe_source, where)
    assert signed_up(mockeln, session_id, name)

    # The session's page shows the place taken.
    person.skip_to_content()
    person.press(entry.get_by_role("link", name=task))
    wait_path(page, f"/parken/pass/{session_id}")
    assert places_left(page) == (free_before - 1, total)

    # Cancelling gives the place back.
    page.goto(mockeln.url + my_page)
    person.skip_to_content()
    with page.expect_navigation():
        person.press(entry.get_by_role("button", name=re.compile(r"^Avboka")))
    wait_path(page, my_page)
    assert "Du är avbokad" in page.get_by_role("status").first.inner_text()
    assert entry.get_by_role("button", name=re.compile(r"^Anmäl mig")).is_visible()
    assert_accessible(page, axe_source, where)
    assert not signed_up(mockeln, session_id, name)
    page.goto(f"{mockeln.url}/parken/pass/{session_id}")
    assert places_left(page) == (free_before, total)
