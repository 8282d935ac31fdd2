"""Registration pages: signing up (with the waiting list offered when the
last place is gone), cancelling by the signed link in the confirmation
mail, and the organiser's participant list (HTML and CSV) with the
registration settings. The rules live in ``registration_store``."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import BooleanField, IntegerField, StringField, validators

from core.api import (
    N_,
    Form,
    Site,
    User,
    current_user,
    flash,
    read_form,
    require_user,
    site_of,
    throttle_key,
    url_for,
    within_limit,
)
from core.api import gettext as _
from plugins.evenemang import registration_store as regs
from plugins.evenemang import store
from plugins.evenemang.models import Event, Review
from plugins.evenemang.registration_models import RegState

#: The hourly limit on sign-ups by e-mail per visitor (``sign_ups_per_hour``):
#: each one mails a confirmation link to an address the visitor typed, so
#: without a limit a script could mail the whole town from one form. Counted
#: by core's rate limit (``within_limit``), by the visitor's ``throttle_key``.
SIGN_UP_LIMIT = "evenemang-sign-up"
SIGN_UP_WINDOW = timedelta(hours=1)

#: Most places an event may offer (a number beyond it is a typing mistake).
MAX_PLACES = 100_000

STATE_LABELS = {
    RegState.CONFIRMED: N_("Anmäld"),
    RegState.WAITING: N_("På väntelistan"),
    RegState.CANCELLED: N_("Avbokad"),
}


class SignUpForm(Form):
    name = StringField("Namn", [validators.InputRequired("Skriv ditt namn."), validators.Length(max=120)], render_kw={})
    email = StringField(
        "E-post",
        [
            validators.InputRequired("Skriv din e-postadress, så att vi kan skicka en bekräftelse."),
            validators.Length(max=254),
            validators.Email("Skriv en giltig e-postadress, till exempel namn@exempel.se."),
        ],
        description=N_("Dit skickar vi bekräftelsen och länken för att avboka."),
    )


class SetupForm(Form):
    places = IntegerField(
        "Antal platser",
        [
            validators.InputRequired("Skriv hur många platser det finns, som en siffra."),
            validators.NumberRange(1, MAX_PLACES, "Skriv ett antal mellan 1 och 100 000."),
        ],
    )
    waiting_list = BooleanField("Väntelista när platserna är slut", default=True)
    is_open = BooleanField("Anmälan är öppen", default=True)


def _public_event(db: Session, request: Request) -> Event:
    event = store.load(db, request.path_params["event_id"])
    if event.review != Review.PUBLISHED:
        raise HTTPException(404, _("Evenemanget finns inte, eller är borttaget. Se alla evenemang i kalendern."))
    return event


def page_context(site: Site, db: Session, event: Event, user: User | None) -> dict[str, Any]:
    """What the event page shows of registration (its box), for
    ``public.event_page``."""
    assert event.id is not None
    may_edit = store.may_edit(site, db, user, event)
    return {
        "registration": regs.places_of(db, event.id),
        "registration_closed": regs.sign_up_closed(site, event),
        "registration_url": url_for(site, "evenemang:sign_up", event_id=event.id),
        "participants_url": url_for(site, "evenemang:participants", event_id=event.id) if may_edit else "",
    }


# -- signing up -----------------------------------------------------------------------------------


def sign_up_page(request: Request) -> Response:
    """``/evenemang/{id}/anmal``: the form; a full event offers the waiting
    list, and what was typed stays in the form."""
    site = site_of(request)
    user = current_user(request)
    with site.session() as db:
        event = _public_event(db, request)
        places = regs.places_of(db, event.id or 0)
    if places is None:
        raise HTTPException(404, _("Det här evenemanget har ingen anmälan. Se evenemangets sida för mer information."))
    closed = regs.sign_up_closed(site, event) or ("" if places.is_open else _("Anmälan är stängd."))
    form = SignUpForm.bind(request)
    if request.method == "GET" and user is not None:
        form.name.data, form.email.data = user.name, user.email
    waiting_ok = read_form(request).get("vantelista") == "ja" if request.method == "POST" else False
    offer_waiting = places.left == 0 and places.waiting_list
    status, problem = 200, ""
    if request.method == "POST":
        status = 400
        if closed:
            problem = closed
        elif form.validate():
            name, email = (form.name.data or "").strip(), (form.email.data or "").strip()
            if user is not None and email.lower() == user.email.lower():
                outcome = regs.sign_up(site, event, name, email, user.id, waiting_ok)
                if outcome.duplicate:  # the account's own address: telling its owner reveals nothing
                    form.email.errors = [_("Du är redan anmäld till evenemanget. Se bekräftelsen i din e-post.")]
                else:
                    problem, offer = _full_problem(outcome)
                    offer_waiting = offer_waiting or offer
                    if not problem:
                        return _signed_up(request, site, event, outcome, email)
            elif places.left == 0 and not places.waiting_list:
                problem = _("Platserna tog slut just nu, och evenemanget har ingen väntelista.")
            elif places.left == 0 and not waiting_ok:
                offer_waiting = True
                problem = _(
                    "Platserna tog slut precis innan du skickade. Vill du stå på väntelistan? "
                    "Det du skrev finns kvar: skicka igen med knappen nedan."
                )
            elif not _within_sign_up_limit(site, request):
                status = 429
                problem = _(
                    "Det har kommit många anmälningar härifrån på kort tid. Vänta en stund och försök igen. "
                    "Det du skrev finns kvar."
                )
            else:
                # The same answer whether or not the address is signed up already (the mail tells its owner).
                regs.request_sign_up(site, event, name, email, user.id if user else None, waiting_ok)
                flash(
                    request,
                    _(
                        "Vi har skickat ett mejl till %(email)s. Anmälan gäller när du har följt länken i mejlet "
                        "(inom %(hours)s timmar)."
                    )
                    % {"email": email, "hours": regs.PENDING_HOURS},
                )
                return RedirectResponse(url_for(site, "evenemang:event", event_id=event.id), status_code=303)
        with site.session() as db:
            places = regs.places_of(db, event.id or 0) or places
    return site.render(
        request,
        "evenemang/registration_form.html",
        {
            "form": form,
            "event": event,
            "places": places,
            "closed": closed,
            "problem": problem,
            "offer_waiting": offer_waiting or (places.left == 0 and places.waiting_list),
            "when": regs.when_text(site, event),
            "event_url": url_for(site, "evenemang:event", event_id=event.id),
            "retention_days": store.settings_of(site).registration_retention_days,
        },
        status_code=status,
    )


def _within_sign_up_limit(site: Site, request: Request) -> bool:
    """Count one sign-up by e-mail from this visitor, and say whether it is
    within the hourly limit (attempts over it are counted too)."""
    client = throttle_key(request.client.host if request.client else "")
    limit = store.settings_of(site).sign_ups_per_hour
    return within_limit(site, SIGN_UP_LIMIT, {"client": client}, limit, SIGN_UP_WINDOW)


def _full_problem(outcome: regs.SignUp) -> tuple[str, bool]:
    """What to say when no place was had: the message, and whether to offer the waiting list."""
    if outcome.full and outcome.closed:
        return _("Platserna tog slut just nu, och evenemanget har ingen väntelista."), False
    if outcome.full:
        return (
            _(
                "Platserna tog slut precis innan du skickade. Vill du stå på väntelistan? "
                "Det du skrev finns kvar: skicka igen med knappen nedan."
            ),
            True,
        )
    if outcome.closed:
        return _("Anmälan är stängd."), False
    return "", False


def _signed_up(request: Request, site: Site, event: Event, outcome: regs.SignUp, email: str) -> Response:
    if outcome.state == RegState.CONFIRMED:
        flash(request, _("Du är anmäld. En bekräftelse är skickad till %(email)s.") % {"email": email})
    else:
        flash(
            request,
            _("Du står på väntelistan, plats %(n)s. Vi mejlar till %(email)s om du får en plats.")
            % {"n": outcome.position, "email": email},
        )
    return RedirectResponse(url_for(site, "evenemang:event", event_id=event.id), status_code=303)


# -- confirming a sign-up by e-mail -----------------------------------------------------------------


def confirm_page(request: Request) -> Response:
    """``/evenemang/bekrafta/{token}``: GET shows what is confirmed (a mail
    scanner following the link changes nothing), POST confirms: a place, or
    the waiting list when the places are gone and the visitor says yes."""
    site = site_of(request)
    with site.session() as db:
        registration = regs.read_token(site, db, request.path_params["token"], regs.CONFIRM_SALT)
        event = db.get(Event, registration.event_id) if registration is not None else None
    gone = _(
        "Länken gäller inte längre. Den kan vara felkopierad eller för gammal (den gäller %(hours)s timmar). "
        "Anmäl dig igen från evenemangets sida."
    ) % {"hours": regs.PENDING_HOURS}
    if registration is None or event is None:
        raise HTTPException(404, gone)
    assert registration.id is not None and event.id is not None
    if registration.state == RegState.PENDING and regs.pending_expired(site, registration):
        raise HTTPException(404, gone)
    problem, offer_waiting = "", False
    if request.method == "POST" and registration.state != RegState.CANCELLED:
        closed = regs.sign_up_closed(site, event)
        if closed:
            problem = closed
        else:
            waiting_ok = read_form(request).get("vantelista") == "ja"
            outcome = regs.confirm(site, event, registration.id, waiting_ok)
            if outcome.expired:
                raise HTTPException(404, gone)
            if outcome.state and not outcome.duplicate:
                return _signed_up(request, site, event, outcome, registration.email)
            if outcome.duplicate:
                flash(request, _("Anmälan är redan bekräftad."))
                return RedirectResponse(url_for(site, "evenemang:event", event_id=event.id), status_code=303)
            problem, offer_waiting = _full_problem(outcome)
    return site.render(
        request,
        "evenemang/registration_confirm.html",
        {
            "registration": registration,
            "event": event,
            "when": regs.when_text(site, event),
            "event_url": url_for(site, "evenemang:event", event_id=event.id),
            "pending": registration.state == RegState.PENDING,
            "problem": problem,
            "offer_waiting": offer_waiting,
        },
        status_code=400 if problem else 200,
    )


# -- cancelling -----------------------------------------------------------------------------------


def cancel_page(request: Request) -> Response:
    """``/evenemang/avboka/{token}``: GET asks (a mail scanner that follows
    the link cancels nothing), POST cancels, once."""
    site = site_of(request)
    with site.session() as db:
        registration = regs.read_token(site, db, request.path_params["token"])
        event = db.get(Event, registration.event_id) if registration is not None else None
    if registration is None or event is None:
        raise HTTPException(
            404,
            _(
                "Länken gäller inte. Den kan vara felkopierad, eller så är evenemanget över och anmälan borttagen. "
                "Kontakta arrangören om du behöver hjälp."
            ),
        )
    if request.method == "POST" and registration.state != RegState.CANCELLED:
        assert registration.id is not None
        if regs.cancel(site, registration.id):
            flash(request, _("Din anmälan till ”%(title)s” är avbokad.") % {"title": event.title})
        # ?klart: the page after one's own cancellation says it once (the flash), not also "already cancelled".
        return RedirectResponse(request.url.path + "?klart=1", status_code=303)
    return site.render(
        request,
        "evenemang/registration_cancel.html",
        {
            "registration": registration,
            "event": event,
            "when": regs.when_text(site, event),
            "event_url": url_for(site, "evenemang:event", event_id=event.id),
            "cancelled": registration.state == RegState.CANCELLED,
            "just_cancelled": request.query_params.get("klart") == "1",
            "replayed": request.method == "POST",
        },
    )


# -- the organiser ---------------------------------------------------------------------------------


def _organiser_event(site: Site, db: Session, request: Request, user: User) -> Event:
    from core.api import Forbidden

    event = store.load(db, request.path_params["event_id"])
    if not store.may_edit(site, db, user, event):
        raise Forbidden(_("Bara arrangören och webbplatsens administratörer ser deltagarlistan."))
    return event


def participants_page(request: Request, form: SetupForm | None = None) -> Response:
    """The organiser's list: who is coming, who waits, who cancelled; and
    the registration settings."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        event = _organiser_event(site, db, request, user)
        places = regs.places_of(db, event.id or 0)
        rows = regs.participants(db, event.id or 0)
    if form is None:
        form = SetupForm()
        if places is not None:
            form.places.data, form.waiting_list.data, form.is_open.data = (
                places.places,
                places.waiting_list,
                places.is_open,
            )
    return site.render(
        request,
        "evenemang/participants.html",
        {
            "event": event,
            "places": places,
            "rows": rows,
            "form": form,
            "state_label": lambda r: _(STATE_LABELS[RegState(r.state)]) if r.state in set(RegState) else r.state,
            "closed_reason": regs.sign_up_closed(site, event),
            "when": regs.when_text(site, event),
            "event_url": url_for(site, "evenemang:event", event_id=event.id),
            "csv_url": url_for(site, "evenemang:participants_csv", event_id=event.id),
            "setup_url": url_for(site, "evenemang:registration_setup", event_id=event.id),
            "retention_days": store.settings_of(site).registration_retention_days,
        },
        status_code=400 if form.errors else 200,
    )


