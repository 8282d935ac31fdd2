"""Pages per second side by side (issue 21, point 1): a raw Starlette
hello-world, Datasette serving a 20-row table page from an SQLite file of the
same associations, and a Paraply demo site (Möckeln, every plugin, SQLite),
one uvicorn worker each, driven by the same load generator in interleaved
rounds. Prints req/s, p50/p95/p99 and the ratio to hello-world of each page,
anonymous and signed in (the demo admin).

Run from the repository root (wrk from Debian is used when installed, else a
bounded Python client with the same number of connections):

    .venv/bin/python bench/pages.py                       # 3 rounds of 5 s, 10 connections
    .venv/bin/python bench/pages.py --server standard     # uvicorn with uvloop and httptools
    .venv/bin/python bench/pages.py --also /path/to/tree  # another checkout's Paraply beside (before/after)

Datasette and uvicorn's standard extras come with ``pip install -e ".[bench]"``.
The machine is shared: the load (``uptime``) is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PARAPLY_SECRET_KEY", "bench-secret-key-not-for-production")
os.environ.setdefault("PARAPLY_CHEAP_HASHING", "1")
os.environ["PARAPLY_DAILY_JOBS"] = "0"

HELLO = """
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


def hello(request):
    return PlainTextResponse("Hello, world!")


