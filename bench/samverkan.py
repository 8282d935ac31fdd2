"""Follow-up report benchmark for samverkan: with ten years of a busy
umbrella's records (20,000 assignments with three offers each, 2,000
meetings, 500 consultation answers, 400 projects), how long do the report
of a tertial (this and the previous period's figures, three areas) and its
exports (CSV, XLSX, PDF) take?

Run from the repository root:

    .venv/bin/python bench/samverkan.py              # SQLite
    .venv/bin/python bench/samverkan.py --postgres   # and PostgreSQL

Quote ``uptime`` with the figures: the machine is shared.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PARAPLY_SECRET_KEY", "bench-secret-key-not-for-production")
os.environ["PARAPLY_DAILY_JOBS"] = "0"

from sqlalchemy import insert  # noqa: E402

from bench.databases import each_database  # noqa: E402
from core import migrate  # noqa: E402
from core.site import Site  # noqa: E402
from plugins.samverkan import periods, report  # noqa: E402
from plugins.samverkan.models import Assignment, Meeting, Offer, Project, Statement  # noqa: E402

ASSIGNMENTS, MEETINGS, STATEMENTS, PROJECTS = 20_000, 2_000, 500, 400
DAYS = 3650


def make_site(folder: Path, database_url: str) -> Site:
    site_dir = folder / "sites" / "bench"
    site_dir.mkdir(parents=True)
    (site_dir / "site.toml").write_text(
        '[site]\nname = "Bänken"\nbase_url = "http://bench.example"\nplugins = ["samverkan"]\n', encoding="utf-8"
    )
    site = Site.load(site_dir, database_url=database_url, data_dir=folder / "data")
    migrate.upgrade(site)
    return site


def fill(site: Site) -> None:
    rng = random.Random(16)
    today = date.today()
    now = datetime.now(UTC)

    def day() -> date:
        return today - timedelta(days=rng.randrange(DAYS))

    with site.session() as db:
        assignments = []
        for n in range(ASSIGNMENTS):
            created = now - timedelta(days=rng.randrange(DAYS))
            matched = rng.random() < 0.6
            assignments.append(
                dict(
                    title=f"Uppdrag {n}", description="Fika och funktionärer.", requester="Kommunen",
                    status="done" if matched else "closed", created_at=created,
                    matched_at=created + timedelta(days=5) if matched else None,
                    matched_slug=f"forening-{n % 120}" if matched else "", hours=rng.randrange(40),
                    paid_kronor=rng.randrange(20_000), social_enterprise=rng.random() < 0.1,
                )
            )  # fmt: skip
        db.execute(insert(Assignment), assignments)
        offers = [
            dict(
                assignment_id=n + 1, association_slug=f"forening-{(n + k) % 120}", association_name="F",
                answer=rng.choice(["yes", "no", "question"]), offered_at=now,
                answered_at=now - timedelta(days=rng.randrange(DAYS)),
            )
            for n in range(ASSIGNMENTS)
            for k in range(3)
        ]  # fmt: skip
        db.execute(insert(Offer), offers)
        db.execute(
            insert(Meeting),
            [
                dict(title=f"Möte {n}", kind=rng.choice(["natverk", "samverkansgrupp", "dialog", "utbildning"]),
                     day=day(), civil_society=rng.randrange(30), municipality=rng.randrange(6),
                     associations="\n".join(f"Förening {rng.randrange(120)}" for _ in range(6)))
                for n in range(MEETINGS)
            ],
        )  # fmt: skip
        db.execute(
            insert(Statement),
            [dict(topic=f"Remiss {n}", recipient="KS", day=day(), associations="A\nB\nC") for n in range(STATEMENTS)],
        )
        db.execute(
            insert(Project),
            [
                dict(title=f"Projekt {n}", lead="A", partners="B\nC", funder="Arvsfonden", applied_kronor=100_000,
                     granted_kronor=80_000, status=rng.choice(["granted", "declined", "submitted"]), submitted=day(),
                     starts=day(), ends=day() + timedelta(days=700))
                for n in range(PROJECTS)
            ],
        )  # fmt: skip
        db.commit()


def timed(rounds: int, work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1 if len(times) > 1 else 0]


def run(label: str, url: str, folder: Path, rounds: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    site = make_site(folder, url)
    started = time.perf_counter()
    fill(site)
    print(f"\n{label}: filled in {time.perf_counter() - started:.1f} s")
    period = periods.last_tertial(date.today())

    def build() -> dict:  # type: ignore[type-arg]
        with site.session() as db:
            return report.build(site, db, period, None)

    document = build()
    html = (
        "<html><body>"
        + "".join(
            f"<h2>{s['heading']}</h2><p>{r['label']}: {r['value']} / {r['previous']}</p>"
            for s in document["sections"]
            for r in s["rows"]
        )
        + "</body></html>"
    )
    for name, work, n in (
        ("report (both periods)", build, rounds),
        ("CSV", lambda: report.to_csv(document), rounds),
        ("XLSX", lambda: report.to_xlsx(document), max(rounds // 10, 3)),
        ("PDF (WeasyPrint)", lambda: report.to_pdf(html, "http://bench.example/"), max(rounds // 20, 3)),
    ):
        median, p95 = timed(n, work)
        print(f"  {name:<22} median {median:8.1f} ms   p95 {p95:8.1f} ms   ({n} rounds)")
    site.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--postgres", action="store_true", help="also run on a throw-away PostgreSQL cluster")
    args = parser.parse_args()
    print("load:", os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        for label, url, folder in each_database(Path(tmp), args.postgres):
            run(label, url, folder, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
