"""Settings of the samverkan plugin (``[plugin.samverkan]`` in site.toml)."""

from __future__ import annotations

from pydantic import Field

from core.api import PluginSettings


class SamverkanSettings(PluginSettings):
    prefix: str | None = "/samverkan"
    #: The municipality (or municipalities) the IOP is signed with, as the report names it.
    partner: str = Field(default="kommunen", min_length=1, max_length=200)
    #: Days after an assignment was closed that the requester's contact
    #: details (name, e-mail, phone) are erased by the daily job.
    contact_retention_days: int = Field(default=365, ge=0, le=3650)
    #: Days after an assignment was closed, or its last day to report interest
    #: passed, that the contact details of the interests in it are erased.
    interest_retention_days: int = Field(default=180, ge=0, le=3650)
    #: Year in the tag URIs of federated assignments (``uppdrag``); fixed once published.
    tag_year: int = Field(default=2026, ge=2000, le=2100)
    #: How many assignments, and how many interests, one visitor or one
    #: e-mail address may send an hour through the public forms.
    public_forms_per_hour: int = Field(default=5, ge=1, le=1000)
