""" "Kalender för nätverket" (``/natverket/kalender``): this site's events
and its peers', merged by time, filterable by site. A peer's event links to
its origin; one the site could not read is counted, never fatal."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from core.api import Site, page_link, page_number, paged, site_of, url_for
from core.api import gettext as _
from plugins.evenemang import federated, public, recurrence, store

DAYS = 31
OWN = "egen"


@dataclass(frozen=True)
class Row:
    """One occurrence in the merged calendar. An own event's link and
    organisers are looked up only for the rows on the page shown
    (``_with_links``): a month of 5,000 events has thousands of rows."""

    occurrence: recurrence.Occurrence
    link: str
    site_name: str
    organisers: str
    own: bool


def network_calendar(request: Request) -> Response:
    site = site_of(request)
    today = site.clock.today()
    first = public._day_param(request, "fran", today)
    chosen = (request.query_params.get("sajt") or "")[:20]
    query = (request.query_params.get("q") or "").strip()[:200]
    start_utc, end_utc = federated.window(site, first, DAYS)
    with site.session() as db:
        rows: list[Row] = []
        peers: dict[int, str] = {}
        if chosen in ("", OWN):
            own = store.occurrences(site, db, start_utc, end_utc, store.Filters(q=query))
            rows.extend(Row(occurrence, "", site.name, "", True) for occurrence in own)
        received = federated.received(site, db)
        broken = received.broken
        for item in received.found:
            peers[item.source_id] = item.source_name
        for occurrence, item in received.between(start_utc, end_utc):
            if chosen in ("", str(item.source_id)) and (not query or _matches(item.event.search_text, query)):
                rows.append(Row(occurrence, item.link, item.source_name, item.organisers, False))
        rows.sort(key=lambda r: (r.occurrence.instant, r.occurrence.event.title))
        page_rows, page, pages = paged(rows, page_number(request), store.settings_of(site).per_page)
        page_rows = _with_links(site, db, page_rows)
    days: dict[date, list[Row]] = defaultdict(list)
    for row in page_rows:
        days[max(row.occurrence.start.date(), first)].append(row)
    keep = {"sajt": chosen, "q": query, **({"fran": first.isoformat()} if first != today else {})}
    return site.render(
        request,
        "evenemang/network.html",
        {
            "days": sorted(days.items()),
            "total": len(rows),
            "broken": broken,
            "page": page,
            "pages": pages,
            "page_link": page_link(url_for(site, "evenemang:network"), keep),
            "later_url": page_link(
                url_for(site, "evenemang:network"),
                {"sajt": chosen, "q": query, "fran": (first + timedelta(days=DAYS)).isoformat()},
            )(1),
            "sites": sorted(peers.items(), key=lambda p: p[1]),
            "chosen": chosen,
            "own": OWN,
            "query": query,
            "site_name": site.name,
            "first": first,
            "today_date": today,
            "days_ahead": DAYS,
            "when": lambda o: public.when(site, o),
            "day_label": lambda d: public.day_label(site, d),
            "status_label": lambda e: (
                _("Inställt")
                if e.status == "cancelled"
                else (_("Uppskjutet") if e.status == "postponed" else (_("Fullbokat") if e.status == "full" else ""))
            ),
            "list_url": url_for(site, "evenemang:network"),
        },
    )


def _with_links(site: Site, db: Session, rows: list[Row]) -> list[Row]:
    """The own rows of a page with their link and organisers."""
    ids = list({r.occurrence.event.id for r in rows if r.own and r.occurrence.event.id is not None})
    organisers = store.organisers_of(db, ids)
    return [
        replace(
            row,
            link=url_for(site, "evenemang:event", event_id=row.occurrence.event.id),
            organisers=", ".join(o.association_name for o in organisers.get(row.occurrence.event.id or 0, [])),
        )
        if row.own
        else row
        for row in rows
    ]


def _matches(search_text: str, query: str) -> bool:
    """The same word-prefix rule as the database's ``match``, in Python."""
    from core.api import stem, words

    return all(f" {w}" in search_text or f" {stem(w)}" in search_text for w in words(query))
