"""The plugin's migration makes exactly the tables its models describe, on both databases."""

from __future__ import annotations

from tests.nyhetsbrev.conftest import make_letter_site
from tests.test_migrations import _schema_differences


def test_migrated_schema_matches_the_models(make_site):
    site = make_letter_site(make_site)
    differences = _schema_differences(site, "nyhetsbrev")
    assert differences == [], "\n".join(map(str, differences))
