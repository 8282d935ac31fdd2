"""search index: one table of searchable documents, full-text indexed
(SQLite FTS5 table ``search_fts`` kept by triggers; PostgreSQL GIN indexes)

Revision ID: 9e2c4a7f1b05
Revises: 9e2c5a7d1f80
Create Date: 2026-12-05 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9e2c4a7f1b05"
down_revision: str | Sequence[str] | None = "9e2c5a7d1f80"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE = [
    # External content: the text lives once, in core_search_document. Prefix
    # indexes make the short prefixes people type ("kö", "kör") fast.
    "CREATE VIRTUAL TABLE search_fts USING fts5(search_text, title_text, content='core_search_document',"
    " content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='2 3 4')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON core_search_document BEGIN"
    " INSERT INTO search_fts(rowid, search_text, title_text) VALUES (new.id, new.search_text, new.title_text); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON core_search_document BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, search_text, title_text)"
    " VALUES ('delete', old.id, old.search_text, old.title_text); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON core_search_document BEGIN"
    " INSERT INTO search_fts(search_fts, rowid, search_text, title_text)"
    " VALUES ('delete', old.id, old.search_text, old.title_text);"
    " INSERT INTO search_fts(rowid, search_text, title_text) VALUES (new.id, new.search_text, new.title_text); END",
]
POSTGRESQL = [
    # 'simple': the text already holds each word and its Swedish Snowball stem
    # (the algorithm of PostgreSQL's 'swedish' dictionary), so both databases
    # index the same tokens and answer alike.
    "CREATE INDEX ix_core_search_document_fts ON core_search_document"
    " USING gin (to_tsvector('simple'::regconfig, search_text))",
    "CREATE INDEX ix_core_search_document_title_fts ON core_search_document"
    " USING gin (to_tsvector('simple'::regconfig, title_text))",
]


def upgrade() -> None:
    op.create_table(
        "core_search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("origin", sa.Integer(), nullable=False),
        sa.Column("origin_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("origin_url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("ref", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("meta", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("sort_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("published", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("search_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "origin", "ref"),
    )
    with op.batch_alter_table("core_search_document", schema=None) as batch_op:
        batch_op.create_index("ix_core_search_document_kind_sort", ["kind", "sort_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_core_search_document_origin"), ["origin"], unique=False)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE if dialect == "sqlite" else POSTGRESQL if dialect == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table("core_search_document")
