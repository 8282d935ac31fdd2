"""Export and import in HSDS 3.0's two serialisations: one JSON document
(taxonomies, taxonomy_terms, organizations, fully nested services) and the
tabular form (a zip of one CSV per object, HSDS's file names, child rows
pointing at their parents by ``service_id``, ``location_id``, ``link_id``).

Import upserts by HSDS ``id``: a second import of the same file changes
nothing, and an edited file updates the rows it names. Referrals are never
exported, and nothing about people is imported.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session, col, delete, select

from core.api import (
    Site,
    absolute_url_for,
)
from core.api import gettext as _
from plugins.lisa import days, directory, editing
from plugins.lisa.hsds import serialize
from plugins.lisa.hsds.validate import errors
from plugins.lisa.models import Organisation, Schedule, Service, ServiceStatus, SpecialHours, Term
from plugins.lisa.slugs import term_code

# -- export ----------------------------------------------------------------------------


def export_document(site: Site, session: Session) -> dict[str, Any]:
    orgs = list(session.exec(select(Organisation).order_by(col(Organisation.id))).all())
    by_id = {o.id: o for o in orgs}
    services = list(session.exec(select(Service).order_by(col(Service.id))).all())
    related = serialize.Related.of(session, services)
    return {
        "hsds_version": serialize.HSDS_VERSION,
        "publisher": {"name": site.name, "website": site.base_url},
        "generated": serialize.iso(site.clock.now()),
        "taxonomies": [serialize.taxonomy(site)],
        "taxonomy_terms": [serialize.taxonomy_term(site, t, detail=False) for t in directory.all_terms(session)],
        "organizations": [serialize.organization(site, o) for o in orgs],
        "services": [serialize.service_full(site, session, s, by_id[s.organisation_id], related) for s in services],
    }


TABLES = [
    "taxonomies",
    "taxonomy_terms",
    "organizations",
    "services",
    "phones",
    "schedules",
    "languages",
    "service_areas",
    "locations",
    "addresses",
    "accessibility",
    "service_at_locations",
    "attributes",
    "cost_options",
]


def _flat(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not isinstance(v, list | dict)}


def tabular(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The JSON document as HSDS tables (lists of flat rows)."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    tables["taxonomies"] = [_flat(t) for t in document["taxonomies"]]
    tables["taxonomy_terms"] = [_flat(t) for t in document["taxonomy_terms"]]
    tables["organizations"] = [_flat(o) for o in document["organizations"]]
    for s in document["services"]:
        tables["services"].append(_flat(s))
        for key in ("phones", "schedules", "languages", "service_areas", "attributes", "cost_options"):
            tables[key] += [_flat(row) for row in s.get(key, [])]
        for sal in s.get("service_at_locations", []):
            tables["service_at_locations"].append(_flat(sal))
            location = sal.get("location")
            if location:
                tables["locations"].append(_flat(location))
                tables["addresses"] += [_flat(a) for a in location.get("addresses", [])]
                tables["accessibility"] += [_flat(a) for a in location.get("accessibility", [])]
    return tables


def export_zip(document: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tabular(document).items():
            columns: list[str] = []
            for row in rows:
                columns += [k for k in row if k not in columns]
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns or ["id"], lineterminator="\r\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()


def nest(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Tables back into the JSON document's shape, for the one importer."""

    def by(table: str, key: str) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in tables.get(table, []):
            grouped[row.get(key, "")].append(row)
        return grouped

    terms = {t["id"]: t for t in tables.get("taxonomy_terms", [])}
    locations = {row["id"]: dict(row) for row in tables.get("locations", [])}
    addresses, access = by("addresses", "location_id"), by("accessibility", "location_id")
    for loc_id, loc in locations.items():
        loc["addresses"] = addresses.get(loc_id, [])
        loc["accessibility"] = access.get(loc_id, [])
    children = {
        k: by(k, "service_id")
        for k in ("phones", "schedules", "languages", "service_areas", "cost_options", "service_at_locations")
    }
    attributes = by("attributes", "link_id")
    services = []
    for row in tables.get("services", []):
        s = dict(row)
        sid = s["id"]
        for key, grouped in children.items():
            s[key] = [dict(c) for c in grouped.get(sid, [])]
        for sal in s["service_at_locations"]:
            sal["location"] = locations.get(sal.get("location_id", ""))
        s["attributes"] = [
            {**a, "taxonomy_term": terms.get(a.get("taxonomy_term_id", ""))} for a in attributes.get(sid, [])
        ]
        services.append(s)
    return {
        "taxonomies": tables.get("taxonomies", []),
        "taxonomy_terms": list(terms.values()),
        "organizations": tables.get("organizations", []),
        "services": services,
    }


#: HSDS fields of type number; CSV carries them as text.
NUMERIC = {
    "minimum_age",
    "maximum_age",
    "amount",
    "interval",
    "timezone",
    "latitude",
    "longitude",
    "year_incorporated",
    "extension",
    "count",
}


