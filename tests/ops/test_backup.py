"""Backup and restore (issue 19, core.backup): a site backed up while it is
being written to comes back elsewhere with every table and file, on both
databases; bad archives are refused and change nothing."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text
from sqlalchemy.schema import MetaData

from core import backup
from core import cli as cli_module
from core.models import OutboxMessage, Role
from core.site import Site
from core.testing import load_test_site
from plugins.webportal.models import Association
from tests.conftest import add_user

PICTURE = bytes(range(256)) * 40


def other_database(request: pytest.FixtureRequest, database_url: str, tmp_path: Path, name: str) -> str:
    """A second empty database of the same kind (the "fresh machine")."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    from tests.conftest import _new_pg_database

    return _new_pg_database(request.getfixturevalue("pg_cluster"))


def fresh_site(site: Site, url: str, tmp_path: Path, name: str) -> Site:
    """The same site folder, on an empty database and an empty data folder."""
    return load_test_site(site.folder, url, tmp_path / "fresh" / name, migrate_db=False)


def with_content(site: Site) -> None:
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    with site.session() as db:
        for i in range(30):
            db.add(
                Association(
                    slug=f"forening-{i}",
                    name=f"Förening nr {i} – Karlskoga",
                    category="Idrott",
                    municipality="Karlskoga",
                    description="Vi spelar **bandy** på Nobelhallen. Åäö.",
                    logo=f"logo-{i}.png" if i < 3 else "",
                )
            )
        db.commit()
    for i in range(3):
        (site.uploads_dir / f"logo-{i}.png").write_bytes(PICTURE + bytes([i]))
    (site.uploads_dir / "sizes").mkdir(exist_ok=True)
    (site.uploads_dir / "sizes" / "logo-0-320.webp").write_bytes(b"RIFF" + PICTURE)


def snapshot(site: Site) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    meta = MetaData()
    meta.reflect(site.engine)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with site.engine.connect() as connection:
        for table in meta.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(select(table).order_by(*order))]
    return rows


def files_of(site: Site) -> dict[str, bytes]:
    root = site.uploads_dir
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def outbox_count(site: Site) -> int:
    with site.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM core_outbox")).scalar_one())


class Writer(threading.Thread):
    """Queues e-mails as fast as the database takes them, as a busy site does."""

    def __init__(self, site: Site) -> None:
        super().__init__(daemon=True)
        self.site, self.stop, self.written, self.error = site, threading.Event(), 0, None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                with self.site.session() as db:
                    db.add(
                        OutboxMessage(to_address="a@example.se", subject=f"Nr {self.written}", body="x", language="sv")
                    )
                    db.commit()
                self.written += 1
        except Exception as exc:  # reported by the test
            self.error = exc


def test_backup_under_write_load_restores_every_table_and_file(site, request, database_url, tmp_path):
    with_content(site)
    writer = Writer(site)
    writer.start()
    try:
        while writer.written < 20:
            threading.Event().wait(0.01)
        before = outbox_count(site)
        archive = backup.backup(site, tmp_path / "backups")
        after_backup = outbox_count(site)
    finally:
        writer.stop.set()
        writer.join()
    assert writer.error is None
    assert archive.stat().st_mode & 0o777 == 0o600

    restored = fresh_site(site, other_database(request, database_url, tmp_path, "under_load"), tmp_path, "under_load")
    try:
        manifest = backup.restore(restored, archive)
        assert manifest.site == site.slug and manifest.database == site.engine.dialect.name
        copy = snapshot(restored)
        original = snapshot(site)
        # The snapshot was taken between the two counts, whole: every table
        # but the outbox is as it was, and the outbox is a prefix of the original's.
        assert before <= len(copy["core_outbox"]) <= after_backup
        assert copy["core_outbox"] == original["core_outbox"][: len(copy["core_outbox"])]
        assert {k: v for k, v in copy.items() if k != "core_outbox"} == {
            k: v for k, v in original.items() if k != "core_outbox"
        }
        assert files_of(restored) == files_of(site)
    finally:
        restored.dispose()

    # Quiet now: a second backup comes back identical, table by table, file by file.
    archive = backup.backup(site, tmp_path / "backups", now=datetime.now(UTC) + timedelta(seconds=1))
    again = fresh_site(site, other_database(request, database_url, tmp_path, "quiet"), tmp_path, "quiet")
    try:
        backup.restore(again, archive)
        assert snapshot(again) == snapshot(site)
        assert files_of(again) == files_of(site)
        assert len(files_of(again)) == 4
    finally:
        again.dispose()


