"""The fetcher: every request the site makes to another server goes
through here (federation's feeds, WebSub hub and deliveries, the OpenID
client's discovery, keys and tokens). Plugins get it from ``core.api``.

feedparser's own HTTP client follows redirects anywhere, reads unbounded
bodies and opens local files, so we fetch ourselves (DESIGN.md, Federation):

- http and https only, on every redirect hop (followed by hand, at most 5);
- the address a host name resolves to is checked when the connection is
  opened (``GuardedBackend``, the way Miniflux's dialer does it), so a
  redirect or a DNS answer that points at loopback, a private network,
  link-local (cloud metadata), or any other non-public range is refused,
  also when it is wrapped in an IPv6 address (IPv4-mapped and -compatible,
  NAT64, 6to4, Teredo: ``embedded_ipv4``), which reaches it on a network
  with NAT64 or a 6to4 relay. A peer allowlisted with ``allow_private`` may
  use such an address, for its own origin (host and port) only;
- the body is decompressed here, in bounded steps, and capped *after*
  decompression, so a gzip bomb stops at the cap;
- connect/read timeouts plus a total deadline (a server that dribbles bytes
  cannot hold a worker), and at most ``per_host`` requests at a time to one
  origin (host and port: sites that share a machine run on different ports);
- conditional GET: the caller passes the ETag and Last-Modified it kept
  for the feed and gets ``status == 304`` when nothing changed.

Errors are ``FetchError`` with a message in plain Swedish for the admin page
(marked ``N_``: the caller translates it when it shows it; federation's
``messages`` reads them back from this file).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import time
import zlib
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import anyio
import certifi
import httpcore
import httpx

from core import __version__
from core.i18n import N_

USER_AGENT = f"Paraply/{__version__} (+federation)"
MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}
SCHEMES = ("http", "https")
Origin = tuple[str, int]


class FetchError(Exception):
    """A fetch that failed; ``str(exc)`` is for the admin, in Swedish."""


class BlockedAddress(FetchError):
    """The address is on a network the site does not fetch from."""


class NotHttp(FetchError):
    """The URL is not an http or https address with a host."""


class Unreadable(FetchError):
    """The answer was too large or its compression broken."""


def origin_of(url: str) -> Origin:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return ((parts.hostname or "").lower(), port)


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: NAT64 well-known prefix (RFC 6052): the IPv4 address is the last 32 bits.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
#: Local-use NAT64 (RFC 8215): where the IPv4 address sits depends on the
#: network's prefix length, and the range is never globally routed, so the
#: whole of it is refused.
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
#: IPv4-compatible addresses (``::a.b.c.d``, deprecated by RFC 4291).
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address wraps, which a network with NAT64,
    a 6to4 relay or Teredo would reach: IPv4-mapped ``::ffff:a.b.c.d``,
    IPv4-compatible ``::a.b.c.d``, NAT64 ``64:ff9b::a.b.c.d``, 6to4
    ``2002:AABB:CCDD::`` and Teredo's server and client. Python's
    ``is_global`` judges several of these by their IPv6 prefix alone and
    calls ``[64:ff9b::7f00:1]`` public, so they are decoded here."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in IPV4_COMPATIBLE or address in NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def is_public(address: IPAddress) -> bool:
    """Only globally routable unicast addresses. An IPv6 address that is
    only a way to write an IPv4 address (mapped, compatible, NAT64) is judged
    as that IPv4 address; one that tunnels to an IPv4 address (6to4, Teredo)
    must pass both the IPv6 and the IPv4 rules; local-use NAT64 never does."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in NAT64_LOCAL:
            return False
        wrapped = embedded_ipv4(address)
        if wrapped and not all(is_public(inner) for inner in wrapped):
            return False
        if address.ipv4_mapped is not None or address in IPV4_COMPATIBLE or address in NAT64:
            return True
    return address.is_global and not address.is_multicast


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, refuses non-public addresses unless the
    origin is allowlisted, and connects to the address it checked (so a
    second, different DNS answer cannot slip past)."""

    def __init__(self, allowed: set[Origin]) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.allowed = allowed

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        if (host.lower(), port) not in self.allowed:
            for address in addresses:
                if not is_public(address):
                    raise BlockedAddress(
                        N_(
                            "Adressen %(host)s pekar på %(address)s, som är ett internt eller privat nät. Sådana "
                            "adresser hämtas inte, om inte grannen är uttryckligen tillåten i site.toml."
                        )
                        % {"host": host, "address": address}
                    )
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise httpcore.ConnectError(str(last) if last else f"no address for {host}")

    @staticmethod
    async def _resolve(host: str, port: int) -> list[IPAddress]:
        """The addresses to check and connect to; an IP literal needs no lookup."""
        try:
            return [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            pass
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise FetchError(
                N_("Namnet %(host)s gick inte att slå upp (%(reason)s).")
                % {"host": host, "reason": exc.strerror or exc}
            ) from exc
        return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise FetchError(N_("Unix-socklar används inte av federationen."))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool that uses ``GuardedBackend``
    (httpx has no public option for a network backend). ``TCP_NODELAY``: a
    POST's headers and body go out as separate writes, and Nagle's algorithm
    would hold the body until the server's delayed ACK (~40 ms each)."""

    def __init__(self, allowed: set[Origin], limits: httpx.Limits) -> None:
        context = _ssl_context(os.environ.get(EXTRA_CA_VARIABLE, ""))
        super().__init__(verify=context, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allowed),
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )


#: A PEM file of extra certificate authorities to trust besides certifi's
#: (a site behind a private CA on an intranet, or Caddy's internal CA in a test).
EXTRA_CA_VARIABLE = "PARAPLY_CA_FILE"


@cache
def _ssl_context(extra_ca: str = "") -> ssl.SSLContext:
    """certifi's authorities, plus those in ``extra_ca`` if given. Read when a
    transport is made (once per runtime), cached per file."""
    context = ssl.create_default_context(cafile=certifi.where())
    if extra_ca:
        context.load_verify_locations(cafile=extra_ca)
    return context


class OriginTransport(httpx.AsyncBaseTransport):
    """One small connection pool per origin instead of one big pool.

    httpcore's pool looks at every connection it holds (and polls each
    socket) on every request, so with a connection to each of 300 peers a
    request cost milliseconds of CPU (httpcore PR #928 is open about it).
    Here each origin's pool holds at most ``per_host`` connections; a pool
    left idle past the keep-alive time is closed, and at most
    ``max_origins`` pools are kept (the least recently used goes first).
    """

    def __init__(self, allowed: set[Origin], per_host: int, keepalive: float, max_origins: int = 512) -> None:
        self.allowed = allowed
        self.limits = httpx.Limits(
            max_connections=per_host, max_keepalive_connections=per_host, keepalive_expiry=keepalive
        )
        self.keepalive = keepalive
        self.max_origins = max_origins
        self.pools: OrderedDict[tuple[str, str, int | None], GuardedTransport] = OrderedDict()
        self.used: dict[tuple[str, str, int | None], float] = {}
        #: Requests in flight per origin, until their body is closed.
        self.busy: Counter[tuple[str, str, int | None]] = Counter()
        self.swept = time.monotonic()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.url.scheme, request.url.host, request.url.port)
        now = time.monotonic()
        if now - self.swept > 1.0:
            self.swept = now
            await self._close(k for k, used in self.used.items() if now - used > self.keepalive and not self.busy[k])
        pool = self.pools.get(key)
        if pool is None:
            pool = self.pools[key] = GuardedTransport(self.allowed, self.limits)
            if len(self.pools) > self.max_origins:  # the least recently used idle one goes
                await self._close([k for k in self.pools if k != key and not self.busy[k]][:1])
        self.pools.move_to_end(key)
        self.used[key] = now
        self.busy[key] += 1
        try:
            response = await pool.handle_async_request(request)
        except BaseException:
            self.busy[key] -= 1
            raise
        response.stream = _Release(response.stream, lambda: self.busy.__setitem__(key, self.busy[key] - 1))
        return response

    async def _close(self, keys: Iterable[tuple[str, str, int | None]]) -> None:
        for key in list(keys):
            pool = self.pools.pop(key, None)
            self.used.pop(key, None)
            self.busy.pop(key, None)
            if pool is not None:
                await pool.aclose()

    async def aclose(self) -> None:
        await self._close(list(self.pools))


class _Release(httpx.AsyncByteStream):
    """A response body that says when it is closed (its request is done)."""

    def __init__(self, stream: Any, done: Callable[[], None]) -> None:
        self.stream = stream
        self.done: Callable[[], None] | None = done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self.stream.aclose()
        finally:
            done, self.done = self.done, None
            if done is not None:
                done()


