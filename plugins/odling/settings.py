"""Settings of the odling plugin (``[plugin.odling]`` in site.toml)."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from core.api import PluginSettings


class OdlingSettings(PluginSettings):
    prefix: str | None = "/parken"
    #: The park's name, shown in headings, the iCal feed and Darwin Core's locality.
    park_name: str = "Ätbart för bi och människa"
    #: Where the park is (WGS84), for Darwin Core; default the Bofors station
    #: area in Karlskoga (approximate), to within ``coordinate_uncertainty_m``.
    latitude: float = Field(default=59.3283, ge=-90, le=90)
    longitude: float = Field(default=14.5466, ge=-180, le=180)
    coordinate_uncertainty_m: int = Field(default=1000, ge=1, le=100000)
    #: Municipality for Darwin Core (``municipality``).
    municipality: str = "Karlskoga"
    #: Members inactive this long are deleted (the retention rule).
    retention_months: int = Field(default=24, ge=1, le=120)
    #: Reminders go out this many days before a work session.
    reminder_days: int = Field(default=2, ge=1, le=14)
    #: Sender of reminders and personal links; empty: no e-mail is sent.
    mail_from: str = ""
    #: Year in the tag URIs of federated work sessions; fixed once published.
    tag_year: int = Field(default=2026, ge=2000, le=2100)
    #: A fixed "today" (YYYY-MM-DD) for demos and tests; empty: the real date.
    today: date | None = None

    @field_validator("park_name", "municipality")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v.strip()