def _rewrite(archive: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            handle = source.extractfile(member)
            data = change(member.name, handle.read() if handle else b"")
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


@pytest.fixture
def archive_and_empty_site(site, request, database_url, tmp_path):  # type: ignore[no-untyped-def]
    with_content(site)
    archive = backup.backup(site, tmp_path / "backups")
    empty = fresh_site(site, other_database(request, database_url, tmp_path, "empty"), tmp_path, "empty")
    yield archive, empty
    empty.dispose()


def _refused(empty: Site, archive: Path, words: str) -> None:
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(empty, archive)
    assert words in str(refused.value)
    assert inspect(empty.engine).get_table_names() == []  # nothing changed
    assert files_of(empty) == {}


def test_a_corrupt_archive_is_refused_and_changes_nothing(archive_and_empty_site, tmp_path):
    archive, empty = archive_and_empty_site
    flipped = _rewrite(
        archive,
        tmp_path / "flipped.tar.gz",
        lambda name, data: data[:-1] + b"!" if name == "uploads/logo-1.png" else data,
    )
    _refused(empty, flipped, "kontrollsumman för uploads/logo-1.png stämmer inte")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    _refused(empty, cut, "skad")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"<html>inte ett arkiv</html>")
    _refused(empty, junk, "är inte en säkerhetskopia från Paraply")


def test_an_archive_from_a_newer_version_is_refused(archive_and_empty_site, tmp_path):
    archive, empty = archive_and_empty_site

    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["paraply"] = "9.0.0"
        manifest["migrations"]["core"] = "ffffffffffff"
        return json.dumps(manifest).encode()

    _refused(empty, _rewrite(archive, tmp_path / "newer.tar.gz", newer), "nyare version av Paraply (9.0.0)")


def test_restore_never_overwrites_a_site_with_data(archive_and_empty_site, site):
    archive, _empty = archive_and_empty_site
    before = snapshot(site)
    with pytest.raises(backup.BackupError, match="inte tom"):
        backup.restore(site, archive)
    assert snapshot(site) == before


def test_backup_and_restore_commands_on_a_fresh_machine(site, request, database_url, tmp_path, monkeypatch):
    with_content(site)
    runner = CliRunner()
    monkeypatch.setenv("PARAPLY_DATABASE_URL", database_url)
    monkeypatch.setenv("PARAPLY_DATA_DIR", str(site.data_dir.parent))
    result = runner.invoke(
        cli_module.cli, ["backup", "--site", str(site.folder), "--to", str(tmp_path / "out")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "Klart:" in result.output and "filer med kontrollsummor" in result.output
    (archive,) = (tmp_path / "out").glob("paraply-testsite-*.tar.gz")

    # The new server: no site folder, an empty database and data folder.
    monkeypatch.setenv("PARAPLY_SITES_DIR", str(tmp_path / "new-server" / "sites"))
    monkeypatch.setenv("PARAPLY_DATA_DIR", str(tmp_path / "new-server" / "data"))
    monkeypatch.setenv("PARAPLY_DATABASE_URL", other_database(request, database_url, tmp_path, "new_server"))
    result = runner.invoke(cli_module.cli, ["restore", "--site", "testsite", str(archive)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Webbplatsens mapp" in result.output and "är återställd" in result.output
    restored = Site.load("testsite")
    try:
        assert restored.config_path.read_bytes() == site.config_path.read_bytes()
        assert snapshot(restored) == snapshot(site)
        assert files_of(restored) == files_of(site)
        # Twice is refused, in Swedish, without a traceback.
        again = runner.invoke(cli_module.cli, ["restore", "--site", "testsite", str(archive)])
        assert again.exit_code == 1 and "Webbplatsens databas är inte tom" in again.output
    finally:
        restored.dispose()


def test_the_daily_job_keeps_the_newest_copies(make_site, tmp_path):
    from core import daily

    site = make_site(extra=f'[backup]\ndir = "{tmp_path / "nightly"}"\nkeep = 2\n')
    assert "backup" in {job.name for job in daily.jobs(site)}
    start = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
    for day in range(3):
        line = backup.scheduled_backup(site, start + timedelta(days=day))
        assert "är sparad" in line
    kept = sorted(p.name for p in (tmp_path / "nightly").iterdir())
    assert kept == ["paraply-testsite-20260302T040000000000Z.tar.gz", "paraply-testsite-20260303T040000000000Z.tar.gz"]
