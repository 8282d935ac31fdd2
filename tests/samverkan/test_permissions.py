"""Every route of the samverkan plugin, walked as four people: anonymous,
the editor of another association, the offered association's editor and a
site admin. The first tests fail if a route of the plugin is missing from
the tables; the POST walk checks, through the database, that a refused
request changed nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select
from starlette.routing import Mount, Route

from core.app import create_app
from core.site import Site
from core.testing import Client
from plugins.samverkan.models import (
    Action,
    Assignment,
    Interest,
    Meeting,
    Offer,
    Project,
    Report,
    SocialEnterprise,
    Statement,
)
from tests.samverkan.conftest import ADMIN, EDITOR, OTHER_EDITOR, assignment_form, make_sam_site

ROLES = ("anonymous", "other_editor", "editor", "admin")
EMAILS = {"other_editor": OTHER_EDITOR, "editor": EDITOR, "admin": ADMIN}
OK, LOGIN, FORBIDDEN, REFUSED = "ok", "login", "forbidden", "refused"
ADMIN_ONLY = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": FORBIDDEN, "admin": OK}


@dataclass
class World:
    site: Site
    assignment: int
    offer: int
    meeting: int
    action: int
    statement: int
    project: int
    sent: int
    public: int  # an open assignment shown publicly, where anyone may report interest
    interest: int  # an interest registered in it


def build_world(site: Site, as_user: Callable[[Site, str | None], Client]) -> World:
    as_user(site, None).submit("/samverkan/uppdrag/nytt", assignment_form())
    with site.session() as db:
        assignment = db.exec(select(Assignment)).one()
        assert assignment.id
        offer = Offer(assignment_id=assignment.id, association_slug="pro-karlskoga", association_name="PRO Karlskoga")
        meeting = Meeting(title="Nätverksträff", day=date(2026, 9, 1), civil_society=10)
        statement = Statement(topic="Remiss", recipient="Kommunstyrelsen", day=date(2026, 9, 2))
        project = Project(title="Projekt", lead="PRO Karlskoga", funder="Arvsfonden")
        public = Assignment(
            title="Öppet uppdrag",
            description="Fika vid dialogmöte",
            requester="Kommunen",
            status="open",
            show_public=True,
        )
        db.add_all([offer, meeting, statement, project, public])
        db.commit()
        interest = Interest(
            assignment_id=public.id or 0,
            association_name="PRO Karlskoga",
            contact_name="Per Pro",
            contact_email="per@pro.example",
            message="Vi kan.",
        )
        db.add(interest)
        db.commit()
        action = Action(meeting_id=meeting.id or 0, what="Skicka anteckningar", owner="Kansliet")
        db.add(action)
        db.commit()
    # A sent (frozen) report of the last tertial, as staff make one.
    assert as_user(site, ADMIN).submit("/samverkan/admin/rapport/skicka?period=2026-T2", {}).status_code == 303
    with site.session() as db:
        sent = db.exec(select(Report)).one()
        return World(
            site,
            assignment.id,
            offer.id or 0,
            meeting.id or 0,
            action.id or 0,
            statement.id or 0,
            project.id or 0,
            sent.id or 0,
            public.id or 0,
            interest.id or 0,
        )


def _reports(world: World, sent: bool) -> int:
    with world.site.session() as db:
        return len([r for r in db.exec(select(Report)).all() if (r.sent_at is not None) == sent])


def _get(world: World, model, row_id: int):  # type: ignore[no-untyped-def]
    with world.site.session() as db:
        return db.get(model, row_id)


def _count(world: World, model) -> int:  # type: ignore[no-untyped-def]
    with world.site.session() as db:
        return len(db.exec(select(model)).all())


@dataclass
class Case:
    path: Callable[[World], str]
    form: Callable[[World], dict[str, object]]
    changed: Callable[[World], bool]
    expect: dict[str, str]


CASES: dict[str, Case] = {
    "/samverkan/uppdrag/nytt": Case(
        lambda w: "/samverkan/uppdrag/nytt",
        lambda w: assignment_form(title="Ett till uppdrag"),
        lambda w: _count(w, Assignment) == 3,
        dict.fromkeys(ROLES, OK),
    ),
    "/samverkan/uppdrag/{assignment_id:id}/intresse": Case(
        lambda w: f"/samverkan/uppdrag/{w.public}/intresse",
        lambda w: {
            "association_name": "Degerfors IF Ungdom",
            "contact_name": "Dana Deg",
            "contact_email": "dana@dif.example",
            "message": "Vi har tio ungdomsledare.",
        },
        lambda w: _count(w, Interest) == 2,
        dict.fromkeys(ROLES, OK),
    ),
    "/samverkan/admin/intresse/{interest_id:id}/erbjud": Case(
        lambda w: f"/samverkan/admin/intresse/{w.interest}/erbjud",
        lambda w: {"forening": "pro-karlskoga"},
        lambda w: _get(w, Interest, w.interest).status == "offered",
        ADMIN_ONLY,
    ),
    "/samverkan/admin/intresse/{interest_id:id}/avboj": Case(
        lambda w: f"/samverkan/admin/intresse/{w.interest}/avboj",
        lambda w: {},
        lambda w: _get(w, Interest, w.interest).status == "declined",
        ADMIN_ONLY,
    ),
    "/samverkan/erbjudanden/{offer_id:id}/svar": Case(
        lambda w: f"/samverkan/erbjudanden/{w.offer}/svar",
        lambda w: {"answer": "yes", "message": ""},
        lambda w: _get(w, Offer, w.offer).answer == "yes",
        # PRO Karlskoga's editors answer PRO's offer; an admin acts for every
        # association (editable_associations), e.g. with an answer given by phone.
        {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": OK, "admin": OK},
    ),
    "/samverkan/admin/uppdrag/{assignment_id:id}/lage": Case(
        lambda w: f"/samverkan/admin/uppdrag/{w.assignment}/lage",
        lambda w: {"status": "open"},
        lambda w: _get(w, Assignment, w.assignment).status == "open",
        ADMIN_ONLY,
    ),
    "/samverkan/admin/uppdrag/{assignment_id:id}/erbjud": Case(
        lambda w: f"/samverkan/admin/uppdrag/{w.assignment}/erbjud",
        lambda w: {"forening": "degerfors-if"},
        lambda w: _count(w, Offer) == 2,
        ADMIN_ONLY,
    ),
    "/samverkan/admin/uppdrag/{assignment_id:id}/utfall": Case(
        lambda w: f"/samverkan/admin/uppdrag/{w.assignment}/utfall",
        lambda w: {"association": "pro-karlskoga", "status": "matched", "outcome": "", "hours": "3", "paid_kronor": ""},
        lambda w: _get(w, Assignment, w.assignment).matched_slug == "pro-karlskoga",
        ADMIN_ONLY,
    ),
    "/samverkan/admin/sociala-foretag": Case(
        lambda w: "/samverkan/admin/sociala-foretag",
        lambda w: {"forening": "cykelverkstan"},
        lambda w: _count(w, SocialEnterprise) == 1,
        ADMIN_ONLY,
    ),
    "/samverkan/admin/remissvar/ny": Case(
        lambda w: "/samverkan/admin/remissvar/ny",
        lambda w: {"topic": "Ny remiss", "recipient": "Regionen", "day": "2026-10-01", "is_public": "y"},
        lambda w: _count(w, Statement) == 2,
        ADMIN_ONLY,
    ),
    "/samverkan/admin/remissvar/{statement_id:id}": Case(
        lambda w: f"/samverkan/admin/remissvar/{w.statement}",
        lambda w: {"topic": "Ändrad remiss", "recipient": "Regionen", "day": "2026-10-01"},
        lambda w: _get(w, Statement, w.statement).topic == "Ändrad remiss",
        ADMIN_ONLY,
    ),
    "/samverkan/admin/moten/ny": Case(
        lambda w: "/samverkan/admin/moten/ny",
        lambda w: {"title": "Nytt möte", "kind": "dialog", "day": "2026-10-02"},
        lambda w: _count(w, Meeting) == 2,
        ADMIN_ONLY,
    ),
    "/samverkan/admin/moten/{meeting_id:id}/redigera": Case(
        lambda w: f"/samverkan/admin/moten/{w.meeting}/redigera",
        lambda w: {"title": "Ändrat möte", "kind": "dialog", "day": "2026-10-02"},
        lambda w: _get(w, Meeting, w.meeting).title == "Ändrat möte",
        ADMIN_ONLY,
    ),
    "/samverkan/admin/moten/{meeting_id:id}/atgard": Case(
        lambda w: f"/samverkan/admin/moten/{w.meeting}/atgard",
        lambda w: {"what": "Boka lokal", "owner": "Kansliet", "due": ""},
        lambda w: _count(w, Action) == 2,
        ADMIN_ONLY,
    ),
    "/samverkan/admin/atgard/{action_id:id}/klar": Case(
        lambda w: f"/samverkan/admin/atgard/{w.action}/klar",
        lambda w: {},
        lambda w: _get(w, Action, w.action).done,
        ADMIN_ONLY,
    ),
    "/samverkan/admin/projekt/ny": Case(
        lambda w: "/samverkan/admin/projekt/ny",
        lambda w: {"title": "Nytt projekt", "lead": "PRO Karlskoga", "funder": "Leader", "status": "idea"},
        lambda w: _count(w, Project) == 2,
        ADMIN_ONLY,
    ),
    "/samverkan/admin/projekt/{project_id:id}": Case(
        lambda w: f"/samverkan/admin/projekt/{w.project}",
        lambda w: {"title": "Ändrat projekt", "lead": "PRO Karlskoga", "funder": "Leader", "status": "writing"},
        lambda w: _get(w, Project, w.project).title == "Ändrat projekt",
        ADMIN_ONLY,
    ),
    "/samverkan/admin/rapport/kommentarer": Case(
        lambda w: "/samverkan/admin/rapport/kommentarer?period=2026-T2",
        lambda w: {"comment_voice": "Bra tertial", "comment_coordination": "", "comment_projects": ""},
        lambda w: _reports(w, sent=False) == 1,
        ADMIN_ONLY,
    ),
    "/samverkan/admin/rapport/skicka": Case(
        lambda w: "/samverkan/admin/rapport/skicka?period=2026-T2",
        lambda w: {},
        lambda w: _reports(w, sent=True) == 2,
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
    return make_sam_site(make_site)


def test_every_post_route_of_the_plugin_is_in_the_table(walk_site):
    found = {p for p in post_routes(create_app(walk_site).routes) if p.startswith("/samverkan")}
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
STAFF = {"anonymous": 303, "other_editor": 403, "editor": 403, "admin": 200}
NO_DOCUMENT = dict.fromkeys(ROLES, 404)  # the statement has no PDF

GET_PAGES: dict[str, tuple[Callable[[World], str], dict[str, int]]] = {
    "/samverkan/": (lambda w: "/samverkan/", PUBLIC),
    "/samverkan/uppdrag/nytt": (lambda w: "/samverkan/uppdrag/nytt", PUBLIC),
    "/samverkan/uppdrag/{assignment_id:id}/intresse": (lambda w: f"/samverkan/uppdrag/{w.public}/intresse", PUBLIC),
    "/samverkan/uppdrag/{assignment_id:id}/intresse/tack": (
        lambda w: f"/samverkan/uppdrag/{w.public}/intresse/tack",
        PUBLIC,
    ),
    "/samverkan/remissvar": (lambda w: "/samverkan/remissvar", PUBLIC),
    "/samverkan/remissvar/{statement_id:id}/dokument.pdf": (
        lambda w: f"/samverkan/remissvar/{w.statement}/dokument.pdf",
        NO_DOCUMENT,
    ),
    "/samverkan/erbjudanden": (lambda w: "/samverkan/erbjudanden", SIGNED_IN),
    "/samverkan/admin/uppdrag": (lambda w: "/samverkan/admin/uppdrag", STAFF),
    "/samverkan/admin/uppdrag/{assignment_id:id}": (lambda w: f"/samverkan/admin/uppdrag/{w.assignment}", STAFF),
    "/samverkan/admin/sociala-foretag": (lambda w: "/samverkan/admin/sociala-foretag", STAFF),
    "/samverkan/admin/remissvar": (lambda w: "/samverkan/admin/remissvar", STAFF),
    "/samverkan/admin/remissvar/ny": (lambda w: "/samverkan/admin/remissvar/ny", STAFF),
    "/samverkan/admin/remissvar/{statement_id:id}": (lambda w: f"/samverkan/admin/remissvar/{w.statement}", STAFF),
    "/samverkan/admin/moten": (lambda w: "/samverkan/admin/moten", STAFF),
    "/samverkan/admin/moten/ny": (lambda w: "/samverkan/admin/moten/ny", STAFF),
    "/samverkan/admin/moten/{meeting_id:id}": (lambda w: f"/samverkan/admin/moten/{w.meeting}", STAFF),
    "/samverkan/admin/moten/{meeting_id:id}/redigera": (
        lambda w: f"/samverkan/admin/moten/{w.meeting}/redigera",
        STAFF,
    ),
    "/samverkan/admin/projekt": (lambda w: "/samverkan/admin/projekt", STAFF),
    "/samverkan/admin/projekt/ny": (lambda w: "/samverkan/admin/projekt/ny", STAFF),
    "/samverkan/admin/projekt/{project_id:id}": (lambda w: f"/samverkan/admin/projekt/{w.project}", STAFF),
    "/samverkan/admin/rapport": (lambda w: "/samverkan/admin/rapport", STAFF),
    "/samverkan/admin/rapport/uppfoljning.pdf": (lambda w: "/samverkan/admin/rapport/uppfoljning.pdf", STAFF),
    "/samverkan/admin/rapport/uppfoljning.csv": (lambda w: "/samverkan/admin/rapport/uppfoljning.csv", STAFF),
    "/samverkan/admin/rapport/uppfoljning.xlsx": (lambda w: "/samverkan/admin/rapport/uppfoljning.xlsx", STAFF),
    "/samverkan/admin/rapport/skickad/{report_id:id}": (lambda w: f"/samverkan/admin/rapport/skickad/{w.sent}", STAFF),
    "/samverkan/admin/rapport/skickad/{report_id:id}/uppfoljning.pdf": (
        lambda w: f"/samverkan/admin/rapport/skickad/{w.sent}/uppfoljning.pdf",
        STAFF,
    ),
    "/samverkan/admin/rapport/skickad/{report_id:id}/uppfoljning.csv": (
        lambda w: f"/samverkan/admin/rapport/skickad/{w.sent}/uppfoljning.csv",
        STAFF,
    ),
    "/samverkan/admin/rapport/skickad/{report_id:id}/uppfoljning.xlsx": (
        lambda w: f"/samverkan/admin/rapport/skickad/{w.sent}/uppfoljning.xlsx",
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
    found = {p for p in get_routes(create_app(walk_site).routes) if p.startswith("/samverkan")}
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
    assert make_client(site).get("/samverkan/").status_code == 404
