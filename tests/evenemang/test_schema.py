"""The events plugin's migrations build exactly its models' tables (what
alembic's autogenerate would add is nothing)
on both databases."""

from __future__ import annotations

from core.site import Site
from tests.test_migrations import _schema_differences


def test_migrated_schema_matches_the_models(ev_site: Site) -> None:
    assert _schema_differences(ev_site, "evenemang") == []
    # (An expression index is not compared by alembic; the race tests see the database refuse a duplicate.)
