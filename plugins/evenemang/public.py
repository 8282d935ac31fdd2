"""Finding events: the list by day, today, this weekend, a week, a month
grid and one event's page (with schema.org JSON-LD). Every page works
without JavaScript: filters are a GET form, the views are links."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    Site,
    absolute_url_for,
    babel_locale,
    current_user,
    member_associations,
    member_page_url,
    page_language,
    page_link,
    page_number,
    paged,
    plain_text,
    remember,
    render_fragment,
    site_of,
    url_for,
)
from core.api import gettext as _
from plugins.evenemang import recurrence, store, times
from plugins.evenemang.forms import AGE_LABELS, STATUS_LABELS
from plugins.evenemang.models import Event, Organiser, Review, Status

#: How far ahead the list looks, in days: pages past it link on with ``fran``.
LIST_DAYS = 92
#: The week view shows this many of a day's events and links to the day for
#: the rest, as the month grid does with four: a busy festival week stays a
#: page one can scroll on a phone, and the day view lists them all.
WEEK_DAY_LIMIT = 12
_FIRST, _LAST = date(1900, 1, 1), date(2200, 12, 31)


def _day_param(request: Request, name: str, default: date) -> date:
    """A date from the address; junk or an absurd year gives ``default``."""
    try:
        day = date.fromisoformat((request.query_params.get(name) or "")[:10])
    except ValueError:
        return default
    return day if _FIRST <= day <= _LAST else default


def _month_param(request: Request, default: date) -> date:
    text = (request.query_params.get("manad") or "")[:7]
    try:
        day = date(int(text[:4]), int(text[5:7]), 1)
    except ValueError:
        return default.replace(day=1)
    return day if _FIRST <= day <= _LAST else default.replace(day=1)


def _range_utc(site: Site, first: date, after_last: date) -> tuple[datetime, datetime]:
    zone = site.config.site.timezone
    return times.day_start_utc(first, zone), times.day_start_utc(after_last, zone)


@dataclass(frozen=True)
class Day:
    day: date
    occurrences: list[recurrence.Occurrence]


def _by_day(occurrences: list[recurrence.Occurrence], first: date, after_last: date) -> list[Day]:
    """Occurrences under each day they touch (a multi-day event shows on
    each of its days), days without any left out."""
    days: dict[date, list[recurrence.Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        for day in occurrence.days:
            if first <= day < after_last:
                days[day].append(occurrence)
    return [Day(day, days[day]) for day in sorted(days)]


def _common(site: Site, request: Request, db: Session, filters: store.Filters) -> dict[str, Any]:
    """What every finding page needs: the filter form's choices, the links
    between the views (keeping the filters) and how to draw an occurrence."""
    settings = store.settings_of(site)
    keep = filters.params()
    user = current_user(request)

    def link(name: str, **extra: str) -> str:
        return page_link(url_for(site, f"evenemang:{name}"), {**keep, **extra})(1)

    return {
        "filters": filters,
        "filtered": bool(filters),
        "categories": settings.categories,
        "associations": member_associations(site, db),
        "municipalities": store.municipalities(db),
        "link": link,
        "event_url": lambda o: url_for(site, "evenemang:event", event_id=o.event.id),
        "status_label": lambda e: _(STATUS_LABELS[Status(e.status)]) if e.status in set(Status) else "",
        "when": lambda o: when(site, o),
        "new_url": url_for(site, "evenemang:new") if user is not None else "",
        "ics_url": url_for(site, "evenemang:site_ics"),
        "network_url": url_for(site, "evenemang:network"),
        "today": site.clock.today(),
        "action": request.url.path,
        "action_url": request.url.path,
        "hidden_params": {},
        "day_label": lambda d: day_label(site, d),
    }


def _day_url(site: Site, keep: dict[str, str]) -> Callable[[date], str]:
    """A day's page, keeping the filters: the week and month views link to it."""
    base = url_for(site, "evenemang:day")
    return lambda day: page_link(base, {**keep, "datum": day.isoformat()})(1)


def day_label(site: Site, day: date) -> str:
    from babel.dates import format_date

    return _first_upper(format_date(day, "EEEE d MMMM y", locale=babel_locale(site)))


def _first_upper(text: str) -> str:
    """ "tisdag 8 december" -> "Tisdag 8 december"; English month names keep
    their capital ("Tuesday 8 December"), which ``str.capitalize`` would drop."""
    return text[:1].upper() + text[1:]


