"""Writing events: editors for their own associations, admins for anyone.

With ``require_approval`` an editor's new event waits for an admin
(``Review.PENDING``); an admin's is published at once. A form with a
problem comes back with everything typed kept and each problem named."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    Forbidden,
    ImageError,
    Place,
    SelectChoice,
    Site,
    User,
    bookable_places,
    delete_image,
    flash,
    page_link,
    page_number,
    paged,
    place_bookings,
    read_form,
    require_admin,
    require_user,
    site_of,
    store_upload,
    url_for,
)
from core.api import gettext as _
from plugins.evenemang import public, recurrence, room_booking, store, times
from plugins.evenemang.blocks import in_place
from plugins.evenemang.forms import EventForm
from plugins.evenemang.models import Event, Organiser, Review, Status

NO_ASSOCIATION = (
    "Du är inte redaktör för någon förening ännu, så du kan inte lägga upp evenemang. "
    "Be webbplatsens administratör att koppla ditt konto till din förening."
)


def _load_for_edit(site: Site, db: Session, request: Request, user: User) -> Event | None:
    event_id = request.path_params.get("event_id")
    if event_id is None:
        return None
    event = store.load(db, event_id)
    if not store.may_edit(site, db, user, event):
        raise Forbidden(
            _(
                "Du kan bara ändra evenemang som dina föreningar ordnar. "
                "Be webbplatsens administratör om hjälp om du ska kunna ändra det här."
            )
        )
    return event


def _choices(site: Site, db: Session, user: User, event: Event | None) -> dict[str, str]:
    """slug -> name of the associations this user may name as organisers;
    an event's current organisers are kept even if no longer listed."""
    mine = store.editable_slugs(site, db, user)
    if not user.is_admin and not mine:
        raise Forbidden(_(NO_ASSOCIATION))
    if event is not None:
        for row in db.exec(select(Organiser).where(Organiser.event_id == event.id)).all():
            mine.setdefault(row.association_slug, row.association_name)
    return mine


def _fill(form: EventForm, event: Event, organisers: list[str]) -> None:
    """The form's fields from a stored event (GET of the edit page)."""
    form.start_date.data = event.starts_at.date()
    form.end_date.data = event.ends_at.date() if event.ends_at.date() != event.starts_at.date() else None
    if not event.all_day:
        form.start_time.data = event.starts_at.time()
        form.end_time.data = event.ends_at.time()
    kind = recurrence.frequency_of(event.rrule)
    form.repeat.data = kind
    form.repeat_until.data = recurrence.until_of(event.rrule, event.tz) if kind not in ("", "custom") else None
    form.rrule.data = event.rrule if kind == "custom" else ""
    form.exdates.data = event.exdates.replace(",", ", ")
    form.organisers.data = organisers
    form.room.data = event.room_ref


def _times(form: EventForm) -> tuple[datetime, datetime] | None:
    """Start and end as wall-clock times, or None with the problem on a field."""
    start_day = form.start_date.data
    if start_day is None:
        return None
    end_day = form.end_date.data or start_day
    if form.all_day.data:
        return datetime.combine(start_day, time(0)), datetime.combine(end_day, time(0))
    if form.start_time.data is None:
        form.start_time.errors = [_("Skriv en starttid, eller kryssa i ”Heldag”.")]
        return None
    start = datetime.combine(start_day, form.start_time.data.replace(second=0, microsecond=0))
    if form.end_time.data is None:
        end = start + timedelta(hours=2) if form.end_date.data is None else datetime.combine(end_day, time(23, 59))
    else:
        end = datetime.combine(end_day, form.end_time.data.replace(second=0, microsecond=0))
    return start, end


