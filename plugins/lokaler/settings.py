"""Settings of the lokaler plugin (``[plugin.lokaler]`` in site.toml)."""

from __future__ import annotations

from pydantic import Field

from core.api import PluginSettings


class LokalerSettings(PluginSettings):
    prefix: str | None = "/lokaler"
    #: The house's name, as the pages and e-mails call it.
    house_name: str = Field(default="Föreningarnas hus", min_length=1, max_length=120)
    #: What the house calls its rented offices and desks ("Lediga kontorsplatser på Föreningsbyrån").
    offices_name: str = Field(default="Föreningsbyrån", min_length=1, max_length=120)
    #: Where the house is (shown with every room, and as an event's address).
    address: str = Field(default="", max_length=200)
    #: Days after a booking ended that the contact details of a booker who is
    #: not a member association (name, e-mail, phone) are erased (daily job).
    contact_retention_days: int = Field(default=90, ge=0, le=3650)
    #: Largest photo of a room, in kB (core's image handling stores it in several widths).
    max_image_kb: int = Field(default=4096, ge=100, le=20000)
    #: Weeks a series may span at most (a term is about 20).
    max_series_weeks: int = Field(default=26, ge=1, le=104)
    #: Booking requests on the public form one visitor (client address) or one
    #: e-mail address may send in an hour; more get "try again later".
    requests_per_hour: int = Field(default=5, ge=1, le=1000)
