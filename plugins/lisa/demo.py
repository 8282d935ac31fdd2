"""LISA's demo content: the needs taxonomy, 20 organisations with 34 services
across Karlskoga and Degerfors, three health centres, and two demo accounts
that show the referral loop: a nurse at Vårdcentralen Bofors and a volunteer
at Röda Korset.

A site may bring its own ``sites/<slug>/demo/lisa/demo.json``. Idempotent:
rows are keyed on names (terms on their code) and only missing ones are
created, so what a demo visitor changed survives a second run. "Last
verified" dates are spread so a few services are already due for checking.
"""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from core.api import DEMO_PASSWORD, Role, Site, create_user, demo_accounts, demo_file, get_user_by_email
from plugins.lisa import directory, editing
from plugins.lisa.models import HealthCentre, Membership, MembershipKind, Organisation, Service, SpecialHours, Term

DATA = Path(__file__).parent / "data"


def ensure_terms(session: Session) -> dict[str, Term]:
    """The default needs, created once; admins may rename them afterwards."""
    terms = {t.code: t for t in session.exec(select(Term)).all()}
    for position, (code, name, description) in enumerate(directory.DEFAULT_TERMS):
        if code not in terms:
            terms[code] = Term(code=code, name=name, description=description, position=(position + 1) * 10)
            session.add(terms[code])
    session.flush()
    return terms


def demo_users(site: Site) -> list[tuple[str, str]]:
    """(e-mail, name) of LISA's demo accounts: a nurse at the first health
    centre and a volunteer at the first organisation that takes referrals."""
    host = demo_accounts(site)[0][0].split("@", 1)[1]
    return [(f"vardcentral@{host}", "Vera Sjuksköterska"), (f"organisation@{host}", "Olle Volontär")]


def load(site: Site, session: Session) -> None:
    data: dict[str, Any] = json.loads(demo_file(site, "lisa", "demo.json", DATA).read_text(encoding="utf-8"))
    terms = ensure_terms(session)
    municipalities = directory.settings_of(site).municipalities
    centres = {h.name: h for h in session.exec(select(HealthCentre)).all()}
    local = [s for s in data["services"] if s["municipality"] in municipalities]
    used = {s["org"] for s in local}
    for hc in data["health_centres"]:
        if hc["municipality"] not in municipalities:
            continue
        if hc["name"] not in centres:
            centres[hc["name"]] = HealthCentre(name=hc["name"], municipality=hc["municipality"])
            session.add(centres[hc["name"]])
    orgs: dict[str, Organisation] = {}
    existing = {o.name: o for o in session.exec(select(Organisation)).all()}
    for o in data["organisations"]:
        if o["key"] not in used:
            continue  # an organisation with no help in this site's area stays out of its directory
        org = existing.get(o["name"])
        if org is None:
            org = Organisation(
                name=o["name"],
                kind=o.get("kind", "Förening"),
                description=o.get("description", ""),
                website=o.get("website", ""),
                email=o.get("email", ""),
                phone=o.get("phone", ""),
                municipality=o.get("municipality", ""),
                association_slug=o.get("association_slug", ""),
            )
            session.add(org)
        orgs[o["key"]] = org
    session.flush()
    have = {(s.organisation_id, s.name) for s in session.exec(select(Service)).all()}
    now = site.clock.now()
    for s in local:
        org = orgs[s["org"]]
        if (org.id, s["name"]) in have:
            continue
        service = Service(
            organisation_id=org.id,
            name=s["name"],
            summary=s.get("summary", ""),
            description=s.get("description", ""),
            target_groups=s.get("target_groups", ""),
            min_age=s.get("min_age"),
            max_age=s.get("max_age"),
            languages=",".join(s.get("languages", ["sv"])),
            free=s.get("free", True),
            cost_description=s.get("cost", ""),
            contact_methods=",".join(s.get("methods", [])),
            how_to_contact=s.get("how", ""),
            phone=s.get("phone", ""),
            email=s.get("email", ""),
            accepts_referrals=s.get("referrals", False),
            status=s.get("status", "active"),
            status_message=s.get("status_message", ""),
            municipality=s["municipality"],
            location_name=s.get("location", ""),
            address=s.get("address", ""),
            postal_code=s.get("postal_code", ""),
            city=s.get("city", ""),
            accessibility=s.get("accessibility", ""),
            open_on_holidays=s.get("open_on_holidays", False),
            verified_at=now - timedelta(days=s.get("verified_days_ago", 30)),
            verified_by=f"{org.name} (demodata)",
        )
        session.add(service)
        session.flush()
        editing.set_terms(session, service, [terms[c].id for c in s.get("terms", []) if c in terms])  # type: ignore[misc]
        editing.set_openings(session, service, s.get("openings", ""))
        for special in s.get("special_hours", []):
            session.add(_special_hours(service, special, now.date()))
        session.flush()
        directory.refresh_search_text(session, service)
        session.add(service)
    referring = [orgs[s["org"]] for s in local if s.get("referrals")]
    _load_users(site, session, [centres[h["name"]] for h in data["health_centres"] if h["name"] in centres], referring)
    session.commit()


def _load_users(site: Site, session: Session, centres: list[HealthCentre], referring: list[Organisation]) -> None:
    if not centres or not referring:
        return
    session.flush()
    (nurse_email, nurse_name), (volunteer_email, volunteer_name) = demo_users(site)
    for email, name, centre, org in (
        (nurse_email, nurse_name, centres[0], None),
        (volunteer_email, volunteer_name, None, referring[0]),
    ):
        user = get_user_by_email(session, email) or create_user(session, email, name, DEMO_PASSWORD, Role.EDITOR)
        session.flush()
        exists = session.exec(select(Membership).where(Membership.user_id == user.id)).first()
        if exists is None:
            session.add(
                Membership(
                    user_id=user.id,
                    kind=MembershipKind.HEALTH_CENTRE if centre else MembershipKind.ORGANISATION,
                    health_centre_id=centre.id if centre else None,
                    organisation_id=org.id if org else None,
                )
            )


def _special_hours(service: Service, spec: dict[str, str], today: date) -> SpecialHours:
    """Demo special hours given as month-day ("12-23" to "01-06"), placed at
    their next occurrence so the demo always shows some ahead."""
    month, day = (int(x) for x in spec["from"].split("-"))
    first = date(today.year, month, day)
    if first < today:
        first = first.replace(year=today.year + 1)
    month, day = (int(x) for x in spec.get("to", spec["from"]).split("-"))
    last = date(first.year, month, day)
    if last < first:
        last = last.replace(year=first.year + 1)
    opens, closes = spec.get("opens"), spec.get("closes")
    return SpecialHours(
        service_id=service.id,
        starts_on=first,
        ends_on=last,
        opens_at=time.fromisoformat(opens.replace(".", ":")) if opens else None,
        closes_at=time.fromisoformat(closes.replace(".", ":")) if closes else None,
        note=spec.get("note", ""),
    )
