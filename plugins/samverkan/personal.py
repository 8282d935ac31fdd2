"""Personal data the plugin keeps, and its end: only an assignment's contact
person (name, e-mail, phone), kept for answering the requester. The person
gets a copy (``own_data``, matched on the account's e-mail), it goes with
their account (``forget_user``), and the daily job erases it
``contact_retention_days`` after the assignment was closed. Meetings,
statements and projects name associations and count participants, never persons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select, update

from core.api import N_, DailyJob, Site, User
from plugins.samverkan.common import settings_of
from plugins.samverkan.models import FINISHED, Assignment


def own_data(site: Site, db: Session, user: User) -> dict[str, list[dict[str, object]]]:
    rows = db.exec(select(Assignment).where(col(Assignment.contact_email) == user.email)).all()
    return {
        "uppdrag": [
            {
                "uppdrag": a.title,
                "organisation": a.requester,
                "kontaktperson": a.contact_name,
                "e_post": a.contact_email,
                "telefon": a.contact_phone,
                "inkom": a.created_at,
                "lage": a.status,
            }
            for a in rows
        ]
    }


def _erase() -> dict[str, str]:
    return {"contact_name": "", "contact_email": "", "contact_phone": ""}


def forget_user(db: Session, user: User) -> None:
    db.execute(update(Assignment).where(col(Assignment.contact_email) == user.email).values(**_erase()))


def erase_old_contacts(site: Site, now: datetime) -> str:
    aware = now if now.tzinfo else now.replace(tzinfo=UTC)
    cutoff = aware.astimezone(UTC) - timedelta(days=settings_of(site).contact_retention_days)
    with site.session() as db:
        erased = db.execute(
            update(Assignment)
            .where(
                col(Assignment.status).in_(FINISHED),
                col(Assignment.closed_at) < cutoff,
                col(Assignment.contact_email) != "",
            )
            .values(**_erase())
        ).rowcount  # type: ignore[attr-defined]  # a CursorResult for an UPDATE
    return f"Raderade kontaktuppgifter i avslutade uppdrag: {erased}"


def daily_jobs() -> list[DailyJob]:
    return [DailyJob("samverkan-kontakter", N_("Radera kontaktuppgifter i avslutade uppdrag"), erase_old_contacts)]
