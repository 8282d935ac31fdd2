"""Places, sign-ups, the waiting list and cancellation, without HTTP.

Who gets the last place is decided by one guarded statement,
``UPDATE evenemang_registration_setup SET taken = taken + 1 WHERE ... AND
taken < places``, run as the **first** statement of its transaction:

- on PostgreSQL the update takes the setup row's lock; a second sign-up for
  the same event waits for the first to commit, then re-checks ``taken <
  places`` against the committed row and updates nothing (READ COMMITTED);
- on SQLite the update takes the database's write lock (the second waits up
  to the connection's busy time-out); being the first statement, it reads
  the newest data once it has the lock.

Every change of ``taken`` (a cancellation, more places, someone moving up
from the waiting list) goes through the same row, so they are serialised
per event. The CHECK constraint on the table is the last line of defence.

Every transaction that changes places or the waiting list first takes the
setup row's lock (``_lock_setup``: on PostgreSQL the row lock of an update,
on SQLite the database's write lock), so a sign-up that finds the event
full and joins the waiting list, and a cancellation that frees a place and
looks for someone waiting, cannot pass each other: whichever comes second
sees what the first did. (A guarded update that matches no row takes no
lock on PostgreSQL, so without it the freed place could stay empty while
someone waits.)

A sign-up by e-mail is stored ``PENDING`` and takes effect only when the
link mailed to the address is followed (``request_sign_up``, ``confirm``);
the visitor is told the same whether or not the address was already
signed up, so the form does not tell anyone who is coming. A signed-in
account's own sign-up (``sign_up``) takes effect at once.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from core.api import BABEL_LOCALES, Mail, Site, absolute_url_for, babel_locale, queue_mail, utcnow
from core.api import gettext as _
from plugins.evenemang.models import Event
from plugins.evenemang.registration_models import ACTIVE, Registration, RegistrationSetup, RegState

SALT = "evenemang-avbokning"
CONFIRM_SALT = "evenemang-bekrafta"
#: Hours a pending sign-up's link is valid; then the row is deleted by the daily job.
PENDING_HOURS = 24


@dataclass(frozen=True)
class Places:
    """What a visitor is told: places in all, taken, left, and who waits."""

    places: int
    taken: int
    waiting: int
    waiting_list: bool
    is_open: bool

    @property
    def left(self) -> int:
        return max(0, self.places - self.taken)


def setup_of(db: Session, event_id: int) -> RegistrationSetup | None:
    return db.exec(select(RegistrationSetup).where(RegistrationSetup.event_id == event_id)).first()


def places_of(db: Session, event_id: int) -> Places | None:
    setup = setup_of(db, event_id)
    if setup is None:
        return None
    waiting = db.exec(
        select(func.count(col(Registration.id))).where(
            Registration.event_id == event_id, Registration.state == RegState.WAITING
        )
    ).one()
    return Places(setup.places, setup.taken, int(waiting), setup.waiting_list, setup.is_open)


def sign_up_closed(site: Site, event: Event) -> str:
    """Why nobody can sign up now ("" when they can)."""
    if event.rrule:
        return _("Anmälan går bara att ha till evenemang som inte upprepas.")
    if event.status == "cancelled":
        return _("Evenemanget är inställt, så det går inte att anmäla sig.")
    if event.first_start_utc <= site.clock.now().replace(tzinfo=None):
        return _("Evenemanget har redan börjat, så anmälan är stängd.")
    return ""


# -- the guarded statements -----------------------------------------------------------------------


def _claim(db: Session, event_id: int) -> bool:
    """Take one place if one is free and registration is open: True if taken."""
    result = db.execute(
        update(RegistrationSetup)
        .where(
            col(RegistrationSetup.event_id) == event_id,
            col(RegistrationSetup.is_open).is_(True),
            col(RegistrationSetup.taken) < col(RegistrationSetup.places),
        )
        .values(taken=RegistrationSetup.taken + 1, updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult for an UPDATE


def _release(db: Session, event_id: int) -> None:
    db.execute(
        update(RegistrationSetup)
        .where(col(RegistrationSetup.event_id) == event_id, col(RegistrationSetup.taken) > 0)
        .values(taken=RegistrationSetup.taken - 1, updated_at=utcnow())
    )


def _lock_setup(db: Session, event_id: int) -> bool:
    """Take the setup row's lock, as the transaction's first statement, before
    reading places or the waiting list: a no-op update, which is ``SELECT ...
    FOR UPDATE`` on PostgreSQL and also takes SQLite's write lock (a read
    first would make SQLite refuse the later write when another wrote in
    between). False when the event has no registration."""
    result = db.execute(
        update(RegistrationSetup).where(col(RegistrationSetup.event_id) == event_id).values(updated_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult for an UPDATE


# -- signing up -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignUp:
    """The outcome: ``state`` is confirmed or waiting; ``full`` when no place
    was free and the visitor had not asked for the waiting list (nothing
    stored); ``duplicate`` when that e-mail is already signed up;
    ``expired`` when a confirmation link came too late."""

    state: str = ""
    full: bool = False
    duplicate: bool = False
    closed: bool = False
    expired: bool = False
    position: int = 0


def active_registration(db: Session, event_id: int, email: str) -> Registration | None:
    """The address's confirmed or waiting registration for the event (e-mail compared in lower case)."""
    return db.exec(
        select(Registration).where(
            Registration.event_id == event_id,
            func.lower(col(Registration.email)) == email.lower(),
            col(Registration.state).in_(ACTIVE),
        )
    ).first()


