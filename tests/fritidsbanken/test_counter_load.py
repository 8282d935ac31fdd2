"""A burst of counter pages on a real uvicorn server. The counter renders
inside its own database session and the menu opens a second one for the
staff's links, so each page holds two connections at once. With views in
the thread pool, a pool smaller than two connections per thread left every
thread holding one and waiting for another: 22 of 40 pages failed after the
pool's 30 s time-out (found in review). core.db sizes the pool to the
threads core.app allows."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from core.app import create_app
from tests.federation.harness import Server, free_port
from tests.fritidsbanken.conftest import World
from tests.test_event_loop import logged_in

BURST = 40


def test_forty_counter_pages_at_once_all_answer(world: World):
    server = Server(create_app(world.site), free_port())
    server.start()
    try:
        staff = logged_in(server.url, "disk@test.example")
        cookies = dict(staff.cookies)
        staff.close()

        def one(_: int) -> int:
            with httpx.Client(base_url=server.url, cookies=cookies, timeout=60) as client:
                return client.get("/fritidsbanken/disk").status_code

        started = time.monotonic()
        with ThreadPoolExecutor(BURST) as pool:
            codes = list(pool.map(one, range(BURST)))
        took = time.monotonic() - started
    finally:
        server.stop()
    assert codes == [200] * BURST, {code: codes.count(code) for code in set(codes)}
    assert took < 20, f"{BURST} counter pages took {took:.0f} s"