def _check_and_apply(
    site: Site, form: EventForm, event: Event, user: User, mine: dict[str, str], places: list[Place] | None = None
) -> bool:
    """Copy the form onto ``event`` and derive; False (with errors on the
    fields) if anything is wrong. Nothing is stored here."""
    ok = True
    chosen = [slug for slug in (form.organisers.data or []) if slug in mine]
    if not user.is_admin and not chosen:
        form.organisers.errors = [_("Välj vilken av dina föreningar som ordnar evenemanget.")]
        ok = False
    settings = store.settings_of(site)
    upload = form.image_file.data
    has_upload = isinstance(upload, UploadFile) and bool(upload.filename)
    keeps_image = bool(event.image) and not form.remove_image.data
    if (has_upload or keeps_image) and not (form.image_alt.data or "").strip():
        form.image_alt.errors = [_("Beskriv bilden med några ord, så att den som inte ser bilden vet vad den visar.")]
        ok = False
    if not form.is_free.data and not (form.price.data or "").strip():
        form.price.errors = [_("Skriv vad det kostar, eller kryssa i ”Gratis”.")]
        ok = False
    span = _times(form)
    if span is None:
        return False
    event.starts_at, event.ends_at = span
    event.all_day = bool(form.all_day.data)
    event.tz = site.config.site.timezone
    kind = form.repeat.data or ""
    if kind == "custom" or (form.rrule.data or "").strip():
        event.rrule = (form.rrule.data or "").strip().removeprefix("RRULE:")
        if not event.rrule:
            form.rrule.errors = [_("Skriv regeln, eller välj en upprepning i listan.")]
            return False
    elif kind:
        if form.repeat_until.data is None:
            form.repeat_until.errors = [_("Välj till och med vilket datum evenemanget upprepas.")]
            return False
        event.rrule = recurrence.simple_rule(kind, event.starts_at, form.repeat_until.data)
    else:
        event.rrule = ""
    try:
        exdates = recurrence.parse_exdates(form.exdates.data or "")
    except recurrence.RuleProblem as problem:
        form.exdates.errors = [str(problem)]
        return False
    event.exdates = ",".join(d.isoformat() for d in exdates) if event.rrule else ""
    for name in (
        "title",
        "summary",
        "description",
        "place_name",
        "address",
        "municipality",
        "price",
        "accessibility_note",
        "contact_name",
        "contact_email",
        "contact_phone",
        "link",
    ):
        setattr(event, name, (getattr(form, name).data or "").strip())
    event.category = form.category.data if form.category.data in settings.categories else ""
    event.room_ref = form.room.data or ""
    room = next((p for p in places or [] if p.ref == event.room_ref), None)
    if room is not None and not event.place_name and not event.address:
        # The room is the place a visitor reads (event page, JSON-LD, .ics, peers), unless one was written.
        event.place_name, event.address = room.name, room.address
    event.is_free = bool(form.is_free.data)
    if event.is_free:
        event.price = ""
    event.age_group = form.age_group.data or "all"
    for flag in ("step_free", "hearing_loop", "sign_language"):
        setattr(event, flag, bool(getattr(form, flag).data))
    event.status = form.status.data if form.status.data in set(Status) else Status.SCHEDULED
    try:
        store.derive(event, settings)
    except times.TimeProblem as problem:
        target = form.start_time if "finns inte" in str(problem) or "does not exist" in str(problem) else form.end_date
        target.errors = [*target.errors, str(problem)]
        return False
    except recurrence.RuleProblem as problem:
        field = form.rrule if kind == "custom" or form.rrule.data else form.repeat_until
        field.errors = [str(problem)]
        return False
    return ok


