"""The sample plugin's one table, prefixed with the plugin's name like every
plugin table."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from core.models import utcnow


class SampleThing(SQLModel, table=True):
    __tablename__ = "sample_thing"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    search_text: str = ""
    created_at: datetime = Field(default_factory=utcnow)
