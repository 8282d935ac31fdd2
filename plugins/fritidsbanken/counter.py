"""The counter: what staff use while a queue of children waits.

Designed for speed: find a borrower by mobile number (exact and indexed), then
scan or type several ID numbers into one box and press Enter/“Låna ut”.
Check-in needs no borrower at all: scan everything that came back. Every
number gets its own line saying what happened, so one wrong number never
stops the rest.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, case, func
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import N_, User, flash, ngettext, parse_int, read_form, url_for
from core.api import gettext as _
from plugins.fritidsbanken import borrowers, lending
from plugins.fritidsbanken.access import require_staff, staff_branches
from plugins.fritidsbanken.forms import BorrowerForm
from plugins.fritidsbanken.models import Borrower, Branch, Item, Loan, Message, Reservation
from plugins.fritidsbanken.web import render, short_date, site_of

BRANCH_KEY = "fritidsbanken_branch"
#: Where a lending or return leaves its outcomes for the page the browser is
#: sent to (redirect after POST: a reload must not lend or return again).
RESULTS_KEY = "fritidsbanken_results"
#: How much of the session cookie (4 KB in all) the outcomes may take; the
#: rest are counted in one closing line.
RESULTS_BUDGET = 1500
NOT_FOUND = N_("Låntagaren finns inte. Uppgifterna kan ha raderats. Sök på mobilnumret igen.")


def _chosen(request: Request, allowed: set[int]) -> int | None:
    chosen = request.session.get(BRANCH_KEY)
    if chosen not in allowed:
        chosen = min(allowed) if allowed else None
    return chosen if isinstance(chosen, int) else None


def counter_branch(request: Request, db: Session, user: User) -> Branch | None:
    """The branch this counter works for: chosen in the session, else the
    user's first."""
    return _branches(request, db, user)[0]


def _branches(request: Request, db: Session, user: User) -> tuple[Branch | None, list[Branch]]:
    """The counter's branch and the user's branches by name, from the one
    statement per request ``staff_branches`` sends (``require_staff`` has
    usually sent it already)."""
    mine = staff_branches(request, db, user)
    chosen = _chosen(request, {b.id for b in mine if b.id is not None})
    return next((b for b in mine if b.id == chosen), None), mine


