"""Who may do what with bookings: an association's editors act for it, the
person who made a booking may manage it, site admins may do everything.
Which associations an account represents is asked of the member directory
(``core.api.editable_associations``)."""

from __future__ import annotations

from sqlmodel import Session
from starlette.exceptions import HTTPException

from core.api import Site, User, editable_associations
from plugins.lokaler.models import Booking, Resource


def my_associations(site: Site, db: Session, user: User | None) -> dict[str, str]:
    """slug -> name of the associations ``user`` may book for."""
    return {ref.slug: ref.name for ref in editable_associations(site, db, user)}


def may_manage(site: Site, db: Session, user: User | None, booking: Booking) -> bool:
    if user is None:
        return False
    if user.is_admin or (booking.created_by_id is not None and booking.created_by_id == user.id):
        return True
    return bool(booking.association_slug) and booking.association_slug in my_associations(site, db, user)


def may_see_association(site: Site, db: Session, user: User | None, slug: str) -> bool:
    return user is not None and (user.is_admin or slug in my_associations(site, db, user))


def resource_or_404(db: Session, resource_id: int) -> Resource:
    resource = db.get(Resource, resource_id)
    if resource is None or not resource.is_active:
        raise HTTPException(404)
    return resource


def booking_or_404(db: Session, booking_id: int) -> Booking:
    booking = db.get(Booking, booking_id)
    if booking is None:
        raise HTTPException(404)
    return booking
