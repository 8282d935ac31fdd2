"""Personal data the plugin keeps, and its end: an assignment's contact
person (name, e-mail, phone), kept for answering the requester, and the
contact person of an association's interest in an assignment (name, e-mail,
phone, message), kept for brokering it. The person gets a copy
(``own_data``, matched on the account's e-mail), it goes with their account
(``forget_user``), and daily jobs erase it: the requester's
``contact_retention_days`` after the assignment was closed, an interest's
``interest_retention_days`` after the assignment was closed or its last day
to report interest passed, whichever comes first. Meetings,
statements and projects name associations and count participants, never persons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, or_, select, update

from core.api import N_, DailyJob, Site, User
from plugins.samverkan.common import settings_of
from plugins.samverkan.models import FINISHED, Assignment, AssignmentStatus, Interest


def own_data(site: Site, db: Session, user: User) -> dict[str, list[dict[str, object]]]:
    rows = db.exec(select(Assignment).where(col(Assignment.contact_email) == user.email)).all()
    interests = db.exec(
        select(Interest, Assignment)
        .join(Assignment, col(Assignment.id) == col(Interest.assignment_id))
        .where(col(Interest.contact_email) == user.email)
        .order_by(col(Interest.created_at))
    ).all()
    return {
        "intresseanmalningar": [
            {
                "uppdrag": a.title,
                "forening": i.association_name,
                "kontaktperson": i.contact_name,
                "e_post": i.contact_email,
                "telefon": i.contact_phone,
                "meddelande": i.message,
                "anmald": i.created_at,
                "lage": i.status,
            }
            for i, a in interests
        ],
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
        ],
    }


def _erase() -> dict[str, str]:
    return {"contact_name": "", "contact_email": "", "contact_phone": ""}


def _erase_interest() -> dict[str, str]:
    return {"contact_name": "", "contact_email": "", "contact_phone": "", "message": ""}


def forget_user(db: Session, user: User) -> None:
    db.execute(update(Assignment).where(col(Assignment.contact_email) == user.email).values(**_erase()))
    db.execute(update(Interest).where(col(Interest.contact_email) == user.email).values(**_erase_interest()))


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


def erase_old_interests(site: Site, now: datetime) -> str:
    """Erase the contact details of the interests in assignments closed, or
    whose last day to report interest passed, ``interest_retention_days`` ago.
    The association's name and what staff did with it stay (no person)."""
    aware = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)
    cutoff = aware - timedelta(days=settings_of(site).interest_retention_days)
    last_day = site.clock.local_date(cutoff)
    with site.session() as db:
        ended = select(Assignment.id).where(
            or_(
                col(Assignment.status).in_(FINISHED) & (col(Assignment.closed_at) < cutoff),
                col(Assignment.deadline) < last_day,
            )
        )
        query = select(Interest).where(col(Interest.assignment_id).in_(ended), col(Interest.erased_at).is_(None))
        rows = list(db.exec(query).all())
        for row in rows:
            for key, value in _erase_interest().items():
                setattr(row, key, value)
            row.erased_at = aware
            db.add(row)
        db.commit()
    return f"Raderade kontaktuppgifter i intresseanmälningar: {len(rows)}"


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
            "samverkan-intresse",
            N_("Radera kontaktuppgifter i intresseanmälningar till avslutade uppdrag"),
            erase_old_interests,
        ),
        DailyJob(
            "samverkan-sista-dag",
            N_("Ta bort uppdrag vars sista dag att anmäla intresse har passerat ur nätverket"),
            withdraw_passed_deadlines,
        ),
    ]
