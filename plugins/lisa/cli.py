"""``paraply lisa-export``, ``lisa-import`` and ``lisa-purge``.

They run outside any request, for the site's operators, so what they print
is in the site's language, Swedish (an import error from ``exchange`` too)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from core.api import Site

SITE_OPTION = click.option(
    "--site", "site_name", default="mockeln", show_default=True, help="Site folder name under sites/, or a path."
)


def _site(name: str) -> Site:
    site = Site.load(name)
    if "lisa" not in site.enabled:
        raise click.ClickException(f'{site.config_path}: LISA is not in site.plugins; add "lisa" to use it.')
    return site


@click.command("lisa-export")
@SITE_OPTION
@click.option("--csv", "as_csv", is_flag=True, help="Write the tabular form (a zip of CSV files) instead of JSON.")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def lisa_export(site_name: str, as_csv: bool, target: Path) -> None:
    """Export the help directory as HSDS 3.0 (JSON, or CSV tables in a zip)."""
    from plugins.lisa.hsds import exchange

    site = _site(site_name)
    with site.session() as session:
        document = exchange.export_document(site, session)
    if as_csv:
        target.write_bytes(exchange.export_zip(document))
    else:
        target.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"{len(document['services'])} tjänster exporterade till {target}.")


@click.command("lisa-import")
@SITE_OPTION
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def lisa_import(site_name: str, source: Path) -> None:
    """Import HSDS 3.0 (JSON, or a zip of CSV tables); updates rows by HSDS id."""
    from plugins.lisa.hsds import exchange

    site = _site(site_name)
    try:
        document = exchange.read_document(source.read_bytes(), source.name)
        with site.session() as session:
            result = exchange.import_document(site, session, document)
    except exchange.ImportError_ as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Inläst: {result.services} tjänster, {result.organisations} nya organisationer, {result.terms} nya behov."
    )


@click.command("lisa-purge")
@SITE_OPTION
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Run as of noon that day (ÅÅÅÅ-MM-DD); for testing.")
def lisa_purge(site_name: str, today: datetime | None) -> None:
    """Delete referrals whose retention period has ended (a running site also does it every night)."""
    from plugins.lisa.referrals import purge_expired

    site = _site(site_name)
    if today is not None:
        site.clock.set(today.date())
    with site.session() as session:
        count = purge_expired(session, site.clock.now())
    click.echo(f"{count} remisser raderade.")
