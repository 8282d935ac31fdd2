"""Fritidsbanken's tables, all prefixed ``fritidsbanken_``.

Borrowers are not site accounts: they are people at the counter, known by a
name and a mobile number (and, for minors, a guardian), who never get a
password. Staff are site accounts linked to a branch in ``fritidsbanken_staff``;
no core table is altered.

Personal data: a borrower row is deleted 24 months after the borrower's last
activity (``last_active_at``). Loans keep only an anonymous tag and an age
group, so statistics survive the deletion without pointing at a person.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.api import N_, utcnow


class ItemStatus(StrEnum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    RESERVED = "reserved"  # held at the counter for the first in the queue
    REPAIR = "repair"
    RETIRED = "retired"


#: Swedish msgids, translated where shown (``web.render``'s ``status_label``).
STATUS_LABELS: dict[str, str] = {
    ItemStatus.AVAILABLE: N_("Tillgänglig"),
    ItemStatus.ON_LOAN: N_("Utlånad"),
    ItemStatus.RESERVED: N_("Reserverad"),
    ItemStatus.REPAIR: N_("På reparation"),
    ItemStatus.RETIRED: N_("Utrangerad"),
}


class Condition(StrEnum):
    NEW = "new"
    GOOD = "good"
    FAIR = "fair"
    WORN = "worn"


CONDITION_LABELS: dict[str, str] = {
    Condition.NEW: N_("Som ny"),
    Condition.GOOD: N_("Bra"),
    Condition.FAIR: N_("Godtagbar"),
    Condition.WORN: N_("Sliten men hel"),
}


class ReservationStatus(StrEnum):
    WAITING = "waiting"  # in the queue; the item is out or held for someone else
    READY = "ready"  # the item is held at the counter for this borrower
    FULFILLED = "fulfilled"  # the borrower collected it
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # not collected in time


class Branch(SQLModel, table=True):
    """A Fritidsbank location. A site may run several."""

    __tablename__ = "fritidsbanken_branch"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    info: str = Field(default="", max_length=1000)  # e.g. "Ingång från parkeringen"
    created_at: datetime = Field(default_factory=utcnow)


class OpeningHours(SQLModel, table=True):
    """One opening period of a branch on a weekday (0 = Monday)."""

    __tablename__ = "fritidsbanken_opening_hours"

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="fritidsbanken_branch.id", index=True, ondelete="CASCADE")
    weekday: int = Field(ge=0, le=6)
    opens: str = Field(max_length=5)  # "HH:MM"
    closes: str = Field(max_length=5)


class Staff(SQLModel, table=True):
    """A site account that works at a branch's counter."""

    __tablename__ = "fritidsbanken_staff"
    __table_args__ = (UniqueConstraint("branch_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="fritidsbanken_branch.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="core_user.id", index=True, ondelete="CASCADE")


class Item(SQLModel, table=True):
    """One physical thing with its own ID number (every item is a unit of one)."""

    __tablename__ = "fritidsbanken_item"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True, index=True)  # the ID number on the label
    name: str = Field(max_length=120)
    category: str = Field(max_length=60, index=True)
    size: str = Field(default="", max_length=40)  # "38", "150 cm", "6–8 år"
    condition: str = Field(default=Condition.GOOD, max_length=16)
    description: str = Field(default="", max_length=1000)
    photo: str = Field(default="", max_length=200)  # file under uploads/
    donor: str = Field(default="", max_length=120)  # shown to staff only
    status: str = Field(default=ItemStatus.AVAILABLE, max_length=16, index=True)
    branch_id: int = Field(foreign_key="fritidsbanken_branch.id", index=True)
    needs_consent: bool = Field(default=False)  # minors need a guardian's consent
    repair_note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    search_text: str = Field(default="")


