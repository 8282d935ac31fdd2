"""``paraply translations``: extract, update and compile the message
catalogues of core and every installed plugin (see ``core/i18n.py``)."""

from __future__ import annotations

from pathlib import Path

import click

from core import i18n


def translation_packages() -> dict[str, Path]:
    """Core and every installed plugin that has templates (federation
    included): each keeps its own catalogue in ``<package>/locale``."""
    from core.plugins import discover

    packages = {"core": Path(i18n.__file__).parent}
    for name, info in discover().items():
        if info.templates_dir is not None:
            packages[name] = info.package_dir
    return packages


@click.group()
def translations() -> None:
    """Message catalogues for languages other than Swedish."""


@translations.command()
@click.option("--lang", "langs", multiple=True, default=["en"], show_default=True, help="Language code(s).")
@click.option("--package", "only", multiple=True, help="Only these packages (core or a plugin name).")
def update(langs: tuple[str, ...], only: tuple[str, ...]) -> None:
    """Extract the strings of core and each plugin and merge them into their
    catalogues (new strings arrive untranslated; compile afterwards)."""
    for name, folder in translation_packages().items():
        if only and name not in only:
            continue
        for lang in langs:
            po, missing = i18n.update_catalogue(folder, lang)
            note = f"{missing} saknar översättning" if missing else "komplett"
            click.echo(f"{name} ({lang}): {po} ({note})")


@translations.command("compile")
def compile_cmd() -> None:
    """Compile every catalogue (.po) to the binary form (.mo) the server reads.
    A site does this itself at start when a .mo is missing or older."""
    dirs = [folder / "locale" for folder in translation_packages().values()]
    for mo in i18n.compile_all(dirs, force=True):
        click.echo(f"Kompilerade {mo}")
