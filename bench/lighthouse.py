"""Lighthouse on the demo sites' main pages, mobile and desktop (issue 17).

Run from the repository root:

    .venv/bin/python bench/lighthouse.py                     # every demo site
    .venv/bin/python bench/lighthouse.py --site mockeln      # one site
    .venv/bin/python bench/lighthouse.py --site mockeln --page front --preset mobile
    .venv/bin/python bench/lighthouse.py --json results.json # also keep the figures

It installs npm's ``lighthouse`` on first use into ``bench/.lighthouse``
(``npm install --prefix``: not in the project's package.json, so CI never
installs it), starts the demo sites itself on free ports with their data in
a temporary folder (migrated, demo data loaded: the same as ``./run demo``
shows), and drives Debian's ``/usr/bin/chromium`` headless. For each page in
``PAGES`` that the site has (its plugin enabled; a page that answers 404 is
skipped with a note), it prints the four category scores, the LCP, the
page's total bytes, its request count, any request to another host, and the
audits that did not pass. It measures; it asserts nothing (the goal is 100
in each category on every page of every site).

The page list is ``PAGES`` below: add a line for a new plugin's main pages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PARAPLY_SECRET_KEY", "bench-secret-key-not-for-production")
os.environ.setdefault("PARAPLY_CHEAP_HASHING", "1")
os.environ["PARAPLY_DAILY_JOBS"] = "0"  # no background work while measuring

from sqlmodel import select  # noqa: E402

from core.site import Site  # noqa: E402

LIGHTHOUSE_DIR = ROOT / "bench" / ".lighthouse"
LIGHTHOUSE_VERSION = "12"
LIGHTHOUSE_BIN = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PRESETS = ("mobile", "desktop")


@dataclass(frozen=True)
class Page:
    """A page to measure: the plugin that must be enabled (None: core), and
    a function giving its path on a site (None: the site has no such page)."""

    name: str
    plugin: str | None
    path: Callable[[Site], str | None]


def _route(name: str, query: str = "", **params: object) -> Callable[[Site], str | None]:
    from core.urls import url_for

    return lambda site: url_for(site, name, **params) + query


def _first_association(site: Site) -> str | None:
    from core.urls import url_for
    from plugins.webportal.models import Association

    with site.session() as db:
        public = [a for a in db.exec(select(Association).order_by(Association.name)) if a.is_public]
    return url_for(site, "webportal:association", slug=public[0].slug) if public else None


def _latest_news(site: Site) -> str | None:
    from core.urls import url_for
    from plugins.webportal.models import News

    with site.session() as db:
        news = db.exec(
            select(News).where(News.published == True).order_by(News.published_at.desc())  # type: ignore[attr-defined]  # noqa: E712
        ).first()
    return url_for(site, "webportal:news", news_id=news.id) if news else None


def _event_page(site: Site) -> str | None:
    """A published, coming event, one with a picture if there is one."""
    from core.urls import url_for
    from plugins.evenemang.models import Event, Review

    now = site.clock.now().replace(tzinfo=None)
    with site.session() as db:
        events = list(
            db.exec(
                select(Event)
                .where(Event.review == Review.PUBLISHED, Event.last_end_utc >= now)
                .order_by(Event.first_start_utc)  # type: ignore[arg-type]
            )
        )
    chosen = next((e for e in events if e.image), events[0] if events else None)
    return url_for(site, "evenemang:event", event_id=chosen.id) if chosen else None


def _programme_page(site: Site) -> str | None:
    from core.urls import url_for
    from plugins.evenemang.programme_models import Programme

    with site.session() as db:
        programme = db.exec(select(Programme).order_by(Programme.id)).first()  # type: ignore[arg-type]
    return url_for(site, "evenemang:programme", slug=programme.slug) if programme else None


def _first_room(site: Site) -> str | None:
    """The first room of the house: its "Lediga tider" week."""
    from core.urls import url_for
    from plugins.lokaler.models import Resource

    with site.session() as db:
        room = db.exec(select(Resource).order_by(Resource.id)).first()  # type: ignore[arg-type]
    return url_for(site, "lokaler:resource", resource_id=room.id) if room else None


def _plain(path: str) -> Callable[[Site], str | None]:
    return lambda site: path


#: Page types, in the order the table prints them. A new plugin adds its main pages here.
PAGES: list[Page] = [
    Page("front", None, _plain("/")),
    Page("directory", "webportal", _route("webportal:associations")),
    Page("directory-search", "webportal", _route("webportal:associations", "?q=idrott")),
    Page("association", "webportal", _first_association),
    Page("news-list", "webportal", _route("webportal:news_list")),
    Page("news-item", "webportal", _latest_news),
    Page("lisa-search", "lisa", _route("lisa:search", "?q=st%C3%B6d")),
    Page("fritidsbanken", "fritidsbanken", _route("fritidsbanken:catalogue")),
    Page("park", "odling", _route("odling:park")),
    Page("login", None, _route("login")),
    Page("evenemang", "evenemang", _route("evenemang:events")),
    Page("event", "evenemang", _event_page),
    Page("month", "evenemang", _route("evenemang:month")),
    Page("network-calendar", "evenemang", _route("evenemang:network")),
    Page("programme", "evenemang", _programme_page),
    Page("lokaler", "lokaler", _route("lokaler:index")),
    Page("room", "lokaler", _first_room),
    Page("offices", "lokaler", _route("lokaler:offices")),
    Page("samverkan", "samverkan", _route("samverkan:index")),
    Page("newsletters", "nyhetsbrev", _route("nyhetsbrev:archive")),
    Page("subscribe", "nyhetsbrev", _route("nyhetsbrev:subscribe")),
]


@dataclass
class Result:
    site: str
    page: str
    preset: str
    url: str
    scores: dict[str, int] = field(default_factory=dict)
    lcp_ms: float = 0.0
    total_bytes: int = 0
    requests: int = 0
    other_hosts: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    note: str = ""


# -- lighthouse --------------------------------------------------------------------------------------


def ensure_lighthouse() -> Path:
    if LIGHTHOUSE_BIN.exists():
        return LIGHTHOUSE_BIN
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to install lighthouse (apt-get install npm)")
    print(f"Installing lighthouse@{LIGHTHOUSE_VERSION} into {LIGHTHOUSE_DIR} ...", flush=True)
    LIGHTHOUSE_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(LIGHTHOUSE_DIR),
            "--no-audit",
            "--no-fund",
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        check=True,
    )
    return LIGHTHOUSE_BIN


def run_lighthouse(binary: Path, url: str, preset: str, out: Path) -> dict[str, Any]:
    command = [
        str(binary),
        url,
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        "--quiet",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(command, check=True, env=env, timeout=300, stdout=subprocess.DEVNULL)
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def summarise(report: dict[str, Any], result: Result) -> None:
    audits = report["audits"]
    for name in CATEGORIES:
        score = report["categories"][name]["score"]
        result.scores[name] = round(score * 100) if score is not None else -1
    result.lcp_ms = audits["largest-contentful-paint"].get("numericValue", 0.0)
    result.total_bytes = int(audits["total-byte-weight"].get("numericValue", 0))
    requests = audits["network-requests"].get("details", {}).get("items", [])
    result.requests = len(requests)
    own = urlsplit(result.url).netloc
    result.other_hosts = sorted(
        {
            urlsplit(r["url"]).netloc
            for r in requests
            if r["url"].startswith("http") and urlsplit(r["url"]).netloc != own
        }
    )
    failed, hints = [], []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = audits[ref["id"]]
            mode = audit.get("scoreDisplayMode")
            if mode not in ("binary", "numeric", "metricSavings") or audit.get("score") is None or audit["score"] >= 1:
                continue
            # Audits that count towards the score fail; the rest (insights that
            # weigh nothing) are hints of what could still be won.
            (failed if ref.get("weight") else hints).append(ref["id"])
    result.failed = sorted(set(failed))
    result.hints = sorted(set(hints))


# -- the demo sites ------------------------------------------------------------------------------------


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def start_demo(names: list[str]) -> tuple[Any, dict[str, str], tempfile.TemporaryDirectory[str]]:
    """The demo sites on free ports, their data in a temporary folder; the
    sites' peers' addresses moved with them so federation works as in the demo."""
    from core import migrate
    from core.demo import load_demo
    from core.demo_network import DemoNetwork, addresses

    data = tempfile.TemporaryDirectory(prefix="paraply-lighthouse-")
    os.environ["PARAPLY_DATA_DIR"] = data.name
    os.environ.pop("PARAPLY_DATABASE_URL", None)
    os.environ.setdefault("PARAPLY_SITES_DIR", str(ROOT / "sites"))
    origins = addresses(names)
    sockets = {origin: _free_socket() for origin in origins}
    moves = {origin: f"http://127.0.0.1:{sock.getsockname()[1]}" for origin, sock in sockets.items()}
    network = DemoNetwork.load(names, moves)
    for site in network.sites:
        migrate.upgrade(site)
        load_demo(site, echo=lambda _: None)
    served = {moves[origin]: sock for origin, sock in sockets.items()}
    thread = threading.Thread(target=asyncio.run, args=(network.serve(served, handle_signals=False),), daemon=True)
    thread.start()
    if not network.started.wait(60):
        raise SystemExit("the demo servers did not start")
    return network, {site.slug: site.base_url for site in network.sites}, data


# -- the table --------------------------------------------------------------------------------------------


def print_table(results: list[Result]) -> None:
    head = f"{'site':<13} {'page':<17} {'preset':<8} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4}"
    head += f" {'LCP ms':>7} {'KiB':>6} {'req':>4}  failed audits (hints: weigh nothing) / notes"
    print()
    print(head)
    print("-" * len(head))
    for r in results:
        if r.note and not r.scores:
            print(f"{r.site:<13} {r.page:<17} {r.preset:<8} {'':>39}  {r.note}")
            continue
        s = r.scores
        notes = ", ".join(r.failed) or "-"
        if r.hints:
            notes += " (hints: " + ", ".join(r.hints) + ")"
        if r.other_hosts:
            notes += "; other hosts: " + ", ".join(r.other_hosts)
        print(
            f"{r.site:<13} {r.page:<17} {r.preset:<8} {s['performance']:>4} {s['accessibility']:>4}"
            f" {s['best-practices']:>4} {s['seo']:>4} {r.lcp_ms:>7.0f} {r.total_bytes / 1024:>6.1f}"
            f" {r.requests:>4}  {notes}"
        )
    measured = [r for r in results if r.scores]
    if measured:
        perfect = sum(all(v == 100 for v in r.scores.values()) for r in measured)
        print(f"\n{perfect} of {len(measured)} runs score 100 in all four categories.")
        worst_lcp = max(r.lcp_ms for r in measured)
        print(f"Slowest LCP: {worst_lcp:.0f} ms; heaviest page: {max(r.total_bytes for r in measured) / 1024:.1f} KiB.")


def main() -> None:
    from core.demo import DEMO_SITES

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", action="append", choices=list(DEMO_SITES), help="only this site (repeatable)")
    parser.add_argument("--page", action="append", choices=[p.name for p in PAGES], help="only this page type")
    parser.add_argument("--preset", action="append", choices=PRESETS, help="only this preset")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", type=Path, help="keep Lighthouse's own reports (JSON) in this folder")
    args = parser.parse_args()

    binary = ensure_lighthouse()
    names = args.site or list(DEMO_SITES)
    pages = [p for p in PAGES if not args.page or p.name in args.page]
    presets = args.preset or list(PRESETS)
    network, urls, data = start_demo(names)
    results: list[Result] = []
    load_at_start = os.getloadavg()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as reports, httpx.Client(timeout=30) as http:
            for site in network.sites:
                for page in pages:
                    path = page.path(site) if page.plugin is None or page.plugin in site.enabled else None
                    if path is None:
                        continue
                    url = urls[site.slug] + path
                    status = http.get(url).status_code
                    for preset in presets:
                        result = Result(site.slug, page.name, preset, url)
                        if status != 200:
                            result.note = f"skipped: {path} answers {status}"
                            results.append(result)
                            continue
                        print(f"{site.slug} {page.name} {preset} ...", flush=True)
                        try:
                            out = (args.keep or Path(reports)) / f"{site.slug}-{page.name}-{preset}.json"
                            report = run_lighthouse(binary, url, preset, out)
                        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                            result.note = f"lighthouse failed: {exc}"
                        else:
                            summarise(report, result)
                            scores = "/".join(str(result.scores[c]) for c in CATEGORIES)
                            weight = f"{result.total_bytes / 1024:.1f} KiB"
                            print(f"  {scores}, LCP {result.lcp_ms:.0f} ms, {weight}", flush=True)
                        results.append(result)
    finally:
        # Stopped half-way (Ctrl-C), the runs so far are still printed.
        network.stop()
        data.cleanup()
        print_table(results)
        print(
            f"\n{len(results)} runs in {time.monotonic() - started:.0f} s;"
            f" load (1 min) at the start {load_at_start[0]:.2f}, at the end {os.getloadavg()[0]:.2f}"
        )
        if args.json:
            rows = [r.__dict__ for r in results]
            args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
