"""Reading and validating ``sites/<slug>/site.toml``.

Every error names the file, the key and what to do, because the people who
edit these files are umbrella staff, not developers. Secrets never live in the
toml: the session secret and a database URL with a password come from the
environment (``PARAPLY_SECRET_KEY``, ``PARAPLY_DATABASE_URL``).
"""

from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from ipaddress import ip_network
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.oidc.settings import AuthSection

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
SLUG = re.compile(r"^[a-z][a-z0-9-]{1,39}$")


class ConfigError(Exception):
    """A site.toml problem, worded for the person who edits the file."""

    def __init__(self, path: Path | str, key: str, problem: str, fix: str = "") -> None:
        self.path, self.key, self.problem, self.fix = str(path), key, problem, fix
        msg = f"{path}: {key}: {problem}"
        if fix:
            msg += f" Fix: {fix}"
        super().__init__(msg)


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this machine knows (zoneinfo)."""
    return frozenset(available_timezones())


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of a ``#rrggbb`` colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


class SiteSection(_Strict):
    name: str = Field(min_length=1)
    base_url: str
    locale: str = "sv"
    timezone: str = "Europe/Stockholm"
    description: str = ""
    logo: str = ""
    #: The logo's text alternative; empty when the logo only repeats the
    #: site's name beside it (then it is decoration).
    logo_alt: str = ""
    contact_email: str = ""
    plugins: list[str] = Field(default_factory=lambda: ["webportal"])
    data_dir: str = ""

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) address such as 'https://mockeln.example'")
        return v.rstrip("/")

    @field_validator("locale")
    @classmethod
    def _locale(cls, v: str) -> str:
        if v not in ("sv", "en"):
            raise ValueError("must be 'sv' or 'en'")
        return v

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        if v not in time_zones():
            raise ValueError(f"{v!r} is not a time zone; write an IANA name such as 'Europe/Stockholm'")
        return v

    @field_validator("plugins")
    @classmethod
    def _no_duplicates(cls, v: list[str]) -> list[str]:
        seen = [p for i, p in enumerate(v) if p in v[:i]]
        if seen:
            raise ValueError(f"lists {seen[0]!r} twice; list each plugin once")
        return v


class ThemeSection(_Strict):
    """Colours of the site. ``primary`` carries white text (header, buttons),
    so it must reach WCAG AA contrast (4.5:1) against white."""

    primary: str = "#1d4e89"
    accent: str = "#f2b705"
    background: str = "#ffffff"
    text: str = "#1a1a1a"

    @field_validator("primary", "accent", "background", "text")
    @classmethod
    def _hex(cls, v: str) -> str:
        if not HEX_COLOUR.match(v):
            raise ValueError(f"{v!r} is not a colour; write it as #rrggbb, e.g. '#1d4e89'")
        return v.lower()

    def contrast_problems(self) -> list[tuple[str, str]]:
        problems = []
        ratio = contrast_ratio(self.primary, "#ffffff")
        if ratio < 4.5:
            problems.append(
                (
                    "primary",
                    f"white text on {self.primary} has contrast {ratio:.1f}:1, WCAG AA needs 4.5:1;"
                    " choose a darker colour",
                )
            )
        ratio = contrast_ratio(self.text, self.background)
        if ratio < 4.5:
            problems.append(
                (
                    "text",
                    f"text {self.text} on background {self.background} has contrast {ratio:.1f}:1,"
                    " WCAG AA needs 4.5:1; choose colours further apart",
                )
            )
        return problems


class DatabaseSection(_Strict):
    url: str = ""

    @field_validator("url")
    @classmethod
    def _no_password(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.password:
            raise ValueError("contains a password; remove it and set PARAPLY_DATABASE_URL in the environment instead")
        return v


class MailSection(_Strict):
    """How the site's mail leaves (core.mail). ``sender = "file"`` writes each
    message as an .eml file to ``<data folder>/mail`` (demo, development, a
    site that only reviews what would go out); ``"smtp"`` hands it to a relay.
    The password is ``PARAPLY_SMTP_PASSWORD`` in the environment, never here."""

    sender: Literal["file", "smtp"] = "file"
    #: The From of messages that do not name their own.
    from_address: str = ""
    host: str = "localhost"
    port: int = Field(default=587, ge=1, le=65535)
    #: "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a local relay).
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str = ""
    timeout_seconds: float = Field(default=20, gt=0, le=120)
    #: At most this many messages a minute leave the outbox (0: no limit);
    #: relays limit senders, and a newsletter to thousands must not trip them.
    per_minute: int = Field(default=0, ge=0, le=100_000)
    #: Where late bounces go (core.bounces): each message's envelope sender is
    #: this address with a signed tag (bounces+b12.x3f...@), and the mail server
    #: pipes what arrives there to ``paraply bounce``. Empty: the From.
    bounce_address: str = ""

    @field_validator("from_address")
    @classmethod
    def _address(cls, v: str) -> str:
        if v and "@" not in v:
            raise ValueError("must be an e-mail address such as 'info@mockeln.example'")
        return v

    @field_validator("bounce_address")
    @classmethod
    def _bounce_address(cls, v: str) -> str:
        local, at, domain = v.partition("@")
        if v and (not at or not local or not domain or "+" in local):
            raise ValueError("must be an e-mail address without '+', such as 'bounces@mockeln.example'")
        return v


def _http_url(v: str) -> str:
    parts = urlsplit(v)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) address such as 'https://kristinehamn.example'")
    return v


class PeerSection(_Strict):
    """A sibling Paraply site this one federates with: peers are an allowlist."""

    #: Shown beside its entries, e.g. "Kristinehamns föreningar".
    name: str = Field(min_length=1)
    #: The peer's base URL; its feeds are found through /.well-known/paraply.
    url: str
    #: Allow this peer at a loopback or private address (the demo's peers on
    #: 127.0.0.1). Every other peer must resolve to a public address.
    allow_private: bool = False

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _http_url(v).rstrip("/")


class ExternalFeedSection(_Strict):
    """An outside Atom/RSS feed shown as a front-page block (e.g. Forum's news)."""

    name: str = Field(min_length=1)
    url: str
    allow_private: bool = False
    #: How many of its newest entries the block shows.
    max_items: int = Field(default=5, ge=1, le=50)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _http_url(v)


class FederationSection(_Strict):
    """How this site shares with its peers (DESIGN.md, "Federation")."""

    #: Authority part of tag URIs (RFC 4151); empty: the base URL's host.
    tag_authority: str = ""
    #: Subscribe to peers' hubs (WebSub) and push to subscribers; with false,
    #: peers are only polled.
    push: bool = True
    #: Seconds between polls of a peer (back-off on errors grows from here).
    poll_interval: int = Field(default=300, ge=1, le=86400)
    #: Seconds a peer or outside feed may take to answer before the fetch
    #: counts as failed (a whole response may take three times as long).
    timeout: int = Field(default=10, ge=1, le=120)
    #: WebSub lease we ask peers' hubs for, in seconds; renewed before it ends.
    lease_seconds: int = Field(default=864000, ge=60, le=2592000)
    peers: list[PeerSection] = Field(default_factory=list)
    external: list[ExternalFeedSection] = Field(default_factory=list)


class ServerSection(_Strict):
    """How the site sits behind its web server. ``trusted_proxies`` lists the
    addresses or networks of reverse proxies (Caddy, nginx) whose
    ``X-Forwarded-For`` says who the visitor is; from anyone else the header
    is ignored, so a visitor cannot pick a new address per request to escape
    the login limits (core.proxies)."""

    trusted_proxies: list[str] = Field(default_factory=list)
    #: Addresses or networks that may read ``/-/metrics`` without the token
    #: (``PARAPLY_METRICS_TOKEN``), e.g. the Prometheus server's (core.metrics).
    metrics_allow: list[str] = Field(default_factory=list)

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        for entry in v:
            try:
                ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f'{entry!r} is not an IP address or network; write e.g. "127.0.0.1" or "10.0.0.0/8"'
                ) from None
        return v


