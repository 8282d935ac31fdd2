"""The few HTTP calls of the OpenID client (discovery, keys, token, user
info), through core's guarded fetcher (``core.fetch.Fetcher``), sized for JSON:

- http and https only, no redirects followed (an OpenID endpoint answers
  where discovery says it does);
- the address is checked when the connection is opened, so a name that
  resolves to loopback, a private network or link-local (cloud metadata),
  or to an IPv6 form that wraps one, is refused even if a second DNS answer
  differs from the first, unless the provider is ``allow_private`` in
  site.toml (then the endpoint's own origin may be private);
- connect and read time-outs and a total deadline, so a slow provider holds
  a sign-in for seconds, not minutes;
- the body is capped (JSON from a provider is a few kB) after
  decompression, and must be a JSON object.

Every failure is an ``OidcError`` whose message says, in Swedish (or the
person's language), what the person can do; the fetcher's own wording is
for logs, never shown here.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from core import __version__
from core.fetch import BlockedAddress, Fetcher, FetchError, NotHttp, Unreadable
from core.i18n import gettext as _

MAX_BYTES = 256 * 1024
TIMEOUT = 5.0
DEADLINE = 15.0
USER_AGENT = f"Paraply/{__version__} (+oidc)"

log = logging.getLogger("paraply.oidc")


class OidcError(Exception):
    """A sign-in that cannot go on; ``str(exc)`` is for the person, in their language."""


async def request_json(
    method: str,
    url: str,
    *,
    allow_private: bool,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON object at ``url``, or ``OidcError``. A fetcher per call: a
    sign-in makes three or four requests, and a pool kept across requests
    would be tied to one event loop."""
    down = _("Inloggningstjänsten svarar inte just nu. Försök igen om en stund, eller logga in med lösenord.")
    unreadable = _("Inloggningstjänsten svarade med något som inte går att läsa.")
    fetcher = Fetcher(
        [url] if allow_private else [],
        max_bytes=MAX_BYTES,
        timeout=TIMEOUT,
        total_timeout=DEADLINE,
        per_host=2,
        max_connections=2,
        user_agent=USER_AGENT,
    )
    try:
        result = await fetcher.request(
            method,
            url,
            headers={"Accept": "application/json", **(headers or {})},
            data=data if method == "POST" else None,
            follow_redirects=False,
            any_status=True,
        )
    except BlockedAddress as exc:
        log.info("OpenID: %s refused: %s", url, exc)
        raise OidcError(_("Inloggningstjänsten pekar på en intern adress och används inte.")) from exc
    except FetchError as exc:
        log.info("OpenID: %s failed: %s", url, exc)
        if isinstance(exc, NotHttp):
            raise OidcError(_("Inloggningstjänsten angav en ogiltig adress.")) from exc
        if isinstance(exc, Unreadable):
            raise OidcError(unreadable) from exc
        raise OidcError(down) from exc
    finally:
        await fetcher.aclose()
    try:
        parsed = json.loads(result.body)
    except (ValueError, RecursionError):
        parsed = None
    if result.status >= 500:
        raise OidcError(down)
    if not isinstance(parsed, dict):
        raise OidcError(unreadable)
    if result.status >= 300:
        raise OidcError(_("Inloggningstjänsten godtog inte inloggningen. Börja om från inloggningssidan."))
    return parsed
