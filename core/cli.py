"""The ``paraply`` command line.

Core commands are listed here; plugins add theirs through the
``cli_commands`` hook (called for every installed plugin, since the CLI starts
before a site is chosen).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import cast

import click

from core.settings import ConfigError
from core.site import BASE_URL_ENV
from core.site_command import load_site, site_option


@click.group()
@click.version_option(package_name="paraply")
def cli() -> None:
    """Paraply: the portal for umbrella organisations of associations."""


@cli.command()
@site_option
def migrate(site_name: str) -> None:
    """Create or upgrade the site's tables (core and enabled plugins)."""
    from core import migrate as migrations
    from core.plugins import CORE

    site = load_site(site_name)
    click.echo(f"Migrerar {site.name} ({site.database_url.split('@')[-1]})")
    fresh = migrations.current_heads(site).get(CORE) is None
    done = migrations.upgrade(site, progress=lambda b: click.echo(f"  {b} ..."))
    click.echo(f"Klart: {', '.join(done)} är uppdaterade.")
    if fresh:
        # A new site: the pages every site needs, as drafts (hook starter_content).
        with site.session() as db:
            site.pm.hook.starter_content(site=site, session=db)
            db.commit()
        click.echo(
            "Ny webbplats: startinnehåll är tillagt (utkast till Om oss, Kontakt och Tillgänglighetsredogörelse)."
        )
    site.dispose()


@cli.command()
@site_option
def daily(site_name: str) -> None:
    """Run the daily jobs that have not run today (reminders, deleting old
    personal data). A running server does this itself from 03:00; this is for
    a site served with PARAPLY_DAILY_JOBS=0 (from cron), or to see the result
    at once. Today's jobs then do not run again in the server."""
    from core import daily as daily_jobs

    site = load_site(site_name)
    runs = daily_jobs.run_due(site, any_hour=True)
    if not runs:
        click.echo("Inget att göra: dagens jobb är redan körda.")
    for run in runs:
        click.echo(f"{run.job}: {'klart' if run.ok else 'MISSLYCKADES'}: {run.summary}")
    site.dispose()
    if any(not run.ok for run in runs):
        raise SystemExit(1)


@cli.command("images")
@site_option
def images(site_name: str) -> None:
    """Make the responsive sizes of stored pictures that lack them (uploads
    from before sizes were made on upload); the daily job does it too."""
    from core.images import make_missing_variants

    site = load_site(site_name)
    done, failed = make_missing_variants(site.uploads_dir)
    click.echo(f"{done} bilder fick nya storlekar." + (f" {failed} filer kunde inte läsas." if failed else ""))


@cli.command("mail-flush")
@site_option
def mail_flush(site_name: str) -> None:
    """Send every e-mail waiting in the outbox now, including those set
    aside after many failed tries (a running server retries on its own)."""
    from core import mail

    site = load_site(site_name)
    sent, left = mail.flush(site)
    click.echo(f"{sent} e-brev skickade, {left} väntar kvar.")
    site.dispose()
    if left:
        raise SystemExit(1)


@cli.command("bounce")
@site_option
@click.option(
    "--maildir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Read every message in this Maildir (and remove each once read) instead of one from standard input.",
)
def bounce(site_name: str, maildir: Path | None) -> None:
    """Read late bounces sent to [mail] bounce_address (core.bounces): one
    message on standard input (a mail server's pipe alias), or a Maildir.
    A permanent failure pauses the address; anything else is ignored. Exits
    0 unless the database could not be reached, so the mail server never
    sends a bounce about a bounce."""
    from core import bounces

    site = load_site(site_name)
    try:
        if not site.config.mail.bounce_address:
            raise click.ClickException("[mail] bounce_address är inte satt i site.toml: inga brev har en studsadress.")
        outcomes = bounces.handle_maildir(site, maildir) if maildir else [bounces.handle(site, sys.stdin.buffer.read())]
    finally:
        site.dispose()
    for outcome in outcomes:
        click.echo(" ".join(part for part in (outcome.kind, outcome.address, outcome.detail) if part))


