"""Migrations: one Alembic branch per plugin, core included, in one version
table.

Each plugin keeps its revisions in ``<plugin>/migrations/`` with the branch
label set to its name; core's live in ``core/migrations/versions``. ``paraply
migrate`` upgrades core and then every enabled plugin, in site order, to its
own head, so a site with fewer plugins gets fewer tables. Every installed
plugin's folder is on the version path, so a plugin switched off later does
not make Alembic lose track of revisions already applied. Migrations never
run implicitly when a production server starts (only the demo does that).

Default plugins (federation) are enabled on every site, so their branches
always run, right after core (see ``core.plugins`` for the order).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect as sa_inspect

from core.plugins import CORE, core_info
from core.site import Site

logger = logging.getLogger(__name__)

SCRIPT_LOCATION = Path(__file__).parent / "migrations"


def version_dirs(site: Site) -> dict[str, Path]:
    """Every installed plugin's migrations, enabled or not: a database may
    still carry the revisions of a plugin the site has since disabled. An
    installed plugin that does not import is skipped unless the site enables it,
    so one broken package cannot stop every site on the machine."""
    dirs = {CORE: SCRIPT_LOCATION / "versions"}
    for name, info in site.installed.items():
        try:
            folder = info.migrations_dir
        except ImportError as exc:
            if name in site.enabled:
                raise
            logger.warning("Skipping the migrations of plugin %r, which does not import: %s", name, exc)
            continue
        if folder is not None:
            dirs[name] = folder
    return dirs


def alembic_config(site: Site) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.set_main_option("path_separator", "os")
    import os

    cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in version_dirs(site).values()))
    cfg.set_main_option("sqlalchemy.url", site.database_url.replace("%", "%%"))
    return cfg


def branches_for(site: Site) -> list[str]:
    """Core, then every enabled plugin that ships migrations (the default
    plugins first), in plugin order."""
    script = ScriptDirectory.from_config(alembic_config(site))
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    return [CORE] + [name for name in site.enabled if name in labels]


def upgrade(site: Site, progress: Callable[[str], None] | None = None) -> list[str]:
    """Bring core and the enabled plugins' tables up to date. Returns the
    branches upgraded."""
    cfg = alembic_config(site)
    done = []
    new_index = not sa_inspect(site.engine).has_table("core_search_document")
    with site.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        for branch in branches_for(site):
            if progress:
                progress(branch)
            command.upgrade(cfg, f"{branch}@head")
            done.append(branch)
    from core import search_index

    with site.session() as session:
        if new_index:
            # Content written before the search index existed: index it once.
            search_index.rebuild(site, session)
        else:
            # Rows of a kind that joined the index later (LISA's services).
            search_index.index_new_kinds(site, session)
    return done


def upgrade_branches(site: Site, branches: list[str]) -> dict[str, list[str]]:
    """Bring only ``branches`` (plugins being turned on from the web:
    core.web_settings) up to their heads; the others are left as they are.
    Returns, per branch that has migrations, the steps it ran (each
    migration's message, oldest first), for the admin to see what was done."""
    cfg = alembic_config(site)
    script = ScriptDirectory.from_config(cfg)
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    todo = [branch for branch in branches if branch in labels]
    before = _applied_revisions(site, script) if todo else set()
    done: dict[str, list[str]] = {}
    with site.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        for branch in todo:
            logger.info("Migrating %s for site %s", branch, site.slug)
            steps = [rev for rev in script.iterate_revisions(f"{branch}@head", "base") if rev.revision not in before]
            command.upgrade(cfg, f"{branch}@head")
            done[branch] = [(rev.doc or rev.revision).strip().splitlines()[0] for rev in reversed(steps)]
    return done


def _applied_revisions(site: Site, script: ScriptDirectory) -> set[str]:
    """Every revision applied to the database. The version table holds only
    heads, and a head that ``depends_on`` another branch stands in for that
    branch's revisions too, so walk each head down to base, dependencies
    included."""
    with site.engine.connect() as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    applied: set[str] = set()
    for head in heads:
        applied.update(rev.revision for rev in script.iterate_revisions(head, "base"))
    return applied


def current_heads(site: Site) -> dict[str, str | None]:
    """Applied revision per branch (None when the branch has not run): the
    newest revision carrying the branch's label that has been applied."""
    script = ScriptDirectory.from_config(alembic_config(site))
    applied = _applied_revisions(site, script)
    result: dict[str, str | None] = {}
    for branch in branches_for(site):
        lineage = script.iterate_revisions(f"{branch}@head", "base")
        own = (rev.revision for rev in lineage if branch in rev.branch_labels)
        result[branch] = next((rev for rev in own if rev in applied), None)
    return result


def pending(site: Site) -> list[str]:
    """Branches whose applied revision is not their head."""
    cfg = alembic_config(site)
    script = ScriptDirectory.from_config(cfg)
    heads = current_heads(site)
    return [b for b in branches_for(site) if heads.get(b) != script.get_revision(f"{b}@head").revision]


def make_revision(site: Site, plugin: str, message: str) -> str:
    """Autogenerate a revision for ``plugin`` from its models, compared
    against this site's database (which must be up to date). Only tables
    prefixed with the plugin's name are considered."""
    import importlib

    cfg = alembic_config(site)
    dirs = version_dirs(site)
    info = core_info() if plugin == CORE else site.installed[plugin]
    models = info.module_path.rsplit(".", 1)[0] + ".models"
    importlib.import_module(models)
    script = ScriptDirectory.from_config(cfg)
    try:
        script.get_revision(f"{plugin}@head")
        head, branch_label, version_path = f"{plugin}@head", None, None
    except Exception:  # the plugin's first revision starts its branch
        head, branch_label, version_path = "base", plugin, str(dirs[plugin])
    with site.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        cfg.attributes["table_prefix"] = f"{plugin}_"
        rev = command.revision(
            cfg,
            message=message,
            autogenerate=True,
            head=head,
            branch_label=branch_label,
            version_path=version_path,
        )
    assert rev is not None and not isinstance(rev, list)
    return str(rev.path)