class Borrower(SQLModel, table=True):
    """A person who borrows. Not a site account: no password, no e-mail needed."""

    __tablename__ = "fritidsbanken_borrower"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    # Mobile numbers are stored normalised (+46701234567) so a search by number
    # is an exact, indexed match. A child may have none: the guardian's is used.
    mobile: str = Field(default="", max_length=20, index=True)
    email: str = Field(default="", max_length=254)  # optional, for e-mail reminders
    birth_year: int | None = None  # tells minors apart and gives the age group
    guardian_name: str = Field(default="", max_length=120)
    guardian_mobile: str = Field(default="", max_length=20, index=True)
    guardian_consent: bool = Field(default=False)
    consent_recorded_at: datetime | None = None
    registered_online: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    # Registration, check-out or return; the deletion clock starts here.
    last_active_at: datetime = Field(default_factory=utcnow, index=True)
    # Random, copied to loans: counts unique borrowers without naming anyone.
    tag: str = Field(max_length=32)

    def age(self, today: date) -> int | None:
        return None if self.birth_year is None else today.year - self.birth_year

    def is_minor(self, today: date) -> bool:
        age = self.age(today)
        return age is not None and age < 18

    @property
    def contact_mobile(self) -> str:
        """Where text messages go: a child's guardian if the child has no number."""
        return self.mobile or self.guardian_mobile


class Loan(SQLModel, table=True):
    __tablename__ = "fritidsbanken_loan"
    __table_args__ = (
        # At most one open loan per item; also the check-in lookup.
        Index(
            "ix_fritidsbanken_loan_open_item",
            "item_id",
            unique=True,
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
        # Reminders walk open loans by due date.
        Index(
            "ix_fritidsbanken_loan_open_due",
            "due_on",
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
        # A borrower's open loans (partial, so counting all open loans reads
        # only those) and all their loans (the history count).
        Index(
            "ix_fritidsbanken_loan_borrower_open",
            "borrower_id",
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
        Index("ix_fritidsbanken_loan_borrower", "borrower_id"),
        Index("ix_fritidsbanken_loan_item_out", "item_id", "out_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="fritidsbanken_item.id", ondelete="CASCADE")
    # Set to NULL when the borrower's data is deleted; the loan stays for statistics.
    borrower_id: int | None = Field(default=None, foreign_key="fritidsbanken_borrower.id", ondelete="SET NULL")
    borrower_tag: str = Field(max_length=32)
    age_group: str = Field(default="", max_length=16)
    branch_id: int = Field(foreign_key="fritidsbanken_branch.id", index=True)
    out_at: datetime = Field(default_factory=utcnow, index=True)
    due_on: date
    returned_at: datetime | None = None
    returned_branch_id: int | None = Field(default=None, foreign_key="fritidsbanken_branch.id")
    extensions: int = Field(default=0)
    lent_by: int | None = Field(default=None, foreign_key="core_user.id", ondelete="SET NULL")
    due_reminder_at: datetime | None = None
    overdue_reminders: int = Field(default=0)
    overdue_reminder_at: datetime | None = None


class Reservation(SQLModel, table=True):
    """A borrower's wish to collect an item on a day; a queue per item."""

    __tablename__ = "fritidsbanken_reservation"
    __table_args__ = (Index("ix_fritidsbanken_reservation_queue", "item_id", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="fritidsbanken_item.id", ondelete="CASCADE")
    borrower_id: int = Field(foreign_key="fritidsbanken_borrower.id", index=True, ondelete="CASCADE")
    pickup_on: date  # the day the borrower wants to collect it
    status: str = Field(default=ReservationStatus.WAITING, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    ready_on: date | None = None
    hold_until: date | None = None  # collect by this day, or the next in the queue gets it
    closed_at: datetime | None = None


class Message(SQLModel, table=True):
    """A text message or e-mail sent to a borrower: the counter can see that a
    reminder went out. Deleted after ``message_retention_days``."""

    __tablename__ = "fritidsbanken_message"

    id: int | None = Field(default=None, primary_key=True)
    borrower_id: int | None = Field(
        default=None, foreign_key="fritidsbanken_borrower.id", index=True, ondelete="CASCADE"
    )
    loan_id: int | None = Field(default=None, foreign_key="fritidsbanken_loan.id", ondelete="SET NULL")
    kind: str = Field(max_length=20)  # due_soon, overdue, ready, code
    channel: str = Field(max_length=8)  # sms, email
    recipient: str = Field(max_length=254)
    body: str = Field(default="", max_length=2000)
    ok: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class AccessCode(SQLModel, table=True):
    """A one-time code sent by text message so a borrower can see their loans
    on a phone. Only a hash is kept; rows live minutes."""

    __tablename__ = "fritidsbanken_access_code"

    id: int | None = Field(default=None, primary_key=True)
    mobile: str = Field(max_length=20, index=True)
    # The requesting client's address: limits how many numbers one client can text.
    client: str = Field(default="", max_length=64, index=True)
    code_hash: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    expires_at: datetime
    attempts: int = Field(default=0)
    used: bool = Field(default=False)
