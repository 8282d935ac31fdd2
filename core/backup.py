"""``paraply backup`` and ``paraply restore``: one archive with everything a
site needs to come back on another machine.

The archive (``paraply-<site>-<UTC time>.tar.gz``) holds:

- ``database.sqlite3``, made with SQLite's online backup API, or
  ``database.pgdump``, made by ``pg_dump --format=custom``: both read one
  consistent snapshot while the site goes on writing;
- ``uploads/``, copied after the database, so every file a row names is
  there (one deleted in between aside);
- ``site.toml``, the site's settings file;
- ``manifest.json``: the archive format, Paraply's version, the database
  kind, the migration revision of core and each plugin, and a SHA-256 of
  every other member.

``restore`` checks every checksum and the versions before it touches
anything, and restores only onto an empty site (no tables, no uploads): it
never overwrites a site's data. An archive from a newer Paraply (a
migration this code does not know) is refused: upgrade first, restore
after. SQLite goes back to SQLite and PostgreSQL to PostgreSQL; moving
between them is not a restore.

Scheduled backups: with ``[backup] dir`` in site.toml the daily jobs write
one archive a day there and keep the newest ``[backup] keep``.
"""

from __future__ import annotations

import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from core.site import Site

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
SETTINGS_MEMBER = "site.toml"
UPLOADS = "uploads"
PREFIX = "paraply-"


class BackupError(Exception):
    """Why a backup or restore cannot be done, in Swedish, for the person at the server."""


@dataclass(frozen=True)
class Manifest:
    format: int
    paraply: str
    site: str
    database: str
    created: str
    migrations: dict[str, str | None]
    files: dict[str, str]

    @classmethod
    def read(cls, raw: bytes) -> Manifest:
        try:
            data: dict[str, Any] = json.loads(raw)
            return cls(
                format=int(data["format"]),
                paraply=str(data["paraply"]),
                site=str(data["site"]),
                database=str(data["database"]),
                created=str(data["created"]),
                migrations=dict(data["migrations"]),
                files={str(k): str(v) for k, v in dict(data["files"]).items()},
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError("Arkivets innehållsförteckning (manifest.json) går inte att läsa.") from exc


# -- PostgreSQL's tools ---------------------------------------------------------


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: ``PARAPLY_PG_BIN`` if set, else the newest
    Debian cluster's binaries, else PATH (a newer client reads older servers)."""
    folder = os.environ.get("PARAPLY_PG_BIN")
    if folder:
        return str(Path(folder) / name)
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} saknas: installera PostgreSQL-klienten (apt-get install postgresql-client).")
    return found


def _libpq_url(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} misslyckades: {done.stderr.strip()[:500]}")


# -- backup -----------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _dump_database(site: Site, folder: Path) -> str:
    if site.engine.dialect.name == "sqlite":
        database = make_url(site.database_url).database
        if not database or database == ":memory:":
            raise BackupError("En databas i minnet kan inte säkerhetskopieras.")
        target = folder / SQLITE_MEMBER
        source = sqlite3.connect(database)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # one step: a consistent snapshot, writers go on
        finally:
            copy.close()
            source.close()
        return SQLITE_MEMBER
    target = folder / PG_MEMBER
    url = _libpq_url(site.database_url)
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", url])
    return PG_MEMBER


def _upload_files(site: Site) -> Iterator[Path]:
    root = site.uploads_dir
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def backup(site: Site, target_dir: Path, now: datetime | None = None) -> Path:
    """Write one archive of the site into ``target_dir``; return its path."""
    from core import __version__, migrate

    now = now or datetime.now(UTC)
    target_dir.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{site.slug}-{now.strftime('%Y%m%dT%H%M%S%fZ')}.tar.gz"
    final = target_dir / name
    with tempfile.TemporaryDirectory(prefix="paraply-backup-") as work:
        folder = Path(work)
        migrations = migrate.current_heads(site)
        database_member = _dump_database(site, folder)
        files: dict[str, str] = {database_member: _sha256(folder / database_member)}
        if site.config_path.is_file():
            files[SETTINGS_MEMBER] = _sha256(site.config_path)
        uploads = [(path, f"{UPLOADS}/{path.relative_to(site.uploads_dir).as_posix()}") for path in _upload_files(site)]
        for path, member in uploads:
            files[member] = _sha256(path)
        manifest = {
            "format": FORMAT,
            "paraply": __version__,
            "site": site.slug,
            "database": site.engine.dialect.name,
            "created": now.isoformat(),
            "migrations": migrations,
            "files": files,
        }
        partial = target_dir / f".{name}.part"
        with tarfile.open(partial, "w:gz") as archive:
            raw = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(raw), int(now.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(raw))
            archive.add(folder / database_member, database_member, recursive=False)
            if SETTINGS_MEMBER in files:
                archive.add(site.config_path, SETTINGS_MEMBER, recursive=False)
            for path, member in uploads:
                archive.add(path, member, recursive=False)
        os.chmod(partial, 0o600)  # the archive holds personal data
        partial.rename(final)  # a half-written archive never looks like a backup
    return final


