"""Every POST route of the events plugin, walked as four people: anonymous,
the editor of another association, the organising association's editor and
a site admin. The first test fails if a POST route of the plugin is missing
from the table, so no route ships without saying who may use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import select
from starlette.routing import Mount, Route

from core.app import create_app
from core.site import Site
from core.testing import Client
from plugins.evenemang.models import Event, Review
from tests.evenemang.conftest import ADMIN, EDITOR, OTHER_EDITOR, event_form
from tests.evenemang.routes_of import evenemang_paths

ROLES = ("anonymous", "other_editor", "editor", "admin")
EMAILS = {"other_editor": OTHER_EDITOR, "editor": EDITOR, "admin": ADMIN}
OK, LOGIN, FORBIDDEN, REFUSED = "ok", "login", "forbidden", "refused"


@dataclass
class World:
    site: Site
    event: int
    pending: int


def build_world(site: Site, as_user: Callable[[Site, str | None], Client]) -> World:
    editor = as_user(site, EDITOR)
    event = int(editor.submit("/evenemang/nytt", event_form(title="Egna mötet")).headers["location"].rsplit("/", 1)[-1])
    other = int(editor.submit("/evenemang/nytt", event_form(title="Väntande")).headers["location"].rsplit("/", 1)[-1])
    with site.session() as db:
        row = db.get(Event, other)
        assert row is not None
        row.review = Review.PENDING
        db.add(row)
        db.commit()
    return World(site, event, other)


def _titled(world: World, title: str) -> bool:
    with world.site.session() as db:
        return db.exec(select(Event).where(Event.title == title)).first() is not None


def _review(world: World, event_id: int) -> str:
    with world.site.session() as db:
        row = db.get(Event, event_id)
        return row.review if row is not None else ""


@dataclass
class Case:
    path: Callable[[World], str]
    form: Callable[[World], dict[str, object]]
    changed: Callable[[World], bool]
    expect: dict[str, str]


CASES: dict[str, Case] = {
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
        {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": OK, "admin": OK},
    ),
    "/evenemang/{event_id:id}/ta-bort": Case(
        lambda w: f"/evenemang/{w.event}/ta-bort",
        lambda w: {"bekrafta": "ja"},
        lambda w: not _titled(w, "Egna mötet"),
        {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": OK, "admin": OK},
    ),
    "/evenemang/{event_id:id}/granska": Case(
        lambda w: f"/evenemang/{w.pending}/granska",
        lambda w: {"beslut": "publicera"},
        lambda w: _review(w, w.pending) == Review.PUBLISHED,
        {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": FORBIDDEN, "admin": OK},
    ),
}


def post_routes(routes: list, prefix: str = "") -> Iterator[str]:
    for route in routes:
        if isinstance(route, Mount):
            yield from post_routes(route.routes or [], prefix + route.path)
        elif isinstance(route, Route) and "POST" in (route.methods or set()):
            yield prefix + route.path


def test_every_post_route_of_the_plugin_is_in_the_table(ev_site):
    found = set(post_routes(create_app(ev_site).routes)) & evenemang_paths()
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
