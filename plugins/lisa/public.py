"""Pages for residents and health-centre staff: search, a service, the "kort"
to read out or hand over, an organisation, the A4 print view and the
per-municipality poster with its QR code."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import segno
from markupsafe import Markup
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.api import (
    Site,
    absolute_url_for,
    current_user,
    member_page_url,
    page_count,
    page_language,
    page_number,
    remember,
    render_fragment,
    url_for,
)
from core.api import gettext as _
from plugins.lisa import days, directory, federated
from plugins.lisa.directory import (
    LANGUAGES,
    METHOD_LABELS,
    STATUS_LABELS,
    Filters,
    site_of,
)
from plugins.lisa.models import Organisation, Schedule, Service, ServiceStatus, SpecialHours, Term
from plugins.lisa.roles import can_refer


def service_url(site: Site, service: Service) -> str:
    return url_for(site, "lisa:service", service_id=service.id)


def common(site: Site) -> dict[str, Any]:
    """Labels and helpers every LISA template uses. ``content_lang`` marks
    text that people wrote (in the site's language) when the page is in
    another, so a screen reader pronounces it right (WCAG 3.1.2)."""
    shown_in = page_language(site)
    return {
        "content_lang": Markup(' lang="{}"').format(site.locale) if shown_in != site.locale else "",
        "service_url": lambda s: service_url(site, s),
        "languages": LANGUAGES,
        "method_labels": METHOD_LABELS,
        "status_labels": STATUS_LABELS,
        "tel_href": directory.tel_href,
        "municipalities": directory.settings_of(site).municipalities,
    }


def _get_service(session: Session, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise HTTPException(404, _("Tjänsten finns inte. Den kan ha tagits bort; sök igen bland all hjälp."))
    return service


def _view(site: Site, session: Session, services: list[Service]) -> list[dict[str, Any]]:
    """What a result list shows per service, with openings loaded in one go."""
    ids = [s.id for s in services if s.id is not None]
    openings = directory.schedules_for(session, ids)
    tz, now = directory.site_tz(site), site.clock.now()
    today = now.astimezone(tz).date()
    specials = days.specials_for(session, ids, since=today - timedelta(days=1))
    orgs = directory.organisations_by_id(session, {s.organisation_id for s in services})
    terms = directory.terms_for(session, ids)
    return [
        {
            "service": s,
            "organisation": orgs.get(s.organisation_id),
            "open_now": s.status == ServiceStatus.ACTIVE
            and days.is_open(openings[s.id or 0], specials[s.id or 0], s.open_on_holidays, now, tz),
            "openings": directory.opening_lines(openings[s.id or 0]),
            "terms": terms[s.id or 0],
            **_days_view(s, today, openings[s.id or 0], specials[s.id or 0]),
        }
        for s in services
    ]


def _days_view(service: Service, today: date, weekly: list[Schedule], specials: list[SpecialHours]) -> dict[str, Any]:
    """Today's hours in words, the coming week when a holiday or special
    hours make it differ from the usual, and the special hours ahead."""
    coming = days.week(today, weekly, specials, service.open_on_holidays)
    known = bool(weekly) or coming[0].unusual  # no hours at all: "by arrangement", not "closed"
    active = service.status == ServiceStatus.ACTIVE
    return {
        "today": days.today_text(coming[0]) if active and known else "",
        "today_closed": coming[0].closed,
        "week": [(d, days.day_line(d)) for d in coming] if active and known and any(d.unusual for d in coming) else [],
        "upcoming": [days.special_text(s) for s in specials if s.ends_on >= today][:6] if active else [],
    }


def search(request: Request) -> Response:
    site = site_of(request)
    filters = Filters.from_request(request)
    page = page_number(request)
    alder_raw = request.query_params.get("alder", "")
    # The same for every visitor: kept per language, filter and page while
    # nothing changes (issue 21); a search with an error is answered anew.
    if filters.errors:
        chosen_name, main = _search_content(site, filters, page, alder_raw)
    else:
        key = ("lisa.search", page_language(site), tuple(sorted(filters.as_params().items())), alder_raw, page)
        chosen_name, main = remember(request, key, lambda: _search_content(site, filters, page, alder_raw))
    return site.render(
        request,
        "lisa/search.html",
        {"chosen_name": chosen_name, "main": main},
        status_code=400 if filters.errors else 200,
    )


def _search_content(site: Site, filters: Filters, page: int, alder_raw: str) -> tuple[str, Markup]:
    """The chosen need's name (for the title) and the page's content."""
    per_page = directory.settings_of(site).per_page
    with site.session() as session:
        terms = directory.all_terms(session)
        found = directory.find_services(site, session, filters) if not filters.errors else []
        pages = page_count(len(found), per_page)
        page = min(page, pages)
        rows = _view(site, session, found[(page - 1) * per_page : page * per_page])
        chosen = next((t for t in terms if t.code == filters.behov), None)
        neighbours = federated.peer_help(site, session, filters) if not filters.errors else []

        def page_link(n: int) -> str:
            params = filters.as_params()
            if n > 1:
                params["sida"] = str(n)
            return url_for(site, "lisa:search") + ("?" + urlencode(params) if params else "")

        def toggle(name: str, value: str) -> str:
            """The link that switches one filter on (or off, when it is on)."""
            params = filters.as_params()
            if params.get(name) == value:
                del params[name]
            else:
                params[name] = value
            return url_for(site, "lisa:search") + ("?" + urlencode(params) if params else "")

        main = render_fragment(
            site,
            "lisa/_search_main.html",
            {
                **common(site),
                "filters": filters,
                "alder_raw": alder_raw,
                "terms": terms,
                "chosen_term": chosen,
                "rows": rows,
                "total": len(found),
                "page": page,
                "pages": pages,
                "page_link": page_link,
                "neighbours": neighbours,
                "toggle": toggle,
            },
        )
    return (chosen.name if chosen else ""), main


def service_page(request: Request) -> Response:
    site = site_of(request)
    with site.session() as session:
        service = _get_service(session, request.path_params["service_id"])
        row = _view(site, session, [service])[0]
        user = current_user(request)
        may_refer = service.accepts_referrals and can_refer(session, user)
    return site.render(
        request,
        "lisa/service.html",
        {
            **common(site),
            **row,
            "may_refer": may_refer,
            "needs_verification": directory.needs_verification(site, service),
        },
    )


def service_card(request: Request) -> Response:
    """The "kort": the essentials in large type on one small page, for a nurse
    to read out or print and hand over."""
    site = site_of(request)
    with site.session() as session:
        service = _get_service(session, request.path_params["service_id"])
        row = _view(site, session, [service])[0]
    return site.render(request, "lisa/card.html", {**common(site), **row})


def organisation_page(request: Request) -> Response:
    site = site_of(request)
    with site.session() as session:
        organisation = session.get(Organisation, request.path_params["organisation_id"])
        if organisation is None:
            raise HTTPException(404, _("Organisationen finns inte i LISA."))
        services = session.exec(
            select(Service)
            .where(Service.organisation_id == organisation.id, Service.status != ServiceStatus.ENDED)
            .order_by(col(Service.name))
        ).all()
        rows = _view(site, session, list(services))
        member_url = _member_page(site, session, organisation)
    return site.render(
        request,
        "lisa/organisation.html",
        {**common(site), "organisation": organisation, "rows": rows, "member_url": member_url},
    )


def _member_page(site: Site, session: Session, organisation: Organisation) -> str:
    """The member association's page, when the organisation is one and a
    plugin of the site (webportal's member directory) lists it publicly."""
    return member_page_url(site, session, organisation.association_slug)


def print_view(request: Request) -> Response:
    """The whole directory, or one need, laid out for A4, grouped by need."""
    site = site_of(request)
    code = request.query_params.get("behov", "")
    kommun = request.query_params.get("kommun", "")
    with site.session() as session:
        terms = directory.all_terms(session)
        chosen = [t for t in terms if t.code == code] if code else terms
        if code and not chosen:
            raise HTTPException(404, _("Det behovet finns inte. Välj ett behov i listan."))
        # Every service once, grouped by its needs here: a search per need
        # sent a handful of queries per need (issue 21).
        rows = _view(site, session, directory.find_services(site, session, Filters(kommun=kommun)))
        groups = [(term, [row for row in rows if term in row["terms"]]) for term in chosen]
    return site.render(
        request,
        "lisa/print.html",
        {
            **common(site),
            "groups": groups,
            "terms": terms,
            "code": code,
            "kommun": kommun,
            "printed": site.clock.now(),
        },
    )


def poster_target(site: Site, municipality: str) -> str:
    """What the poster's QR code opens: the directory filtered to the town,
    in the poster's language when that is not the site's own."""
    params: dict[str, object] = {"kommun": municipality}
    shown_in = page_language(site)
    if shown_in != site.locale:
        params["lang"] = shown_in
    return absolute_url_for(site, "lisa:search", query=params)


def _municipality(site: Site, request: Request) -> str:
    name = request.path_params["kommun"]
    for m in directory.settings_of(site).municipalities:
        if directory.fold(m) == directory.fold(name):
            return m
    raise HTTPException(404, _("Det finns ingen affisch för den kommunen. Välj en av kommunerna i listan."))


def qr_svg(target: str, scale: int = 8) -> str:
    """A QR code as SVG, made here (segno), so no outside service sees who
    prints what."""
    buffer = io.BytesIO()
    segno.make(target, error="m").save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True, title=target)
    return buffer.getvalue().decode("utf-8")


def poster(request: Request) -> Response:
    site = site_of(request)
    municipality = _municipality(site, request)
    target = poster_target(site, municipality)
    with site.session() as session:
        terms = directory.all_terms(session)
        count = len(directory.find_services(site, session, Filters(kommun=municipality)))
    return site.render(
        request,
        "lisa/poster.html",
        {
            **common(site),
            "municipality": municipality,
            "target": target,
            "qr": Markup(qr_svg(target)),  # our own SVG, no user markup in it but the escaped URL
            "terms": terms,
            "count": count,
        },
    )


def poster_qr(request: Request) -> Response:
    site = site_of(request)
    target = poster_target(site, _municipality(site, request))
    return Response(qr_svg(target, scale=10), media_type="image/svg+xml")


def posters(request: Request) -> Response:
    """The list of posters and print views, for health-centre staff."""
    site = site_of(request)
    with site.session() as session:
        terms: list[Term] = directory.all_terms(session)
    return site.render(request, "lisa/print_index.html", {**common(site), "terms": terms})
