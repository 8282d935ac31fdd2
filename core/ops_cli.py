"""The operations commands: ``paraply backup`` and ``paraply restore``
(core.backup). Kept apart from core.cli so the commands that run a site
and the ones that keep it safe read separately."""

from __future__ import annotations

from pathlib import Path

import click

from core.site_command import load_site, site_option


@click.command("backup")
@site_option
@click.option(
    "--to",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the archive (default: [backup] dir, else backups/ in the site's data folder).",
)
@click.option("--keep", type=click.IntRange(min=1), default=None, help="Keep only this many newest archives there.")
def backup_cmd(site_name: str, target: Path | None, keep: int | None) -> None:
    """Back up the database, the uploaded files and site.toml into one
    archive, while the site runs."""
    from core import backup

    site = load_site(site_name)
    try:
        folder = target or (Path(site.config.backup.dir) if site.config.backup.dir else site.data_dir / "backups")
        if not folder.is_absolute():
            folder = site.data_dir / folder
        click.echo(f"Säkerhetskopierar {site.name} ...")
        path = backup.backup(site, folder)
        manifest = backup.read_manifest(path)
        click.echo(f"Klart: {path} ({path.stat().st_size} byte, {len(manifest.files)} filer med kontrollsummor).")
        if keep:
            for old in backup.prune(folder, site.slug, keep):
                click.echo(f"Tog bort den äldre kopian {old.name}.")
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        site.dispose()


@click.command("restore")
@site_option
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_cmd(site_name: str, archive: Path) -> None:
    """Restore an archive from ``paraply backup`` onto an empty site. On a
    fresh machine the site's folder is made from the archive's site.toml."""
    from core import backup
    from core.settings import ConfigError
    from core.site import SITE_FILE, find_site_folder, sites_root

    try:
        try:
            find_site_folder(site_name)
        except ConfigError:
            settings = backup.settings_from(archive)
            if settings is None:
                raise
            folder = Path(site_name) if "/" in site_name else sites_root() / site_name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / SITE_FILE).write_bytes(settings)
            click.echo(f"Webbplatsens mapp {folder} är skapad med arkivets {SITE_FILE}.")
            site_name = str(folder)
        site = load_site(site_name)
        try:
            click.echo(f"Kontrollerar {archive.name} ...")
            manifest = backup.restore(site, archive)
        finally:
            site.dispose()
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Klart: {manifest.site} från {manifest.created} (Paraply {manifest.paraply}) är återställd. "
        f"Kör `paraply migrate --site {site_name}` om den här versionen är nyare, och starta webbplatsen."
    )


@click.command("deploy")
@site_option
@click.option("--domain", required=True, help="The site's domain name, e.g. storfors.example.se.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("deploy"),
    show_default=True,
    help="Folder to write the files into.",
)
@click.option(
    "--port", type=click.IntRange(1024, 65535), default=8000, show_default=True, help="The site's local port."
)
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True, help="uvicorn worker processes.")
def deploy_cmd(site_name: str, domain: str, out: Path, port: int, workers: int) -> None:
    """Write what a Debian server needs to run the site: a Caddyfile with
    automatic HTTPS, systemd units for the site and its daily jobs and
    backup, an environment file with generated secrets (0600) and a checklist."""
    from core import deploy

    try:
        checked = deploy.check_domain(domain)
    except deploy.DeployError as exc:
        raise click.ClickException(str(exc)) from exc
    slug = Path(site_name).name
    plan = deploy.Plan(slug=slug, domain=checked, port=port, workers=workers)
    existed = (out / f"{plan.unit}.env").exists()
    for path in deploy.write(plan, out):
        click.echo(f"Skrev {path}")
    if existed:
        click.echo(f"{plan.unit}.env fanns redan och är orörd (dess nyckel behålls).")
    click.echo(f"Nästa steg: {out / 'CHECKLIST.md'}")
