"""Borrowers: finding them at the counter, and deleting their personal data
when they have not borrowed for ``delete_after_months`` (24) months.

Only what lending needs is kept: a name, a mobile number, a birth year (to
tell minors apart and count age groups), an optional e-mail for reminders,
and for minors a guardian's name, number and consent.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from core.api import Site, words
from plugins.fritidsbanken.models import AccessCode, Borrower, Message
from plugins.fritidsbanken.phones import maybe_normalise

PLUGIN = "fritidsbanken"
FIND_LIMIT = 20


def new_tag() -> str:
    return secrets.token_hex(8)


def find(db: Session, query: str) -> list[Borrower]:
    """By mobile number (the borrower's or the guardian's; exact and indexed,
    the fast path at the counter), by a number's last digits, or by name."""
    query = query.strip()
    if not query:
        return []
    number = maybe_normalise(query)
    if number:
        statement = select(Borrower).where(or_(Borrower.mobile == number, Borrower.guardian_mobile == number))
    elif query.isdigit() and 4 <= len(query) < 8:
        statement = select(Borrower).where(
            or_(col(Borrower.mobile).endswith(query), col(Borrower.guardian_mobile).endswith(query))
        )
    else:
        terms = words(query)
        if not terms:
            return []
        statement = select(Borrower)
        for term in terms[:4]:
            # SQLite folds case for ASCII only: try the spellings a name has ("åsa", "Åsa", "ÅSA").
            spellings = {term, term.capitalize(), term.upper()}
            statement = statement.where(or_(*(col(Borrower.name).ilike(f"%{v}%") for v in spellings)))
    return list(db.exec(statement.order_by(col(Borrower.name)).limit(FIND_LIMIT)).all())


def for_phone(db: Session, number: str) -> list[Borrower]:
    """Everyone a verified mobile number speaks for: the borrower who owns it,
    and children whose guardian it is."""
    return list(
        db.exec(
            select(Borrower)
            .where(or_(Borrower.mobile == number, Borrower.guardian_mobile == number))
            .order_by(col(Borrower.birth_year), col(Borrower.name))
        ).all()
    )


def months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 - months, 12)
    target_year, target_month = moment.year + year, month + 1
    day = min(moment.day, 28)
    return moment.replace(year=target_year, month=target_month, day=day)


def deletion_due(site: Site, borrower: Borrower) -> date:
    """The day this borrower's data will be deleted unless they borrow again."""
    months = site.plugin_settings(PLUGIN).delete_after_months
    last = borrower.last_active_at
    year, month = divmod(last.month - 1 + months, 12)
    return last.replace(year=last.year + year, month=month + 1, day=min(last.day, 28)).date()


def purge(db: Session, site: Site, now: datetime | None = None) -> dict[str, int]:
    """Delete borrowers inactive for ``delete_after_months``, old messages and
    spent one-time codes. Loans stay, with only their anonymous tag and age
    group (the database sets their borrower to NULL); reservations go with
    the borrower."""
    now = now or site.clock.now()
    settings = site.plugin_settings(PLUGIN)
    cutoff = months_before(now, settings.delete_after_months)
    stale = list(db.exec(select(Borrower.id).where(col(Borrower.last_active_at) < cutoff)).all())
    if stale:
        db.execute(delete(Message).where(col(Message.borrower_id).in_(stale)))
        db.execute(delete(Borrower).where(col(Borrower.id).in_(stale)))
    old = db.execute(
        delete(Message).where(col(Message.created_at) < now - timedelta(days=settings.message_retention_days))
    )
    codes = db.execute(delete(AccessCode).where(col(AccessCode.created_at) < now - timedelta(days=1)))
    return {
        "borrowers": len(stale),
        "messages": int(old.rowcount or 0),  # type: ignore[attr-defined]
        "codes": int(codes.rowcount or 0),  # type: ignore[attr-defined]
    }