def _room_is_free(site: Site, db: Session, form: EventForm, event: Event, organisers: list[str]) -> bool:
    """Whether the room the event is put in (``room_ref``) is free at each of
    its coming occurrences: not booked (``place_bookings``, the premises
    plugin) by anyone but the event's own organisers, and not holding
    another of the site's events. False with the colliding times named on
    the room field (the organiser picks another time or room, or books it)."""
    if not event.room_ref:
        return True
    coming = room_booking.coming_occurrences(site, event)
    if not coming:  # all in the past: nothing to hold
        return True
    first = min(o.start for o in coming).astimezone(UTC)
    last = max(o.end for o in coming).astimezone(UTC)
    if event.all_day:
        last += timedelta(days=1)
    held = [
        (b.start, b.end, b.title)
        for b in place_bookings(site, db, event.room_ref, first, last)
        if not (b.association and b.association in organisers)
    ]
    own_url = url_for(site, "evenemang:event", event_id=event.id) if event.id else None
    held += [(u.start, u.end, u.title) for u in in_place(site, db, event.room_ref, first, last) if u.url != own_url]
    clashes: list[str] = []
    for occurrence in coming:
        begin = occurrence.start
        end = occurrence.end + timedelta(days=1) if event.all_day else occurrence.end
        for held_start, held_end, title in held:
            if held_start < end and held_end > begin:
                local_start = held_start.astimezone(begin.tzinfo)
                local_end = held_end.astimezone(begin.tzinfo)
                clashes.append(
                    _("%(day)s %(start)s–%(end)s (%(what)s)")
                    % {
                        "day": public.day_label(site, local_start.date()),
                        "start": f"{local_start:%H:%M}",
                        "end": f"{local_end:%H:%M}",
                        "what": title,
                    }
                )
                break
    if not clashes:
        return True
    shown = "; ".join(clashes[:5])
    more = len(clashes) - 5
    message = _("Lokalen är redan upptagen då: %(times)s.") % {"times": shown}
    if more > 0:
        message += " " + _("Och %(count)d gånger till.") % {"count": more}
    message += " " + _(
        "Välj en annan tid eller en annan lokal. Har er förening redan bokat lokalen, välj den som arrangör."
    )
    form.room.errors = [*form.room.errors, message]
    return False


def _not_checked(form: EventForm) -> room_booking.RoomState:
    """The answer to "Visa om lokalen är ledig" when the room is taken then
    (the error is also on the room field), or when something else in the form
    must be corrected before the room can be looked at. It is shown beside the
    check's button, where a phone user lands after pressing it."""
    if form.room.errors:
        return room_booking.RoomState(_("Lokalen är inte ledig då."), [str(e) for e in form.room.errors], blocked=True)
    return room_booking.RoomState(
        _("Lokalen kunde inte kontrolleras: något annat i formuläret behöver rättas först."),
        blocked=True,
        fix_first=True,
    )


