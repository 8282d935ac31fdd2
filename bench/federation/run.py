"""Federation benchmark: 300 simulated peers on loopback.

    .venv/bin/python bench/federation/run.py [--peers 300] [--news 50] [--members 40] [--pushes 40]

Prints, against the targets of issue 3:

1. first sync of every peer (discovery, news and members feeds) through the
   real poller: time and entries per second, against feedparser's own parse
   of the same documents (default options, and with sanitizing and URI
   resolution off, which is how federation calls it);
2. a re-sync of the unchanged feeds (every answer a 304): target < 2 s.
   Measured after the keep-alive has run out, as a real re-sync a poll
   interval later, and once more at once over open connections. Each
   peer's ``/.well-known/paraply`` lists its feeds' versions, so an
   unchanged peer costs one conditional request;
3. publish-to-visible latency by push between two real sites, first with
   the receiver as the hub's only subscriber, then while the hub also
   delivers to the 300 simulated peers: p50 and p95, target p95 < 1 s;
   and, for those crowded pushes, publish-to-arrival at every one of the
   300 simulated peers (the hub's whole fan-out);
4. peak memory (RSS) of the consuming process.

The peers run in a second process (``peers.py``): one uvicorn server on
one socket per peer, so each peer is its own origin. The consuming site uses
SQLite in a temporary folder unless ``--database-url`` says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PARAPLY_SECRET_KEY", "bench-secret-not-for-production")

import feedparser  # noqa: E402
import httpx  # noqa: E402
import uvicorn  # noqa: E402
from feedgen.feed import FeedGenerator  # noqa: E402
from sqlmodel import func, select  # noqa: E402

from core import migrate  # noqa: E402
from core.app import create_app  # noqa: E402
from core.models import utcnow  # noqa: E402
from core.site import Site  # noqa: E402
from federation import feedext  # noqa: E402
from federation.kinds import FeedItem  # noqa: E402
from federation.models import Entry, FeedState, Peer, Subscription  # noqa: E402
from federation.publish import add_entry, etag_for  # noqa: E402
from federation.runtime import Federation  # noqa: E402
from plugins.webportal.models import News  # noqa: E402

PARAGRAPH = (
    "<p>Föreningen bjuder in till öppet hus i Föreningarnas hus på lördag klockan tio. Vi visar hur vi arbetar "
    "med barn och unga, berättar om höstens aktiviteter och bjuder på kaffe. Alla är välkomna, även du som "
    "aldrig varit med i en förening tidigare. <a href='https://exempel.se/program'>Läs hela programmet</a>.</p>"
)
CONTENT = PARAGRAPH * 3 + "<ul><li>Fika</li><li>Prova-på</li><li>Information</li></ul>"  # about 1.4 KB


def free_sockets(count: int) -> list[socket.socket]:
    found = []
    for _ in range(count):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(1024)
        s.set_inheritable(True)
        found.append(s)
    return found


def feed(base: str, kind: str, items: list[FeedItem], complete: bool) -> bytes:
    fg = FeedGenerator()
    feedext.register(fg)
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(f"tag:{base.split('//')[1].replace(':', '-')}.example,2026:{kind}")
    fg.title(f"{kind} från granne")
    fg.link(href=f"{base}/{kind}.atom", rel="self")
    fg.link(href=base + "/", rel="alternate")
    fg.updated(max(i.updated for i in items))
    fg.paraply.kind = kind
    fg.paraply.complete = complete
    for item in items:
        add_entry(fg, item)
    return fg.atom_str(pretty=True)


def build_documents(folder: Path, ports: list[int], news: int, members: int) -> list[Path]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    paths = []
    for i, port in enumerate(ports):
        base = f"http://127.0.0.1:{port}"
        authority = f"granne{i:03d}.example"
        peer = folder / f"peer{i:03d}"
        peer.mkdir(parents=True)
        news_items = [
            FeedItem(
                id=f"tag:{authority},2026:news/{n}",
                title=f"Nyhet {n} från granne {i}: öppet hus och prova-på",
                link=f"{base}/nyheter/{n}",
                published=start + timedelta(hours=n),
                updated=start + timedelta(hours=n),
                summary="Kaffe, information och prova-på för alla åldrar.",
                content_html=CONTENT,
                author="Granne",
                categories=("Kultur",),
                fields={"association": f"Förening {n % 7}", "municipality": "Karlskoga"},
            )
            for n in range(news)
        ]
        member_items = [
            FeedItem(
                id=f"tag:{authority},2026:members/{n}",
                title=f"Förening {n} hos granne {i}",
                link=f"{base}/foreningar/{n}",
                published=start,
                updated=start,
                summary="Vi spelar, sjunger och fikar tillsammans varje vecka.",
                content_html=PARAGRAPH,
                categories=("Idrott",),
                fields={"category": "Idrott", "municipality": "Filipstad", "website": "https://exempel.se/"},
            )
            for n in range(members)
        ]
        (peer / "news.atom").write_bytes(feed(base, "news", news_items, False))
        (peer / "members.atom").write_bytes(feed(base, "members", member_items, True))
        # As a Paraply site's: each feed's version is its ETag (peers.py sends the same).
        discovery = {
            "name": f"Granne {i:03d}",
            "hub": "",
            "feeds": {
                kind: {"atom": f"{base}/{kind}.atom", "version": etag_for((peer / f"{kind}.atom").read_bytes())}
                for kind in ("news", "members")
            },
        }
        (peer / "well-known.json").write_text(json.dumps(discovery))
        paths += [peer / "news.atom", peer / "members.atom"]
    return paths


def site_folder(root: Path, slug: str, name: str, port: int, peers: list[tuple[str, str]], push: bool) -> Path:
    folder = root / "sites" / slug
    folder.mkdir(parents=True)
    body = textwrap.dedent(
        f"""
        [site]
        name = "{name}"
        base_url = "http://127.0.0.1:{port}"
        plugins = ["webportal"]

        [federation]
        push = {"true" if push else "false"}
        poll_interval = 300
        timeout = 30
        """
    )
    for peer_name, url in peers:
        body += f'\n[[federation.peers]]\nname = "{peer_name}"\nurl = "{url}"\nallow_private = true\n'
    (folder / "site.toml").write_text(body, encoding="utf-8")
    return folder


def load_site(folder: Path, root: Path, database_url: str | None) -> Site:
    slug = folder.name
    url = database_url or f"sqlite:///{root / (slug + '.db')}"
    site = Site.load(folder, database_url=url, data_dir=root / "data" / slug)
    migrate.upgrade(site)
    return site


class Served:
    def __init__(self, app: object, sock: socket.socket) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False))
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve(sockets=[sock])), daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


async def poll_all(runtime: object, ids: list[int]) -> float:
    """Poll every peer now, as the poller's rounds do."""
    started = time.perf_counter()
    await runtime.poll_peers(ids)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def bare_parse(paths: list[Path], **options: bool) -> float:
    bodies = [p.read_bytes() for p in paths]
    started = time.perf_counter()
    for body in bodies:
        feedparser.parse(body, **options)
    return time.perf_counter() - started


