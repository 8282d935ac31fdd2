"""Personal data the plugin keeps, and its end: only an assignment's contact
person (name, e-mail, phone), kept for answering the requester. The person
gets a copy (``own_data``, matched on the account's e-mail), it goes with
their account (``forget_user``), and the daily job erases it
``contact_retention_days`` after the assignment was closed. Meetings,
statements and projects name associations and count participants, never persons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select, update

from core.api import N_, DailyJob, Site, User
from plugins.samverkan.common import settings_of
from plugins.samverkan.models import FINISHED, Assignment, AssignmentStatus


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


#: Days after its last day to report interest that an open assignment is still
#: touched by the daily job (a missed run is caught up; later runs change nothing).
DEADLINE_WINDOW_DAYS = 7


def withdraw_passed_deadlines(site: Site, now: datetime) -> str:
    """An open assignment whose last day to report interest has passed drops
    out of the public list at once, but nothing is written then, so peers
    would keep their copy: touching the row lets federation see that it is
    no longer public (a tombstone) and push the new ``uppdrag`` document."""
    today = site.clock.local_date(now if now.tzinfo else now.replace(tzinfo=UTC))
    with site.session() as db:
        rows = list(
            db.exec(
                select(Assignment).where(
                    Assignment.status == AssignmentStatus.OPEN,
                    col(Assignment.deadline) < today,
                    col(Assignment.deadline) >= today - timedelta(days=DEADLINE_WINDOW_DAYS),
                )
            ).all()
        )
        for row in rows:
            flag_modified(row, "deadline")
            db.add(row)
        db.commit()
    return f"Uppdrag vars sista dag att anmäla intresse har passerat: {len(rows)}"


def daily_jobs() -> list[DailyJob]:
    return [
        DailyJob("samverkan-kontakter", N_("Radera kontaktuppgifter i avslutade uppdrag"), erase_old_contacts),
        DailyJob(
            "samverkan-sista-dag",
            N_("Ta bort uppdrag vars sista dag att anmäla intresse har passerat ur nätverket"),
            withdraw_passed_deadlines,
        ),
    ]
