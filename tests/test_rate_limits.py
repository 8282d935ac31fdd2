"""Core's one rate limit (``core.rate_limits``, ``core.api.within_limit``),
on both databases: two workers (two Site objects on one database) share the
count, the window slides on the site's clock, only keyed hashes are stored,
and the daily job deletes the rows whose window has ended. The plugins'
limits on top of it: tests/evenemang (sign-ups), tests/lokaler
(test_people_limits_midnight.py), tests/federation/test_join.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from core import daily
from core.api import within_limit
from core.models import RateLimitHit
from core.site import Site

HOUR = timedelta(hours=1)
START = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


def _worker(site: Site) -> Site:
    """A second worker process's Site: same folder, same database."""
    other = Site(site.folder, site.config, site.installed, database_url=site.database_url, data_dir=site.data_dir)
    other.clock.set(site.clock.now())
    return other


def _rows(site: Site) -> list[RateLimitHit]:
    with site.session() as db:
        return list(db.exec(select(RateLimitHit)).all())


@pytest.fixture
def two_workers(make_site):
    site = make_site()
    site.clock.set(START)
    other = _worker(site)
    yield site, other
    other.dispose()


def test_two_workers_share_one_count(two_workers):
    first, second = two_workers
    visitor = {"client": "198.51.100.7"}
    answers = [within_limit(w, "prov", visitor, 3, HOUR) for w in (first, second, first, second, first)]
    assert answers == [True, True, True, False, False]
    # Another visitor, and the same visitor in another limit, are counted apart.
    assert within_limit(second, "prov", {"client": "198.51.100.8"}, 3, HOUR)
    assert within_limit(first, "annan", visitor, 3, HOUR)


def test_every_key_must_stay_within_the_limit(two_workers):
    first, second = two_workers
    for n in range(2):
        assert within_limit(first, "prov", {"client": f"192.0.2.{n}", "email": "offer@example.org"}, 2, HOUR)
    # A fresh visitor is refused for the address the others used up; its own count still went up.
    assert not within_limit(second, "prov", {"client": "192.0.2.9", "email": "offer@example.org"}, 2, HOUR)
    assert within_limit(second, "prov", {"client": "192.0.2.9", "email": "egen@example.org"}, 2, HOUR)
    assert not within_limit(first, "prov", {"client": "192.0.2.9", "email": "tredje@example.org"}, 2, HOUR)


def test_the_window_slides_on_the_sites_clock(two_workers):
    site, _other = two_workers
    visitor = {"client": "2001:db8:1:2::/64"}
    assert within_limit(site, "prov", visitor, 2, HOUR)  # 09:00
    site.clock.advance(timedelta(minutes=30))
    assert within_limit(site, "prov", visitor, 2, HOUR)  # 09:30
    assert not within_limit(site, "prov", visitor, 2, HOUR)  # 09:30, a third within the hour
    site.clock.advance(timedelta(minutes=30))
    # 10:00: the 09:00 attempt has left the hour, the three at 09:30 have not.
    assert not within_limit(site, "prov", visitor, 2, HOUR)
    site.clock.advance(timedelta(minutes=31))
    # 10:31: only the refused 10:00 attempt is within the hour.
    assert within_limit(site, "prov", visitor, 2, HOUR)


def test_only_keyed_hashes_are_stored(two_workers):
    site, other = two_workers
    within_limit(site, "prov", {"client": "203.0.113.5", "email": "Vera@Example.se"}, 5, HOUR)
    within_limit(other, "annan", {"client": "203.0.113.5"}, 5, HOUR)
    rows = _rows(site)
    assert len(rows) == 3
    for row in rows:
        assert len(row.key) == 64 and int(row.key, 16) >= 0  # hex of SHA-256
        assert "203.0.113" not in row.key and "example" not in row.key.lower()
    assert len({row.key for row in rows}) == 3, "the same address in two limits is not linkable"
    assert {row.scope for row in rows} == {"prov", "annan"}
    hit = next(r for r in rows if r.scope == "annan")
    assert hit.expires_at.replace(tzinfo=UTC) == START + HOUR


def test_the_daily_job_deletes_expired_rows(two_workers):
    site, _other = two_workers
    within_limit(site, "kort", {"client": "198.51.100.1"}, 5, timedelta(minutes=10))
    within_limit(site, "lang", {"client": "198.51.100.1"}, 5, timedelta(days=2))
    # 03:30 in Sweden the next day: the ten minutes are over, the two days are not.
    runs = daily.run_due(site, datetime(2027, 3, 11, 2, 30, tzinfo=UTC))
    run = next(r for r in runs if r.job == "core-rate-limits")
    assert run.ok and run.summary == "1 räknade försök borttagna."
    assert [row.scope for row in _rows(site)] == ["lang"]


def test_a_limit_needs_a_key_and_a_window(two_workers):
    site, _other = two_workers
    with pytest.raises(ValueError):
        within_limit(site, "prov", {}, 5, HOUR)
    with pytest.raises(ValueError):
        within_limit(site, "prov", {"client": "x"}, 5, timedelta(0))
    assert _rows(site) == []
