"""Browser fixtures: Debian's Chromium driven by Playwright for Python, against
demo sites served by real uvicorn servers (see ``server.py``).

Playwright never downloads a browser here: it launches the system Chromium
(``/usr/bin/chromium``, or ``PARAPLY_CHROMIUM``). Without a browser, Playwright
or axe-core the tests skip with the reason; in CI (``CI`` set) they fail
instead, because CI must run them (``.ci/run`` installs all three).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from core.models import Role
from tests.browser.server import REPO, LiveSite, start_demo_site
from tests.summary import section

IN_CI = bool(os.environ.get("CI"))
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

# What Chromium needs to start as root in a closed network, without reaching
# for Google's services at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: What the axe, reach and reflow tests checked, one line each, printed at the end of the run
#: (collected from every xdist worker: tests/summary.py).
CHECKED: list[str] = section("pages the browser tests checked")
#: Routes no visitor could open, with the reason (test_reach.py), printed at the end of the run.
SKIPPED_ROUTES: list[str] = section("routes no browser visitor opened (test_reach.CANNOT_REACH)")


def chromium_path() -> str | None:
    for candidate in (os.environ.get("PARAPLY_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require(ok: bool, reason: str) -> None:
    """Skip with the reason, or fail in CI, where the browser tests must run."""
    if ok:
        return
    if IN_CI:
        pytest.fail(reason + ": CI must run the browser tests (.ci/run installs Chromium and axe-core)")
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Chromium, shared by the browser tests. Package scope: Playwright's sync
    API keeps an asyncio loop running in the main thread while it lives, and
    later tests that call ``asyncio.run`` must not find it."""
    executable = chromium_path()
    require(executable is not None, "Chromium not found (apt-get install chromium, or set PARAPLY_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright for Python is not installed (pip install -e '.[test]')")
        raise
    with sync_playwright() as playwright:
        # Playwright gives each launch a fresh, empty profile (user-data-dir).
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> Path:
    require(AXE_JS.is_file(), f"axe-core not found at {AXE_JS} (run: npm ci)")
    return AXE_JS


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory, run_tmp_path: Path) -> Iterator[Callable[[str], LiveSite]]:
    """Start (once per test session, i.e. per xdist worker) the demo site with
    a given slug: migrated, with demo data, on SQLite in a temporary folder
    (copied from the run's prepared demo data, made once for all workers)."""
    started: dict[str, LiveSite] = {}

    def get(slug: str) -> LiveSite:
        if slug not in started:
            started[slug] = start_demo_site(slug, tmp_path_factory.mktemp(slug), run_tmp_path / "demo-sites")
        return started[slug]

    yield get
    for live in started.values():
        live.stop()


@pytest.fixture(scope="session")
def mockeln(demo_site: Callable[[str], LiveSite]) -> LiveSite:
    """The Möckeln demo site."""
    return demo_site("mockeln")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser tab (own cookies) at desktop size."""
    context = browser.new_context(viewport=DESKTOP, locale="sv-SE")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def login(page: Any, live: LiveSite, role: Role = Role.ADMIN) -> None:
    """Log in through the form, as a person does."""
    email, password = live.login_for(role)
    page.goto(live.url + "/konto/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.locator("main").get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_url(lambda url: "/konto/logga-in" not in url)
