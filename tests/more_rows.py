"""More rows of every kind a page lists, for tests/test_query_counts.py:
each row of the listed tables is copied once, its children copied with it
(a copied LISA service gets its needs and hours, a copied event its place),
and the values that must be unique made so ("-kopia-N" on text, a fresh
UUID on uids)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Integer, MetaData, String, Table, insert, select

from core.site import Site

#: Parents before children: a child's reference to a copied parent points to the copy.
COPIED = [
    "webportal_association",
    "webportal_news",
    "lisa_organisation",
    "lisa_service",
    "lisa_service_term",
    "lisa_schedule",
    "lisa_special_hours",
    "odling_crop",
    "odling_bed",
    "odling_planting",
    "fritidsbanken_item",
    "evenemang_event",
    "lokaler_resource",
    "federation_entry",
]


def unique_columns(table: Table) -> set[str]:
    names = {c.name for c in table.columns if c.unique}
    names |= {c.name for index in table.indexes if index.unique for c in index.columns}
    for constraint in table.constraints:
        if type(constraint).__name__ == "UniqueConstraint":
            names |= {c.name for c in constraint.columns}  # type: ignore[attr-defined]
    return names


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def add_more_rows(site: Site) -> None:
    metadata = MetaData()
    with site.engine.connect() as conn:
        metadata.reflect(conn, only=[t for t in COPIED if site.engine.dialect.has_table(conn, t)])
    copies: dict[str, dict[Any, Any]] = {}
    with site.engine.begin() as conn:
        for name in COPIED:
            if name not in metadata.tables:
                continue
            table = metadata.tables[name]
            unique = unique_columns(table)
            copies[name] = {}
            for n, row in enumerate(conn.execute(select(table)).mappings().all()):
                values = dict(row)
                old_id = values.pop("id", None)
                for column in table.columns:
                    value = values.get(column.name)
                    for fk in column.foreign_keys:
                        mapped = copies.get(fk.column.table.name, {})
                        if value in mapped:
                            values[column.name] = mapped[value]
                    if column.name in unique and isinstance(column.type, String) and value is not None:
                        if column.name in ("uid", "uuid") or _is_uuid(value):
                            values[column.name] = str(uuid.uuid4())
                        elif column.name in values and not column.foreign_keys:
                            values[column.name] = f"{value}-kopia-{n}"[: column.type.length or None]
                new_id = conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()
                if old_id is not None and isinstance(table.c.id.type, Integer):
                    copies[name][old_id] = new_id
