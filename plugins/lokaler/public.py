"""The house's pages: the rooms and resources, each one's "Lediga tider"
(busy times without who booked, unless the booking is public), iCal per
room and per association, and for staff the house's week and a printable
day sheet for the door."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.api import current_user, member_associations, place_uses, render_markdown, require_admin, site_of
from core.api import gettext as _
from plugins.lokaler import days, ical, weeks
from plugins.lokaler.access import may_manage, may_see_association, resource_or_404
from plugins.lokaler.common import now_of, settings_of, when_text, zone_of
from plugins.lokaler.models import WEEKDAYS, Booking, BookingStatus, Resource

#: How far back and ahead the iCal feeds reach.
ICS_PAST = timedelta(days=60)
ICS_AHEAD = timedelta(days=400)


def _resources(db: Session) -> list[Resource]:
    return list(
        db.exec(
            select(Resource)
            .where(col(Resource.is_active).is_(True))
            .order_by(col(Resource.sort_order), col(Resource.name))
        ).all()
    )


def index(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        resources = _resources(db)
    user = current_user(request)
    return site.render(
        request,
        "lokaler/index.html",
        {"resources": resources, "house": settings_of(site), "user": user, "is_admin": bool(user and user.is_admin)},
    )


def resource_page(request: Request) -> Response:
    site = site_of(request)
    user = current_user(request)
    zone = zone_of(site)
    now = now_of(site)
    monday = weeks.parse_week(request.query_params.get("vecka"), now.date())
    with site.session() as db:
        resource = resource_or_404(db, request.path_params["resource_id"])
        assert resource.id is not None
        first = datetime.combine(monday, time(0), tzinfo=zone)
        uses = place_uses(site, db, f"lokaler:{resource.id}", first, first + timedelta(days=7))
        week = weeks.resource_week(db, resource, monday, zone, now, uses)
        hours = week.hours
        visible = {b.id for b in week.bookings if b.is_public or may_manage(site, db, user, b)}
    return site.render(
        request,
        "lokaler/resource.html",
        {
            "resource": resource,
            "rules_html": render_markdown(resource.house_rules) if resource.house_rules else "",
            "week": week,
            "visible": visible,
            "hours": [(_(WEEKDAYS[d]), hours.get(d)) for d in range(7)],
            "clock": days.clock_text,
            "previous": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat(),
            "house": settings_of(site),
            "week_number": monday.isocalendar().week,
            "weekdays": [_(w) for w in WEEKDAYS],
            "is_admin": bool(user and user.is_admin),
        },
    )


def resource_ics(request: Request) -> Response:
    site = site_of(request)
    now = site.clock.now().replace(tzinfo=None)
    with site.session() as db:
        resource = resource_or_404(db, request.path_params["resource_id"])
        bookings = db.exec(
            select(Booking).where(
                Booking.resource_id == resource.id,
                col(Booking.status) != BookingStatus.DECLINED,
                col(Booking.start_utc) >= now - ICS_PAST,
                col(Booking.start_utc) < now + ICS_AHEAD,
            )
        ).all()
        items = [(b, resource, b.is_public) for b in bookings]
        reach_start = (now - ICS_PAST).replace(tzinfo=UTC)
        uses = place_uses(site, db, f"lokaler:{resource.id}", reach_start, reach_start + ICS_PAST + ICS_AHEAD)
        data = ical.calendar(
            site, resource.name, items, settings_of(site).house_name, [(use, resource) for use in uses]
        )
    return ical.response(data, f"lokal-{resource.id}.ics")


def association_ics(request: Request) -> Response:
    """An association's bookings: all of them for its editors and admins
    (signed in), only its public ones for anyone else."""
    site = site_of(request)
    user = current_user(request)
    slug = request.path_params["slug"]
    now = site.clock.now().replace(tzinfo=None)
    with site.session() as db:
        known = any(a.slug == slug for a in member_associations(site, db))
        if not known and db.exec(select(Booking.id).where(Booking.association_slug == slug).limit(1)).first() is None:
            raise HTTPException(404)  # no such association: not an empty calendar
        everything = may_see_association(site, db, user, slug)
        query = select(Booking).where(
            Booking.association_slug == slug,
            col(Booking.status) != BookingStatus.DECLINED,
            col(Booking.start_utc) >= now - ICS_PAST,
            col(Booking.start_utc) < now + ICS_AHEAD,
        )
        if not everything:
            query = query.where(col(Booking.is_public).is_(True))
        resources = {r.id: r for r in db.exec(select(Resource)).all()}
        items = [(b, resources[b.resource_id], True) for b in db.exec(query).all() if b.resource_id in resources]
        data = ical.calendar(site, slug, items, settings_of(site).house_name)
    return ical.response(data, f"forening-{slug}.ics")


def house_week(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    zone = zone_of(site)
    monday = weeks.parse_week(request.query_params.get("vecka"), now_of(site).date())
    with site.session() as db:
        resources = _resources(db)
        grid = weeks.house_week(db, resources, monday, zone)
    week_days = [monday + timedelta(days=n) for n in range(7)]
    return site.render(
        request,
        "lokaler/house_week.html",
        {
            "resources": resources,
            "grid": grid,
            "days": week_days,
            "weekdays": [_(w) for w in WEEKDAYS],
            "when": lambda b: when_text(site, b)[11:],
            "previous": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat(),
            "week_number": monday.isocalendar().week,
        },
    )


def day_sheet(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    zone = zone_of(site)
    try:
        day = date.fromisoformat(request.query_params.get("datum", ""))
    except ValueError:
        day = now_of(site).date()
    with site.session() as db:
        resources = _resources(db)
        grid = weeks.house_week(db, resources, day, zone, length=1)
    rows = [(r, grid.get((r.id, day), [])) for r in resources if r.id is not None]
    return site.render(
        request,
        "lokaler/day_sheet.html",
        {
            "day": day,
            "weekday": _(WEEKDAYS[day.weekday()]),
            "rows": rows,
            "holiday": days.holiday(day),
            "when": lambda b: when_text(site, b)[11:],
            "house": settings_of(site),
            "previous": (day - timedelta(days=1)).isoformat(),
            "next": (day + timedelta(days=1)).isoformat(),
        },
    )
