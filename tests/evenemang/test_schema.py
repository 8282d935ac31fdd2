"""The events plugin's migrations build exactly its models' tables (what
alembic's autogenerate would add is nothing)
on both databases."""

from __future__ import annotations

from core.site import Site
from tests.test_migrations import _schema_differences


def test_migrated_schema_matches_the_models(ev_site: Site) -> None:
    assert _schema_differences(ev_site, "evenemang") == []
    # (An expression index is not compared by alembic; the race tests see the database refuse a duplicate.)


def test_the_opt_in_migration_keeps_one_active_registration_per_address(ev_site: Site, as_user) -> None:  # type: ignore[no-untyped-def]
    """Registrations from before the unique index: a second active row for an
    address (in another case) is cancelled, the oldest stays, ``taken`` is
    counted again, and the index then holds. Down and up again, on both
    databases."""
    from alembic import command
    from sqlalchemy import text

    from core.migrate import alembic_config
    from tests.evenemang.conftest import EDITOR, event_form

    def run(step: str, target: str) -> None:
        cfg = alembic_config(ev_site)
        with ev_site.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            getattr(command, step)(cfg, target)

    editor = as_user(ev_site, EDITOR)
    event_id = int(editor.submit("/evenemang/nytt", event_form()).headers["location"].rsplit("/", 1)[-1])
    run("downgrade", "evenemang@5b1e0c7a9d21")
    with ev_site.engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO evenemang_registration_setup (event_id, places, taken, waiting_list, is_open, updated_at)"
                " VALUES (:e, 5, 3, true, true, CURRENT_TIMESTAMP)"
            ),
            {"e": event_id},
        )
        for name, email, state in (
            ("A", "a@x.se", "confirmed"),
            ("A", "A@X.se", "confirmed"),
            ("B", "b@x.se", "waiting"),
        ):
            db.execute(
                text(
                    "INSERT INTO evenemang_registration (event_id, name, email, state, key, created_at)"
                    " VALUES (:e, :n, :m, :s, 'k', CURRENT_TIMESTAMP)"
                ),
                {"e": event_id, "n": name, "m": email, "s": state},
            )
    run("upgrade", "evenemang@head")
    with ev_site.engine.connect() as db:
        rows = db.execute(text("SELECT email, state FROM evenemang_registration ORDER BY id")).all()
        taken = db.execute(text("SELECT taken FROM evenemang_registration_setup")).scalar_one()
    assert [tuple(r) for r in rows] == [("a@x.se", "confirmed"), ("A@X.se", "cancelled"), ("b@x.se", "waiting")]
    assert taken == 1
