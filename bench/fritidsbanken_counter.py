"""Counter benchmark for Fritidsbanken: check-out plus check-in of one item,
per second, with 20,000 items and 200,000 past loans in the database.

Run from the repository root:

    .venv/bin/python bench/fritidsbanken_counter.py              # SQLite
    .venv/bin/python bench/fritidsbanken_counter.py --postgres   # and PostgreSQL

It builds a throw-away site (SQLite in a temporary folder; PostgreSQL in a
throw-away cluster started with initdb/pg_ctl, fsync off), fills it with bulk
inserts, then times two things:

- ``service``: ``lending.checkout`` + ``lending.checkin`` + commit, the work
  the counter's database does;
- ``http``: the two POSTs a staff member's browser sends (scan into "Låna ut",
  scan into "Ta emot"), each followed by the GET its 303 leads to, through
  the whole app in-process (Starlette's TestClient): middleware, CSRF, the
  borrower page with its loans, reservations and history count;
- ``server``: the same four requests over HTTP to ``uvicorn core.asgi:app``
  in a child process on 127.0.0.1 (as ``paraply serve`` runs it): one
  worker from one counter (one browser, one request at a time) and from
  ``--counters`` counters at once (each signed in on its own, scanning its
  own items), then ``--workers`` workers from that many counters, with the
  server's CPU time per pair read from ``/proc``. This is what "through the
  web" means for a person at the desk; the TestClient figure also pays for
  the client.

It also prints the query plans of the counter's lookups and fails if any of
them scans a whole table, so a lost index shows up here.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PARAPLY_SECRET_KEY", "bench-secret-key-not-for-production")
os.environ.setdefault("PARAPLY_CHEAP_HASHING", "1")

from sqlalchemy import insert, text  # noqa: E402

from bench.databases import each_database  # noqa: E402
from bench.processes import cpu_seconds, free_port  # noqa: E402
from core import migrate  # noqa: E402
from core.accounts import create_user  # noqa: E402
from core.models import Role  # noqa: E402
from core.site import Site  # noqa: E402
from plugins.fritidsbanken import lending  # noqa: E402
from plugins.fritidsbanken.models import Borrower, Branch, Item, Loan, OpeningHours  # noqa: E402

ITEMS = 20_000
LOANS = 200_000
BORROWERS = 5_000
CATEGORIES = ["Skidor", "Skridskor", "Cyklar", "Bollar", "Friluftsliv", "Vattensport"]


def make_site(folder: Path, database_url: str) -> Site:
    site_dir = folder / "sites" / "bench"
    site_dir.mkdir(parents=True)
    (site_dir / "site.toml").write_text(
        '[site]\nname = "Bänken"\nbase_url = "http://bench.example"\nplugins = ["fritidsbanken"]\n',
        encoding="utf-8",
    )
    site = Site.load(site_dir, database_url=database_url, data_dir=folder / "data")
    migrate.upgrade(site)
    return site


def fill(site: Site) -> None:
    """Bulk rows: 2 branches, 20,000 items, 5,000 borrowers, 200,000 returned loans."""
    rng = random.Random(1)
    now = datetime.now(UTC)
    with site.session() as db:
        for name in ("Fritidsbanken Karlskoga", "Fritidsbanken Degerfors"):
            db.add(Branch(name=name))
        db.flush()
        for day in range(7):
            db.add(OpeningHours(branch_id=1, weekday=day, opens="10:00", closes="18:00"))
        create_user(db, "disk@bench.example", "Disk", "ett-langt-losenord", Role.ADMIN)
        db.commit()
    items = [
        {
            "number": str(100000 + i),
            "name": f"Sak {i}",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "size": str(28 + i % 20),
            "condition": "good",
            "description": "",
            "photo": "",
            "donor": "",
            "status": "available",
            "branch_id": 1 + i % 2,
            "needs_consent": False,
            "repair_note": "",
            "created_at": now - timedelta(days=i % 700),
            "updated_at": now,
            "search_text": f" sak {i} ",
        }
        for i in range(ITEMS)
    ]
    people = [
        {
            "name": f"Låntagare {i}",
            "mobile": f"+467017{i:05d}",
            "email": "",
            "birth_year": 1950 + i % 70,
            "guardian_name": "",
            "guardian_mobile": "",
            "guardian_consent": False,
            "registered_online": False,
            "created_at": now,
            "last_active_at": now,
            "tag": f"t{i:08d}",
        }
        for i in range(BORROWERS)
    ]
    with site.engine.begin() as conn:
        conn.execute(insert(Item), items)
        conn.execute(insert(Borrower), people)
        batch = []
        for n in range(LOANS):
            out = now - timedelta(days=730) + timedelta(minutes=5 * n)
            borrower = rng.randrange(BORROWERS) + 1
            batch.append(
                {
                    "item_id": rng.randrange(ITEMS) + 1,
                    "borrower_id": borrower,
                    "borrower_tag": f"t{borrower - 1:08d}",
                    "age_group": "26–64 år",
                    "branch_id": 1 + n % 2,
                    "out_at": out,
                    "due_on": (out + timedelta(days=14)).date(),
                    "returned_at": out + timedelta(days=rng.randint(3, 20)),
                    "returned_branch_id": 1,
                    "extensions": 0,
                    "overdue_reminders": 0,
                }
            )
            if len(batch) == 20_000:
                conn.execute(insert(Loan), batch)
                batch = []
        if batch:
            conn.execute(insert(Loan), batch)
        conn.execute(text("ANALYZE"))


PLANNED = {
    "item by ID number": "SELECT * FROM fritidsbanken_item WHERE number = '100042'",
    "open loan of an item": "SELECT * FROM fritidsbanken_loan WHERE item_id = 42 AND returned_at IS NULL",
    "open loans of a borrower": "SELECT * FROM fritidsbanken_loan WHERE borrower_id = 7 AND returned_at IS NULL",
    "history count of a borrower": "SELECT count(*) FROM fritidsbanken_loan WHERE borrower_id = 7",
    "queue of an item": "SELECT * FROM fritidsbanken_reservation WHERE item_id = 42 AND status IN ('waiting', 'ready')",
    "return: item, open loan, queue": (
        "SELECT i.id, l.id, (SELECT count(*) FROM fritidsbanken_reservation r WHERE r.item_id = i.id"
        " AND r.status = 'waiting') FROM fritidsbanken_item i LEFT JOIN fritidsbanken_loan l"
        " ON l.item_id = i.id AND l.returned_at IS NULL WHERE i.number IN ('100042')"
    ),
    "borrower with history count": (
        "SELECT b.*, (SELECT count(*) FROM fritidsbanken_loan l WHERE l.borrower_id = b.id)"
        " FROM fritidsbanken_borrower b WHERE b.id = 7"
    ),
    "borrower by mobile": "SELECT * FROM fritidsbanken_borrower WHERE mobile = '+46701700007'",
    "loans out now (counter)": (
        "SELECT count(*), count(CASE WHEN due_on < '2026-03-16' THEN 1 END) FROM fritidsbanken_loan"
        " WHERE returned_at IS NULL"
    ),
    "reminders due": "SELECT * FROM fritidsbanken_loan WHERE returned_at IS NULL AND due_on <= '2026-03-16'",
}


def check_plans(site: Site) -> list[str]:
    """Each counter lookup's plan; a full scan of a big table is a failure."""
    problems = []
    with site.engine.connect() as conn:
        pg = conn.dialect.name == "postgresql"
        for label, sql in PLANNED.items():
            rows = conn.execute(text(("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ") + sql)).all()
            plan = " | ".join(str(r[-1] if not pg else r[0]) for r in rows)
            print(f"  {label:<32} {plan[:110]}")
            # A skip-scan ("ANY(") reads the whole index: as bad as a scan here.
            # Scanning a partial index of open loans ("..._open") reads only those.
            scans_loans = (
                ("Seq Scan on fritidsbanken_loan" in plan)
                if pg
                else (
                    ("SCAN fritidsbanken_loan" in plan and not re.search(r"INDEX ix_fritidsbanken_loan_\w*open", plan))
                    or ("fritidsbanken_loan" in plan and "ANY(" in plan)
                )
            )
            scans_items = ("Seq Scan on fritidsbanken_item" in plan) if pg else ("SCAN fritidsbanken_item" in plan)
            if scans_loans or scans_items:
                problems.append(label)
    return problems