def pushes(publisher: Site, subscriber: Site, count: int, label: str, published: dict[str, float]) -> list[float]:
    """Publish ``count`` news items one at a time; seconds until each is in
    the subscriber's database (checked every 10 ms). ``published`` gets
    each title's publishing time (wall clock, for the simulated peers)."""
    latencies = []
    for n in range(count):
        title = f"Pushad nyhet {label} {n}"
        published[title] = time.time()
        started = time.perf_counter()
        with publisher.session() as db:
            db.add(News(title=title, published_at=utcnow(), updated_at=utcnow()))
        while True:
            with subscriber.session() as db:
                if db.exec(select(Entry.id).where(Entry.title == title)).first() is not None:
                    break
            if time.perf_counter() - started > 60:
                raise SystemExit(f"{title} never arrived by push")
            time.sleep(0.01)
        latencies.append(time.perf_counter() - started)
        time.sleep(0.1)
    return latencies


def fanout_latencies(port: int, published: dict[str, float], peers: int) -> list[float]:
    """Seconds from publishing to arrival at every simulated peer, for the
    crowded pushes (waits up to 60 s for the last deliveries)."""
    wanted = {title for title in published if "trängsel" in title}
    deadline = time.monotonic() + 60
    while True:
        arrivals = httpx.get(f"http://127.0.0.1:{port}/arrivals", timeout=10).json()
        if all(len(arrivals.get(t, [])) >= peers for t in wanted) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return [at - published[title] for title in wanted for at in arrivals.get(title, [])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", type=int, default=300)
    parser.add_argument("--news", type=int, default=50)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--pushes", type=int, default=40)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="paraply-bench-"))
    sockets = free_sockets(args.peers)
    ports = [s.getsockname()[1] for s in sockets]
    print(f"Bygger dokument för {args.peers} grannar ({args.news} nyheter, {args.members} föreningar var) …")
    paths = build_documents(root / "docs", ports, args.news, args.members)
    fds = ",".join(str(s.fileno()) for s in sockets)
    peers_process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("peers.py")), str(root / "docs"), str(args.peers), fds],
        pass_fds=[s.fileno() for s in sockets],
    )
    for s in sockets:
        s.close()
    try:
        run(args, root, ports, paths)
    finally:
        peers_process.terminate()
        peers_process.wait(10)


