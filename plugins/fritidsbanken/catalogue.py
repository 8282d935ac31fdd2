"""The public catalogue: what can be borrowed, filtered the way a parent on a
phone looks for it (category, size, free now), with "available from" dates
for things out on loan, and the branches with their opening hours.

Identical things are one card ("Fotboll, 12 st, 9 lediga", with a photo),
not twelve: a ``Group`` is the items of one name and category that pass the
filters. Its card links to the same catalogue narrowed to that thing
(``?sak=Fotboll``), which lists the items one by one with their sizes,
branches and return dates; a thing there is one of links to its own page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.api import (
    MAX_ID,
    SearchResult,
    Site,
    match,
    page_count,
    page_language,
    page_number,
    query_int,
    remember,
    render_fragment,
    url_for,
)
from core.api import gettext as _
from plugins.fritidsbanken import lending
from plugins.fritidsbanken.models import Branch, Item, ItemStatus, OpeningHours
from plugins.fritidsbanken.phone_login import verified_number
from plugins.fritidsbanken.web import render, settings_of, shared_context, site_of, size_value

#: A catalogue query: of items, or of their count.
Query = TypeVar("Query", bound=SelectOfScalar[Any])

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
        # A branch id the database can hold (a 25-digit one answered 500; now a 400): core.api.query_int.
        "stalle": str(query_int(request, "stalle", minimum=1, maximum=MAX_ID) or ""),
        "ledigt": "1" if q.get("ledigt") == "1" else "",
        "sak": q.get("sak", "").strip()[:200],
    }


def _filtered(statement: Query, filters: dict[str, str]) -> Query:
    statement = statement.where(col(Item.status).in_(PUBLIC_STATUSES))
    if filters["kategori"]:
        statement = statement.where(Item.category == filters["kategori"])
    if filters["storlek"]:
        statement = statement.where(Item.size == filters["storlek"])
    if filters["stalle"]:
        statement = statement.where(Item.branch_id == int(filters["stalle"]))
    if filters["ledigt"]:
        statement = statement.where(Item.status == ItemStatus.AVAILABLE)
    if filters["sak"]:
        statement = statement.where(Item.name == filters["sak"])
    clause = match(col(Item.search_text), filters["q"])
    if clause is not None:
        statement = statement.where(clause)
    return statement


@dataclass
class Group:
    """The items of one name and category that pass the filters: one card."""

    name: str
    category: str
    items: list[Item] = field(default_factory=list)
    #: The first return day of a group with nothing free (set for the page shown).
    next_due: date | None = None

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def free(self) -> int:
        return sum(1 for i in self.items if i.status == ItemStatus.AVAILABLE)

    @property
    def sizes(self) -> list[str]:
        return sorted({size_value(i.size) for i in self.items if i.size.strip()}, key=_size_key)

    @property
    def photo(self) -> str:
        return next((i.photo for i in self.items if i.photo), "")

    @property
    def branch_ids(self) -> set[int]:
        return {i.branch_id for i in self.items}


def group_items(items: Sequence[Item]) -> list[Group]:
    """Items in catalogue order, as groups in the order of their first item."""
    groups: dict[tuple[str, str], Group] = {}
    for item in items:
        key = (item.category, item.name.strip().casefold())
        if key not in groups:
            groups[key] = Group(name=item.name.strip(), category=item.category)
        groups[key].items.append(item)
    return list(groups.values())


def catalogue(request: Request) -> Response:
    site = site_of(request)
    filters = _filters(request, site)
    number = page_number(request)
    # The same for every visitor: kept per language, filter and page while
    # nothing changes, so a signed-in visitor does not pay for it (issue 21).
    key = ("fritidsbanken.catalogue", page_language(site), tuple(sorted(filters.items())), number)
    main = remember(request, key, lambda: _catalogue_content(request, filters, number))
    return render(request, "fritidsbanken/catalogue.html", {"main": main})


def _catalogue_content(request: Request, filters: dict[str, str], number: int) -> Markup:
    site = site_of(request)
    settings = settings_of(site)
    today = site.clock.today()
    with site.session() as db:
        order = (col(Item.category), col(Item.name), col(Item.size), col(Item.number))
        groups: list[Group] = []
        if filters["sak"]:
            # One thing's items, one by one.
            total = int(db.exec(_filtered(select(func.count()).select_from(Item), filters)).one())
            pages = page_count(total, settings.per_page)
            page = min(number, pages)
            items = db.exec(
                _filtered(select(Item), filters)
                .order_by(*order)
                .offset((page - 1) * settings.per_page)
                .limit(settings.per_page)
            ).all()
        else:
            every = db.exec(_filtered(select(Item), filters).order_by(*order)).all()
            total = len(every)
            all_groups = group_items(every)
            pages = page_count(len(all_groups), settings.per_page)
            page = min(number, pages)
            groups = all_groups[(page - 1) * settings.per_page : page * settings.per_page]
            items = [i for g in groups if g.free == 0 for i in g.items]
        ids = [i.id for i in items if i.id is not None]
        due = lending.due_days(db, ids)
        waiting = lending.waiting_count(db, ids) if filters["sak"] else {}
        for group in groups:
            days = [due[i.id] for i in group.items if i.id in due and due[i.id] >= today]
            group.next_due = min(days) if days else None
        size_rows = select(Item.size).where(Item.size != "", col(Item.status).in_(PUBLIC_STATUSES))
        if filters["kategori"]:
            size_rows = size_rows.where(Item.category == filters["kategori"])
        sizes = sorted(set(db.exec(size_rows.distinct()).all()), key=_size_key)
        branches = branches_with_hours(db)
        photo = next((i.photo for i in items if i.photo), "") if filters["sak"] else ""
    branch_names = {b.id: b.name for b, _hours in branches}
    kept = {k: v for k, v in filters.items() if v and k != "sak"}

    def page_link(n: int) -> str:
        query = {k: v for k, v in filters.items() if v}
        if n > 1:
            query["sida"] = str(n)
        return url_for(site, "fritidsbanken:catalogue") + ("?" + urlencode(query) if query else "")

    def group_link(group: Group) -> str:
        if group.count == 1:
            return url_for(site, "fritidsbanken:item", number=group.items[0].number)
        return url_for(site, "fritidsbanken:catalogue") + "?" + urlencode({**kept, "sak": group.name})

    return render_fragment(
        site,
        "fritidsbanken/_catalogue_main.html",
        {
            **shared_context(site),
            "items": items if filters["sak"] else [],
            "groups": groups,
            "group_link": group_link,
            "photo": photo,
            "all_url": url_for(site, "fritidsbanken:catalogue") + ("?" + urlencode(kept) if kept else ""),
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
    words = size_value(size).split()
    if not words:
        return (float("inf"), size)
    head = words[0].split("–")[0].split("-")[0].replace(",", ".").rstrip('"')
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
    clause = match(col(Item.search_text), query)
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
