"""Every route of the newsletter plugin, walked as four people: anonymous,
two editors (no say over the newsletter) and a site admin. The first test
fails if a POST route is missing from the table; the GET walk says which
pages each person may open."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from starlette.routing import Mount, Route

from core.app import create_app
from core.site import Site
from core.testing import Client
from plugins.nyhetsbrev.models import Issue, IssueState, Subscriber
from tests.nyhetsbrev.conftest import ADMIN, EDITOR, OTHER_EDITOR, make_letter_site

ROLES = ("anonymous", "other_editor", "editor", "admin")
EMAILS = {"other_editor": OTHER_EDITOR, "editor": EDITOR, "admin": ADMIN}
OK, LOGIN, FORBIDDEN = "ok", "login", "forbidden"
ANYONE = dict.fromkeys(ROLES, OK)
ADMIN_ONLY = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": FORBIDDEN, "admin": OK}


@dataclass
class World:
    site: Site
    draft: int
    sent: int
    pending_token: str
    token: str


def build_world(site: Site, as_user: Callable[[Site, str | None], Client] | None = None) -> World:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with site.session() as db:
        draft = Issue(title="Utkast mars", period_start=now, period_end=now)
        sent = Issue(title="Februari", period_start=now, period_end=now, state=IssueState.SENT, sent_at=now)
        pending = Subscriber(email="ny@test.example", token=secrets.token_urlsafe(24), created_at=site.clock.now())
        confirmed = Subscriber(email="vera@test.example", token=secrets.token_urlsafe(24), confirmed_at=now)
        db.add_all([draft, sent, pending, confirmed])
        db.commit()
        assert draft.id and sent.id
        return World(site, draft.id, sent.id, pending.token, confirmed.token)


def _subscriber(world: World, email: str) -> Subscriber | None:
    with world.site.session() as db:
        return db.exec(select(Subscriber).where(Subscriber.email == email)).first()


def _issue(world: World, issue_id: int) -> Issue:
    with world.site.session() as db:
        row = db.get(Issue, issue_id)
        assert row is not None
        return row


def _outbox_to(world: World, address: str) -> int:
    from core.models import OutboxMessage

    with world.site.session() as db:
        return len(db.exec(select(OutboxMessage).where(OutboxMessage.to_address == address)).all())


@dataclass
class Case:
    path: Callable[[World], str]
    form: Callable[[World], dict[str, object]]
    changed: Callable[[World], bool]
    expect: dict[str, str]


CASES: dict[str, Case] = {
    "/nyhetsbrev/prenumerera": Case(
        lambda w: "/nyhetsbrev/prenumerera",
        lambda w: {"email": "sam@test.example", "consent": "y"},
        lambda w: _subscriber(w, "sam@test.example") is not None,
        ANYONE,
    ),
    "/nyhetsbrev/bekrafta/{token}": Case(
        lambda w: f"/nyhetsbrev/bekrafta/{w.pending_token}",
        lambda w: {},
        lambda w: (_subscriber(w, "ny@test.example") or Subscriber()).confirmed_at is not None,
        ANYONE,
    ),
    "/nyhetsbrev/prenumeration/{token}": Case(
        lambda w: f"/nyhetsbrev/prenumeration/{w.token}",
        lambda w: {"language": "en", "frequency": "dagligen", "topic_nyheter": "y"},
        lambda w: (_subscriber(w, "vera@test.example") or Subscriber()).language == "en",
        ANYONE,
    ),
    "/nyhetsbrev/avsluta/{token}": Case(
        lambda w: f"/nyhetsbrev/avsluta/{w.token}",
        lambda w: {},
        lambda w: _subscriber(w, "vera@test.example") is None,
        ANYONE,
    ),
    "/nyhetsbrev/avsluta/{token}/avsluta-ett-klick": Case(
        lambda w: f"/nyhetsbrev/avsluta/{w.token}/avsluta-ett-klick",
        lambda w: {"List-Unsubscribe": "One-Click"},
        lambda w: _subscriber(w, "vera@test.example") is None,
        ANYONE,
    ),
    "/nyhetsbrev/admin": Case(
        lambda w: "/nyhetsbrev/admin",
        lambda w: {"title": "Nytt nummer", "start": "2026-03-01", "end": "2026-03-31", "editorial": ""},
        lambda w: _titled(w, "Nytt nummer"),
        ADMIN_ONLY,
    ),
    "/nyhetsbrev/admin/{issue_id:id}": Case(
        lambda w: f"/nyhetsbrev/admin/{w.draft}",
        lambda w: {"title": "Utkast mars, rättat", "editorial": "Hej!"},
        lambda w: _issue(w, w.draft).title == "Utkast mars, rättat",
        ADMIN_ONLY,
    ),
    "/nyhetsbrev/admin/{issue_id:id}/provutskick": Case(
        lambda w: f"/nyhetsbrev/admin/{w.draft}/provutskick",
        lambda w: {},
        lambda w: _outbox_to(w, ADMIN) == 1,
        ADMIN_ONLY,
    ),
    "/nyhetsbrev/admin/{issue_id:id}/skicka": Case(
        lambda w: f"/nyhetsbrev/admin/{w.draft}/skicka",
        lambda w: {},
        lambda w: _issue(w, w.draft).state == IssueState.SENT,
        ADMIN_ONLY,
    ),
}


def _titled(world: World, title: str) -> bool:
    with world.site.session() as db:
        return db.exec(select(Issue).where(Issue.title == title)).first() is not None


def post_routes(routes: list, prefix: str = "") -> Iterator[str]:
    for route in routes:
        if isinstance(route, Mount):
            yield from post_routes(route.routes or [], prefix + route.path)
        elif isinstance(route, Route) and "POST" in (route.methods or set()):
            yield prefix + route.path


@pytest.fixture
def walk_site(make_site) -> Site:
    return make_letter_site(make_site)


def test_every_post_route_of_the_plugin_is_in_the_table(walk_site):
    found = {p for p in post_routes(create_app(walk_site).routes) if p.startswith("/nyhetsbrev")}
    assert found == set(CASES), f"missing: {sorted(found - set(CASES))}, stale: {sorted(set(CASES) - found)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(CASES))
def test_mutating_route_as(route, role, walk_site, as_user):
    case = CASES[route]
    world = build_world(walk_site)
    client = as_user(walk_site, EMAILS.get(role))
    assert not case.changed(world), f"{route} as {role}: the probe says done before the request"
    if route.endswith("/avsluta-ett-klick"):  # RFC 8058: posted by a mail client, no CSRF token
        response = client.post(case.path(world), data=case.form(world), follow_redirects=False)
        assert response.status_code == 200 and case.changed(world)
        return
    response = client.submit(case.path(world), case.form(world))
    expected = case.expect[role]
    if expected == OK:
        assert response.status_code == 303, f"{route} as {role}: {response.status_code} {response.text[:300]}"
        assert not response.headers["location"].startswith("/konto/logga-in")
        assert case.changed(world), f"{route} as {role}: answered 303 but changed nothing"
        return
    if expected == LOGIN:
        assert response.status_code == 303 and response.headers["location"].startswith("/konto/logga-in?next=")
    else:
        assert response.status_code == 403
    assert not case.changed(world), f"{route} as {role} was refused but the change happened anyway"


PUBLIC = dict.fromkeys(ROLES, 200)
STAFF = {"anonymous": 303, "other_editor": 403, "editor": 403, "admin": 200}

GET_PAGES: dict[str, tuple[Callable[[World], str], dict[str, int]]] = {
    "/nyhetsbrev/": (lambda w: "/nyhetsbrev/", PUBLIC),
    "/nyhetsbrev/nyhetsbrev.atom": (lambda w: "/nyhetsbrev/nyhetsbrev.atom", PUBLIC),
    "/nyhetsbrev/nummer/{issue_id:id}": (lambda w: f"/nyhetsbrev/nummer/{w.sent}", PUBLIC),
    "/nyhetsbrev/prenumerera": (lambda w: "/nyhetsbrev/prenumerera", PUBLIC),
    "/nyhetsbrev/prenumerera/tack": (lambda w: "/nyhetsbrev/prenumerera/tack", PUBLIC),
    "/nyhetsbrev/bekrafta/{token}": (lambda w: f"/nyhetsbrev/bekrafta/{w.pending_token}", PUBLIC),
    "/nyhetsbrev/prenumeration/{token}": (lambda w: f"/nyhetsbrev/prenumeration/{w.token}", PUBLIC),
    "/nyhetsbrev/avsluta/{token}": (lambda w: f"/nyhetsbrev/avsluta/{w.token}", PUBLIC),
    "/nyhetsbrev/avslutad": (lambda w: "/nyhetsbrev/avslutad", PUBLIC),
    "/nyhetsbrev/admin": (lambda w: "/nyhetsbrev/admin", STAFF),
    "/nyhetsbrev/admin/{issue_id:id}": (lambda w: f"/nyhetsbrev/admin/{w.draft}", STAFF),
    "/nyhetsbrev/admin/{issue_id:id}/forhandsgranska": (
        lambda w: f"/nyhetsbrev/admin/{w.draft}/forhandsgranska",
        STAFF,
    ),
}


def get_routes(routes: list, prefix: str = "") -> Iterator[str]:
    for route in routes:
        if isinstance(route, Mount):
            yield from get_routes(route.routes or [], prefix + route.path)
        elif isinstance(route, Route) and "GET" in (route.methods or set()):
            yield prefix + route.path


def test_every_page_of_the_plugin_is_walked(walk_site):
    found = {p for p in get_routes(create_app(walk_site).routes) if p.startswith("/nyhetsbrev")}
    assert found == set(GET_PAGES), f"missing: {sorted(found - set(GET_PAGES))}"


def test_pages_as_each_person(walk_site, as_user):
    world = build_world(walk_site)
    for role in ROLES:
        client = as_user(walk_site, EMAILS.get(role))
        for route, (path, expect) in GET_PAGES.items():
            answer = client.get(path(world), follow_redirects=False)
            assert answer.status_code == expect[role], f"GET {route} as {role}: {answer.status_code}"
            if answer.status_code == 303:
                assert answer.headers["location"].startswith("/konto/logga-in?next=")


def test_absent_where_not_enabled(make_site, make_client):
    site = make_site(slug="utan", plugins=["webportal"])
    assert make_client(site).get("/nyhetsbrev/").status_code == 404
