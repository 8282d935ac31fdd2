"""Every Fritidsbanken POST route, walked as seven people: anonymous, two
borrowers signed in on their phones (one owns the loan and reservation in
question, one does not), a site editor with no counter, staff of the other
branch, staff of this branch, and a site admin.

Like ``tests/test_permissions.py``: each case names the form a browser would
send, a probe that reads the database to tell whether the change happened,
and the outcome per role. The first test fails if the plugin has a POST route
the table does not cover.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.routing import Mount

from core.app import create_app
from core.site import Site
from plugins.fritidsbanken import phone_login
from plugins.fritidsbanken.models import AccessCode, Borrower, Branch, Item, ItemStatus, Loan, Reservation, Staff
from tests.conftest import Client, text_of
from tests.fritidsbanken.conftest import add_borrower, add_item, build_world
from tests.test_permissions import post_routes

ROLES = ("anonymous", "other_borrower", "borrower", "editor", "other_staff", "staff", "admin")
PHONES = {"borrower": "+46701740611", "other_borrower": "+46701740622"}
NEW_PHONE = "+46701740699"
CODE = "424242"

OK, LOGIN, FORBIDDEN, REFUSED, PHONE, NOTFOUND, UNCHANGED = (
    "ok",
    "login",
    "forbidden",
    "refused",
    "phone",
    "notfound",
    "unchanged",
)
STAFF = {
    "anonymous": LOGIN,
    "other_borrower": LOGIN,
    "borrower": LOGIN,
    "editor": FORBIDDEN,
    "other_staff": OK,
    "staff": OK,
    "admin": OK,
}
BRANCH_STAFF = {**STAFF, "other_staff": FORBIDDEN}
ADMIN_ONLY = {**STAFF, "other_staff": FORBIDDEN, "staff": FORBIDDEN}
OWN_PHONE = {
    "anonymous": PHONE,
    "other_borrower": NOTFOUND,
    "borrower": OK,
    "editor": PHONE,
    "other_staff": PHONE,
    "staff": PHONE,
    "admin": PHONE,
}
ANY_PHONE = {**OWN_PHONE, "other_borrower": OK}
ANYONE = dict.fromkeys(ROLES, OK)


@dataclass
class W:
    site: Site
    branch: int
    other_branch: int
    free: int  # item 3001, available at Karlskoga
    out: int  # item 3002, lent to the borrower
    queued: int  # item 3003, lent to the other borrower, the borrower waits for it
    broken: int  # item 3005, in repair
    borrower: int
    other: int
    loan: int
    reservation: int
    emails: dict[str, str]


def world_for(site: Site) -> W:
    base = build_world(site)
    b1 = add_borrower(site, "Bo Borrower", PHONES["borrower"], birth_year=1980)
    b2 = add_borrower(site, "Olle Annan", PHONES["other_borrower"], birth_year=1985)
    free = add_item(site, "3001", "Pulka", "Vintersport", "", base.branch)
    out = add_item(site, "3002", "Fotboll", "Bollar", "5", base.branch, status=ItemStatus.ON_LOAN)
    queued = add_item(site, "3003", "Tält", "Friluftsliv", "", base.branch, status=ItemStatus.ON_LOAN)
    broken = add_item(
        site, "3005", "Cykel", "Cyklar", '20"', base.branch, status=ItemStatus.REPAIR, repair_note="Punka"
    )
    today = site.clock.today()
    with site.session() as db:
        loan = Loan(item_id=out.id, borrower_id=b1.id, borrower_tag=b1.tag, branch_id=base.branch, due_on=today)
        db.add(loan)
        db.add(Loan(item_id=queued.id, borrower_id=b2.id, borrower_tag=b2.tag, branch_id=base.branch, due_on=today))
        reservation = Reservation(item_id=queued.id, borrower_id=b1.id, pickup_on=today + timedelta(days=1))
        db.add(reservation)
        for number in (*PHONES.values(), NEW_PHONE):
            db.add(
                AccessCode(
                    mobile=number,
                    code_hash=phone_login._hash(site, number, CODE),
                    created_at=site.clock.now(),
                    expires_at=site.clock.now() + timedelta(minutes=10),
                )
            )
        db.commit()
        emails = {
            "editor": base.editor.email,
            "other_staff": base.other_staff.email,
            "staff": base.staff.email,
            "admin": base.admin.email,
        }
        return W(
            site, base.branch, base.other_branch, free.id, out.id, queued.id, broken.id,
            b1.id, b2.id, loan.id, reservation.id, emails,
        )  # fmt: skip


def row(w: W, model: type, key: int) -> object | None:
    with w.site.session() as db:
        return db.get(model, key)


def exists(w: W, statement) -> bool:  # type: ignore[no-untyped-def]
    with w.site.session() as db:
        return db.exec(statement).first() is not None


def phone_shown(client: Client) -> bool:
    return "Inloggad med" in text_of(client.get("/fritidsbanken/mina-lan").text)


@dataclass
class Case:
    path: Callable[[W], str]
    form: Callable[[W, str], dict[str, str]]
    changed: Callable[[W, str, Client], bool]
    expect: dict[str, str]
    precheck: bool = True


P = "/fritidsbanken"
CASES: dict[str, Case] = {
    f"{P}/mina-lan/kod": Case(
        lambda w: f"{P}/mina-lan/kod",
        lambda w, role: {"mobile": "070-174 06 98"},
        lambda w, role, c: exists(w, select(AccessCode).where(AccessCode.mobile == "+46701740698")),
        ANYONE,
    ),
    f"{P}/mina-lan/verifiera": Case(
        lambda w: f"{P}/mina-lan/verifiera",
        lambda w, role: {"mobile": NEW_PHONE, "code": CODE},
        lambda w, role, c: exists(w, select(AccessCode).where(AccessCode.mobile == NEW_PHONE, AccessCode.used == True)),  # noqa: E712
        ANYONE,
    ),
    f"{P}/mina-lan/logga-ut": Case(
        lambda w: f"{P}/mina-lan/logga-ut",
        lambda w, role: {},
        lambda w, role, c: not phone_shown(c),
        ANYONE,
        precheck=False,
    ),
    f"{P}/mina-lan/lan/{{loan_id:id}}/forlang": Case(
        lambda w: f"{P}/mina-lan/lan/{w.loan}/forlang",
        lambda w, role: {},
        lambda w, role, c: getattr(row(w, Loan, w.loan), "extensions", 0) == 1,
        OWN_PHONE,
    ),
    f"{P}/mina-lan/reservationer/{{reservation_id:id}}/avboka": Case(
        lambda w: f"{P}/mina-lan/reservationer/{w.reservation}/avboka",
        lambda w, role: {},
        lambda w, role, c: getattr(row(w, Reservation, w.reservation), "status", "") == "cancelled",
        OWN_PHONE,
    ),
    f"{P}/artiklar/{{number}}/reservera": Case(
        lambda w: f"{P}/artiklar/3001/reservera",
        lambda w, role: {
            "pickup_on": w.site.clock.today().isoformat(),
            "borrower": str(w.other if role == "other_borrower" else w.borrower),
        },
        lambda w, role, c: exists(w, select(Reservation).where(Reservation.item_id == w.free)),
        ANY_PHONE,
    ),
    f"{P}/registrera": Case(
        lambda w: f"{P}/registrera",
        lambda w, role: {
            "who": "child",
            "name": "Nytt Barn",
            "birth_year": "2016",
            "guardian_name": "En Förälder",
            "guardian_consent": "y",
            "privacy": "y",
        },
        lambda w, role, c: exists(w, select(Borrower).where(Borrower.name == "Nytt Barn")),
        ANY_PHONE,
    ),
    f"{P}/disk/stalle": Case(
        lambda w: f"{P}/disk/stalle",
        lambda w, role: {"branch": str(w.other_branch)},
        lambda w, role, c: "Disken – Fritidsbanken Degerfors" in text_of(c.get(f"{P}/disk").text),
        {**STAFF, "staff": UNCHANGED},
        precheck=False,
    ),
    f"{P}/disk/aterlamna": Case(
        lambda w: f"{P}/disk/aterlamna",
        lambda w, role: {"numbers": "3002"},
        lambda w, role, c: getattr(row(w, Loan, w.loan), "returned_at", None) is not None,
        STAFF,
    ),
    f"{P}/disk/lantagare/ny": Case(
        lambda w: f"{P}/disk/lantagare/ny",
        lambda w, role: {"name": "Ny Låntagare", "birth_year": "1990", "mobile": "070-174 06 77"},
        lambda w, role, c: exists(w, select(Borrower).where(Borrower.name == "Ny Låntagare")),
        STAFF,
    ),
    f"{P}/disk/lantagare/{{borrower_id:id}}/lana": Case(
        lambda w: f"{P}/disk/lantagare/{w.other}/lana",
        lambda w, role: {"numbers": "3001"},
        lambda w, role, c: exists(w, select(Loan).where(Loan.item_id == w.free)),
        STAFF,
    ),
    f"{P}/disk/lantagare/{{borrower_id:id}}/andra": Case(
        lambda w: f"{P}/disk/lantagare/{w.borrower}/andra",
        lambda w, role: {"name": "Bo Bytt", "birth_year": "1980", "mobile": PHONES["borrower"]},
        lambda w, role, c: getattr(row(w, Borrower, w.borrower), "name", "") == "Bo Bytt",
        STAFF,
    ),
    f"{P}/disk/lantagare/{{borrower_id:id}}/ta-bort": Case(
        lambda w: f"{P}/disk/lantagare/{w.other}/ta-bort",
        lambda w, role: {"bekrafta": "ja"},
        lambda w, role, c: row(w, Borrower, w.other) is None,
        STAFF,
    ),
    f"{P}/disk/lantagare/{{borrower_id:id}}/reservera": Case(
        lambda w: f"{P}/disk/lantagare/{w.other}/reservera",
        lambda w, role: {"number": "3001", "pickup_on": w.site.clock.today().isoformat()},
        lambda w, role, c: exists(w, select(Reservation).where(Reservation.item_id == w.free)),
        STAFF,
    ),
    f"{P}/disk/lan/{{loan_id:id}}/forlang": Case(
        lambda w: f"{P}/disk/lan/{w.loan}/forlang",
        lambda w, role: {},
        lambda w, role, c: getattr(row(w, Loan, w.loan), "extensions", 0) == 1,
        STAFF,
    ),
    f"{P}/disk/reservationer/{{reservation_id:id}}/avboka": Case(
        lambda w: f"{P}/disk/reservationer/{w.reservation}/avboka",
        lambda w, role: {},
        lambda w, role, c: getattr(row(w, Reservation, w.reservation), "status", "") == "cancelled",
        STAFF,
    ),
    f"{P}/admin/artiklar/ny": Case(
        lambda w: f"{P}/admin/artiklar/ny",
        lambda w, role: {
            "number": "3999",
            "name": "Kanot",
            "category": "Vattensport",
            "condition": "good",
            "branch": str(w.branch),
        },
        lambda w, role, c: exists(w, select(Item).where(Item.number == "3999")),
        # Staff of the other branch may add items, but only to their own branch.
        {**STAFF, "other_staff": REFUSED},
    ),
    f"{P}/admin/artiklar/{{item_id:id}}": Case(
        lambda w: f"{P}/admin/artiklar/{w.free}",
        lambda w, role: {
            "number": "3001",
            "name": "Pulka röd",
            "category": "Vintersport",
            "condition": "good",
            "branch": str(w.branch),
        },
        lambda w, role, c: getattr(row(w, Item, w.free), "name", "") == "Pulka röd",
        BRANCH_STAFF,
    ),
    f"{P}/admin/artiklar/{{item_id:id}}/reparation": Case(
        lambda w: f"{P}/admin/artiklar/{w.free}/reparation",
        lambda w, role: {"note": "Spricka i botten"},
        lambda w, role, c: getattr(row(w, Item, w.free), "status", "") == ItemStatus.REPAIR,
        BRANCH_STAFF,
    ),
    f"{P}/admin/artiklar/{{item_id:id}}/reparerad": Case(
        lambda w: f"{P}/admin/artiklar/{w.broken}/reparerad",
        lambda w, role: {},
        lambda w, role, c: getattr(row(w, Item, w.broken), "status", "") == ItemStatus.AVAILABLE,
        BRANCH_STAFF,
    ),
    f"{P}/admin/stallen/ny": Case(
        lambda w: f"{P}/admin/stallen/ny",
        lambda w, role: {"name": "Fritidsbanken Storfors", "opens_0": "15:00", "closes_0": "18:00"},
        lambda w, role, c: exists(w, select(Branch).where(Branch.name == "Fritidsbanken Storfors")),
        ADMIN_ONLY,
    ),
    f"{P}/admin/stallen/{{branch_id:id}}": Case(
        lambda w: f"{P}/admin/stallen/{w.branch}",
        lambda w, role: {"name": "Fritidsbanken Karlskoga centrum"},
        lambda w, role, c: getattr(row(w, Branch, w.branch), "name", "") == "Fritidsbanken Karlskoga centrum",
        ADMIN_ONLY,
    ),
    f"{P}/admin/stallen/{{branch_id:id}}/personal": Case(
        lambda w: f"{P}/admin/stallen/{w.branch}/personal",
        lambda w, role: {"action": "add", "email": w.emails["editor"]},
        lambda w, role, c: len(_staff_rows(w)) == 3,
        ADMIN_ONLY,
    ),
}


def _staff_rows(w: W) -> list[Staff]:
    with w.site.session() as db:
        return list(db.exec(select(Staff)).all())


def test_every_fritidsbanken_post_route_is_in_the_table(fb_site):
    app = create_app(fb_site)
    mounts = [r for r in app.routes if isinstance(r, Mount) and r.path == P]
    found = set(post_routes(mounts))
    assert found, "no Fritidsbanken POST routes found: the walk is broken"
    missing = found - set(CASES)
    assert not missing, f"POST routes with no permission case: {sorted(missing)}"
    assert set(CASES) <= found, f"cases for routes that no longer exist: {sorted(set(CASES) - found)}"


def sign_in(client: Client, w: W, role: str) -> None:
    if role in PHONES:
        answer = client.submit(f"{P}/mina-lan/verifiera", {"mobile": PHONES[role], "code": CODE})
        assert answer.status_code == 303
    elif role != "anonymous":
        client.login(w.emails[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(CASES))
def test_fritidsbanken_route_as(route, role, fb_site, make_client):
    case = CASES[route]
    w = world_for(fb_site)
    client = make_client(fb_site)
    sign_in(client, w, role)
    if case.precheck:
        assert not case.changed(w, role, client), f"{route} as {role}: the probe says done before the request"

    response = client.submit(case.path(w), case.form(w, role))
    expected = case.expect[role]
    where = response.headers.get("location", "")
    if expected == OK:
        assert response.status_code in (200, 303), f"{route} as {role}: {response.status_code} {response.text[:300]}"
        assert not where.startswith("/konto/logga-in")
        assert case.changed(w, role, client), f"{route} as {role}: answered {response.status_code} but changed nothing"
        return
    if expected == LOGIN:
        assert response.status_code == 303 and where.startswith("/konto/logga-in?next="), (route, role)
    elif expected == PHONE:
        assert response.status_code == 303 and where == f"{P}/mina-lan", (route, role, where)
    elif expected == FORBIDDEN:
        assert response.status_code == 403, (route, role, response.status_code)
    elif expected == NOTFOUND:
        assert response.status_code == 404, (route, role, response.status_code)
    elif expected == REFUSED:
        assert response.status_code == 400, (route, role, response.status_code)
    else:
        assert response.status_code == 303, (route, role, response.status_code)
    assert not case.changed(w, role, client), f"{route} as {role} was refused but the change happened anyway"
