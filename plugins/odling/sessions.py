"""Volunteer work sessions: the public list and iCal feed, signing up and
cancelling from a member's page, and the coordinators' planning,
attendance (which counts the hours) and reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField, validators

from core.api import (
    N_,
    Form,
    Site,
    absolute_url_for,
    current_user,
    flash,
    ngettext,
    read_form,
    site_of,
    url_for,
    utcnow,
)
from core.api import gettext as _
from plugins.odling import mail, members, web
from plugins.odling.models import Bed, Member, Signup, WorkSession

#: How far back the iCal feed reaches, so a calendar keeps recent sessions.
FEED_DAYS_BACK = 60


def signup_counts(db: Session) -> dict[int, int]:
    """Places taken per session, counted in the database."""
    rows = db.exec(select(Signup.session_id, func.count()).group_by(col(Signup.session_id))).all()
    return {session_id: int(n) for session_id, n in rows}


def upcoming_with_counts(db: Session, site: Site) -> list[tuple[WorkSession, int]]:
    counts = signup_counts(db)
    rows = db.exec(
        select(WorkSession)
        .where(col(WorkSession.starts_at) >= web.clock(site).now())
        .order_by(col(WorkSession.starts_at))
    ).all()
    return [(s, counts.get(s.id or 0, 0)) for s in rows]


def bed_names(db: Session) -> dict[int, str]:
    return {b.id or 0: f"{b.code} {b.name}" for b in db.exec(select(Bed)).all()}


def session_list(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        upcoming = upcoming_with_counts(db, site)
        places = bed_names(db)
        coordinator = web.is_coordinator(db, current_user(request))
    return site.render(
        request,
        "odling/sessions.html",
        {
            "upcoming": upcoming,
            "places": places,
            "coordinator": coordinator,
        },
    )


def session_page(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        work = db.get(WorkSession, request.path_params["session_id"])
        if work is None:
            raise web.not_found(_("Arbetspasset finns inte. Det kan vara inställt; se alla arbetspass."))
        coordinator = web.is_coordinator(db, current_user(request))
        signups = db.exec(
            select(Signup, Member)
            .join(Member, col(Signup.member_id) == col(Member.id))
            .where(Signup.session_id == work.id)
            .order_by(col(Member.name))
        ).all()
        bed = db.get(Bed, work.bed_id) if work.bed_id else None
    return site.render(
        request,
        "odling/session.html",
        {
            "work": work,
            "taken": len(signups),
            "signups": signups if coordinator else [],
            "bed": bed,
            "coordinator": coordinator,
            "past": site.clock.local(work.starts_at) < web.clock(site).now(),
        },
    )


# -- signing up (from a member's page) ---------------------------------------------------------


def sign_up(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        member = members.by_token(db, request.path_params["token"])
        back = members.member_url(site, member)
        # Two sign-ups for the last place must not both count it as free: on PostgreSQL
        # the session's row stays locked until commit; on SQLite (WAL) a writer whose
        # snapshot is older than another's commit is refused instead.
        work = db.exec(
            select(WorkSession).where(WorkSession.id == request.path_params["session_id"]).with_for_update()
        ).first()
        if work is None:
            raise web.not_found("Arbetspasset finns inte längre.")
        if site.clock.local(work.starts_at) < web.clock(site).now():
            flash(request, _("Passet har redan börjat, så det går inte att anmäla sig längre."), "error")
            return RedirectResponse(back, status_code=303)
        taken = db.exec(select(func.count()).select_from(Signup).where(Signup.session_id == work.id)).one()
        exists = db.exec(select(Signup).where(Signup.session_id == work.id, Signup.member_id == member.id)).first()
        if exists is not None:
            flash(request, _("Du är redan anmäld till %(task)s.") % {"task": work.task})
            return RedirectResponse(back, status_code=303)
        if taken >= work.places:
            flash(request, _("%(task)s är fullt. Välj ett annat pass.") % {"task": work.task}, "error")
            return RedirectResponse(back, status_code=303)
        db.add(Signup(session_id=work.id or 0, member_id=member.id or 0))
        members.touch(site, member)
        db.add(member)
        try:
            db.commit()
        except IntegrityError:  # a double click raced the check above
            db.rollback()
    flash(request, _("Du är anmäld till %(task)s. Välkommen!") % {"task": work.task})
    return RedirectResponse(back, status_code=303)


def cancel(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        member = members.by_token(db, request.path_params["token"])
        back = members.member_url(site, member)
        signup = db.exec(
            select(Signup).where(Signup.session_id == request.path_params["session_id"], Signup.member_id == member.id)
        ).first()
        if signup is None:
            flash(request, _("Du var inte anmäld till det passet."))
            return RedirectResponse(back, status_code=303)
        db.delete(signup)
        members.touch(site, member)
        db.add(member)
        db.commit()
    flash(request, _("Du är avbokad. Tack för att du hörde av dig!"))
    return RedirectResponse(back, status_code=303)


# -- coordinators -------------------------------------------------------------------------------


class SessionForm(Form):
    task = StringField(
        "Uppgift",
        [validators.InputRequired("Skriv vad passet gäller, till exempel Rensa ogräs."), validators.Length(max=160)],
    )
    description = TextAreaField(
        "Beskrivning", [validators.Length(max=1000)], description=N_("Vad ska man ta med? Var samlas vi?")
    )
    day = DateField("Datum", [validators.InputRequired("Skriv datum som åååå-mm-dd.")])
    start = TimeField(N_("Börjar"), [validators.InputRequired("Skriv starttid som tt:mm, till exempel 17:00.")])
    end = TimeField(N_("Slutar"), [validators.InputRequired("Skriv sluttid som tt:mm, till exempel 19:00.")])
    places = IntegerField(
        "Antal platser", [validators.InputRequired("Skriv hur många som får plats."), validators.NumberRange(1, 200)]
    )
    bed = SelectField("Plats i parken", description=N_("Välj en bädd eller ett område, eller hela parken."))


def session_edit(request: Request) -> Response:
    web.require_coordinator(request)
    site = site_of(request)
    session_id = request.path_params.get("session_id")
    tz = site.clock.zone
    with site.session() as db:
        work = db.get(WorkSession, session_id) if session_id is not None else None
        if session_id is not None and work is None:
            raise web.not_found("Arbetspasset finns inte längre.")
        form = SessionForm.bind(request)
        form.bed.choices = web.options(
            [("", _("Hela parken"))] + [(str(k), v) for k, v in sorted(bed_names(db).items(), key=lambda kv: kv[1])]
        )
        if request.method == "GET" and work is not None:
            start, end = site.clock.local(work.starts_at), site.clock.local(work.ends_at)
            form.task.data, form.description.data, form.places.data = work.task, work.description, work.places
            form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
            form.bed.data = str(work.bed_id or "")
        elif request.method == "GET":
            form.places.data = 8
        if request.method == "POST" and form.validate():
            starts = datetime.combine(form.day.data, form.start.data, tzinfo=tz)
            ends = datetime.combine(form.day.data, form.end.data, tzinfo=tz)
            if ends <= starts:
                form.end.errors = [_("Sluttiden måste vara efter starttiden.")]
            else:
                work = work or WorkSession(task="", starts_at=starts, ends_at=ends)
                work.task = form.task.data.strip()
                work.description = (form.description.data or "").strip()
                work.starts_at, work.ends_at = starts.astimezone(UTC), ends.astimezone(UTC)
                work.places = form.places.data
                work.bed_id = int(form.bed.data) if form.bed.data else None
                work.updated_at = utcnow()
                db.add(work)
                db.commit()
                flash(request, _("Arbetspasset %(task)s är sparat.") % {"task": work.task})
                return RedirectResponse(url_for(site, "odling:session", session_id=work.id), status_code=303)
    return site.render(
        request,
        "odling/session_form.html",
        {"form": form, "work": work, "coordinator": True},
        status_code=400 if request.method == "POST" else 200,
    )


def attendance(request: Request) -> Response:
    """Mark who came; attended sessions count as hours for the member."""
    web.require_coordinator(request)
    site = site_of(request)
    form = read_form(request)
    came = {int(v) for v in form.getlist("narvarande") if str(v).isdigit()}
    with site.session() as db:
        work = db.get(WorkSession, request.path_params["session_id"])
        if work is None:
            raise web.not_found("Arbetspasset finns inte längre.")
        for signup in db.exec(select(Signup).where(Signup.session_id == work.id)).all():
            signup.attended = signup.id in came
            db.add(signup)
        db.commit()
    flash(request, _("Närvaron är sparad: %(count)s kom.") % {"count": len(came)})
    return RedirectResponse(url_for(site, "odling:session", session_id=work.id), status_code=303)


def send_reminders(site: Site, db: Session) -> int:
    """Remind everyone signed up for a session starting within
    ``reminder_days``, once. Members without e-mail are left for the
    coordinators to phone (the session page lists them)."""
    if not mail.can_send(site):
        return 0
    now = web.clock(site).now()
    horizon = now + timedelta(days=web.settings_of(site).reminder_days)
    rows = db.exec(
        select(Signup, Member, WorkSession)
        .join(Member, col(Signup.member_id) == col(Member.id))
        .join(WorkSession, col(Signup.session_id) == col(WorkSession.id))
        .where(
            col(Signup.reminded_at).is_(None),
            col(WorkSession.starts_at) >= now,
            col(WorkSession.starts_at) <= horizon,
        )
    ).all()
    settings = web.settings_of(site)
    sent = 0
    # Reminders are in the site's language (Swedish), not the language of the
    # coordinator who presses the button: we do not know the member's.
    for signup, member, work in rows:
        if not member.email:
            continue
        start = site.clock.local(work.starts_at)
        body = (
            f"Hej {member.name}!\n\n"
            f"Påminnelse: du är anmäld till {work.task} i {settings.park_name} "
            f"{start:%Y-%m-%d} kl. {start:%H:%M}–{site.clock.local(work.ends_at):%H:%M}.\n\n"
            f"{work.description}\n\n"
            f"Kan du inte komma? Avboka på din sida, så får någon annan platsen:\n"
            f"{site.absolute_url(members.member_url(site, member))}\n"
        )
        if mail.send(site, member.email, f"Påminnelse: {work.task} {start:%Y-%m-%d}", body, db):
            signup.reminded_at = now
            db.add(signup)
            sent += 1
    db.commit()
    return sent


def remind_now(request: Request) -> Response:
    web.require_coordinator(request)
    site = site_of(request)
    with site.session() as db:
        sent = send_reminders(site, db)
    if not mail.can_send(site):
        flash(request, _("E-post är inte påslaget (mail_from i site.toml), så inga påminnelser skickades."), "error")
    elif sent:
        message = ngettext("%(count)s påminnelse skickad.", "%(count)s påminnelser skickade.", sent)
        flash(request, message % {"count": sent})
    else:
        flash(request, _("Ingen behövde påminnas just nu."))
    return RedirectResponse(url_for(site, "odling:sessions"), status_code=303)


# -- iCal ---------------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ical_feed(request: Request) -> Response:
    """Every session from ``FEED_DAYS_BACK`` days ago on, as iCalendar
    (RFC 5545), so volunteers can subscribe in their phone's calendar. In the
    site's language: a calendar subscription has no visitor's language."""
    site = site_of(request)
    settings = web.settings_of(site)
    since = web.clock(site).now() - timedelta(days=FEED_DAYS_BACK)
    with site.session() as db:
        rows = db.exec(
            select(WorkSession).where(col(WorkSession.starts_at) >= since).order_by(col(WorkSession.starts_at))
        ).all()
        places = bed_names(db)
        counts = signup_counts(db)
    cal = Calendar()
    cal.add("prodid", f"-//Paraply//{site.name}//odling//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Arbetspass – {settings.park_name}")
    cal.add("x-wr-timezone", site.config.site.timezone)
    for work in rows:
        event = Event()
        event.add("uid", f"{work.uid}@{site.host}")
        event.add("summary", work.task)
        event.add("dtstart", _aware(work.starts_at).astimezone(UTC))
        event.add("dtend", _aware(work.ends_at).astimezone(UTC))
        event.add("dtstamp", _aware(work.updated_at).astimezone(UTC))
        event.add("last-modified", _aware(work.updated_at).astimezone(UTC))
        place = places.get(work.bed_id or 0)
        event.add("location", f"{settings.park_name}, {place}" if place else settings.park_name)
        left = max(0, work.places - counts.get(work.id or 0, 0))
        event.add("description", f"{work.description}\n\nLediga platser: {left} av {work.places}.".strip())
        event.add("url", absolute_url_for(site, "odling:session", session_id=work.id))
        cal.add_component(event)
    return Response(
        cal.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'inline; filename="arbetspass.ics"'},
    )