def already_signed_up(db: Session, event_id: int, email: str) -> bool:
    return active_registration(db, event_id, email) is not None


def _place(site: Site, db: Session, event: Event, registration: Registration, waiting_ok: bool) -> SignUp:
    """Give ``registration`` a place, or the waiting list if the visitor said
    yes to it, and queue its mail; the caller holds the setup row's lock.
    Nothing is changed when it is full (``SignUp.full``)."""
    assert event.id is not None
    setup = setup_of(db, event.id)
    if setup is None or not setup.is_open:
        return SignUp(closed=True)
    claimed = _claim(db, event.id)
    if not claimed and not (setup.waiting_list and waiting_ok):
        return SignUp(full=True, closed=not setup.waiting_list)
    registration.state = RegState.CONFIRMED if claimed else RegState.WAITING
    db.add(registration)
    db.flush()  # the partial unique index refuses a second active row for the address here
    position = 0 if claimed else waiting_position(db, registration)
    queue_mail(site, _sign_up_mail(site, event, registration, position), db, origin="evenemang")
    return SignUp(state=registration.state, position=position)


def _place_or_undo(site: Site, db: Session, event: Event, registration: Registration, waiting_ok: bool) -> SignUp:
    """``_place``, undone when nothing was placed (full) or when the database
    refuses a second active row for the address (a duplicate)."""
    try:
        outcome = _place(site, db, event, registration, waiting_ok)
    except IntegrityError:
        db.rollback()
        return SignUp(duplicate=True)
    if not outcome.state:
        db.rollback()
    return outcome


def sign_up(site: Site, event: Event, name: str, email: str, user_id: int | None, waiting_ok: bool) -> SignUp:
    """Sign ``name`` <``email``> up for ``event`` at once (a signed-in
    account's own address): a place if one is free, else the waiting list if
    the visitor said yes to it. The confirmation mail is queued in the same
    transaction. Two identical sign-ups at once: the second is a duplicate."""
    assert event.id is not None
    with site.session() as db:
        if not _lock_setup(db, event.id):
            return SignUp(closed=True)
        if already_signed_up(db, event.id, email):
            return SignUp(duplicate=True)
        registration = Registration(
            event_id=event.id, user_id=user_id, name=name, email=email, key=secrets.token_urlsafe(24)
        )
        return _place_or_undo(site, db, event, registration, waiting_ok)


