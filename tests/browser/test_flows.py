"""The main flows in a real browser, once with a pointer and once with the
keyboard only (Tab, Enter, Space; the skip link first, visible focus on
every stop): log in, search the directory, edit an association, publish news.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest

from core.models import Role
from tests.browser.server import LiveSite
from tests.browser.steps import HOW, actor, log_in_as, wait_path


@pytest.mark.parametrize("how", HOW)
def test_log_in(page: Any, mockeln: LiveSite, how: str) -> None:
    log_in_as(page, mockeln, Role.EDITOR, how)
    assert page.get_by_role("status").filter(has_text="Välkommen, Rita Redaktör").is_visible()
    assert page.get_by_role("navigation", name="Konto och språk").get_by_role("button", name="Logga ut").is_visible()


@pytest.mark.parametrize("how", HOW)
def test_wrong_password_is_announced_and_linked_to_the_field(page: Any, mockeln: LiveSite, how: str) -> None:
    person = actor(page, how)
    page.goto(mockeln.url + "/konto/logga-in")
    person.skip_to_content()
    main = page.locator("main")
    person.fill(main.get_by_label("E-postadress"), "")
    person.press(main.get_by_role("button", name="Logga in", exact=True))
    summary = page.get_by_role("alert")
    assert "Något behöver rättas" in summary.inner_text()
    # The summary links to the field, and the field points at its message.
    summary.get_by_role("link", name="E-postadress").click()
    email = main.get_by_label("E-postadress")
    assert email.evaluate("el => el === document.activeElement")
    assert email.get_attribute("aria-invalid") == "true"
    message = page.locator("#" + (email.get_attribute("aria-describedby") or "").split()[-1])
    assert message.inner_text().strip(), "the field's error message is empty"


@pytest.mark.parametrize("how", HOW)
def test_search_the_directory(page: Any, mockeln: LiveSite, how: str) -> None:
    person = actor(page, how)
    page.goto(mockeln.url + "/")
    person.press(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Föreningar"))
    wait_path(page, "/foreningar")
    person.skip_to_content()
    person.fill(page.get_by_label("Sök på namn eller verksamhet"), "körsång")
    person.press(page.get_by_role("button", name="Visa föreningar"))
    page.wait_for_url(lambda url: urlsplit(url).path == "/foreningar" and "q=" in url)
    results = page.locator(".association-list li h2")
    assert results.count() >= 1
    count = page.get_by_role("status").inner_text()
    assert "förening" in count
    # The hit is one a person would expect: a choir.
    names = " ".join(results.all_inner_texts()).lower()
    assert "kör" in names or "sång" in names, names
    # And the site-wide search in the header finds it too.
    page.goto(mockeln.url + "/")
    header = page.get_by_role("banner")
    person.fill(header.get_by_role("searchbox", name="Sök på webbplatsen"), "körsång")
    person.press(header.get_by_role("button", name="Sök"))
    page.wait_for_url(lambda url: urlsplit(url).path == "/sok" and "q=" in url)
    hits = " ".join(page.locator("main").get_by_role("link").all_inner_texts()).lower()
    assert "kör" in hits or "sång" in hits, hits


@pytest.mark.parametrize("how", HOW)
def test_edit_an_association(page: Any, mockeln: LiveSite, how: str) -> None:
    log_in_as(page, mockeln, Role.EDITOR, how)
    person = actor(page, how)
    page.goto(mockeln.url + "/foreningar/karlskoga-simklubb")
    person.skip_to_content()
    person.press(page.locator("main").get_by_role("link", name="Redigera Karlskoga Simklubb"))
    wait_path(page, "/foreningar/karlskoga-simklubb/redigera")
    text = f"Simskola, crawl och vattengympa ({how}, {time.monotonic_ns()})."
    person.skip_to_content()
    person.fill(page.get_by_label("Kort beskrivning"), text)
    person.press(page.locator("main form").get_by_role("button", name="Spara"))
    wait_path(page, "/foreningar/karlskoga-simklubb")
    assert page.locator("main .lead").inner_text() == text
    assert page.get_by_role("status").first.is_visible()


@pytest.mark.parametrize("how", HOW)
def test_publish_news(page: Any, mockeln: LiveSite, how: str) -> None:
    log_in_as(page, mockeln, Role.ADMIN, how)
    person = actor(page, how)
    page.goto(mockeln.url + "/nyheter")
    person.skip_to_content()
    person.press(page.locator("main").get_by_role("link", name="Skriv en nyhet"))
    wait_path(page, "/nyheter/ny")
    title = f"Vårmöte i Föreningarnas hus ({how} {time.monotonic_ns()})"
    person.skip_to_content()
    person.fill(page.get_by_label("Rubrik", exact=True), title)
    person.fill(page.get_by_label("Text", exact=True), "Välkomna till **vårmötet** den 12 mars kl. 18.")
    person.check(page.get_by_label("Publicera nyheten", exact=False))
    person.press(page.locator("main form").get_by_role("button", name="Spara"))
    page.wait_for_url(lambda url: "/nyheter/ny" not in url)
    assert page.get_by_role("heading", level=1).inner_text() == title
    page.goto(mockeln.url + "/nyheter")
    assert page.locator(".news-list h2").first.inner_text() == title