@cli.command("make-migration")
@site_option
@click.option("--plugin", required=True, help="Plugin (or 'core') whose models changed.")
@click.option("-m", "--message", required=True, help="What the migration does.")
def make_migration(site_name: str, plugin: str, message: str) -> None:
    """Write a new migration for one plugin by comparing its models with the
    site's (migrated) database."""
    from core import migrate as migrations

    site = load_site(site_name)
    migrations.upgrade(site)
    path = migrations.make_revision(site, plugin, message)
    click.echo(f"Skrev {path}. Läs igenom den innan du checkar in den.")


@cli.command("oidc-rotate-keys")
@site_option
def oidc_rotate_keys(site_name: str) -> None:
    """Give the site a new key for signing sign-ins in its network (it must
    be the network's provider, [auth.provider] in site.toml). The old key is
    still published for [auth.provider] retired_key_days, so sign-ins under
    way finish; the daily job does this by itself every key_days."""
    from core.oidc import keys

    site = load_site(site_name)
    settings = site.config.auth.provider
    if not settings.enabled:
        raise click.ClickException(f"{site.name} är inte inloggningstjänst: sätt enabled = true under [auth.provider].")
    with site.session() as db:
        row = keys.rotate(db, settings.algorithm, site.clock.now())
        kid = row.kid
        db.commit()
    click.echo(
        f"Ny signeringsnyckel {kid} ({settings.algorithm}) för {site.name}; den förra publiceras i "
        f"{settings.retired_key_days} dagar till."
    )
    site.dispose()


@cli.command("create-admin")
@site_option
@click.option("--email", prompt="E-postadress")
@click.option("--name", prompt="Namn")
@click.option("--password", prompt="Lösenord", hide_input=True, confirmation_prompt=True)
def create_admin(site_name: str, email: str, name: str, password: str) -> None:
    """Create a site admin account (umbrella staff)."""
    from core.accounts import create_user, get_user_by_email, password_problem
    from core.models import Role

    site = load_site(site_name)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    with site.session() as db:
        if get_user_by_email(db, email):
            raise click.ClickException(f"Det finns redan ett konto för {email}.")
        create_user(db, email, name, password, Role.ADMIN)
    click.echo(f"Administratören {email} är skapad på {site.name}.")


@cli.command("plugins")
@site_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins_cmd(site_name: str, as_json: bool) -> None:
    """List installed plugins and which the site enables."""
    from core.plugins import discover

    site = load_site(site_name)
    rows = []
    for name, info in discover().items():
        rows.append({"name": name, "version": info.version, "source": info.source, "enabled": name in site.enabled})
    if as_json:
        import json

        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        mark = "på " if row["enabled"] else "av "
        click.echo(f"{mark} {row['name']:<16} {row['version']:<8} {row['source']}")


@cli.command("demo-data")
@site_option
def demo_data(site_name: str) -> None:
    """Load the enabled plugins' demo content (idempotent)."""
    from core.demo import load_demo

    site = load_site(site_name)
    load_demo(site, echo=click.echo)


