"""The tables of OpenID Connect. Core tables (``core_`` prefix), registered
with core's models so that core's migrations cover them.

- ``OidcIdentity``: which outside account (issuer + subject) is which of our
  users; made when a person first signs in through a provider.
- ``OidcCode``: an authorization code this site issued as a provider, good
  for one exchange within minutes; used or stale rows are deleted.
- ``OidcKey``: the provider's signing keys. One is active; replaced ones stay
  published for a while so that tokens they signed still verify.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import utcnow


class OidcIdentity(SQLModel, table=True):
    __tablename__ = "core_oidc_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_core_oidc_identity_issuer_subject"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", index=True)
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime = Field(default_factory=utcnow)


class OidcCode(SQLModel, table=True):
    __tablename__ = "core_oidc_code"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=120, unique=True)
    client_id: str = Field(max_length=80)
    user_id: int = Field(foreign_key="core_user.id", index=True)
    redirect_uri: str = Field(max_length=500)
    scope: str = Field(max_length=300)
    nonce: str = Field(default="", max_length=255)
    code_challenge: str = Field(max_length=128)
    code_challenge_method: str = Field(max_length=10)
    auth_time: int
    created_at: datetime = Field(default_factory=utcnow, index=True)


class OidcKey(SQLModel, table=True):
    __tablename__ = "core_oidc_key"

    id: int | None = Field(default=None, primary_key=True)
    kid: str = Field(max_length=64, unique=True)
    algorithm: str = Field(max_length=10)
    #: The private key as a JWK (JSON). Never leaves the site; the JWKS
    #: endpoint publishes only the public half.
    private_jwk: str
    created_at: datetime = Field(default_factory=utcnow)
    #: When a newer key took over; None for the active key.
    retired_at: datetime | None = None
