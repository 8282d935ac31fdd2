"""Every LISA POST route, walked as five people: anonymous, a logged-in
account with no LISA role, a health-centre user (the nurse), an organisation
user (the volunteer, whose organisation receives the referral) and a site
admin. The first test fails if a POST route under LISA's prefix is missing
from the table, so no route ships without saying who may use it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select
from starlette.routing import Mount, Route

from core.app import create_app
from core.models import Role
from core.site import Site
from plugins.lisa.confirm import confirm_url
from plugins.lisa.demo import ensure_terms
from plugins.lisa.models import (
    HealthCentre,
    Membership,
    Organisation,
    Proposal,
    Referral,
    Schedule,
    Service,
    SpecialHours,
    Term,
)
from tests.conftest import DEFAULT_WEBPORTAL, Client, add_user

ROLES = ("anonymous", "no_role", "nurse", "volunteer", "admin")
EMAILS = {
    "no_role": "ingen@lisa.example",
    "nurse": "syster@lisa.example",
    "volunteer": "volontar@lisa.example",
    "admin": "admin@lisa.example",
}
OK, LOGIN, FORBIDDEN = "ok", "login", "forbidden"
ADMIN_ONLY = {"anonymous": LOGIN, "no_role": FORBIDDEN, "nurse": FORBIDDEN, "volunteer": FORBIDDEN, "admin": OK}


@dataclass
class World:
    site: Site
    service: int
    organisation: int
    term: int
    referral: int
    proposal: int
    membership: int
    token_path: str
    special: int


def build_world(site: Site) -> World:
    users = {
        role: add_user(site, email, Role.ADMIN if role == "admin" else Role.EDITOR) for role, email in EMAILS.items()
    }
    spare_user = add_user(site, "reserv@lisa.example", Role.EDITOR, "Reserv")  # holds the membership to delete
    now = datetime.now(UTC)
    with site.session() as db:
        terms = ensure_terms(db)
        receiver = Organisation(name="Mottagarföreningen", municipality="Karlskoga")
        other = Organisation(name="Andra föreningen", municipality="Degerfors")
        centre = HealthCentre(name="Vårdcentralen Test", municipality="Karlskoga")
        db.add_all([receiver, other, centre])
        db.flush()
        service = Service(
            organisation_id=receiver.id,
            name="Samtalsgrupp",
            summary="Samtal.",
            municipality="Karlskoga",
            accepts_referrals=True,
            verified_at=now - timedelta(days=500),
            verified_by="Förr",
        )
        db.add(service)
        db.flush()
        db.add(Schedule(service_id=service.id, weekday=1, opens_at=time(10), closes_at=time(12)))
        db.add(Membership(user_id=users["nurse"].id, kind="health_centre", health_centre_id=centre.id))
        db.add(Membership(user_id=users["volunteer"].id, kind="organisation", organisation_id=receiver.id))
        spare = Membership(user_id=spare_user.id, kind="organisation", organisation_id=other.id)
        referral = Referral(
            service_id=service.id,
            sender_user_id=users["nurse"].id,
            sender_health_centre_id=centre.id,
            person_name="Alias",
            contact="070-000 00 00",
            need="Sällskap.",
            consent_by="Personen själv",
            consent_scope="Test.",
            consent_at=now,
            delete_after=now + timedelta(days=90),
        )
        proposal = Proposal(
            service_id=service.id,
            changes=json.dumps({"summary": "Nytt förslag."}),
            submitted_by="Någon (Mottagarföreningen)",
        )
        special = SpecialHours(service_id=service.id, starts_on=date(2026, 12, 23), ends_on=date(2027, 1, 6))
        db.add_all([spare, referral, proposal, special])
        db.commit()
        world = World(
            site,
            service.id,
            receiver.id,
            terms["ensamhet"].id,
            referral.id,
            proposal.id,
            spare.id,
            confirm_url(site, receiver),
            special.id,
        )
        return world


def row(world: World, model: type, key: int):
    with world.site.session() as db:
        return db.get(model, key)


def count(world: World, model: type, **where: object) -> int:
    with world.site.session() as db:
        statement = select(model)
        for name, value in where.items():
            statement = statement.where(getattr(model, name) == value)
        return len(db.exec(statement).all())


def service_form(world: World, name: str) -> dict[str, object]:
    return {
        "organisation_id": str(world.organisation),
        "name": name,
        "summary": "Kort.",
        "terms": str(world.term),
        "languages": "sv",
        "contact_methods": "dropin",
        "openings_text": "tis 10-12",
        "municipality": "Karlskoga",
        "status": "active",
        "verified": "y",
    }


def import_document(world: World) -> dict[str, object]:
    org = "3f0f2d7e-3a52-4d55-9a55-2f1f1e0f0a01"
    return {
        "organizations": [{"id": org, "name": "Importerade föreningen", "description": "Från en annan katalog."}],
        "services": [
            {
                "id": "7b1d3c1a-4f0e-4c8e-9a31-5f0e7b1d3c1a",
                "organization_id": org,
                "name": "Importerad tjänst",
                "status": "active",
            }
        ],
    }


@dataclass
class Case:
    path: Callable[[World], str]
    form: Callable[[World], dict[str, object]]
    changed: Callable[[World], bool]
    expect: dict[str, str]
    files: Callable[[World], dict[str, tuple[str, bytes, str]]] | None = field(default=None)


CASES: dict[str, Case] = {
    "/hjalp/tjanst/{service_id:id}/remiss": Case(
        lambda w: f"/hjalp/tjanst/{w.service}/remiss",
        lambda w: {
            "sender": "vc:1",
            "person_name": "Nyhet",
            "contact": "070-111 11 11",
            "need": "Stöd.",
            "consent_by": "personen",
            "consent": "y",
        },
        lambda w: count(w, Referral) == 2,
        {"anonymous": LOGIN, "no_role": FORBIDDEN, "nurse": OK, "volunteer": OK, "admin": FORBIDDEN},
    ),
    "/hjalp/remisser/{referral_id:id}/status": Case(
        lambda w: f"/hjalp/remisser/{w.referral}/status",
        lambda w: {"status": "accepted"},
        lambda w: row(w, Referral, w.referral).status == "accepted",
        {"anonymous": LOGIN, "no_role": FORBIDDEN, "nurse": FORBIDDEN, "volunteer": OK, "admin": FORBIDDEN},
    ),
    "/hjalp/bekrafta/{token}/{service_id:id}": Case(
        lambda w: f"{w.token_path}/{w.service}",
        lambda w: {f"s{w.service}-submitter": "Länkhavaren", "atgard": "stammer"},
        lambda w: row(w, Service, w.service).verified_by.startswith("Länkhavaren"),
        # the signed link is the authority: whoever holds it may confirm (tampered links: test_confirm.py)
        dict.fromkeys(ROLES, OK),
    ),
    "/hjalp/admin/tjanst/ny": Case(
        lambda w: "/hjalp/admin/tjanst/ny",
        lambda w: service_form(w, "Adminskapad tjänst"),
        lambda w: count(w, Service, name="Adminskapad tjänst") == 1,
        ADMIN_ONLY,
    ),
    "/hjalp/admin/tjanst/{service_id:id}": Case(
        lambda w: f"/hjalp/admin/tjanst/{w.service}",
        lambda w: service_form(w, "Omdöpt samtalsgrupp"),
        lambda w: row(w, Service, w.service).name == "Omdöpt samtalsgrupp",
        ADMIN_ONLY,
    ),
    "/hjalp/admin/tjanst/{service_id:id}/kontrollerad": Case(
        lambda w: f"/hjalp/admin/tjanst/{w.service}/kontrollerad",
        lambda w: {},
        lambda w: row(w, Service, w.service).verified_by != "Förr",
        ADMIN_ONLY,
    ),
    "/hjalp/admin/tjanst/{service_id:id}/avvikelser": Case(
        lambda w: f"/hjalp/admin/tjanst/{w.service}/avvikelser",
        lambda w: {"starts_on": "2026-12-31", "kind": "open", "opens_at": "10:00", "closes_at": "14:00"},
        lambda w: count(w, SpecialHours, service_id=w.service) == 2,
        ADMIN_ONLY,
    ),
    "/hjalp/admin/tjanst/{service_id:id}/avvikelser/{special_id:id}/ta-bort": Case(
        lambda w: f"/hjalp/admin/tjanst/{w.service}/avvikelser/{w.special}/ta-bort",
        lambda w: {},
        lambda w: row(w, SpecialHours, w.special) is None,
        ADMIN_ONLY,
    ),
    "/hjalp/admin/organisation/ny": Case(
        lambda w: "/hjalp/admin/organisation/ny",
        lambda w: {"name": "Ny organisation", "kind": "Förening", "municipality": "Karlskoga"},
        lambda w: count(w, Organisation, name="Ny organisation") == 1,
        ADMIN_ONLY,
    ),
    "/hjalp/admin/organisation/{organisation_id:id}": Case(
        lambda w: f"/hjalp/admin/organisation/{w.organisation}",
        lambda w: {"name": "Omdöpt förening", "kind": "Förening", "municipality": "Karlskoga"},
        lambda w: row(w, Organisation, w.organisation).name == "Omdöpt förening",
        ADMIN_ONLY,
    ),
    "/hjalp/admin/behov": Case(
        lambda w: "/hjalp/admin/behov",
        lambda w: {"name": "Digital hjälp", "description": "Dator och mobil.", "position": "200"},
        lambda w: count(w, Term, name="Digital hjälp") == 1,
        ADMIN_ONLY,
    ),
    "/hjalp/admin/behov/{term_id:id}": Case(
        lambda w: f"/hjalp/admin/behov/{w.term}",
        lambda w: {f"t{w.term}-name": "Ensamhet och gemenskap", f"t{w.term}-position": "10"},
        lambda w: row(w, Term, w.term).name == "Ensamhet och gemenskap",
        ADMIN_ONLY,
    ),
    "/hjalp/admin/forslag/{proposal_id:id}": Case(
        lambda w: f"/hjalp/admin/forslag/{w.proposal}",
        lambda w: {"beslut": "godkann"},
        lambda w: row(w, Proposal, w.proposal).status == "approved",
        ADMIN_ONLY,
    ),
    "/hjalp/admin/roller": Case(
        lambda w: "/hjalp/admin/roller",
        lambda w: {"email": EMAILS["no_role"], "target": f"org:{w.organisation}"},
        lambda w: count(w, Membership, organisation_id=w.organisation) == 2,
        ADMIN_ONLY,
    ),
    "/hjalp/admin/roller/{membership_id:id}/ta-bort": Case(
        lambda w: f"/hjalp/admin/roller/{w.membership}/ta-bort",
        lambda w: {},
        lambda w: row(w, Membership, w.membership) is None,
        ADMIN_ONLY,
    ),
    "/hjalp/admin/vardcentraler": Case(
        lambda w: "/hjalp/admin/vardcentraler",
        lambda w: {"vc-name": "Vårdcentralen Ny", "vc-municipality": "Degerfors"},
        lambda w: count(w, HealthCentre, name="Vårdcentralen Ny") == 1,
        ADMIN_ONLY,
    ),
    "/hjalp/admin/import": Case(
        lambda w: "/hjalp/admin/import",
        lambda w: {},
        lambda w: count(w, Service, name="Importerad tjänst") == 1,
        ADMIN_ONLY,
        files=lambda w: {"fil": ("lisa.json", json.dumps(import_document(w)).encode(), "application/json")},
    ),
}


def lisa_post_routes(routes: list, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for route in routes:
        if isinstance(route, Mount):
            found |= lisa_post_routes(route.routes or [], prefix + route.path)
        elif isinstance(route, Route) and "POST" in (route.methods or set()) and prefix.startswith("/hjalp"):
            found.add(prefix + route.path)
    return found


def make_lisa_site(make_site) -> Site:
    return make_site(slug="lisa", plugins=["webportal", "lisa"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})


def test_every_lisa_post_route_is_in_the_table(make_site):
    found = lisa_post_routes(create_app(make_lisa_site(make_site)).routes)
    assert found, "no LISA POST routes found: the walk is broken"
    assert found == set(CASES), (sorted(found - set(CASES)), sorted(set(CASES) - found))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(CASES))
def test_lisa_post_route_as(route, role, make_site, make_client):
    case = CASES[route]
    site = make_lisa_site(make_site)
    world = build_world(site)
    client: Client = make_client(site)
    if role != "anonymous":
        client.login(EMAILS[role])
    assert not case.changed(world), f"{route}: the probe says done before the request"
    data = {**case.form(world), "csrftoken": client.csrf()}
    if role == "volunteer" and "sender" in data:
        data["sender"] = f"org:{world.organisation}"  # an organisation user sends on behalf of its organisation
    if case.files:
        response = client.post(case.path(world), data=data, files=case.files(world), follow_redirects=False)
    else:
        response = client.submit(case.path(world), data)
    expected = case.expect[role]
    if expected == OK:
        assert response.status_code in (200, 303), f"{route} as {role}: {response.status_code} {response.text[:300]}"
        if response.status_code == 303:
            assert not response.headers["location"].startswith("/konto/logga-in")
        assert case.changed(world), f"{route} as {role}: answered {response.status_code} but changed nothing"
    else:
        if expected == LOGIN:
            assert response.status_code == 303 and response.headers["location"].startswith("/konto/logga-in?next=")
        else:
            assert response.status_code == 403, f"{route} as {role}: {response.status_code}"
        assert not case.changed(world), f"{route} as {role} was refused but the change happened anyway"