@cli.command()
@site_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, help="Default: the port of the site's base_url if it is on this machine, else 8000.")
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(site_name: str, host: str, port: int | None, workers: int, reload: bool) -> None:
    """Serve a site. Run 'paraply migrate' first: a server never migrates."""
    import uvicorn

    from core import migrate as migrations
    from core.serving import local_port, served_address, stand_in_base_url

    site = load_site(site_name)
    waiting = migrations.pending(site)
    if waiting:
        raise click.ClickException(
            f"Databasen behöver migreras ({', '.join(waiting)}). Kör: ./run migrate --site {site_name}"
        )
    port = port or local_port(site.base_url) or 8000
    os.environ["PARAPLY_SITE"] = str(site.folder)
    stand_in = stand_in_base_url(site.base_url, host, port)
    if stand_in:
        os.environ[BASE_URL_ENV] = stand_in
        click.echo(
            f"base_url i {site.folder / 'site.toml'} är {site.base_url}, men servern svarar på {stand_in}/. "
            f"Länkar i flöden och e-post använder {stand_in} så länge servern går. Skriv webbplatsens riktiga "
            "adress (https://...) i base_url innan den går live."
        )
    click.echo(f"{site.name} på {served_address(host, port)}/")
    from core.logs import uvicorn_log_config  # PARAPLY_LOG_FORMAT=json: JSON lines (core.logs)
    from core.proxies import SERVER_OPTIONS  # X-Forwarded-For only from [server] trusted_proxies

    uvicorn.run(
        "core.asgi:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_config=uvicorn_log_config(),
        access_log=False,
        **SERVER_OPTIONS,
    )


@cli.command()
@click.option(
    "--site",
    "site_names",
    multiple=True,
    help="Only this site (repeat for several); default: all four demo sites.",
)
@click.option("--port", type=int, help="Serve the one --site on this port instead of its base_url's.")
@click.option("--port-offset", default=0, show_default=True, type=int, help="Shift every demo address's port.")
@click.option("--no-serve", is_flag=True, help="Prepare the demo but do not start the servers.")
def demo(site_names: tuple[str, ...], port: int | None, port_offset: int, no_serve: bool) -> None:
    """Run the demo: migrate, load demo data and accounts, and serve the four
    demo sites (and a stand-in Forum feed) on 127.0.0.1, one port each."""
    import asyncio

    from core import migrate as migrations
    from core.demo import DEMO_SITES, load_demo
    from core.demo_network import DemoError, DemoNetwork, addresses, offset_moves, summary, with_port
    from core.malloc_arenas import limit_malloc_arenas

    limit_malloc_arenas()  # as a served site does (core.asgi)
    names = list(site_names) or list(DEMO_SITES)
    if port is not None and len(names) != 1:
        raise click.ClickException("--port gäller en enda webbplats (--site). Flytta alla med --port-offset.")
    if len(names) > 1 and os.environ.get("PARAPLY_DATABASE_URL"):
        raise click.ClickException(
            "PARAPLY_DATABASE_URL pekar ut en enda databas, men demon har flera webbplatser som behöver var sin."
            " Ta bort variabeln (varje webbplats får då SQLite i sin datamapp) eller välj en webbplats med --site."
        )
    try:
        origins = addresses(names)
        moves = offset_moves(origins, port_offset)
        if port is not None:
            own = moves.get(origins[0], origins[0])
            moves[origins[0]] = with_port(own, port)
        network = DemoNetwork.load(names, moves)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    except DemoError as exc:
        raise click.ClickException(str(exc)) from exc

    click.echo("Förbereder demon:")
    accounts = {}
    try:
        for site in network.sites:
            migrations.upgrade(site)
            accounts[site.slug] = load_demo(site, echo=lambda _: None)
            click.echo(f"  {site.name}: databasen är migrerad och demodatan inläst ({site.data_dir})")
    except KeyboardInterrupt:
        click.echo("Avbrutet. Kör ./run demo igen för att fortsätta där det slutade.")
        raise SystemExit(130) from None
    click.echo("")
    if no_serve:
        again = ["./run demo", *(f"--site {name}" for name in site_names)]
        again += [f"--port {port}"] if port is not None else []
        again += [f"--port-offset {port_offset}"] if port_offset else []
        click.echo(summary(network, accounts, running=False, start_command=" ".join(again)))
        return
    try:
        sockets = network.bind()
    except DemoError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(summary(network, accounts, running=True))
    try:
        asyncio.run(network.serve(sockets))
    except DemoError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("Demon är stoppad.")


