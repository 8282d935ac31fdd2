"""Writing bookings so that two active bookings of one resource never
overlap, whatever arrives at the same moment.

PostgreSQL: the exclusion constraint of the first migration refuses an
overlap inside the database (SQLSTATE 23P01), so two transactions that both
found the time free cannot both commit; the loser is told the time was
taken. SQLite: the transaction starts with ``BEGIN IMMEDIATE``, which takes
the database's write lock before anything is read, so the check for
collisions and the insert happen with no other writer in between (others
wait on the lock, up to the engine's 30 s busy time-out).

A series is written whole or not at all: if any of its dates collides when
it is written, nothing is saved and the person sees the preview again.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.api import Site, utcnow
from plugins.lokaler.models import ACTIVE, Booking, BookingStatus, Resource
from plugins.lokaler.slots import Slot

#: No booking is longer than this (``slots.check_rules`` refuses it), so a
#: search for overlaps needs to look back only this far from the range's start,
#: and the (resource_id, start_utc) index bounds the scan on both sides.
LONGEST = timedelta(days=14)

#: PostgreSQL's "exclusion_violation".
EXCLUSION_VIOLATION = "23P01"


class ResourceGone(Exception):
    """The resource was removed (or taken out of booking) after the form was opened."""


@dataclass
class Outcome:
    """What became of a request to book: the saved bookings, or the slots
    that collided (then nothing was saved)."""

    saved: list[Booking] = field(default_factory=list)
    collided: list[Slot] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.saved) and not self.collided


def collisions(db: Session, resource: Resource, start_utc: datetime, end_utc: datetime) -> list[Booking]:
    """The active bookings of ``resource`` that a booking from ``start_utc``
    to ``end_utc`` (with the resource's buffer after it) would overlap."""
    block_end = end_utc + timedelta(minutes=resource.buffer_minutes)
    return list(
        db.exec(
            select(Booking)
            .where(
                Booking.resource_id == resource.id,
                col(Booking.status).in_(ACTIVE),
                col(Booking.start_utc) < block_end,
                col(Booking.start_utc) > start_utc - LONGEST - timedelta(minutes=resource.buffer_minutes),
                col(Booking.block_end_utc) > start_utc,
            )
            .order_by(col(Booking.start_utc))
        ).all()
    )


def overlapping(bookings: list[Booking], resource: Resource, start_utc: datetime, end_utc: datetime) -> bool:
    """Whether any of ``bookings`` (active ones of ``resource``) overlaps a
    booking from ``start_utc`` to ``end_utc`` with the resource's buffer."""
    block_end = end_utc + timedelta(minutes=resource.buffer_minutes)
    return any(b.start_utc < block_end and b.block_end_utc > start_utc for b in bookings)


def active_in_window(db: Session, resource: Resource, start_utc: datetime, end_utc: datetime) -> list[Booking]:
    """The resource's active bookings that may overlap anything from
    ``start_utc`` to ``end_utc``: one query for a whole series' preview."""
    return collisions(db, resource, start_utc, end_utc)


def busy_between(db: Session, resource_ids: list[int], start_utc: datetime, end_utc: datetime) -> list[Booking]:
    """Active bookings of these resources that touch ``start_utc..end_utc``."""
    if not resource_ids:
        return []
    return list(
        db.exec(
            select(Booking)
            .where(
                col(Booking.resource_id).in_(resource_ids),
                col(Booking.status).in_(ACTIVE),
                col(Booking.start_utc) < end_utc,
                col(Booking.start_utc) > start_utc - LONGEST,
                col(Booking.end_utc) > start_utc,
            )
            .order_by(col(Booking.start_utc))
        ).all()
    )


@contextmanager
def write_lock(site: Site) -> Iterator[Session]:
    """A session whose transaction holds SQLite's write lock from its first
    statement (on PostgreSQL an ordinary transaction: the constraint guards)."""
    with site.session() as db:
        connection = db.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield db


def new_uid(site: Site) -> str:
    return f"lokaler-{secrets.token_hex(8)}@{site.host}"


def book(site: Site, resource_id: int, slots: list[Slot], template: Booking) -> Outcome:
    """Save one booking per slot, copied from ``template`` (who, what,
    status), all or none. Raises ``ResourceGone`` when the resource no
    longer takes bookings."""
    series_id = secrets.token_hex(8) if len(slots) > 1 else ""
    try:
        with write_lock(site) as db:
            resource = db.get(Resource, resource_id)
            if resource is None or not resource.is_active:
                raise ResourceGone()
            taken = [slot for slot in slots if collisions(db, resource, slot.start_utc, slot.end_utc)]
            if taken:
                db.rollback()
                return Outcome(collided=taken)
            saved = []
            for slot in slots:
                booking = Booking.model_validate(
                    template.model_dump(exclude={"id", "uid", "start_utc", "end_utc", "block_end_utc", "series_id"})
                    | {
                        "uid": new_uid(site),
                        "resource_id": resource_id,
                        "start_utc": slot.start_utc,
                        "end_utc": slot.end_utc,
                        "block_end_utc": slot.end_utc + timedelta(minutes=resource.buffer_minutes),
                        "series_id": series_id,
                    }
                )
                db.add(booking)
                saved.append(booking)
            db.flush()
            from plugins.lokaler import mails

            mails.queue_booked(site, db, resource, saved)
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
            return Outcome(collided=list(slots))
        raise
    return Outcome(saved=saved)


def move(site: Site, booking_id: int, slot: Slot) -> bool:
    """Move a booking to ``slot``; False when that time is taken."""
    try:
        with write_lock(site) as db:
            booking = db.get(Booking, booking_id)
            resource = db.get(Resource, booking.resource_id) if booking else None
            if booking is None or resource is None:
                raise ResourceGone()
            others = [b for b in collisions(db, resource, slot.start_utc, slot.end_utc) if b.id != booking.id]
            if others:
                db.rollback()
                return False
            booking.start_utc = slot.start_utc
            booking.end_utc = slot.end_utc
            booking.block_end_utc = slot.end_utc + timedelta(minutes=resource.buffer_minutes)
            booking.sequence += 1
            booking.updated_at = utcnow()
            db.add(booking)
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == EXCLUSION_VIOLATION:
            return False
        raise
    return True


def set_status(db: Session, booking: Booking, status: BookingStatus, message: str = "") -> None:
    booking.status = status
    booking.admin_message = message
    booking.sequence += 1
    booking.updated_at = utcnow()
    db.add(booking)
