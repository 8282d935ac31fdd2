"""How a borrower sees their loans on a phone without a password.

A borrower proves they hold a mobile number in one of two ways:

1. **One-time code.** They type their number; we text a six-digit code,
   valid for ``CODE_MINUTES`` and for ``MAX_ATTEMPTS`` guesses, and keep only
   an HMAC of it (keyed with the site secret). At most ``MAX_CODES_PER_HOUR``
   codes go to one number in an hour, and one client address may ask for at
   most ``MAX_CODES_PER_CLIENT_HOUR`` (so the form cannot be used to text
   strangers in bulk). The answer is the same whether or not
   the number belongs to a borrower, so the form tells nobody who borrows.
2. **Signed link.** Reminders carry a link signed with the site secret
   (itsdangerous) that names the number and expires after ``LINK_DAYS``
   days. Whoever can read the text message could also receive a code, so the
   link gives nothing more than the code would.

Either way the session (a signed, HttpOnly cookie) then holds the verified
number for ``SESSION_HOURS``; the pages show every borrower that number
speaks for (the borrower's own, and children whose guardian it is).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.requests import Request

from core.api import Site
from plugins.fritidsbanken import messages
from plugins.fritidsbanken.models import AccessCode

CODE_MINUTES = 15
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 3
MAX_CODES_PER_CLIENT_HOUR = 10
LINK_DAYS = 30
SESSION_HOURS = 24 * 7
SESSION_KEY = "fritidsbanken_phone"
SESSION_UNTIL = "fritidsbanken_phone_until"


def _hash(site: Site, number: str, code: str) -> str:
    return hmac.new(site.secret_key.encode(), f"{number}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(db: Session, site: Site, number: str, client: str = "", now: datetime | None = None) -> bool:
    """Text a new code to ``number`` unless it, or the asking ``client``
    address, had too many lately. Returns whether one was sent (the page says
    the same either way)."""
    now = now or site.clock.now()
    hour_ago = col(AccessCode.created_at) > now - timedelta(hours=1)
    to_number = db.exec(select(func.count()).select_from(AccessCode).where(AccessCode.mobile == number, hour_ago)).one()
    from_client = (
        db.exec(select(func.count()).select_from(AccessCode).where(AccessCode.client == client, hour_ago)).one()
        if client
        else 0
    )
    if to_number >= MAX_CODES_PER_HOUR or from_client >= MAX_CODES_PER_CLIENT_HOUR:
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    db.add(
        AccessCode(
            mobile=number,
            client=client[:64],
            code_hash=_hash(site, number, code),
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
        )
    )
    title = site.plugin_settings("fritidsbanken").title
    # In the site's language like every message (see ``messages``), whatever the page's.
    messages.send_to_number(
        db,
        site,
        number,
        "code",
        f"{title}: din kod",
        f"Din kod till {title} är {code}. Den gäller i {CODE_MINUTES} minuter. Har du inte bett om en kod kan du "
        "strunta i det här meddelandet.",
    )
    return True


def check_code(db: Session, site: Site, number: str, code: str, now: datetime | None = None) -> bool:
    """True once for the right code of the newest live code row."""
    now = now or site.clock.now()
    row = db.exec(
        select(AccessCode)
        .where(AccessCode.mobile == number, AccessCode.used == False)  # noqa: E712
        .order_by(col(AccessCode.created_at).desc())
    ).first()
    if row is None or _aware(row.expires_at) < now or row.attempts >= MAX_ATTEMPTS:
        return False
    row.attempts += 1
    ok = hmac.compare_digest(row.code_hash, _hash(site, number, code.strip().replace(" ", "")))
    if ok:
        row.used = True
    db.add(row)
    return ok


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _serializer(site: Site) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(site.secret_key, salt="paraply-fritidsbanken-phone-link")


def link_token(site: Site, number: str) -> str:
    return _serializer(site).dumps({"m": number})


def number_from_token(site: Site, token: str) -> str | None:
    try:
        data = _serializer(site).loads(token, max_age=LINK_DAYS * 24 * 3600)
    except BadSignature:
        return None
    number = data.get("m") if isinstance(data, dict) else None
    return number if isinstance(number, str) else None


def log_in(request: Request, number: str) -> None:
    request.session[SESSION_KEY] = number
    request.session[SESSION_UNTIL] = int(time.time()) + SESSION_HOURS * 3600


def log_out(request: Request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_UNTIL, None)


def verified_number(request: Request) -> str | None:
    """The mobile number this browser proved it holds, if still valid."""
    number = request.session.get(SESSION_KEY)
    until = request.session.get(SESSION_UNTIL, 0)
    if not isinstance(number, str) or not isinstance(until, int) or until < time.time():
        return None
    return number
