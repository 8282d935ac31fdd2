"""The odling plugin's ``paraply`` commands, to run by hand what the site's
daily jobs also do every night: reminders before work sessions, and the
retention rule for members.
Their output is in Swedish, like the rest of ``paraply``'s commands: it is
read by whoever runs the site, not by a visitor with a chosen language."""

from __future__ import annotations

import click

from core.api import Site, load_site, site_option


def _load(site_name: str) -> Site:
    site = load_site(site_name)
    if "odling" not in site.enabled:
        raise click.ClickException(
            f'{site.name} har inte tillägget odling påslaget. Lägg till "odling" i site.plugins i site.toml.'
        )
    return site


@click.command("odling-paminnelser")
@site_option
def send_reminders(site_name: str) -> None:
    """E-mail reminders to members signed up for a work session soon (once each)."""
    from plugins.odling import mail, sessions

    site = _load(site_name)
    if not mail.can_send(site):
        raise click.ClickException("E-post är inte påslaget: sätt mail_from under [plugin.odling] i site.toml.")
    with site.session() as db:
        sent = sessions.send_reminders(site, db)
    click.echo(f"{sent} påminnelser skickade.")
    site.dispose()


@click.command("odling-gallra")
@site_option
def prune_members(site_name: str) -> None:
    """Delete members inactive longer than retention_months (the retention rule)."""
    from plugins.odling import members

    site = _load(site_name)
    with site.session() as db:
        names = members.prune(site, db)
    click.echo(f"{len(names)} medlemmar raderade.")
    site.dispose()
