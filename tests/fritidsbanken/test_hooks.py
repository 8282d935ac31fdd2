"""The plugin's hook implementations name real hooks and take only the
arguments those hooks pass; the links they contribute are what each visitor
may use."""

from __future__ import annotations

import inspect

from core import hookspecs
from plugins.fritidsbanken import hooks
from tests.conftest import text_of


def test_every_hookimpl_names_a_hook_and_takes_its_arguments():
    impls = {n: f for n, f in inspect.getmembers(hooks, inspect.isfunction) if hasattr(f, "paraply_impl")}
    assert {"routes", "nav_items", "report_figures", "federated_kinds", "demo_data", "cli_commands"} <= set(impls)
    for name, impl in impls.items():
        spec = getattr(hookspecs, name, None)
        assert spec is not None and hasattr(spec, "paraply_spec"), f"{name} is not a hook"
        extra = set(inspect.signature(impl).parameters) - set(inspect.signature(spec).parameters)
        assert not extra, f"{name} takes {extra}, which the hook never passes"


def test_menu_and_admin_links_follow_the_role(world, fb_site, make_client):
    visitor = make_client(fb_site)
    nav = text_of(visitor.get("/fritidsbanken/").text)
    assert "Fritidsbanken Mina lån" in nav and "Disken" not in nav
    staff = make_client(fb_site)
    staff.login(world.staff.email)
    assert "Disken" in text_of(staff.get("/fritidsbanken/").text)
    admin = make_client(fb_site)
    admin.login(world.admin.email)
    overview = text_of(admin.get("/-/admin").text)
    assert "Fritidsbanken: disken" in overview and "Fritidsbanken: statistik" in overview
