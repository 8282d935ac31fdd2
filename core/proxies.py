"""Who is asking: the visitor's address, behind a reverse proxy or not.

``X-Forwarded-For`` is believed only from the proxies a site lists in
``[server] trusted_proxies``. Uvicorn's own proxy support trusts 127.0.0.1 by
default, so a client on the same machine (or behind a proxy that passes the
header on) could claim a new address with every request and so escape the
per-address login limit; ``paraply serve`` therefore runs uvicorn with
``SERVER_OPTIONS`` (its proxy support off) and this middleware decides.
The same goes for ``X-Forwarded-Proto``: the scheme the visitor used (https
at the proxy) is believed only from a trusted proxy.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

#: How long the proxy in front (``paraply deploy``'s Caddyfile) keeps an idle
#: connection to the site open. Shorter than the site's own
#: ``KEEP_ALIVE_SECONDS``, so the proxy, never uvicorn, closes it: a request
#: sent on a connection at the moment uvicorn closes it gets a reset, which a
#: proxy turns into a 502 for a POST.
PROXY_KEEP_ALIVE_SECONDS = 30
#: uvicorn's idle keep-alive (its default is 5 s, what httpx and many clients
#: also wait before they drop an idle connection: the soak saw that race).
KEEP_ALIVE_SECONDS = 65

#: Keyword arguments for ``uvicorn.run``/``uvicorn.Config`` of a Paraply site.
SERVER_OPTIONS: dict[str, Any] = {"proxy_headers": False, "timeout_keep_alive": KEEP_ALIVE_SECONDS}


def _parse(value: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(value.strip())
    except ValueError:
        return None


class ClientAddressMiddleware:
    """Sets ``scope["client"]`` to the visitor's address: the peer's, or,
    when the peer is a trusted proxy, the right-most address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (the left part of
    the header is whatever the client wrote, and proves nothing)."""

    def __init__(self, app: ASGIApp, trusted: list[str]) -> None:
        self.app = app
        self.trusted = [ip_network(entry, strict=False) for entry in trusted]

    def is_trusted(self, address: IPv4Address | IPv6Address | None) -> bool:
        return address is not None and any(address in network for network in self.trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted and scope.get("client"):
            host, port = scope["client"]
            if self.is_trusted(_parse(host)):
                forwarded = [value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-for"]
                hops = [hop.strip() for line in forwarded for hop in line.split(",") if hop.strip()]
                for hop in reversed(hops):
                    address = _parse(hop)
                    if address is None:
                        break  # junk: keep the last address we could trust
                    host = str(address)
                    if not self.is_trusted(address):
                        break
                scope = dict(scope, client=(host, port))
                # The scheme the visitor used (HSTS is sent only over https: core.security_headers).
                protos = [value.decode("latin-1") for name, value in scope["headers"] if name == b"x-forwarded-proto"]
                proto = protos[-1].split(",")[-1].strip().lower() if protos else ""
                if proto in ("http", "https"):
                    scope["scheme"] = proto
        await self.app(scope, receive, send)


def network_of(host: str) -> str:
    """The visitor's network, not the address: an IPv4 address as its /24,
    an IPv6 one as its /48 (enough to recognise "home" or "the office",
    not the person). Anything else (a test client's name) as it is, cut short."""
    address = _parse(host)
    if address is None:
        return host[:64]
    prefix = 24 if address.version == 4 else 48
    return str(ip_network(f"{address}/{prefix}", strict=False))


def throttle_key(host: str) -> str:
    """What the login throttle counts failures by: an IPv4 address as it is
    (a whole /24 may be one office behind one address), an IPv6 address as
    its /64, which one household or one attacker's machine gets whole: one
    address each would give a guesser 2^64 fresh allowances."""
    address = _parse(host)
    if address is None or address.version == 4:
        return host[:64]
    return str(ip_network(f"{address}/64", strict=False))
