"""Test plugins (``sample``, ``other``, ``misnamed``) and the helpers that
install them on a test site, either through a custom ``installed`` mapping or
as a third-party distribution with a ``paraply.plugins`` entry point."""

from __future__ import annotations

from pathlib import Path

from core import migrate
from core.plugins import ENTRY_POINT_GROUP, PluginInfo, discover
from core.site import Site
from tests.conftest import write_site

MODULES = {
    "sample": "tests.plugins.sample.hooks",
    "other": "tests.plugins.other.hooks",
    "misnamed": "tests.plugins.misnamed",
}


def plugin_info(name: str) -> PluginInfo:
    return PluginInfo(name, MODULES[name], "tests", "1.0")


def installed_with(*names: str) -> dict[str, PluginInfo]:
    """Everything really installed, plus the named test plugins."""
    found = discover()
    for name in names:
        found[name] = plugin_info(name)
    return found


def install_distribution(root: Path, dist: str, version: str, plugins: dict[str, str]) -> Path:
    """Write the ``.dist-info`` folder of a distribution ``dist`` into
    ``root`` (a folder to put on ``sys.path``), declaring ``plugins`` (entry
    point name -> module) in the ``paraply.plugins`` group, as pip would."""
    info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{name} = {module}" for name, module in plugins.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return info


class SiteMaker:
    """Builds test sites whose installed plugins include the test plugins;
    ``close()`` disposes their engines."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root = root
        self.database_url = database_url
        self.made: list[Site] = []

    def __call__(
        self,
        plugins: list[str],
        *,
        installed: dict[str, PluginInfo] | None = None,
        plugin_settings: dict[str, str] | None = None,
        extra: str = "",
        slug: str = "testsite",
        migrate_db: bool = True,
        url: str | None = None,
    ) -> Site:
        folder = write_site(self.root / "sites", slug, plugins, plugin_settings, extra)
        site = Site.load(
            folder,
            database_url=url or self.database_url,
            data_dir=self.root / "data" / slug,
            installed=installed if installed is not None else installed_with("sample", "other"),
        )
        self.made.append(site)
        if migrate_db:
            migrate.upgrade(site)
        return site

    def close(self) -> None:
        for site in self.made:
            site.dispose()
