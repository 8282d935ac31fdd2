"""The odling plugin is our worked example of a third-party plugin: it is
registered through the ``paraply.plugins`` entry point, not as a built-in,
and its hook functions match the hooks they implement. (That it imports
from core only the public interface, as every plugin must, is checked by
``tests/test_plugin_interface.py``.) Also: its demo data is a season's worth
and loads idempotently."""

from __future__ import annotations

import inspect
from pathlib import Path

from sqlmodel import select

import core.api
from core import hookspecs
from core.demo import load_demo
from core.plugins import BUILTIN_PLUGINS, discover
from plugins.odling import hooks as odling_hooks
from plugins.odling.models import Bed, Harvest, Member, Observation, Planting, Signup, WorkSession
from tests.conftest import text_of
from tests.odling_fixtures import odling_site

REPO = Path(core.api.__file__).resolve().parents[1]


def test_odling_is_registered_through_the_entry_point_like_a_third_party_plugin():
    assert "odling" not in BUILTIN_PLUGINS
    info = discover()["odling"]
    assert (info.module_path, info.source) == ("plugins.odling.hooks", "paraply")
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."paraply.plugins"]\nodling = "plugins.odling.hooks"' in pyproject


def test_every_odling_hookimpl_names_a_hook_and_takes_its_arguments():
    specs = {n: f for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(f, "paraply_spec")}
    impls = {n: f for n, f in inspect.getmembers(odling_hooks, inspect.isfunction) if hasattr(f, "paraply_impl")}
    assert {"routes", "settings_model", "nav_items", "front_page_blocks", "demo_data", "cli_commands"} <= set(impls)
    for name, impl in impls.items():
        assert name in specs, f"odling.{name} implements no hook"
        extra = set(inspect.signature(impl).parameters) - set(inspect.signature(specs[name]).parameters)
        assert not extra, f"odling.{name} takes {extra}, which the hook never passes"


def test_a_season_of_demo_data_loads_once(make_site, make_client):
    site = odling_site(make_site, settings="today = 2026-11-20\n")
    load_demo(site, echo=lambda _: None)

    def counts() -> dict[str, int]:
        with site.session() as db:
            return {
                m.__name__: len(db.exec(select(m)).all())
                for m in (Bed, Planting, Harvest, Member, WorkSession, Signup, Observation)
            }

    first = counts()
    assert first["Bed"] >= 10 and first["Planting"] >= 30 and first["Harvest"] >= 20
    assert first["Member"] >= 12 and first["WorkSession"] >= 15 and first["Signup"] >= 40
    assert first["Observation"] >= 30
    load_demo(site, echo=lambda _: None)
    assert counts() == first
    client = make_client(site)
    assert "Planeringsträff inför nästa säsong" in text_of(client.get("/parken/pass").text)
    months = text_of(client.get("/parken/pollinatorer?ar=2026").text)
    for month in ("April", "Maj", "Juni", "Juli", "Augusti", "September", "Oktober"):
        assert month in months