def when(site: Site, occurrence: recurrence.Occurrence) -> str:
    """ "18:30–20:00", "heldag", "5 dec 18:00 – 7 dec 14:00"."""
    from babel.dates import format_date

    start, end = occurrence.start, occurrence.end
    locale = babel_locale(site)
    if occurrence.event.all_day:
        if end.date() > start.date():
            return _("%(first)s–%(last)s, heldag") % {
                "first": format_date(start.date(), "d MMM", locale=locale),
                "last": format_date(end.date(), "d MMM", locale=locale),
            }
        return _("heldag")
    if end.date() != start.date() and not (
        end.time() == datetime.min.time() and end.date() == start.date() + timedelta(days=1)
    ):
        first = format_date(start.date(), "d MMM", locale=locale)
        last = format_date(end.date(), "d MMM", locale=locale)
        return f"{first} {start:%H:%M} – {last} {end:%H:%M}"
    return f"{start:%H:%M}–{end:%H:%M}"


def _render_days(
    request: Request, template: str, title: str, first: date, after_last: date, extra: dict[str, Any]
) -> Response:
    site = site_of(request)
    filters = store.Filters.of(request)
    with site.session() as db:
        start_utc, end_utc = _range_utc(site, first, after_last)
        days = _by_day(store.occurrences(site, db, start_utc, end_utc, filters), first, after_last)
        context = _common(site, request, db, filters)
    context.update({"title": title, "days": days, "first": first, "last": after_last - timedelta(days=1)})
    context.update(extra)
    return site.render(request, template, context)


def event_list(request: Request) -> Response:
    """Coming events, by day, from ``fran`` (today) for ``LIST_DAYS`` days, paged."""
    site = site_of(request)
    first = _day_param(request, "fran", site.clock.today())
    filters = store.Filters.of(request)
    number = page_number(request)
    signed_in = current_user(request) is not None
    # The same for every visitor but the link to add an event: kept per
    # language, filter, first day and page while nothing changes (issue 21).
    key = ("evenemang.list", page_language(site), tuple(sorted(filters.params().items())), first, number, signed_in)
    main = remember(request, key, lambda: _list_content(request, first, filters, number))
    return site.render(request, "evenemang/list.html", {"title": _("Evenemang"), "main": main})


def _list_content(request: Request, first: date, filters: store.Filters, number: int) -> Markup:
    site = site_of(request)
    today = site.clock.today()
    after_last = first + timedelta(days=LIST_DAYS)
    with site.session() as db:
        start_utc, end_utc = _range_utc(site, first, after_last)
        found = store.occurrences(site, db, start_utc, end_utc, filters)
        if first == today:  # what has already ended today is not "coming"
            now = site.clock.now()
            found = [o for o in found if o.end > now or o.event.all_day]
        rows, page, pages = paged(found, number, store.settings_of(site).per_page)
        context = _common(site, request, db, filters)
        days: dict[date, list[recurrence.Occurrence]] = defaultdict(list)
        for occurrence in rows:
            days[max(occurrence.start.date(), first)].append(occurrence)
        keep = {**filters.params(), **({"fran": first.isoformat()} if first != today else {})}
        context.update(
            {
                "title": _("Evenemang"),
                "days": [Day(d, days[d]) for d in sorted(days)],
                "total": len(found),
                "page": page,
                "pages": pages,
                "page_link": page_link(url_for(site, "evenemang:events"), keep),
                "later_url": page_link(
                    url_for(site, "evenemang:events"), {**filters.params(), "fran": after_last.isoformat()}
                )(1),
                "list_days": LIST_DAYS,
                "first": first,
            }
        )
        return render_fragment(site, "evenemang/_list_main.html", context)


def day_view(request: Request) -> Response:
    site = site_of(request)
    day = _day_param(request, "datum", site.clock.today())
    return _render_days(
        request,
        "evenemang/days.html",
        day_label(site, day),
        day,
        day + timedelta(days=1),
        {
            "view": "day",
            "hidden_params": {"datum": day.isoformat()},
            "prev_url": page_link(
                url_for(site, "evenemang:day"),
                {**store.Filters.of(request).params(), "datum": (day - timedelta(days=1)).isoformat()},
            )(1),
            "next_url": page_link(
                url_for(site, "evenemang:day"),
                {**store.Filters.of(request).params(), "datum": (day + timedelta(days=1)).isoformat()},
            )(1),
            "prev_label": _("Dagen före"),
            "next_label": _("Dagen efter"),
        },
    )


