"""Personal data the plugin keeps, and its end: a booker's contact details
(name, e-mail, phone) and office interests. The person gets a copy of what
is about them (``own_data``) and it goes with their account
(``forget_user``); the daily job erases the contact details of bookers who
are not member associations, and office interests, ``contact_retention_days``
after the booking ended (or the interest came in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, delete, select, update

from core.api import N_, DailyJob, Site, User, utcnow
from plugins.lokaler.common import settings_of, when_text
from plugins.lokaler.models import BookerKind, Booking, BookingStatus, OfficeInterest, Resource

#: Days after a request was declined that its contact details are erased.
DECLINED_DAYS = 30


def own_data(site: Site, db: Session, user: User) -> dict[str, list[dict[str, object]]]:
    resources = {r.id: r.name for r in db.exec(select(Resource)).all()}
    mine = db.exec(
        select(Booking)
        .where((col(Booking.created_by_id) == user.id) | (col(Booking.contact_email) == user.email))
        .order_by(col(Booking.start_utc))
    ).all()
    rows: list[dict[str, object]] = [
        {
            "vad": b.title,
            "rum": resources.get(b.resource_id, ""),
            "nar": when_text(site, b),
            "status": b.status,
            "bokat_for": b.booker,
            "kontaktperson": b.contact_name,
            "e_post": b.contact_email,
            "telefon": b.contact_phone,
            "skapad": b.created_at,
        }
        for b in mine
    ]
    interests = db.exec(select(OfficeInterest).where(OfficeInterest.email == user.email)).all()
    return {
        "bokningar": rows,
        "kontorsintressen": [
            {"forening": i.organisation, "namn": i.name, "e_post": i.email, "telefon": i.phone, "inkom": i.created_at}
            for i in interests
        ],
    }


def forget_user(db: Session, user: User) -> None:
    """The account goes: its contact details leave every booking (an
    association's bookings stay for the association), its office interests
    are deleted, and bookings no longer name it as their maker."""
    db.execute(
        update(Booking)
        .where(col(Booking.contact_email) == user.email)
        .values(contact_name="", contact_email="", contact_phone="", contact_erased_at=utcnow())
    )
    db.execute(update(Booking).where(col(Booking.created_by_id) == user.id).values(created_by_id=None))
    db.execute(delete(OfficeInterest).where(col(OfficeInterest.email) == user.email))


def erase_old_contacts(site: Site, now: datetime) -> str:
    days = settings_of(site).contact_retention_days
    aware = now if now.tzinfo else now.replace(tzinfo=UTC)
    cutoff_aware = aware.astimezone(UTC) - timedelta(days=days)
    cutoff = cutoff_aware.replace(tzinfo=None)  # bookings keep naive UTC
    with site.session() as db:
        erased = db.execute(
            update(Booking)
            .where(
                col(Booking.booker_kind) != BookerKind.MEMBER,
                col(Booking.end_utc) < cutoff,
                col(Booking.contact_erased_at).is_(None),
            )
            .values(organisation="", contact_name="", contact_email="", contact_phone="", contact_erased_at=utcnow())
        ).rowcount  # type: ignore[attr-defined]  # a CursorResult for an UPDATE
        # A declined request's contact details go DECLINED_DAYS after the decision.
        declined_cutoff = aware.astimezone(UTC) - timedelta(days=DECLINED_DAYS)
        erased += db.execute(
            update(Booking)
            .where(
                col(Booking.booker_kind) != BookerKind.MEMBER,
                col(Booking.status) == BookingStatus.DECLINED,
                col(Booking.updated_at) < declined_cutoff,
                col(Booking.contact_erased_at).is_(None),
            )
            .values(organisation="", contact_name="", contact_email="", contact_phone="", contact_erased_at=utcnow())
        ).rowcount  # type: ignore[attr-defined]  # a CursorResult for an UPDATE
        removed = db.execute(delete(OfficeInterest).where(col(OfficeInterest.created_at) < cutoff_aware)).rowcount  # type: ignore[attr-defined]  # a CursorResult for a DELETE
    return f"Raderade kontaktuppgifter i bokningar: {erased}; raderade kontorsintressen: {removed}"


def send_reminders(site: Site, now: datetime) -> str:
    """Remind the bookers of confirmed bookings that start the next local
    day, once each (``reminded_at``), with the booking as .ics."""
    from zoneinfo import ZoneInfo

    from plugins.lokaler import mails

    zone = ZoneInfo(site.config.site.timezone)
    aware = now if now.tzinfo else now.replace(tzinfo=UTC)
    tomorrow = aware.astimezone(zone).date() + timedelta(days=1)
    first = datetime.combine(tomorrow, datetime.min.time(), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    after = first + timedelta(days=1)
    sent = 0
    with site.session() as db:
        due = db.exec(
            select(Booking).where(
                Booking.status == BookingStatus.CONFIRMED,
                col(Booking.start_utc) >= first,
                col(Booking.start_utc) < after,
                col(Booking.reminded_at).is_(None),
                col(Booking.contact_email) != "",
            )
        ).all()
        for booking in due:
            resource = db.get(Resource, booking.resource_id)
            if resource is None:
                continue
            mails.queue_reminder(site, db, resource, booking)
            booking.reminded_at = utcnow()
            db.add(booking)
            sent += 1
    return f"Skickade påminnelser om bokningar: {sent}"


def daily_jobs() -> list[DailyJob]:
    return [
        DailyJob("lokaler-gallra", N_("Radera gamla kontaktuppgifter i lokalbokningar"), erase_old_contacts),
        DailyJob("lokaler-paminnelser", N_("Påminn om lokalbokningar dagen före"), send_reminders),
    ]
