"""Fixtures for the lokaler tests: a site with webportal and lokaler on both
databases, two member associations with an editor each, an admin, the demo
house's resources and a clock fixed on a known day (a Wednesday)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.models import Role
from core.site import Site
from core.testing import Client, add_user
from tests.conftest import DEFAULT_WEBPORTAL

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = datetime(2027, 3, 3, 9, 0, tzinfo=STOCKHOLM)  # a Wednesday, before the DST change of 28 March
ADMIN = "admin@lok.example"
EDITOR = "redaktor@lok.example"
OTHER_EDITOR = "annan@lok.example"


def add_associations(site: Site) -> None:
    from sqlmodel import select

    from core.models import User
    from plugins.webportal.models import Association, AssociationEditor, Status

    with site.session() as db:
        for slug, name in (("pro-karlskoga", "PRO Karlskoga"), ("degerfors-skidklubb", "Degerfors Skidklubb")):
            db.add(
                Association(slug=slug, name=name, category="Övrigt", municipality="Karlskoga", status=Status.APPROVED)
            )
        db.commit()
        pro = db.exec(select(Association).where(Association.slug == "pro-karlskoga")).one()
        ski = db.exec(select(Association).where(Association.slug == "degerfors-skidklubb")).one()
        editor = db.exec(select(User).where(User.email == EDITOR)).one()
        other = db.exec(select(User).where(User.email == OTHER_EDITOR)).one()
        db.add(AssociationEditor(association_id=pro.id or 0, user_id=editor.id or 0))
        db.add(AssociationEditor(association_id=ski.id or 0, user_id=other.id or 0))
        db.commit()


def add_rooms(site: Site) -> dict[str, int]:
    """The demo house's resources (no bookings): name -> id."""
    from sqlmodel import select

    from plugins.lokaler import demo
    from plugins.lokaler.models import Resource

    with site.session() as db:
        for index, spec in enumerate(demo.RESOURCES):
            demo._resource(db, index, spec)
        db.commit()
        return {r.name: r.id or 0 for r in db.exec(select(Resource)).all()}


def make_lok_site(make_site: Callable[..., Site], extra: str = "", slug: str = "lok") -> Site:
    site = make_site(
        slug=slug,
        plugins=["webportal", "lokaler"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL},
        extra=extra,
    )
    site.clock.set(TODAY)
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    add_user(site, EDITOR, Role.EDITOR, "Rita Redaktör")
    add_user(site, OTHER_EDITOR, Role.EDITOR, "Olle Annan")
    add_associations(site)
    return site


@pytest.fixture
def lok_site(make_site: Callable[..., Site]) -> Site:
    return make_lok_site(make_site)


@pytest.fixture
def rooms(lok_site: Site) -> dict[str, int]:
    return add_rooms(lok_site)


@pytest.fixture
def as_user(make_client: Callable[[Site], Client]) -> Callable[[Site, str | None], Client]:
    def factory(site: Site, email: str | None) -> Client:
        client = make_client(site)
        if email:
            client.login(email)
        return client

    return factory


def booking_form(**overrides: object) -> dict[str, object]:
    """A valid single booking as a browser posts it: Tuesday 9 March 18-20."""
    data: dict[str, object] = {
        "booker": "member:pro-karlskoga",
        "title": "Styrelsemöte",
        "day": "2027-03-09",
        "start": "18:00",
        "end": "20:00",
        "repeat": "",
        "until": "",
        "contact_name": "Rita Redaktör",
        "contact_email": "rita@pro.example",
        "contact_phone": "",
        "action": "boka",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
