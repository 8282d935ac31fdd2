"""The plugin's migration makes exactly the tables its models describe, on
both databases (the exclusion constraint, which no model can state, aside)."""

from __future__ import annotations

from tests.test_migrations import _schema_differences


def test_migrated_schema_matches_the_models(lok_site):
    differences = [
        d
        for d in _schema_differences(lok_site, "lokaler")
        # PostgreSQL's exclusion constraint lives only in the migration.
        if not (isinstance(d, tuple) and d[0] == "remove_constraint")
    ]
    assert differences == [], "\n".join(map(str, differences))
