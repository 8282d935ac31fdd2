"""What the events plugin holds about an account (core's ``own_data`` and
``forget_user`` hooks).

Exported: the person's sign-ups (by the account, or by its e-mail address
without signing in), the programme items they submitted with the contact
given, and the events they created (an association's content: title and
date). Deleting the account cancels its active sign-ups (a freed place
goes to the waiting list, as with any cancellation) and erases their name
and e-mail; submissions and events stay with their association, without
the account, and a submission's contact is erased when it was the
person's own address.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select, update

from core.api import Site, User, utcnow
from plugins.evenemang import registration_store as regs
from plugins.evenemang.models import Event
from plugins.evenemang.programme_models import Programme, ProgrammeItem
from plugins.evenemang.registration_models import Registration, RegState


def _mine(user: User) -> Any:
    return or_(col(Registration.user_id) == user.id, func.lower(col(Registration.email)) == user.email.lower())


def data_of(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    sign_ups = session.exec(
        select(Registration, Event)
        .join(Event, col(Event.id) == col(Registration.event_id))
        .where(_mine(user))
        .order_by(col(Registration.id))
    ).all()
    items = session.exec(
        select(ProgrammeItem, Programme)
        .join(Programme, col(Programme.id) == col(ProgrammeItem.programme_id))
        .where(col(ProgrammeItem.submitted_by_id) == user.id)
        .order_by(col(ProgrammeItem.id))
    ).all()
    events = session.exec(select(Event).where(col(Event.created_by_id) == user.id).order_by(col(Event.id))).all()
    return {
        "anmalningar": [
            {
                "evenemang": event.title,
                "evenemang_id": event.id,
                "borjar": event.starts_at,
                "namn": row.name,
                "e-post": row.email,
                "status": row.state,
                "anmald": row.created_at,
                "bekraftad": row.confirmed_at,
                "avbokad": row.cancelled_at,
            }
            for row, event in sign_ups
        ],
        "programbidrag": [
            {
                "program": programme.title,
                "rubrik": item.title,
                "forening": item.association_name,
                "dag": item.day,
                "status": item.state,
                "kontaktperson": item.contact_name,
                "kontakt_e-post": item.contact_email,
                "inskickat": item.created_at,
            }
            for item, programme in items
        ],
        "evenemang_skapade": [{"id": e.id, "rubrik": e.title, "borjar": e.starts_at} for e in events],
    }


def forget(site: Site, session: Session, user: User) -> None:
    """See the module's docstring; runs in core's transaction (no commit)."""
    rows = session.exec(select(Registration).where(_mine(user), col(Registration.erased_at).is_(None))).all()
    freed: set[int] = set()
    for row in rows:
        if row.state == RegState.CONFIRMED:
            freed.add(row.event_id)
        if row.state in (RegState.CONFIRMED, RegState.WAITING):
            row.state, row.cancelled_at = RegState.CANCELLED, utcnow()
        row.name, row.email, row.user_id, row.key, row.erased_at = "", "", None, "", utcnow()
        session.add(row)
    session.flush()
    for event_id in sorted(freed):
        regs.release_and_move_up(site, session, event_id)
    mine = col(ProgrammeItem.submitted_by_id) == user.id
    own_contact = func.lower(col(ProgrammeItem.contact_email)) == user.email.lower()
    session.exec(update(ProgrammeItem).where(own_contact).values(contact_name="", contact_email=""))
    session.exec(update(ProgrammeItem).where(mine).values(submitted_by_id=None))
    session.exec(update(Event).where(col(Event.created_by_id) == user.id).values(created_by_id=None))
