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
The copying and the name checks are shared with ``paraply new-site``
(``core/template_folder.py``).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from core.api import CORE_BASE_REVISION
from core.template_folder import NameRule, ScaffoldError, new_folder, refuse_existing, write_tree

TEMPLATE_DIR = Path(__file__).parent / "plugin_template"

#: A plugin name is also a table prefix, a URL segment and part of a Python
#: package name, so: lower-case letters, digits and underscores.
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
NAME_RULE = NameRule(
    PLUGIN_NAME,
    "2–31 tecken: små bokstäver a–z, siffror och understreck, och börja med en bokstav, till exempel lokalbokning",
    "cannot be used: use 2-31 lower-case letters a-z, digits and '_', starting with a letter, e.g. lokalbokning",
)


class PluginScaffoldError(ScaffoldError):
    """Why the plugin could not be created, in Swedish and English."""


def _check(name: str, folder: Path) -> None:
    NAME_RULE.check(name, PluginScaffoldError)
    from core.plugins import CORE, discover

    if name == CORE or name in discover():
        raise PluginScaffoldError(
            f"Det finns redan ett installerat tillägg som heter {name}. Välj ett annat namn.\n"
            f"A plugin called {name!r} is already installed: choose another name."
        )
    refuse_existing(
        folder, "Välj ett annat namn eller en annan mapp.", "choose another name or folder.", PluginScaffoldError
    )


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
    # Markers in the template's paths, replaced in this order ("__revision_____name___tables.py").
    rename = {"__package__": package, "__revision__": revision, "__name__": name}
    with new_folder(folder):
        write_tree(TEMPLATE_DIR, folder, context, rename=rename)
    return folder


def next_steps(folder: Path, name: str) -> list[str]:
    return [
        f"pip install -e {folder}",
        f'lägg till "{name}" i site.plugins i sites/<webbplats>/site.toml',
        "paraply migrate --site <webbplats>",
        f"pytest {folder / 'tests'}",
    ]
