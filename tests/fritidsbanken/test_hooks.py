"""The plugin's hook implementations name real hooks and take only the
arguments those hooks pass; the links they contribute are what each visitor
may use."""

from __future__ import annotations

import inspect
import re

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
    page = visitor.get("/fritidsbanken/").text
    # A visitor's one tool link, "Mina lån", sits in the account row (no bar of its own); the catalogue in the menu.
    account = re.search(r'<nav class="user-nav"[^>]*>(.*?)</nav>', page, re.S)
    menu = re.search(r'<nav class="main-nav"[^>]*>(.*?)</nav>', page, re.S)
    assert account and menu and '<nav class="tool-nav"' not in page
    assert text_of(account.group(1)).startswith("Mina lån") and "Fritidsbanken" in text_of(menu.group(1))
    assert "Disken" not in text_of(page)
    staff = make_client(fb_site)
    staff.login(world.staff.email)
    assert "Disken" in text_of(staff.get("/fritidsbanken/").text)
    admin = make_client(fb_site)
    admin.login(world.admin.email)
    overview = text_of(admin.get("/-/admin").text)
    assert "Fritidsbanken: disken" in overview and "Fritidsbanken: statistik" in overview
