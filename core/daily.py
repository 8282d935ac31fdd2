"""Daily jobs: what plugins need done once a day (reminders, deleting
personal data past its date), run by the site itself, so that umbrella staff
need no cron or systemd timer for their data to be deleted on time.

From ``RUN_FROM`` (03:00) in the site's time zone, the first check of the
day runs each job the ``daily_jobs`` hook returns, once. A run is claimed by
inserting its (job, day) row, which is unique, so with several worker
processes (or a cron job beside them) only the first runs it. A server that
was down at 03:00 runs the day's jobs when it starts. A job that fails is
recorded with its error and does not stop the others; it is tried again the
next day. ``paraply daily`` runs the day's jobs at once, at any hour. With
``PARAPLY_DAILY_JOBS=0`` in the environment the server leaves them alone
(the tests do, so that demo data stays as loaded).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, time, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from core.contributions import DailyJob
from core.models import DailyRun
from core.periodic import PeriodicTask
from core.plugins import collect
from core.site import Site

log = logging.getLogger("paraply.daily")

#: The local time from which the day's jobs run (quiet hours, after midnight's dates have turned).
RUN_FROM = time(3, 0)
#: Seconds between checks in a running server.
CHECK_EVERY = 600
#: How long the runs are kept for the admin page.
KEEP_DAYS = 60


def jobs(site: Site) -> list[DailyJob]:
    return collect(site.pm, "daily_jobs", site=site)


def run_due(site: Site, now: datetime | None = None, any_hour: bool = False) -> list[DailyRun]:
    """Run each job not yet run on the local day of ``now``; return the runs
    made here (empty before ``RUN_FROM`` unless ``any_hour``, or when another
    worker got them)."""
    now = now or site.clock.now()
    local = site.clock.local(now)
    if local.time() < RUN_FROM and not any_hour:
        return []
    with site.session() as db:  # one read, so a server checking all day does not retry every insert
        claimed = set(db.exec(select(DailyRun.job).where(DailyRun.day == local.date())).all())
    done: list[DailyRun] = []
    for job in (j for j in jobs(site) if j.name not in claimed):
        with site.session() as db:
            run = DailyRun(job=job.name, day=local.date(), started_at=now)
            db.add(run)
            try:
                db.commit()
            except IntegrityError:  # already run today, here or by another worker
                db.rollback()
                continue
            run_id = run.id
        try:
            summary, ok = job.run(site, now), True
            log.info("%s: dagligt jobb %s: %s", site.slug, job.name, summary)
        except Exception as exc:  # one job's failure must not stop the others
            log.exception("%s: dagligt jobb %s misslyckades", site.slug, job.name)
            summary, ok = f"{type(exc).__name__}: {exc}", False
        with site.session() as db:
            finished = db.get(DailyRun, run_id)
            assert finished is not None
            finished.finished_at, finished.ok, finished.summary = site.clock.now(), ok, summary[:500]
            db.add(finished)
            db.commit()
            db.refresh(finished)
            done.append(finished)
    if done:
        with site.session() as db:
            cutoff = local.date() - timedelta(days=KEEP_DAYS)
            db.exec(delete(DailyRun).where(col(DailyRun.day) < cutoff))  # type: ignore[call-overload]
            db.commit()
    return done


def recent_runs(site: Site, days: int = 14) -> list[DailyRun]:
    """The runs of the last ``days`` days, newest first, for the admin page."""
    since = site.clock.today() - timedelta(days=days)
    with site.session() as db:
        rows = db.exec(
            select(DailyRun).where(col(DailyRun.day) > since).order_by(col(DailyRun.day).desc(), col(DailyRun.job))
        ).all()
        return list(rows)


def enabled_by_environment() -> bool:
    return os.environ.get("PARAPLY_DAILY_JOBS", "1").strip().lower() not in ("0", "false", "no", "off")


class DailyScheduler(PeriodicTask):
    """Checks every ``CHECK_EVERY`` seconds, in the app's lifespan, whether
    the day's jobs are due; the work runs in a thread, off the event loop."""

    name = "daily"
    failure = "de dagliga jobben kunde inte köras"

    def __init__(self, site: Site) -> None:
        super().__init__(site, CHECK_EVERY)

    def enabled(self) -> bool:
        return enabled_by_environment() and bool(jobs(self.site))

    def run(self) -> list[DailyRun]:
        return run_due(self.site)
