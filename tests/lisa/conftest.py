"""Fixtures for the LISA tests: a site with LISA enabled and its demo data,
logged-in clients for the demo roles, and a clock the test controls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.demo import DEMO_PASSWORD, load_demo
from core.site import Site
from tests.conftest import DEFAULT_WEBPORTAL, Client

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ADMIN = "admin@lisa.example"
NURSE = "vardcentral@lisa.example"
VOLUNTEER = "organisation@lisa.example"


def local(*args: int) -> datetime:
    """A wall-clock time in Sweden."""
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


@pytest.fixture
def lisa_site(make_site: Callable[..., Site]) -> Site:
    """Möckeln-like: webportal and LISA, with LISA's demo content."""
    site = make_site(slug="lisa", plugins=["webportal", "lisa"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    load_demo(site, echo=lambda _m: None)
    return site


@pytest.fixture
def set_clock(made_sites: list[Site]) -> Callable[[datetime], None]:
    """Set the clock of the test's sites (``site.clock``)."""

    def set_all(value: datetime) -> None:
        for site in made_sites:
            site.clock.set(value)

    return set_all


@pytest.fixture
def login(make_client: Callable[[Site], Client]) -> Callable[[Site, str | None], Client]:
    def factory(site: Site, email: str | None) -> Client:
        client = make_client(site)
        if email:
            client.login(email, DEMO_PASSWORD)
        return client

    return factory
