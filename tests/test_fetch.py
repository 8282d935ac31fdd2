"""Core's fetcher (``core.api.Fetcher``), the one way the site calls another
server: private IPv4 addresses are refused also when written inside IPv6
(issue 18, fault 5), and the address is checked where the connection is
opened, so a second DNS answer cannot point it elsewhere (issue 13: the
OpenID client used to check the name first and connect afterwards)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import anyio
import anyio._core._sockets
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.api import BlockedAddress, Fetcher, FetchError, is_public
from core.fetch import NotHttp
from core.oidc.http import OidcError, request_json
from tests.federation.harness import Server, free_port

#: IPv6 forms that wrap a private, loopback or link-local IPv4 address
#: (issue 18, fault 5, and one of each other kind).
WRAPPED_PRIVATE = [
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254 (cloud metadata)
    "::ffff:192.168.1.1",  # IPv4-mapped
    "64:ff9b:1::a00:1",  # local-use NAT64 (RFC 8215)
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
]
#: The same forms around public IPv4 addresses stay usable.
WRAPPED_PUBLIC = ["64:ff9b::808:808", "2002:808:808::", "::ffff:8.8.8.8", "2606:4700:4700::1111", "8.8.8.8"]


@pytest.mark.parametrize("address", WRAPPED_PRIVATE)
def test_ipv6_that_wraps_a_private_ipv4_address_is_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", WRAPPED_PUBLIC)
def test_ipv6_that_wraps_a_public_ipv4_address_stays_public(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", WRAPPED_PRIVATE)
def test_the_fetcher_refuses_each_wrapped_form_before_connecting(address: str) -> None:
    async def run() -> None:
        fetcher = Fetcher(timeout=1, total_timeout=2)
        try:
            with pytest.raises(BlockedAddress, match="internt eller privat nät"):
                await fetcher.get(f"http://[{address}]:8080/feed")
        finally:
            await fetcher.aclose()

    anyio.run(run)


@pytest.fixture
def inside():
    """A server on loopback that counts who reached it."""
    hits: list[str] = []

    async def secret(request: Request) -> JSONResponse:
        hits.append(request.url.path)
        return JSONResponse({"issuer": "hemligt"})

    server = Server(Starlette(routes=[Route("/{path:path}", secret)]), free_port())
    server.start()
    yield server, hits
    server.stop()


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch):
    """The name ``rebind.test`` answers a public address the first time it
    is looked up and loopback every time after (what an attacker's DNS
    server with a zero TTL does). Only the name lookup is replaced; the
    connections are real."""
    real = anyio.getaddrinfo
    lookups: list[str] = []

    async def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            lookups.append(host)
            address = "93.184.215.14" if len(lookups) == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return await real(host, port, *args, **kwargs)

    monkeypatch.setattr(anyio, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(anyio._core._sockets, "getaddrinfo", getaddrinfo)
    return lookups


def test_the_openid_client_connects_only_to_the_address_it_checked(inside, rebinding) -> None:
    server, hits = inside

    async def run() -> None:
        with pytest.raises(OidcError, match="svarar inte just nu"):
            await request_json("GET", f"http://rebind.test:{server.port}/.well-known/x", allow_private=False)

    anyio.run(run)
    assert rebinding == ["rebind.test"], "the name was looked up more than once"
    assert hits == [], "the second DNS answer reached the loopback server"


@pytest.mark.parametrize("address", ["::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "::ffff:127.0.0.1"])
def test_the_openid_client_refuses_wrapped_private_addresses(inside, address: str) -> None:
    server, hits = inside

    async def run() -> None:
        with pytest.raises(OidcError, match="intern adress"):
            await request_json("GET", f"http://[{address}]:{server.port}/jwks", allow_private=False)

    anyio.run(run)
    assert hits == []


def test_the_openid_client_follows_no_redirect_and_wants_a_json_object(monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.responses import RedirectResponse

    async def moved(request: Request) -> Response:
        return RedirectResponse("/keys", status_code=302)

    async def keys(request: Request) -> Response:
        return JSONResponse({"keys": []})

    async def listing(request: Request) -> Response:
        return JSONResponse([1, 2, 3])

    async def huge(request: Request) -> Response:
        return JSONResponse({"x": "a" * (400 * 1024)})

    app = Starlette(
        routes=[Route("/moved", moved), Route("/keys", keys), Route("/list", listing), Route("/huge", huge)]
    )
    server = Server(app, free_port())
    server.start()
    try:

        async def run() -> None:
            ok = await request_json("GET", server.url + "/keys", allow_private=True)
            assert ok == {"keys": []}
            for path in ("/moved", "/list", "/huge"):
                with pytest.raises(OidcError, match="inte går att läsa"):
                    await request_json("GET", server.url + path, allow_private=True)

        anyio.run(run)
    finally:
        server.stop()


def test_a_fetch_error_is_plain_swedish() -> None:
    async def run() -> None:
        fetcher = Fetcher()
        try:
            with pytest.raises(FetchError, match="inte en http- eller https-adress"):
                await fetcher.get("file:///etc/passwd")
        finally:
            await fetcher.aclose()

    anyio.run(run)


#: Addresses ``urlsplit`` refuses (``ValueError``): a peer's link or a
#: redirect may hold one, and it is no address, not an unexpected error.
UNSPLITTABLE = ["http://[x]/", "http://[::1/feed", "http://peer.example:99999/feed", "http://peer.example:port/"]


@pytest.mark.parametrize("url", UNSPLITTABLE)
def test_an_address_that_cannot_be_read_is_no_http_address(url: str) -> None:
    async def run() -> None:
        fetcher = Fetcher(timeout=1, total_timeout=2)
        try:
            with pytest.raises(NotHttp, match="inte en http- eller https-adress"):
                await fetcher.get(url)
        finally:
            await fetcher.aclose()

    anyio.run(run)


@pytest.mark.parametrize("target", ["http://[x]/", "http://peer.example:99999/"])
def test_a_redirect_to_an_address_that_cannot_be_read_is_a_fetch_error(target: str) -> None:
    async def moved(request: Request) -> Response:
        return Response(status_code=302, headers={"location": target})

    server = Server(Starlette(routes=[Route("/{path:path}", moved)]), free_port())
    server.start()

    async def run() -> None:
        fetcher = Fetcher(timeout=2, total_timeout=5, allow_private=[server.url])
        try:
            with pytest.raises(NotHttp):
                await fetcher.get(server.url + "/feed")
        finally:
            await fetcher.aclose()

    try:
        anyio.run(run)
    finally:
        server.stop()
