"""Fixtures for the newsletter's tests: a site with webportal and
nyhetsbrev, an admin and two editors (who are nobody special here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from core.models import Role
from core.site import Site
from core.testing import Client, SmtpInbox, add_user, smtp_settings
from tests.conftest import DEFAULT_WEBPORTAL

#: The newsletter tests' "now": the end of March, so March's news make an issue.
NOW = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)

ADMIN = "admin@brev.example"
EDITOR = "redaktor@brev.example"
OTHER_EDITOR = "annan@brev.example"


def make_letter_site(make_site: Callable[..., Site]) -> Site:
    site = make_site(plugins=["webportal", "nyhetsbrev"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    add_user(site, EDITOR, Role.EDITOR, "Rita Redaktör")
    add_user(site, OTHER_EDITOR, Role.EDITOR, "Anna Annan")
    return site


@pytest.fixture
def letter_site(make_site: Callable[..., Site], smtp_inbox: SmtpInbox) -> Site:
    """A site with webportal and nyhetsbrev that sends to the test's real SMTP server, at ``NOW``."""
    site = make_site(
        plugins=["webportal", "nyhetsbrev"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL},
        extra=smtp_settings(smtp_inbox.port, from_address="info@testsite.example"),
    )
    site.clock.set(NOW)
    return site


@pytest.fixture
def as_user(make_client: Callable[[Site], Client]) -> Callable[[Site, str | None], Client]:
    def log_in(site: Site, email: str | None) -> Client:
        client = make_client(site)
        if email:
            client.login(email)
        return client

    return log_in
