"""What LISA holds about an account (core's ``own_data`` and ``forget_user``
hooks): whom it acts for, the referrals it sent and its entries in the
referral access log. A referral's client is someone else's personal data:
the copy names the referral, not the person. When the account is deleted
its memberships go; referrals and the log stay, without the account."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, select, update

from core.api import User
from plugins.lisa.models import HealthCentre, Membership, Organisation, Referral, ReferralAccess


def data_of(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    memberships = session.exec(select(Membership).where(Membership.user_id == user.id)).all()
    organisations = {o.id: o.name for o in session.exec(select(Organisation)).all()} if memberships else {}
    centres = {c.id: c.name for c in session.exec(select(HealthCentre)).all()} if memberships else {}
    referrals = session.exec(select(Referral).where(Referral.sender_user_id == user.id)).all()
    access = session.exec(select(ReferralAccess).where(ReferralAccess.user_id == user.id)).all()
    return {
        "roller": [
            {
                "typ": m.kind,
                "organisation": organisations.get(m.organisation_id, ""),
                "vardcentral": centres.get(m.health_centre_id, ""),
            }
            for m in memberships
        ],
        "skickade_remisser": [
            {"id": r.id, "tjanst_id": r.service_id, "status": r.status, "skapad": r.created_at} for r in referrals
        ],
        "remisslogg": [{"remiss_id": a.referral_id, "handling": a.action, "tid": a.at} for a in access],
    }


def forget(session: Session, user: User) -> None:
    session.exec(delete(Membership).where(col(Membership.user_id) == user.id))
    session.exec(update(Referral).where(col(Referral.sender_user_id) == user.id).values(sender_user_id=None))
    session.exec(update(ReferralAccess).where(col(ReferralAccess.user_id) == user.id).values(user_id=None))
