"""Reminders, and the daily job that sends them.

Once a day (the site's daily jobs, core.daily, or ``paraply fritidsbanken daily``):
held reservations not collected in time pass to the next in the queue;
"due soon" reminders go out ``remind_days_before`` days before the due day;
overdue reminders go out the day after the due day and then every
``overdue_every_days`` days, at most ``max_overdue_reminders`` times; and
personal data past its deletion date is deleted. Each borrower gets one
message listing all their loans in question. Never a word about fees: there
are none.

Running the job twice on one day sends nothing twice: each loan records when
it was reminded.

Reminders and the job's report are in the site's language (Swedish): they
go to phones and to the operator's terminal, not to a page with a language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from core.api import (
    Site,
    absolute_url_for,
)
from plugins.fritidsbanken import borrowers, lending, messages, phone_login
from plugins.fritidsbanken.models import Borrower, Branch, Item, Loan

PLUGIN = "fritidsbanken"


@dataclass
class DailyReport:
    due_soon: int = 0
    overdue: int = 0
    expired_holds: int = 0
    deleted_borrowers: int = 0
    deleted_messages: int = 0

    def lines(self) -> list[str]:
        return [
            f"Påminnelser om snart återlämning: {self.due_soon}",
            f"Påminnelser om försenade lån: {self.overdue}",
            f"Reservationer som inte hämtades i tid: {self.expired_holds}",
            f"Låntagare vars uppgifter raderades: {self.deleted_borrowers}",
            f"Gamla meddelanden som raderades: {self.deleted_messages}",
        ]


def _group(rows: list[tuple[Loan, Item, Borrower]]) -> dict[int, list[tuple[Loan, Item, Borrower]]]:
    grouped: dict[int, list[tuple[Loan, Item, Borrower]]] = defaultdict(list)
    for row in rows:
        assert row[2].id is not None
        grouped[row[2].id].append(row)
    return grouped


def _link(site: Site, borrower: Borrower) -> str:
    token = phone_login.link_token(site, borrower.contact_mobile)
    return absolute_url_for(site, "fritidsbanken:link_login", token=token)


def _things(rows: list[tuple[Loan, Item, Borrower]]) -> str:
    return ", ".join(f"{item.name} ({item.number})" for _, item, _ in rows)


def send_due_soon(db: Session, site: Site, today: date, now: datetime) -> int:
    settings = site.plugin_settings(PLUGIN)
    horizon = today + timedelta(days=settings.remind_days_before)
    rows = db.exec(
        select(Loan, Item, Borrower)
        .join(Item, col(Item.id) == col(Loan.item_id))
        .join(Borrower, col(Borrower.id) == col(Loan.borrower_id))
        .where(
            col(Loan.returned_at).is_(None),
            col(Loan.due_on) >= today,
            col(Loan.due_on) <= horizon,
            col(Loan.due_reminder_at).is_(None),
        )
        .order_by(col(Loan.due_on))
    ).all()
    sent = 0
    branches = {b.id: b.name for b in db.exec(select(Branch)).all()}
    for group in _group(list(rows)).values():
        borrower = group[0][2]
        due = min(loan.due_on for loan, _, _ in group)
        where = branches.get(group[0][0].branch_id, settings.title)
        body = (
            f"{messages.greeting(borrower)} Påminnelse från {settings.title}: {_things(group)} ska lämnas tillbaka "
            f"senast {due.isoformat()} till {where}. Se dina lån eller förläng: {_link(site, borrower)}"
        )
        if messages.send_to_borrower(
            db, site, borrower, "due_soon", f"{settings.title}: påminnelse", body, group[0][0].id
        ):
            sent += 1
        for loan, _, _ in group:
            loan.due_reminder_at = now
            db.add(loan)
    return sent


def send_overdue(db: Session, site: Site, today: date, now: datetime) -> int:
    settings = site.plugin_settings(PLUGIN)
    if settings.max_overdue_reminders == 0:
        return 0
    again_before = now - timedelta(days=settings.overdue_every_days) + timedelta(hours=1)
    rows = db.exec(
        select(Loan, Item, Borrower)
        .join(Item, col(Item.id) == col(Loan.item_id))
        .join(Borrower, col(Borrower.id) == col(Loan.borrower_id))
        .where(
            col(Loan.returned_at).is_(None),
            col(Loan.due_on) < today,
            col(Loan.overdue_reminders) < settings.max_overdue_reminders,
        )
        .order_by(col(Loan.due_on))
    ).all()
    due_rows = [r for r in rows if r[0].overdue_reminder_at is None or _aware(r[0].overdue_reminder_at) <= again_before]
    sent = 0
    for group in _group(due_rows).values():
        borrower = group[0][2]
        due = min(loan.due_on for loan, _, _ in group)
        body = (
            f"{messages.greeting(borrower)} {_things(group)} från {settings.title} skulle ha lämnats tillbaka "
            f"{due.isoformat()}. Lämna tillbaka när du kan, så kan någon annan låna. Det kostar ingenting. "
            f"Se dina lån: {_link(site, borrower)}"
        )
        if messages.send_to_borrower(
            db, site, borrower, "overdue", f"{settings.title}: försenat lån", body, group[0][0].id
        ):
            sent += 1
        for loan, _, _ in group:
            loan.overdue_reminders += 1
            loan.overdue_reminder_at = now
            db.add(loan)
    return sent


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def run_daily(site: Site, now: datetime | None = None) -> DailyReport:
    """The daily job, as of ``now`` (the clock's now by default)."""
    now = now or site.clock.now()
    today = site.clock.local_date(now)
    report = DailyReport()
    with site.session() as db:
        report.expired_holds = lending.expire_holds(db, site, today)
        report.due_soon = send_due_soon(db, site, today, now)
        report.overdue = send_overdue(db, site, today, now)
        purged = borrowers.purge(db, site, now)
        report.deleted_borrowers = purged["borrowers"]
        report.deleted_messages = purged["messages"]
        db.commit()
    return report
