"""Redirect after POST, everywhere: every POST route that succeeds answers
303 See Other, so the browser ends on a GET address and a reload does not
send the form again (issue 17: after lending at the counter the browser sat
on ``/fritidsbanken/disk/lantagare/9/lana``).

The walk takes the POST routes of a site with every plugin the Möckeln demo
runs, and finds each one in a plugin's permission table (which already
knows a valid form, who may send it and how to tell that it worked). It
then sends that form as someone allowed to, and expects 303 to a page that
answers 200, and the change made. A route that cannot be in a table must be
in ``EXEMPT`` with the reason it answers otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import tests.evenemang.test_permissions as ev
import tests.fritidsbanken.test_permissions as fb
import tests.lisa.test_permissions as lisa
import tests.lokaler.test_permissions as lokaler
import tests.samverkan.test_permissions as samverkan
import tests.test_odling_permissions as odling
import tests.test_permissions as portal
from core.app import create_app
from core.site import Site
from core.testing import Client
from tests.conftest import DEFAULT_WEBPORTAL
from tests.evenemang.conftest import make_ev_site
from tests.fritidsbanken.conftest import FB_SETTINGS
from tests.fritidsbanken.conftest import fb_site as fb_site  # noqa: F401 (a fixture, used by name)
from tests.lokaler.conftest import make_lok_site
from tests.nyhetsbrev import test_permissions as nyhetsbrev
from tests.nyhetsbrev.conftest import make_letter_site
from tests.odling_fixtures import ODLING, odling_site
from tests.samverkan.conftest import make_sam_site
from tests.test_permissions import post_routes

#: POST routes that answer something other than 303 on success, and why.
#: (The WebSub endpoints are served beside the app by federation's
#: MachineEndpoints middleware, so the route walk does not see them; they
#: are listed so that the rule stays visible.)
EXEMPT: dict[str, str] = {
    "/-/websub/hub": "WebSub hub: a machine endpoint, answers 202 Accepted (W3C WebSub 5.1)",
    "/-/websub/callback/{token}": "WebSub callback: a machine endpoint, answers 2xx with no body (W3C WebSub 7)",
    "/nyhetsbrev/avsluta/{token}/avsluta-ett-klick": "RFC 8058 one-click unsubscribe: posted by a mail client, "
    "which shows no page; answers 200 (tests/nyhetsbrev/test_permissions.py walks it)",
    "/-/admin/natverket/ga-med": "succeeds only when a live neighbour answers: tests/federation/test_join.py "
    "sends it between two real sites and checks its 303",
}

#: Routes whose success sends the browser to another site (no landing page here to check).
OFF_SITE: dict[str, str] = {
    "/konto/oidc/{name}/start": "the OpenID provider's sign-in page",
    "/oidc/authorize": "the peer site's return address, with the code",
    "/konto/inbjudan/{token}/oidc/{name}": "the OpenID provider's sign-in page, to accept the invitation",
}

#: Every plugin of the demo sites (a merge once left two lines here, and the
#: second, without samverkan, won).
DEMO_PLUGINS = ["webportal", "lisa", "fritidsbanken", "odling", "evenemang", "lokaler", "samverkan", "nyhetsbrev"]
DEMO_SETTINGS = {
    "webportal": DEFAULT_WEBPORTAL,
    "fritidsbanken": FB_SETTINGS,
    "odling": ODLING,
    "evenemang": 'prefix = "/"\n',
}


@dataclass
class Sent:
    """What one walked request did: the answer, the client that sent it and
    a probe that says whether the change happened."""

    response: httpx.Response
    client: Client
    changed: Callable[[], bool]


def allowed_role(roles: tuple[str, ...], expect: dict[str, str], ok: str) -> str:
    """The most trusted role for whom the route succeeds (the tables list
    roles from the least to the most trusted)."""
    return next(role for role in reversed(roles) if expect[role] == ok)


def send_portal(route: str, request: pytest.FixtureRequest, make_client: Any) -> Sent:
    case = portal.CASES[route]
    site = request.getfixturevalue("make_site")(plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    world = portal.build_world(site)
    client = make_client(site)
    role = allowed_role(portal.ROLES, case.expect, portal.OK)
    if role != "anonymous":
        client.login(portal.EMAILS[role])
    response = client.submit(case.path(world), case.form(world))
    world.response = response  # some probes read where the answer sent the browser (the OpenID starts)
    return Sent(response, client, lambda: case.changed(world, role, client))


def send_fritidsbanken(route: str, request: pytest.FixtureRequest, make_client: Any) -> Sent:
    case = fb.CASES[route]
    site: Site = request.getfixturevalue("fb_site")
    w = fb.world_for(site)
    client = make_client(site)
    role = allowed_role(fb.ROLES, case.expect, fb.OK)
    fb.sign_in(client, w, role)
    response = client.submit(case.path(w), case.form(w, role))
    return Sent(response, client, lambda: case.changed(w, role, client))


def send_lisa(route: str, request: pytest.FixtureRequest, make_client: Any) -> Sent:
    case = lisa.CASES[route]
    site = lisa.make_lisa_site(request.getfixturevalue("make_site"))
    world = lisa.build_world(site)
    client = make_client(site)
    role = allowed_role(lisa.ROLES, case.expect, lisa.OK)
    if role != "anonymous":
        client.login(lisa.EMAILS[role])
    data = {**case.form(world), "csrftoken": client.csrf()}
    if role == "volunteer" and "sender" in data:
        data["sender"] = f"org:{world.organisation}"
    if case.files:
        response = client.post(case.path(world), data=data, files=case.files(world), follow_redirects=False)
    else:
        response = client.submit(case.path(world), data)
    return Sent(response, client, lambda: case.changed(world))


def send_odling(route: str, request: pytest.FixtureRequest, make_client: Any) -> Sent:
    case = odling.CASES[route]
    site = odling_site(request.getfixturevalue("make_site"))
    world = odling.build_world(site)
    client = make_client(site)
    role = allowed_role(odling.ROLES, case.expect, odling.OK)
    if role in odling.EMAILS:
        client.login(odling.EMAILS[role])
    response = client.submit(case.path(world, role), case.form(world))
    return Sent(response, client, lambda: case.changed(world))


def walk_sender(walk: Any, make_walk_site: Callable[[Any], Site]) -> Callable[[str, pytest.FixtureRequest, Any], Sent]:
    """A sender for a plugin whose permission walk builds its world with an
    ``as_user(site, email)`` (events, premises)."""

    def send(route: str, request: pytest.FixtureRequest, make_client: Any) -> Sent:
        case = walk.CASES[route]
        site = make_walk_site(request.getfixturevalue("make_site"))

        def as_user(s: Site, email: str | None) -> Client:
            client = make_client(s)
            if email:
                client.login(email)
            return client

        world = walk.build_world(site, as_user)
        role = allowed_role(walk.ROLES, case.expect, walk.OK)
        client = as_user(site, walk.EMAILS.get(role))
        response = client.submit(case.path(world), case.form(world))
        return Sent(response, client, lambda: case.changed(world))

    return send


SENDERS: dict[str, Callable[[str, pytest.FixtureRequest, Any], Sent]] = {
    **dict.fromkeys((r for r in portal.CASES if r not in EXEMPT), send_portal),
    **dict.fromkeys(fb.CASES, send_fritidsbanken),
    **dict.fromkeys(lisa.CASES, send_lisa),
    **dict.fromkeys(odling.CASES, send_odling),
    **dict.fromkeys(ev.CASES, walk_sender(ev, make_ev_site)),
    **dict.fromkeys(lokaler.CASES, walk_sender(lokaler, make_lok_site)),
    **dict.fromkeys(samverkan.CASES, walk_sender(samverkan, make_sam_site)),
    **dict.fromkeys((r for r in nyhetsbrev.CASES if r not in EXEMPT), walk_sender(nyhetsbrev, make_letter_site)),
}


def test_every_post_route_of_a_demo_like_site_is_walked(make_site):
    site = make_site(slug="demo", plugins=DEMO_PLUGINS, plugin_settings=DEMO_SETTINGS)
    found = set(post_routes(create_app(site).routes))
    assert len(found) > 60, f"the walk found only {len(found)} POST routes: is every plugin mounted?"
    unwalked = found - set(SENDERS) - set(EXEMPT)
    assert not unwalked, f"POST routes with no valid form to send (add a permission case): {sorted(unwalked)}"


@pytest.mark.parametrize("route", sorted(SENDERS))
def test_a_post_that_succeeds_redirects(route, request, make_site, make_client):
    # make_site is asked for by name so that the database parameter is known
    # before a sender asks for its own fixture (fb_site) by value.
    sent = SENDERS[route](route, request, make_client)
    answer = sent.response
    assert answer.status_code == 303, (
        f"POST {route} answered {answer.status_code}, not 303: a reload would send the form again"
    )
    where = answer.headers["location"]
    assert not where.startswith("/konto/logga-in"), f"{route}: sent to log in, the walk chose the wrong role"
    assert sent.changed(), f"{route}: redirected but changed nothing"
    if route in OFF_SITE:
        assert not where.startswith("/"), f"{route}: expected a redirect to {OFF_SITE[route]}, got {where}"
        return
    landing = sent.client.get(where)
    assert landing.status_code == 200, f"{route}: redirected to {where}, which answers {landing.status_code}"
