"""Fixtures for the newsletter's tests: a site with webportal and
nyhetsbrev, an admin and two editors (who are nobody special here)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.models import Role
from core.site import Site
from core.testing import Client, add_user
from tests.conftest import DEFAULT_WEBPORTAL

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
def as_user(make_client: Callable[[Site], Client]) -> Callable[[Site, str | None], Client]:
    def log_in(site: Site, email: str | None) -> Client:
        client = make_client(site)
        if email:
            client.login(email)
        return client

    return log_in
