"""Health, metrics and upgrades (issue 19): what monitoring and the staff see
of a site's state, on both databases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner

from core import cli as cli_module
from core import migrate
from core.models import OutboxMessage, Role, utcnow
from core.site import Site
from tests.conftest import add_user, text_of

OLD_CORE_REVISION = "3a6e9d2f7b15"  # core as it was before accounts' sessions and tokens


def test_health_reports_every_check_and_the_version(client, site):
    response = client.get("/-/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["site"] == site.slug
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["migrations"] == {"status": "ok"}
    assert body["checks"]["disk"]["free_bytes"] > 0
    assert response.headers["cache-control"] == "no-store"


def test_metrics_are_hidden_without_the_token(client, monkeypatch):
    monkeypatch.setenv("PARAPLY_METRICS_TOKEN", "s3cret-token")
    assert client.get("/-/metrics").status_code == 404
    assert client.get("/-/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    monkeypatch.delenv("PARAPLY_METRICS_TOKEN")
    # No token set: an empty "Bearer " is no key either.
    assert client.get("/-/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_metrics_count_requests_and_the_outbox(client, site, monkeypatch):
    monkeypatch.setenv("PARAPLY_METRICS_TOKEN", "s3cret-token")
    # Due in an hour: the outbox worker the client's lifespan started must not
    # send it before the scrape (it did once in CI, on PostgreSQL).
    later = utcnow() + timedelta(hours=1)
    with site.session() as db:
        db.add(OutboxMessage(to_address="a@example.se", subject="Hej", body="x", language="sv", next_attempt_at=later))
        db.commit()
    assert client.get("/").status_code == 200
    assert client.get("/finns-inte").status_code == 404
    response = client.get("/-/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()

    def value(prefix: str) -> float:
        found = [line for line in lines if line.startswith(prefix)]
        assert found, f"no series {prefix} in {response.text[:2000]}"
        return float(found[0].rsplit(" ", 1)[1])

    labels = f'site="{site.slug}"'
    assert value(f'paraply_http_requests_total{{method="GET",{labels},status="2xx"}}') >= 1
    assert value(f'paraply_http_requests_total{{method="GET",{labels},status="4xx"}}') >= 1
    assert value(f'paraply_http_request_duration_seconds_count{{method="GET",{labels}}}') >= 2
    assert value(f"paraply_outbox_waiting{{{labels}}}") == 1
    assert value(f"paraply_outbox_failed{{{labels}}}") == 0
    if site.engine.dialect.name == "sqlite":
        # The pages just served filled a connection's page cache, at least.
        assert value("paraply_sqlite_memory_bytes ") > 64 * 1024


def _at_old_schema(site: Site) -> None:
    cfg = migrate.alembic_config(site)
    with site.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, OLD_CORE_REVISION)


def test_an_older_database_is_reported_and_migrate_is_safe_to_rerun(
    make_site, make_client, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
):
    site = make_site(plugins=["webportal"], migrate_db=False)
    _at_old_schema(site)
    health = make_client(site).get("/-/health")
    assert health.status_code == 503
    checks = health.json()["checks"]["migrations"]
    assert checks["status"] == "fail"
    assert "core" in checks["pending"] and "webportal" in checks["pending"]
    assert checks["run"] == f"paraply migrate --site {site.slug}"

    monkeypatch.setenv("PARAPLY_DATABASE_URL", database_url)
    monkeypatch.setenv("PARAPLY_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    folder = site.folder
    for _ in range(2):  # the second run finds nothing to do, and says the same
        result = runner.invoke(cli_module.cli, ["migrate", "--site", str(folder)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert "  core ..." in result.output and "  webportal ..." in result.output
        assert "Klart: core, federation, webportal är uppdaterade." in result.output
    assert migrate.pending(site) == []
    assert make_client(site).get("/-/health").json()["status"] == "ok"


def test_the_admin_page_names_the_command_when_migrations_wait(make_site, make_client):
    site = make_site(plugins=["webportal"])
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    client = make_client(site)
    client.login("admin@test.example")
    page = text_of(client.get("/-/admin").text)
    assert "Paraply version 0.1.0." in page
    assert "Databasen behöver uppgraderas" not in page
    # The code is newer than the database: core's newest change not made yet.
    cfg = migrate.alembic_config(site)
    with site.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "4b8e2f6a1c93-1")
    page = text_of(client.get("/-/admin").text)
    assert "Databasen behöver uppgraderas" in page
    assert f"paraply migrate --site {site.slug}" in page
    assert "(core)" in page