def request_sign_up(site: Site, event: Event, name: str, email: str, user_id: int | None, waiting_ok: bool) -> None:
    """A sign-up by e-mail: store it ``PENDING`` (no place taken, not on the
    waiting list) and mail the address a link that confirms it. If the
    address is already signed up, mail it that instead (with its
    cancellation link). The visitor is told the same in both cases."""
    assert event.id is not None
    with site.session() as db:
        existing = active_registration(db, event.id, email)
        if existing is not None:
            queue_mail(site, _already_mail(site, event, existing), db, origin="evenemang")
            return
        registration = Registration(
            event_id=event.id,
            user_id=user_id,
            name=name,
            email=email,
            state=RegState.PENDING,
            waiting_ok=waiting_ok,
            key=secrets.token_urlsafe(24),
            created_at=site.clock.now(),  # the link's age is counted on the site's clock
        )
        db.add(registration)
        db.flush()
        queue_mail(site, _confirm_mail(site, event, registration), db, origin="evenemang")


def pending_expired(site: Site, registration: Registration) -> bool:
    created = registration.created_at
    created = created if created.tzinfo is not None else created.replace(tzinfo=UTC)
    return created < site.clock.now() - timedelta(hours=PENDING_HOURS)


def confirm(site: Site, event: Event, registration_id: int, waiting_ok: bool) -> SignUp:
    """Confirm a pending sign-up (its link was followed): a place if one is
    free, else the waiting list if the visitor said yes to it (when signing
    up, or now). Confirming twice is harmless; a second pending sign-up for
    an address that is already signed up is a duplicate."""
    assert event.id is not None
    with site.session() as db:
        if not _lock_setup(db, event.id):
            return SignUp(closed=True)
        registration = db.get(Registration, registration_id)
        if registration is None or registration.erased_at is not None:
            return SignUp(expired=True)
        if registration.state != RegState.PENDING:
            return SignUp(state=registration.state, duplicate=True)
        if pending_expired(site, registration):
            return SignUp(expired=True)
        if already_signed_up(db, event.id, registration.email):
            db.delete(registration)
            return SignUp(duplicate=True)
        registration.confirmed_at = utcnow()
        return _place_or_undo(site, db, event, registration, waiting_ok or registration.waiting_ok)


def waiting_position(db: Session, registration: Registration) -> int:
    ahead = db.exec(
        select(func.count(col(Registration.id))).where(
            Registration.event_id == registration.event_id,
            Registration.state == RegState.WAITING,
            col(Registration.id) < (registration.id or 0),
        )
    ).one()
    return int(ahead) + 1


# -- cancelling -----------------------------------------------------------------------------------


def cancel_token(site: Site, registration: Registration) -> str:
    """The signed half (the row's id) and the random half (its key): a
    forged id fails the signature, a guessed one lacks the key."""
    return URLSafeSerializer(site.secret_key, salt=SALT).dumps([registration.id, registration.key])


def cancel_url(site: Site, registration: Registration) -> str:
    return absolute_url_for(site, "evenemang:registration_cancel", token=cancel_token(site, registration))


def confirm_url(site: Site, registration: Registration) -> str:
    token = URLSafeSerializer(site.secret_key, salt=CONFIRM_SALT).dumps([registration.id, registration.key])
    return absolute_url_for(site, "evenemang:registration_confirm", token=token)


def read_token(site: Site, db: Session, token: str, salt: str = SALT) -> Registration | None:
    """The registration a cancellation link (or, with ``CONFIRM_SALT``, a
    confirmation link) names, or None for a link that is forged, garbled or
    whose registration is gone."""
    try:
        value = URLSafeSerializer(site.secret_key, salt=salt).loads(token[:300])
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)):
        return None
    if not 0 < value[0] < 2**63:
        return None
    registration = db.get(Registration, value[0])
    if registration is None or registration.erased_at is not None or not registration.key:
        return None
    if not hmac.compare_digest(registration.key, value[1]):
        return None
    return registration


def cancel(site: Site, registration_id: int) -> bool:
    """Cancel a registration once: False if it was already cancelled (a
    replayed link). A freed place goes to the first on the waiting list,
    who is told by e-mail. The setup row's lock is taken first, as every
    change of places does (see the module's docstring)."""
    with site.session() as db:
        found = db.get(Registration, registration_id)
        if found is None:
            return False
        event_id = found.event_id
    with site.session() as db:
        _lock_setup(db, event_id)
        now = utcnow()
        was_confirmed = db.execute(
            update(Registration)
            .where(col(Registration.id) == registration_id, col(Registration.state) == RegState.CONFIRMED)
            .values(state=RegState.CANCELLED, cancelled_at=now)
        ).rowcount  # type: ignore[attr-defined]
        was_waiting = (
            0
            if was_confirmed
            else db.execute(
                update(Registration)
                .where(col(Registration.id) == registration_id, col(Registration.state) == RegState.WAITING)
                .values(state=RegState.CANCELLED, cancelled_at=now)
            ).rowcount  # type: ignore[attr-defined]
        )
        if not (was_confirmed or was_waiting):
            return False
        row = db.get(Registration, registration_id)
        assert row is not None
        if was_confirmed:
            _release(db, row.event_id)
            move_up(site, db, row.event_id)
    return True


