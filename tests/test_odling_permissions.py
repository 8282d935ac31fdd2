"""Every POST route of the odling plugin, walked as five people: an
anonymous visitor, a member holding their personal link, a logged-in user
who is not a coordinator, a coordinator and a site admin.

Routes under ``/mitt/{token}`` are the member's: the right link works for
anyone holding it, every other visitor (who has no link) gets 404 for a
wrong one. The first test fails when a POST route of the plugin has no case
here, so a new route cannot ship without saying who may use it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import col, select

from core.api import mail_folder
from core.app import create_app
from core.models import OutboxMessage, Role
from plugins.odling.models import Bed, Coordinator, Crop, Harvest, Member, Observation, Planting, Signup, WorkSession
from tests.conftest import Client, add_user
from tests.odling_fixtures import TODAY, add_bed, add_member, add_planting, add_session, crop_id, odling_site
from tests.test_permissions import post_routes

ROLES = ("anonymous", "member", "editor", "coordinator", "admin")
EMAILS = {"editor": "redaktor@test.example", "coordinator": "samordnare@test.example", "admin": "admin@test.example"}
OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", "forbidden", "not_found"
ANYONE = dict.fromkeys(ROLES, OK)
LOGGED_IN = {"anonymous": LOGIN, "member": LOGIN, "editor": OK, "coordinator": OK, "admin": OK}
COORDINATORS = {"anonymous": LOGIN, "member": LOGIN, "editor": FORBIDDEN, "coordinator": OK, "admin": OK}
ADMINS = {"anonymous": LOGIN, "member": LOGIN, "editor": FORBIDDEN, "coordinator": FORBIDDEN, "admin": OK}
LINK_HOLDER = {"anonymous": NOT_FOUND, "member": OK, "editor": NOT_FOUND, "coordinator": NOT_FOUND, "admin": NOT_FOUND}


@dataclass
class World:
    site: object
    member: Member
    expired: int
    bed: int
    planting: int
    signed_up: int  # a session the member is signed up for
    open_session: int  # one they are not
    crop: int
    coordinator_user: int


def build_world(site) -> World:
    users = {
        role: add_user(site, email, Role.ADMIN if role == "admin" else Role.EDITOR) for role, email in EMAILS.items()
    }
    add_user(site, "blivande@test.example", Role.EDITOR, "Blivande Samordnare")
    with site.session() as db:
        db.add(Coordinator(user_id=users["coordinator"].id))
        db.commit()
    member = add_member(site, "Maria Medlem", "maria@test.example")
    expired = add_member(site, "Gammal Medlem", "gammal@test.example")
    with site.session() as db:
        row = db.get(Member, expired.id)
        row.delete_after = TODAY - timedelta(days=1)
        db.add(row)
        db.commit()
    bed = add_bed(site)
    planting = add_planting(site, bed, "Borago officinalis")
    signed_up = add_session(site, "Vattna", days=1)
    open_session = add_session(site, "Rensa", days=3)
    with site.session() as db:
        db.add(Signup(session_id=signed_up, member_id=member.id))
        db.commit()
    return World(
        site,
        member,
        expired.id,
        bed,
        planting,
        signed_up,
        open_session,
        crop_id(site, "Vicia faba"),
        users["coordinator"].id,
    )


def rows(world: World, model: type, *where) -> list:
    with world.site.session() as db:
        return list(db.exec(select(model).where(*where)).all())


def link_mailed(world: World) -> bool:
    """The member's link went out: once queued, the outbox worker of the
    running app sends it within moments, in its own thread."""
    deadline = time.monotonic() + 30  # returns as soon as it is sent; 5 s failed on a loaded machine
    while True:
        if any(world.member.token in f.read_text() for f in mail_folder(world.site).glob("*.eml")):
            return True
        if not rows(world, OutboxMessage, col(OutboxMessage.sent_at).is_(None)) or time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def token_for(world: World, role: str) -> str:
    return world.member.token if role == "member" else "inte-din-lank"


@dataclass
class Case:
    path: Callable[[World, str], str]
    form: Callable[[World], dict[str, object]]
    changed: Callable[[World], bool]
    expect: dict[str, str]


BED_FORM = {
    "code": "B9",
    "name": "Nya bädden",
    "kind": "badd",
    "area_m2": "10",
    "x": "10",
    "y": "10",
    "width": "50",
    "height": "50",
    "sun": "sol",
}
SESSION_FORM = {"task": "Nytt pass", "day": "2026-07-30", "start": "17:00", "end": "19:00", "places": "6", "bed": ""}

CASES: dict[str, Case] = {
    "/parken/bli-medlem": Case(
        lambda w, r: "/parken/bli-medlem",
        lambda w: {"name": "Ny Granne", "email": "granne@test.example", "interests": "odla", "consent": "y"},
        lambda w: bool(rows(w, Member, Member.name == "Ny Granne")),
        ANYONE,
    ),
    "/parken/medlem/lank": Case(
        lambda w, r: "/parken/medlem/lank",
        lambda w: {"email": "maria@test.example"},
        lambda w: link_mailed(w),
        ANYONE,
    ),
    "/parken/pollinatorer/ny": Case(
        lambda w, r: "/parken/pollinatorer/ny",
        lambda w: {"observed_on": "2026-07-10", "bed": "", "taxon": "bombus", "count": "2"},
        lambda w: bool(rows(w, Observation)),
        LOGGED_IN,
    ),
    "/parken/mitt/{token}/pass/{session_id:id}/anmal": Case(
        lambda w, r: f"/parken/mitt/{token_for(w, r)}/pass/{w.open_session}/anmal",
        lambda w: {},
        lambda w: bool(rows(w, Signup, Signup.session_id == w.open_session)),
        LINK_HOLDER,
    ),
    "/parken/mitt/{token}/pass/{session_id:id}/avboka": Case(
        lambda w, r: f"/parken/mitt/{token_for(w, r)}/pass/{w.signed_up}/avboka",
        lambda w: {},
        lambda w: not rows(w, Signup, Signup.session_id == w.signed_up),
        LINK_HOLDER,
    ),
    "/parken/mitt/{token}/observation": Case(
        lambda w, r: f"/parken/mitt/{token_for(w, r)}/observation",
        lambda w: {"observed_on": "2026-07-10", "bed": str(w.bed), "taxon": "apis-mellifera", "count": "7"},
        lambda w: bool(rows(w, Observation)),
        LINK_HOLDER,
    ),
    "/parken/mitt/{token}/radera": Case(
        lambda w, r: f"/parken/mitt/{token_for(w, r)}/radera",
        lambda w: {"bekrafta": "ja"},
        lambda w: not rows(w, Member, Member.id == w.member.id),
        LINK_HOLDER,
    ),
    "/parken/samordning/samordnare": Case(
        lambda w, r: "/parken/samordning/samordnare",
        lambda w: {"email": "blivande@test.example"},
        lambda w: len(rows(w, Coordinator)) == 2,
        ADMINS,
    ),
    "/parken/samordning/medlemmar/gallra": Case(
        lambda w, r: "/parken/samordning/medlemmar/gallra",
        lambda w: {},
        lambda w: not rows(w, Member, Member.id == w.expired),
        COORDINATORS,
    ),
    "/parken/samordning/medlemmar/{member_id:id}/ta-bort": Case(
        lambda w, r: f"/parken/samordning/medlemmar/{w.member.id}/ta-bort",
        lambda w: {},
        lambda w: not rows(w, Member, Member.id == w.member.id),
        COORDINATORS,
    ),
    "/parken/samordning/baddar/ny": Case(
        lambda w, r: "/parken/samordning/baddar/ny",
        lambda w: BED_FORM,
        lambda w: bool(rows(w, Bed, Bed.code == "B9")),
        COORDINATORS,
    ),
    "/parken/samordning/baddar/{bed_id:id}": Case(
        lambda w, r: f"/parken/samordning/baddar/{w.bed}",
        lambda w: {**BED_FORM, "code": "B1"},
        lambda w: bool(rows(w, Bed, Bed.name == "Nya bädden")),
        COORDINATORS,
    ),
    "/parken/samordning/plantering/ny": Case(
        lambda w, r: "/parken/samordning/plantering/ny",
        lambda w: {"bed": str(w.bed), "crop": str(w.crop), "season": "2026"},
        lambda w: bool(rows(w, Planting, Planting.crop_id == w.crop)),
        COORDINATORS,
    ),
    "/parken/samordning/plantering/{planting_id:id}/ta-bort": Case(
        lambda w, r: f"/parken/samordning/plantering/{w.planting}/ta-bort",
        lambda w: {},
        lambda w: not rows(w, Planting, Planting.id == w.planting),
        COORDINATORS,
    ),
    "/parken/samordning/skord": Case(
        lambda w, r: "/parken/samordning/skord",
        lambda w: {"planting": str(w.planting), "harvested_on": "2026-07-14", "quantity": "1.5", "unit": "kg"},
        lambda w: bool(rows(w, Harvest)),
        COORDINATORS,
    ),
    "/parken/samordning/vaxter/ny": Case(
        lambda w, r: "/parken/samordning/vaxter/ny",
        lambda w: {
            "name_sv": "Honungsört",
            "name_latin": "Phacelia tanacetifolia",
            "flowering": "7",
            "pollinators": "humlor",
            "lifecycle": "ettarig",
        },
        lambda w: bool(rows(w, Crop, Crop.name_sv == "Honungsört")),
        COORDINATORS,
    ),
    "/parken/samordning/vaxter/{crop_id:id}": Case(
        lambda w, r: f"/parken/samordning/vaxter/{w.crop}",
        lambda w: {
            "name_sv": "Bondböna",
            "name_latin": "Vicia faba",
            "flowering": "6",
            "pollinators": "humlor",
            "lifecycle": "ettarig",
            "notes": "Ändrad",
        },
        lambda w: bool(rows(w, Crop, Crop.notes == "Ändrad")),
        COORDINATORS,
    ),
    "/parken/samordning/pass/ny": Case(
        lambda w, r: "/parken/samordning/pass/ny",
        lambda w: SESSION_FORM,
        lambda w: bool(rows(w, WorkSession, WorkSession.task == "Nytt pass")),
        COORDINATORS,
    ),
    "/parken/samordning/pass/{session_id:id}": Case(
        lambda w, r: f"/parken/samordning/pass/{w.open_session}",
        lambda w: SESSION_FORM,
        lambda w: bool(rows(w, WorkSession, WorkSession.task == "Nytt pass")),
        COORDINATORS,
    ),
    "/parken/samordning/pass/{session_id:id}/narvaro": Case(
        lambda w, r: f"/parken/samordning/pass/{w.signed_up}/narvaro",
        lambda w: {"narvarande": str(rows(w, Signup)[0].id)},
        lambda w: bool(rows(w, Signup, Signup.attended == True)),  # noqa: E712
        COORDINATORS,
    ),
    "/parken/samordning/paminnelser": Case(
        lambda w, r: "/parken/samordning/paminnelser",
        lambda w: {},
        lambda w: all(s.reminded_at is not None for s in rows(w, Signup)),
        COORDINATORS,
    ),
}


def test_every_odling_post_route_is_in_the_table(make_site):
    site = odling_site(make_site)
    found = {path for path in post_routes(create_app(site).routes) if path.startswith("/parken")}
    assert len(found) > 15, "the walk found too few routes: is the plugin mounted at /parken?"
    assert not found - set(CASES), f"POST routes with no permission case: {sorted(found - set(CASES))}"
    assert not set(CASES) - found, f"cases for routes that no longer exist: {sorted(set(CASES) - found)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(CASES))
def test_odling_route_as(route, role, make_site, make_client):
    case = CASES[route]
    site = odling_site(make_site)
    world = build_world(site)
    client: Client = make_client(site)
    if role in EMAILS:
        client.login(EMAILS[role])
    assert not case.changed(world), f"{route}: the probe says done before the request"
    response = client.submit(case.path(world, role), case.form(world))
    expected = case.expect[role]
    if expected == OK:
        assert response.status_code == 303, f"{route} as {role}: {response.status_code} {response.text[:400]}"
        assert not response.headers["location"].startswith("/konto/logga-in")
        assert case.changed(world), f"{route} as {role}: answered 303 but changed nothing"
        return
    if expected == LOGIN:
        assert response.status_code == 303 and response.headers["location"].startswith("/konto/logga-in?next=")
    elif expected == FORBIDDEN:
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert not case.changed(world), f"{route} as {role} was refused but the change happened anyway"