def run(args: argparse.Namespace, root: Path, ports: list[int], paths: list[Path]) -> None:
    stats_url = f"http://127.0.0.1:{ports[0]}/stats"
    for _ in range(200):
        try:
            httpx.get(stats_url, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)

    # -- 1 and 2: first sync and unchanged re-sync ---------------------------------------------------
    peers = [(f"Granne {i:03d}", f"http://127.0.0.1:{port}") for i, port in enumerate(ports)]
    consumer_socket = free_sockets(1)[0]
    folder = site_folder(root, "konsument", "Konsumentföreningarna", consumer_socket.getsockname()[1], peers, False)
    site = load_site(folder, root, args.database_url)
    create_app(site)
    runtime = Federation.of(site)
    runtime.sync_peers(reset=True)
    with site.session() as db:
        ids = [p.id for p in db.exec(select(Peer)).all()]

    cpu: dict[str, float] = {}

    async def syncs() -> tuple[float, float, float]:
        runtime.loop = asyncio.get_running_loop()
        started = time.process_time()
        first = await poll_all(runtime, ids)
        cpu["first"] = time.process_time() - started
        # A real re-sync comes a poll interval later, when every kept-alive
        # connection has been closed: wait past the keep-alive first.
        await asyncio.sleep(6)
        before = httpx.get(stats_url).json()
        started = time.process_time()
        second = await poll_all(runtime, ids)
        cpu["second"] = time.process_time() - started
        after = httpx.get(stats_url).json()
        runtime.not_modified = after["304"] - before["304"]
        runtime.refetched = after["200"] - before["200"]
        started = time.process_time()
        warm = await poll_all(runtime, ids)
        cpu["warm"] = time.process_time() - started
        await runtime.fetcher.aclose()
        return first, second, warm

    first, second, warm = asyncio.run(syncs())
    with site.session() as db:
        entries = int(db.exec(select(func.count()).select_from(Entry)).one())
        errors = [p.last_error for p in db.exec(select(Peer).where(Peer.last_error != "")).all()]
    expected = args.peers * (args.news + args.members)
    started = time.process_time()
    default_parse = bare_parse(paths)
    cpu["default"] = time.process_time() - started
    started = time.process_time()
    lean_parse = bare_parse(paths, sanitize_html=False, resolve_relative_uris=False)
    cpu["lean"] = time.process_time() - started
    site.dispose()

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print()
    print(f"Maskinens belastning (load average 1/5/15 min): {load} på {os.cpu_count()} kärnor.")
    print("Tider är väggtid; inom parentes den konsumerande processens CPU-tid.")
    print(
        f"Första synkningen: {first:.2f} s ({cpu['first']:.2f} s CPU) för {args.peers} grannar, {entries} poster "
        f"({entries / first:,.0f} poster/s); väntat {expected}; fel: {len(errors)}"
    )
    if errors:
        print("  första felet:", errors[0])
    print(
        f"  feedparser.parse av samma {len(paths)} dokument: {default_parse:.2f} s ({cpu['default']:.2f} s CPU) "
        f"med standardval ({entries / default_parse:,.0f} poster/s); {lean_parse:.2f} s ({cpu['lean']:.2f} s CPU) "
        "utan sanering och URI-upplösning"
    )
    print(
        f"  kvot synk/feedparser, väggtid: {first / default_parse:.2f}x mot standardval, "
        f"{first / lean_parse:.2f}x mot utan sanering; CPU-tid: {cpu['first'] / cpu['default']:.2f}x och "
        f"{cpu['first'] / cpu['lean']:.2f}x (mål: högst 1,5x)"
    )
    print(
        f"Omsynkning, oförändrade flöden, nya anslutningar: {second:.2f} s ({cpu['second']:.2f} s CPU); "
        f"{runtime.not_modified} svar 304 (ett per granne: upptäcktsdokumentet), {runtime.refetched} svar 200 "
        "(mål: under 2 s)"
    )
    print(f"  direkt igen, över öppna anslutningar: {warm:.2f} s ({cpu['warm']:.2f} s CPU)")

    # -- 3: push latency -------------------------------------------------------------------------------
    publisher_socket, subscriber_socket = free_sockets(2)
    publisher_url = f"http://127.0.0.1:{publisher_socket.getsockname()[1]}"
    subscriber_url = f"http://127.0.0.1:{subscriber_socket.getsockname()[1]}"
    publisher = load_site(
        site_folder(
            root,
            "avsandare",
            "Möckelnföreningarna",
            publisher_socket.getsockname()[1],
            [("Filipstads föreningar", subscriber_url)],
            True,
        ),
        root,
        None if args.database_url is None else args.database_url,
    )
    subscriber = load_site(
        site_folder(
            root,
            "mottagare",
            "Filipstads föreningar",
            subscriber_socket.getsockname()[1],
            [("Möckelnföreningarna", publisher_url)],
            True,
        ),
        root,
        None if args.database_url is None else args.database_url,
    )
    publisher_app, subscriber_app = create_app(publisher), create_app(subscriber)
    hub_runtime = Federation.of(publisher_app.state.site)
    topic = f"{publisher_url}/-/federation/news.atom"
    servers = [Served(publisher_app, publisher_socket), Served(subscriber_app, subscriber_socket)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with subscriber.session() as db:
                leases = [s.lease_until for s in db.exec(select(FeedState)).all()]
            if len(leases) == 2 and all(leases):
                break
            time.sleep(0.05)
        else:
            raise SystemExit("the subscriber never subscribed to the publisher's hub")
        published: dict[str, float] = {}
        alone = pushes(publisher, subscriber, args.pushes, "ensam", published)
        with publisher.session() as db:
            for port in ports:
                hub_runtime.fetcher.allow(f"http://127.0.0.1:{port}")
                db.add(
                    Subscription(
                        topic=topic,
                        callback=f"http://127.0.0.1:{port}/cb",
                        secret="s",
                        lease_until=utcnow() + timedelta(days=1),
                    )
                )
        crowded = pushes(publisher, subscriber, args.pushes, "trängsel", published)
        fanout = fanout_latencies(ports[0], published, args.peers)
        deliveries = httpx.get(stats_url).json()["deliveries"]
    finally:
        for server in servers:
            server.stop()
    for label, latencies in (("en prenumerant", alone), (f"{args.peers + 1} prenumeranter", crowded)):
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
        print(
            f"Push, publicerat till synligt hos mottagaren ({args.pushes} nyheter, navet har {label}): "
            f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (mål: p95 under 1 s)"
        )
    fanout.sort()
    expected_arrivals = args.peers * args.pushes
    print(
        f"Push, publicerat till framme hos var och en av de {args.peers} simulerade grannarna "
        f"({len(fanout)} av {expected_arrivals} ankomster): p50 {statistics.median(fanout) * 1000:.0f} ms, "
        f"p95 {fanout[max(0, int(round(0.95 * len(fanout))) - 1)] * 1000:.0f} ms, "
        f"längst {fanout[-1] * 1000:.0f} ms"
    )
    print(f"  leveranser till de simulerade grannarna: {deliveries}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Högsta minnesanvändning (RSS) i den konsumerande processen: {peak:.0f} MB")


if __name__ == "__main__":
    main()
