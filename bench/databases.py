"""The databases a benchmark runs on, one after the other: a SQLite file in
the given folder, then, when asked and PostgreSQL's binaries are found, a
throw-away PostgreSQL cluster that is started here and stopped when the loop
ends (the way the tests start theirs, tests/pg.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def each_database(folder: Path, postgres: bool) -> Iterator[tuple[str, str, Path]]:
    """(label, database URL, a data folder of its own) for SQLite, then PostgreSQL."""
    yield "SQLite", f"sqlite:///{folder}/bench.db", folder / "sqlite"
    if not postgres:
        return
    from sqlalchemy import create_engine, text

    from tests.pg import find_pg_bin, start_cluster

    if find_pg_bin() is None:
        print("\nPostgreSQL binaries (initdb, pg_ctl) not found: skipped")
        return
    cluster = start_cluster()
    try:
        admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('CREATE DATABASE "bench"'))
        admin.dispose()
        yield "PostgreSQL", cluster.url("bench"), folder / "pg"
    finally:
        cluster.stop()
