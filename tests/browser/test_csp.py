"""The Content-Security-Policy holds on every page (issue 18): each walked
page of every demo site, as an anonymous visitor and as the site admin, is
loaded in Chromium, which reports each thing the policy blocks as a
``securitypolicyviolation`` event and a console error. The test fails on
any: an inline style or script, a handler attribute, a resource from another
host. The pages come from the same walk as the axe test (``pages.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from core.models import Role
from tests.browser.conftest import CHECKED, VIEWPORTS, login
from tests.browser.server import LiveSite, demo_site_slugs
from tests.browser.test_axe import ROLES, pages_to_check

#: Collects the violations of each document; runs before any of the page's own code.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`
    + ` at ${e.sourceFile || ''}:${e.lineNumber || ''} ${(e.sample || '').slice(0, 60)}`);
});
"""


@pytest.mark.parametrize("role", ["anonymous", "admin"])
@pytest.mark.parametrize("slug", demo_site_slugs())
def test_no_page_breaks_the_content_security_policy(
    browser: Any, demo_site: Callable[[str], LiveSite], slug: str, role: str
) -> None:
    live = demo_site(slug)
    pages = pages_to_check(live, role)
    assert pages, f"the page walk found no pages for {role} on {slug}"
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="sv-SE")
    context.set_default_timeout(15_000)
    context.add_init_script(LISTEN)
    page = context.new_page()
    problems: list[str] = []
    errors: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text[:200])

    page.on("console", on_console)
    try:
        if ROLES[role]:
            login(page, live, ROLES[role] or Role.ADMIN)
        for url in sorted(pages):
            errors.clear()
            response = page.goto(live.url + url, wait_until="load")
            assert response is not None
            for error in errors:
                # The walk includes a page that does not exist: its own 404 is not a problem.
                if response.status >= 400 and error.startswith("Failed to load resource") and len(errors) == 1:
                    continue
                problems.append(f"{url}: console error: {error}")
            if "content-security-policy" not in response.headers:
                problems.append(f"{url}: no Content-Security-Policy header")
            problems.extend(f"{url}: {v}" for v in page.evaluate("window.__violations || []"))
    finally:
        context.close()
    CHECKED.append(f"csp: {slug}, {role}: {len(pages)} pages, {len(problems)} problems")
    assert not problems, f"{len(problems)} problems with the Content-Security-Policy:\n" + "\n".join(problems)
