"""A borrower's own pages, on a phone and without a password: see loans and
due days, extend, reserve, cancel, and register online. Who may see what is
decided by the verified mobile number (``phone_login``)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    N_,
    SelectChoice,
    flash,
    url_for,
)
from core.api import gettext as _
from plugins.fritidsbanken import borrowers, lending, phone_login
from plugins.fritidsbanken.forms import CodeForm, OnlineRegistrationForm, PhoneForm, ReserveForm, translated_choices
from plugins.fritidsbanken.models import Borrower, Loan, Reservation, ReservationStatus
from plugins.fritidsbanken.web import render, settings_of, short_date, site_of

LOGIN_FIRST = N_("Logga in med ditt mobilnummer först, så vet vi vems lån det gäller.")


def _mine(request: Request, db: Session) -> tuple[str, list[Borrower]] | None:
    number = phone_login.verified_number(request)
    if number is None:
        return None
    return number, borrowers.for_phone(db, number)


def _login_redirect(request: Request) -> Response:
    site = site_of(request)
    flash(request, _(LOGIN_FIRST), "error")
    return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)


def my_loans(request: Request) -> Response:
    site = site_of(request)
    today = site.clock.today()
    with site.session() as db:
        mine = _mine(request, db)
        if mine is None:
            return render(request, "fritidsbanken/phone_login.html", {"form": PhoneForm()})
        number, people = mine
        overview = []
        for person in people:
            assert person.id is not None
            loans = lending.open_loans_to_show(db, site, person.id)
            reservations = lending.reservations_to_show(db, person.id)
            overview.append((person, loans, reservations, borrowers.deletion_due(site, person)))
    return render(
        request,
        "fritidsbanken/my_loans.html",
        {"number": number, "overview": overview, "today": today},
    )


def _code_page(form: CodeForm, number: str) -> dict[str, object]:
    return {"form": form, "number": number, "minutes": phone_login.CODE_MINUTES}


#: The session key of the number a code was just sent to, so that the code
#: page is a GET after the POST (a reload must not send another text).
CODE_SENT_TO = "fritidsbanken_code_sent_to"


def send_code(request: Request) -> Response:
    """POST: text a code to the number, then show the code page (GET)."""
    site = site_of(request)
    if request.method == "GET":
        mobile = str(request.session.get(CODE_SENT_TO, ""))
        if not mobile:
            return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)
        return render(request, "fritidsbanken/phone_code.html", _code_page(CodeForm(data={"mobile": mobile}), mobile))
    form = PhoneForm.bind(request)
    if not form.validate():
        return render(request, "fritidsbanken/phone_login.html", {"form": form}, status_code=400)
    mobile = form.mobile.data or ""  # InputRequired
    with site.session() as db:
        phone_login.send_code(db, site, mobile, request.client.host if request.client else "")
        db.commit()
    request.session[CODE_SENT_TO] = mobile
    return RedirectResponse(url_for(site, "fritidsbanken:send_code"), status_code=303)


def verify_code(request: Request) -> Response:
    site = site_of(request)
    form = CodeForm.bind(request)
    valid = form.validate()
    mobile = form.mobile.data or ""
    if valid:
        with site.session() as db:
            ok = phone_login.check_code(db, site, mobile, form.code.data or "")
            db.commit()
            known = bool(borrowers.for_phone(db, mobile)) if ok else False
        if ok:
            phone_login.log_in(request, mobile)
            request.session.pop(CODE_SENT_TO, None)
            if not known:
                return RedirectResponse(url_for(site, "fritidsbanken:register"), status_code=303)
            return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)
        form.code.errors = [
            _(
                "Koden stämmer inte eller är för gammal. Kontrollera sms:et, "
                "eller be om en ny kod och använd den senaste."
            )
        ]
    return render(request, "fritidsbanken/phone_code.html", _code_page(form, form.mobile.data or ""), status_code=400)


def link_login(request: Request) -> Response:
    """The signed link in a reminder: log this phone in and show the loans."""
    site = site_of(request)
    number = phone_login.number_from_token(site, request.path_params["token"])
    if number is None:
        flash(request, _("Länken är för gammal eller felaktig. Logga in med ditt mobilnummer i stället."), "error")
    else:
        phone_login.log_in(request, number)
    return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)


def phone_logout(request: Request) -> Response:
    site = site_of(request)
    phone_login.log_out(request)
    flash(request, _("Du är utloggad från dina lån."))
    return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)


def extend(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        mine = _mine(request, db)
        if mine is None:
            return _login_redirect(request)
        loan = db.get(Loan, request.path_params["loan_id"])
        if loan is None or loan.borrower_id not in {p.id for p in mine[1]}:
            raise HTTPException(404, _("Lånet finns inte bland dina lån. Gå tillbaka till Mina lån."))
        refusal = lending.extension_refusal(db, site, loan)
        if refusal:
            flash(request, refusal, "error")
        else:
            due = lending.extend(db, site, loan)
            db.commit()
            flash(request, _("Lånet är förlängt. Lämna tillbaka senast %(day)s.") % {"day": short_date(site, due)})
    return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)


def reserve(request: Request) -> Response:
    site = site_of(request)
    today = site.clock.today()
    with site.session() as db:
        item = lending.item_by_number(db, request.path_params["number"])
        if item is None:
            raise HTTPException(404, _("Den saken finns inte i katalogen."))
        mine = _mine(request, db)
        if mine is None:
            return _login_redirect(request)
        people = mine[1]
        if not people:
            flash(request, _("Registrera dig som låntagare först, så kan du reservera."), "error")
            return RedirectResponse(url_for(site, "fritidsbanken:register"), status_code=303)
        form = ReserveForm.bind(request)
        form.borrower.choices = [SelectChoice(str(p.id), p.name) for p in people]
        if request.method == "GET":
            form.pickup_on.data = lending.available_from(db, site, item, today) or today
            form.borrower.data = str(people[0].id)
        elif form.validate():
            borrower = next((p for p in people if str(p.id) == form.borrower.data), None)
            assert borrower is not None  # SelectField only accepts its choices
            assert form.pickup_on.data is not None  # InputRequired
            try:
                reservation = lending.reserve(db, site, borrower, item, form.pickup_on.data)
            except lending.ReservationError as exc:
                form.pickup_on.errors = [str(exc)]
            else:
                db.commit()
                if reservation.status == ReservationStatus.READY:
                    message = _("%(item)s är reserverad. Hämta den senast %(day)s.")
                else:
                    message = _("Du står i kö för %(item)s, plats %(position)s. Du får ett sms när den finns.")
                values = {
                    "item": item.name,
                    "day": short_date(site, reservation.hold_until),
                    "position": lending.queue_position(db, reservation),
                }
                flash(request, message % values)
                return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)
        status = 400 if form.errors else 200
        latest = today + timedelta(days=settings_of(site).max_pickup_days_ahead)
        return render(
            request,
            "fritidsbanken/reserve.html",
            {"form": form, "item": item, "today": today, "latest": latest},
            status_code=status,
        )


def cancel(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        mine = _mine(request, db)
        if mine is None:
            return _login_redirect(request)
        reservation = db.get(Reservation, request.path_params["reservation_id"])
        if reservation is None or reservation.borrower_id not in {p.id for p in mine[1]}:
            raise HTTPException(404, _("Reservationen finns inte bland dina reservationer."))
        if reservation.status in lending.ACTIVE_RESERVATION:
            lending.cancel(db, site, reservation)
            db.commit()
            flash(request, _("Reservationen är avbokad."))
    return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)


def register(request: Request) -> Response:
    """Online registration, after the phone proved its number: the number is
    the borrower's own, or for a child the guardian's (who then consents)."""
    site = site_of(request)
    number = phone_login.verified_number(request)
    if number is None:
        flash(request, _("Börja med ditt mobilnummer: vi skickar en kod, sedan fyller du i resten."), "error")
        return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)
    today = site.clock.today()
    form = OnlineRegistrationForm.bind(request)
    translated_choices(form.who)
    if request.method == "POST":
        child = form.who.data == "child"
        # The verified number fills the right field; the other is the child's own, if any.
        if child:
            form.guardian_mobile.data = number
        else:
            form.mobile.data = number
            form.guardian_name.data = form.guardian_mobile.data = ""
            form.guardian_consent.data = False
        ok = form.validate_for(today)
        year = form.birth_year.data
        if isinstance(year, int) and not form.birth_year.errors:
            # Who is registered must fit the age; that error replaces the rules for the other kind.
            minor = today.year - year < 18
            if child and not minor:
                form.birth_year.errors = [
                    _("Barnet ska vara under 18 år. Är låntagaren vuxen registrerar hen sig själv.")
                ]
                form.mobile.errors = []
                ok = False
            elif not child and minor:
                form.birth_year.errors = [
                    _("Du är under 18 år: be en förälder eller annan målsman registrera dig med sitt mobilnummer.")
                ]
                form.guardian_name.errors = form.guardian_mobile.errors = []
                ok = False
        if ok:
            with site.session() as db:
                borrower = Borrower(
                    name=(form.name.data or "").strip(),
                    mobile=form.mobile.data or "",
                    email=(form.email.data or "").strip(),
                    birth_year=year,
                    guardian_name=(form.guardian_name.data or "").strip() if child else "",
                    guardian_mobile=number if child else "",
                    guardian_consent=bool(form.guardian_consent.data) if child else False,
                    consent_recorded_at=site.clock.now() if child and form.guardian_consent.data else None,
                    registered_online=True,
                    created_at=site.clock.now(),
                    last_active_at=site.clock.now(),
                    tag=borrowers.new_tag(),
                )
                db.add(borrower)
                db.commit()
            message = _("%(name)s är registrerad. Välkommen till %(title)s!")
            flash(request, message % {"name": borrower.name, "title": settings_of(site).title})
            return RedirectResponse(url_for(site, "fritidsbanken:my_loans"), status_code=303)
    return render(
        request,
        "fritidsbanken/register.html",
        {"form": form, "number": number, "months": settings_of(site).delete_after_months},
        status_code=400 if form.errors else 200,
    )
