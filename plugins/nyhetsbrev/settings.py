"""Settings of the nyhetsbrev plugin (``[plugin.nyhetsbrev]`` in site.toml)."""

from __future__ import annotations

from pydantic import Field

from core.api import PluginSettings


class NyhetsbrevSettings(PluginSettings):
    prefix: str | None = "/nyhetsbrev"
    #: Days a confirmation link works; an unconfirmed address is deleted after them (daily job).
    confirm_days: int = Field(default=7, ge=1, le=60)
    #: Issues per page in the archive and the admin list.
    per_page: int = Field(default=10, ge=1, le=100)
