"""How long ``paraply backup`` and ``paraply restore`` take on the Möckeln
demo site (demo data plus its uploads), and how big the archive is, on
SQLite and (with --postgres) PostgreSQL. Also times ``/-/health``. Prints
the figures with the machine's load, which the shared test machine needs.

    .venv/bin/python bench/backup_restore.py [--postgres]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PARAPLY_SECRET_KEY", "bench-secret")
os.environ["PARAPLY_DAILY_JOBS"] = "0"

from bench.databases import each_database  # noqa: E402
from core import backup, health, migrate  # noqa: E402
from core.demo import load_demo  # noqa: E402
from core.site import Site  # noqa: E402

MOCKELN = Path(__file__).resolve().parents[1] / "sites" / "mockeln"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        for label, url, data in each_database(root, args.postgres):
            site = Site.load(MOCKELN, database_url=url, data_dir=data)
            migrate.upgrade(site)
            load_demo(site, echo=lambda _m: None)
            started = time.perf_counter()
            archive = backup.backup(site, root / "backups" / label)
            made = time.perf_counter() - started
            started = time.perf_counter()
            for _ in range(20):
                health.report(site)
            checked = (time.perf_counter() - started) / 20
            restore_url = (
                url.rsplit("/", 1)[0] + "/bench_restore" if label == "PostgreSQL" else f"sqlite:///{root}/r.db"
            )
            if label == "PostgreSQL":
                from sqlalchemy import create_engine, text

                admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text('CREATE DATABASE "bench_restore"'))
                admin.dispose()
            target = Site.load(MOCKELN, database_url=restore_url, data_dir=root / f"restored-{label}")
            started = time.perf_counter()
            backup.restore(target, archive)
            restored = time.perf_counter() - started
            manifest = backup.read_manifest(archive)
            size = archive.stat().st_size / 1e6
            print(
                f"{label}: backup {made:.2f} s, restore {restored:.2f} s, archive {size:.2f} MB "
                f"({len(manifest.files)} files), /-/health report {checked * 1000:.0f} ms"
            )
            target.dispose()
            site.dispose()
    print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
