"""The URL builder and the per-site clock: links follow a site's prefix,
absolute ones its base_url, a broken name fails loudly, and moving one site's
clock leaves every other site's alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from starlette.routing import NoMatchFound

from core.api import absolute_url_for, url_for
from tests.conftest import DEFAULT_WEBPORTAL


def test_paths_follow_the_prefix_and_absolute_urls_the_base_url(make_site):
    site = make_site(
        plugins=["webportal", "lisa"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "lisa": 'prefix = "/stod"\n'},
    )
    assert url_for(site, "lisa:service", service_id=3) == "/stod/tjanst/3"
    assert url_for(site, "webportal:association", slug="kulturforeningen") == "/foreningar/kulturforeningen"
    assert url_for(site, "login") == "/konto/logga-in"
    assert url_for(site, "lisa:search", query={"kommun": "Degerfors", "behov": None}) == "/stod/?kommun=Degerfors"
    assert absolute_url_for(site, "lisa:service", service_id=3) == "http://testsite.example/stod/tjanst/3"
    with pytest.raises(NoMatchFound):
        url_for(site, "lisa:no_such_page")
    with pytest.raises(NoMatchFound):
        url_for(site, "lisa:service")  # the id is missing


def test_a_name_built_again_gives_the_same_path_and_the_same_errors(make_site):
    """``url_for`` remembers which of the site's routes answered a name (to
    skip the walk on the next link), never what it answered: every value is
    built again, and a missing or wrong parameter fails as the first time."""
    site = make_site(
        plugins=["webportal", "lisa"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "lisa": 'prefix = "/stod"\n'},
    )
    for _round in range(2):
        assert [url_for(site, "lisa:service", service_id=n) for n in (3, 41)] == ["/stod/tjanst/3", "/stod/tjanst/41"]
        assert url_for(site, "webportal:association", slug="pro") == "/foreningar/pro"
        assert url_for(site, "login") == "/konto/logga-in"
        with pytest.raises(NoMatchFound):
            url_for(site, "lisa:service")
        with pytest.raises(NoMatchFound):
            url_for(site, "lisa:service", service_id=3, extra=1)
        with pytest.raises(ValueError, match="-1 is not an id"):
            url_for(site, "lisa:service", service_id=-1)  # core's id convertor refuses it, every time


def test_the_pages_link_where_url_for_says(make_site, make_client):
    site = make_site(
        plugins=["webportal", "lisa"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "lisa": 'prefix = "/stod"\n'},
    )
    page = make_client(site).get(url_for(site, "lisa:search"))
    assert page.status_code == 200
    assert f'href="{url_for(site, "lisa:print_index")}"' in page.text


def test_each_site_has_its_own_clock(make_site, tmp_path):
    first = make_site(slug="forsta", plugins=[])
    second = make_site(slug="andra", plugins=[], url=f"sqlite:///{tmp_path / 'andra.db'}")
    first.clock.set(datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    assert first.clock.today() == date(2026, 3, 2), "00:30 in Stockholm is the next day"
    assert not second.clock.is_fixed and abs(second.clock.now() - datetime.now(UTC)) < timedelta(minutes=1)
    first.clock.advance(timedelta(days=1))
    assert first.clock.now() == datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    with first.clock.frozen(date(2026, 6, 1)):
        assert first.clock.now() == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # local noon in summer time
    assert first.clock.now() == datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        first.clock.set(datetime(2026, 3, 1, 12, 0))