def prune(target_dir: Path, slug: str, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives of the site; return the deleted."""
    archives = sorted(target_dir.glob(f"{PREFIX}{slug}-*.tar.gz"))
    old = archives[:-keep] if keep > 0 else archives
    for path in old:
        path.unlink()
    return old


def scheduled_backup(site: Site, now: datetime) -> str:
    """The daily job: one archive into ``[backup] dir``, the newest ``keep`` kept."""
    settings = site.config.backup
    folder = Path(settings.dir)
    if not folder.is_absolute():
        folder = site.data_dir / folder
    path = backup(site, folder, now)
    removed = prune(folder, site.slug, settings.keep)
    return f"Säkerhetskopian {path.name} är sparad; {len(removed)} äldre togs bort."


# -- restore ---------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> Manifest:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.getmember(MANIFEST)
            handle = archive.extractfile(member)
            if handle is None:
                raise KeyError(MANIFEST)
            return Manifest.read(handle.read())
    except (tarfile.TarError, OSError, EOFError, KeyError) as exc:
        raise BackupError(
            f"{archive_path.name} är inte en säkerhetskopia från Paraply, eller så är den skadad."
        ) from exc


def _check_versions(site: Site, manifest: Manifest) -> None:
    from alembic.script import ScriptDirectory

    from core import migrate

    if manifest.format > FORMAT:
        raise BackupError("Arkivet har ett nyare format än den här versionen av Paraply kan läsa. Uppgradera först.")
    script = ScriptDirectory.from_config(migrate.alembic_config(site))
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = sorted(
        f"{branch} ({rev})" for branch, rev in manifest.migrations.items() if rev is not None and rev not in known
    )
    if unknown:
        raise BackupError(
            f"Arkivet kommer från en nyare version av Paraply ({manifest.paraply}) med databasändringar som "
            f"den här versionen inte känner till: {', '.join(unknown)}. Uppgradera Paraply först och återställ sedan."
        )
    if manifest.database != site.engine.dialect.name:
        raise BackupError(
            f"Arkivet har en {manifest.database}-databas men webbplatsen använder {site.engine.dialect.name}. "
            "Återställ till samma sorts databas."
        )


def _check_empty(site: Site) -> None:
    tables = inspect(site.engine).get_table_names()
    if tables:
        raise BackupError(
            f"Webbplatsens databas är inte tom ({len(tables)} tabeller). Återställ bara till en ny, tom webbplats, "
            "så att inget skrivs över."
        )
    if any(True for _ in _upload_files(site)):
        raise BackupError(f"Mappen för uppladdade filer ({site.uploads_dir}) är inte tom. Återställ till en tom mapp.")


def _extract_checked(archive_path: Path, manifest: Manifest, folder: Path) -> None:
    """Extract every member the manifest names, checking its SHA-256; any
    member it does not name, or a missing one, makes the archive bad."""
    seen: set[str] = set()
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive:
                if member.name == MANIFEST:
                    continue
                expected = manifest.files.get(member.name)
                if expected is None or not member.isfile():
                    raise BackupError(f"Arkivet innehåller {member.name!r}, som innehållsförteckningen inte nämner.")
                archive.extract(member, folder, filter="data")  # no absolute paths, no "..", no links out
                if _sha256(folder / member.name) != expected:
                    raise BackupError(f"Arkivet är skadat: kontrollsumman för {member.name} stämmer inte.")
                seen.add(member.name)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"Arkivet är skadat och går inte att läsa ({type(exc).__name__}).") from exc
    missing = sorted(set(manifest.files) - seen)
    if missing:
        raise BackupError(f"Arkivet är ofullständigt: {', '.join(missing[:5])} saknas.")


def restore(site: Site, archive_path: Path) -> Manifest:
    """Bring an archive back onto an empty site. Everything is checked
    first; a refused archive changes nothing."""
    manifest = read_manifest(archive_path)
    _check_versions(site, manifest)
    _check_empty(site)
    with tempfile.TemporaryDirectory(prefix="paraply-restore-") as work:
        folder = Path(work)
        _extract_checked(archive_path, manifest, folder)
        site.engine.dispose()
        if manifest.database == "sqlite":
            database = make_url(site.database_url).database
            assert database  # _check_versions: the site is on SQLite, and _dump_database refused memory
            source = sqlite3.connect(folder / SQLITE_MEMBER)
            target = sqlite3.connect(database)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            _run(
                [
                    pg_tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={_libpq_url(site.database_url)}",
                    str(folder / PG_MEMBER),
                ]
            )
        uploads = folder / UPLOADS
        if uploads.is_dir():
            site.uploads_dir.mkdir(parents=True, exist_ok=True)
            shutil.copytree(uploads, site.uploads_dir, dirs_exist_ok=True)
    return manifest


def settings_from(archive_path: Path) -> bytes | None:
    """The archive's site.toml (checked against the manifest), to set up the
    site's folder on a fresh machine before restoring into it."""
    manifest = read_manifest(archive_path)
    expected = manifest.files.get(SETTINGS_MEMBER)
    if expected is None:
        return None
    with tarfile.open(archive_path, "r:gz") as archive:
        handle = archive.extractfile(SETTINGS_MEMBER)
        raw = handle.read() if handle else b""
    if hashlib.sha256(raw).hexdigest() != expected:
        raise BackupError(f"Arkivet är skadat: kontrollsumman för {SETTINGS_MEMBER} stämmer inte.")
    return raw
