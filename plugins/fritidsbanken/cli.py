"""``paraply fritidsbanken ...``: the daily job, one step at a time if wanted.

Its output is in the site's language (Swedish), for the operator's terminal
and cron mail; no page language applies."""

from __future__ import annotations

from datetime import date

import click

from core.api import load_site, site_option

PLUGIN = "fritidsbanken"


def _site(site_name: str):  # type: ignore[no-untyped-def]
    site = load_site(site_name)
    if PLUGIN not in site.enabled:
        raise click.ClickException(
            f"{site.name} har inte Fritidsbanken påslaget. "
            f'Lägg till "fritidsbanken" i site.plugins i {site.config_path}.'
        )
    return site


def _now(site, today: str | None):  # type: ignore[no-untyped-def]
    if not today:
        return site.clock.now()
    try:
        return site.clock.at_noon(date.fromisoformat(today))
    except ValueError as exc:
        raise click.ClickException("Skriv --today som ÅÅÅÅ-MM-DD, till exempel 2026-12-01.") from exc


today_option = click.option("--today", help="Run as of this day (ÅÅÅÅ-MM-DD) instead of today; for testing.")


@click.group(PLUGIN)
def fritidsbanken() -> None:
    """Fritidsbanken: reminders, queues and deletion of old personal data."""


@fritidsbanken.command()
@site_option
@today_option
def daily(site_name: str, today: str | None) -> None:
    """Run the daily job: expire uncollected holds, send due-soon and overdue
    reminders, delete personal data past its date. A running site does this
    itself every night (core.daily); running it twice sends nothing twice."""
    from plugins.fritidsbanken.reminders import run_daily

    site = _site(site_name)
    report = run_daily(site, _now(site, today))
    for line in report.lines():
        click.echo(line)


@fritidsbanken.command()
@site_option
@today_option
def purge(site_name: str, today: str | None) -> None:
    """Only delete borrowers with no loan for delete_after_months months, and old messages."""
    from plugins.fritidsbanken import borrowers

    site = _site(site_name)
    with site.session() as db:
        done = borrowers.purge(db, site, _now(site, today))
        db.commit()
    click.echo(f"Raderade låntagare: {done['borrowers']}, meddelanden: {done['messages']}")
