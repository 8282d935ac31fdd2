"""Settings of the webportal plugin (``[plugin.webportal]`` in site.toml)."""

from __future__ import annotations

from pydantic import Field, field_validator

from core.api import PluginSettings

DEFAULT_CATEGORIES = [
    "Idrott",
    "Kultur",
    "Socialt",
    "Folkbildning",
    "Funktionsrätt",
    "Barn och unga",
    "Pensionärer",
    "Hälsa",
    "Miljö och natur",
    "Intresse och hobby",
    "Religion och livsåskådning",
    "Internationellt",
]


class WebportalSettings(PluginSettings):
    prefix: str | None = "/"
    #: Municipalities the umbrella covers; the directory filters by them.
    municipalities: list[str] = Field(default_factory=lambda: ["Karlskoga"])
    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    per_page: int = Field(default=20, ge=5, le=100)
    #: Largest logo or news image, in kilobytes.
    max_image_kb: int = Field(default=2048, ge=50, le=8192)
    #: Authority part of tag URIs (RFC 4151), e.g. "mockeln.example"; empty:
    #: the host of base_url. Never change it once feeds are published.
    tag_authority: str = ""
    #: Year in the tag URIs; fixed once feeds are published.
    tag_year: int = Field(default=2026, ge=2000, le=2100)

    @field_validator("municipalities", "categories")
    @classmethod
    def _non_empty(cls, v: list[str]) -> list[str]:
        if not v or any(not s.strip() for s in v):
            raise ValueError("must list at least one name, with no empty names")
        return v
