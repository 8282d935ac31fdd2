"""The .ics views: the site's calendar, an association's and one event's.
Each answers conditional GET before building anything."""

from __future__ import annotations

from sqlalchemy import and_
from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.api import gettext as _
from core.api import member_associations, site_of
from plugins.evenemang import ical, store
from plugins.evenemang.models import Event, Organiser, Review

#: Built calendars kept per site and process, by file, name and ETag: a
#: calendar app that never sends If-None-Match gets the body built for the
#: same ETag again. A change gives a new ETag, so a kept body is never stale.
_KEEP = 16


def _serve(request: Request, where: object, name: str, filename: str) -> Response:
    site = site_of(request)
    with site.session() as db:
        etag, modified = ical.fingerprint(db, where)
        if ical.not_modified(request, etag, modified):
            return ical.response(request, None, etag, modified, filename)
        kept: dict[tuple[str, str, str], bytes] = getattr(site.state, "evenemang_ics", None) or {}
        body = kept.get((filename, name, etag))
        if body is None:
            events = db.exec(select(Event).where(where).order_by(col(Event.first_start_utc))).all()  # type: ignore[arg-type]
            organisers = ical.organiser_names(db, [e.id for e in events if e.id is not None])
            body = ical.calendar(site, name, events, organisers)
            kept = {k: v for k, v in kept.items() if k[:2] != (filename, name)}  # the older build of this file
            while len(kept) >= _KEEP:
                kept.pop(next(iter(kept)))
            kept[(filename, name, etag)] = body
            site.state.evenemang_ics = kept
    return ical.response(request, body, etag, modified, filename)


def site_ics(request: Request) -> Response:
    site = site_of(request)
    return _serve(request, Event.review == Review.PUBLISHED, site.name, "kalender.ics")


def association_ics(request: Request) -> Response:
    site = site_of(request)
    slug = request.path_params["slug"]
    with site.session() as db:
        found = next((a for a in member_associations(site, db) if a.slug == slug), None)
    if found is None:
        raise HTTPException(404, _("Det finns ingen förening med den adressen i föreningslistan."))
    organised = select(Organiser.event_id).where(Organiser.association_slug == slug)
    where = and_(col(Event.review) == Review.PUBLISHED, col(Event.id).in_(organised))
    return _serve(request, where, f"{found.name} ({site.name})", f"{slug}.ics")


def event_ics(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        event = store.load(db, request.path_params["event_id"])
        if event.review != Review.PUBLISHED:
            raise HTTPException(404, _("Evenemanget finns inte, eller är borttaget. Se alla evenemang i kalendern."))
    return _serve(
        request,
        and_(col(Event.id) == event.id, col(Event.review) == Review.PUBLISHED),
        event.title,
        f"evenemang-{event.id}.ics",
    )
