"""The table of settings changed from the web (core.web_settings).

Each row is one save: who (the account's id, kept so the history can say
who; a deleted account shows as removed), when, and the overrides of
site.toml before and after, as JSON. The newest row's ``after`` is what the
site uses; undoing a change saves its ``before`` as a new row, so the
history itself is never rewritten."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SettingChange(SQLModel, table=True):
    __tablename__ = "core_setting_change"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_utcnow)
    user_id: int | None = Field(default=None, index=True)
    before: str = Field(default="{}")
    after: str = Field(default="{}")
