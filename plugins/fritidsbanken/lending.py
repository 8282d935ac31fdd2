"""Lending: check-out, check-in, extension, reservations and their queue.

The rules, from Fritidsbanken's own: a loan lasts ``loan_days`` (14 by
default), moved forward to a day the branch is open; it can be extended
``max_extensions`` times (once) while nobody waits for the item; there is
never a fee. A reservation joins the item's queue; when the item comes back
(or is free already) the first in the queue gets it held at the counter until
``hold_until``, and is told by text message. An item reported damaged goes
to repair with a note and skips the queue until it is mended.

Each function works on an open session and leaves committing to the caller,
so a counter action is one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from core.api import N_, Site
from core.api import gettext as _
from plugins.fritidsbanken import messages
from plugins.fritidsbanken.models import (
    Borrower,
    Item,
    ItemStatus,
    Loan,
    OpeningHours,
    Reservation,
    ReservationStatus,
)
from plugins.fritidsbanken.web import settings_of, short_date

PLUGIN = "fritidsbanken"
MAX_NUMBERS = 50  # one counter action; more is a mistake (a pasted list?)
_SPLIT = re.compile(r"[\s,;]+")
ACTIVE_RESERVATION = (ReservationStatus.WAITING, ReservationStatus.READY)

#: Stored on each loan as these Swedish msgids (statistics survive a change of
#: language); translated where shown.
AGE_GROUPS: list[tuple[int, int, str]] = [
    (0, 12, N_("0–12 år")),
    (13, 17, N_("13–17 år")),
    (18, 25, N_("18–25 år")),
    (26, 64, N_("26–64 år")),
    (65, 200, N_("65 år och äldre")),
]
UNKNOWN_AGE = N_("Okänd ålder")


def age_group(borrower: Borrower, today: date) -> str:
    age = borrower.age(today)
    if age is None:
        return UNKNOWN_AGE
    for low, high, label in AGE_GROUPS:
        if low <= age <= high:
            return label
    return UNKNOWN_AGE


def parse_numbers(text: str) -> list[str]:
    """ID numbers typed or scanned into one box: separated by new lines (a
    scanner's Enter), spaces, commas or semicolons; each once, in order. A
    label's QR code (the item's address) counts as its number."""
    seen: dict[str, None] = {}
    for part in _SPLIT.split(text or ""):
        if "/artiklar/" in part:  # a scanned label's QR code holds the item's address
            part = part.rsplit("/artiklar/", 1)[1].split("/")[0].split("?")[0]
        number = part.strip().upper()
        if number:
            seen.setdefault(number[:20], None)
    return list(seen)[:MAX_NUMBERS]


@dataclass
class Outcome:
    """What happened to one ID number at the counter; ``message`` is in the
    request's language (outcomes are shown at once, never stored)."""

    number: str
    ok: bool
    message: str
    item: Item | None = None
    loan: Loan | None = None


# -- dates ---------------------------------------------------------------------------------


def open_weekdays(db: Session, branch_id: int) -> set[int]:
    return set(db.exec(select(OpeningHours.weekday).where(OpeningHours.branch_id == branch_id)).all())


def next_open_day(db: Session, branch_id: int, day: date) -> date:
    """``day`` or the first day after it that the branch is open (a branch
    without opening hours is taken to be open every day)."""
    weekdays = open_weekdays(db, branch_id)
    if not weekdays:
        return day
    for _step in range(7):
        if day.weekday() in weekdays:
            return day
        day += timedelta(days=1)
    return day


def due_day(db: Session, site: Site, branch_id: int, start: date) -> date:
    return next_open_day(db, branch_id, start + timedelta(days=settings_of(site).loan_days))


# -- queries ---------------------------------------------------------------------------------


def item_by_number(db: Session, number: str) -> Item | None:
    return db.exec(select(Item).where(Item.number == number.strip().upper())).first()


def open_loan(db: Session, item_id: int) -> Loan | None:
    return db.exec(select(Loan).where(Loan.item_id == item_id, col(Loan.returned_at).is_(None))).first()


def open_loans_of(db: Session, borrower_id: int) -> list[tuple[Loan, Item]]:
    rows = db.exec(
        select(Loan, Item)
        .join(Item, col(Item.id) == col(Loan.item_id))
        .where(Loan.borrower_id == borrower_id, col(Loan.returned_at).is_(None))
        .order_by(col(Loan.due_on), col(Item.number))
    ).all()
    return [(loan, item) for loan, item in rows]


