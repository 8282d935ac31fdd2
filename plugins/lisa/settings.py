"""Settings of the LISA plugin (``[plugin.lisa]`` in site.toml)."""

from __future__ import annotations

from pydantic import Field, field_validator

from core.api import PluginSettings


class LisaSettings(PluginSettings):
    prefix: str | None = "/hjalp"
    #: Municipalities the directory covers; services, posters and filters use them.
    municipalities: list[str] = Field(default_factory=lambda: ["Karlskoga", "Degerfors"])
    #: Days a referral is kept before it is deleted automatically (GDPR: minimal, with an end).
    referral_retention_days: int = Field(default=90, ge=1, le=730)
    #: A service whose information was last confirmed longer ago than this is flagged to admins.
    verify_after_months: int = Field(default=12, ge=1, le=60)
    #: How long a confirmation link sent to an organisation stays valid, in days.
    confirm_link_days: int = Field(default=60, ge=1, le=365)
    per_page: int = Field(default=20, ge=5, le=100)
    #: Authority for tag URIs of federated entries; empty: the host of base_url.
    tag_authority: str = ""
    tag_year: int = Field(default=2026, ge=2000, le=2100)

    @field_validator("municipalities")
    @classmethod
    def _non_empty(cls, v: list[str]) -> list[str]:
        if not v or any(not s.strip() for s in v):
            raise ValueError("must list at least one municipality, with no empty names")
        return v
