"""Settings of the Fritidsbanken plugin (``[plugin.fritidsbanken]`` in site.toml).

E-mail goes through the site's mailer (``[mail]`` in site.toml; its password
comes from the environment, ``PARAPLY_SMTP_PASSWORD``, never from the toml).
"""

from __future__ import annotations

from pydantic import Field, field_validator

from core.api import N_, PluginSettings

#: Stored on items as written here; the defaults have English in the catalogue, so pages
#: show them with ``|translate`` (a site's own categories show as written).
DEFAULT_CATEGORIES = [
    N_("Skidor"),
    N_("Skridskor"),
    N_("Cyklar"),
    N_("Bollar"),
    N_("Friluftsliv"),
    N_("Vattensport"),
    N_("Hjälmar och skydd"),
    N_("Racketsport"),
    N_("Vintersport"),
    N_("Lek och spel"),
]


class FritidsbankenSettings(PluginSettings):
    prefix: str | None = "/fritidsbanken"
    #: The name shown in the navigation and on pages.
    title: str = Field(default="Fritidsbanken", min_length=1, max_length=60)
    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES))
    #: Days a loan lasts; the due day moves to the branch's next open day.
    loan_days: int = Field(default=14, ge=1, le=120)
    #: A loan can be extended this many times, and only while nobody waits.
    max_extensions: int = Field(default=1, ge=0, le=5)
    #: Days before the due day that the "due soon" reminder goes out.
    remind_days_before: int = Field(default=2, ge=0, le=14)
    #: Days after the due day between overdue reminders, and how many at most.
    overdue_every_days: int = Field(default=7, ge=1, le=60)
    max_overdue_reminders: int = Field(default=3, ge=0, le=10)
    #: A loan still out this many days after its due day counts as never returned.
    lost_after_days: int = Field(default=60, ge=7, le=730)
    #: Days a reserved item is held at the counter after its pick-up day.
    hold_days: int = Field(default=3, ge=1, le=30)
    #: How far ahead a pick-up day may be chosen.
    max_pickup_days_ahead: int = Field(default=30, ge=1, le=180)
    #: Months without a loan after which a borrower's personal data is deleted.
    delete_after_months: int = Field(default=24, ge=1, le=120)
    #: Days sent messages are kept for the counter to look up.
    message_retention_days: int = Field(default=90, ge=1, le=730)
    per_page: int = Field(default=24, ge=6, le=100)
    max_image_kb: int = Field(default=4096, ge=50, le=8192)
    #: How messages go out: "log" (written to the log only: demo and tests),
    #: "mail" (e-mail through the site's mailer, [mail] in site.toml, and text
    #: messages through an e-mail-to-SMS gateway; "smtp" is its older name), or
    #: "package.module:factory" for a sender of your own (see senders.py).
    sender: str = "log"
    #: The From of Fritidsbanken's e-mails; empty: the site's [mail] from_address.
    mail_from: str = ""
    #: An e-mail-to-SMS gateway address; ``{number}`` becomes the mobile
    #: number without "+", e.g. "{number}@sms.example.se". Empty: no SMS.
    sms_gateway: str = ""
    #: Days an item counts as "new in the catalogue" in the federated feed.
    new_days: int = Field(default=60, ge=1, le=365)
    #: Authority and year of tag URIs in the federated "new in the catalogue"
    #: feed (empty authority: federation's). Never change them once published.
    tag_authority: str = ""
    tag_year: int = Field(default=2026, ge=2000, le=2100)

    @field_validator("categories")
    @classmethod
    def _non_empty(cls, v: list[str]) -> list[str]:
        if not v or any(not s.strip() for s in v):
            raise ValueError("must list at least one category, with no empty names")
        return v

    @field_validator("sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        if v == "smtp":  # the name from before the site had one mailer
            return "mail"
        if v not in ("log", "mail") and ":" not in v:
            raise ValueError("must be 'log', 'mail' or 'package.module:factory'")
        return v

    @field_validator("sms_gateway")
    @classmethod
    def _gateway(cls, v: str) -> str:
        if v and ("{number}" not in v or "@" not in v):
            raise ValueError("must be an e-mail address containing {number}, e.g. '{number}@sms.example.se'")
        return v