def _waiting_for(item_id: Any) -> Any:
    """How many wait in the queue of the item ``item_id`` (a column of the
    outer statement) names: a subquery, so a page's loans or a return's
    items bring their queue length along instead of a query each."""
    return (
        select(func.count())
        .select_from(Reservation)
        .where(col(Reservation.item_id) == item_id, Reservation.status == ReservationStatus.WAITING)
        .scalar_subquery()
    )


_OPEN_LOANS_TO_SHOW = (
    select(Loan, Item, _waiting_for(Loan.item_id))
    .join(Item, col(Item.id) == col(Loan.item_id))
    .where(col(Loan.borrower_id) == bindparam("borrower_id"), col(Loan.returned_at).is_(None))
    .order_by(col(Loan.due_on), col(Item.number))
)


def open_loans_to_show(db: Session, site: Site, borrower_id: int) -> list[tuple[Loan, Item, str | None]]:
    """A borrower's open loans with their items, and why each cannot be
    extended (None if it can), in one statement however many there are
    (built once, as ``_RESERVATIONS``)."""
    rows = db.exec(_OPEN_LOANS_TO_SHOW, params={"borrower_id": borrower_id}).all()
    return [(loan, item, extension_refusal(db, site, loan, waiting)) for loan, item, waiting in rows]


def _reservations_statement() -> Any:
    ahead = aliased(Reservation)
    place = (
        select(func.count())
        .select_from(ahead)
        .where(
            col(ahead.item_id) == col(Reservation.item_id),
            ahead.status == ReservationStatus.WAITING,
            or_(
                col(ahead.created_at) < col(Reservation.created_at),
                and_(col(ahead.created_at) == col(Reservation.created_at), col(ahead.id) < col(Reservation.id)),
            ),
        )
        .scalar_subquery()
    )
    return (
        select(Reservation, Item, place)
        .join(Item, col(Item.id) == col(Reservation.item_id))
        .where(col(Reservation.borrower_id) == bindparam("borrower_id"))
        .where(col(Reservation.status).in_(ACTIVE_RESERVATION))
        .order_by(col(Reservation.created_at), col(Reservation.id))
    )


#: Built once, as the borrower page runs them after every lending: an alias
#: and its subquery cost more to build than to run from the compiled cache
#: (bench/fritidsbanken_counter.py, profiled).
_RESERVATIONS = _reservations_statement()


def reservations_to_show(db: Session, borrower_id: int) -> list[tuple[Reservation, Item, int]]:
    """A borrower's active reservations, oldest first, with their items and
    places in the queue as ``queue_position`` counts them, in one statement."""
    rows = db.exec(_RESERVATIONS, params={"borrower_id": borrower_id}).all()
    return [(r, item, 0 if r.status == ReservationStatus.READY else int(n) + 1) for r, item, n in rows]


def queue(db: Session, item_id: int) -> list[Reservation]:
    """Active reservations of an item: the held one first, then the queue in order."""
    rows = db.exec(
        select(Reservation)
        .where(Reservation.item_id == item_id, col(Reservation.status).in_(ACTIVE_RESERVATION))
        .order_by(col(Reservation.created_at), col(Reservation.id))
    ).all()
    return sorted(rows, key=lambda r: r.status != ReservationStatus.READY)


def waiting_count(db: Session, item_ids: list[int]) -> dict[int, int]:
    if not item_ids:
        return {}
    rows = db.exec(
        select(Reservation.item_id, func.count())
        .where(col(Reservation.item_id).in_(item_ids), Reservation.status == ReservationStatus.WAITING)
        .group_by(col(Reservation.item_id))
    ).all()
    return {item_id: int(n) for item_id, n in rows}


def due_days(db: Session, item_ids: list[int]) -> dict[int, date]:
    """The due day of each item's open loan: the catalogue's "available from"."""
    if not item_ids:
        return {}
    rows = db.exec(
        select(col(Loan.item_id), col(Loan.due_on)).where(
            col(Loan.item_id).in_(item_ids), col(Loan.returned_at).is_(None)
        )
    ).all()
    return {item_id: due for item_id, due in rows}


def available_from(db: Session, site: Site, item: Item, today: date) -> date | None:
    """When an item on loan or held can be expected back for someone new: the
    due day, plus a loan period for each person ahead in the queue."""
    if item.status == ItemStatus.AVAILABLE:
        return today
    if item.status not in (ItemStatus.ON_LOAN, ItemStatus.RESERVED) or item.id is None:
        return None
    loan = open_loan(db, item.id)
    start = max(loan.due_on, today) if loan else today
    ahead = len(queue(db, item.id))
    return start + timedelta(days=settings_of(site).loan_days * ahead)


