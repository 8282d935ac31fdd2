"""Who is who in Fritidsbanken.

Staff are site accounts: site admins, and accounts linked to a branch in
``fritidsbanken_staff`` (admins are staff at every branch). Borrowers have no
account: they prove they hold a mobile number, either with a one-time code
sent to it or with a signed link in a message sent to it (see ``phone_login``).
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select
from starlette.requests import Request

from core.api import N_, Forbidden, User, require_user
from core.api import gettext as _
from plugins.fritidsbanken.models import Branch, Staff

NOT_STAFF = N_(
    "Den här sidan är för personalen på Fritidsbanken. Be webbplatsens administratör att koppla ditt konto "
    "till ett utlåningsställe."
)


def staff_branch_ids(db: Session, user: User | None) -> set[int]:
    """The branches a user works at; every branch for an admin."""
    if user is None or not user.is_active:
        return set()
    if user.is_admin:
        return {b for b in db.exec(select(Branch.id)).all() if b is not None}
    return set(db.exec(select(Staff.branch_id).where(Staff.user_id == user.id)).all())


def is_staff(db: Session, user: User | None) -> bool:
    if user is None or not user.is_active:
        return False
    return user.is_admin or db.exec(select(Staff.id).where(Staff.user_id == user.id)).first() is not None


#: Where a request keeps what ``staff_branches`` read: (account id, branches).
_BRANCHES = "fritidsbanken_staff_branches"
#: Built once (each desk request asks; see ``lending._RESERVATIONS``).
_ALL_BRANCHES = select(Branch).order_by(col(Branch.name), col(Branch.id))
_OWN_BRANCHES = _ALL_BRANCHES.join(Staff, col(Staff.branch_id) == col(Branch.id)).where(
    col(Staff.user_id) == bindparam("user_id")
)


def staff_branches(request: Request, db: Session, user: User) -> list[Branch]:
    """The branches a user works at by name (every branch for an admin),
    read once per request: the desk's views, its branch chooser and the
    menu all ask, and the desk answers a queue of children."""
    kept = getattr(request.state, _BRANCHES, None)
    if kept is not None and kept[0] == user.id:
        return list(kept[1])
    branches: list[Branch] = []
    if user.is_active:
        if user.is_admin:
            branches = list(db.exec(_ALL_BRANCHES).all())
        else:
            branches = list(db.exec(_OWN_BRANCHES, params={"user_id": user.id}).all())
    setattr(request.state, _BRANCHES, (user.id, branches))
    return list(branches)


def known_staff(request: Request, user: User) -> bool | None:
    """Whether ``user`` is staff, if this request has read their branches
    already (``staff_branches``); None if not."""
    if user.is_admin and user.is_active:
        return True
    kept = getattr(request.state, _BRANCHES, None)
    return bool(kept[1]) if kept is not None and kept[0] == user.id else None


def require_staff(request: Request, db: Session) -> User:
    """A logged-in admin or branch staff member, or LoginRequired / Forbidden.
    A staff member's branches are read here (``staff_branches``), for the
    view and the menu to use."""
    user = require_user(request)
    if not user.is_active or not (user.is_admin or staff_branches(request, db, user)):
        raise Forbidden(_(NOT_STAFF))
    return user


def require_branch_staff(request: Request, db: Session, branch_id: int) -> User:
    """Staff of this particular branch (or an admin)."""
    user = require_staff(request, db)
    if branch_id not in staff_branch_ids(db, user):
        raise Forbidden(
            _("Du arbetar inte på det utlåningsstället. Välj ditt eget ställe, eller be administratören om behörighet.")
        )
    return user
