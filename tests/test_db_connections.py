"""The connection pool against a real PostgreSQL server whose connections
are ended under it (``pg_terminate_backend``, what a server restart or a
firewall's idle timeout does): a connection idle longer than
``PING_AFTER_IDLE`` is pinged and replaced before use, so nobody sees the
failure; one back in the pool a moment ago is used without asking (a round
trip saved on every session), and the one request that meets it dead fails
once while the pool renews itself. Also: the reads every request makes run
outside a transaction and still see the latest commit."""

from __future__ import annotations

import time
from typing import Any

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from core import db, pagecache
from core.models import User

IDLE, INTRANS = TransactionStatus.IDLE, TransactionStatus.INTRANS


#: A fresh PostgreSQL database of the tests' cluster (conftest's ``database_url``).
ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _end_every_connection(url: str) -> int:
    """Ends the server side of every other connection to this database."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            ended = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
    finally:
        admin.dispose()
    return int(ended or 0)


def _backend(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


@ON_POSTGRESQL
def test_an_idle_connection_is_pinged_and_replaced_when_its_server_side_is_gone(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        first = _backend(engine)
        assert _end_every_connection(database_url) == 1
        time.sleep(db.PING_AFTER_IDLE + 0.2)  # as a server restart takes
        assert _backend(engine) != first, "a fresh connection, and no error for the request"
    finally:
        engine.dispose()


@ON_POSTGRESQL
def test_a_connection_used_a_moment_ago_is_not_pinged_and_a_dead_one_fails_once(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 60.0)  # "a moment ago" however slow the machine is
    engine = db.make_engine(database_url)
    try:
        _backend(engine)
        assert _end_every_connection(database_url) == 1
        with pytest.raises(SQLAlchemyError, match="terminat|reconnect"):  # not pinged: it meets the dead connection
            _backend(engine)
        assert _backend(engine) > 0, "the pool renewed itself: the next request works"
    finally:
        engine.dispose()


@ON_POSTGRESQL
def test_reads_outside_a_transaction_see_the_latest_commit_and_leave_the_connection_as_it_was(
    make_site: Any,
) -> None:
    """(SQLite's driver begins no transaction for a read in any case.)"""
    site = make_site(plugins=[])
    before = pagecache.content_version(site.engine)
    with site.read_session() as reading:
        assert reading.execute(text("SELECT count(*) FROM core_user")).scalar() == 0
        raw = reading.connection().connection.dbapi_connection
        assert raw.info.transaction_status == IDLE, "no transaction held open after the read"
        with site.session() as writing:
            writing.add(User(email="ny@test.example", name="Ny", password_hash="x"))
        assert reading.execute(text("SELECT count(*) FROM core_user")).scalar() == 1
    assert pagecache.content_version(site.engine) == (before or 0) + 1
    with site.session() as session:
        session.execute(text("SELECT 1"))
        raw = session.connection().connection.dbapi_connection
        assert raw.info.transaction_status == INTRANS, "the pooled connection went back to transactions"
