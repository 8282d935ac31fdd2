"""Soak and fault run (issue 18): four federated sites on real uvicorn
servers under mixed traffic, with faults injected, then a check that nothing
accepted was lost or stored twice. It prints figures; it asserts nothing
(the exit code is 1 when something was lost, duplicated or failed outside a
fault window, so a person running it sees that at once).

    .venv/bin/python bench/soak.py                          # PostgreSQL (2 workers a site), then SQLite (1)
    .venv/bin/python bench/soak.py --database sqlite --minutes 2
    .venv/bin/python bench/soak.py --database postgresql --minutes 10 --rate 20

What it does, per database:

1. Four sites (webportal and federation, push on, each the others' peer) in
   a temporary folder, each its own database (PostgreSQL: a throw-away
   cluster, tests/pg.py; SQLite: a file each), migrated, with an admin.
   Each is served by ``paraply serve --workers N`` in a process group of
   its own.
2. Capacity: 10 s of the traffic mix as fast as 8 clients go; the soak then
   runs open-loop at half of it (``--rate`` overrides).
3. The soak: pages (front page, news list, a news item, the directory),
   searches, Atom feeds, and the admin publishing news (a form POST with
   CSRF; one in five with a picture upload), which each site pushes to its
   three peers over WebSub. Faults, each in its own window:
   - PostgreSQL restarted (``pg_ctl restart -m fast``; PostgreSQL only);
   - one worker of the first site killed with SIGKILL (uvicorn's supervisor
     starts another; with one worker the whole server is killed and started
     again, as systemd would);
   - the fourth site (a peer) killed with SIGKILL while pushes are under way,
     and started again 10 s later: what it missed arrives by polling;
   - the upload disk full: the first site's uploads folder is a small tmpfs
     (mounted here; needs root, else this fault is skipped and said so),
     filled to the last byte and emptied again.
   Mail: one request in twenty is the admin inviting a new person
   (``/-/admin/anvandare/ny``), whose account and invitation e-mail are
   written in one transaction; the sites send through core's outbox to a
   real SMTP server (aiosmtpd) on 127.0.0.1 that this script runs.
4. Afterwards: every news item an accepted POST (303) created is in its
   site's database exactly once, has arrived at each of the three peers
   exactly once (waiting up to ``--settle`` seconds), and no 5xx happened
   outside a fault window (window: the fault's start to 15 s after its end);
   memory (the RSS of every server process) at the end of warm-up (20 % of
   the run) and at the end; and every accepted invitation's e-mail reached
   the SMTP server exactly once, or is "in doubt" (claimed by a worker that
   was killed mid-send: the outbox never sends those again by itself, the
   admin page shows them), never twice and never missing.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "soak-secret-key-not-for-production"
os.environ.setdefault("PARAPLY_SECRET_KEY", SECRET)
os.environ.setdefault("PARAPLY_CHEAP_HASHING", "1")
os.environ.setdefault("PARAPLY_METRICS_TOKEN", "soak-metrics-token")

from aiosmtpd.controller import Controller  # noqa: E402
from PIL import Image  # noqa: E402
from sqlalchemy import create_engine, func, text  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from bench.processes import free_port  # noqa: E402
from core import migrate  # noqa: E402
from core.accounts import create_user  # noqa: E402
from core.models import Role  # noqa: E402
from core.site import Site  # noqa: E402
from core.testing import SmtpInbox, smtp_settings  # noqa: E402

SITES = [("soak-mockeln", "Möckeln (soak)"), ("soak-kristinehamn", "Kristinehamn (soak)"),
         ("soak-storfors", "Storfors (soak)"), ("soak-filipstad", "Filipstad (soak)")]  # fmt: skip
ADMIN = ("admin@soak.example", "soak-losenord-123")
GRACE = 15.0
#: Room for a 10-minute run's pictures (about 90 MB at 45 req/s): a 2 MB disk
#: filled itself in 44 s, so every write with a picture failed outside the window.
UPLOAD_DISK = "512m"
WORDS = ["fotboll", "kör", "schack", "odling", "möte", "dans", "bibliotek", "simning"]


def load() -> float:
    return os.getloadavg()[0]


def png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((200, 150), 60).convert("RGB").save(out, format="PNG")
    return out.getvalue()


@dataclass
class Server:
    slug: str
    name: str
    port: int
    folder: Path
    database_url: str
    workers: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "PARAPLY_SITE": str(self.folder), "PARAPLY_DATABASE_URL": self.database_url}
        # ``paraply serve`` itself: uvicorn with the options a site ships with
        # (core.proxies.SERVER_OPTIONS: proxy headers off, idle keep-alive).
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), "-c", "from core.cli import cli; cli()", "serve",
             "--site", str(self.folder), "--port", str(self.port), "--workers", str(self.workers)],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=self.log_file(),
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/", timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"{self.slug} did not start")

    def log_file(self) -> BinaryIO:
        """The server's stderr, appended to across restarts: the tracebacks
        behind a 5xx, summed up at the end (``errors_in_logs``)."""
        return open(self.folder / "server.log", "ab")  # noqa: SIM115 (the child keeps it)

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers)."""
        assert self.process is not None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(10)

    def pids(self) -> list[int]:
        """The server's processes: the master and its children."""
        if self.process is None or self.process.poll() is not None:
            return []
        found = [self.process.pid]
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            found += [int(p) for p in task.read_text().split()]
        return found

    def rss_mib(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            total += int(match.group(1)) if match else 0
        return total / 1024

    def sqlite_mib(self) -> float | None:
        """What SQLite's library holds in the server (``/-/metrics``; one
        worker's share with several): its part of the RSS."""
        token = os.environ["PARAPLY_METRICS_TOKEN"]
        try:
            answer = httpx.get(self.url + "/-/metrics", timeout=5, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError:
            return None
        match = re.search(r"^paraply_sqlite_memory_bytes (\S+)$", answer.text, re.MULTILINE)
        return float(match.group(1)) / 2**20 if match else None


@dataclass
class Tally:
    started: float = field(default_factory=time.monotonic)
    counts: dict[str, int] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    errors: list[tuple[float, float, str]] = field(default_factory=list)  # (sent, ended: seconds since start; what)
    accepted: dict[str, list[str]] = field(default_factory=dict)  # site slug -> titles of accepted news
    invited: dict[str, list[str]] = field(default_factory=dict)  # site slug -> addresses of accepted invitations
    windows: list[tuple[str, float, float]] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def in_window(self, error: tuple[float, float, str], start: float, end: float) -> bool:
        """Under way at some moment of the window (a request sent just
        before a kill and cut off by it is the fault's)."""
        return error[0] <= end + GRACE and error[1] >= start

    def outside_windows(self) -> list[tuple[float, float, str]]:
        return [e for e in self.errors if not any(self.in_window(e, start, end) for _n, start, end in self.windows)]


class Visitor:
    """An admin's browser on one site: signed in, with the CSRF cookie."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.client = httpx.AsyncClient(base_url=server.url, timeout=30, follow_redirects=False)
        self.token = ""

    async def sign_in(self) -> None:
        page = await self.client.get("/konto/logga-in")
        self.token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        answer = await self.client.post(
            "/konto/logga-in", data={"csrftoken": self.token, "email": ADMIN[0], "password": ADMIN[1]}
        )
        if answer.status_code != 303:
            raise SystemExit(f"{self.server.slug}: sign-in answered {answer.status_code}")
        page = await self.client.get("/nyheter/ny")
        self.token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


async def one_request(visitor: Visitor, tally: Tally, serial: int, picture: bytes) -> None:
    kind = random.choices(["page", "search", "feed", "write", "mail"], weights=[55, 20, 10, 10, 5])[0]
    server = visitor.server.slug
    started = time.monotonic()
    try:
        if kind == "page":
            path = random.choice(["/", "/nyheter", "/foreningar", "/nyheter/1", "/natverket"])
            answer = await visitor.client.get(path)
        elif kind == "search":
            answer = await visitor.client.get("/sok", params={"q": random.choice(WORDS)})
        elif kind == "feed":
            answer = await visitor.client.get("/nyheter.atom")
        elif kind == "mail":
            address = f"inbjuden-{serial}@{visitor.server.slug}.example"
            data = {"csrftoken": visitor.token, "name": f"Inbjuden {serial}", "email": address, "role": "none",
                    "is_active": "y"}  # fmt: skip
            answer = await visitor.client.post("/-/admin/anvandare/ny", data=data)
            if answer.status_code == 303:
                tally.invited.setdefault(visitor.server.slug, []).append(address)
        else:
            title = f"Soak {visitor.server.slug} {serial} {random.choice(WORDS)}"
            data = {"csrftoken": visitor.token, "title": title, "summary": "Från soak-körningen.", "body": "Text.",
                    "association": "", "published": "y", "image_alt": "Brus i färg"}  # fmt: skip
            files = {"image_file": ("bild.png", picture, "image/png")} if serial % 5 == 0 else None
            answer = await visitor.client.post("/nyheter/ny", data=data, files=files)
            if answer.status_code == 303:
                tally.accepted.setdefault(visitor.server.slug, []).append(title)
        status = answer.status_code
        tally.note(f"{kind} {status // 100}xx")
        if status >= 500:
            tally.errors.append(
                (started - tally.started, time.monotonic() - tally.started, f"{server} {kind} {status}")
            )
    except httpx.HTTPError as exc:
        tally.note(f"{kind} no answer")
        tally.errors.append(
            (started - tally.started, time.monotonic() - tally.started, f"{server} {kind} {type(exc).__name__}")
        )
    tally.times.append(time.monotonic() - started)


async def capacity(visitors: list[Visitor], seconds: float, picture: bytes) -> float:
    tally = Tally()
    stop = time.monotonic() + seconds
    serial = iter(range(10**9))

    async def client(n: int) -> None:
        while time.monotonic() < stop:
            # Numbers far above the soak's own, so no title repeats one of its.
            await one_request(visitors[n % len(visitors)], tally, 10**8 + next(serial) * 7 + 1, picture)

    await asyncio.gather(*(client(n) for n in range(8)))
    return len(tally.times) / seconds


@dataclass
class Faults:
    servers: list[Server]
    cluster: object | None
    uploads: Path | None
    tally: Tally

    async def window(self, name: str, coro: object) -> None:
        start = time.monotonic() - self.tally.started
        try:
            await coro  # type: ignore[misc]
        finally:
            self.tally.windows.append((name, start, time.monotonic() - self.tally.started))

    async def restart_postgresql(self) -> None:
        cluster = self.cluster
        assert cluster is not None
        # -l: the restarted server must not inherit our pipes, or pg_ctl's
        # output would never end and this would wait for ever.
        await asyncio.to_thread(cluster._run, "pg_ctl", "-D", str(cluster.datadir), "-m", "fast", "-w", "restart",  # type: ignore[attr-defined]
                                "-l", str(cluster.datadir / "server.log"),  # type: ignore[attr-defined]
                                "-o", f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {cluster.datadir} "  # type: ignore[attr-defined]
                                "-c max_connections=200")  # fmt: skip

    async def kill_worker(self) -> None:
        server = self.servers[0]
        children = server.pids()[1:]
        if server.workers > 1 and children:
            os.kill(children[0], signal.SIGKILL)
            await asyncio.sleep(10)  # uvicorn's supervisor starts another
        else:
            await asyncio.to_thread(server.kill)
            await asyncio.to_thread(server.start)

    async def kill_peer(self) -> None:
        peer = self.servers[3]
        await asyncio.to_thread(peer.kill)
        await asyncio.sleep(10)
        await asyncio.to_thread(peer.start)

    async def fill_disk(self) -> None:
        assert self.uploads is not None
        filler = self.uploads / "fyllnad.bin"
        try:
            # Unbuffered: with a buffer, closing the file wrote the failed
            # block again and raised, and the disk stayed full to the end.
            with filler.open("wb", buffering=0) as out:
                try:
                    while True:
                        out.write(b"\0" * 65536)
                except OSError:
                    pass
            await asyncio.sleep(15)
        finally:
            filler.unlink(missing_ok=True)


async def soak(servers: list[Server], minutes: float, rate: float | None, cluster: object | None,
               uploads: Path | None) -> tuple[Tally, float, float, dict[str, tuple[float, float]]]:  # fmt: skip
    picture = png()
    visitors = [Visitor(s) for s in servers]
    for v in visitors:
        await v.sign_in()
    measured = await capacity(visitors, 10, picture)
    target = rate or max(measured / 2, 1.0)
    tally = Tally()
    duration = minutes * 60
    faults = Faults(servers, cluster, uploads, tally)
    plan: list[tuple[float, str, object]] = []
    if cluster is not None:
        plan.append((0.25, "PostgreSQL restarted", faults.restart_postgresql))
    plan.append((0.4, "a worker killed (SIGKILL)", faults.kill_worker))
    plan.append((0.55, "a peer killed mid-push", faults.kill_peer))
    if uploads is not None:
        plan.append((0.7, "upload disk full", faults.fill_disk))
    memory: dict[str, tuple[float, float]] = {}
    pending: set[asyncio.Task[None]] = set()
    fault_tasks: list[asyncio.Task[None]] = []
    serial = 0
    warmed = False
    tenth = 1  # RSS printed at every tenth of the run: a leak climbs, a filling cache levels off
    while (elapsed := time.monotonic() - tally.started) < duration:
        if elapsed >= tenth * duration / 10:
            sizes = " ".join(f"{s.rss_mib():.0f}" for s in servers)
            held = " ".join(f"{m:.1f}" if (m := s.sqlite_mib()) is not None else "-" for s in servers)
            print(f"  {elapsed:6.1f} s  RSS of the four sites (MiB): {sizes}; SQLite's part: {held}", flush=True)
            tenth += 1
        for at, name, action in list(plan):
            if elapsed >= at * duration:
                plan.remove((at, name, action))
                print(f"  {elapsed:6.1f} s  fault: {name}", flush=True)
                fault_tasks.append(asyncio.create_task(faults.window(name, action())))  # type: ignore[operator]
        if not warmed and elapsed >= 0.2 * duration:
            warmed = True
            memory = {s.slug: (s.rss_mib(), 0.0) for s in servers}
        serial += 1
        visitor = visitors[serial % len(visitors)]
        task = asyncio.create_task(one_request(visitor, tally, serial, picture))
        pending.add(task)
        task.add_done_callback(pending.discard)
        await asyncio.sleep(1 / target)
    # A fault that never ends (a hung restart) is reported, not waited for.
    _done, stuck = await asyncio.wait([*pending, *fault_tasks], timeout=180) if pending or fault_tasks else ((), ())
    for task in stuck:
        print(f"  still running after the soak, cancelled: {task.get_coro()}")
        task.cancel()
    memory = {s.slug: (memory.get(s.slug, (0.0, 0.0))[0], s.rss_mib()) for s in servers}
    for v in visitors:
        await v.client.aclose()
    return tally, measured, target, memory


def count_everywhere(servers: list[Server], tally: Tally, settle: float) -> tuple[list[str], float]:
    """Problems (lost or doubled items), and seconds waited for federation."""
    from federation.models import Entry, Peer
    from plugins.webportal.models import News

    engines = {s.slug: create_engine(s.database_url.replace("postgresql://", "postgresql+psycopg://")) for s in servers}
    started = time.monotonic()
    while True:
        problems: list[str] = []
        for origin in servers:
            titles = tally.accepted.get(origin.slug, [])
            with Session(engines[origin.slug]) as db:
                stored = dict(db.exec(select(News.title, func.count()).group_by(News.title)).all())  # type: ignore[arg-type]
            problems += [f"{origin.slug}: accepted '{t}' stored {stored.get(t, 0)} times" for t in titles
                         if stored.get(t, 0) != 1]  # fmt: skip
            for peer in servers:
                if peer is origin:
                    continue
                with Session(engines[peer.slug]) as db:
                    peer_id = db.exec(select(Peer.id).where(Peer.url == origin.url)).first()
                    got = dict(db.exec(select(Entry.title, func.count()).where(
                        Entry.peer_id == peer_id, Entry.kind == "news").group_by(Entry.title)).all())  # type: ignore[arg-type]  # fmt: skip
                problems += [f"{origin.slug} -> {peer.slug}: '{t}' arrived {got.get(t, 0)} times" for t in titles
                             if got.get(t, 0) != 1]  # fmt: skip
        waited = time.monotonic() - started
        if not problems or waited > settle:
            for engine in engines.values():
                engine.dispose()
            return problems, waited
        time.sleep(2)


def count_mail(servers: list[Server], tally: Tally, inbox: SmtpInbox, settle: float) -> tuple[list[str], int, float]:
    """Problems (an accepted invitation's e-mail missing, or received more
    than once), messages in doubt, and seconds waited for the outboxes."""
    from core.models import OutboxMessage

    engines = {s.slug: create_engine(s.database_url.replace("postgresql://", "postgresql+psycopg://")) for s in servers}
    started = time.monotonic()
    while True:
        received = Counter(address for _sender, recipients in list(inbox.envelopes) for address in recipients)
        problems: list[str] = []
        doubt = 0
        for server in servers:
            addresses = tally.invited.get(server.slug, [])
            problems += [f"{server.slug}: the invitation to {a} arrived {received[a]} times" for a in addresses
                         if received[a] > 1]  # fmt: skip
            missing = [a for a in addresses if received[a] == 0]
            if not missing:
                continue
            columns = (OutboxMessage.to_address, OutboxMessage.sent_at, OutboxMessage.claimed_until,
                       OutboxMessage.last_error)  # fmt: skip
            with Session(engines[server.slug]) as db:
                found = db.exec(select(*columns).where(col(OutboxMessage.to_address).in_(missing))).all()
            rows = {row[0]: row for row in found}
            for address in missing:
                row = rows.get(address)
                if row is None:
                    problems.append(f"{server.slug}: the invitation to {address} is not in the outbox")
                elif row[1] is None and row[2] is not None and _utc(row[2]) < datetime.now(UTC) - timedelta(minutes=1):
                    doubt += 1  # claimed by a worker that is gone: in doubt, shown to the admin
                elif row[1] is not None:
                    problems.append(f"{server.slug}: the invitation to {address} is marked sent, never received")
                else:
                    problems.append(f"{server.slug}: the invitation to {address} is still waiting ({row[3][:80]})")
        waited = time.monotonic() - started
        if not problems or waited > settle:
            for engine in engines.values():
                engine.dispose()
            return problems, doubt, waited
        time.sleep(2)


def _utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC one (SQLite gives it back naive)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def site_folder(root: Path, slug: str, name: str, port: int, peers: list[Server], mail: str) -> Path:
    folder = root / "sites" / slug
    folder.mkdir(parents=True)
    body = textwrap.dedent(f"""
        [site]
        name = "{name}"
        base_url = "http://127.0.0.1:{port}"
        plugins = ["webportal"]
        data_dir = "{root / "data" / slug}"

        [federation]
        push = true
        poll_interval = 20
        timeout = 10
        """)  # fmt: skip
    body += "\n" + mail
    for peer in peers:
        body += f'\n[[federation.peers]]\nname = "{peer.name}"\nurl = "{peer.url}"\nallow_private = true\n'
    (folder / "site.toml").write_text(body, encoding="utf-8")
    return folder


def run_one(label: str, root: Path, urls: list[str], workers: int, args: argparse.Namespace,
            cluster: object | None) -> bool:  # fmt: skip
    print(f"\n== {label}: 4 sites, {workers} worker(s) each, {args.minutes} min; load {load():.2f}", flush=True)
    pairs = zip(SITES, urls, strict=True)
    servers = [Server(slug, name, free_port(), Path(), url, workers) for (slug, name), url in pairs]
    inbox = SmtpInbox()
    inbox.port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    smtp.start()
    for server in servers:
        server.folder = site_folder(
            root,
            server.slug,
            server.name,
            server.port,
            [s for s in servers if s is not server],
            smtp_settings(inbox.port),
        )
        data = root / "data" / server.slug
        os.environ["PARAPLY_DATABASE_URL"] = server.database_url
        site = Site.load(server.folder, database_url=server.database_url, data_dir=data)
        migrate.upgrade(site)
        with site.session() as db:
            create_user(db, ADMIN[0], "Soak Admin", ADMIN[1], Role.ADMIN)
        site.dispose()
    uploads = None
    if args.disk_full:
        target = root / "data" / servers[0].slug / "uploads"
        target.mkdir(parents=True, exist_ok=True)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={UPLOAD_DISK}", "tmpfs", str(target)],
                                 capture_output=True, text=True)  # fmt: skip
        if mounted.returncode == 0:
            uploads = target
        else:
            print(f"  upload disk full: skipped (mount failed: {mounted.stderr.strip()[:80]})")
    for server in servers:
        server.start()
    time.sleep(5)  # subscriptions made at start-up
    try:
        tally, measured, target_rate, memory = asyncio.run(soak(servers, args.minutes, args.rate, cluster, uploads))
        problems, waited = count_everywhere(servers, tally, args.settle)
        mail_problems, in_doubt, mail_waited = count_mail(servers, tally, inbox, args.settle)
    finally:
        for server in servers:
            server.kill()
        smtp.stop()
        if uploads is not None:
            subprocess.run(["umount", str(uploads)], check=False)
    outside = tally.outside_windows()
    times = sorted(tally.times)
    accepted = sum(len(t) for t in tally.accepted.values())
    print(f"  capacity (8 clients, mixed): {measured:.1f} req/s; soak at {target_rate:.1f} req/s")
    print(f"  requests: {len(times)}; p50 {times[len(times) // 2] * 1000:.0f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms")  # fmt: skip
    print("  answers: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.counts.items())))
    for name, start, end in tally.windows:
        inside = [e for e in tally.errors if tally.in_window(e, start, end)]
        print(f"  fault '{name}': {start:.0f}-{end:.0f} s, {len(inside)} errors in its window")
    print(f"  5xx or no answer outside fault windows: {len(outside)}")
    for sent, ended, what in outside[:20]:
        print(f"    sent at {sent:.1f} s, ended at {ended:.1f} s: {what}")
    print(f"  news accepted: {accepted}; each checked once at its site and once at each of 3 peers "
          f"({accepted * 4} checks, settled after {waited:.0f} s): {len(problems)} problems")  # fmt: skip
    for problem in problems[:10]:
        print("    " + problem)
    invited = sum(len(a) for a in tally.invited.values())
    print(f"  invitations accepted: {invited}; e-mails received by the SMTP server: {len(inbox.envelopes)}; "
          f"in doubt: {in_doubt} (settled after {mail_waited:.0f} s): {len(mail_problems)} problems")  # fmt: skip
    for problem in mail_problems[:10]:
        print("    " + problem)
    for slug, (warm, end) in memory.items():
        growth = (end - warm) / warm * 100 if warm else float("nan")
        print(f"  memory {slug}: {warm:.0f} MiB after warm-up, {end:.0f} MiB at the end ({growth:+.1f} %)")
    for line, count in errors_in_logs(servers):
        print(f"  logged {count}×: {line}")
    print(f"  load at the end: {load():.2f}")
    return not outside and not problems and not mail_problems


#: The last line of a Python traceback: ``module.Error: message``.
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit|Timeout)\b.*)$")


def errors_in_logs(servers: list[Server]) -> list[tuple[str, int]]:
    """The exceptions the servers logged, most frequent first (the
    message cut at 160 characters, so one cause counts as one line)."""
    seen: Counter[str] = Counter()
    for server in servers:
        path = server.folder / "server.log"
        if path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                match = EXCEPTION_LINE.match(line.strip())
                if match:
                    seen[match.group(1)[:160]] += 1
    return seen.most_common(8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, help="requests a second in all (default: half the measured capacity)")
    parser.add_argument("--settle", type=float, default=120.0, help="seconds to wait for federation to catch up")
    parser.add_argument("--no-disk-full", dest="disk_full", action="store_false")
    args = parser.parse_args()
    ok = True
    if args.database in ("postgresql", "both"):
        from tests.pg import find_pg_bin, start_cluster

        if find_pg_bin() is None:
            print("PostgreSQL binaries not found: skipped")
        else:
            cluster = start_cluster()
            try:
                admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    for slug, _ in SITES:
                        conn.execute(text(f'CREATE DATABASE "{slug.replace("-", "_")}"'))
                admin.dispose()
                urls = [cluster.url(slug.replace("-", "_")) for slug, _ in SITES]
                with tempfile.TemporaryDirectory(prefix="paraply-soak-") as folder:
                    ok &= run_one("PostgreSQL", Path(folder), urls, 2, args, cluster)
            finally:
                cluster.stop()
                shutil.rmtree(cluster.datadir.parent, ignore_errors=True)
    if args.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="paraply-soak-") as folder:
            urls = [f"sqlite:///{folder}/{slug}.db" for slug, _ in SITES]
            ok &= run_one("SQLite", Path(folder), urls, 1, args, None)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
