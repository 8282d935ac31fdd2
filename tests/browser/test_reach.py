"""Every page route of every demo site is checked by someone.

The role walk in ``test_axe.py`` opens what a visitor, the admin and an
association editor can reach by following links. The rest needs a person in
another role or a link from outside the site: LISA's nurse and volunteer,
a borrower signed in by the link in a text message, counter staff, a park
member's personal link, the links in newsletter and notice mails, ids from
the open data API (``visitors.py``). Here they walk too, and axe-core checks
the pages only they can open, at desktop and phone widths.

``test_every_route_is_reached`` fails when a GET route is reached by nobody
and is not listed in ``CANNOT_REACH`` with a reason: a new page a plugin
adds must be reachable or explained.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.axe import axe_problems
from tests.browser.conftest import CHECKED, SKIPPED_ROUTES, VIEWPORTS
from tests.browser.pages import PageWalk, get_routes, http_client, walk
from tests.browser.server import LiveSite, demo_site_slugs
from tests.browser.steps import log_in_with
from tests.browser.test_axe import OVERFLOW, ROLES, pages_for
from tests.browser.visitors import Visitor, visitors_for

PROGRAMME_ONLY_AT_MOCKELN = (
    "only Möckeln's demo has a festival programme (Kulturkalaset); the Möckeln walk reaches this page"
)
#: Routes no one can be sent to, with the reason. Keep it empty if you can.
CANNOT_REACH: dict[str, str] = {
    "/samverkan/uppdrag/{assignment_id:id}/intresse/tack": (
        "the thank-you page a sent interest form redirects to (303 after the POST), never linked; "
        "tests/samverkan/test_interest.py follows the redirect and tests/browser/test_samverkan.py runs axe on it"
    ),
    "/-/admin/installningar/forhandsvisning.svg": (
        "the colour preview picture, loaded by <img> on /-/admin/installningar, not an <a> link; "
        "tests/ops/test_web_settings.py fetches it with the typed colours and checks them in the SVG"
    ),
    "/static/-/{name}": (
        "the site's one stylesheet (core.stylesheet), loaded by <link rel=stylesheet> in every page's head, not an "
        "<a> link; tests/test_site_stylesheet.py reads it and tests/browser/test_csp.py loads it with every page"
    ),
    "/-/federation/{kind}/arkiv/{page}": (
        "a feed archive (Atom, not a page) exists only once a kind has more items than one feed page, and no "
        "demo site has that many; tests/federation checks the archives"
    ),
    # oidc (issue 13): the network sign-in is reached by pressing a provider's button (a POST), which the
    # link walk does not; tests/browser/test_network_signin.py walks it with axe at both widths.
    "/konto/oidc/{name}/tillbaka": (
        "where a provider sends a person back (a redirect, never a page); tests/oidc and test_network_signin.py open it"
    ),
    "/oidc/authorize": (
        "the 'Fortsätt som …' page, reached from a peer's login button (a POST); test_network_signin.py checks "
        "it with axe at both widths"
    ),
    # issue 19: who is at an address, reached by the "Visa vem det är" GET form on Nätverket (not a link);
    # it fetches the typed address, so the walk does not submit it. tests/federation/test_join.py opens it.
    "/-/admin/natverket/ga-med": (
        "reached by the address form on /-/admin/natverket, which fetches the typed address; "
        "tests/federation/test_join.py submits it against a real neighbour"
    ),
    "/.well-known/openid-configuration": "JSON for peers' servers, not a page; tests/oidc/test_network.py reads it",
    "/oidc/jwks": "JSON for peers' servers, not a page; tests/oidc/test_network.py reads it",
    # evenemang (issue 14). Programmes exist in Möckeln's demo only.
    "/evenemang/program/{slug}": PROGRAMME_ONLY_AT_MOCKELN,
    "/evenemang/program/{slug}/bidra": PROGRAMME_ONLY_AT_MOCKELN,
    "/evenemang/program/{slug}/granska": PROGRAMME_ONLY_AT_MOCKELN,
    "/evenemang/program/{slug}/kalender.ics": PROGRAMME_ONLY_AT_MOCKELN,
    "/evenemang/program/{slug}/redigera": PROGRAMME_ONLY_AT_MOCKELN,
    "/evenemang/program/{slug}/utskrift": PROGRAMME_ONLY_AT_MOCKELN,
    "/evenemang/bidrag/{item_id:id}": PROGRAMME_ONLY_AT_MOCKELN,
    "/evenemang/avboka/{token}": (
        "the cancel link in a sign-up's confirmation e-mail; tests/evenemang/test_registration.py follows it from "
        "the real SMTP server's mail"
    ),
    "/evenemang/bekrafta/{token}": (
        "the confirmation link in the e-mail a sign-up by e-mail sends; test_evenemang_programme.py follows it "
        "from the mail with the keyboard only and checks it with axe at both widths"
    ),
    "/evenemang/{event_id:id}/anmal": (
        "the sign-up form is on the event page and posts here; a GET shows it again after a refusal. "
        "test_evenemang_programme.py signs up with the keyboard only, with axe"
    ),
    # lokaler (issue 15)
    "/lokaler/{resource_id:id}/forfragan/tack": (
        "the thank-you page a booking request's POST redirects to (303); tests/lokaler/test_requests.py follows it"
    ),
    # ops (issue 19)
    "/-/metrics": (
        "Prometheus's text for the monitoring server, answered only with its token or from [server] metrics_allow "
        "(a 404 to everyone else); tests/ops/test_health_metrics.py and test_https_proxy.py read it"
    ),
    # reach (issue 20): the pages opened from links in e-mail (the newsletter's confirm, settings and
    # unsubscribe links, the notice settings link) are walked by visitors.py's "newsletter subscriber" and
    # "person with e-mailed links"; tests/browser/test_nyhetsbrev.py follows them from the real form and mail.
    "/kalender": "a permanent redirect to the month grid (/evenemang/manad), not a page",
    "/fritidsbanken/mina-lan/kod": (
        "the code form after a phone number was posted (redirect after POST); without one it redirects back; "
        "tests/fritidsbanken walk it"
    ),
}

_extra: dict[str, list[tuple[Visitor, PageWalk]]] = {}


def extra_walks(live: LiveSite) -> list[tuple[Visitor, PageWalk]]:
    """Each extra visitor's walk (once per site)."""
    slug = live.site.slug
    if slug not in _extra:
        walks = []
        for visitor in visitors_for(live):
            client = http_client(live, visitor.login)
            try:
                walks.append((visitor, walk(live, client, seeds=visitor.seeds, enter=visitor.enter)))
            finally:
                client.close()
        _extra[slug] = walks
    return _extra[slug]


