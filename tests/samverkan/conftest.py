"""Fixtures for the samverkan tests: a site with webportal, lokaler and
samverkan on both databases, member associations with an editor each, an
admin, and a clock fixed on a known day (in the third tertial of 2026)."""

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
TODAY = datetime(2026, 10, 14, 10, 0, tzinfo=STOCKHOLM)
ADMIN = "admin@sam.example"
EDITOR = "redaktor@sam.example"
OTHER_EDITOR = "annan@sam.example"

#: slug, name, category, activities, municipality
ASSOCIATIONS = [
    ("pro-karlskoga", "PRO Karlskoga", "Pensionärer", "promenader, fika, studiecirklar", "Karlskoga"),
    ("karlskoga-hembygd", "Karlskoga Hembygdsförening", "Kultur", "guidning, historia, hembygdsgård", "Karlskoga"),
    ("degerfors-if", "Degerfors IF Ungdom", "Idrott", "fotboll, barn och unga", "Degerfors"),
    ("cykelverkstan", "Cykelverkstan ek. för.", "Socialt företag", "cykelreparationer, arbetsträning", "Karlskoga"),
]


def add_associations(site: Site) -> None:
    from sqlmodel import select

    from core.api import index_text
    from core.models import User
    from plugins.webportal.models import Association, AssociationEditor, Status

    with site.session() as db:
        for slug, name, category, activities, municipality in ASSOCIATIONS:
            db.add(
                Association(
                    slug=slug,
                    name=name,
                    category=category,
                    activities=activities,
                    municipality=municipality,
                    status=Status.APPROVED,
                    search_text=index_text(name, activities, category, municipality),
                )
            )
        db.commit()
        ids = {a.slug: a.id or 0 for a in db.exec(select(Association)).all()}
        editor = db.exec(select(User).where(User.email == EDITOR)).one()
        other = db.exec(select(User).where(User.email == OTHER_EDITOR)).one()
        db.add(AssociationEditor(association_id=ids["pro-karlskoga"], user_id=editor.id or 0))
        db.add(AssociationEditor(association_id=ids["degerfors-if"], user_id=other.id or 0))
        db.commit()


def make_sam_site(make_site: Callable[..., Site], slug: str = "sam", mail: str = "") -> Site:
    """The test site; ``mail`` is its ``[mail]`` table (``smtp_settings``), else mail goes to files."""
    site = make_site(
        slug=slug,
        plugins=["webportal", "lokaler", "samverkan"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "samverkan": 'partner = "Karlskoga kommun"\n'},
        extra='contact_email = "info@sam.example"\n' + mail,
    )
    site.clock.set(TODAY)
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    add_user(site, EDITOR, Role.EDITOR, "Rita Redaktör")
    add_user(site, OTHER_EDITOR, Role.EDITOR, "Olle Annan")
    add_associations(site)
    return site


@pytest.fixture
def sam_site(make_site: Callable[..., Site]) -> Site:
    return make_sam_site(make_site)


@pytest.fixture
def as_user(make_client: Callable[[Site], Client]) -> Callable[[Site, str | None], Client]:
    def factory(site: Site, email: str | None) -> Client:
        client = make_client(site)
        if email:
            client.login(email)
        return client

    return factory


def assignment_form(**overrides: object) -> dict[str, object]:
    """A valid assignment as the public form posts it."""
    data: dict[str, object] = {
        "requester_kind": "kommun",
        "requester": "Kultur- och fritidsförvaltningen",
        "title": "Promenadledare för seniorer",
        "description": "Ledda promenader med fika efteråt för pensionärer i Karlskoga.",
        "when_text": "maj 2026",
        "place": "Karlskoga",
        "scope": "2 ledare",
        "compensation": "3 000 kr",
        "show_public": "y",
        "contact_name": "Kim Kontakt",
        "contact_email": "kim@kommun.example",
        "contact_phone": "",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
