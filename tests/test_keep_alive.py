"""Idle connections to a site: the site keeps them longer than the proxy in
front of it does, so the proxy (or a client that drops idle connections
after 5 s, as httpx does) always closes first. With uvicorn's default of
5 s, a request sent the moment uvicorn closed got a reset: eight
``ReadError`` in the SQLite soak, and a 502 for a POST behind a proxy."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

from core.deploy import Plan, caddyfile
from core.proxies import KEEP_ALIVE_SECONDS, PROXY_KEEP_ALIVE_SECONDS
from tests.test_throttle import served

IDLE = 8  # longer than uvicorn's default keep-alive of 5 s


def _get(connection: socket.socket, host: str) -> bytes:
    connection.sendall(f"GET /-/health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = connection.recv(65536)
        if not chunk:
            return answer  # closed by the server
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_idle_connection_is_still_open_after_the_clients_own_timeout(site):
    with served(site) as url:
        address = urlsplit(url)
        with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
            assert _get(connection, address.netloc).startswith(b"HTTP/1.1 200")
            time.sleep(IDLE)
            second = _get(connection, address.netloc)
            assert second.startswith(b"HTTP/1.1 200"), f"the connection was closed after {IDLE} s idle"


def test_the_proxy_lets_go_of_an_idle_connection_before_the_site_does(tmp_path):
    assert PROXY_KEEP_ALIVE_SECONDS < KEEP_ALIVE_SECONDS
    plan = Plan(slug="storfors", domain="storfors.example.se", port=8100, workers=2, home=tmp_path)
    assert f"keepalive {PROXY_KEEP_ALIVE_SECONDS}s" in caddyfile(plan)