def release_and_move_up(site: Site, db: Session, event_id: int) -> None:
    """One confirmed place freed in the caller's transaction (an account
    deleted): give it back and move the waiting list up."""
    _lock_setup(db, event_id)
    _release(db, event_id)
    move_up(site, db, event_id)


def move_up(site: Site, db: Session, event_id: int) -> int:
    """Give free places to the waiting list, first come first served, and
    tell each by e-mail; the caller holds the setup row's lock (it changed
    it in this transaction). Returns how many moved up."""
    event = db.get(Event, event_id)
    if event is None or sign_up_closed(site, event):
        return 0
    moved = 0
    while True:
        first = db.exec(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.state == RegState.WAITING)
            .order_by(col(Registration.id))
        ).first()
        if first is None or not _claim(db, event_id):
            return moved
        first.state = RegState.CONFIRMED
        first.moved_up_at = utcnow()
        db.add(first)
        db.flush()
        queue_mail(site, _moved_up_mail(site, event, first), db, origin="evenemang")
        moved += 1


class TooFewPlaces(Exception):
    """Fewer places than people who already have one (someone signed up
    while the organiser was changing the number)."""

    def __init__(self, taken: int) -> None:
        super().__init__(taken)
        self.taken = taken


def configure(site: Site, event_id: int, places: int, waiting_list: bool, is_open: bool) -> int:
    """Create or change an event's registration; more places move the
    waiting list up. Returns how many moved up. Raises ``TooFewPlaces`` when
    ``places`` is below the places taken, checked under the setup row's
    lock (the caller's check may be out of date by then)."""
    with site.session() as db:
        _lock_setup(db, event_id)
        setup = setup_of(db, event_id)
        if setup is None:
            setup = RegistrationSetup(event_id=event_id, places=places)
        elif places < setup.taken:
            raise TooFewPlaces(setup.taken)
        setup.places, setup.waiting_list, setup.is_open = places, waiting_list, is_open
        setup.updated_at = utcnow()
        db.add(setup)
        db.flush()
        return move_up(site, db, event_id) if is_open else 0


# -- the organiser's list and the daily erasure ------------------------------------------------------


def participants(db: Session, event_id: int) -> list[Registration]:
    """Confirmed first, then the waiting list in order, then cancellations
    (a sign-up not yet confirmed by its mailed link is nobody's business)."""
    order = {RegState.CONFIRMED: 0, RegState.WAITING: 1, RegState.CANCELLED: 2}
    rows = db.exec(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.state != RegState.PENDING)
        .order_by(col(Registration.id))
    ).all()
    return sorted(rows, key=lambda r: order.get(RegState(r.state), 3) if r.state in set(RegState) else 3)


