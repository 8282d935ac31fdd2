"""The few HTTP calls of the OpenID client (discovery, keys, token, user
info), with the care federation's fetcher takes, sized for JSON:

- http and https only, no redirects followed (an OpenID endpoint answers
  where discovery says it does);
- a host that resolves to loopback, a private network or link-local (cloud
  metadata) is refused unless the provider is ``allow_private`` in site.toml;
- connect and read time-outs and a total deadline, so a slow provider holds
  a sign-in for seconds, not minutes;
- the body is capped (JSON from a provider is a few kB), and must be a JSON
  object.

Federation's ``Fetcher`` lives in the federation plugin, which core may not
import; this is the part of it the client needs. Every failure is an
``OidcError`` whose message says, in Swedish, what the person can do.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx

from core import __version__
from core.i18n import gettext as _

MAX_BYTES = 256 * 1024
TIMEOUT = httpx.Timeout(5.0, read=10.0)
DEADLINE = 15.0
USER_AGENT = f"Paraply/{__version__} (+oidc)"


class OidcError(Exception):
    """A sign-in that cannot go on; ``str(exc)`` is for the person, in their language."""


async def _check_address(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OidcError(_("Inloggningstjänsten angav en ogiltig adress."))
    if allow_private:
        return
    host = parts.hostname
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await anyio.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise OidcError(_("Inloggningstjänsten gick inte att nå. Försök igen om en stund.")) from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise OidcError(_("Inloggningstjänsten pekar på en intern adress och används inte."))


async def request_json(
    method: str,
    url: str,
    *,
    allow_private: bool,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON object at ``url``, or ``OidcError``."""
    await _check_address(url, allow_private)
    down = _("Inloggningstjänsten svarar inte just nu. Försök igen om en stund, eller logga in med lösenord.")
    try:
        with anyio.fail_after(DEADLINE):
            async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
                async with client.stream(
                    method,
                    url,
                    data=data,
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
                ) as response:
                    body = b""
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > MAX_BYTES:
                            raise OidcError(_("Inloggningstjänsten svarade med något som inte går att läsa."))
                    status = response.status_code
    except (TimeoutError, httpx.HTTPError) as exc:
        raise OidcError(down) from exc
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        parsed = None
    if status >= 500:
        raise OidcError(down)
    if not isinstance(parsed, dict):
        raise OidcError(_("Inloggningstjänsten svarade med något som inte går att läsa."))
    if status >= 400:
        raise OidcError(_("Inloggningstjänsten godtog inte inloggningen. Börja om från inloggningssidan."))
    return parsed
