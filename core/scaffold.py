"""``paraply new-site NAME``: a new umbrella's site folder that serves at once.

The files come from ``core/site_template/``: every file is copied, and files
ending in ``.tmpl`` are filled in (``string.Template``) and lose the suffix
(``core/template_folder.py``, shared with ``paraply new-plugin``).
Folders starting with ``_`` hold fragments, such as the ``[plugin.<name>]``
table a plugin needs, added to site.toml only when that plugin is enabled.

The written site.toml is loaded with ``Site.load`` before success is
reported, so a mistake in the options (an unknown plugin, a bad address)
leaves no half-made folder behind.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from string import Template
from xml.sax.saxutils import escape

from core.settings import SLUG, ConfigError, ThemeSection
from core.site import Site, sites_root
from core.template_folder import NameRule, ScaffoldError, new_folder, refuse_existing, write_tree

TEMPLATE_DIR = Path(__file__).parent / "site_template"
FRAGMENTS = TEMPLATE_DIR / "_fragments"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_PLUGINS = ("webportal",)
SITE_NAME = NameRule(
    SLUG,
    "2–40 tecken: små bokstäver a–z, siffror och bindestreck, och börja med en bokstav, till exempel kristinehamn",
    "is not a valid site name: use 2-40 lower-case letters a-z, digits and '-', starting with a letter, "
    "e.g. kristinehamn",
)


def toml_string(value: str) -> str:
    """A TOML basic string: JSON's escapes are valid TOML ones."""
    return json.dumps(value, ensure_ascii=False)


def toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def genitive(name: str) -> str:
    """Swedish genitive: "Kristinehamns", but "Storfors" stays as it is."""
    return name if name[-1:].lower() in ("s", "x", "z") else name + "s"


def default_title(name: str) -> str:
    return name.replace("-", " ").capitalize()


def _plugin_tables(plugins: Sequence[str], context: dict[str, str]) -> str:
    """The ``[plugin.<name>]`` tables for the enabled plugins that have a
    fragment; other plugins run on their defaults."""
    tables = []
    for plugin in plugins:
        fragment = FRAGMENTS / f"{plugin}.toml.tmpl"
        if fragment.is_file():
            tables.append(Template(fragment.read_text(encoding="utf-8")).substitute(context))
    return "".join(tables)


def create_site(
    name: str,
    *,
    sites_dir: Path | None = None,
    title: str | None = None,
    base_url: str = DEFAULT_BASE_URL,
    plugins: Sequence[str] = DEFAULT_PLUGINS,
    municipalities: Sequence[str] | None = None,
    contact_email: str = "",
    trusted_proxies: Sequence[str] = (),
) -> Path:
    """Write ``<sites_dir>/<name>/`` and return the folder. Raises
    ``ScaffoldError`` (and writes nothing) if the name is taken or invalid,
    or if the resulting site.toml does not load."""
    root = (sites_dir or sites_root()).resolve()
    folder = root / name
    SITE_NAME.check(name)
    refuse_existing(
        folder,
        "Välj ett annat namn, eller ta bort mappen om du vill börja om.",
        "choose another name, or remove the folder to start over.",
    )
    title = (title or default_title(name)).strip()
    theme = ThemeSection()
    context = {
        "slug": name,
        "title": title,
        "name": toml_string(title),
        "base_url": toml_string(base_url),
        "contact_email": toml_string(contact_email),
        "plugins": toml_list(plugins),
        "trusted_proxies": toml_list(trusted_proxies),
        "municipalities": toml_list(municipalities or [default_title(name)]),
        "primary": theme.primary,
        "accent": theme.accent,
        "background": theme.background,
        "text": theme.text,
        "initial": escape(title[:1].upper() or "P"),
        "logo_label": escape(f"{genitive(title)} logotyp", {'"': "&quot;"}),
    }
    context["plugin_tables"] = _plugin_tables(plugins, context)
    with new_folder(folder):
        # Folders starting with "_" hold fragments, used above.
        write_tree(TEMPLATE_DIR, folder, context, skip=lambda relative: relative.parts[0].startswith("_"))
        try:
            Site.load(folder).dispose()
        except ConfigError as exc:
            raise ScaffoldError(
                f"Webbplatsen skapades inte, eftersom inställningarna inte gick att använda: {exc}\n"
                f"The site was not created because its settings do not load: {exc}"
            ) from exc
    return folder


def _site_arg(folder: Path) -> str:
    """``--site`` takes the bare name when the folder is where the CLI looks
    by default, else the path."""
    return folder.name if folder.parent == sites_root() else str(folder)


def next_steps(folder: Path) -> list[str]:
    """The commands to run next, as the README's set-up has them: ``./run``
    (which makes .venv on first use), since ``paraply`` is on PATH only with
    the virtual environment activated."""
    site = _site_arg(folder)
    return [
        f"./run migrate --site {site}",
        f"./run create-admin --site {site}",
        f"./run serve --site {site}",
    ]


def after_steps(folder: Path) -> list[str]:
    """What to know once it runs: where it answers and how to set its address."""
    from core.serving import local_port, served_address

    site = Site.load(folder)
    try:
        port = local_port(site.base_url)
        where = served_address("127.0.0.1", port) if port else site.base_url
        if site.base_url.startswith("https://"):
            address = (
                f"Webbplatsens adress (base_url) är {site.base_url}. Länkar i flöden och e-post använder den. "
                "Servern svarar på 127.0.0.1; HTTPS-proxyn framför den (Caddy: se paraply deploy) tar emot besökarna."
            )
        else:
            address = (
                f"Webbplatsens adress (base_url) är {site.base_url}. Länkar i flöden och e-post använder den: skriv "
                f"den riktiga adressen, till exempel https://{site.slug}.example, i {folder / 'site.toml'} innan "
                "webbplatsen går live (eller skapa den med --base-url https://... --trusted-proxy 127.0.0.1). "
                "Serverar du på en annan port (./run serve --port 8010) används den adressen tills dess."
            )
        return [
            f"Öppna sedan {where}/ och logga in med kontot från create-admin.",
            address,
            "(Med den virtuella miljön aktiverad, source .venv/bin/activate, går också paraply i stället för ./run.)",
        ]
    finally:
        site.dispose()
