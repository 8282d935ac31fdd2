"""The HSDS 3.0 read API (OpenAPI paths ``/``, ``/services``,
``/services/{id}``, ``/organizations``, ``/organizations/{id}``,
``/taxonomies``, ``/taxonomies/{id}``, ``/taxonomy_terms``,
``/taxonomy_terms/{id}``) under the plugin's ``/api``.

Lists are paged (``page``, ``per_page`` up to 100, answered as HSDS's
``Page``: total_items, total_pages, page_number, size, first_page,
last_page, empty, contents); filters are ANDed. Errors are JSON with a
``message`` in Swedish (English with ``?lang=en``); the keys and values
follow HSDS and are never translated. Public and read-only: it holds no
personal data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.api import Site, match, parse_int
from core.api import gettext as _
from plugins.lisa import directory
from plugins.lisa.directory import fold, site_of
from plugins.lisa.hsds import serialize
from plugins.lisa.models import Organisation, Service, ServiceTerm, Term

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50


class BadQuery(Exception):
    """A query parameter the API cannot use; answered with 400."""


def _json(data: Any, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status, headers={"Access-Control-Allow-Origin": "*"})


def _error(status: int, message: str) -> Response:
    return _json({"status": status, "message": message}, status)


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    # core.api.parse_int: "²" passed isdigit() and then failed int() (a 500).
    value = parse_int(raw, minimum=low, maximum=high)
    if value is None or not raw.isdigit():
        raise BadQuery(
            _("%(name)s ska vara ett heltal mellan %(low)s och %(high)s.") % {"name": name, "low": low, "high": high}
        )
    return value


def _page(request: Request, items: list[Any]) -> dict[str, Any]:
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    page = _int(request, "page", 1, 1, 1_000_000)
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    contents = items[(page - 1) * per_page : page * per_page]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _modified_after(request: Request) -> datetime | None:
    raw = request.query_params.get("modified_after", "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadQuery(_("modified_after ska vara en tidpunkt i ISO 8601, till exempel 2026-01-31T12:00:00Z.")) from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _bool(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def api(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Answer BadQuery with 400 and JSON, for every API view (plain ``def``
    views: Starlette runs them in the thread pool)."""

    def wrapped(request: Request) -> Response:
        try:
            return handler(request)
        except BadQuery as exc:
            return _error(400, str(exc))

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


@api
def root(request: Request) -> Response:
    site = site_of(request)
    return _json(
        {
            "version": serialize.HSDS_VERSION,
            "profile": "https://docs.openreferral.org/en/latest/hsds/",
            "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
            "description": f"LISA, hitta rätt hjälp: {site.name}",
            "publisher": {"name": site.name, "email": site.config.site.contact_email or None, "website": site.base_url},
        }
    )


def filtered_services(site: Site, session: Session, request: Request) -> list[Service]:
    statement = select(Service)
    search = request.query_params.get("search", "").strip()
    if search:
        clause = match(col(Service.search_text), fold(search))
        if clause is not None:
            statement = statement.where(clause)
    term_uid = request.query_params.get("taxonomy_term_id", "").strip()
    if term_uid:
        statement = statement.join(ServiceTerm, col(ServiceTerm.service_id) == Service.id).join(
            Term, col(Term.id) == ServiceTerm.term_id
        )
        statement = statement.where(Term.uid == term_uid)
    taxonomy_id = request.query_params.get("taxonomy_id", "").strip()
    if taxonomy_id and taxonomy_id != serialize.taxonomy_uid(site):
        return []
    org_uid = request.query_params.get("organization_id", "").strip()
    if org_uid:
        org = session.exec(select(Organisation).where(Organisation.uid == org_uid)).first()
        if org is None:
            return []
        statement = statement.where(Service.organisation_id == org.id)
    rows = list(session.exec(statement.order_by(col(Service.id))).all())
    after = _modified_after(request)
    if after is not None:
        rows = [s for s in rows if _aware(s.updated_at) > after]
    return rows


@api
def services(request: Request) -> Response:
    site = site_of(request)
    full = _bool(request, "full")
    with site.session() as session:
        rows = filtered_services(site, session, request)
        orgs = directory.organisations_by_id(session, {s.organisation_id for s in rows})
        page = _page(request, rows)
        related = serialize.Related.of(session, page["contents"]) if full else None
        page["contents"] = [
            serialize.service_full(site, session, s, orgs[s.organisation_id], related)
            if full
            else serialize.service_brief(site, s, orgs[s.organisation_id])
            for s in page["contents"]
        ]
    return _json(page)


@api
def service(request: Request) -> Response:
    site = site_of(request)
    with site.session() as session:
        row = session.exec(select(Service).where(Service.uid == request.path_params["id"])).first()
        if row is None:
            return _error(404, _("Det finns ingen tjänst med det id:t."))
        org = session.get(Organisation, row.organisation_id)
        assert org is not None
        return _json(serialize.service_full(site, session, row, org))


@api
def organizations(request: Request) -> Response:
    site = site_of(request)
    search = fold(request.query_params.get("search", "").strip())
    with site.session() as session:
        rows = list(session.exec(select(Organisation).order_by(col(Organisation.id))).all())
        if search:
            rows = [o for o in rows if search in fold(f"{o.name} {o.description}")]
        after = _modified_after(request)
        if after is not None:
            rows = [o for o in rows if _aware(o.updated_at) > after]
        page = _page(request, rows)
        page["contents"] = [serialize.organization(site, o) for o in page["contents"]]
    return _json(page)


@api
def organization(request: Request) -> Response:
    site = site_of(request)
    with site.session() as session:
        row = session.exec(select(Organisation).where(Organisation.uid == request.path_params["id"])).first()
        if row is None:
            return _error(404, _("Det finns ingen organisation med det id:t."))
        return _json(serialize.organization_full(site, session, row))


@api
def taxonomies(request: Request) -> Response:
    site = site_of(request)
    return _json(_page(request, [serialize.taxonomy(site)]))


@api
def taxonomy(request: Request) -> Response:
    site = site_of(request)
    if request.path_params["id"] != serialize.taxonomy_uid(site):
        return _error(404, _("Det finns ingen taxonomi med det id:t."))
    return _json(serialize.taxonomy(site))


@api
def taxonomy_terms(request: Request) -> Response:
    site = site_of(request)
    search = fold(request.query_params.get("search", "").strip())
    taxonomy_id = request.query_params.get("taxonomy_id", "").strip()
    parent_id = request.query_params.get("parent_id", "").strip()
    with site.session() as session:
        rows = directory.all_terms(session)
        if search:
            rows = [t for t in rows if search in fold(f"{t.name} {t.description} {t.code}")]
        if (taxonomy_id and taxonomy_id != serialize.taxonomy_uid(site)) or parent_id:
            rows = []  # one flat taxonomy: no term has a parent
        after = _modified_after(request)
        if after is not None:
            rows = [t for t in rows if _aware(t.updated_at) > after]
        page = _page(request, rows)
        page["contents"] = [serialize.taxonomy_term(site, t) for t in page["contents"]]
    return _json(page)


@api
def taxonomy_term(request: Request) -> Response:
    site = site_of(request)
    with site.session() as session:
        row = session.exec(select(Term).where(Term.uid == request.path_params["id"])).first()
        if row is None:
            return _error(404, _("Det finns ingen term med det id:t."))
        return _json(serialize.taxonomy_term(site, row))
