"""What Fritidsbanken holds about a staff account (core's ``own_data`` and
``forget_user`` hooks): the branches it works at and the loans it handed
out (by id and date: the borrower is someone else). When the account is
deleted the staff links go; the loans stay for the statistics, without it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, select, update

from core.api import User
from plugins.fritidsbanken.models import Branch, Loan, Staff


def data_of(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    branches = session.exec(
        select(Branch).join(Staff, col(Staff.branch_id) == col(Branch.id)).where(Staff.user_id == user.id)
    ).all()
    loans = session.exec(select(Loan).where(Loan.lent_by == user.id).order_by(col(Loan.out_at))).all()
    return {
        "personal_pa": [{"id": b.id, "utlamningsstalle": b.name} for b in branches],
        "utlanade": [{"lan_id": loan.id, "utlanat": loan.out_at, "ater_senast": loan.due_on} for loan in loans],
    }


def forget(session: Session, user: User) -> None:
    session.exec(delete(Staff).where(col(Staff.user_id) == user.id))
    session.exec(update(Loan).where(col(Loan.lent_by) == user.id).values(lent_by=None))
