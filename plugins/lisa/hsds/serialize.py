"""LISA rows as HSDS 3.0 objects.

Mapping (LISA → HSDS): organisation → organization; service → service with
its phones, schedules (RFC 5545 style: freq WEEKLY, byday, opens_at,
closes_at, with ``notes`` saying whether the hours hold on holidays; special
hours as rows limited by valid_from/valid_to), languages, service_areas (the municipality), one location via
service_at_locations, attributes linking the needs (taxonomy_terms of one
taxonomy, "LISA behov"), assured_date/assurer from "last verified", alert from
the status message, fees_description from the cost. Referrals are never part
of any HSDS document.

Documents are open data for other systems, not pages: keys follow HSDS and
the texts in them ("Kostnadsfritt", the taxonomy's name, the needs) are in
the site's language, Swedish, whatever language the requester browses in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from core.api import (
    Site,
    absolute_url_for,
)
from plugins.lisa import days, directory
from plugins.lisa.models import Organisation, Schedule, Service, ServiceTerm, SpecialHours, Term

HSDS_VERSION = "3.0"
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
SWEDISH = {"sv": "Svenska"}


def derived_uid(parent: str, kind: str) -> str:
    """A stable UUID for a child object that has no row of its own (the
    service's phone, location, address, area ...), so ids never change
    between answers."""
    return str(uuid.uuid5(uuid.UUID(parent), kind))


def taxonomy_uid(site: Site) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, site.base_url + "/lisa/taxonomy"))


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _clean(obj: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional values rather than sending "" or null."""
    return {k: v for k, v in obj.items() if v not in ("", None)}


def taxonomy(site: Site) -> dict[str, Any]:
    return {
        "id": taxonomy_uid(site),
        "name": "LISA behov",
        "description": "Behov som hjälpen i LISA, hitta rätt hjälp, är ordnad efter.",
        "uri": absolute_url_for(site, "lisa:api_taxonomy", id=taxonomy_uid(site)),
        "version": "1",
    }


def taxonomy_term(site: Site, term: Term, detail: bool = True) -> dict[str, Any]:
    obj = _clean(
        {
            "id": term.uid,
            "code": term.code,
            "name": term.name,
            "description": term.description or term.name,
            "taxonomy": "LISA behov",
            "taxonomy_id": taxonomy_uid(site),
            "language": "sv",
        }
    )
    if detail:
        obj["taxonomy_detail"] = taxonomy(site)
    return obj


def organization(site: Site, org: Organisation) -> dict[str, Any]:
    return _clean(
        {
            "id": org.uid,
            "name": org.name,
            "description": org.description or org.name,
            "email": org.email,
            "website": org.website,
            "legal_status": org.kind,
            "uri": absolute_url_for(site, "lisa:organisation", organisation_id=org.id),
        }
    )


def _schedule(service: Service, s: Schedule) -> dict[str, Any]:
    return {
        "id": s.uid,
        "service_id": service.uid,
        "freq": "WEEKLY",
        "interval": 1,
        "byday": BYDAY[s.weekday],
        "opens_at": s.opens_at.strftime("%H:%M"),
        "closes_at": s.closes_at.strftime("%H:%M"),
        "timezone": 1,
        "description": f"{directory.WEEKDAYS[s.weekday]} {s.opens_at:%H.%M}–{s.closes_at:%H.%M}",
        "notes": days.HSDS_KEEPS_HOURS if service.open_on_holidays else days.HSDS_CLOSES,
    }


def _special(service: Service, s: SpecialHours) -> dict[str, Any]:
    """Special hours as HSDS 3.0 models exceptions: a schedule valid only
    from ``valid_from`` to ``valid_to``. HSDS has no closed flag, so closed
    dates are a row without opening times, and the description says so."""
    dates = s.starts_on.isoformat() + ("" if s.ends_on == s.starts_on else f"–{s.ends_on.isoformat()}")
    obj: dict[str, Any] = {
        "id": s.uid,
        "service_id": service.uid,
        "valid_from": s.starts_on.isoformat(),
        "valid_to": s.ends_on.isoformat(),
        "dtstart": s.starts_on.isoformat(),
        "until": s.ends_on.isoformat(),
        "timezone": 1,
        "description": f"Stängt {dates}",
        "notes": s.note,
    }
    if s.hours is not None:
        opens, closes = s.hours
        obj.update(
            freq="WEEKLY",
            interval=1,
            byday=",".join(BYDAY),
            opens_at=opens.strftime("%H:%M"),
            closes_at=closes.strftime("%H:%M"),
            description=f"Öppet {opens:%H.%M}–{closes:%H.%M} {dates}",
        )
    return _clean(obj)


def service_brief(site: Site, service: Service, org: Organisation) -> dict[str, Any]:
    """The one-to-one fields, as ``/services`` lists them."""
    return _clean(
        {
            "id": service.uid,
            "organization_id": org.uid,
            "name": service.name,
            "description": "\n\n".join(p for p in (service.summary, service.description) if p) or service.name,
            "url": service.website or absolute_url_for(site, "lisa:service", service_id=service.id),
            "email": service.email,
            "status": service.status,
            "application_process": service.how_to_contact,
            "fees_description": service.cost_description or ("Kostnadsfritt" if service.free else ""),
            "eligibility_description": "; ".join(p for p in (service.target_groups, service.eligibility) if p),
            "minimum_age": service.min_age,
            "maximum_age": service.max_age,
            "assured_date": service.verified_at.date().isoformat() if service.verified_at else None,
            "alert": service.status_message,
            "last_modified": iso(service.updated_at),
            "organization": organization(site, org),
        }
    )


@dataclass(frozen=True)
class Related:
    """The rows a nested service shows, for many services in three queries
    (not three per service: issue 21)."""

    schedules: dict[int, list[Schedule]]
    specials: dict[int, list[SpecialHours]]
    terms: dict[int, list[Term]]

    @classmethod
    def of(cls, session: Session, services: list[Service]) -> Related:
        ids = [s.id for s in services if s.id is not None]
        return cls(
            directory.schedules_for(session, ids), days.specials_for(session, ids), directory.terms_for(session, ids)
        )


def service_full(
    site: Site, session: Session, service: Service, org: Organisation, related: Related | None = None
) -> dict[str, Any]:
    """The fully nested service, as ``/services/{id}`` answers; ``related``
    holds its rows when a list of services was loaded in one go."""
    related = related or Related.of(session, [service])
    obj = service_brief(site, service, org)
    sid = service.uid
    obj["phones"] = (
        [_clean({"id": derived_uid(sid, "phone"), "service_id": sid, "number": service.phone})] if service.phone else []
    )
    obj["schedules"] = [_schedule(service, s) for s in related.schedules[service.id or 0]] + [
        _special(service, s) for s in related.specials[service.id or 0]
    ]
    obj["languages"] = [
        {
            "id": derived_uid(sid, f"language:{code}"),
            "service_id": sid,
            "name": directory.LANGUAGES.get(code, code),
            "code": code,
        }
        for code in service.language_list
    ]
    obj["service_areas"] = (
        [
            {
                "id": derived_uid(sid, "area"),
                "service_id": sid,
                "name": service.municipality,
                "description": f"{service.municipality} kommun",
            }
        ]
        if service.municipality
        else []
    )
    obj["service_at_locations"] = []
    if service.address or service.location_name:
        location_id = derived_uid(sid, "location")
        location = _clean(
            {
                "id": location_id,
                "location_type": "physical",
                "organization_id": org.uid,
                "name": service.location_name or service.address,
                "description": service.location_name,
            }
        )
        location["accessibility"] = (
            [
                {
                    "id": derived_uid(sid, "accessibility"),
                    "location_id": location_id,
                    "description": service.accessibility,
                }
            ]
            if service.accessibility
            else []
        )
        if service.address:
            location["addresses"] = [
                {
                    "id": derived_uid(sid, "address"),
                    "location_id": location_id,
                    "address_1": service.address,
                    "city": service.city or service.municipality,
                    "region": "Örebro län",
                    "state_province": "Örebro län",
                    "postal_code": service.postal_code or "-",
                    "country": "SE",
                    "address_type": "physical",
                }
            ]
        obj["service_at_locations"] = [
            {
                "id": derived_uid(sid, "service_at_location"),
                "service_id": sid,
                "location_id": location_id,
                "location": location,
            }
        ]
    obj["attributes"] = [
        {
            "id": derived_uid(sid, f"attribute:{term.uid}"),
            "link_id": sid,
            "link_type": "need",
            "link_entity": "service",
            "taxonomy_term_id": term.uid,
            "taxonomy_term": taxonomy_term(site, term),
        }
        for term in related.terms[service.id or 0]
    ]
    obj["cost_options"] = (
        [{"id": derived_uid(sid, "cost"), "service_id": sid, "amount": 0, "currency": "SEK", "option": "Kostnadsfritt"}]
        if service.free
        else []
    )
    obj["contacts"] = []
    obj["metadata"] = []
    return obj


def organization_full(site: Site, session: Session, org: Organisation) -> dict[str, Any]:
    obj = organization(site, org)
    services = session.exec(select(Service).where(Service.organisation_id == org.id)).all()
    obj["services"] = [service_brief(site, s, org) for s in services]
    if org.phone:
        obj["phones"] = [{"id": derived_uid(org.uid, "phone"), "organization_id": org.uid, "number": org.phone}]
    return obj


def term_uids_of(session: Session, service: Service) -> list[str]:
    rows = session.exec(
        select(Term.uid)
        .join(ServiceTerm, col(ServiceTerm.term_id) == Term.id)
        .where(ServiceTerm.service_id == service.id)
    ).all()
    return list(rows)
