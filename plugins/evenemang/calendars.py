"""The .ics views: the site's calendar, an association's and one event's.
Each answers conditional GET before building anything."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.api import Site, member_associations, site_of
from core.api import gettext as _
from plugins.evenemang import ical, store
from plugins.evenemang.models import Event, Organiser, Review

#: Built calendars kept per site and process, by file, name and ETag: a
#: calendar app that never sends If-None-Match gets the body built for the
#: same ETag again. A change gives a new ETag, so a kept body is never stale.
_KEEP = 16
_CHUNK = 500
_LOCK = threading.Lock()


def _serve(request: Request, where: object, name: str, filename: str) -> Response:
    site = site_of(request)
    with site.session() as db:
        etag, modified = ical.fingerprint(db, where)
        if ical.not_modified(request, etag, modified):
            return ical.response(request, None, etag, modified, filename)
        with _LOCK:
            kept: dict[tuple[str, str, str], bytes] = getattr(site.state, "evenemang_ics", None) or {}
            body = kept.get((filename, name, etag))
            if body is None:
                body = _build(site, db, where, name)
                kept = {k: v for k, v in kept.items() if k[:2] != (filename, name)}  # the older build of this file
                while len(kept) >= _KEEP:
                    kept.pop(next(iter(kept)))
                kept[(filename, name, etag)] = body
                site.state.evenemang_ics = kept
    return ical.response(request, body, etag, modified, filename)


#: An event's VEVENT is kept with what it was written from: its version
#: (``updated_at`` and SEQUENCE; every save moves ``updated_at``) and its
#: organisers' names.
VeventKey = tuple[datetime, int, tuple[str, ...]]


def _build(site: Site, db: Session, where: object, name: str) -> bytes:
    """``ical.calendar`` of the events ``where`` selects, by first start,
    reusing the VEVENT text of every event that did not change since it was
    last written (for any calendar of the site): after one edit, one event
    is read and written again, not 5,000."""
    rows = db.execute(
        sa_select(col(Event.id), col(Event.updated_at), col(Event.sequence), col(Event.tz), col(Event.all_day))
        .where(where)  # type: ignore[arg-type]
        .order_by(col(Event.first_start_utc), col(Event.id))
    ).all()
    ids = [row[0] for row in rows if row[0] is not None]
    organisers = ical.organisers_where(db, where)
    texts: dict[int, tuple[VeventKey, str]] = getattr(site.state, "evenemang_vevents", None) or {}
    keys = {
        event_id: (updated_at, sequence, tuple(organisers.get(event_id, [])))
        for event_id, updated_at, sequence, _tz, _all_day in rows
        if event_id is not None
    }
    stale = [i for i in ids if i not in texts or texts[i][0] != keys[i]]
    link = ical.event_link(site)
    if len(stale) > len(ids) // 2:  # a first build: one query, not thousands of bound ids
        batches = [select(Event).where(where)]  # type: ignore[arg-type]
    else:
        batches = [select(Event).where(col(Event.id).in_(stale[n : n + _CHUNK])) for n in range(0, len(stale), _CHUNK)]
    wanted = set(stale)
    for batch in batches:
        for event in db.exec(batch).all():
            if event.id is not None and event.id in wanted:
                names = organisers.get(event.id, [])
                texts[event.id] = (keys[event.id], ical.vevent(site, event, names, link(event.id)))
    if len(texts) > 2 * len(ids) + 1000:  # deleted events: keep what this calendar holds
        texts = {i: texts[i] for i in ids}
    site.state.evenemang_vevents = texts
    zones = {tz for _id, _updated, _sequence, tz, all_day in rows if not all_day}
    return ical.document(site, name, zones, [texts[i][1] for i in ids])


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
