"""Every route of the lokaler plugin, walked as four people: anonymous, the
editor of another association, the booking association's editor and a site
admin. The first test fails if a POST route of the plugin is missing from
the table; the GET walk says which pages each person may open (anonymous
only the public ones)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import select
from starlette.routing import Mount, Route

from core.app import create_app
from core.site import Site
from core.testing import Client
from plugins.lokaler.models import Booking, BookingStatus, Resource
from tests.lokaler.conftest import ADMIN, EDITOR, OTHER_EDITOR, add_rooms, booking_form, make_lok_site
from tests.lokaler.test_requests import request_form

ROLES = ("anonymous", "other_editor", "editor", "admin")
EMAILS = {"other_editor": OTHER_EDITOR, "editor": EDITOR, "admin": ADMIN}
OK, LOGIN, FORBIDDEN, REFUSED = "ok", "login", "forbidden", "refused"
ADMIN_ONLY = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": FORBIDDEN, "admin": OK}
OWN_EDITOR = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": OK, "admin": OK}


@dataclass
class World:
    site: Site
    room: int
    booking: int
    requested: int
    #: Made on first use by the closed-day and office walks.
    closed_day: int | None = None
    office: int | None = None


def build_world(site: Site, as_user: Callable[[Site, str | None], Client]) -> World:
    rooms = add_rooms(site)
    editor = as_user(site, EDITOR)
    editor.submit(f"/lokaler/{rooms['Mötesrum Ekan']}/boka", booking_form(title="Eget möte"))
    editor.submit(
        f"/lokaler/{rooms['Ungdomslokalen']}/boka", booking_form(title="Väntande", day="2027-03-12", end="19:00")
    )
    with site.session() as db:
        own = db.exec(select(Booking).where(Booking.title == "Eget möte")).one()
        waiting = db.exec(select(Booking).where(Booking.title == "Väntande")).one()
        assert own.id and waiting.id and waiting.status == BookingStatus.REQUESTED
        return World(site, rooms["Mötesrum Ekan"], own.id, waiting.id)


def _booking(world: World, booking_id: int) -> Booking:
    with world.site.session() as db:
        row = db.get(Booking, booking_id)
        assert row is not None
        return row


def _interests(world: World) -> int:
    from plugins.lokaler.models import OfficeInterest

    with world.site.session() as db:
        return len(db.exec(select(OfficeInterest)).all())


def _titled(world: World, title: str) -> bool:
    with world.site.session() as db:
        return db.exec(select(Booking).where(Booking.title == title)).first() is not None


def _requested_by(world: World, email: str) -> bool:
    with world.site.session() as db:
        return db.exec(select(Booking).where(Booking.contact_email == email)).first() is not None


def _closed_day(world: World) -> int:
    """A closed day for the removal walk, made once per world."""
    from datetime import date

    from plugins.lokaler.models import ClosedDay

    if world.closed_day is None:
        with world.site.session() as db:
            row = ClosedDay(day=date(2027, 3, 19), reason="Städdag att ta bort")
            db.add(row)
            db.commit()
            assert row.id is not None
            world.closed_day = row.id
    return world.closed_day


def _closed_day_removed(world: World) -> bool:
    from plugins.lokaler.models import ClosedDay

    with world.site.session() as db:
        return world.closed_day is not None and db.get(ClosedDay, world.closed_day) is None


def _closed_reason(world: World, reason: str) -> bool:
    from plugins.lokaler.models import ClosedDay

    with world.site.session() as db:
        return db.exec(select(ClosedDay).where(ClosedDay.reason == reason)).first() is not None


def _office(world: World) -> int:
    """An office for the tenancy walk, made once per world."""
    from plugins.lokaler.models import Office

    if world.office is None:
        with world.site.session() as db:
            row = Office(name="Kontor att hyra ut")
            db.add(row)
            db.commit()
            assert row.id is not None
            world.office = row.id
    return world.office


def _office_rented(world: World) -> bool:
    from plugins.lokaler.models import Office

    with world.site.session() as db:
        return db.exec(select(Office).where(Office.tenant_slug == "pro-karlskoga")).first() is not None


def _office_named(world: World, name: str) -> bool:
    from plugins.lokaler.models import Office

    with world.site.session() as db:
        return db.exec(select(Office).where(Office.name == name)).first() is not None


OFFICE_FORM = {"name": "Kontor att hyra ut", "tenant": "pro-karlskoga", "period_start": "2027-04-01"}


@dataclass
class Case:
    path: Callable[[World], str]
    form: Callable[[World], dict[str, object]]
    changed: Callable[[World], bool]
    expect: dict[str, str]


def resource_form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Lilla salen",
        "kind": "room",
        "capacity": "20",
        "hours_0": "08:00–22:00",
        "hours_1": "08:00-22:00",
        "min_minutes": "30",
        "max_minutes": "240",
        "max_days_ahead": "180",
        "buffer_minutes": "0",
        "cancel_hours": "24",
        "for_members": "y",
        "approval": "auto",
    }
    data.update(overrides)
    return data


def _resource_named(world: World, name: str) -> Resource | None:
    with world.site.session() as db:
        return db.exec(select(Resource).where(Resource.name == name)).first()


CASES: dict[str, Case] = {
    "/lokaler/ny": Case(
        lambda w: "/lokaler/ny",
        lambda w: resource_form(),
        lambda w: _resource_named(w, "Lilla salen") is not None,
        ADMIN_ONLY,
    ),
    "/lokaler/{resource_id:id}/redigera": Case(
        lambda w: f"/lokaler/{w.room}/redigera",
        lambda w: resource_form(name="Mötesrum Eken"),
        lambda w: _resource_named(w, "Mötesrum Eken") is not None,
        ADMIN_ONLY,
    ),
    "/lokaler/{resource_id:id}/ta-bort": Case(
        lambda w: f"/lokaler/{w.room}/ta-bort",
        lambda w: {},
        lambda w: not getattr(_resource_named(w, "Mötesrum Ekan"), "is_active", True),
        ADMIN_ONLY,
    ),
    "/lokaler/{resource_id:id}/boka": Case(
        lambda w: f"/lokaler/{w.room}/boka",
        lambda w: booking_form(title="Nytt möte", day="2027-03-11"),
        lambda w: _titled(w, "Nytt möte"),
        # The other editor is not PRO Karlskoga's: the form says so (400).
        {"anonymous": LOGIN, "other_editor": REFUSED, "editor": OK, "admin": OK},
    ),
    "/lokaler/{resource_id:id}/forfragan": Case(
        lambda w: f"/lokaler/{w.room}/forfragan",
        lambda w: request_form(day="2027-03-11"),
        lambda w: _requested_by(w, "sara@schack.example"),
        # A request needs no account: anyone may send one.
        dict.fromkeys(ROLES, OK),
    ),
    "/lokaler/bokning/{booking_id:id}/avboka": Case(
        lambda w: f"/lokaler/bokning/{w.booking}/avboka",
        lambda w: {},
        lambda w: _booking(w, w.booking).status == BookingStatus.CANCELLED,
        OWN_EDITOR,
    ),
    "/lokaler/bokning/{booking_id:id}/beslut": Case(
        lambda w: f"/lokaler/bokning/{w.requested}/beslut",
        lambda w: {"beslut": "godkann", "message": ""},
        lambda w: _booking(w, w.requested).status == BookingStatus.CONFIRMED,
        ADMIN_ONLY,
    ),
    "/lokaler/bokning/{booking_id:id}/flytta": Case(
        lambda w: f"/lokaler/bokning/{w.booking}/flytta",
        lambda w: {"day": "2027-03-10", "start": "17:00", "end": "19:00", "message": "Salen behövs."},
        lambda w: _booking(w, w.booking).sequence == 1,
        ADMIN_ONLY,
    ),
    "/lokaler/kontor/intresse": Case(
        lambda w: "/lokaler/kontor/intresse",
        lambda w: {"organisation": "Nya föreningen", "name": "Nina Ny", "email": "nina@ny.example", "consent": "y"},
        lambda w: _interests(w) == 1,
        dict.fromkeys(ROLES, OK),
    ),
    "/lokaler/kontor/ny": Case(
        lambda w: "/lokaler/kontor/ny",
        lambda w: {"name": "Skrivbord C", "tenant": ""},
        lambda w: _office_named(w, "Skrivbord C"),
        ADMIN_ONLY,
    ),
    "/lokaler/kontor/{office_id:id}/redigera": Case(
        lambda w: f"/lokaler/kontor/{_office(w)}/redigera",
        lambda w: OFFICE_FORM,
        _office_rented,
        ADMIN_ONLY,
    ),
    "/lokaler/stangt": Case(
        lambda w: "/lokaler/stangt",
        lambda w: {"day": "2027-03-20", "resource": "huset", "reason": "Städdag"},
        lambda w: _closed_reason(w, "Städdag"),
        ADMIN_ONLY,
    ),
    "/lokaler/stangt/{closed_id:id}/ta-bort": Case(
        lambda w: f"/lokaler/stangt/{_closed_day(w)}/ta-bort",
        lambda w: {},
        _closed_day_removed,
        ADMIN_ONLY,
    ),
    "/lokaler/bokning/{booking_id:id}/tilltrade": Case(
        lambda w: f"/lokaler/bokning/{w.booking}/tilltrade",
        lambda w: {"access_note": "Portkod 4711"},
        lambda w: _booking(w, w.booking).access_note == "Portkod 4711",
        ADMIN_ONLY,
    ),
}


def post_routes(routes: list, prefix: str = "") -> Iterator[str]:
    for route in routes:
        if isinstance(route, Mount):
            yield from post_routes(route.routes or [], prefix + route.path)
        elif isinstance(route, Route) and "POST" in (route.methods or set()):
            yield prefix + route.path


@pytest.fixture
def walk_site(make_site) -> Site:
    return make_lok_site(make_site)


def test_every_post_route_of_the_plugin_is_in_the_table(walk_site):
    found = {p for p in post_routes(create_app(walk_site).routes) if p.startswith("/lokaler")}
    assert found, "no POST routes found: the walk is broken"
    assert found == set(CASES), f"missing: {sorted(found - set(CASES))}, stale: {sorted(set(CASES) - found)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(CASES))
def test_mutating_route_as(route, role, walk_site, as_user):
    case = CASES[route]
    world = build_world(walk_site, as_user)
    client = as_user(walk_site, EMAILS.get(role))
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


PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"anonymous": 303, "other_editor": 200, "editor": 200, "admin": 200}
OWN = {"anonymous": 303, "other_editor": 403, "editor": 200, "admin": 200}
OWN_BOOKING = {"anonymous": 303, "other_editor": 404, "editor": 200, "admin": 200}
STAFF = {"anonymous": 303, "other_editor": 403, "editor": 403, "admin": 200}

GET_PAGES: dict[str, tuple[Callable[[World], str], dict[str, int]]] = {
    "/lokaler/": (lambda w: "/lokaler/", PUBLIC),
    "/lokaler/{resource_id:id}": (lambda w: f"/lokaler/{w.room}", PUBLIC),
    "/lokaler/{resource_id:id}/kalender.ics": (lambda w: f"/lokaler/{w.room}/kalender.ics", PUBLIC),
    "/lokaler/forening/{slug}/kalender.ics": (lambda w: "/lokaler/forening/pro-karlskoga/kalender.ics", PUBLIC),
    "/lokaler/{resource_id:id}/boka": (lambda w: f"/lokaler/{w.room}/boka", SIGNED_IN),
    "/lokaler/{resource_id:id}/forfragan": (lambda w: f"/lokaler/{w.room}/forfragan", PUBLIC),
    "/lokaler/{resource_id:id}/forfragan/tack": (lambda w: f"/lokaler/{w.room}/forfragan/tack", PUBLIC),
    "/lokaler/mina": (lambda w: "/lokaler/mina", SIGNED_IN),
    "/lokaler/forening/{slug}": (lambda w: "/lokaler/forening/pro-karlskoga", OWN),
    "/lokaler/bokning/{booking_id:id}": (lambda w: f"/lokaler/bokning/{w.booking}", OWN_BOOKING),
    "/lokaler/bokning/{booking_id:id}/flytta": (lambda w: f"/lokaler/bokning/{w.booking}/flytta", STAFF),
    "/lokaler/granska": (lambda w: "/lokaler/granska", STAFF),
    "/lokaler/huset": (lambda w: "/lokaler/huset", STAFF),
    "/lokaler/dagblad": (lambda w: "/lokaler/dagblad", STAFF),
    "/lokaler/statistik": (lambda w: "/lokaler/statistik", STAFF),
    "/lokaler/ny": (lambda w: "/lokaler/ny", STAFF),
    "/lokaler/{resource_id:id}/redigera": (lambda w: f"/lokaler/{w.room}/redigera", STAFF),
    "/lokaler/kontor": (lambda w: "/lokaler/kontor", PUBLIC),
    "/lokaler/kontor/intresse": (lambda w: "/lokaler/kontor/intresse", PUBLIC),
    "/lokaler/kontor/alla": (lambda w: "/lokaler/kontor/alla", STAFF),
    "/lokaler/stangt": (lambda w: "/lokaler/stangt", STAFF),
    "/lokaler/kontor/ny": (lambda w: "/lokaler/kontor/ny", STAFF),
    "/lokaler/kontor/{office_id:id}/redigera": (lambda w: f"/lokaler/kontor/{_office(w)}/redigera", STAFF),
}


def get_routes(routes: list, prefix: str = "") -> Iterator[str]:
    for route in routes:
        if isinstance(route, Mount):
            yield from get_routes(route.routes or [], prefix + route.path)
        elif isinstance(route, Route) and "GET" in (route.methods or set()):
            yield prefix + route.path


def test_every_page_of_the_plugin_is_walked(walk_site):
    found = {p for p in get_routes(create_app(walk_site).routes) if p.startswith("/lokaler")}
    assert found == set(GET_PAGES), f"missing: {sorted(found - set(GET_PAGES))}"


def test_pages_as_each_person(walk_site, as_user):
    world = build_world(walk_site, as_user)
    for role in ROLES:
        client = as_user(walk_site, EMAILS.get(role))
        for route, (path, expect) in GET_PAGES.items():
            answer = client.get(path(world), follow_redirects=False)
            assert answer.status_code == expect[role], f"GET {route} as {role}: {answer.status_code}"
            if answer.status_code == 303:
                assert answer.headers["location"].startswith("/konto/logga-in?next=")


def test_absent_where_not_enabled(make_site, make_client):
    site = make_site(slug="utan", plugins=["webportal"])
    assert make_client(site).get("/lokaler/").status_code == 404
