"""Alembic environment for Paraply: always run with a connection handed in by
``core.migrate``; autogenerate only looks at the tables of the plugin being
revised (``table_prefix``)."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlmodel import SQLModel

config = context.config
prefix: str | None = config.attributes.get("table_prefix")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if prefix is None:
        return True
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = name if type_ == "table" else getattr(table, "name", "")
    return bool(table_name and table_name.startswith(prefix)) and table_name != "alembic_version"


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations with 'paraply migrate', not the alembic command.")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
