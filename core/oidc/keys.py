"""The network provider's signing keys: made, rotated, published.

One key is active and signs every ID token; its ``kid`` travels in the
token's header so a peer picks the right key from the JWKS. Rotation
(``paraply oidc-rotate-keys``, or the daily job once the active key is
``key_days`` old) makes a new active key and retires the old one, which stays
in the JWKS for ``retired_key_days`` so tokens it signed still verify, and is
then deleted.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from joserfc.jwk import ECKey, KeyParameters, RSAKey
from sqlmodel import Session, col, select

from core.oidc.models import OidcKey

if TYPE_CHECKING:
    from core.site import Site

Key = RSAKey | ECKey


def _generate(algorithm: str) -> Key:
    params: KeyParameters = {"kid": secrets.token_urlsafe(12), "use": "sig", "alg": algorithm}
    if algorithm == "ES256":
        return ECKey.generate_key("P-256", parameters=params)
    return RSAKey.generate_key(2048, parameters=params)


def load_key(row: OidcKey) -> Key:
    data = json.loads(row.private_jwk)
    return ECKey.import_key(data) if data.get("kty") == "EC" else RSAKey.import_key(data)


def rotate(db: Session, algorithm: str, now: datetime) -> OidcKey:
    """A new active key; the active one (if any) is retired. Caller commits."""
    for old in db.exec(select(OidcKey).where(col(OidcKey.retired_at).is_(None))).all():
        old.retired_at = now
        db.add(old)
    key = _generate(algorithm)
    row = OidcKey(
        kid=str(key.kid), algorithm=algorithm, private_jwk=json.dumps(key.as_dict(private=True)), created_at=now
    )
    db.add(row)
    db.flush()
    return row


def active_key(db: Session, algorithm: str, now: datetime) -> OidcKey:
    """The key that signs now (made on first use), of the configured algorithm:
    a site that switches algorithm gets a new key at once."""
    row = db.exec(select(OidcKey).where(col(OidcKey.retired_at).is_(None))).first()
    if row is None or row.algorithm != algorithm:
        row = rotate(db, algorithm, now)
        db.commit()
    return row


def published(db: Session, retired_days: int, now: datetime) -> list[dict[str, Any]]:
    """The public keys of the JWKS: the active key and those retired within
    ``retired_days``."""
    since = now - timedelta(days=retired_days)
    rows = db.exec(select(OidcKey).where(col(OidcKey.retired_at).is_(None) | (col(OidcKey.retired_at) >= since))).all()
    keys = []
    for row in sorted(rows, key=lambda r: r.created_at, reverse=True):
        public = load_key(row).as_dict(private=False)
        public.setdefault("use", "sig")
        public.setdefault("alg", row.algorithm)
        keys.append(public)
    return keys


def daily(db: Session, algorithm: str, key_days: int, retired_days: int, now: datetime) -> str:
    """Rotate the active key when it is ``key_days`` old; delete keys retired
    longer ago than ``retired_days``. Returns what it did, in Swedish."""
    done = []
    row = db.exec(select(OidcKey).where(col(OidcKey.retired_at).is_(None))).first()
    if row is not None and now - row.created_at >= timedelta(days=key_days):
        rotate(db, algorithm, now)
        done.append("ny signeringsnyckel")
    old = db.exec(select(OidcKey).where(col(OidcKey.retired_at) < now - timedelta(days=retired_days))).all()
    for gone in old:
        db.delete(gone)
    if old:
        done.append(f"{len(old)} gamla nycklar borttagna")
    db.commit()
    return ", ".join(done) or "inget att göra"


def rotate_job(site: Site, now: datetime) -> str:
    """The daily job: rotate and prune keys as the site's ``[auth.provider]``
    says, and delete codes nobody exchanged (they are dead after minutes)."""
    from sqlmodel import delete

    from core.oidc.models import OidcCode

    settings = site.config.auth.provider
    with site.session() as db:
        db.exec(delete(OidcCode).where(col(OidcCode.created_at) < now - timedelta(hours=1)))
        return daily(db, settings.algorithm, settings.key_days, settings.retired_key_days, now)
