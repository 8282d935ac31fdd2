"""Demo content: core's demo accounts, then every enabled plugin's
``demo_data`` hook, in site order. Idempotent.

Each demo site may bring its own content in ``sites/<slug>/demo/<plugin>/``:
a plugin reads its demo files through ``demo_file``, which prefers the site's
copy and falls back to the plugin's own ``data/`` folder. So the four demo
umbrellas each show their own town's associations and news, and a new site
without a ``demo/`` folder still gets the plugin's example content.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path

from core.accounts import create_user, get_user_by_email
from core.models import Role
from core.site import Site

#: Demo logins, printed by ``paraply demo``. Demo sites only.
DEMO_PASSWORD = "demo-paraply-2026"

#: The demo network that ``paraply demo`` starts, in the order it lists them.
DEMO_SITES = ("mockeln", "kristinehamn", "storfors", "filipstad")

#: Folder in a site for its own demo content, one subfolder per plugin.
DEMO_FOLDER = "demo"


def demo_folder(site: Site) -> Path:
    return site.folder / DEMO_FOLDER


def demo_file(site: Site, plugin: str, name: str, fallback: Path) -> Path:
    """``sites/<slug>/demo/<plugin>/<name>`` if the site has one, else
    ``fallback/<name>`` (the plugin's own demo data)."""
    own = demo_folder(site) / plugin / name
    return own if own.is_file() else fallback / name


def _is_domain(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return False


def demo_accounts(site: Site) -> list[tuple[str, str, Role]]:
    # A loopback address or "localhost" is no mail domain: use <slug>.example.
    host = site.host if _is_domain(site.host) else f"{site.slug}.example"
    return [
        (f"admin@{host}", "Ada Administratör", Role.ADMIN),
        (f"redaktor@{host}", "Rita Redaktör", Role.EDITOR),
    ]


def plugin_demo_logins(site: Site) -> list[tuple[str, str]]:
    """(e-mail, name) of the demo accounts plugins made on the demo mail
    domain (LISA's nurse, say), so ``paraply demo`` can list them too."""
    from sqlmodel import col, select

    from core.models import User

    core = {email for email, _name, _role in demo_accounts(site)}
    domain = "@" + next(iter(core)).split("@", 1)[1]
    with site.session() as db:
        users = db.exec(select(User).where(col(User.email).endswith(domain)).order_by(col(User.id))).all()
        return [(u.email, u.name) for u in users if u.email not in core]


def load_demo(site: Site, echo: Callable[[str], None] = print) -> list[tuple[str, str, str]]:
    printed = []
    with site.session() as db:
        for email, name, role in demo_accounts(site):
            if get_user_by_email(db, email) is None:
                create_user(db, email, name, DEMO_PASSWORD, role)
            printed.append((email, DEMO_PASSWORD, "administratör" if role == Role.ADMIN else "redaktör"))
        db.commit()
        for impl_result in site.pm.hook.demo_data(site=site, session=db):
            del impl_result
        db.commit()
    echo("Demodata är inläst.")
    return printed
