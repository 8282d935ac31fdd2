"""The newsletter in a real browser against the Möckeln demo site (issue 20):

- a resident subscribes through the form, follows the confirmation link in
  the mail the site wrote, changes the settings, leaves by the unsubscribe
  link, and opens the notice settings link core puts under every notice:
  every page on the way (thank-you, confirm, settings, unsubscribe, its
  landing page, notice settings) is axe-clean at 1280 and 375 px, in
  Swedish, and never scrolls sideways on a phone;
- the same flow works with JavaScript switched off;
- staff's preview shows the HTML e-mail in a sandboxed frame that draws
  under the site's CSP; the page and the mail's HTML on its own are
  axe-clean at both widths.

The reach test's visitors (``visitors.py``) also open these token pages,
made by the plugin's own functions; here they are reached as a person
reaches them, from the form and the mail.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from core.models import Role
from tests.browser.axe import axe_problems
from tests.browser.conftest import VIEWPORTS, login
from tests.browser.server import LiveSite
from tests.browser.steps import actor, check_error_summary, wait_path
from tests.browser.test_account_flows import link_mailed_to

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
SETTINGS = re.compile(r"/nyhetsbrev/prenumeration/[^/]+")


class Checker:
    """axe, the page's language and sideways scrolling, page after page; the problems collected."""

    def __init__(self, page: Any, axe_source: Path, where: str, phone: bool) -> None:
        self.page, self.axe_source, self.where, self.phone = page, axe_source, where, phone
        self.problems: list[str] = []
        self.checked: list[str] = []

    def __call__(self, what: str) -> None:
        url = self.page.url
        self.checked.append(what)
        if self.page.evaluate("document.documentElement.lang") != "sv":
            self.problems.append(f"{what} ({url}): <html lang> is not 'sv'")
        self.problems.extend(axe_problems(self.page, self.axe_source, f"{self.where}, {what}", url))
        if self.phone and (overflow := self.page.evaluate(OVERFLOW)) > 0:
            self.problems.append(f"{what} ({url}): scrolls sideways by {overflow}px at 375 px (WCAG 1.4.10)")


def _subscriber(live: LiveSite, address: str) -> Any:
    from plugins.nyhetsbrev.models import Subscriber

    with live.site.session() as db:
        return db.exec(select(Subscriber).where(Subscriber.email == address)).first()


def _notice_token(live: LiveSite, address: str) -> str:
    """The settings link's token core puts under a notice to ``address`` (the row its first notice makes)."""
    from core.models import NoticeRecipient
    from core.notices import set_muted

    with live.site.session() as db:
        set_muted(live.site, db, address, set())
        db.commit()
        return db.exec(select(NoticeRecipient.token).where(NoticeRecipient.address == address)).one()