def _typed(row: dict[str, str]) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for key, value in row.items():
        if value == "" or key is None:
            continue
        if key in NUMERIC:
            try:
                number = float(value)
            except ValueError:
                typed[key] = value  # left for the schema check to report
                continue
            typed[key] = int(number) if number.is_integer() else number
        else:
            typed[key] = value
    return typed


def read_zip(data: bytes) -> dict[str, Any]:
    tables: dict[str, list[dict[str, Any]]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if not name.endswith(".csv") or info.file_size > 20 * 1024 * 1024:
                continue
            text = archive.read(info).decode("utf-8-sig")
            tables[name[:-4]] = [_typed(row) for row in csv.DictReader(io.StringIO(text))]
    return nest(tables)


# -- import ----------------------------------------------------------------------------------


class ImportError_(ValueError):
    """The file is not an HSDS document we can read; the message says why."""


@dataclass
class ImportResult:
    organisations: int = 0
    services: int = 0
    terms: int = 0
    skipped: list[str] = field(default_factory=list)


def _int(value: Any) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _time(value: Any) -> time | None:
    try:
        return time.fromisoformat(str(value)[:5]) if value else None
    except ValueError:
        return None


STATUS_IN = {
    "active": ServiceStatus.ACTIVE,
    "temporarily closed": ServiceStatus.TEMPORARILY_CLOSED,
    "inactive": ServiceStatus.TEMPORARILY_CLOSED,
    "defunct": ServiceStatus.ENDED,
}


def import_document(site: Site, session: Session, document: object) -> ImportResult:
    if not isinstance(document, dict) or not isinstance(document.get("services", []), list):
        raise ImportError_(_("Filen är inget HSDS-dokument: den ska ha listorna organizations och services."))
    problems = [f"services/{i}/{e}" for i, s in enumerate(document.get("services", [])) for e in errors("service", s)]
    problems += [
        f"organizations/{i}/{e}"
        for i, o in enumerate(document.get("organizations", []))
        for e in errors("organization", o)
    ]
    if problems:
        more = " " + _("(och %(count)s fel till)") % {"count": len(problems) - 3} if len(problems) > 3 else ""
        found = "; ".join(problems[:3]) + more
        raise ImportError_(_("Filen följer inte HSDS 3.0: %(problems)s") % {"problems": found})
    result = ImportResult()
    municipalities = directory.settings_of(site).municipalities
    terms: dict[str, Term] = {}
    term_rows = list(document.get("taxonomy_terms", []))
    for s in document.get("services", []):
        term_rows += [a["taxonomy_term"] for a in s.get("attributes", []) if a.get("taxonomy_term")]
    for t in term_rows:
        if not t.get("id") or not t.get("name") or t["id"] in terms:
            continue
        row = session.exec(select(Term).where(Term.uid == t["id"])).first()
        code = t.get("code") or term_code(t["name"])
        if row is None:
            row = session.exec(select(Term).where(Term.code == code)).first()
        if row is None:
            row = Term(uid=t["id"], code=code, name=t["name"][:100], description=(t.get("description") or "")[:500])
            session.add(row)
            session.flush()
            result.terms += 1
        terms[t["id"]] = row
    orgs: dict[str, Organisation] = {}
    org_rows = list(document.get("organizations", []))
    org_rows += [s["organization"] for s in document.get("services", []) if isinstance(s.get("organization"), dict)]
    for o in org_rows:
        if not o.get("id") or not o.get("name") or o["id"] in orgs:
            continue
        org = session.exec(select(Organisation).where(Organisation.uid == o["id"])).first()
        if org is None:
            org = Organisation(uid=o["id"], name=o["name"])
            result.organisations += 1
        org.name = o["name"][:200]
        org.description = (o.get("description") or "")[:2000] if o.get("description") != o["name"] else ""
        org.email = (o.get("email") or "")[:254]
        website = o.get("website") or ""
        org.website = website[:300] if website.startswith(("http://", "https://")) else ""
        org.kind = (o.get("legal_status") or org.kind or "Förening")[:60]
        org.updated_at = site.clock.now()
        session.add(org)
        session.flush()
        orgs[o["id"]] = org
    for s in document.get("services", []):
        name = (s.get("name") or "").strip()
        org = orgs.get(s.get("organization_id") or (s.get("organization") or {}).get("id", ""))
        if not s.get("id") or not name or org is None:
            result.skipped.append(name or str(s.get("id") or "?"))
            continue
        _import_service(site, session, s, org, terms, municipalities)
        result.services += 1
    session.commit()
    return result


def _import_service(
    site: Site,
    session: Session,
    s: dict[str, Any],
    org: Organisation,
    terms: dict[str, Term],
    municipalities: list[str],
) -> None:
    assert org.id is not None  # flushed by import_document
    service = session.exec(select(Service).where(Service.uid == s["id"])).first()
    if service is None:
        service = Service(uid=s["id"], organisation_id=org.id, name=s["name"])
    service.organisation_id = org.id
    service.name = s["name"][:200]
    summary, _sep, rest = (s.get("description") or "").partition("\n\n")
    service.summary, service.description = summary[:300], rest[:4000]
    url = s.get("url") or ""
    own = absolute_url_for(site, "lisa:search")  # a link into this site's LISA is no website of its own
    service.website = url[:300] if url.startswith(("http://", "https://")) and not url.startswith(own) else ""
    service.email = (s.get("email") or "")[:254]
    service.status = STATUS_IN.get(s.get("status", "active"), ServiceStatus.ACTIVE)
    service.status_message = (s.get("alert") or "")[:500]
    service.how_to_contact = (s.get("application_process") or "")[:1000]
    fees = s.get("fees_description") or ""
    free_options = [c for c in s.get("cost_options", []) if _int(c.get("amount")) == 0]
    service.free = bool(free_options) or fees in ("", "Kostnadsfritt")
    service.cost_description = "" if fees == "Kostnadsfritt" else fees[:500]
    target, _sep, eligibility = (s.get("eligibility_description") or "").partition("; ")
    service.target_groups, service.eligibility = (target[:500], eligibility[:1000]) if eligibility else ("", target)
    service.min_age, service.max_age = _int(s.get("minimum_age")), _int(s.get("maximum_age"))
    assured = s.get("assured_date")
    if assured:
        try:
            service.verified_at = datetime.fromisoformat(str(assured)[:10]).replace(hour=12, tzinfo=UTC)
            service.verified_by = (s.get("assurer_email") or "Import (HSDS)")[:200]
        except ValueError:
            pass
    phones = s.get("phones") or []
    service.phone = (phones[0].get("number") or "")[:40] if phones else ""
    service.languages = ",".join(str(lang.get("code")) for lang in s.get("languages", []) if lang.get("code")) or "sv"
    areas = [a.get("name", "") for a in s.get("service_areas", [])]
    service.municipality = next((m for m in municipalities if m in areas), areas[0][:80] if areas else "")
    sal = (s.get("service_at_locations") or [{}])[0] or {}
    location = sal.get("location") or {}
    address = (location.get("addresses") or [{}])[0] or {}
    service.location_name = (location.get("description") or "")[:200]
    service.address = (address.get("address_1") or "")[:200]
    service.postal_code = "" if address.get("postal_code") in (None, "-") else str(address["postal_code"])[:10]
    service.city = (address.get("city") or "")[:80]
    service.accessibility = "\n".join(
        a.get("description", "") for a in location.get("accessibility", []) if a.get("description")
    )[:1000]
    session.add(service)
    session.flush()
    assert service.id is not None
    session.exec(delete(Schedule).where(col(Schedule.service_id) == service.id))
    session.exec(delete(SpecialHours).where(col(SpecialHours.service_id) == service.id))
    service.open_on_holidays = any(row.get("notes") == days.HSDS_KEEPS_HOURS for row in s.get("schedules", []))
    for row in s.get("schedules", []):
        if row.get("valid_from"):
            special = _special_hours(service, row)
            if special is not None:
                session.add(special)
            continue
        day = row.get("byday", "")
        opens, closes = _time(row.get("opens_at")), _time(row.get("closes_at"))
        for code in str(day).split(","):
            if code.strip() in serialize.BYDAY and opens and closes:
                session.add(
                    Schedule(
                        service_id=service.id,
                        weekday=serialize.BYDAY.index(code.strip()),
                        opens_at=opens,
                        closes_at=closes,
                    )
                )
    term_ids = [terms[a["taxonomy_term_id"]].id for a in s.get("attributes", []) if a.get("taxonomy_term_id") in terms]
    editing.set_terms(session, service, [i for i in term_ids if i is not None])
    editing.touch(session, service, site.clock.now())


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _special_hours(service: Service, row: dict[str, Any]) -> SpecialHours | None:
    """A schedule row limited to dates: special hours, open if it has
    times, else closed (HSDS's way, having no closed flag)."""
    first = _date(row.get("valid_from"))
    if first is None:
        return None
    last = _date(row.get("valid_to")) or first
    opens, closes = _time(row.get("opens_at")), _time(row.get("closes_at"))
    if opens is None or closes is None:
        opens = closes = None
    uid = str(row.get("id") or "")
    assert service.id is not None
    special = SpecialHours(
        service_id=service.id,
        starts_on=first,
        ends_on=max(first, last),
        opens_at=opens,
        closes_at=closes,
        note=str(row.get("notes") or "")[:200],
    )
    if len(uid) == 36:
        special.uid = uid
    return special


def read_document(data: bytes, filename: str) -> object:
    """A JSON document or a zip of CSV tables, by content; ``import_document``
    checks that it has the shape of one."""
    if data[:2] == b"PK":
        try:
            return read_zip(data)
        except (zipfile.BadZipFile, KeyError, csv.Error, UnicodeDecodeError) as exc:
            raise ImportError_(
                _("%(file)s: zip-filen gick inte att läsa som HSDS-tabeller (%(reason)s).")
                % {"file": filename, "reason": exc}
            ) from exc
    try:
        document: object = json.loads(data.decode("utf-8-sig"))
        return document
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportError_(
            _("%(file)s: filen är varken HSDS-JSON eller en zip med CSV-filer (%(reason)s).")
            % {"file": filename, "reason": exc}
        ) from exc