def role_templates(live: LiveSite) -> set[str]:
    """The route templates the role walk checks with axe."""
    return {t for role in ROLES for t in pages_for(live, role).pages.values()}


@pytest.mark.parametrize("slug", demo_site_slugs())
def test_every_route_is_reached(demo_site: Callable[[str], LiveSite], slug: str) -> None:
    live = demo_site(slug)
    walks = {f"{role} (role walk)": pages_for(live, role) for role in ROLES}
    walks |= {visitor.name: w for visitor, w in extra_walks(live)}
    broken = {f"{url} as {name}": why for name, w in walks.items() for url, why in w.broken.items()}
    assert not broken, "pages that fail to load:\n" + "\n".join(f"  {k}: {v}" for k, v in sorted(broken.items()))

    reached: set[str] = set()
    for w in walks.values():
        reached |= set(w.pages.values()) | set(w.redirects) | set(w.not_pages)
    routes = {r.path for r in get_routes(list(live.app.routes))}
    unreached = sorted(routes - reached)
    for template in unreached:
        if template in CANNOT_REACH:
            SKIPPED_ROUTES.append(f"{slug}: {template} not checked: {CANNOT_REACH[template]}")
    unexplained = [t for t in unreached if t not in CANNOT_REACH]
    lines = [
        f"  {t}: " + "; ".join(f"{name}: {w.skipped.get(t, '-')}" for name, w in walks.items()) for t in unexplained
    ]
    assert not unexplained, (
        f"{slug}: routes no visitor reached. Give the page a link, add a visitor in visitors.py, "
        "or say in CANNOT_REACH why it cannot be reached:\n" + "\n".join(lines)
    )
    explained = len(unreached)
    reached_count = len(routes) - explained
    CHECKED.append(
        f"reach: {slug}: {len(routes)} GET routes, {reached_count} reached by {len(walks)} visitors, "
        f"{explained} explained"
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("slug", demo_site_slugs())
def test_no_axe_violations_beyond_the_role_walk(
    browser: Any, axe_source: Path, demo_site: Callable[[str], LiveSite], slug: str, viewport: str
) -> None:
    """axe on the pages only the extra visitors open (and the page each
    sign-in link lands on), each in its own browser session."""
    live = demo_site(slug)
    checked = role_templates(live)
    problems: list[str] = []
    summary: list[str] = []
    for visitor, w in extra_walks(live):
        pages = sorted({url for url, t in w.pages.items() if t not in checked} | set(w.redirects.values()))
        if not pages:
            continue
        summary.append(f"{visitor.name}: {len(pages)} ({', '.join(pages)})")
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
        context.set_default_timeout(15_000)
        page = context.new_page()
        where = f"{slug}, {viewport}, {visitor.name}"
        try:
            if visitor.login:
                log_in_with(page, live, *visitor.login)
            for url in visitor.enter:
                page.goto(live.url + url)
            for url in pages:
                response = page.goto(live.url + url)
                if response is None or response.status != 200:
                    problems.append(f"{url} ({where}): answers {response.status if response else 'nothing'}")
                    continue
                if page.evaluate("document.documentElement.lang") != "sv":
                    problems.append(f"{url} ({where}): <html lang> is not 'sv'")
                problems.extend(axe_problems(page, axe_source, where, url))
                if viewport == "phone" and (overflow := page.evaluate(OVERFLOW)) > 0:
                    problems.append(f"{url} ({where}): the page scrolls sideways by {overflow}px (WCAG 1.4.10)")
        finally:
            context.close()
    CHECKED.append(f"axe, other visitors: {slug}, {viewport}: " + ("; ".join(summary) or "none on this site"))
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)