class BackupSection(_Strict):
    """Scheduled backups by the daily jobs (core.backup): none while ``dir``
    is empty. ``keep`` is how many archives stay in ``dir``; older ones are
    deleted. Copy the folder to another machine too: a backup on the same
    disk does not survive the disk."""

    dir: str = ""
    keep: int = Field(default=7, ge=1, le=365)


class PluginSettings(BaseModel):
    """Base of every plugin's settings. ``prefix`` is where the plugin's routes
    are mounted; ``None`` means ``/<plugin name>``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: str | None = None

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith("/"):
            raise ValueError("must start with '/', e.g. '/hjalp'")
        return v


class SiteFile(_Strict):
    site: SiteSection
    theme: ThemeSection = ThemeSection()
    database: DatabaseSection = DatabaseSection()
    mail: MailSection = MailSection()
    federation: FederationSection = FederationSection()
    server: ServerSection = ServerSection()
    backup: BackupSection = BackupSection()
    #: OpenID Connect: providers this site trusts, and the site as a provider (core.oidc).
    auth: AuthSection = AuthSection()
    plugin: dict[str, dict[str, Any]] = Field(default_factory=dict)


def _key_of(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        elif key:
            key += f".{part}"
        else:
            key = str(part)
    return key


def _explain(exc: ValidationError, path: Path, prefix: str = "") -> ConfigError:
    err = exc.errors()[0]
    key = _key_of(tuple(err["loc"]))
    if prefix:
        key = f"{prefix}.{key}" if key else prefix
    kind = err["type"]
    if kind == "missing":
        return ConfigError(path, key, "is missing.", f"add '{key.rsplit('.', 1)[-1]} = ...' to the file.")
    if kind == "extra_forbidden":
        return ConfigError(path, key, "is not a known setting.", "check the spelling or remove it.")
    msg = err["msg"].removeprefix("Value error, ")
    if kind in _TYPE_FIXES:
        fix = _TYPE_FIXES[kind].format(key=key.split(".")[-1].split("[")[0])
        return ConfigError(path, key, f"{msg} (it is {err['input']!r}).", fix)
    return ConfigError(path, key, msg + ".", "")


#: Fixes for values of the wrong type; validators' own messages already say
#: what to write, pydantic's type errors do not.
_TYPE_FIXES = {
    "int_parsing": "write a whole number without quotes, e.g. {key} = 20.",
    "int_type": "write a whole number without quotes, e.g. {key} = 20.",
    "int_from_float": "write a whole number without quotes, e.g. {key} = 20.",
    "float_parsing": "write a number without quotes, e.g. {key} = 2.5.",
    "float_type": "write a number without quotes, e.g. {key} = 2.5.",
    "bool_parsing": "write true or false without quotes, e.g. {key} = true.",
    "bool_type": "write true or false without quotes, e.g. {key} = true.",
    "string_type": 'write text in double quotes, e.g. {key} = "...".',
    "list_type": 'write a list in square brackets, e.g. {key} = ["...", "..."].',
    "greater_than_equal": "choose a value within the limit.",
    "less_than_equal": "choose a value within the limit.",
    "dict_type": "write it as a table, [{key}], with settings under it.",
}


def read_site_file(path: Path) -> SiteFile:
    """Parse and validate a site.toml, raising ``ConfigError``."""
    if not path.is_file():
        raise ConfigError(path, "(file)", "does not exist.", "create it, e.g. with 'paraply new-site NAME'.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "(syntax)", f"is not valid TOML ({exc}).", "correct the line it names.") from exc
    try:
        parsed = SiteFile.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc, path) from exc
    for key, problem in parsed.theme.contrast_problems():
        raise ConfigError(path, f"theme.{key}", problem + ".")
    return parsed


def validate_plugin_settings(path: Path, name: str, model: type[PluginSettings], raw: dict[str, Any]) -> PluginSettings:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc, path, prefix=f"plugin.{name}") from exc


def default_data_dir(slug: str) -> Path:
    """Where a site keeps its database and uploads: outside the source tree.

    ``PARAPLY_DATA_DIR`` wins; then ``$XDG_DATA_HOME/paraply``; then
    ``~/.local/share/paraply``. One subfolder per site."""
    root = os.environ.get("PARAPLY_DATA_DIR")
    if root:
        return Path(root) / slug
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "paraply" / slug