def event_edit(request: Request) -> Response:
    """Write an event (``/evenemang/nytt``) or change one (``.../redigera``)."""
    site = site_of(request)
    user = require_user(request)
    settings = store.settings_of(site)
    with site.session() as db:
        event = _load_for_edit(site, db, request, user)
        mine = _choices(site, db, user, event)
        places = bookable_places(site, db)
        form = EventForm.bind(request, obj=event)
        form.organisers.choices = [SelectChoice(slug, name) for slug, name in sorted(mine.items(), key=lambda x: x[1])]
        form.category.choices = [SelectChoice("", _("Välj kategori …"))] + [
            SelectChoice(c, _(c)) for c in settings.categories
        ]
        form.room.choices = [SelectChoice("", _("Ingen lokal härifrån"))] + [
            SelectChoice(p.ref, f"{p.name}, {p.address}" if p.address else p.name) for p in places
        ]
        current = [
            o.association_slug
            for o in db.exec(select(Organiser).where(Organiser.event_id == (event.id if event else -1))).all()
        ]
        room_state: room_booking.RoomState | None = None
        checking = False
        if request.method == "GET":
            if event is not None:
                _fill(form, event, current)
                if places:
                    room_state = room_booking.state_of(site, db, event, current, user, mine)
            else:
                wanted = request.query_params.get("forening", "")
                if wanted in mine:
                    form.organisers.data = [wanted]
                elif len(mine) == 1 and not user.is_admin:
                    form.organisers.data = list(mine)
        elif request.method == "POST":
            # "Visa om lokalen är ledig": the form again with the room's state; nothing is saved.
            checking = bool(places) and read_form(request).get("action") == "visa_lokal"
            valid = form.validate()
            target = event or Event(
                uid=store.new_uid(site),
                title="",
                starts_at=datetime.min,
                ends_at=datetime.min,
                first_start_utc=datetime.min,
                last_end_utc=datetime.min,
                created_by_id=user.id,
            )
            before = store.snapshot(event) if event is not None else None
            with db.no_autoflush:
                applied = _check_and_apply(site, form, target, user, mine, places) if valid else False
            if applied and valid:
                with db.no_autoflush:
                    applied = _room_is_free(site, db, form, target, list(form.organisers.data or []))
            if applied and valid and checking:
                with db.no_autoflush:
                    room_state = room_booking.state_of(
                        site, db, target, list(form.organisers.data or []), user, mine
                    ) or room_booking.RoomState(
                        _("Evenemanget har inga kommande tillfällen i lokalen.")
                        if target.room_ref
                        else _("Välj en lokal i listan först, så syns om den är ledig.")
                    )
            elif checking:
                room_state = _not_checked(form)
            elif applied and valid:
                saved = _store(request, site, db, form, target, user, before, mine, settings.require_approval)
                if saved:
                    return RedirectResponse(url_for(site, "evenemang:event", event_id=target.id), status_code=303)
            if event is not None:
                db.rollback()  # nothing half-applied stays on the stored event
                # The rollback expired the event; load it again while the session is
                # open, or the page below reads a detached row (a 500: issue 18's walk).
                db.refresh(event)
    return site.render(
        request,
        "evenemang/event_form.html",
        {
            "form": form,
            "event": event,
            "has_places": bool(places),
            "room_state": room_state,
            # The form's own address, so that the room check's address (with
            # the answer's anchor) does not stay on for the next save.
            "form_url": url_for(site, "evenemang:edit", event_id=event.id) if event else url_for(site, "evenemang:new"),
            "max_image_kb": settings.max_image_kb,
            "event_url": url_for(site, "evenemang:event", event_id=event.id) if event else "",
            "delete_url": url_for(site, "evenemang:delete", event_id=event.id) if event else "",
            "list_url": url_for(site, "evenemang:events"),
            "needs_approval": settings.require_approval and not user.is_admin,
        },
        status_code=400 if form.error_count() else 200,
    )


def _store(
    request: Request,
    site: Site,
    db: Session,
    form: EventForm,
    event: Event,
    user: User,
    before: dict[str, object] | None,
    mine: dict[str, str],
    require_approval: bool,
) -> bool:
    upload = form.image_file.data
    new_image = ""
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            new_image = store_upload(
                upload, site.uploads_dir, store.settings_of(site).max_image_kb, stem_hint="evenemang"
            )
        except ImageError as exc:
            form.image_file.errors = [str(exc)]
            return False
    # The room is booked before the event is written (the premises plugin
    # commits on its own): a refusal leaves the event and its image as they were.
    with db.no_autoflush:
        booked = room_booking.book(site, db, form, event, user, mine)
    if booked is None:
        delete_image(site.uploads_dir, new_image)
        return False
    if new_image or form.remove_image.data:
        delete_image(site.uploads_dir, event.image)
        event.image = new_image
    event.image_alt = (form.image_alt.data or "").strip() if event.image else ""
    if before is None:
        event.review = Review.PENDING if require_approval and not user.is_admin else Review.PUBLISHED
    elif require_approval and not user.is_admin and event.review == Review.DECLINED:
        event.review = Review.PENDING  # changed after a decline: asks again
    store.touch(event, before)
    db.add(event)
    db.flush()
    store.set_organisers(db, event, [(slug, mine[slug]) for slug in (form.organisers.data or []) if slug in mine])
    db.commit()
    if event.review == Review.PENDING:
        flash(
            request,
            _("Evenemanget ”%(title)s” är sparat och väntar på att en administratör godkänner det.")
            % {"title": event.title},
        )
    elif before is None:
        flash(request, _("Evenemanget ”%(title)s” är publicerat.") % {"title": event.title})
    elif event.status == Status.CANCELLED:
        flash(request, _("Evenemanget ”%(title)s” är ändrat och visas som inställt.") % {"title": event.title})
    else:
        flash(request, _("Ändringarna i ”%(title)s” är sparade.") % {"title": event.title})
    if booked:
        flash(request, booked)
    return True


