"""``/-/health``: is this site well, for a monitoring service or a person.

Answers JSON with one entry per check and an overall ``status``; 200 when
every check passes, 503 when one fails (what monitors such as Uptime Kuma
or a load balancer look at). It tells nothing personal or secret, so it is
public: the database answers, its migrations are up to date (else the
command to run), the data folder has room, the daily jobs ran, and no
plugin chosen from the web waits for a restart. A
``warn`` does not fail the site (daily jobs not run yet on a new site).
"""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

if TYPE_CHECKING:
    from core.site import Site

log = logging.getLogger("paraply.health")

#: Below this many free bytes in the data folder the disk check fails.
MIN_FREE_BYTES = 512 * 1024 * 1024


def pending_migrations(site: Site) -> list[str]:
    """Branches (core, plugins) with migrations not yet run; [] when the
    database cannot tell (it is down: the health check says so)."""
    from core import migrate

    try:
        return migrate.pending(site)
    except Exception:
        return []


def log_pending_migrations(site: Site) -> None:
    """At start-up: a server on a database that is behind says so in the
    log, with the command to run (it never migrates by itself)."""
    waiting = pending_migrations(site)
    if waiting:
        log.warning(
            "The database of site %s needs migrations (%s): run `paraply migrate --site %s`",
            site.slug,
            ", ".join(waiting),
            site.slug,
        )


def check_database(site: Site) -> dict[str, Any]:
    try:
        with site.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "down"
        return {"status": "fail", "error": type(exc).__name__}
    return {"status": "ok", "kind": site.engine.dialect.name}


def check_migrations(site: Site) -> dict[str, Any]:
    from core import migrate

    try:
        waiting = migrate.pending(site)
    except Exception as exc:
        return {"status": "fail", "error": type(exc).__name__}
    if waiting:
        return {"status": "fail", "pending": waiting, "run": f"paraply migrate --site {site.slug}"}
    return {"status": "ok"}


def check_disk(site: Site) -> dict[str, Any]:
    free = shutil.disk_usage(site.data_dir).free
    return {"status": "ok" if free >= MIN_FREE_BYTES else "fail", "free_bytes": free}


def check_daily_jobs(site: Site) -> dict[str, Any]:
    from core import daily
    from core.models import DailyRun

    if not daily.enabled_by_environment():
        return {"status": "ok", "automatic": False}
    since = site.clock.today() - timedelta(days=2)
    with site.session() as db:
        runs = db.exec(select(DailyRun).where(col(DailyRun.day) >= since)).all()
    if not runs:
        return {"status": "warn", "last_day": None}
    last = max(run.day for run in runs)
    failed = sorted({run.job for run in runs if run.day == last and run.ok is False})
    return {"status": "warn" if failed else "ok", "last_day": last.isoformat(), "failed": failed}


def check_restart(site: Site) -> dict[str, Any]:
    """Plugins turned on or off from the web wait for the site's next start
    (core.web_settings): a warning until every worker has restarted."""
    from core.web_settings import refresh_quietly, restart_pending

    refresh_quietly(site)
    pending = restart_pending(site)
    if pending is None:
        return {"status": "ok"}
    return {"status": "warn", "restart_needed": True, "enable": pending.enable, "disable": pending.disable}


def report(site: Site) -> dict[str, Any]:
    from core import __version__

    checks: dict[str, dict[str, Any]] = {"database": check_database(site)}
    if checks["database"]["status"] == "ok":
        checks["migrations"] = check_migrations(site)
        checks["daily_jobs"] = check_daily_jobs(site)
        checks["restart"] = check_restart(site)
    checks["disk"] = check_disk(site)
    status = "fail" if any(c["status"] == "fail" for c in checks.values()) else "ok"
    return {"status": status, "site": site.slug, "version": __version__, "checks": checks}


def health(request: Request) -> Response:
    site: Site = request.app.state.site
    body = report(site)
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503, headers={"Cache-Control": "no-store"})