@dataclass
class FetchResult:
    url: str  # after redirects
    status: int  # 200 (any 2xx) or 304
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    links: dict[str, str] = field(default_factory=dict)  # from the Link header, by rel

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def parse_link_header(value: str) -> dict[str, str]:
    """``<url>; rel="hub", <url>; rel="self"`` -> {"hub": url, "self": url}."""
    found: dict[str, str] = {}
    for link in httpx.Headers({"link": value}).get_list("link", split_commas=True):
        parts = [p.strip() for p in link.split(";")]
        if not parts or not parts[0].startswith("<"):
            continue
        href = parts[0][1:-1]
        for param in parts[1:]:
            key, _, val = param.partition("=")
            if key.strip().lower() == "rel":
                for rel in val.strip().strip('"').split():
                    found.setdefault(rel.lower(), href)
    return found


class _Decoder:
    """Decompresses gzip/deflate in bounded steps and stops at ``limit``."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self.zlib = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self.zlib = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
        else:
            raise Unreadable(
                N_("Servern skickade en komprimering som inte stöds (%(encoding)s).") % {"encoding": encoding}
            )

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise Unreadable(
                N_("Svaret var större än %(mb)s MB (efter uppackning) och avbröts.")
                % {"mb": self.limit // (1024 * 1024)}
            )
        self.parts.append(data)

    def feed(self, chunk: bytes) -> None:
        if self.zlib is None:
            self._add(chunk)
            return
        data = chunk
        try:
            while data:
                out = self.zlib.decompress(data, self.limit - self.size + 1)
                self._add(out)
                data = self.zlib.unconsumed_tail
        except zlib.error as exc:
            raise Unreadable(N_("Svaret gick inte att packa upp (trasig komprimering).")) from exc

    def body(self) -> bytes:
        return b"".join(self.parts)


class Fetcher:
    """One shared HTTP client per site runtime."""

    def __init__(
        self,
        allow_private: Iterable[str] = (),
        *,
        max_bytes: int = MAX_BYTES,
        timeout: float = 10.0,
        total_timeout: float = 30.0,
        per_host: int = 4,
        max_connections: int = 512,
        user_agent: str = USER_AGENT,
    ) -> None:
        """``allow_private``: URLs whose origins (host and port) may be on a
        private network (a peer on the same machine, the demo). The other
        arguments bound what one request may cost."""
        self.allowed: set[Origin] = {origin_of(url) for url in allow_private}
        self.max_bytes = max_bytes
        self.total_timeout = total_timeout
        self.per_host = per_host
        self._limits: dict[str, anyio.Semaphore] = {}
        # Idle connections are dropped before common servers' keep-alive ends
        # (uvicorn: 5 s), so a reused one is rarely closed under our feet.
        # Requests go straight to the transport: redirects are followed here,
        # and a peer's cookies must not follow us, so httpx.AsyncClient's
        # layer (cookie jar, auth, hooks) would be work for nothing, about a
        # quarter of a hub delivery's CPU.
        self.transport = OriginTransport(self.allowed, per_host, keepalive=4.0, max_origins=max_connections)
        self.timeout = httpx.Timeout(timeout).as_dict()
        self.headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}

    def allow(self, url: str) -> None:
        """Allowlist one more origin (a peer added while running)."""
        self.allowed.add(origin_of(url))

    async def aclose(self) -> None:
        await self.transport.aclose()

    def _limit(self, url: str) -> anyio.Semaphore:
        host, port = origin_of(url)
        key = f"{host}:{port}"
        if key not in self._limits:
            self._limits[key] = anyio.Semaphore(self.per_host)
        return self._limits[key]

    @staticmethod
    def _check_scheme(url: str) -> None:
        try:
            parts = urlsplit(url)
            usable = parts.scheme.lower() in SCHEMES and bool(parts.hostname) and (parts.port or 0) >= 0
        except ValueError:  # "http://[x]/", a port that is no number: no address (a peer's link, a redirect)
            usable = False
        if not usable:
            raise NotHttp(
                N_("Adressen %(url)s är inte en http- eller https-adress och hämtas inte.") % {"url": url[:200]}
            )

    async def get(self, url: str, *, etag: str = "", last_modified: str = "", accept: str = "") -> FetchResult:
        headers = {"Accept": accept or "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self.request("GET", url, headers=headers)

    async def post(
        self,
        url: str,
        *,
        content: bytes = b"",
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchResult:
        """A POST (WebSub subscription requests and deliveries); redirects are
        not followed, the answer's body is capped like any other."""
        return await self.request("POST", url, headers=headers or {}, content=content, data=data)

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        content: bytes = b"",
        data: dict[str, str] | None = None,
        follow_redirects: bool = True,
        any_status: bool = False,
    ) -> FetchResult:
        """Any request. A GET follows redirects (each hop checked) unless
        ``follow_redirects`` is false; an answer that is not 2xx or 304 is a
        ``FetchError`` unless ``any_status`` asks for it back (an OpenID
        token endpoint answers its errors as JSON with status 400)."""
        from core.metrics import count_fetch

        try:
            self._check_scheme(url)  # before the per-host limit reads the host
            with anyio.fail_after(self.total_timeout):
                async with self._limit(url):
                    result = await self._request(method, url, headers, content, data, follow_redirects, any_status)
            count_fetch(ok=True)  # for /-/metrics (core.metrics)
            return result
        except TimeoutError as exc:
            count_fetch(ok=False)
            raise FetchError(
                N_("Servern svarade inte färdigt inom %(seconds)s sekunder.") % {"seconds": f"{self.total_timeout:g}"}
            ) from exc
        except Exception:
            count_fetch(ok=False)
            raise

    async def _request(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes,
        data: dict[str, str] | None,
        follow_redirects: bool,
        any_status: bool,
    ) -> FetchResult:
        retried = False
        for _hop in range(MAX_REDIRECTS + 2):
            self._check_scheme(url)
            try:
                request = httpx.Request(
                    method,
                    url,
                    headers={**self.headers, **headers},
                    content=content if method == "POST" and data is None else None,
                    data=data if method == "POST" else None,
                    extensions={"timeout": self.timeout},
                )
                response = await self.transport.handle_async_request(request)
                try:
                    if response.status_code in REDIRECTS and method == "GET" and follow_redirects:
                        location = response.headers.get("location", "")
                        if not location:
                            raise FetchError(N_("Servern skickade vidare utan att säga vart."))
                        try:
                            url = urljoin(url, location)
                        except ValueError:  # "http://[x]/": checked as no address on the next hop
                            url = location
                        continue
                    return await self._read(url, response, any_status)
                finally:
                    await response.aclose()
            except FetchError:
                raise
            except httpx.RemoteProtocolError as exc:
                # A kept-alive connection the server had just closed: a GET is
                # safe to send once more, on a fresh connection.
                if method == "GET" and not retried:
                    retried = True
                    continue
                raise FetchError(N_("Förbindelsen bröts (%(error)s).") % {"error": type(exc).__name__}) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(N_("Servern svarade inte i tid (tidsgränsen passerades).")) from exc
            except (httpx.ConnectError, httpcore.ConnectError) as exc:
                raise FetchError(
                    N_("Det gick inte att ansluta till %(host)s (servern är nere?).") % {"host": urlsplit(url).netloc}
                ) from exc
            except httpx.HTTPError as exc:
                raise FetchError(N_("Förbindelsen bröts (%(error)s).") % {"error": type(exc).__name__}) from exc
        raise FetchError(N_("För många vidarekopplingar (fler än %(count)s).") % {"count": MAX_REDIRECTS})

    async def _read(self, url: str, response: httpx.Response, any_status: bool = False) -> FetchResult:
        result = FetchResult(
            url=url,
            status=response.status_code,
            etag=response.headers.get("etag", ""),
            last_modified=response.headers.get("last-modified", ""),
            content_type=response.headers.get("content-type", ""),
            links=parse_link_header(response.headers.get("link", "")),
        )
        if response.status_code == 304:
            return result
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise Unreadable(
                N_("Svaret var större än %(mb)s MB och hämtades inte.") % {"mb": self.max_bytes // (1024 * 1024)}
            )
        decoder = _Decoder(response.headers.get("content-encoding", ""), self.max_bytes)
        async for chunk in response.aiter_raw(16384):
            decoder.feed(chunk)
        result.body = decoder.body()
        if not 200 <= response.status_code < 300 and not any_status:
            raise FetchError(_status_message(response.status_code) % {"status": response.status_code})
        return result


def _status_message(status: int) -> str:
    """The message for an error status, whole, so it translates as one sentence."""
    messages = {
        404: N_("Servern svarade med felkod %(status)s (sidan finns inte)."),
        410: N_("Servern svarade med felkod %(status)s (borttagen för gott)."),
        429: N_("Servern svarade med felkod %(status)s (för många förfrågningar)."),
        500: N_("Servern svarade med felkod %(status)s (fel i servern)."),
        502: N_("Servern svarade med felkod %(status)s (fel i en mellanliggande server)."),
        503: N_("Servern svarade med felkod %(status)s (tillfälligt otillgänglig)."),
    }
    return messages.get(status, N_("Servern svarade med felkod %(status)s."))