def today_view(request: Request) -> Response:
    site = site_of(request)
    today = site.clock.today()
    return _render_days(request, "evenemang/days.html", _("Idag"), today, today + timedelta(days=1), {"view": "today"})


def weekend_view(request: Request) -> Response:
    """Saturday and Sunday of this week (on a Sunday: today)."""
    site = site_of(request)
    today = site.clock.today()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7) if today.weekday() != 6 else today - timedelta(days=1)
    first = max(saturday, today)
    return _render_days(
        request, "evenemang/days.html", _("I helgen"), first, saturday + timedelta(days=2), {"view": "weekend"}
    )


def week_view(request: Request) -> Response:
    site = site_of(request)
    day = _day_param(request, "dag", site.clock.today())
    monday = day - timedelta(days=day.weekday())
    keep = store.Filters.of(request).params()
    week = monday.isocalendar().week
    return _render_days(
        request,
        "evenemang/days.html",
        _("Vecka %(week)s, %(year)s") % {"week": week, "year": monday.isocalendar().year},
        monday,
        monday + timedelta(days=7),
        {
            "view": "week",
            "hidden_params": {"dag": monday.isoformat()},
            "prev_url": page_link(
                url_for(site, "evenemang:week"), {**keep, "dag": (monday - timedelta(days=7)).isoformat()}
            )(1),
            "next_url": page_link(
                url_for(site, "evenemang:week"), {**keep, "dag": (monday + timedelta(days=7)).isoformat()}
            )(1),
            "prev_label": _("Veckan före"),
            "next_label": _("Veckan efter"),
            "day_limit": WEEK_DAY_LIMIT,
            "day_url": _day_url(site, keep),
        },
    )


def month_view(request: Request) -> Response:
    """A month as a grid of weeks (a table: a row per week, a column per
    weekday); on a phone the same table reads as a list of days."""
    from babel.dates import format_date

    site = site_of(request)
    month = _month_param(request, site.clock.today())
    after = (month + timedelta(days=32)).replace(day=1)
    grid_first = month - timedelta(days=month.weekday())
    grid_after = after + timedelta(days=(7 - after.weekday()) % 7)
    filters = store.Filters.of(request)
    with site.session() as db:
        start_utc, end_utc = _range_utc(site, grid_first, grid_after)
        days = {
            d.day: d.occurrences
            for d in _by_day(store.occurrences(site, db, start_utc, end_utc, filters), grid_first, grid_after)
        }
        context = _common(site, request, db, filters)
    weeks = []
    cursor = grid_first
    while cursor < grid_after:
        weeks.append([(cursor + timedelta(days=n), days.get(cursor + timedelta(days=n), [])) for n in range(7)])
        cursor += timedelta(days=7)
    keep = filters.params()
    previous = (month - timedelta(days=1)).replace(day=1)
    locale = babel_locale(site)
    context.update(
        {
            "title": _first_upper(format_date(month, "LLLL y", locale=locale)),
            "month": month,
            "weeks": weeks,
            "weekday_names": [format_date(grid_first + timedelta(days=n), "EEEE", locale=locale) for n in range(7)],
            "prev_url": page_link(url_for(site, "evenemang:month"), {**keep, "manad": previous.strftime("%Y-%m")})(1),
            "next_url": page_link(url_for(site, "evenemang:month"), {**keep, "manad": after.strftime("%Y-%m")})(1),
            "day_url": _day_url(site, keep),
            "view": "month",
            "hidden_params": {"manad": month.strftime("%Y-%m")},
        }
    )
    return site.render(request, "evenemang/month.html", context)


def calendar_redirect(request: Request) -> Response:
    """``/kalender``: people type it; the month grid is the calendar."""
    return RedirectResponse(url_for(site_of(request), "evenemang:month"), status_code=308)


# -- one event --------------------------------------------------------------------------------------


