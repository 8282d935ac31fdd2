"""Room-booking benchmark for Föreningarnas hus: with 200,000 past and
future bookings, how fast is a room's week view, and the collision check of
a 20-date weekly series? Targets (issue 15): week view p95 < 50 ms, a
series of 20 dates checked in < 100 ms, on both databases.

Run from the repository root:

    .venv/bin/python bench/lokaler.py              # SQLite
    .venv/bin/python bench/lokaler.py --postgres   # and PostgreSQL

It builds a throw-away site (SQLite in a temporary folder; PostgreSQL in a
throw-away cluster), loads the demo house's eight resources, bulk-inserts
200,000 bookings (three a day per resource, spread over about 23 years
centred on today), then times:

- ``week``: ``weeks.resource_week`` for a random week and resource (the
  query and the grid of "Lediga tider");
- ``week page``: GET ``/lokaler/<id>?vecka=...`` through the whole app
  in-process (middleware, template, events hook), rendered anew each time
  (``Cache-Control: no-cache``), never from the page cache;
- ``series 20``: the preview check of a 20-date weekly series: every
  date's rules and a collision query each (``booking._check``).

It prints the query plans of the two lookups and fails if one scans the
whole booking table.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PARAPLY_SECRET_KEY", "bench-secret-key-not-for-production")
os.environ.setdefault("PARAPLY_CHEAP_HASHING", "1")
os.environ["PARAPLY_DAILY_JOBS"] = "0"

from sqlalchemy import insert, text  # noqa: E402

from bench.databases import each_database  # noqa: E402
from core import migrate  # noqa: E402
from core.site import Site  # noqa: E402
from plugins.lokaler import booking, demo, slots, weeks  # noqa: E402
from plugins.lokaler.models import Booking, Resource  # noqa: E402

BOOKINGS = 200_000
SLOTS = [(9, 11), (13, 15), (18, 20)]  # local hours, three bookings a day per resource
WEEK_TARGET_MS = 50.0
SERIES_TARGET_MS = 100.0


def make_site(folder: Path, database_url: str) -> Site:
    site_dir = folder / "sites" / "bench"
    site_dir.mkdir(parents=True)
    (site_dir / "site.toml").write_text(
        '[site]\nname = "Bänken"\nbase_url = "http://bench.example"\nplugins = ["lokaler"]\n', encoding="utf-8"
    )
    site = Site.load(site_dir, database_url=database_url, data_dir=folder / "data")
    migrate.upgrade(site)
    return site


def fill(site: Site) -> list[int]:
    zone = ZoneInfo("Europe/Stockholm")
    with site.session() as db:
        for index, spec in enumerate(demo.RESOURCES):
            demo._resource(db, index, spec)
        db.commit()
        resources = list(db.exec(text("SELECT id, buffer_minutes FROM lokaler_resource ORDER BY id")).all())
    per_resource = BOOKINGS // len(resources)
    days = per_resource // len(SLOTS) + 1
    first_day = date.today() - timedelta(days=days // 2)
    now = datetime.now(UTC)
    rows = []
    n = 0
    for rid, buffer in resources:
        for d in range(days):
            day = first_day + timedelta(days=d)
            for start_h, end_h in SLOTS:
                if n >= BOOKINGS:
                    break
                start = (
                    datetime(day.year, day.month, day.day, start_h, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
                )
                end = start + timedelta(hours=end_h - start_h)
                rows.append(
                    {
                        "uid": f"bench-{n}@bench.example",
                        "resource_id": rid,
                        "title": "Övning",
                        "booker_kind": "member",
                        "association_slug": f"forening-{n % 120}",
                        "association_name": f"Förening {n % 120}",
                        "organisation": "",
                        "contact_name": "",
                        "contact_email": "",
                        "contact_phone": "",
                        "start_utc": start,
                        "end_utc": end,
                        "block_end_utc": end + timedelta(minutes=buffer),
                        "status": "confirmed" if n % 10 else "cancelled",
                        "admin_message": "",
                        "series_id": f"s{n // 20}" if n % 3 else "",
                        "is_public": n % 4 == 0,
                        "access_note": "",
                        "sequence": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                n += 1
    with site.engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            conn.execute(insert(Booking), rows[i : i + 5000])
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE lokaler_booking"))
        else:
            conn.execute(text("ANALYZE"))
    return [rid for rid, _b in resources]


def p95(samples: list[float]) -> float:
    return sorted(samples)[int(len(samples) * 0.95) - 1]


def plans(site: Site) -> bool:
    ok = True
    lookups = {
        "collision check": "SELECT id FROM lokaler_booking WHERE resource_id = 1 "
        "AND status IN ('requested','confirmed') AND start_utc < '2027-03-09 19:30:00' "
        "AND start_utc > '2027-02-23 17:00:00' "
        "AND block_end_utc > '2027-03-09 17:00:00'",
        "week view": "SELECT id FROM lokaler_booking WHERE resource_id IN (1) "
        "AND status IN ('requested','confirmed') AND start_utc < '2027-03-15 00:00:00' "
        "AND start_utc > '2027-02-22 00:00:00' AND end_utc > '2027-03-08 00:00:00'",
    }
    with site.engine.connect() as conn:
        pg = conn.dialect.name == "postgresql"
        for label, sql in lookups.items():
            rows = conn.execute(text(("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ") + sql)).all()
            plan = " | ".join(str(r[0] if pg else r[-1]) for r in rows)
            print(f"  plan, {label:<16} {plan[:120]}")
            if (
                ("Seq Scan on lokaler_booking" in plan)
                if pg
                else ("SCAN lokaler_booking" in plan and "INDEX" not in plan)
            ):
                print(f"  FAIL: {label} scans the whole booking table")
                ok = False
    return ok


def run(name: str, database_url: str, folder: Path, rounds: int, profile: bool = False) -> bool:
    from starlette.testclient import TestClient

    from core.app import create_app

    print(f"\n== {name}: {BOOKINGS:,} bookings; load {os.getloadavg()[0]:.1f} ==")
    folder.mkdir(parents=True)
    site = make_site(folder, database_url)
    started = time.perf_counter()
    resource_ids = fill(site)
    print(f"  filled in {time.perf_counter() - started:.1f} s")
    ok = plans(site)
    zone = ZoneInfo("Europe/Stockholm")
    rng = random.Random(2)
    today = date.today()
    with site.session() as db:
        resources = {r.id: r for r in db.exec(__import__("sqlmodel").select(Resource)).all()}

    week_ms: list[float] = []
    for _ in range(rounds):
        rid = rng.choice(resource_ids)
        monday = weeks.monday_of(today + timedelta(weeks=rng.randint(-100, 100)))
        t = time.perf_counter()
        with site.session() as db:
            weeks.resource_week(db, resources[rid], monday, zone, datetime.now(zone))
        week_ms.append((time.perf_counter() - t) * 1000)

    page_ms: list[float] = []
    with TestClient(create_app(site), base_url="http://bench.example") as client:
        for _ in range(5):  # warm up: templates compiled, caches filled (as in a running server)
            client.get(f"/lokaler/{resource_ids[0]}")
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(50):
                client.get(f"/lokaler/{rng.choice(resource_ids)}?vecka={today.isoformat()}")
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        for _ in range(rounds):
            rid = rng.choice(resource_ids)
            monday = weeks.monday_of(today + timedelta(weeks=rng.randint(-100, 100)))
            t = time.perf_counter()
            # rendered every time, never from core's page cache for anonymous pages
            answer = client.get(f"/lokaler/{rid}?vecka={monday.isoformat()}", headers={"Cache-Control": "no-cache"})
            page_ms.append((time.perf_counter() - t) * 1000)
            assert answer.status_code == 200, answer.status_code

    series_ms: list[float] = []
    for _ in range(max(20, rounds // 4)):
        rid = rng.choice(resource_ids)
        first_day = today + timedelta(days=rng.randint(1, 60))
        first = slots.make_slot(
            first_day, datetime.min.time().replace(hour=18), datetime.min.time().replace(hour=20), zone
        )
        series = slots.weekly(first, first_day + timedelta(weeks=19), zone)
        assert len(series) == 20
        t = time.perf_counter()
        checked = booking._check(site, resources[rid], series)
        series_ms.append((time.perf_counter() - t) * 1000)
        assert len(checked) == 20
    site.dispose()

    def line(label: str, samples: list[float], target: float | None) -> bool:
        verdict = ""
        good = True
        if target is not None:
            good = p95(samples) < target
            verdict = f"  target p95 < {target:.0f} ms: {'ok' if good else 'FAIL'}"
        print(
            f"  {label:<12} median {statistics.median(samples):6.1f} ms  p95 {p95(samples):6.1f} ms  "
            f"max {max(samples):6.1f} ms  (n={len(samples)}){verdict}"
        )
        return good

    ok &= line("week", week_ms, WEEK_TARGET_MS)
    ok &= line("week page", page_ms, WEEK_TARGET_MS)
    ok &= line("series 20", series_ms, SERIES_TARGET_MS)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="also run on a throw-away PostgreSQL cluster")
    parser.add_argument("--profile", action="store_true", help="print where the week page's time goes (cProfile)")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for label, url, folder in each_database(Path(tmp), args.postgres):
            ok &= run(label, url, folder, args.rounds, args.profile)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