def erase_after_event(site: Site, now: datetime, days: int) -> int:
    """Erase the name, e-mail and account of every registration for an event
    that ended more than ``days`` days before ``now``; the row stays, empty,
    for the follow-up report's count. Doing it twice erases nothing more."""
    moment = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo is not None else now
    limit = moment - timedelta(days=days)
    ended = select(Event.id).where(col(Event.last_end_utc) < limit)
    with site.session() as db:
        result = db.execute(
            update(Registration)
            .where(col(Registration.event_id).in_(ended), col(Registration.erased_at).is_(None))
            .values(name="", email="", user_id=None, key="", erased_at=utcnow())
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def delete_expired_pending(site: Site, now: datetime) -> int:
    """Delete the sign-ups whose confirmation link has expired (never
    confirmed: the address may not even be the sender's)."""
    moment = now.astimezone(UTC) if now.tzinfo is not None else now.replace(tzinfo=UTC)
    with site.session() as db:
        result = db.execute(
            delete(Registration).where(
                col(Registration.state) == RegState.PENDING,
                col(Registration.created_at) < moment - timedelta(hours=PENDING_HOURS),
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


# -- mail -------------------------------------------------------------------------------------------
# Mail is written in the site's language, not the visitor's (README, "Languages"): it is read later,
# elsewhere, and a waiting-list mail is set off by someone else's cancellation.


def when_text(site: Site, event: Event, locale: str = "") -> str:
    """ "tisdag 8 december 2026, 18:00–20:00", in the event's own time, in
    the page's language (``locale``: a Babel locale, for mail)."""
    from babel.dates import format_date

    locale = locale or babel_locale(site)
    day = format_date(event.starts_at.date(), "EEEE d MMMM y", locale=locale)
    if event.all_day:
        return day
    end = f"{event.ends_at:%H:%M}"
    if event.ends_at.date() != event.starts_at.date():
        end = f"{format_date(event.ends_at.date(), 'd MMMM', locale=locale)} {end}"
    return f"{day}, {event.starts_at:%H:%M}–{end}"


def _facts(site: Site, event: Event) -> str:
    place = ", ".join(p for p in (event.place_name, event.address, event.municipality) if p)
    lines = [event.title, when_text(site, event, BABEL_LOCALES.get(site.locale, "sv_SE"))]
    if place:
        lines.append(place)
    lines.append(absolute_url_for(site, "evenemang:event", event_id=event.id))
    return "\n".join(lines)


def _cancel_text(site: Site, registration: Registration) -> str:
    return "Kan du inte komma? Avboka här, så går platsen till någon annan:" + "\n" + cancel_url(site, registration)


def _sign_up_mail(site: Site, event: Event, registration: Registration, position: int) -> Mail:
    if registration.state == RegState.CONFIRMED:
        subject = f"Du är anmäld: {event.title}"
        opening = "Du är anmäld till:"
    else:
        subject = f"Du står på väntelistan: {event.title}"
        opening = (
            f"Alla platser är tagna, så du står på väntelistan (plats {position}). "
            "Får du en plats skickar vi ett nytt mejl."
        )
    body = "\n\n".join(
        [
            f"Hej {registration.name}!",
            opening,
            _facts(site, event),
            _cancel_text(site, registration),
            f"Hälsningar\n{site.name}",
        ]
    )
    return Mail(registration.email, subject, body + "\n", site.locale)


def _confirm_mail(site: Site, event: Event, registration: Registration) -> Mail:
    body = "\n\n".join(
        [
            f"Hej {registration.name}!",
            "Någon, förhoppningsvis du, vill anmäla den här adressen till:",
            _facts(site, event),
            f"Bekräfta anmälan med länken nedan inom {PENDING_HOURS} timmar:\n" + confirm_url(site, registration),
            "Har du inte anmält dig? Gör ingenting, så tas uppgifterna bort.",
            f"Hälsningar\n{site.name}",
        ]
    )
    return Mail(registration.email, f"Bekräfta din anmälan: {event.title}", body + "\n", site.locale)


def _already_mail(site: Site, event: Event, registration: Registration) -> Mail:
    where = "har en plats" if registration.state == RegState.CONFIRMED else "står på väntelistan"
    body = "\n\n".join(
        [
            f"Hej {registration.name}!",
            f"Någon försökte anmäla den här adressen igen, men du {where} redan till:",
            _facts(site, event),
            _cancel_text(site, registration),
            f"Hälsningar\n{site.name}",
        ]
    )
    return Mail(registration.email, f"Du är redan anmäld: {event.title}", body + "\n", site.locale)


def _moved_up_mail(site: Site, event: Event, registration: Registration) -> Mail:
    body = "\n\n".join(
        [
            f"Hej {registration.name}!",
            "En plats blev ledig och den är din nu. Du är anmäld till:",
            _facts(site, event),
            _cancel_text(site, registration),
            f"Hälsningar\n{site.name}",
        ]
    )
    subject = f"Du har fått en plats: {event.title}"
    return Mail(registration.email, subject, body + "\n", site.locale)