def rates(rounds: int, wall: float, cpu: float) -> tuple[float, float]:
    """Pairs per second of wall-clock time, and per second of this process's
    CPU time (every thread: the app's too): on a busy machine the second
    says more about the code, the first about the machine."""
    return rounds / (time.perf_counter() - wall), rounds / (time.process_time() - cpu)


def time_service(site: Site, rounds: int) -> tuple[float, float]:
    rng = random.Random(2)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        number = str(100000 + rng.randrange(ITEMS))
        with site.session() as db:
            borrower = db.get(Borrower, rng.randrange(BORROWERS) + 1)
            assert borrower is not None
            out = lending.checkout(db, site, borrower, 1, [number], 1)
            assert out[0].ok, out[0].message
            db.commit()
            back = lending.checkin(db, site, 1, [number])
            assert back[0].ok, back[0].message
            db.commit()
    return rates(rounds, started, cpu)


def time_http(site: Site, rounds: int) -> tuple[float, float]:
    from starlette.testclient import TestClient

    from core.app import create_app
    from core.csrf import csrf_cookie_name

    rng = random.Random(3)
    with TestClient(create_app(site), base_url=site.base_url) as client:
        client.get("/konto/logga-in")
        token = client.cookies.get(csrf_cookie_name(site.slug))
        login = {"email": "disk@bench.example", "password": "ett-langt-losenord", "csrftoken": token}
        assert client.post("/konto/logga-in", data=login, follow_redirects=False).status_code == 303
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            number = str(100000 + rng.randrange(ITEMS))
            borrower = rng.randrange(BORROWERS) + 1
            out = client.post(
                f"/fritidsbanken/disk/lantagare/{borrower}/lana", data={"numbers": number, "csrftoken": token}
            )
            assert out.status_code == 200 and "✔ Utlånad" in out.text, out.text[:300]
            back = client.post("/fritidsbanken/disk/aterlamna", data={"numbers": number, "csrftoken": token})
            assert back.status_code == 200 and "Återlämnad" in back.text, back.text[:300]
        return rates(rounds, started, cpu)


