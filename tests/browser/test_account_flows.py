"""Password reset and invitation in a real browser (issue 13), with the
mail the site really writes (the demo's file sender) and axe-core at
desktop and phone widths on every page of the way: "Glömt lösenord?", the
confirmation, the page the mailed link opens, and the page a spent link
opens; the admin's list with an invitation not yet accepted, and
withdrawing one. (Accepting an invitation with the network's sign-in is in
test_network_signin.py.)"""

from __future__ import annotations

import re
import time
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from core.accounts import create_user
from core.demo import DEMO_PASSWORD
from core.mail import mail_folder
from core.models import Role
from tests.browser.axe import assert_accessible
from tests.browser.conftest import VIEWPORTS
from tests.browser.server import LiveSite
from tests.browser.steps import log_in_as, wait_path


def check_both_widths(page: Any, axe_source: Path, where: str) -> None:
    for name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        assert_accessible(page, axe_source, f"{where}, {name}")
    page.set_viewport_size(VIEWPORTS["desktop"])


def link_mailed_to(live: LiveSite, address: str, path: str, seconds: float = 15) -> str:
    """The ``path`` link in the newest message to ``address`` the site wrote."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        folder = mail_folder(live.site)
        files = sorted(folder.glob("*.eml"), key=lambda f: f.stat().st_mtime) if folder.is_dir() else []
        for eml in reversed(files):
            message = message_from_bytes(eml.read_bytes(), policy=default_policy)
            if message["To"] == address:
                found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S+)", message.get_content())
                if found:
                    return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address} with a {path} link")


def test_forgotten_password(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    email = f"glomsk-{time.monotonic_ns()}@demo.example"
    with mockeln.site.session() as db:
        create_user(db, email, "Greta Glömsk", DEMO_PASSWORD)
        db.commit()
    page.goto(mockeln.url + "/konto/logga-in")
    page.locator("main").get_by_role("link", name="Glömt lösenord?").click()
    wait_path(page, "/konto/glomt-losenord")
    check_both_widths(page, axe_source, "Glömt lösenord")
    page.get_by_label("E-postadress").fill(email)
    page.locator("main").get_by_role("button", name="Skicka länken").click()
    page.wait_for_url(lambda url: "skickat=1" in url)
    assert page.get_by_text("Kolla din e-post").is_visible()
    check_both_widths(page, axe_source, "Glömt lösenord, skickat")

    link = link_mailed_to(mockeln, email, "/konto/nytt-losenord/")
    page.goto(mockeln.url + link)
    assert page.get_by_role("heading", name="Välj ett nytt lösenord").is_visible()
    check_both_widths(page, axe_source, "Nytt lösenord")
    page.get_by_label("Nytt lösenord", exact=True).fill("kort")
    page.get_by_label("Upprepa nytt lösenord").fill("kort")
    page.locator("main").get_by_role("button", name="Spara lösenordet").click()
    assert page.get_by_role("alert").filter(has_text="Något behöver rättas").is_visible()
    check_both_widths(page, axe_source, "Nytt lösenord, för kort")
    page.get_by_label("Nytt lösenord", exact=True).fill("greta-valde-ett-nytt")
    page.get_by_label("Upprepa nytt lösenord").fill("greta-valde-ett-nytt")
    page.locator("main").get_by_role("button", name="Spara lösenordet").click()
    wait_path(page, "/")
    assert page.get_by_role("status").filter(has_text="Ditt nya lösenord är sparat").is_visible()

    page.goto(mockeln.url + link)
    assert page.get_by_role("heading", name="Länken fungerar inte").is_visible()
    check_both_widths(page, axe_source, "Använd länk")


def test_invitation(page: Any, browser: Any, mockeln: LiveSite, axe_source: Path) -> None:
    email = f"inbjuden-{time.monotonic_ns()}@demo.example"
    log_in_as(page, mockeln, Role.ADMIN, "pointer")
    page.goto(mockeln.url + "/-/admin/anvandare/ny")
    check_both_widths(page, axe_source, "Nytt konto")
    main = page.locator("main")
    main.get_by_label("Namn").fill("Ivar Inbjuden")
    main.get_by_label("E-postadress").fill(email)
    main.get_by_role("button", name="Skapa och skicka inbjudan").click()
    wait_path(page, "/-/admin/anvandare")
    assert page.get_by_role("status").filter(has_text=f"en inbjudan är skickad till {email}").is_visible()
    row = page.get_by_role("row").filter(has_text=email)
    assert "Inbjuden (ej accepterad)" in row.inner_text()
    check_both_widths(page, axe_source, "Användare, med en inbjudan")

    link = link_mailed_to(mockeln, email, "/konto/inbjudan/")
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="sv-SE")
    try:
        invitee = context.new_page()
        invitee.goto(mockeln.url + link)
        assert invitee.get_by_text("Välkommen, Ivar Inbjuden!").is_visible()
        check_both_widths(invitee, axe_source, "Inbjudan")
        invitee.get_by_label("Nytt lösenord", exact=True).fill("ivars-eget-losenord")
        invitee.get_by_label("Upprepa nytt lösenord").fill("ivars-eget-losenord")
        invitee.locator("main").get_by_role("button", name="Spara lösenordet").click()
        wait_path(invitee, "/")
        assert invitee.get_by_role("status").filter(has_text="Ditt lösenord är valt").is_visible()
        invitee.goto(mockeln.url + "/konto/inloggningar")
        assert invitee.get_by_role("heading", name="Mina inloggningar").is_visible()
        check_both_widths(invitee, axe_source, "Mina inloggningar")
        invitee.goto(mockeln.url + "/konto/mina-uppgifter")
        check_both_widths(invitee, axe_source, "Mina uppgifter")
    finally:
        context.close()
    page.goto(mockeln.url + "/-/admin/anvandare")
    assert "Aktivt" in page.get_by_role("row").filter(has_text=email).inner_text()


def test_withdrawing_an_invitation(page: Any, mockeln: LiveSite, axe_source: Path) -> None:
    email = f"angrad-{time.monotonic_ns()}@demo.example"
    log_in_as(page, mockeln, Role.ADMIN, "pointer")
    page.goto(mockeln.url + "/-/admin/anvandare/ny")
    main = page.locator("main")
    main.get_by_label("Namn").fill("Åsa Ångrad")
    main.get_by_label("E-postadress").fill(email)
    main.get_by_role("button", name="Skapa och skicka inbjudan").click()
    wait_path(page, "/-/admin/anvandare")
    link = link_mailed_to(mockeln, email, "/konto/inbjudan/")
    page.get_by_role("row").filter(has_text=email).get_by_role("link", name="Åsa Ångrad").click()
    assert page.get_by_text("Inbjuden (ej accepterad)").is_visible()
    check_both_widths(page, axe_source, "Konto med inbjudan")
    page.locator("main").get_by_role("button", name="Dra tillbaka inbjudan").click()
    wait_path(page, "/-/admin/anvandare")
    withdrawn = f"Inbjudan till Åsa Ångrad ({email}) är tillbakadragen"
    assert page.get_by_role("status").filter(has_text=withdrawn).is_visible()
    assert page.get_by_role("row").filter(has_text=email).count() == 0
    check_both_widths(page, axe_source, "Användare, inbjudan tillbakadragen")
    page.goto(mockeln.url + link)
    assert page.get_by_role("heading", name="Länken fungerar inte").is_visible()
