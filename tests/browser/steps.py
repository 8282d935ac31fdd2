"""Steps the browser flows share: who acts (pointer or keyboard), logging in
through the form, waiting for the next page, and an error summary checked the
way a keyboard or screen-reader user meets it."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from core.demo import DEMO_PASSWORD
from core.models import Role
from tests.browser.actor import Actor
from tests.browser.server import LiveSite

HOW = ["pointer", "keyboard"]


def wait_path(page: Any, path: str | re.Pattern[str]) -> None:
    """Wait until the page is at ``path``, or a path the pattern matches in
    full, with any query or #fragment (a fragment survives redirects)."""
    if isinstance(path, str):
        page.wait_for_url(lambda url: urlsplit(url).path == path)
    else:
        page.wait_for_url(lambda url: path.fullmatch(urlsplit(url).path) is not None)


def path_of(page: Any) -> str:
    return urlsplit(page.url).path


def actor(page: Any, how: str) -> Actor:
    return Actor(page, keyboard=how == "keyboard")


def log_in_as(page: Any, live: LiveSite, role: Role, how: str) -> None:
    """Log in through the form as the demo account with this role."""
    email, password = live.login_for(role)
    log_in_with(page, live, email, password, how)


def log_in_with(page: Any, live: LiveSite, email: str, password: str = DEMO_PASSWORD, how: str = "pointer") -> None:
    """Log in through the form with the given input method."""
    person = actor(page, how)
    page.goto(live.url + "/konto/logga-in")
    person.skip_to_content()
    main = page.locator("main")
    person.fill(main.get_by_label("E-postadress"), email)
    person.fill(main.get_by_label("Lösenord"), password)
    person.press(main.get_by_role("button", name="Logga in", exact=True))
    page.wait_for_url(lambda url: "/konto/logga-in" not in url)


def check_error_summary(page: Any, person: Actor, expected: list[str], follow: str) -> None:
    """The form came back with errors: an announced summary (role=alert) that
    lists ``expected`` field labels as links; following the ``follow`` link
    (by pointer or keyboard) puts focus in that field, which is marked
    invalid and described by its own error message."""
    summary = page.get_by_role("alert").filter(has_text="Något behöver rättas")
    assert summary.is_visible(), f"no error summary on {page.url}"
    links = summary.get_by_role("link")
    texts = links.all_inner_texts()
    for label in expected:
        assert any(t.startswith(label) for t in texts), f"the error summary on {page.url} lacks {label!r}: {texts}"
    target = next(t for t in texts if t.startswith(follow))
    person.press(summary.get_by_role("link", name=target, exact=True))
    field_id = page.evaluate("document.activeElement.id")
    field = page.locator(f"#{field_id}")
    assert field.evaluate("el => el.matches('input, textarea, select')"), (
        f"following {follow!r} in the error summary put focus on {field_id!r}, not on the field"
    )
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    messages = [page.locator(f"#{d}").inner_text().strip() for d in described if d.endswith("-error")]
    assert messages and all(messages), f"the field {field_id!r} is not described by its error message"