def event_page(request: Request) -> Response:
    site = site_of(request)
    user = current_user(request)
    with site.session() as db:
        event = store.load(db, request.path_params["event_id"])
        may_edit = store.may_edit(site, db, user, event)
        if event.review != Review.PUBLISHED and not may_edit:
            raise HTTPException(404, _("Evenemanget finns inte, eller är borttaget. Se alla evenemang i kalendern."))
        organisers = store.organisers_of(db, [event.id or 0]).get(event.id or 0, [])
        links = {o.association_slug: member_page_url(site, db, o.association_slug) for o in organisers}
        now_utc = site.clock.now().replace(tzinfo=None)
        coming = recurrence.expand([event], now_utc, event.last_end_utc + timedelta(days=1))
        shown = (
            coming[:12]
            if event.rrule
            else recurrence.expand([event], event.first_start_utc, event.last_end_utc + timedelta(days=1))
        )
        jsonld = json_ld(site, event, organisers, links, (coming or shown)[0] if coming or shown else None)
        from plugins.evenemang import registration  # issue 14 point 4: the registration box

        registration_context = registration.page_context(site, db, event, user)
    return site.render(
        request,
        "evenemang/event.html",
        {
            "event": event,
            "organisers": organisers,
            "organiser_links": links,
            "occurrences": shown,
            "more_occurrences": max(0, len(coming) - len(shown)) if event.rrule else 0,
            "when": lambda o: when(site, o),
            "day_label": lambda d: day_label(site, d),
            "status_label": _(STATUS_LABELS[Status(event.status)]) if event.status in set(Status) else "",
            "age_label": _(AGE_LABELS.get(event.age_group, AGE_LABELS["all"])),
            "may_edit": may_edit,
            "edit_url": url_for(site, "evenemang:edit", event_id=event.id),
            "ics_url": url_for(site, "evenemang:event_ics", event_id=event.id),
            "list_url": url_for(site, "evenemang:events"),
            "jsonld": jsonld,
            "is_past": not coming,
            **registration_context,
        },
    )


_SCHEMA_STATUS = {
    Status.SCHEDULED: "https://schema.org/EventScheduled",
    Status.FULL: "https://schema.org/EventScheduled",
    Status.CANCELLED: "https://schema.org/EventCancelled",
    Status.POSTPONED: "https://schema.org/EventPostponed",
}


_PRICE = re.compile(r"(\d[\d\s]*(?:[.,]\d{1,2})?)")


def offer(event: Event, url: str) -> dict[str, Any]:
    """schema.org ``Offer``: price 0 when free; else the first amount in the
    editor's price text ("100 kr, barn gratis" → 100) in SEK, with the text
    itself as its description (no amount in it: the text alone)."""
    found: dict[str, Any] = {"@type": "Offer", "url": url, "priceCurrency": "SEK"}
    if event.status == Status.FULL:
        found["availability"] = "https://schema.org/SoldOut"
    if event.is_free:
        return found | {"price": 0}
    if event.price:
        found["description"] = event.price
    amount = _PRICE.search(event.price or "")
    if amount:
        number = Decimal(re.sub(r"\s", "", amount.group(1)).replace(",", "."))
        found["price"] = int(number) if number == number.to_integral_value() else float(number)
    return found


def json_ld(
    site: Site,
    event: Event,
    organisers: list[Organiser],
    links: dict[str, str],
    occurrence: recurrence.Occurrence | None,
) -> str:
    """schema.org ``Event`` for search engines, for the next occurrence
    (the first, for one in the past); ``</`` escaped so the text can never
    close the script element it sits in."""
    if occurrence is None:
        occurrence = recurrence.Occurrence(
            event, times.aware(event.starts_at, event.tz), times.aware(event.ends_at, event.tz)
        )
    if event.all_day:
        start, end = occurrence.start.date().isoformat(), occurrence.end.date().isoformat()
    else:
        start, end = occurrence.start.isoformat(), occurrence.end.isoformat()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "startDate": start,
        "endDate": end,
        "eventStatus": _SCHEMA_STATUS.get(Status(event.status), _SCHEMA_STATUS[Status.SCHEDULED])
        if event.status in set(Status)
        else _SCHEMA_STATUS[Status.SCHEDULED],
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": absolute_url_for(site, "evenemang:event", event_id=event.id),
        "isAccessibleForFree": event.is_free,
    }
    description = event.summary or plain_text(event.description or "")
    if description:
        data["description"] = description[:1000]
    if event.place_name or event.address:
        data["location"] = {
            "@type": "Place",
            "name": event.place_name or event.address,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": event.address,
                "addressLocality": event.municipality,
                "addressCountry": "SE",
            },
        }
    if event.image:
        data["image"] = [site.absolute_url(f"/uploads/{event.image}")]
    if organisers:
        data["organizer"] = [
            _organisation(site, o.association_name, links.get(o.association_slug, "")) for o in organisers
        ]
    data["offers"] = offer(event, data["url"])
    if event.age_group in ("children", "family"):
        data["typicalAgeRange"] = "0-12"
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _organisation(site: Site, name: str, path: str) -> dict[str, str]:
    found = {"@type": "Organization", "name": name}
    if path:
        found["url"] = site.absolute_url(path)
    return found
