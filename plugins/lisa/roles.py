"""LISA's roles, kept in ``lisa_membership`` beside core's admin/editor:

- an **organisation user** acts for one or more organisations: sees and
  answers the referrals sent to their services, and may send referrals on;
- a **health-centre user** acts for a health centre: sends referrals and
  follows their status;
- a **site admin** runs the directory but does not read referrals unless a
  membership makes them a party to one (referrals are between the parties).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.api import Forbidden, User
from core.api import gettext as _
from plugins.lisa.models import HealthCentre, Membership, MembershipKind, Organisation, Referral, Service


def memberships(session: Session, user: User | None) -> list[Membership]:
    if user is None or user.id is None or not user.is_active:
        return []
    return list(session.exec(select(Membership).where(Membership.user_id == user.id)).all())


def organisation_ids(session: Session, user: User | None) -> set[int]:
    return {
        m.organisation_id
        for m in memberships(session, user)
        if m.kind == MembershipKind.ORGANISATION and m.organisation_id is not None
    }


def health_centre_ids(session: Session, user: User | None) -> set[int]:
    return {
        m.health_centre_id
        for m in memberships(session, user)
        if m.kind == MembershipKind.HEALTH_CENTRE and m.health_centre_id is not None
    }


def can_refer(session: Session, user: User | None) -> bool:
    """Health-centre and organisation users may hand a person on."""
    return bool(memberships(session, user))


def require_referrer(session: Session, user: User) -> None:
    if not can_refer(session, user):
        raise Forbidden(
            _(
                "Bara personal på en vårdcentral eller en organisation i LISA kan skicka remisser. "
                "Be administratören koppla ditt konto till din vårdcentral eller organisation."
            )
        )


def sender_choices(session: Session, user: User) -> list[tuple[str, str]]:
    """Whom the user may send on behalf of: ``("vc:3", "Vårdcentralen Bofors")``."""
    choices: list[tuple[str, str]] = []
    for hc_id in sorted(health_centre_ids(session, user)):
        hc = session.get(HealthCentre, hc_id)
        if hc:
            choices.append((f"vc:{hc_id}", hc.name))
    for org_id in sorted(organisation_ids(session, user)):
        org = session.get(Organisation, org_id)
        if org:
            choices.append((f"org:{org_id}", org.name))
    return choices


def is_receiver(session: Session, user: User | None, referral: Referral) -> bool:
    service = session.get(Service, referral.service_id)
    return service is not None and service.organisation_id in organisation_ids(session, user)


def is_sender(session: Session, user: User | None, referral: Referral) -> bool:
    if user is None or not user.is_active:
        return False
    if referral.sender_user_id == user.id:
        return True
    if referral.sender_health_centre_id is not None:
        return referral.sender_health_centre_id in health_centre_ids(session, user)
    if referral.sender_organisation_id is not None:
        return referral.sender_organisation_id in organisation_ids(session, user)
    return False


def visible_referrals(session: Session, user: User) -> tuple[list[Referral], list[Referral]]:
    """(received by the user's organisations, sent by the user or their units)."""
    orgs = organisation_ids(session, user)
    received: list[Referral] = []
    if orgs:
        received = list(
            session.exec(
                select(Referral)
                .join(Service, col(Service.id) == Referral.service_id)
                .where(col(Service.organisation_id).in_(orgs))
                .order_by(col(Referral.created_at).desc())
            ).all()
        )
    centres = health_centre_ids(session, user)
    clauses = [col(Referral.sender_user_id) == user.id]
    if centres:
        clauses.append(col(Referral.sender_health_centre_id).in_(centres))
    if orgs:
        clauses.append(col(Referral.sender_organisation_id).in_(orgs))
    from sqlalchemy import or_

    sent = list(session.exec(select(Referral).where(or_(*clauses)).order_by(col(Referral.created_at).desc())).all())
    return received, sent
