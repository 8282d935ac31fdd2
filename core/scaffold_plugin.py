"""``paraply new-plugin NAME``: a plugin package that installs and loads
with no edits.

The files come from ``core/plugin_template/``. Every ``.tmpl`` file is filled
in with ``string.Template`` and loses the suffix; in paths, ``__package__``
becomes the Python package (``paraply_NAME``), ``__name__`` the plugin name
and ``__revision__`` the id of the plugin's first migration. What comes out
is a distribution ``paraply-NAME`` with a ``paraply.plugins`` entry point, a
hooks module, a page, a table with its own Alembic branch, settings,
templates, static files and tests, and it uses only the public plugin
interface (``core.api``, ``core.testing``), as ``docs/plugins.md`` describes.
"""

from __future__ import annotations

import re
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from string import Template

from core.api import CORE_BASE_REVISION

TEMPLATE_DIR = Path(__file__).parent / "plugin_template"

#: A plugin name is also a table prefix, a URL segment and part of a Python
#: package name, so: lower-case letters, digits and underscores.
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


class PluginScaffoldError(Exception):
    """Why the plugin could not be created, in Swedish and English."""


def _check(name: str, folder: Path) -> None:
    if not PLUGIN_NAME.match(name):
        raise PluginScaffoldError(
            f"Namnet ”{name}” går inte att använda. Använd 2–31 tecken: små bokstäver a–z, siffror och "
            "understreck, och börja med en bokstav, till exempel lokalbokning.\n"
            f"The name {name!r} cannot be used: use 2-31 lower-case letters a-z, digits and '_', "
            "starting with a letter, e.g. lokalbokning."
        )
    from core.plugins import CORE, discover

    if name == CORE or name in discover():
        raise PluginScaffoldError(
            f"Det finns redan ett installerat tillägg som heter {name}. Välj ett annat namn.\n"
            f"A plugin called {name!r} is already installed: choose another name."
        )
    if folder.exists():
        raise PluginScaffoldError(
            f"Mappen {folder} finns redan. Välj ett annat namn eller en annan mapp.\n"
            f"The folder {folder} already exists: choose another name or folder."
        )


def _target(relative: Path, names: dict[str, str]) -> Path:
    parts = []
    for part in relative.parts:
        for marker in ("__package__", "__revision__", "__name__"):
            part = part.replace(marker, names[marker])
        parts.append(part)
    return Path(*parts)


def create_plugin(name: str, *, parent: Path | None = None, title: str | None = None) -> Path:
    """Write ``<parent>/paraply-<name>/`` and return it. Raises
    ``PluginScaffoldError`` and writes nothing when the name is taken or
    invalid."""
    dist = f"paraply-{name.replace('_', '-')}"
    folder = (parent or Path.cwd()).resolve() / dist
    _check(name, folder)
    package = f"paraply_{name}"
    revision = uuid.uuid4().hex[:12]
    title = (title or name.replace("_", " ").capitalize()).strip()
    context = {
        "name": name,
        "Name": "".join(part.capitalize() for part in name.split("_")),
        "title": title,
        "package": package,
        "dist": dist,
        "revision": revision,
        "core_revision": CORE_BASE_REVISION,
        "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
    }
    names = {"__package__": package, "__name__": name, "__revision__": revision}
    folder.mkdir(parents=True)
    try:
        for source in sorted(TEMPLATE_DIR.rglob("*")):
            if source.is_dir() or "__pycache__" in source.parts:
                continue
            target = folder / _target(source.relative_to(TEMPLATE_DIR), names)
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.suffix == ".tmpl":
                text = Template(source.read_text(encoding="utf-8")).substitute(context)
                target.with_suffix("").write_text(text, encoding="utf-8")
            else:
                shutil.copyfile(source, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def next_steps(folder: Path, name: str) -> list[str]:
    return [
        f"pip install -e {folder}",
        f'lägg till "{name}" i site.plugins i sites/<webbplats>/site.toml',
        "paraply migrate --site <webbplats>",
        f"pytest {folder / 'tests'}",
    ]
