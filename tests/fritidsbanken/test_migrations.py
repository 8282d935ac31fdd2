"""Fritidsbanken's own Alembic branch: its tables come with the plugin and
match the models (a model change without a migration fails here)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from core import migrate
from plugins.fritidsbanken import models  # noqa: F401  (registers the tables)


def _differences(site) -> list[object]:  # type: ignore[no-untyped-def]
    def include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        return bool(table) and table.startswith("fritidsbanken_")

    with site.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        return list(compare_metadata(context, SQLModel.metadata))


def test_the_branch_creates_every_table_and_matches_the_models(fb_site):
    wanted = {name for name in SQLModel.metadata.tables if name.startswith("fritidsbanken_")}
    assert {"fritidsbanken_item", "fritidsbanken_loan", "fritidsbanken_borrower"} <= wanted
    assert wanted <= set(inspect(fb_site.engine).get_table_names())
    differences = _differences(fb_site)
    assert differences == [], "models changed without a migration:\n" + "\n".join(map(str, differences))
    assert "fritidsbanken" in migrate.branches_for(fb_site)
    assert migrate.pending(fb_site) == []