app = Starlette(routes=[Route("/", hello)])
"""
SERVERS = {"plain": ["--loop", "asyncio", "--http", "h11"], "standard": ["--loop", "uvloop", "--http", "httptools"]}


@dataclass
class Target:
    label: str
    server: str  # "hello", "datasette" or a Paraply server's name
    path: str
    signed_in: bool = False


@dataclass
class Result:
    rps: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def wait_for(url: str, seconds: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def prepare_paraply(tree: Path, folder: Path) -> tuple[str, dict[str, str]]:
    """Möckeln's demo site on a fresh SQLite file, migrated and filled by
    ``tree``'s own code: (database URL, environment for its server)."""
    data = folder / "data"
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'site.db'}"
    script = (
        "from pathlib import Path; from core.testing import load_test_site; from core.demo import load_demo; "
        f"site = load_test_site(Path({str(tree / 'sites' / 'mockeln')!r}), {url!r}, Path({str(data / 'mockeln')!r})); "
        "load_demo(site, echo=lambda _: None)"
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-c", script], cwd=tree, env=env, check=True, capture_output=True)
    env |= {
        "PARAPLY_SITE": str(tree / "sites" / "mockeln"),
        "PARAPLY_DATABASE_URL": url,
        "PARAPLY_DATA_DIR": str(data),
    }
    return url, env


def associations_db(paraply_url: str, path: Path) -> None:
    """The same associations as a plain table for Datasette."""
    source = sqlite3.connect(paraply_url.removeprefix("sqlite:///"))
    rows = source.execute(
        "SELECT slug, name, category, municipality, short_description, founded_year FROM webportal_association"
    ).fetchall()
    source.close()
    target = sqlite3.connect(path)
    target.execute(
        "CREATE TABLE associations (slug TEXT PRIMARY KEY, name TEXT, category TEXT, municipality TEXT, "
        "short_description TEXT, founded_year INTEGER)"
    )
    target.executemany("INSERT INTO associations VALUES (?, ?, ?, ?, ?, ?)", rows)
    target.commit()
    target.close()


def start(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def login_cookie(base: str) -> str:
    """The demo admin's cookies as a Cookie header."""
    import httpx

    from core.demo import DEMO_PASSWORD

    with httpx.Client(base_url=base, timeout=30) as client:
        client.get("/konto/logga-in")
        token = next(c.value for c in client.cookies.jar if c.name.startswith("csrftoken_"))
        data = {"csrftoken": token, "email": "admin@mockeln.example", "password": DEMO_PASSWORD}
        answer = client.post("/konto/logga-in", data=data)
        if answer.status_code != 303:
            raise SystemExit(f"could not sign in at {base}: {answer.status_code}")
        return "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)


def first_link(base: str, page: str, pattern: str) -> str:
    import httpx

    found = re.search(pattern, httpx.get(base + page, timeout=30).text)
    if not found:
        raise SystemExit(f"no link like {pattern} on {page}")
    return found.group(0).strip('"')


def run_wrk(url: str, seconds: int, connections: int, cookie: str) -> tuple[float, float, float, float]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def latency(pct: str) -> float:
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"    ({errors.group(1)} answers not 2xx/3xx from {url})")
    return rps, latency("50"), float("nan"), latency("99")  # wrk prints no 95th percentile


def run_python(url: str, seconds: int, connections: int, cookie: str) -> tuple[float, float, float, float]:
    """The same measure without wrk: ``connections`` clients in a loop."""
    import httpx

    times: list[float] = []

    async def worker(client: httpx.AsyncClient, until: float) -> None:
        while time.monotonic() < until:
            began = time.perf_counter()
            await client.get(url)
            times.append((time.perf_counter() - began) * 1000)

    async def main() -> float:
        headers = {"Accept-Encoding": "gzip"} | ({"Cookie": cookie} if cookie else {})
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
            began = time.monotonic()
            await asyncio.gather(*(worker(client, began + seconds) for _ in range(connections)))
            return time.monotonic() - began

    elapsed = asyncio.run(main())
    ordered = sorted(times)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    return len(times) / elapsed, pct(0.5), pct(0.95), pct(0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--server", choices=list(SERVERS), default="plain", help="uvicorn's event loop and HTTP parser")
    parser.add_argument("--also", type=Path, help="another checkout whose Paraply runs beside this one")
    parser.add_argument("--only", default="", help="run only pages whose label contains this")
    args = parser.parse_args()
    load = shutil.which("wrk") and run_wrk or run_python
    print(
        f"load generator: {'wrk' if load is run_wrk else 'Python (httpx)'}, {args.connections} connections, "
        f"{args.seconds} s per page, {args.rounds} interleaved rounds, "
        f"uvicorn {args.server} ({' '.join(SERVERS[args.server])})"
    )
    print("before:", uptime())
    folder = Path(tempfile.mkdtemp(prefix="paraply-bench-"))
    servers: dict[str, str] = {}
    processes: list[subprocess.Popen[bytes]] = []
    uvicorn = [sys.executable, "-m", "uvicorn", "--workers", "1", "--no-access-log", *SERVERS[args.server]]
    try:
        trees = {"paraply": ROOT} | ({"paraply-also": args.also.resolve()} if args.also else {})
        for name, tree in trees.items():
            url, env = prepare_paraply(tree, folder / name)
            port = free_port()
            env["PARAPLY_BASE_URL"] = f"http://127.0.0.1:{port}"
            processes.append(start([*uvicorn, "--port", str(port), "core.asgi:app"], env, tree))
            servers[name] = f"http://127.0.0.1:{port}"
        associations_db(url, folder / "assoc.db")
        (folder / "hello_app.py").write_text(HELLO, encoding="utf-8")
        port = free_port()
        processes.append(start([*uvicorn, "--port", str(port), "hello_app:app"], dict(os.environ), folder))
        servers["hello"] = f"http://127.0.0.1:{port}"
        port = free_port()
        datasette = [sys.executable, "-m", "datasette", "serve", str(folder / "assoc.db"), "--port", str(port)]
        datasette += ["--setting", "default_page_size", "20"]
        processes.append(start(datasette, dict(os.environ), folder))
        servers["datasette"] = f"http://127.0.0.1:{port}"
        for base in servers.values():
            wait_for(base + "/")

        base = servers["paraply"]
        # An association's page: not the application form the directory also links to.
        association = first_link(base, "/foreningar", r'"/foreningar/(?!ansok")[a-z0-9-]+"')
        news = first_link(base, "/nyheter", r'"/nyheter/\d+"')
        pages = [
            ("front page /", "/"),
            ("directory /foreningar", "/foreningar"),
            ("directory ?q=körsång", "/foreningar?q=k%C3%B6rs%C3%A5ng"),
            ("association page", association),
            ("news item", news),
            ("LISA search /hjalp/?q=stöd", "/hjalp/?q=st%C3%B6d"),
            ("Fritidsbanken catalogue", "/fritidsbanken/"),
            ("events calendar /evenemang", "/evenemang"),
            ("news feed /nyheter.atom", "/nyheter.atom"),
        ]
        targets = [Target("hello-world", "hello", "/"), Target("Datasette 20 rows", "datasette", "/assoc/associations")]
        for name in trees:
            for label, path in pages:
                targets.append(Target(f"{name}: {label}", name, path))
            # Signed in (the demo admin): every page above, and two only a signed-in person sees.
            signed_in = [
                *pages,
                ("admin overview /-/admin", "/-/admin"),
                ("own sessions /konto/inloggningar", "/konto/inloggningar"),
            ]
            for label, path in signed_in:
                targets.append(Target(f"{name}: {label} (signed in)", name, path, signed_in=True))
        targets = [t for t in targets if args.only in t.label or t.server in ("hello",)]
        cookies = {name: login_cookie(servers[name]) for name in trees}
        results = {t.label: Result() for t in targets}
        for round_number in range(args.rounds):
            for target in targets:
                cookie = cookies[target.server] if target.signed_in else ""
                rps, p50, p95, p99 = load(servers[target.server] + target.path, args.seconds, args.connections, cookie)
                kept = results[target.label]
                kept.rps.append(rps)
                kept.p50.append(p50)
                kept.p95.append(p95)
                kept.p99.append(p99)
            print(f"round {round_number + 1} done: {uptime()}")
        hello = statistics.median(results["hello-world"].rps)
        print(f"\n{'page':52} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'÷ hello':>8}")
        for target in targets:
            kept = results[target.label]
            rps = statistics.median(kept.rps)
            print(
                f"{target.label:52} {rps:8.0f} {statistics.median(kept.p50):8.1f} "
                f"{statistics.median(kept.p95):8.1f} {statistics.median(kept.p99):8.1f} {rps / hello:8.3f}"
            )
        print("\nafter:", uptime())
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