def setup_view(request: Request) -> Response:
    """POST: switch registration on, change the places, open or close it."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        event = _organiser_event(site, db, request, user)
        places = regs.places_of(db, event.id or 0)
    form = SetupForm.bind(request)
    if not form.validate():
        return participants_page(request, form)
    assert form.places.data is not None and event.id is not None
    if event.rrule:
        form.places.errors = [_("Anmälan går bara att ha till evenemang som inte upprepas.")]
        return participants_page(request, form)
    if places is not None and form.places.data < places.taken:
        form.places.errors = [
            _("%(n)s personer har redan en plats. Skriv minst %(n)s, eller avboka någon först.") % {"n": places.taken}
        ]
        return participants_page(request, form)
    try:
        moved = regs.configure(site, event.id, form.places.data, bool(form.waiting_list.data), bool(form.is_open.data))
    except regs.TooFewPlaces as short:  # someone signed up after the check above
        form.places.errors = [
            _("%(n)s personer har redan en plats. Skriv minst %(n)s, eller avboka någon först.") % {"n": short.taken}
        ]
        return participants_page(request, form)
    message = _("Anmälan är sparad.")
    if moved:
        message += " " + _("%(n)s från väntelistan fick plats och har fått mejl.") % {"n": moved}
    flash(request, message)
    return RedirectResponse(url_for(site, "evenemang:participants", event_id=event.id), status_code=303)


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def participants_csv(request: Request) -> Response:
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        event = _organiser_event(site, db, request, user)
        rows = regs.participants(db, event.id or 0)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Namn", "E-post", "Status", "Anmäld"])  # exports stay in the site's language (README)
    for row in rows:
        label = STATE_LABELS.get(RegState(row.state), row.state) if row.state in set(RegState) else row.state
        writer.writerow(
            [_cell(row.name), _cell(row.email), label, site.clock.local(row.created_at).strftime("%Y-%m-%d %H:%M")]
        )
    return Response(
        "\ufeff" + out.getvalue(),  # the BOM makes Excel read UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="deltagare-{event.id}.csv"'},
    )