# -- check-out -----------------------------------------------------------------------------------


def consent_missing(borrower: Borrower, item: Item, today: date) -> bool:
    return item.needs_consent and borrower.is_minor(today) and not borrower.guardian_consent


def checkout(
    db: Session,
    site: Site,
    borrower: Borrower,
    branch_id: int,
    numbers: list[str],
    user_id: int | None,
    now: datetime | None = None,
) -> list[Outcome]:
    """Lend every item that may be lent; say why for the others."""
    now = now or site.clock.now()
    today = site.clock.local_date(now)
    due = due_day(db, site, branch_id, today)
    items = _items_by_number(db, numbers)
    results: list[Outcome] = []
    for number in numbers:
        item = items.get(number.strip().upper())
        results.append(_checkout_one(db, site, borrower, branch_id, number, item, user_id, now, today, due))
    if any(r.ok for r in results):
        borrower.last_active_at = now
        db.add(borrower)
    db.flush()
    return results


def _items_by_number(db: Session, numbers: list[str]) -> dict[str, Item]:
    """The items of a counter action's numbers, in one statement."""
    wanted = {n.strip().upper() for n in numbers}
    return {i.number: i for i in db.exec(select(Item).where(col(Item.number).in_(wanted))).all()} if wanted else {}


def _checkout_one(
    db: Session,
    site: Site,
    borrower: Borrower,
    branch_id: int,
    number: str,
    item: Item | None,
    user_id: int | None,
    now: datetime,
    today: date,
    due: date,
) -> Outcome:
    if item is None or item.id is None:
        return Outcome(number, False, _("Det finns ingen sak med det ID-numret. Kontrollera numret på etiketten."))
    if item.status == ItemStatus.ON_LOAN:
        loan = open_loan(db, item.id)
        if loan is not None and loan.borrower_id == borrower.id:
            return Outcome(number, False, _("Är redan utlånad till den här låntagaren."), item, loan)
        return Outcome(number, False, _("Är redan utlånad. Lämna in den först om den står här på disken."), item)
    if item.status == ItemStatus.REPAIR:
        note = item.repair_note or _("ingen anteckning")
        return Outcome(number, False, _("Är på reparation: %(note)s.") % {"note": note}, item)
    if item.status == ItemStatus.RETIRED:
        return Outcome(number, False, _("Är utrangerad och lånas inte ut."), item)
    held = None
    if item.status == ItemStatus.RESERVED:
        held = next((r for r in queue(db, item.id) if r.status == ReservationStatus.READY), None)
        if held is not None and held.borrower_id != borrower.id:
            message = _("Är reserverad för en annan låntagare till och med %(day)s.")
            return Outcome(number, False, message % {"day": short_date(site, held.hold_until)}, item)
    if consent_missing(borrower, item, today):
        return Outcome(
            number,
            False,
            _("Kräver målsmans samtycke för låntagare under 18 år. Registrera samtycket på låntagaren först."),
            item,
        )
    loan = Loan(
        item_id=item.id,
        borrower_id=borrower.id,
        borrower_tag=borrower.tag,
        age_group=age_group(borrower, today),
        branch_id=branch_id,
        out_at=now,
        due_on=due,
        lent_by=user_id,
    )
    db.add(loan)
    if held is not None:
        held.status = ReservationStatus.FULFILLED
        held.closed_at = now
        db.add(held)
    item.status = ItemStatus.ON_LOAN
    item.updated_at = now
    db.add(item)
    return Outcome(number, True, _("Utlånad till och med %(day)s.") % {"day": short_date(site, due)}, item, loan)


# -- check-in ------------------------------------------------------------------------------------


