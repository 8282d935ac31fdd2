"""A broken test plugin whose ``cli_commands`` fails, as a plugin with a
missing dependency would: the ``paraply`` CLI must still start."""

from __future__ import annotations

import click

from core import hookimpl


@hookimpl
def cli_commands() -> list[click.Command]:
    raise ImportError("No module named 'saknad_modul'")