def _flow(page: Any, live: LiveSite, address: str, check: Any = None) -> None:
    """Subscribe → confirm from the mail → save settings → unsubscribe by the
    mail's link → notice settings; ``check(what)`` on every page on the way."""
    check = check or (lambda what: None)
    main = page.locator("main")
    page.goto(live.url + "/nyhetsbrev/prenumerera")
    main.get_by_label("E-postadress").fill(address)
    main.get_by_label("Nyheter från webbplatsen").check()
    main.get_by_label("Jag vill få nyhetsbrevet", exact=False).check()
    main.get_by_role("button", name="Prenumerera", exact=True).click()
    wait_path(page, "/nyhetsbrev/prenumerera/tack")
    assert "Titta i din e-post" in main.inner_text()
    check("thank-you page")

    confirm = link_mailed_to(live, address, "/nyhetsbrev/bekrafta/")
    token = confirm.rsplit("/", 1)[1]
    page.goto(live.url + confirm)
    assert "Bekräfta prenumerationen" in main.inner_text()
    check("confirm page")
    assert _subscriber(live, address).confirmed_at is None, "opening the link confirmed (a scanner would)"
    main.get_by_role("button", name="Bekräfta", exact=True).click()
    wait_path(page, SETTINGS)
    assert "Nu prenumererar du" in page.locator("body").inner_text()
    check("settings page, just confirmed")

    main.get_by_label("Evenemang på webbplatsen").check()
    main.get_by_label("Dagligen").check()
    main.get_by_role("button", name="Spara", exact=True).click()
    wait_path(page, f"/nyhetsbrev/prenumeration/{token}")
    assert "Dina val är sparade" in page.locator("body").inner_text()
    check("settings page, saved")
    saved = _subscriber(live, address)
    assert saved.topics == "nyhetsbrev,nyheter,evenemang" and saved.frequency == "dagligen"

    page.goto(live.url + f"/nyhetsbrev/avsluta/{token}")  # the link at the foot of every newsletter
    check("unsubscribe page")
    assert _subscriber(live, address) is not None, "opening the link unsubscribed"
    main.get_by_role("button", name="Avsluta prenumerationen", exact=True).click()
    wait_path(page, "/nyhetsbrev/avslutad")
    assert "Prenumerationen är avslutad" in main.inner_text()
    check("unsubscribed page")
    assert _subscriber(live, address) is None, "the address is kept after unsubscribing"

    page.goto(live.url + f"/aviseringar/{_notice_token(live, address)}")
    assert main.get_by_role("group", name="Mejla mig när").is_visible()
    check("notice settings page")
    main.get_by_role("checkbox").first.uncheck()
    with page.expect_navigation():  # the form posts and lands on the same address
        main.get_by_role("button", name="Spara", exact=True).click()
    assert "Dina val är sparade" in page.locator("body").inner_text()
    check("notice settings page, saved")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_pages_reached_from_the_mails_are_accessible(
    browser: Any, axe_source: Path, mockeln: LiveSite, viewport: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    check = Checker(page, axe_source, f"newsletter from the mails, {viewport}", viewport == "phone")
    try:
        _flow(page, mockeln, f"axe-{viewport}-{time.monotonic_ns()}@exempel.se", check)
    finally:
        context.close()
    assert len(check.checked) == 8
    assert not check.problems, f"{len(check.problems)} problems:\n" + "\n".join(check.problems)


def test_the_flow_works_without_javascript(browser: Any, mockeln: LiveSite) -> None:
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="sv-SE", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        _flow(page, mockeln, f"utan-js-{time.monotonic_ns()}@exempel.se")
    finally:
        context.close()


@pytest.mark.parametrize("how", ["pointer", "keyboard"])
def test_the_subscribe_form_sent_wrong_gets_the_sites_own_short_messages(
    page: Any, axe_source: Path, mockeln: LiveSite, how: str
) -> None:
    """The address is an e-mail field the browser fills in, the frequency
    radios a group named by its legend; sent with a wrong address and no
    consent, the browser lets it through (novalidate) and the site answers
    with its Swedish messages; the summary's consent link is a short
    message, not the consent sentence again, and it moves focus to the box."""
    person = actor(page, how)
    page.goto(mockeln.url + "/nyhetsbrev/prenumerera")
    person.skip_to_content()
    main = page.locator("main")
    email = main.get_by_label("E-postadress")
    assert email.get_attribute("type") == "email" and email.get_attribute("autocomplete") == "email"
    frequency = main.get_by_role("group", name="Hur ofta nyheter och evenemang kommer")
    assert frequency.get_by_role("radio").count() == 2
    assert frequency.get_by_role("radio", name="Veckovis (måndagar)").is_checked()
    person.fill(email, "vera@")
    person.press(main.get_by_role("button", name="Prenumerera"))
    page.wait_for_selector(".error-summary")
    summary = page.locator(".error-summary").inner_text()
    assert "Skriv en giltig e-postadress, till exempel namn@exempel.se." in summary
    assert "Jag vill få nyhetsbrevet" not in summary, summary
    check_error_summary(
        page,
        person,
        ["E-postadress", "Kryssa i rutan för att prenumerera."],
        follow="Kryssa i rutan för att prenumerera.",
    )
    assert page.evaluate("document.activeElement.id") == "consent"
    assert not (problems := axe_problems(page, axe_source, f"subscribe form with errors, {how}")), problems


def _draft_id(live: LiveSite) -> int:
    from plugins.nyhetsbrev.models import Issue, IssueState

    with live.site.session() as db:
        found = db.exec(select(Issue.id).where(Issue.state == IssueState.DRAFT).order_by(col(Issue.id))).first()
    assert found is not None, "the demo has a draft issue"
    return found


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_preview_shows_the_html_mail_in_a_sandboxed_frame(
    browser: Any, axe_source: Path, mockeln: LiveSite, viewport: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    check = Checker(page, axe_source, f"newsletter preview, {viewport}", viewport == "phone")
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        login(page, mockeln, Role.ADMIN)
        page.goto(mockeln.url + f"/nyhetsbrev/admin/{_draft_id(mockeln)}/forhandsgranska")
        frame = page.locator("iframe.nyhetsbrev-mail")
        assert frame.get_attribute("sandbox") == "", "the frame must be sandboxed with no allow- keyword"
        assert frame.get_attribute("title")
        html = frame.get_attribute("srcdoc") or ""
        assert html.startswith("<!doctype html>")
        # It draws: the mail's heading and its unsubscribe link inside the frame.
        inside = page.frame_locator("iframe.nyhetsbrev-mail")
        assert inside.get_by_role("heading", level=1).inner_text().strip()
        assert inside.get_by_role("link", name="Avsluta prenumerationen").is_visible()
        check("preview page")
        # The HTML e-mail on its own, as a mail client shows it.
        page.set_content(html)
        check.problems.extend(axe_problems(page, axe_source, f"HTML e-mail, {viewport}", "(the issue's HTML e-mail)"))
        if viewport == "phone" and (overflow := page.evaluate(OVERFLOW)) > 0:
            check.problems.append(f"the HTML e-mail scrolls sideways by {overflow}px at 375 px")
    finally:
        context.close()
    assert not blocked, blocked
    assert not check.problems, f"{len(check.problems)} problems:\n" + "\n".join(check.problems)
