"""Settings of the evenemang plugin (``[plugin.evenemang]`` in site.toml)."""

from __future__ import annotations

from pydantic import Field

from core.api import N_, PluginSettings

#: Stored and filtered in Swedish (the site's data); shown through the
#: catalogue, so an English page says "Sport and exercise".
DEFAULT_CATEGORIES = [
    N_("Idrott och motion"),
    N_("Kultur och musik"),
    N_("Möte och föreläsning"),
    N_("Barn och familj"),
    N_("Natur och friluftsliv"),
    N_("Hälsa och gemenskap"),
    N_("Marknad och fest"),
    N_("Kurs och studiecirkel"),
    N_("Övrigt"),
]


class EvenemangSettings(PluginSettings):
    #: Routes carry their own paths (``/evenemang/...`` and the network
    #: calendar at ``/natverket/kalender``), so the plugin sits at the root.
    prefix: str | None = "/"
    #: An editor's event waits for an admin before it is public.
    require_approval: bool = False
    #: A series may have at most this many occurrences (an RRULE must end).
    max_occurrences: int = Field(default=520, ge=1, le=5000)
    #: Categories offered in the form and the filter.
    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    #: Events per page in the list.
    per_page: int = Field(default=30, ge=5, le=200)
    #: Year in the tag URIs of federated events; fixed once published.
    tag_year: int = Field(default=2026, ge=2000, le=2100)
    #: Days after an event that its participants' names and e-mail are erased (daily job).
    registration_retention_days: int = Field(default=30, ge=0, le=3650)
    #: Sign-ups by e-mail one visitor (client address, see core's ``throttle_key``)
    #: may send in an hour: each mails someone, and a script should not mail the town.
    sign_ups_per_hour: int = Field(default=10, ge=1, le=10000)
    #: Largest image an editor may upload, in kB.
    max_image_kb: int = Field(default=4096, ge=100, le=20000)
