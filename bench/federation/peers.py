"""Simulated peers for the federation benchmark: one process, one uvicorn
server listening on many loopback sockets (one per peer, handed over by
the benchmark), each port a different peer serving pre-built documents
with ETags, and a WebSub callback that confirms and accepts deliveries.

Run by ``bench/federation/run.py``; not meant to be started by hand.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import socket
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import uvicorn

PUSHED = re.compile(rb"<title>(Pushad nyhet [^<]*)</title>")


def load(folder: Path, count: int) -> list[dict[str, bytes]]:
    docs = []
    for i in range(count):
        peer = folder / f"peer{i:03d}"
        docs.append({p.name: p.read_bytes() for p in peer.iterdir()})
    return docs


def make_app(docs: list[dict[str, bytes]], ports: list[int]) -> Any:
    index = {port: i for i, port in enumerate(ports)}
    etags = [{name: '"' + hashlib.sha256(body).hexdigest()[:32] + '"' for name, body in d.items()} for d in docs]
    counts = {"200": 0, "304": 0, "deliveries": 0}
    #: When each pushed title first reached each peer (wall clock), for the hub's fan-out latency.
    arrivals: dict[str, dict[int, float]] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        peer = index.get(scope["server"][1], 0)
        path = scope["path"]
        headers = dict(scope["headers"])

        async def answer(status: int, body: bytes = b"", extra: list[tuple[bytes, bytes]] | None = None) -> None:
            await send({"type": "http.response.start", "status": status, "headers": extra or []})
            await send({"type": "http.response.body", "body": body})

        if path == "/stats":
            await answer(200, json.dumps(counts).encode(), [(b"content-type", b"application/json")])
            return
        if path == "/arrivals":
            times = {title: list(by_peer.values()) for title, by_peer in arrivals.items()}
            await answer(200, json.dumps(times).encode(), [(b"content-type", b"application/json")])
            return
        if path == "/cb":
            if scope["method"] == "GET":
                query = parse_qs(scope["query_string"].decode())
                await answer(200, query.get("hub.challenge", [""])[0].encode())
                return
            more, body = True, b""
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
            now = time.time()
            for title in PUSHED.findall(body):
                arrivals.setdefault(title.decode(), {}).setdefault(peer, now)
            counts["deliveries"] += 1
            await answer(202)
            return
        name = path.lstrip("/").replace("/", "_").replace(".well-known_paraply", "well-known.json")
        body = docs[peer].get(name)
        if body is None:
            await answer(404)
            return
        etag = etags[peer][name].encode()
        if headers.get(b"if-none-match") == etag:
            counts["304"] += 1
            await answer(304, b"", [(b"etag", etag)])
            return
        counts["200"] += 1
        kind = b"application/json" if name.endswith(".json") else b"application/atom+xml; charset=utf-8"
        await answer(200, body, [(b"content-type", kind), (b"etag", etag)])

    return app


def main() -> None:
    folder, count = Path(sys.argv[1]), int(sys.argv[2])
    fds = [int(fd) for fd in sys.argv[3].split(",")]
    sockets = [socket.socket(fileno=fd) for fd in fds]
    ports = [s.getsockname()[1] for s in sockets]
    app = make_app(load(folder, count), ports)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False, backlog=4096)
    server = uvicorn.Server(config)
    asyncio.run(server.serve(sockets=sockets))


if __name__ == "__main__":
    main()