def counter(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        user = require_staff(request, db)
        return _counter_page(request, db, user, results=_take_results(request, db))


def _counter_page(request: Request, db: Session, user: User, results: list[lending.Outcome] | None) -> Response:
    site = site_of(request)
    query = request.query_params.get("q", "").strip()[:80]
    found = borrowers.find(db, query) if query else []
    if len(found) == 1 and results is None and request.method == "GET":
        return RedirectResponse(url_for(site, "fritidsbanken:borrower", borrower_id=found[0].id), status_code=303)
    today = site.clock.today()
    # Open loans and the overdue among them in one read of the partial index.
    open_count, overdue = db.exec(
        select(func.count(), func.count(case((col(Loan.due_on) < today, 1)))).where(col(Loan.returned_at).is_(None))
    ).one()
    branch, branches = _branches(request, db, user)
    return render(
        request,
        "fritidsbanken/counter.html",
        {
            "branch": branch,
            "branches": branches,
            "query": query,
            "found": found,
            "results": results,
            "open_count": open_count,
            "overdue": overdue,
        },
    )


def _keep_results(request: Request, results: list[lending.Outcome]) -> None:
    """Put the outcomes in the session for the next page: number, success and
    message (the item is looked up again when shown)."""
    rows: list[list[object]] = []
    more_ok = more_failed = 0
    for r in results:
        row: list[object] = [r.number, r.ok, r.message]
        if len(json.dumps([*rows, row])) <= RESULTS_BUDGET:
            rows.append(row)
        elif r.ok:
            more_ok += 1
        else:
            more_failed += 1
    request.session[RESULTS_KEY] = {"rows": rows, "more_ok": more_ok, "more_failed": more_failed}


def _take_results(request: Request, db: Session, shown: list[Item] | None = None) -> list[lending.Outcome] | None:
    """The outcomes the last lending or return left, once. Their items are
    read in one statement, none when the page shows them all already
    (``shown``: a lending's items are among the borrower's loans)."""
    kept = request.session.pop(RESULTS_KEY, None)
    if not isinstance(kept, dict):
        return None
    rows = [(str(n), bool(ok), str(m)) for n, ok, m in kept.get("rows", [])]
    items = {i.number: i for i in shown or []}
    missing = [n for n, _ok, _m in rows if n not in items]
    if missing:
        items.update({i.number: i for i in db.exec(select(Item).where(col(Item.number).in_(missing))).all()})
    results = [lending.Outcome(n, ok, m, items.get(n)) for n, ok, m in rows]
    for ok, count in ((True, int(kept.get("more_ok", 0))), (False, int(kept.get("more_failed", 0)))):
        if count:
            message = ngettext("%(n)d nummer till (visas inte här).", "%(n)d nummer till (visas inte här).", count) % {
                "n": count
            }
            results.append(lending.Outcome("…", ok, message))
    return results


def choose_branch(request: Request) -> Response:
    site = site_of(request)
    data = read_form(request)
    with site.session() as db:
        user = require_staff(request, db)
        chosen = parse_int(data.get("branch"), minimum=1)
        branch = next((b for b in staff_branches(request, db, user) if b.id == chosen), None)
        if branch is None:
            flash(request, _("Välj ett av utlåningsställena i listan."), "error")
        else:
            request.session[BRANCH_KEY] = chosen
            flash(request, _("Disken arbetar nu för %(branch)s.") % {"branch": branch.name})
    return RedirectResponse(url_for(site, "fritidsbanken:counter"), status_code=303)


def checkin(request: Request) -> Response:
    site = site_of(request)
    data = read_form(request)
    with site.session() as db:
        user = require_staff(request, db)
        branch = counter_branch(request, db, user)
        numbers = lending.parse_numbers(str(data.get("numbers", "")))
        if branch is None or branch.id is None or not numbers:
            flash(
                request,
                _("Skanna eller skriv minst ett ID-nummer.") if branch else _("Lägg först upp ett utlåningsställe."),
                "error",
            )
            return RedirectResponse(url_for(site, "fritidsbanken:counter"), status_code=303)
        results = lending.checkin(db, site, branch.id, numbers, damaged_note=str(data.get("damaged_note", ""))[:500])
        db.commit()
        _keep_results(request, results)
    return RedirectResponse(url_for(site, "fritidsbanken:counter"), status_code=303)


# -- borrowers ---------------------------------------------------------------------------------


def _borrower_or_404(db: Session, borrower_id: int) -> Borrower:
    borrower = db.get(Borrower, borrower_id)
    if borrower is None:
        raise HTTPException(404, _(NOT_FOUND))
    return borrower


#: The borrower with the count of all their loans; built once, as the page
#: follows every lending (see ``lending._RESERVATIONS``).
_BORROWER_WITH_HISTORY = select(
    Borrower, select(func.count()).where(col(Loan.borrower_id) == bindparam("borrower_id")).scalar_subquery()
).where(col(Borrower.id) == bindparam("borrower_id"))


def _borrower_page(request: Request, db: Session, user: User, borrower_id: int) -> Response:
    site = site_of(request)
    today = site.clock.today()
    # The borrower with their history count, then one statement for each list.
    found = db.exec(_BORROWER_WITH_HISTORY, params={"borrower_id": borrower_id}).first()
    if found is None:
        raise HTTPException(404, _(NOT_FOUND))
    borrower, history = found
    assert borrower.id is not None
    loans = lending.open_loans_to_show(db, site, borrower.id)
    results = _take_results(request, db, shown=[item for _loan, item, _refusal in loans])
    sent = db.exec(
        select(Message).where(Message.borrower_id == borrower.id).order_by(col(Message.created_at).desc()).limit(10)
    ).all()
    return render(
        request,
        "fritidsbanken/borrower.html",
        {
            "borrower": borrower,
            "branch": counter_branch(request, db, user),
            "loans": loans,
            "reservations": lending.reservations_to_show(db, borrower.id),
            "sent": sent,
            "history": history,
            "results": results,
            "today": today,
            "minor": borrower.is_minor(today),
            "deletion_due": borrowers.deletion_due(site, borrower),
        },
        status_code=200,
    )


def borrower_page(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        user = require_staff(request, db)
        return _borrower_page(request, db, user, request.path_params["borrower_id"])


def checkout(request: Request) -> Response:
    site = site_of(request)
    data = read_form(request)
    with site.session() as db:
        user = require_staff(request, db)
        borrower = _borrower_or_404(db, request.path_params["borrower_id"])
        branch = counter_branch(request, db, user)
        numbers = lending.parse_numbers(str(data.get("numbers", "")))
        if branch is None or branch.id is None:
            flash(request, _("Lägg först upp ett utlåningsställe under Utlåningsställen."), "error")
            return RedirectResponse(url_for(site, "fritidsbanken:borrower", borrower_id=borrower.id), status_code=303)
        if not numbers:
            flash(request, _("Skanna eller skriv minst ett ID-nummer."), "error")
            return RedirectResponse(url_for(site, "fritidsbanken:borrower", borrower_id=borrower.id), status_code=303)
        results = lending.checkout(db, site, borrower, branch.id, numbers, user.id)
        db.commit()
        _keep_results(request, results)
        return RedirectResponse(url_for(site, "fritidsbanken:borrower", borrower_id=borrower.id), status_code=303)


def _apply(form: BorrowerForm, borrower: Borrower, now: datetime) -> None:
    consent = bool(form.guardian_consent.data)
    if consent and not borrower.guardian_consent:
        borrower.consent_recorded_at = now
    borrower.name = (form.name.data or "").strip()
    borrower.birth_year = form.birth_year.data
    borrower.mobile = form.mobile.data or ""
    borrower.email = (form.email.data or "").strip()
    borrower.guardian_name = (form.guardian_name.data or "").strip()
    borrower.guardian_mobile = form.guardian_mobile.data or ""
    borrower.guardian_consent = consent
    if not consent:
        borrower.consent_recorded_at = None


def borrower_edit(request: Request) -> Response:
    """Register a borrower at the counter (``/disk/lantagare/ny``) or change one."""
    site = site_of(request)
    today = site.clock.today()
    with site.session() as db:
        require_staff(request, db)
        borrower_id = request.path_params.get("borrower_id")
        borrower = _borrower_or_404(db, borrower_id) if borrower_id is not None else None
        form = BorrowerForm.bind(request, obj=borrower)
        if request.method == "GET" and borrower is None and request.query_params.get("mobil"):
            form.mobile.data = request.query_params["mobil"][:20]
        if request.method == "POST" and form.validate_for(today):
            if borrower is None:
                now = site.clock.now()
                borrower = Borrower(name="", tag=borrowers.new_tag(), created_at=now, last_active_at=now)
            _apply(form, borrower, site.clock.now())
            db.add(borrower)
            db.commit()
            flash(request, _("%(name)s är sparad.") % {"name": borrower.name})
            return RedirectResponse(url_for(site, "fritidsbanken:borrower", borrower_id=borrower.id), status_code=303)
    return render(
        request,
        "fritidsbanken/borrower_form.html",
        {"form": form, "borrower": borrower},
        status_code=400 if form.errors else 200,
    )


def borrower_delete(request: Request) -> Response:
    """Delete a borrower's data at their request. Loans stay anonymous."""
    site = site_of(request)
    data = read_form(request)
    with site.session() as db:
        require_staff(request, db)
        borrower = _borrower_or_404(db, request.path_params["borrower_id"])
        if data.get("bekrafta") != "ja":
            flash(request, _("Inget togs bort. Kryssa i rutan för att bekräfta."), "error")
            return RedirectResponse(url_for(site, "fritidsbanken:borrower", borrower_id=borrower.id), status_code=303)
        name = borrower.name
        for reservation in db.exec(
            select(Reservation).where(
                Reservation.borrower_id == borrower.id, col(Reservation.status).in_(lending.ACTIVE_RESERVATION)
            )
        ).all():
            lending.cancel(db, site, reservation)
        db.flush()
        db.delete(borrower)
        db.commit()
    flash(request, _("Uppgifterna om %(name)s är raderade. Lånehistoriken finns kvar utan namn.") % {"name": name})
    return RedirectResponse(url_for(site, "fritidsbanken:counter"), status_code=303)


def staff_extend(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        require_staff(request, db)
        loan = db.get(Loan, request.path_params["loan_id"])
        if loan is None:
            raise HTTPException(404, _("Lånet finns inte."))
        refusal = lending.extension_refusal(db, site, loan)
        if refusal:
            flash(request, refusal, "error")
        else:
            due = lending.extend(db, site, loan)
            db.commit()
            flash(request, _("Lånet är förlängt till och med %(day)s.") % {"day": short_date(site, due)})
        target = (
            url_for(site, "fritidsbanken:borrower", borrower_id=loan.borrower_id)
            if loan.borrower_id
            else url_for(site, "fritidsbanken:counter")
        )
    return RedirectResponse(target, status_code=303)


def staff_reserve(request: Request) -> Response:
    site = site_of(request)
    data = read_form(request)
    from datetime import date

    with site.session() as db:
        require_staff(request, db)
        borrower = _borrower_or_404(db, request.path_params["borrower_id"])
        target = RedirectResponse(url_for(site, "fritidsbanken:borrower", borrower_id=borrower.id), status_code=303)
        item = lending.item_by_number(db, str(data.get("number", "")))
        if item is None:
            flash(request, _("Det finns ingen sak med det ID-numret."), "error")
            return target
        try:
            pickup = date.fromisoformat(str(data.get("pickup_on", "")) or site.clock.today().isoformat())
            reservation = lending.reserve(db, site, borrower, item, pickup)
        except ValueError as exc:
            message = str(exc) if isinstance(exc, lending.ReservationError) else _("Skriv hämtdagen som ÅÅÅÅ-MM-DD.")
            flash(request, message, "error")
            return target
        db.commit()
        position = lending.queue_position(db, reservation)
        if position == 0:
            message = _("%(item)s är reserverad och står åt sidan till och med %(day)s.")
        else:
            message = _("%(item)s är reserverad, plats %(position)s i kön.")
        flash(
            request,
            message % {"item": item.name, "day": short_date(site, reservation.hold_until), "position": position},
        )
    return target


def staff_cancel(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        require_staff(request, db)
        reservation = db.get(Reservation, request.path_params["reservation_id"])
        if reservation is None:
            raise HTTPException(404, _("Reservationen finns inte."))
        if reservation.status in lending.ACTIVE_RESERVATION:
            lending.cancel(db, site, reservation)
            db.commit()
            flash(request, _("Reservationen är avbokad."))
        borrower_id = reservation.borrower_id
    return RedirectResponse(url_for(site, "fritidsbanken:borrower", borrower_id=borrower_id), status_code=303)