def event_delete(request: Request) -> Response:
    """Delete an event for good, after the confirmation box is ticked (a
    cancelled event is better: it stays in people's calendars, marked)."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        event = _load_for_edit(site, db, request, user)
        assert event is not None
        if read_form(request).get("bekrafta") != "ja":
            flash(request, _("Evenemanget togs inte bort. Kryssa i rutan för att bekräfta och försök igen."), "error")
            return RedirectResponse(url_for(site, "evenemang:edit", event_id=event.id), status_code=303)
        title, image = event.title, event.image
        db.delete(event)
        db.commit()
    delete_image(site.uploads_dir, image)
    flash(request, _("Evenemanget ”%(title)s” är borttaget.") % {"title": title})
    return RedirectResponse(url_for(site, "evenemang:mine"), status_code=303)


def my_events(request: Request) -> Response:
    """The events a signed-in editor may change (an admin: every event),
    the ones waiting for approval first."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        statement = select(Event)
        if not user.is_admin:
            slugs = list(store.editable_slugs(site, db, user))
            organised = select(Organiser.event_id).where(col(Organiser.association_slug).in_(slugs))
            statement = statement.where((col(Event.id).in_(organised)) | (col(Event.created_by_id) == user.id))
        rows = db.exec(statement.order_by(col(Event.first_start_utc).desc())).all()
        page_rows, page, pages = paged(rows, page_number(request), 50)
        organisers = store.organisers_of(db, [e.id for e in page_rows if e.id])
    return site.render(
        request,
        "evenemang/mine.html",
        {
            "events": page_rows,
            "organisers": organisers,
            "page": page,
            "pages": pages,
            "page_link": page_link(url_for(site, "evenemang:mine"), {}),
            "new_url": url_for(site, "evenemang:new"),
            "edit_url": lambda e: url_for(site, "evenemang:edit", event_id=e.id),
            "event_url": lambda e: url_for(site, "evenemang:event", event_id=e.id),
            "participants_url": lambda e: url_for(site, "evenemang:participants", event_id=e.id),
            "review_url": url_for(site, "evenemang:review_queue") if user.is_admin else "",
        },
    )


def review_queue(request: Request) -> Response:
    """Editors' events waiting for an admin (``require_approval``)."""
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        rows = db.exec(select(Event).where(Event.review == Review.PENDING).order_by(col(Event.created_at))).all()
        page_rows, page, pages = paged(rows, page_number(request), 50)
        organisers = store.organisers_of(db, [e.id for e in page_rows if e.id])
    return site.render(
        request,
        "evenemang/review.html",
        {
            "events": page_rows,
            "organisers": organisers,
            "page": page,
            "pages": pages,
            "page_link": page_link(url_for(site, "evenemang:review_queue"), {}),
            "event_url": lambda e: url_for(site, "evenemang:event", event_id=e.id),
            "decide_url": lambda e: url_for(site, "evenemang:review", event_id=e.id),
        },
    )


def review_decide(request: Request) -> Response:
    """An admin publishes or declines (with a note) an editor's event."""
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        event = store.load(db, request.path_params["event_id"])
        data = read_form(request)
        decision = data.get("beslut")
        note = str(data.get("meddelande") or "").strip()[:1000]
        if decision == "publicera":
            event.review, event.review_note = Review.PUBLISHED, ""
            message = _("”%(title)s” är publicerat.")
        elif decision == "avsla":
            event.review, event.review_note = Review.DECLINED, note
            message = _("”%(title)s” publiceras inte. Arrangören ser ditt meddelande.")
        else:
            flash(request, _("Välj att publicera eller att inte publicera."), "error")
            return RedirectResponse(url_for(site, "evenemang:review_queue"), status_code=303)
        store.touch(event, None)
        db.add(event)
        db.commit()
        flash(request, message % {"title": event.title})
    return RedirectResponse(url_for(site, "evenemang:review_queue"), status_code=303)
