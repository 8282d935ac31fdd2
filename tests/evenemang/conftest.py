"""Fixtures for the events tests: a site with webportal and evenemang on
both databases, two member associations, an editor linked to one of them,
and a clock fixed on a known day."""

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
#: A Wednesday; the demo and the tests count from it.
TODAY = datetime(2026, 12, 2, 9, 0, tzinfo=STOCKHOLM)
ADMIN = "admin@ev.example"
EDITOR = "redaktor@ev.example"
OTHER_EDITOR = "annan@ev.example"


def add_associations(site: Site) -> None:
    from sqlmodel import select

    from core.models import User
    from plugins.webportal.models import Association, AssociationEditor, Status

    with site.session() as db:
        for slug, name, town in (
            ("pro-karlskoga", "PRO Karlskoga", "Karlskoga"),
            ("degerfors-skidklubb", "Degerfors Skidklubb", "Degerfors"),
        ):
            db.add(Association(slug=slug, name=name, category="Övrigt", municipality=town, status=Status.APPROVED))
        db.commit()
        pro = db.exec(select(Association).where(Association.slug == "pro-karlskoga")).one()
        ski = db.exec(select(Association).where(Association.slug == "degerfors-skidklubb")).one()
        editor = db.exec(select(User).where(User.email == EDITOR)).one()
        other = db.exec(select(User).where(User.email == OTHER_EDITOR)).one()
        db.add(AssociationEditor(association_id=pro.id or 0, user_id=editor.id or 0))
        db.add(AssociationEditor(association_id=ski.id or 0, user_id=other.id or 0))
        db.commit()


def make_ev_site(make_site: Callable[..., Site]) -> Site:
    """The events tests' site: webportal and evenemang, the clock on ``TODAY``,
    an admin, two editors and their associations."""
    site = make_site(
        slug="ev",
        plugins=["webportal", "evenemang"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "evenemang": 'prefix = "/"\n'},
    )
    site.clock.set(TODAY)
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    add_user(site, EDITOR, Role.EDITOR, "Rita Redaktör")
    add_user(site, OTHER_EDITOR, Role.EDITOR, "Olle Annan")
    add_associations(site)
    return site


@pytest.fixture
def ev_site(make_site: Callable[..., Site]) -> Site:
    return make_ev_site(make_site)


@pytest.fixture
def as_user(make_client: Callable[[Site], Client]) -> Callable[[Site, str | None], Client]:
    def factory(site: Site, email: str | None) -> Client:
        client = make_client(site)
        if email:
            client.login(email)
        return client

    return factory


def event_form(**overrides: object) -> dict[str, object]:
    """A valid event form as a browser posts it (a weekday evening meeting)."""
    data: dict[str, object] = {
        "title": "Månadsmöte",
        "organisers": "pro-karlskoga",
        "summary": "Kaffe och föredrag.",
        "description": "Välkomna!",
        "start_date": "2026-12-08",
        "start_time": "18:00",
        "end_date": "",
        "end_time": "20:00",
        "repeat": "",
        "place_name": "PRO-lokalen",
        "address": "Skolgatan 7",
        "municipality": "Karlskoga",
        "category": "Möte och föreläsning",
        "is_free": "y",
        "age_group": "all",
        "status": "scheduled",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
