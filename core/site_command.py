"""The two pieces a ``paraply`` command that acts on one site needs: the
``--site`` option and a loader that turns a bad ``site.toml`` into a clean
error message instead of a traceback. Core's commands and plugins'
(``cli_commands`` hook) share them, so every command names sites alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from core.settings import ConfigError

if TYPE_CHECKING:
    from core.site import Site

#: ``@site_option`` on a click command adds ``--site`` (passed as ``site_name``).
site_option = click.option(
    "--site", "site_name", default="mockeln", show_default=True, help="Site folder name under sites/, or a path."
)


def load_site(name: str, database_url: str | None = None) -> Site:
    """Load a site for a command, turning config errors into a clean exit."""
    from core.site import Site

    try:
        return Site.load(name, database_url=database_url)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
