"""The permission walk of festival programmes and registration: every POST
route of theirs, as anonymous, the editor of another association, the
organising association's editor and a site admin. The first test fails
when a POST route of theirs is missing from the table (the events
plugin's own routes are walked in ``test_permissions.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import select
from starlette.routing import Mount, Route

from core.app import create_app
from core.site import Site
from core.testing import Client
from plugins.evenemang import registration_store as regs
from plugins.evenemang.models import Event
from plugins.evenemang.programme_models import ItemState, Programme, ProgrammeItem
from plugins.evenemang.programme_routes import programme_routes, registration_routes
from plugins.evenemang.registration_models import Registration, RegistrationSetup, RegState
from tests.evenemang.conftest import ADMIN, EDITOR, OTHER_EDITOR
from tests.evenemang.programme_helpers import PROGRAMME, event_with_places, item_form, make_programme, submit_item

ROLES = ("anonymous", "other_editor", "editor", "admin")
EMAILS = {"other_editor": OTHER_EDITOR, "editor": EDITOR, "admin": ADMIN}
OK, LOGIN, FORBIDDEN, REFUSED = "ok", "login", "forbidden", "refused"
ADMIN_ONLY = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": FORBIDDEN, "admin": OK}
OWN_EDITOR = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": OK, "admin": OK}
ANYONE = dict.fromkeys(ROLES, OK)


def post_routes(routes: list, prefix: str = "") -> Iterator[str]:
    for route in routes:
        if isinstance(route, Mount):
            yield from post_routes(route.routes or [], prefix + route.path)
        elif isinstance(route, Route) and "POST" in (route.methods or set()):
            yield prefix + route.path


def my_paths() -> set[str]:
    return {r.path for r in [*programme_routes(), *registration_routes()] if isinstance(r, Route)}


@dataclass
class World:
    site: Site
    item: int
    event: int
    cancel_path: str


def build_world(site: Site, as_user: Callable[[Site, str | None], Client]) -> World:
    admin, editor = as_user(site, ADMIN), as_user(site, EDITOR)
    make_programme(admin)
    item = submit_item(editor)
    event = event_with_places(editor, places=5)
    with site.session() as db:
        found = db.get(Event, event)
        assert found is not None
    regs.sign_up(site, found, "Vera", "vera@example.se", None, waiting_ok=False)
    with site.session() as db:
        row = db.exec(select(Registration).where(Registration.email == "vera@example.se")).one()
        path = "/evenemang/avboka/" + regs.cancel_token(site, row)
    return World(site, item, event, path)


def _item(w: World) -> ProgrammeItem:
    with w.site.session() as db:
        row = db.get(ProgrammeItem, w.item)
        assert row is not None
        return row


def _programme_titled(w: World, title: str) -> bool:
    with w.site.session() as db:
        return db.exec(select(Programme).where(Programme.title == title)).first() is not None


def _items_titled(w: World, title: str) -> bool:
    with w.site.session() as db:
        return db.exec(select(ProgrammeItem).where(ProgrammeItem.title == title)).first() is not None


def _registered(w: World, email: str) -> bool:
    with w.site.session() as db:
        return db.exec(select(Registration).where(Registration.email == email)).first() is not None


def _places(w: World) -> int:
    with w.site.session() as db:
        return db.exec(select(RegistrationSetup).where(RegistrationSetup.event_id == w.event)).one().places


def _cancelled(w: World) -> bool:
    with w.site.session() as db:
        row = db.exec(select(Registration).where(Registration.email == "vera@example.se")).one()
        return row.state == RegState.CANCELLED


@dataclass
class Case:
    path: Callable[[World], str]
    form: Callable[[World], dict[str, object]]
    changed: Callable[[World], bool]
    expect: dict[str, str]


CASES: dict[str, Case] = {
    "/evenemang/nytt-program": Case(
        lambda w: "/evenemang/nytt-program",
        lambda w: {**PROGRAMME, "title": "Framtidsveckan", "slug": "framtidsveckan"},
        lambda w: _programme_titled(w, "Framtidsveckan"),
        ADMIN_ONLY,
    ),
    "/evenemang/program/{slug}/redigera": Case(
        lambda w: "/evenemang/program/kalaset-2026/redigera",
        lambda w: {**PROGRAMME, "title": "Kalaset, ändrat"},
        lambda w: _programme_titled(w, "Kalaset, ändrat"),
        ADMIN_ONLY,
    ),
    "/evenemang/program/{slug}/bidra": Case(
        lambda w: "/evenemang/program/kalaset-2026/bidra",
        lambda w: item_form(title="Nytt bidrag"),
        lambda w: _items_titled(w, "Nytt bidrag"),
        # The other editor has an association, but not PRO Karlskoga: the form says so (400).
        {"anonymous": LOGIN, "other_editor": REFUSED, "editor": OK, "admin": OK},
    ),
    "/evenemang/bidrag/{item_id:id}": Case(
        lambda w: f"/evenemang/bidrag/{w.item}",
        lambda w: item_form(title="Ändrat bidrag"),
        lambda w: _item(w).title == "Ändrat bidrag",
        OWN_EDITOR,
    ),
    "/evenemang/bidrag/{item_id:id}/granska": Case(
        lambda w: f"/evenemang/bidrag/{w.item}/granska",
        lambda w: {"beslut": "accept"},
        lambda w: _item(w).state == ItemState.ACCEPTED,
        ADMIN_ONLY,
    ),
    # Signing up is for everyone; the cancel link is its own authority.
    "/evenemang/{event_id:id}/anmal": Case(
        lambda w: f"/evenemang/{w.event}/anmal",
        lambda w: {"name": "Ny Deltagare", "email": "ny@example.se"},
        lambda w: _registered(w, "ny@example.se"),
        ANYONE,
    ),
    "/evenemang/avboka/{token}": Case(lambda w: w.cancel_path, lambda w: {}, _cancelled, ANYONE),
    "/evenemang/{event_id:id}/anmalan": Case(
        lambda w: f"/evenemang/{w.event}/anmalan",
        lambda w: {"places": "9", "is_open": "y", "waiting_list": "y"},
        lambda w: _places(w) == 9,
        OWN_EDITOR,
    ),
}


def test_every_post_route_of_programmes_and_registration_is_in_the_table(ev_site):
    found = set(post_routes(create_app(ev_site).routes)) & my_paths()
    assert found, "no POST routes found: the walk is broken"
    assert found == set(CASES), f"missing: {sorted(found - set(CASES))}, stale: {sorted(set(CASES) - found)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(CASES))
def test_mutating_route_as(route, role, ev_site, as_user):
    case = CASES[route]
    world = build_world(ev_site, as_user)
    client = as_user(ev_site, EMAILS.get(role))
    assert not case.changed(world), f"{route} as {role}: the probe says done before the request"
    response = client.submit(case.path(world), case.form(world))
    expected = case.expect[role]
    if expected == OK:
        assert response.status_code == 303, f"{route} as {role}: {response.status_code} {response.text[:300]}"
        assert not response.headers["location"].startswith("/konto/logga-in")
        assert case.changed(world), f"{route} as {role}: answered 303 but changed nothing"
        return
    if expected == LOGIN:
        assert response.status_code == 303 and response.headers["location"].startswith("/konto/logga-in?next=")
    elif expected == FORBIDDEN:
        assert response.status_code == 403
    else:
        assert response.status_code == 400
    assert not case.changed(world), f"{route} as {role} was refused but the change happened anyway"


def test_the_review_queue_and_participant_pages_are_for_their_people(ev_site, as_user):
    world = build_world(ev_site, as_user)
    assert as_user(ev_site, EDITOR).get("/evenemang/program/kalaset-2026/granska").status_code == 403
    assert as_user(ev_site, ADMIN).get("/evenemang/program/kalaset-2026/granska").status_code == 200
    assert as_user(ev_site, OTHER_EDITOR).get(f"/evenemang/{world.event}/deltagare").status_code == 403
    assert as_user(ev_site, EDITOR).get(f"/evenemang/{world.event}/deltagare").status_code == 200
    assert as_user(ev_site, EDITOR).get("/evenemang/nytt-program").status_code == 403
    assert as_user(ev_site, OTHER_EDITOR).get("/evenemang/program/kalaset-2026/bidra").status_code == 200
