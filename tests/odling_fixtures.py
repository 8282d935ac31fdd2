"""Shared set-up for the odling tests: a site with webportal and odling on
a fixed date, and small builders for beds, plantings, members and sessions."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from core.site import Site
from plugins.odling.models import Bed, Crop, Member, Planting, WorkSession

#: Mid-July: much is in flower, so "Vad blommar nu" has something to say.
TODAY = date(2026, 7, 15)
ODLING = f'today = {TODAY.isoformat()}\nmail_from = "parken@test.example"\n'
PLUGINS = ["webportal", "odling"]
WEBPORTAL = 'municipalities = ["Karlskoga"]\n'


def odling_site(make_site, settings: str = ODLING, **kwargs) -> Site:
    return make_site(plugins=PLUGINS, plugin_settings={"webportal": WEBPORTAL, "odling": settings}, **kwargs)


def add_bed(site: Site, code: str = "B1", name: str = "Kryddbädden", **fields) -> int:
    with site.session() as db:
        bed = Bed(code=code, name=name, area_m2=12, x=200, y=50, width=160, height=90, **fields)
        db.add(bed)
        db.commit()
        return bed.id


def crop_id(site: Site, latin: str) -> int:
    with site.session() as db:
        crop = db.exec(select(Crop).where(Crop.name_latin == latin)).one()
        return crop.id


def add_planting(site: Site, bed_id: int, latin: str, season: int = TODAY.year) -> int:
    with site.session() as db:
        planting = Planting(bed_id=bed_id, crop_id=crop_id(site, latin), season=season)
        db.add(planting)
        db.commit()
        return planting.id


def add_member(site: Site, name: str = "Maria Medlem", email: str = "maria@test.example", phone: str = "") -> Member:
    with site.session() as db:
        member = Member(
            name=name,
            email=email,
            phone=phone,
            interests="arbetspass",
            consent_text="Jag samtycker.",
            token=secrets.token_urlsafe(24),
            delete_after=TODAY + timedelta(days=700),
        )
        db.add(member)
        db.commit()
        db.refresh(member)
        return member


def add_session(site: Site, task: str = "Rensa ogräs", days: int = 1, places: int = 5, hours: int = 2) -> int:
    """A session ``days`` after TODAY at 17:00 Swedish summer time (15:00 UTC)."""
    starts = datetime.combine(TODAY + timedelta(days=days), datetime.min.time(), tzinfo=UTC) + timedelta(hours=15)
    with site.session() as db:
        work = WorkSession(task=task, starts_at=starts, ends_at=starts + timedelta(hours=hours), places=places)
        db.add(work)
        db.commit()
        return work.id


def member_token(location: str) -> str:
    found = re.search(r"/parken/mitt/([\w-]+)$", location)
    assert found, f"not a member page: {location}"
    return found.group(1)
