"""Helpers of the programme and registration tests: a site that mails to a
real SMTP server, a programme, an event with places, and waiting for mail
(the outbox worker sends after the commit, in its own thread)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from core.models import Role
from core.site import Site
from core.testing import Client, SmtpInbox, add_user, smtp_settings
from tests.conftest import DEFAULT_WEBPORTAL
from tests.evenemang.conftest import ADMIN, EDITOR, OTHER_EDITOR, TODAY, add_associations, event_form


def mail_site(make_site: Callable[..., Site], inbox: SmtpInbox, settings: str = "") -> Site:
    site = make_site(
        slug="ev",
        plugins=["webportal", "evenemang"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "evenemang": 'prefix = "/"\n' + settings},
        extra=smtp_settings(inbox.port),
    )
    site.clock.set(TODAY)
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    add_user(site, EDITOR, Role.EDITOR, "Rita Redaktör")
    add_user(site, OTHER_EDITOR, Role.EDITOR, "Olle Annan")
    add_associations(site)
    return site


def wait_for_mail(inbox: SmtpInbox, count: int, seconds: float = 10.0) -> list[EmailMessage]:
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(inbox.messages) >= count, f"expected {count} messages, got {len(inbox.messages)}"
    return inbox.messages


def mail_to(inbox: SmtpInbox, address: str) -> list[EmailMessage]:
    return [m for m in inbox.messages if m["To"] == address]


def link_in(message: EmailMessage, pattern: str) -> str:
    """The path of the first link in the mail's body matching ``pattern``."""
    found = re.search(r"https?://[^/\s]+(" + pattern + r"[^\s]*)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


PROGRAMME = {
    "title": "Kultur- och föreningskalaset",
    "slug": "kalaset-2026",
    "summary": "Föreningarna visar upp sig.",
    "description": "Välkomna!",
    "first_day": "2026-12-12",
    "last_day": "2026-12-13",
    "place_name": "Möckelngården",
    "address": "Storgatan 1",
    "municipality": "Karlskoga",
    "stages": "Stora scenen\nTältet",
    "category": "Kultur och musik",
    "call_open": "y",
    "deadline": "2026-12-05",
}


def item_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Dragspel på scen",
        "description": "PRO:s dragspelsklubb spelar.",
        "association": "pro-karlskoga",
        "day": "2026-12-12",
        "start_time": "13:00",
        "end_time": "13:45",
        "stage": "Stora scenen",
        "needs": "El och två stolar.",
        "contact_name": "Rita Redaktör",
        "contact_email": "rita@pro.example",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_programme(admin: Client, **overrides: object) -> str:
    response = admin.submit("/evenemang/nytt-program", {**PROGRAMME, **overrides})
    assert response.status_code == 303, response.text[:500]
    return str(response.headers["location"])


def submit_item(editor: Client, slug: str = "kalaset-2026", **overrides: object) -> int:
    response = editor.submit(f"/evenemang/program/{slug}/bidra", item_form(**overrides))
    assert response.status_code == 303, response.text[:800]
    from plugins.evenemang.programme_models import ProgrammeItem

    site: Site = editor.app.state.site  # type: ignore[attr-defined]  # Starlette's app state is untyped
    with site.session() as db:
        from sqlmodel import col, select

        row = db.exec(select(ProgrammeItem).order_by(col(ProgrammeItem.id).desc())).first()
        assert row is not None and row.id is not None
        return row.id


def event_with_places(editor: Client, places: int, waiting_list: bool = True, **overrides: object) -> int:
    """An event by the editor's association with registration switched on."""
    response = editor.submit("/evenemang/nytt", event_form(**overrides))
    assert response.status_code == 303, response.text[:500]
    event_id = int(response.headers["location"].rsplit("/", 1)[-1])
    form: dict[str, object] = {"places": str(places), "is_open": "y"}
    if waiting_list:
        form["waiting_list"] = "y"
    answer = editor.submit(f"/evenemang/{event_id}/anmalan", form)
    assert answer.status_code == 303, answer.text[:500]
    return event_id


def confirm_link(inbox: SmtpInbox, address: str, seconds: float = 10.0) -> str:
    """The path of the newest confirmation link mailed to ``address``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [m for m in mail_to(inbox, address) if str(m["Subject"]).startswith("Bekräfta din anmälan")]
        if found:
            return link_in(found[-1], "/evenemang/bekrafta/")
        time.sleep(0.02)
    raise AssertionError(f"no confirmation mail to {address}")


def sign_up_confirmed(client: Client, inbox: SmtpInbox, event_id: int, form: dict[str, object]) -> Any:
    """Sign up by e-mail as a visitor does: send the form, follow the link in
    the mail and confirm there. Returns the confirmation's answer."""
    before = len([m for m in mail_to(inbox, str(form["email"])) if "Bekräfta" in str(m["Subject"])])
    sent = client.submit(f"/evenemang/{event_id}/anmal", form)
    assert sent.status_code == 303, sent.text[:800]
    deadline = time.monotonic() + 10
    while len([m for m in mail_to(inbox, str(form["email"])) if "Bekräfta" in str(m["Subject"])]) <= before:
        assert time.monotonic() < deadline, "no confirmation mail"
        time.sleep(0.02)
    path = confirm_link(inbox, str(form["email"]))
    return client.submit(path, {})


def registrations(site: Site, event_id: int) -> list[Any]:
    """An event's registrations, oldest first."""
    from sqlmodel import col, select

    from plugins.evenemang.registration_models import Registration

    with site.session() as db:
        rows = db.exec(select(Registration).where(Registration.event_id == event_id).order_by(col(Registration.id)))
        return list(rows)


def taken(site: Site, event_id: int) -> int:
    """How many places of the event are taken."""
    from sqlmodel import select

    from plugins.evenemang.registration_models import RegistrationSetup

    with site.session() as db:
        return db.exec(select(RegistrationSetup).where(RegistrationSetup.event_id == event_id)).one().taken