@cli.command("new-site")
@click.argument("name")
@click.option("--title", help="The umbrella's name; default: NAME capitalised.")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="Public address of the site.")
@click.option("--plugins", default="webportal", show_default=True, help="Enabled plugins, comma-separated, in order.")
@click.option("--municipalities", help="Municipalities the directory covers, comma-separated; default: NAME.")
@click.option("--contact-email", default="", help="The umbrella's e-mail, shown in the footer and on Kontakt.")
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    help="Address of the HTTPS proxy in front (repeatable), e.g. 127.0.0.1 behind Caddy on this machine.",
)
@click.option(
    "--sites-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of sites; default: PARAPLY_SITES_DIR or ./sites.",
)
def new_site(
    name: str,
    title: str | None,
    base_url: str,
    plugins: str,
    municipalities: str | None,
    contact_email: str,
    trusted_proxies: tuple[str, ...],
    sites_dir: Path | None,
) -> None:
    """Create sites/NAME/ with a commented site.toml, templates/ and static/."""
    from core.scaffold import after_steps, create_site, next_steps
    from core.template_folder import ScaffoldError

    def split(text: str) -> list[str]:
        return [part.strip() for part in text.split(",") if part.strip()]

    try:
        folder = create_site(
            name,
            sites_dir=sites_dir,
            title=title,
            base_url=base_url,
            plugins=split(plugins),
            municipalities=split(municipalities) if municipalities else None,
            contact_email=contact_email.strip(),
            trusted_proxies=[proxy.strip() for proxy in trusted_proxies if proxy.strip()],
        )
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Webbplatsen {name} är skapad i {folder}.")
    click.echo("Inställningarna finns i site.toml, med en förklaring till varje rad. Nästa steg:")
    for step in next_steps(folder):
        click.echo(f"  {step}")
    for line in after_steps(folder):
        click.echo(line)


@cli.command("new-plugin")
@click.argument("name")
@click.option("--title", help="The plugin's name in menus; default: NAME capitalised.")
@click.option(
    "--dir",
    "parent",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to create paraply-NAME/; default: the current folder.",
)
def new_plugin(name: str, title: str | None, parent: Path | None) -> None:
    """Create paraply-NAME/: a plugin package that installs and loads as is (see docs/plugins.md)."""
    from core.scaffold_plugin import PluginScaffoldError, create_plugin
    from core.scaffold_plugin import next_steps as plugin_steps

    try:
        folder = create_plugin(name, parent=parent, title=title)
    except PluginScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Tillägget {name} är skapat i {folder}. Nästa steg:")
    for step in plugin_steps(folder, name):
        click.echo(f"  {step}")


from core.i18n_cli import translations  # noqa: E402
from core.ops_cli import backup_cmd, deploy_cmd, restore_cmd  # noqa: E402
from core.screenshots import screenshots  # noqa: E402

cli.add_command(translations)
cli.add_command(screenshots)
# ops (issue 19): backup and restore (core.ops_cli)
cli.add_command(backup_cmd)
cli.add_command(restore_cmd)
cli.add_command(deploy_cmd)


def _register_plugin_commands() -> None:
    import pluggy

    from core import hookspecs
    from core.plugins import discover

    pm = pluggy.PluginManager("paraply")
    pm.add_hookspecs(hookspecs)
    for name, info in discover().items():
        try:
            pm.register(info.module, name=name)
        except Exception as exc:  # a broken plugin must not break the CLI
            click.echo(f"Varning: tillägget {name} kunde inte laddas: {exc}", err=True)
    for impl in pm.hook.cli_commands.get_hookimpls():
        try:
            # pluggy types every hook's result as object; hookspecs.cli_commands says what it is.
            commands = cast("list[click.Command] | None", impl.function())
        except Exception as exc:  # nor may one whose commands fail to load
            click.echo(f"Varning: tillägget {impl.plugin_name} kunde inte lägga till kommandon: {exc}", err=True)
            continue
        for command in commands or []:
            cli.add_command(command)


def main() -> None:
    sys.path.insert(0, str(Path.cwd()))
    _register_plugin_commands()
    cli()
