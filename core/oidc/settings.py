"""The ``[auth]`` part of site.toml: which OpenID providers this site trusts
(``[[auth.oidc]]``) and, on a network's provider, which peer sites may sign
people in through it (``[auth.provider]``). Secrets come from the
environment: ``secret_env_name`` says which variable."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(v: str) -> str:
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) address such as 'https://login.example'")
    return v


def env_name(kind: str, name: str) -> str:
    """``PARAPLY_OIDC_<NAME>_SECRET`` (a provider) or
    ``PARAPLY_OIDC_CLIENT_<NAME>_SECRET`` (a client of ours)."""
    slug = re.sub(r"[^A-Z0-9]", "_", name.upper())
    return f"PARAPLY_OIDC_{slug}_SECRET" if kind == "provider" else f"PARAPLY_OIDC_CLIENT_{slug}_SECRET"


class OidcProviderSection(_Strict):
    """One outside OpenID provider people may sign in with."""

    #: Short id, used in addresses (/konto/oidc/<name>/...) and the secret's
    #: environment variable, PARAPLY_OIDC_<NAME>_SECRET.
    name: str
    #: The button's text: "Logga in med <label>".
    label: str = Field(min_length=1, max_length=80)
    #: The issuer; its /.well-known/openid-configuration is read from here.
    issuer: str
    client_id: str = Field(min_length=1)
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])
    #: Make an account (with no roles) for a person the provider vouches for
    #: and this site does not know yet. Meant for the network's own provider;
    #: otherwise only existing accounts are linked, by verified e-mail.
    create_accounts: bool = False
    #: Allow the provider at a loopback or private address (the demo, tests).
    allow_private: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not NAME.match(v):
            raise ValueError("must be lower-case letters, digits and '-', starting with a letter, e.g. 'mockeln'")
        return v

    @field_validator("issuer")
    @classmethod
    def _issuer(cls, v: str) -> str:
        return _http_url(v).rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _openid(cls, v: list[str]) -> list[str]:
        if "openid" not in v:
            raise ValueError("must include 'openid'")
        return v

    @property
    def secret_env(self) -> str:
        return env_name("provider", self.name)


class ProviderClientSection(_Strict):
    """A peer site that may sign people in through this site."""

    client_id: str = Field(min_length=1, max_length=80)
    #: Shown on the "continue as" page: "… to <name>".
    name: str = Field(min_length=1, max_length=120)
    redirect_uris: list[str] = Field(min_length=1)

    @field_validator("redirect_uris")
    @classmethod
    def _uris(cls, v: list[str]) -> list[str]:
        return [_http_url(uri) for uri in v]

    @property
    def secret_env(self) -> str:
        return env_name("client", self.client_id)


class ProviderSection(_Strict):
    """This site as the OpenID provider of its network."""

    enabled: bool = False
    #: Signing algorithm of ID tokens: RS256 or ES256.
    algorithm: str = "RS256"
    #: Days a signing key is used before the daily job replaces it.
    key_days: int = Field(default=90, ge=1, le=3650)
    #: Days a replaced key is still published, so tokens it signed verify.
    retired_key_days: int = Field(default=7, ge=1, le=365)
    clients: list[ProviderClientSection] = Field(default_factory=list)

    @field_validator("algorithm")
    @classmethod
    def _alg(cls, v: str) -> str:
        if v not in ("RS256", "ES256"):
            raise ValueError("must be 'RS256' or 'ES256'")
        return v


class AuthSection(_Strict):
    oidc: list[OidcProviderSection] = Field(default_factory=list)
    provider: ProviderSection = ProviderSection()

    @field_validator("oidc")
    @classmethod
    def _unique(cls, v: list[OidcProviderSection]) -> list[OidcProviderSection]:
        names = [p.name for p in v]
        twice = [n for i, n in enumerate(names) if n in names[:i]]
        if twice:
            raise ValueError(f"lists the provider {twice[0]!r} twice; give each its own name")
        return v
