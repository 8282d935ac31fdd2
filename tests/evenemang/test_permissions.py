"""Every POST route of the events plugin (events, festival programmes and
registration), walked as four people: anonymous, the editor of another
association, the organising association's editor and a site admin. The
first test fails if a POST route of the plugin is missing from the table,
so no route ships without saying who may use it. The redirect-after-POST
walk (tests/test_redirect_after_post.py) sends each case's form too.

(One table: the events' and the programmes' walks used to be two files
that repeated each other.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlmodel import select
from starlette.routing import Route

from core.app import create_app
from core.site import Site
from core.testing import Client
from plugins.evenemang import registration_store as regs
from plugins.evenemang.models import Event, Review
from plugins.evenemang.programme_models import ItemState, Programme, ProgrammeItem
from plugins.evenemang.programme_routes import programme_routes, registration_routes
from plugins.evenemang.registration_models import Registration, RegistrationSetup, RegState
from tests.evenemang.conftest import ADMIN, EDITOR, OTHER_EDITOR, event_form
from tests.evenemang.programme_helpers import PROGRAMME, event_with_places, item_form, make_programme, submit_item
from tests.evenemang.routes_of import evenemang_paths
from tests.test_permissions import post_routes

ROLES = ("anonymous", "other_editor", "editor", "admin")
EMAILS = {"other_editor": OTHER_EDITOR, "editor": EDITOR, "admin": ADMIN}
OK, LOGIN, FORBIDDEN, REFUSED = "ok", "login", "forbidden", "refused"
ADMIN_ONLY = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": FORBIDDEN, "admin": OK}
OWN_EDITOR = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": OK, "admin": OK}
ANYONE = dict.fromkeys(ROLES, OK)


def plugin_paths() -> set[str]:
    """Every route path of the plugin: events, programmes and registration."""
    extra = [*programme_routes(), *registration_routes()]
    return evenemang_paths() | {r.path for r in extra if isinstance(r, Route)}


@dataclass
class World:
    site: Site
    event: int  # the editor's association's event
    pending: int  # an event waiting for an admin's approval
    item: int  # a programme submission by the editor
    places_event: int  # an event with registration, Vera signed up
    cancel_path: str
    confirm_path: str  # Vaino's sign-up by e-mail, not yet confirmed


def build_world(site: Site, as_user: Callable[[Site, str | None], Client]) -> World:
    admin, editor = as_user(site, ADMIN), as_user(site, EDITOR)
    event = int(editor.submit("/evenemang/nytt", event_form(title="Egna mötet")).headers["location"].rsplit("/", 1)[-1])
    other = int(editor.submit("/evenemang/nytt", event_form(title="Väntande")).headers["location"].rsplit("/", 1)[-1])
    with site.session() as db:
        row = db.get(Event, other)
        assert row is not None
        row.review = Review.PENDING
        db.add(row)
        db.commit()
    make_programme(admin)
    item = submit_item(editor)
    places_event = event_with_places(editor, places=5)
    with site.session() as db:
        found = db.get(Event, places_event)
        assert found is not None
    regs.sign_up(site, found, "Vera", "vera@example.se", None, waiting_ok=False)
    regs.request_sign_up(site, found, "Väinö", "vaino@example.se", None, waiting_ok=False)
    with site.session() as db:
        vera = db.exec(select(Registration).where(Registration.email == "vera@example.se")).one()
        vaino = db.exec(select(Registration).where(Registration.email == "vaino@example.se")).one()
        cancel = "/evenemang/avboka/" + regs.cancel_token(site, vera)
        confirm = "/" + regs.confirm_url(site, vaino).split("/", 3)[3]
    return World(site, event, other, item, places_event, cancel, confirm)


def _titled(world: World, title: str) -> bool:
    with world.site.session() as db:
        return db.exec(select(Event).where(Event.title == title)).first() is not None


def _review(world: World, event_id: int) -> str:
    with world.site.session() as db:
        row = db.get(Event, event_id)
        return row.review if row is not None else ""


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


def _state_of(w: World, email: str) -> str:
    with w.site.session() as db:
        row = db.exec(select(Registration).where(Registration.email == email)).first()
        return row.state if row is not None else ""


def _places(w: World) -> int:
    with w.site.session() as db:
        return db.exec(select(RegistrationSetup).where(RegistrationSetup.event_id == w.places_event)).one().places


@dataclass
class Case:
    path: Callable[[World], str]
    form: Callable[[World], dict[str, object]]
    changed: Callable[[World], bool]
    expect: dict[str, str]


CASES: dict[str, Case] = {
    # -- events
    "/evenemang/nytt": Case(
        lambda w: "/evenemang/nytt",
        lambda w: event_form(title="Nytt möte"),
        lambda w: _titled(w, "Nytt möte"),
        # The other editor is not PRO Karlskoga's: the form says so (400).
        {"anonymous": LOGIN, "other_editor": REFUSED, "editor": OK, "admin": OK},
    ),
    "/evenemang/{event_id:id}/redigera": Case(
        lambda w: f"/evenemang/{w.event}/redigera",
        lambda w: event_form(title="Ändrat möte"),
        lambda w: _titled(w, "Ändrat möte"),
        OWN_EDITOR,
    ),
    "/evenemang/{event_id:id}/ta-bort": Case(
        lambda w: f"/evenemang/{w.event}/ta-bort",
        lambda w: {"bekrafta": "ja"},
        lambda w: not _titled(w, "Egna mötet"),
        OWN_EDITOR,
    ),
    "/evenemang/{event_id:id}/granska": Case(
        lambda w: f"/evenemang/{w.pending}/granska",
        lambda w: {"beslut": "publicera"},
        lambda w: _review(w, w.pending) == Review.PUBLISHED,
        ADMIN_ONLY,
    ),
    # -- festival programmes
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
    # -- registration: signing up is for everyone (it waits for the mailed link);
    # the confirmation and cancellation links are their own authority.
    "/evenemang/{event_id:id}/anmal": Case(
        lambda w: f"/evenemang/{w.places_event}/anmal",
        lambda w: {"name": "Ny Deltagare", "email": "ny@example.se"},
        lambda w: _state_of(w, "ny@example.se") == RegState.PENDING,
        ANYONE,
    ),
    "/evenemang/bekrafta/{token}": Case(
        lambda w: w.confirm_path,
        lambda w: {},
        lambda w: _state_of(w, "vaino@example.se") == RegState.CONFIRMED,
        ANYONE,
    ),
    "/evenemang/avboka/{token}": Case(
        lambda w: w.cancel_path, lambda w: {}, lambda w: _state_of(w, "vera@example.se") == RegState.CANCELLED, ANYONE
    ),
    "/evenemang/{event_id:id}/anmalan": Case(
        lambda w: f"/evenemang/{w.places_event}/anmalan",
        lambda w: {"places": "9", "is_open": "y", "waiting_list": "y"},
        lambda w: _places(w) == 9,
        OWN_EDITOR,
    ),
}


def test_every_post_route_of_the_plugin_is_in_the_table(ev_site):
    found = set(post_routes(create_app(ev_site).routes)) & plugin_paths()
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


def test_an_editors_own_pages_show_only_what_they_may_change(ev_site, as_user):
    build_world(ev_site, as_user)
    mine = as_user(ev_site, EDITOR).get("/evenemang/mina").text
    assert "Egna mötet" in mine
    theirs = as_user(ev_site, OTHER_EDITOR).get("/evenemang/mina").text
    assert "Egna mötet" not in theirs
    assert as_user(ev_site, EDITOR).get("/evenemang/granska").status_code == 403


def test_the_review_queue_and_participant_pages_are_for_their_people(ev_site, as_user):
    world = build_world(ev_site, as_user)
    assert as_user(ev_site, EDITOR).get("/evenemang/program/kalaset-2026/granska").status_code == 403
    assert as_user(ev_site, ADMIN).get("/evenemang/program/kalaset-2026/granska").status_code == 200
    for page in (f"/evenemang/{world.places_event}/deltagare", f"/evenemang/{world.places_event}/deltagare.csv"):
        assert as_user(ev_site, OTHER_EDITOR).get(page).status_code == 403
        assert as_user(ev_site, EDITOR).get(page).status_code == 200
    assert as_user(ev_site, EDITOR).get("/evenemang/nytt-program").status_code == 403
    assert as_user(ev_site, OTHER_EDITOR).get("/evenemang/program/kalaset-2026/bidra").status_code == 200
