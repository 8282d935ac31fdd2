"""The public catalogue: what can be borrowed, filtered the way a parent on a
phone looks for it (category, size, free now), with "available from" dates
for things out on loan, and the branches with their opening hours."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.api import (
    SearchResult,
    Site,
    match,
    page_count,
    page_number,
    url_for,
)
from core.api import gettext as _
from plugins.fritidsbanken import lending
from plugins.fritidsbanken.models import Branch, Item, ItemStatus, OpeningHours
from plugins.fritidsbanken.phone_login import verified_number
from plugins.fritidsbanken.web import render, settings_of, site_of

PUBLIC_STATUSES = (ItemStatus.AVAILABLE, ItemStatus.ON_LOAN, ItemStatus.RESERVED)


def branches_with_hours(db: Session) -> list[tuple[Branch, list[OpeningHours]]]:
    branches = db.exec(select(Branch).order_by(col(Branch.name))).all()
    hours = db.exec(select(OpeningHours).order_by(col(OpeningHours.weekday), col(OpeningHours.opens))).all()
    return [(b, [h for h in hours if h.branch_id == b.id]) for b in branches]


def _filters(request: Request, site: Site) -> dict[str, str]:
    q = request.query_params
    return {
        "q": q.get("q", "").strip()[:100],
        "kategori": q.get("kategori", "") if q.get("kategori", "") in settings_of(site).categories else "",
        "storlek": q.get("storlek", "").strip()[:40],
        "stalle": q.get("stalle", "") if q.get("stalle", "").isdigit() else "",
        "ledigt": "1" if q.get("ledigt") == "1" else "",
    }


def _filtered(statement, filters: dict[str, str]):  # type: ignore[no-untyped-def]
    statement = statement.where(col(Item.status).in_(PUBLIC_STATUSES))
    if filters["kategori"]:
        statement = statement.where(Item.category == filters["kategori"])
    if filters["storlek"]:
        statement = statement.where(Item.size == filters["storlek"])
    if filters["stalle"]:
        statement = statement.where(Item.branch_id == int(filters["stalle"]))
    if filters["ledigt"]:
        statement = statement.where(Item.status == ItemStatus.AVAILABLE)
    clause = match(Item.search_text, filters["q"])  # type: ignore[arg-type]
    if clause is not None:
        statement = statement.where(clause)
    return statement


def catalogue(request: Request) -> Response:
    site = site_of(request)
    settings = settings_of(site)
    filters = _filters(request, site)
    today = site.clock.today()
    with site.session() as db:
        total = int(db.exec(_filtered(select(func.count()).select_from(Item), filters)).one())
        pages = page_count(total, settings.per_page)
        page = min(page_number(request), pages)
        items = db.exec(
            _filtered(select(Item), filters)
            .order_by(col(Item.category), col(Item.name), col(Item.size), col(Item.number))
            .offset((page - 1) * settings.per_page)
            .limit(settings.per_page)
        ).all()
        ids = [i.id for i in items if i.id is not None]
        due = lending.due_days(db, ids)
        waiting = lending.waiting_count(db, ids)
        size_rows = select(Item.size).where(Item.size != "", col(Item.status).in_(PUBLIC_STATUSES))
        if filters["kategori"]:
            size_rows = size_rows.where(Item.category == filters["kategori"])
        sizes = sorted(set(db.exec(size_rows.distinct()).all()), key=_size_key)
        branches = branches_with_hours(db)
    branch_names = {b.id: b.name for b, _hours in branches}

    def page_link(n: int) -> str:
        query = {k: v for k, v in filters.items() if v}
        if n > 1:
            query["sida"] = str(n)
        return url_for(site, "fritidsbanken:catalogue") + ("?" + urlencode(query) if query else "")

    return render(
        request,
        "fritidsbanken/catalogue.html",
        {
            "items": items,
            "due": due,
            "waiting": waiting,
            "today": today,
            "filters": filters,
            "sizes": sizes,
            "branches": branches,
            "branch_names": branch_names,
            "total": total,
            "page": page,
            "pages": pages,
            "page_link": page_link,
            "loan_days": settings.loan_days,
        },
    )


def _size_key(size: str) -> tuple[float, str]:
    """Sizes in a sensible order: numbers by value ("28" before "110 cm")."""
    head = size.split()[0].split("–")[0].split("-")[0].replace(",", ".")
    try:
        return (float(head), size)
    except ValueError:
        return (float("inf"), size)


def item_page(request: Request) -> Response:
    site = site_of(request)
    today = site.clock.today()
    with site.session() as db:
        item = lending.item_by_number(db, request.path_params["number"])
        if item is None or item.status == ItemStatus.RETIRED:
            raise HTTPException(404, _("Den saken finns inte i katalogen. Sök bland allt som går att låna i stället."))
        branch = db.get(Branch, item.branch_id)
        hours = db.exec(
            select(OpeningHours).where(OpeningHours.branch_id == item.branch_id).order_by(col(OpeningHours.weekday))
        ).all()
        available = lending.available_from(db, site, item, today)
        in_queue = len(lending.queue(db, item.id)) if item.id else 0
    return render(
        request,
        "fritidsbanken/item.html",
        {
            "item": item,
            "branch": branch,
            "hours": hours,
            "available_from": available,
            "in_queue": in_queue,
            "today": today,
            "phone_verified": verified_number(request) is not None,
        },
    )


def branches_page(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        branches = branches_with_hours(db)
    return render(request, "fritidsbanken/branches.html", {"branches": branches})


def search_results(site: Site, session: Session, query: str) -> list[SearchResult]:
    clause = match(Item.search_text, query)  # type: ignore[arg-type]
    if clause is None:
        return []
    rows = session.exec(
        select(Item).where(clause, col(Item.status).in_(PUBLIC_STATUSES)).order_by(col(Item.name)).limit(8)
    ).all()
    return [
        SearchResult(
            title=f"{i.name}{' – ' + i.size if i.size else ''}",
            url=url_for(site, "fritidsbanken:item", number=i.number),
            summary=f"{_(i.category)}. "
            + (_("Finns att låna nu.") if i.status == ItemStatus.AVAILABLE else _("Utlånad just nu.")),
            kind=settings_of(site).title,
        )
        for i in rows
    ]
