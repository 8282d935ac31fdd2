"""What the park holds about an account (core's ``own_data`` and
``forget_user`` hooks): a coordinator's appointment and the pollinator
counts it recorded, and a park membership under the same e-mail address
(members have no account; their own link and retention rule manage that
row, so deleting the account leaves the membership alone). When the
account is deleted the appointment goes; the counts stay, without it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, select, update

from core.api import User
from plugins.odling.models import Coordinator, Member, Observation


def data_of(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    coordinator = session.exec(select(Coordinator).where(Coordinator.user_id == user.id)).all()
    counts = session.exec(select(Observation).where(Observation.user_id == user.id)).all()
    members = session.exec(select(Member).where(Member.email == user.email)).all()
    return {
        "samordnare": [{"ansvar": c.responsibility, "utsedd": c.appointed_at} for c in coordinator],
        "pollinatorraekningar": [
            {"datum": o.observed_on, "art": o.taxon, "antal": o.count, "anteckning": o.notes} for o in counts
        ],
        "medlemskap": [
            {
                "namn": m.name,
                "e-post": m.email,
                "telefon": m.phone,
                "intressen": m.interests,
                "meddelande": m.message,
                "samtycke": m.consent_text,
                "samtyckte": m.consented_at,
                "gick_med": m.joined_at,
                "tas_bort_efter": m.delete_after,
            }
            for m in members
        ],
    }


def forget(session: Session, user: User) -> None:
    session.exec(delete(Coordinator).where(col(Coordinator.user_id) == user.id))
    session.exec(update(Observation).where(col(Observation.user_id) == user.id).values(user_id=None))
