"""A site: its validated config, its plugin manager, database and templates.

One ``Site`` per umbrella; several can live in one process (the tests and the
federated demo do this), each with its own plugin manager, because which
plugins are enabled is a per-site decision.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import urlsplit

import pluggy
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from core import db
from core.assets import StaticAssets
from core.clock import Clock
from core.plugins import CORE, PluginInfo, build_manager, call_each, core_info, default_infos, discover, site_order
from core.secret_files import kept_secret
from core.settings import (
    SLUG,
    ConfigError,
    PluginSettings,
    SiteFile,
    default_data_dir,
    read_site_file,
    validate_plugin_settings,
)
from core.stylesheet import SiteStylesheet

if TYPE_CHECKING:
    from core.i18n import Translator
    from core.memo import Memo

log = logging.getLogger("paraply")

SettingsT = TypeVar("SettingsT", bound=PluginSettings)

SITE_FILE = "site.toml"


def sites_root() -> Path:
    """The folder holding one subfolder per site: ``PARAPLY_SITES_DIR`` or
    ``./sites``."""
    return Path(os.environ.get("PARAPLY_SITES_DIR", "sites")).resolve()


def find_site_folder(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if (path / SITE_FILE).is_file():
        return path.resolve()
    candidate = sites_root() / name_or_path
    if (candidate / SITE_FILE).is_file():
        return candidate
    raise ConfigError(
        candidate / SITE_FILE,
        "(file)",
        f"no site called {name_or_path!r} was found.",
        f"give a site folder, or a name under {sites_root()} (set PARAPLY_SITES_DIR to look elsewhere).",
    )


#: Set by ``paraply serve`` only (see ``Site.base_url``).
BASE_URL_ENV = "PARAPLY_BASE_URL"


class Site:
    """Everything one umbrella's portal needs, loaded from its folder."""

    def __init__(
        self,
        folder: Path,
        config: SiteFile,
        installed: dict[str, PluginInfo],
        *,
        database_url: str | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.folder = folder
        self.slug = folder.name
        self.config_path = folder / SITE_FILE
        self.config = config
        self.installed = default_infos() | installed
        #: The default plugins (federation), then the site's list: see core.plugins.
        self.enabled: list[str] = site_order(list(config.site.plugins))
        self.pm: pluggy.PluginManager = build_manager(self.enabled, self.installed)
        #: Where plugins keep their per-site runtime objects (federation's
        #: poller and hub), like Starlette's ``app.state``.
        self.state = State()
        self.data_dir = (
            data_dir
            or (Path(config.site.data_dir).expanduser() if config.site.data_dir else None)
            or default_data_dir(self.slug)
        )
        self._database_url = database_url
        self._plugin_settings: dict[str, PluginSettings] = {}
        for plugin, model in call_each(self.pm, "settings_model"):
            if plugin == CORE:
                continue
            raw = config.plugin.get(plugin, {})
            self._plugin_settings[plugin] = validate_plugin_settings(
                self.config_path, plugin, model or PluginSettings, raw
            )
        for plugin in self.enabled:
            if plugin not in self._plugin_settings:
                self._plugin_settings[plugin] = validate_plugin_settings(
                    self.config_path, plugin, PluginSettings, config.plugin.get(plugin, {})
                )
        for name in config.plugin:
            if name not in self.enabled:
                raise ConfigError(
                    self.config_path,
                    f"plugin.{name}",
                    f"has settings but {name!r} is not in site.plugins.",
                    f"add {name!r} to site.plugins, or remove the [plugin.{name}] table.",
                )

    # -- loading -------------------------------------------------------------

    @classmethod
    def load(
        cls,
        name_or_path: str | Path,
        *,
        database_url: str | None = None,
        data_dir: Path | None = None,
        installed: dict[str, PluginInfo] | None = None,
    ) -> Site:
        folder = find_site_folder(str(name_or_path))
        path = folder / SITE_FILE
        if not SLUG.match(folder.name):
            raise ConfigError(
                path,
                "(folder)",
                f"the folder name {folder.name!r} is not a valid site slug.",
                "use lower-case letters, digits and '-', starting with a letter.",
            )
        config = read_site_file(path)
        installed = installed if installed is not None else discover()
        for i, plugin in enumerate(config.site.plugins):
            if plugin not in installed:
                known = ", ".join(sorted(installed)) or "none"
                raise ConfigError(
                    path,
                    f"site.plugins[{i}]",
                    f"there is no installed plugin called {plugin!r}.",
                    f"check the spelling (installed: {known}), or install the plugin's package.",
                )
        site = cls(folder, config, installed, database_url=database_url, data_dir=data_dir)
        # What an admin saved from the web, plugins included (core.web_settings).
        from core.web_settings import at_start

        return at_start(site)

    # -- config ----------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.config.site.name

    @property
    def base_url(self) -> str:
        """site.toml's ``base_url``; ``paraply serve`` sets ``PARAPLY_BASE_URL``
        in its own process when a site still on a loopback address is served
        at another one (a new site on another port), so links and feeds point
        where the site answers."""
        return os.environ.get(BASE_URL_ENV) or self.config.site.base_url

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def locale(self) -> str:
        return self.config.site.locale

    @overload
    def plugin_settings(self, name: str) -> PluginSettings: ...
    @overload
    def plugin_settings(self, name: str, kind: type[SettingsT]) -> SettingsT: ...
    def plugin_settings(self, name: str, kind: type[PluginSettings] = PluginSettings) -> PluginSettings:
        """A plugin's validated ``[plugin.<name>]``. Given ``kind``, the class
        its ``settings_model`` hook returns, the result is typed as that class
        (and checked to be one)."""
        settings = self._plugin_settings[name]
        if not isinstance(settings, kind):
            raise TypeError(f"{name}'s settings are a {type(settings).__name__}, not a {kind.__name__}")
        return settings

    def prefix(self, plugin: str) -> str:
        """Where a plugin's routes are mounted, without a trailing slash
        (``""`` for the site root)."""
        prefix = self._plugin_settings[plugin].prefix
        if prefix is None:
            prefix = f"/{plugin}"
        return prefix.rstrip("/")

    def plugin_infos(self) -> list[PluginInfo]:
        """Core first, then the enabled plugins in site order."""
        return [core_info(), *(self.installed[name] for name in self.enabled)]

    @cached_property
    def assets(self) -> StaticAssets:
        """The static folders served under ``/static/<source>/`` (core's, each
        enabled plugin's, the site's own) and their hashed URLs (core.assets)."""
        folders = {info.name: info.static_dir for info in self.plugin_infos() if info.static_dir}
        site_static = self.folder / "static"
        if site_static.is_dir():
            folders["site"] = site_static
        return StaticAssets(folders)

    @cached_property
    def stylesheet(self) -> SiteStylesheet:
        """The site's one stylesheet: theme, core and the enabled plugins'
        CSS in a single hashed file (core.stylesheet)."""
        return SiteStylesheet.for_site(self)

    def absolute_url(self, path: str) -> str:
        return self.base_url + path

    @cached_property
    def memo(self) -> Memo:
        """Parts of pages kept while nothing changes (core.memo.remember)."""
        from core.memo import Memo

        return Memo()

    @cached_property
    def clock(self) -> Clock:
        """The site's clock (core.clock): decisions about "now" ask it, tests set it."""
        return Clock(self.config.site.timezone)

    # -- secrets -----------------------------------------------------------------

    @cached_property
    def secret_key(self) -> str:
        """``PARAPLY_SECRET_KEY`` from the environment; failing that a random
        key kept in the data folder (mode 0600), so a demo or a single small
        site works without set-up and sessions survive restarts."""
        env = os.environ.get("PARAPLY_SECRET_KEY")
        if env:
            return env
        path = self.data_dir / "secret_key"
        if not path.is_file():
            log.warning("No PARAPLY_SECRET_KEY set: using a generated key kept in %s", path)
        return kept_secret(path, lambda: secrets.token_urlsafe(48).encode()).decode().strip()

    # -- storage -------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        url = self._database_url or os.environ.get("PARAPLY_DATABASE_URL") or self.config.database.url
        if not url:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            url = db.sqlite_url(self.data_dir / f"{self.slug}.db")
        return url

    @cached_property
    def engine(self) -> Engine:
        from core import search_index

        engine = db.make_engine(self.database_url)
        search_index.attach(self, engine)
        return engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with db.session_scope(self.engine) as session:
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for a read or two outside a transaction (``db.autocommit_session``)."""
        with db.autocommit_session(self.engine) as session:
            yield session

    @property
    def uploads_dir(self) -> Path:
        path = self.data_dir / "uploads"
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- templates and languages ------------------------------------------------------

    @cached_property
    def translator(self) -> Translator:
        """The site's catalogues: core's, then each enabled plugin's
        ``locale/`` folder in plugin order (compiled here if a ``.mo`` is
        missing or old, before anything is translated and cached)."""
        from core import i18n

        owners = {"core": i18n.LOCALE_DIR}
        owners |= {info.name: info.package_dir / "locale" for info in self.plugin_infos()[1:]}
        locale_dirs = tuple(folder for folder in owners.values() if folder.is_dir())
        i18n.compile_all(locale_dirs)
        return i18n.Translator(self.locale, locale_dirs, owners)

    @cached_property
    def templates(self) -> Jinja2Templates:
        from core.templating import make_templates

        return make_templates(self)

    def render(
        self, request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
    ) -> Response:
        return self.templates.TemplateResponse(request, template, context or {}, status_code=status_code)

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
