"""Each person's own data (GDPR articles 15, 17 and 20).

``export`` gathers everything the site holds about an account, from core
and from every plugin through the ``own_data`` hook, into a zip of JSON and
CSV files (machine-readable, for moving elsewhere, and readable in a
spreadsheet). ``forget`` deletes the account: each plugin first deletes or
anonymises its share (``forget_user``: content written for an association
stays with it, without the author), then core deletes the account with its
sessions, links, failed logins and the mail sent to it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from core.models import AccountToken, LoginFailure, LoginSession, OutboxMessage, Role, User
from core.plugins import CORE, call_each
from core.site import Site

Tables = dict[str, list[dict[str, Any]]]


def core_data(session: Session, user: User) -> Tables:
    """Core's share: the account, its sessions and the account links sent."""
    assert user.id is not None
    account = {
        "id": user.id,
        "namn": user.name,
        "e-post": user.email,
        "roll": user.role,
        "aktivt": user.is_active,
        "skapat": user.created_at,
        "senast_inloggad": user.last_login_at,
        "språk": user.locale,
    }
    sessions = [
        {
            "påbörjad": row.created_at,
            "senast_använd": row.last_seen_at,
            "upphör": row.expires_at,
            "webbläsare": row.browser,
            "system": row.platform,
            "nätverk": row.network,
        }
        for row in session.exec(select(LoginSession).where(LoginSession.user_id == user.id)).all()
    ]
    links = [
        {"syfte": row.purpose, "skapad": row.created_at, "upphör": row.expires_at, "använd": row.used_at}
        for row in session.exec(select(AccountToken).where(AccountToken.user_id == user.id)).all()
    ]
    mail = [
        {"ämne": row.subject, "köad": row.created_at, "skickad": row.sent_at}
        for row in session.exec(select(OutboxMessage).where(OutboxMessage.to_address == user.email)).all()
    ]
    return {"konto": [account], "inloggningar": sessions, "kontolankar": links, "e-post": mail}


def gather(site: Site, session: Session, user: User) -> dict[str, Tables]:
    """Everything, by owner: core first, then each plugin in site order."""
    found: dict[str, Tables] = {CORE: core_data(session, user)}
    for plugin, tables in call_each(site.pm, "own_data", site=site, session=session, user=user):
        if plugin != CORE and tables:
            found[plugin] = dict(tables)
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def export(site: Site, session: Session, user: User) -> bytes:
    """The zip: ``uppgifter.json`` with all of it, one CSV per table
    (``<owner>-<table>.csv``, UTF-8 with a BOM so spreadsheets read åäö)
    and a short README."""
    found = gather(site, session, user)
    plain = {
        owner: {table: [{k: _plain(v) for k, v in row.items()} for row in rows] for table, rows in tables.items()}
        for owner, tables in found.items()
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("uppgifter.json", json.dumps(plain, ensure_ascii=False, indent=2))
        for owner, tables in plain.items():
            for table, rows in tables.items():
                out = io.StringIO()
                columns = list(dict.fromkeys(key for row in rows for key in row))
                writer = csv.DictWriter(out, fieldnames=columns)
                writer.writeheader()
                writer.writerows(rows)
                archive.writestr(f"{owner}-{table}.csv", "\ufeff" + out.getvalue())
        archive.writestr(
            "LASMIG.txt",
            f"Uppgifter om {user.name} <{user.email}> på {site.name} ({site.base_url}), "
            f"hämtade {site.clock.now().isoformat()}.\nuppgifter.json har allt; varje tabell finns också som CSV.\n",
        )
    return buffer.getvalue()


def is_last_admin(session: Session, user: User) -> bool:
    if user.role != Role.ADMIN or not user.is_active:
        return False
    admins = session.exec(select(User).where(User.role == Role.ADMIN, col(User.is_active).is_(True))).all()
    return len(admins) <= 1


def forget(site: Site, session: Session, user: User) -> None:
    """Delete the account (see the module docstring). Caller commits."""
    assert user.id is not None
    site.pm.hook.forget_user(site=site, session=session, user=user)
    from core.oidc.models import OidcCode, OidcIdentity  # core's own tables, kept beside core.oidc

    session.exec(delete(OidcIdentity).where(col(OidcIdentity.user_id) == user.id))
    session.exec(delete(OidcCode).where(col(OidcCode.user_id) == user.id))
    session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user.id))
    session.exec(delete(AccountToken).where(col(AccountToken.user_id) == user.id))
    session.exec(delete(LoginFailure).where(col(LoginFailure.email) == user.email))
    session.exec(delete(OutboxMessage).where(col(OutboxMessage.to_address) == user.email))
    session.delete(user)
    session.flush()