def checkin(
    db: Session,
    site: Site,
    branch_id: int,
    numbers: list[str],
    now: datetime | None = None,
    damaged_note: str = "",
) -> list[Outcome]:
    """Take items back. Each returned item goes to the first in its queue, or
    becomes available; with ``damaged_note`` it goes to repair instead."""
    now = now or site.clock.now()
    today = site.clock.local_date(now)
    found = _returns(db, numbers)
    results = []
    returned_by: set[int] = set()
    for number in numbers:
        key = number.strip().upper()
        item, loan, waiting = found.get(key, (None, None, 0))
        if item is None or item.id is None:
            results.append(Outcome(number, False, _("Det finns ingen sak med det ID-numret.")))
            continue
        if loan is None:
            results.append(Outcome(number, False, _("Var inte utlånad. Inget behövde göras."), item))
            continue
        found[key] = (item, None, waiting)  # the same number twice: back already
        loan.returned_at = now
        loan.returned_branch_id = branch_id
        db.add(loan)
        if loan.borrower_id is not None:
            returned_by.add(loan.borrower_id)
        item.branch_id = branch_id  # it is here now
        item.updated_at = now
        if damaged_note.strip():
            send_to_repair(db, item, damaged_note, now)
            results.append(Outcome(number, True, _("Återlämnad och skickad till reparation."), item, loan))
            continue
        held = advance_queue(db, site, item, today, now, waiting=waiting)
        if held is not None:
            msg = _("Återlämnad. Reserverad: lägg den åt sidan för nästa i kön.")
        else:
            msg = _("Återlämnad och tillgänglig igen.")
        results.append(Outcome(number, True, msg, item, loan))
    if returned_by:
        # Their data is kept a while after they last borrowed (borrowers.deletion_due).
        db.exec(update(Borrower).where(col(Borrower.id).in_(returned_by)).values(last_active_at=now))
    db.flush()
    return results


def _returns(db: Session, numbers: list[str]) -> dict[str, tuple[Item, Loan | None, int]]:
    """Each number's item, its open loan and how many wait for it, in one
    statement for the whole pile that came back."""
    wanted = {n.strip().upper() for n in numbers}
    if not wanted:
        return {}
    rows = db.exec(
        select(Item, Loan, _waiting_for(Item.id))
        .outerjoin(Loan, and_(col(Loan.item_id) == col(Item.id), col(Loan.returned_at).is_(None)))
        .where(col(Item.number).in_(wanted))
    ).all()
    found: dict[str, tuple[Item, Loan | None, int]] = {}
    for item, loan, waiting in rows:
        found.setdefault(item.number, (item, loan, int(waiting)))
    return found


# -- repair ----------------------------------------------------------------------------------------


def send_to_repair(db: Session, item: Item, note: str, now: datetime) -> None:
    """Take an item out of circulation with a note of what is wrong. A hold
    for someone in the queue goes back to waiting."""
    if item.id is not None:
        for reservation in queue(db, item.id):
            if reservation.status == ReservationStatus.READY:
                reservation.status = ReservationStatus.WAITING
                reservation.ready_on = reservation.hold_until = None
                db.add(reservation)
    item.status = ItemStatus.REPAIR
    item.repair_note = note.strip()[:500]
    item.updated_at = now
    db.add(item)


def back_from_repair(db: Session, site: Site, item: Item, now: datetime | None = None) -> None:
    now = now or site.clock.now()
    item.repair_note = ""
    item.updated_at = now
    db.add(item)
    db.flush()
    advance_queue(db, site, item, site.clock.today(), now)


# -- extension -------------------------------------------------------------------------------------


def extension_refusal(db: Session, site: Site, loan: Loan, waiting: int | None = None) -> str | None:
    """Why a loan cannot be extended (in the request's language), or None if
    it can. ``waiting``: how many wait for the item, when the caller read it."""
    if loan.returned_at is not None:
        return _("Lånet är redan återlämnat.")
    if loan.extensions >= settings_of(site).max_extensions:
        return _("Lånet har redan förlängts en gång. Lämna tillbaka saken och låna den igen om ingen väntar.")
    if waiting is None:
        waiting = waiting_count(db, [loan.item_id]).get(loan.item_id, 0)
    if waiting:
        return _("Någon väntar på den här saken, så lånet kan inte förlängas.")
    return None


def extend(db: Session, site: Site, loan: Loan) -> date:
    """Extend by one loan period from the current due day (or today, if later)."""
    start = max(loan.due_on, site.clock.today())
    loan.due_on = due_day(db, site, loan.branch_id, start)
    loan.extensions += 1
    loan.due_reminder_at = None  # a new due day earns a new reminder
    db.add(loan)
    return loan.due_on


# -- reservations ------------------------------------------------------------------------------


class ReservationError(ValueError):
    """Why a reservation was refused, in the request's language."""


