"""The fetcher keeps one small connection pool per origin (see
``OriginTransport``): it holds at most ``max_connections`` of them, drops
the least recently used idle one first, closes pools idle past the
keep-alive, and never closes a pool while a response is still being read.
Against real servers on 127.0.0.1."""

from __future__ import annotations

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from core.api import Fetcher
from tests.federation.harness import Server, free_port


def hello_app() -> Starlette:
    async def hello(request: Request) -> Response:
        return PlainTextResponse("hej")

    async def slow(request: Request) -> Response:
        async def body():  # type: ignore[no-untyped-def]
            yield b"forst "
            await anyio.sleep(1.6)
            yield b"sist"

        return StreamingResponse(body(), media_type="text/plain")

    return Starlette(routes=[Route("/", hello), Route("/slow", slow)])


@pytest.fixture
def origins():
    started = [Server(hello_app(), free_port()) for _ in range(3)]
    for server in started:
        server.start()
    yield [server.url for server in started]
    for server in started:
        server.stop()


def test_pools_per_origin_are_bounded_and_idle_ones_close(origins) -> None:
    a, b, c = origins

    async def scenario() -> None:
        fetcher = Fetcher(origins, max_connections=2)
        pools = fetcher.transport.pools
        try:
            for url in (a, b):
                assert (await fetcher.get(url + "/")).body == b"hej"
            assert len(pools) == 2
            assert (await fetcher.get(c + "/")).body == b"hej"
            assert [key[2] for key in pools] == [int(b.rsplit(":", 1)[1]), int(c.rsplit(":", 1)[1])]  # a went

            fetcher.transport.keepalive = 0.2
            await anyio.sleep(1.2)
            assert (await fetcher.get(a + "/")).body == b"hej"
            assert [key[2] for key in pools] == [int(a.rsplit(":", 1)[1])]  # b and c were idle too long
        finally:
            await fetcher.aclose()

    anyio.run(scenario)


def test_a_pool_is_not_closed_while_a_response_is_being_read(origins) -> None:
    a, b, _c = origins

    async def scenario() -> None:
        fetcher = Fetcher(origins, max_connections=2)
        fetcher.transport.keepalive = 0.2
        got: dict[str, bytes] = {}
        try:
            async with anyio.create_task_group() as tasks:

                async def slow() -> None:
                    got["slow"] = (await fetcher.get(a + "/slow")).body

                tasks.start_soon(slow)
                await anyio.sleep(1.2)  # a's pool has been in use longer than the keep-alive
                assert (await fetcher.get(b + "/")).body == b"hej"  # this request sweeps idle pools
                assert int(a.rsplit(":", 1)[1]) in [key[2] for key in fetcher.transport.pools]
            assert got["slow"] == b"forst sist"
        finally:
            await fetcher.aclose()

    anyio.run(scenario)
