"""axe-core on every page of every demo site, at desktop and phone widths, as
an anonymous visitor, as the site admin and as an association editor.

The pages come from the app's own routes (``pages.py``), so each enabled
plugin's pages are checked as soon as the plugin is enabled on a demo site.
axe-core is injected from ``node_modules`` (npm, pinned in package.json),
never from another host, and runs the WCAG 2.0 and 2.1 A and AA rules. The
test fails on any violation and names the page, the rule and the elements.
At phone width it also fails when a page scrolls sideways (WCAG 1.4.10).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.models import Role
from tests.browser.axe import axe_problems
from tests.browser.conftest import CHECKED, VIEWPORTS, login
from tests.browser.pages import PageWalk, http_client, walk
from tests.browser.server import LiveSite, demo_site_slugs

ROLES = {"anonymous": None, "admin": Role.ADMIN, "editor": Role.EDITOR}

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

_walks: dict[tuple[str, str], PageWalk] = {}


def pages_for(live: LiveSite, role: str) -> PageWalk:
    """The pages a visitor in this role can open (walked once per site and role)."""
    key = (live.site.slug, role)
    if key not in _walks:
        login_details = live.login_for(ROLES[role]) if ROLES[role] else None  # type: ignore[arg-type]
        client = http_client(live, login_details)
        try:
            _walks[key] = walk(live, client)
        finally:
            client.close()
    return _walks[key]


def pages_to_check(live: LiveSite, role: str) -> dict[str, str]:
    """Public pages as the anonymous visitor; as the admin and the editor,
    the pages beyond the public ones (administration; their own associations,
    news and account)."""
    pages = pages_for(live, role).pages
    if role == "anonymous":
        return pages
    public = set(pages_for(live, "anonymous").pages.values())
    return {url: t for url, t in pages.items() if t not in public}


def check_pages(browser: Any, axe_source: Path, live: LiveSite, viewport: str, role: str, lang: str = "sv") -> None:
    pages = pages_to_check(live, role)
    assert pages, f"the page walk found no pages for {role} on {live.site.slug}"
    broken = pages_for(live, role).broken
    assert not broken, f"pages that fail to load for {role} on {live.site.slug}:\n" + "\n".join(
        f"  {url}: {reason}" for url, reason in sorted(broken.items())
    )
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    where = f"{live.site.slug}, {viewport}, {role}, {lang}"
    try:
        if ROLES[role]:
            login(page, live, ROLES[role])
        if lang != "sv":
            page.goto(f"{live.url}/?lang={lang}")  # remembered in the session from here on
        for url in sorted(pages):
            page.goto(live.url + url)
            actual = page.evaluate("document.documentElement.lang")
            if actual != lang:
                problems.append(f"{url} ({where}): <html lang={actual!r}>, expected {lang!r}")
            problems.extend(axe_problems(page, axe_source, where, url))
            if viewport == "phone":
                overflow = page.evaluate(OVERFLOW)
                if overflow > 0:
                    problems.append(f"{url} ({where}): the page scrolls sideways by {overflow}px (WCAG 1.4.10 reflow)")
    finally:
        context.close()
    CHECKED.append(f"axe: {where}: {len(pages)} pages, {len(problems)} problems")
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("slug", demo_site_slugs())
def test_no_axe_violations(
    browser: Any, axe_source: Path, demo_site: Callable[[str], LiveSite], slug: str, viewport: str, role: str
) -> None:
    check_pages(browser, axe_source, demo_site(slug), viewport, role)


@pytest.mark.parametrize("role", ["anonymous", "admin"])
def test_no_axe_violations_in_english(
    browser: Any, axe_source: Path, demo_site: Callable[[str], LiveSite], role: str
) -> None:
    """The English pages too (Möckeln at desktop width): ``lang`` must say
    English, and what axe checks must hold with English text."""
    check_pages(browser, axe_source, demo_site("mockeln"), "desktop", role, lang="en")
