"""The daily jobs run by the server itself (``core.daily``): started in the
app's lifespan, and off when the environment says so (the other tests keep
them off). Once a day, a failing job, the admin page:
``test_hooks.test_hook_daily_jobs``; once with workers racing:
``lisa/test_referrals.py``; ``paraply daily``: ``test_cli.py``."""

from __future__ import annotations

import time
from datetime import datetime

from sqlmodel import select

from core import daily
from core.models import DailyRun
from tests.conftest import Client

PLUGINS = ["webportal", "lisa", "fritidsbanken", "odling"]


def _runs(site) -> list[DailyRun]:  # type: ignore[no-untyped-def]
    with site.session() as db:
        return list(db.exec(select(DailyRun).order_by(DailyRun.job)).all())


def test_the_server_runs_the_days_jobs_when_it_starts(make_site, monkeypatch):
    site = make_site(plugins=PLUGINS)
    monkeypatch.setenv("PARAPLY_DAILY_JOBS", "1")
    monkeypatch.setattr(daily, "RUN_FROM", datetime.min.time())  # whatever the hour the tests run at
    from core.app import create_app

    with Client(create_app(site), base_url=site.base_url):
        deadline = time.monotonic() + 20
        while len(_runs(site)) < 9 and time.monotonic() < deadline:
            time.sleep(0.05)
    runs = _runs(site)
    assert sorted(r.job for r in runs) == [
        "bildstorlekar",
        "core-accounts",
        "core-mail",
        "core-rate-limits",
        "federation-grannforfragningar",
        "fritidsbanken",
        "lisa-remisser",
        "odling-gallra",
        "odling-paminnelser",
    ]
    assert all(r.ok for r in runs), [(r.job, r.summary) for r in runs]


def test_switched_off_the_server_leaves_them_to_cron(make_site, monkeypatch):
    site = make_site(plugins=PLUGINS)
    monkeypatch.setenv("PARAPLY_DAILY_JOBS", "0")
    monkeypatch.setattr(daily, "RUN_FROM", datetime.min.time())
    from core.app import create_app

    with Client(create_app(site), base_url=site.base_url) as client:
        assert client.get("/").status_code == 200
        time.sleep(0.3)
    assert _runs(site) == []