def reserve(db: Session, site: Site, borrower: Borrower, item: Item, pickup_on: date) -> Reservation:
    """Reserve an item for a pick-up day. A free item is held at once; an item
    out on loan (or held for someone) puts the borrower in its queue."""
    settings = settings_of(site)
    today = site.clock.today()
    now = site.clock.now()
    assert item.id is not None and borrower.id is not None
    if item.status == ItemStatus.RETIRED:
        raise ReservationError(_("Den här saken lånas inte ut längre."))
    if pickup_on < today:
        raise ReservationError(_("Hämtdagen har redan varit. Välj i dag eller en senare dag."))
    if pickup_on > today + timedelta(days=settings.max_pickup_days_ahead):
        raise ReservationError(
            _("Välj en hämtdag inom %(days)s dagar. Reservera närmare den dag du behöver saken.")
            % {"days": settings.max_pickup_days_ahead}
        )
    if any(r.borrower_id == borrower.id for r in queue(db, item.id)):
        raise ReservationError(_("Du har redan reserverat den här saken."))
    loan = open_loan(db, item.id)
    if loan is not None and loan.borrower_id == borrower.id:
        raise ReservationError(_("Du har redan den här saken hemma. Förläng lånet i stället."))
    if consent_missing(borrower, item, today):
        raise ReservationError(
            _("Den här saken kräver målsmans samtycke. Kontakta %(title)s.") % {"title": settings.title}
        )
    reservation = Reservation(item_id=item.id, borrower_id=borrower.id, pickup_on=pickup_on, created_at=now)
    db.add(reservation)
    db.flush()
    if item.status == ItemStatus.AVAILABLE:
        _hold(db, site, item, reservation, today, notify=False)
    return reservation


def _hold(db: Session, site: Site, item: Item, reservation: Reservation, today: date, notify: bool = True) -> None:
    reservation.status = ReservationStatus.READY
    reservation.ready_on = today
    reservation.hold_until = max(reservation.pickup_on, today) + timedelta(days=settings_of(site).hold_days)
    item.status = ItemStatus.RESERVED
    db.add(reservation)
    db.add(item)
    if notify:
        # The text message stays in the site's language (Swedish), not the
        # language of whoever checked the item in: the recipient's is unknown.
        borrower = db.get(Borrower, reservation.borrower_id)
        if borrower is not None:
            messages.send_to_borrower(
                db,
                site,
                borrower,
                "ready",
                f"{settings_of(site).title}: din reservation",
                f"{messages.greeting(borrower)} {item.name} ({item.number}) som du reserverade finns att hämta "
                f"hos {settings_of(site).title}. Hämta den senast {reservation.hold_until.isoformat()}.",
            )


def advance_queue(
    db: Session, site: Site, item: Item, today: date, now: datetime | None = None, waiting: int | None = None
) -> Reservation | None:
    """Give a free item to the first in its queue (held and notified), or
    make it available. Returns the reservation now holding it. ``waiting``:
    how many wait for it, when the caller read it (none: no queue to read)."""
    assert item.id is not None
    if item.status == ItemStatus.RETIRED:
        return None
    waiters = queue(db, item.id) if waiting is None or waiting > 0 else []
    nxt = next((r for r in waiters if r.status == ReservationStatus.WAITING), None)
    if nxt is None:
        item.status = ItemStatus.AVAILABLE
        db.add(item)
        return None
    _hold(db, site, item, nxt, today)
    return nxt


def cancel(db: Session, site: Site, reservation: Reservation, status: str = ReservationStatus.CANCELLED) -> None:
    """Cancel (or expire) a reservation; a held item passes down the queue."""
    was_ready = reservation.status == ReservationStatus.READY
    reservation.status = status
    reservation.closed_at = site.clock.now()
    db.add(reservation)
    db.flush()
    if was_ready:
        item = db.get(Item, reservation.item_id)
        if item is not None and item.status == ItemStatus.RESERVED:
            advance_queue(db, site, item, site.clock.today())


def expire_holds(db: Session, site: Site, today: date) -> int:
    """Holds not collected by ``hold_until`` expire; the next in the queue gets the item."""
    stale = db.exec(
        select(Reservation).where(Reservation.status == ReservationStatus.READY, col(Reservation.hold_until) < today)
    ).all()
    for reservation in stale:
        cancel(db, site, reservation, ReservationStatus.EXPIRED)
    return len(stale)


def queue_position(db: Session, reservation: Reservation) -> int:
    """1 for the first waiting in line (0 if the item is held for them)."""
    if reservation.status == ReservationStatus.READY:
        return 0
    waiting = [r.id for r in queue(db, reservation.item_id) if r.status == ReservationStatus.WAITING]
    return waiting.index(reservation.id) + 1 if reservation.id in waiting else 0
