"""Settings of the evenemang plugin (``[plugin.evenemang]`` in site.toml)."""

from __future__ import annotations

from pydantic import Field

from core.api import PluginSettings


class EvenemangSettings(PluginSettings):
    prefix: str | None = "/evenemang"
    #: An editor's event waits for an admin before it is public.
    require_approval: bool = False
    #: A series may have at most this many occurrences (an RRULE must end).
    max_occurrences: int = Field(default=520, ge=1, le=5000)
    #: Year in the tag URIs of federated events; fixed once published.
    tag_year: int = Field(default=2026, ge=2000, le=2100)
