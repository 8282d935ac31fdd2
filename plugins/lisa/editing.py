"""Saving a service: its fields, openings and needs, and marking it verified.
Shared by the admin form, approved proposals and the HSDS import."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, delete, select

from plugins.lisa import directory, openings
from plugins.lisa.models import Schedule, Service, ServiceTerm

#: Fields an organisation may propose to change through its confirmation link.
PROPOSABLE = [
    "summary",
    "description",
    "target_groups",
    "how_to_contact",
    "phone",
    "email",
    "website",
    "openings_text",
    "address",
    "accessibility",
    "status",
    "status_message",
]


def openings_text(session: Session, service: Service) -> str:
    return openings.format_lines(
        [(s.weekday, s.opens_at, s.closes_at) for s in directory.schedules_of(session, service)]
    )


def set_openings(session: Session, service: Service, text: str) -> None:
    session.exec(delete(Schedule).where(Schedule.service_id == service.id))  # type: ignore[call-overload]
    for weekday, opens, closes in openings.parse(text):
        session.add(Schedule(service_id=service.id, weekday=weekday, opens_at=opens, closes_at=closes))


def set_terms(session: Session, service: Service, term_ids: list[int]) -> None:
    session.exec(delete(ServiceTerm).where(ServiceTerm.service_id == service.id))  # type: ignore[call-overload]
    for term_id in dict.fromkeys(term_ids):
        session.add(ServiceTerm(service_id=service.id, term_id=term_id))


def current_values(session: Session, service: Service) -> dict[str, Any]:
    """The proposable fields as they are now, for forms and diffs."""
    values = {name: getattr(service, name) for name in PROPOSABLE if name != "openings_text"}
    values["openings_text"] = openings_text(session, service)
    return values


def comparable(name: str, value: Any) -> Any:
    """A proposed value as it would be shown: opening hours written the way
    this page writes them (they may have been typed in either language)."""
    if name == "openings_text":
        return openings.normalise(value or "")
    return value


def apply_changes(session: Session, service: Service, changes: dict[str, Any], now: datetime) -> None:
    """Write proposable fields (an approved proposal, or the admin form)."""
    for name, value in changes.items():
        if name not in PROPOSABLE:
            continue
        if name == "openings_text":
            set_openings(session, service, value or "")
        else:
            setattr(service, name, value if value is not None else "")
    touch(session, service, now)


def touch(session: Session, service: Service, now: datetime) -> None:
    service.updated_at = now
    session.add(service)
    session.flush()
    directory.refresh_search_text(session, service)
    session.add(service)


def mark_verified(service: Service, by: str, now: datetime) -> None:
    service.verified_at = now
    service.verified_by = by[:200]


def existing_term_ids(session: Session, service: Service) -> list[int]:
    return [row.term_id for row in session.exec(select(ServiceTerm).where(ServiceTerm.service_id == service.id))]