def signed_in(base: str) -> tuple[object, str]:
    """A browser at the desk: an httpx client signed in as staff, and its form token."""
    import httpx

    client = httpx.Client(base_url=base, timeout=30, follow_redirects=True)
    page = client.get("/konto/logga-in")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token is not None, page.text[:300]
    login = {"email": "disk@bench.example", "password": "ett-langt-losenord", "csrftoken": token.group(1)}
    answer = client.post("/konto/logga-in", data=login, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    page = client.get("/fritidsbanken/disk")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert token is not None, page.text[:300]
    return client, token.group(1)


def desk(client: object, token: str, numbers: list[str], borrowers: list[int]) -> None:
    """Lend and take back each item once, as a person at the desk does."""
    import httpx

    assert isinstance(client, httpx.Client)
    for number, borrower in zip(numbers, borrowers, strict=True):
        out = client.post(
            f"/fritidsbanken/disk/lantagare/{borrower}/lana", data={"numbers": number, "csrftoken": token}
        )
        assert out.status_code == 200 and "✔ Utlånad" in out.text, out.text[:300]
        back = client.post("/fritidsbanken/disk/aterlamna", data={"numbers": number, "csrftoken": token})
        assert back.status_code == 200 and "Återlämnad" in back.text, back.text[:300]


def process_cpu(pid: int) -> float:
    """CPU seconds of a server: the process and its children (uvicorn's workers)."""
    total = cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        total += sum(cpu_seconds(int(child)) for child in task.read_text().split())
    return total


def time_server(site: Site, database_url: str, rounds: int, workers: int, desks: list[int]) -> list[str]:
    """Pairs a second over HTTP to ``uvicorn core.asgi:app --workers N`` (as
    ``paraply serve`` runs it), from each number of counters in ``desks``."""
    import httpx

    port = free_port()
    toml = (site.folder / "site.toml").read_text(encoding="utf-8")
    toml = re.sub(r'base_url = "[^"]*"', f'base_url = "http://127.0.0.1:{port}"', toml)
    if "data_dir" not in toml:
        toml = toml.replace("[site]\n", f'[site]\ndata_dir = "{site.data_dir}"\n', 1)
    (site.folder / "site.toml").write_text(toml, encoding="utf-8")
    # No daily jobs: the reminders' first run would land in the timed rounds.
    env = {**os.environ, "PARAPLY_SITE": str(site.folder), "PARAPLY_DATABASE_URL": database_url,
           "PARAPLY_DAILY_JOBS": "0"}  # fmt: skip
    child = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "core.asgi:app", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    lines = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(base + "/konto/logga-in", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        rng = random.Random(4 + workers)
        for n in desks:
            clients = [signed_in(base) for _ in range(n)]
            # Counter k scans the items whose number is k modulo n: no two
            # desks lend the same item at once.
            work = []
            for k in range(n):
                numbers = [str(100000 + i) for i in rng.sample(range(k, ITEMS, n), rounds)]
                work.append((numbers, [rng.randrange(BORROWERS) + 1 for _ in range(rounds)]))
            for (c, t), (nums, people) in zip(clients, work, strict=True):
                desk(c, t, nums[:5], people[:5])  # warm every worker's caches
            threads = [
                threading.Thread(target=desk, args=(c, t, nums[5:], people[5:]))
                for (c, t), (nums, people) in zip(clients, work, strict=True)
            ]
            started, cpu = time.perf_counter(), process_cpu(child.pid)
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall, cpu = time.perf_counter() - started, process_cpu(child.pid) - cpu
            pairs = n * (rounds - 5)
            lines.append(
                f"server:  {pairs / wall:7.1f} check-out + check-in per second; {workers} worker(s), {n} counter(s)"
                f" at once ({pairs} pairs, four requests each); server CPU {cpu / pairs * 1000:.1f} ms a pair"
            )
            for c, _t in clients:
                c.close()  # type: ignore[attr-defined]
    finally:
        os.killpg(child.pid, 15)
        child.wait(30)
    return lines


def run(label: str, database_url: str, folder: Path, rounds: int, counters: int, workers: int) -> bool:
    print(f"\n== {label} ==")
    site = make_site(folder, database_url)
    started = time.perf_counter()
    fill(site)
    print(
        f"filled {ITEMS:,} items, {BORROWERS:,} borrowers, {LOANS:,} past loans"
        f" in {time.perf_counter() - started:.1f} s"
    )
    problems = check_plans(site)
    print(f"load before: {os.getloadavg()[0]:.2f}")
    service = time_service(site, rounds)
    http = time_http(site, rounds)
    served = time_server(site, database_url, rounds, 1, [1, counters])
    if workers > 1:
        served += time_server(site, database_url, rounds, workers, [counters])
    print(
        f"service: {service[0]:7.1f} check-out + check-in per second ({rounds} rounds);"
        f" {service[1]:7.1f} per CPU second"
    )
    print(
        f"http:    {http[0]:7.1f} check-out + check-in per second ({rounds} rounds, two POSTs each);"
        f" {http[1]:7.1f} per CPU second"
    )
    for line in served:
        print(line)
    print(f"load after: {os.getloadavg()[0]:.2f}")
    site.dispose()
    if problems:
        print(f"FULL TABLE SCANS in: {', '.join(problems)}")
    return not problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--postgres", action="store_true", help="also run on a throw-away PostgreSQL cluster")
    parser.add_argument("--counters", type=int, default=4, help="counters at once over HTTP (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers for the last HTTP run (default 2)")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for label, url, folder in each_database(Path(tmp), args.postgres):
            ok &= run(label, url, folder, args.rounds, args.counters, args.workers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
