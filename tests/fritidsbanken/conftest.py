"""Fixtures for the Fritidsbanken tests: a migrated site with webportal and
fritidsbanken on both databases, a branch with opening hours, staff, items,
borrowers, and a clock the test moves."""

from __future__ import annotations

import itertools
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core import migrate
from core.clock import Clock
from core.models import Role, User
from core.search import index_text
from core.site import Site
from plugins.fritidsbanken.models import Borrower, Branch, Item, OpeningHours, Staff
from tests.conftest import DEFAULT_WEBPORTAL, Client, add_user, write_site

FB_SETTINGS = 'sender = "log"\n'
#: A Monday at noon, Stockholm time: loans out today are due Monday in two weeks.
MONDAY = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


@pytest.fixture
def fake_clock(fb_site: Site) -> Clock:
    """The site's clock, fixed at ``MONDAY``, moved by the test."""
    return fb_site.clock


PLUGINS = ["webportal", "fritidsbanken"]
SETTINGS = {"webportal": DEFAULT_WEBPORTAL, "fritidsbanken": FB_SETTINGS}
_templates: dict[str, str] = {}


def _sqlite_template(root: Path) -> str:
    """A migrated SQLite file, made once per session; each test copies it."""
    if "sqlite" not in _templates:
        folder = write_site(root / "sites", "template", PLUGINS, SETTINGS)
        path = root / "template.db"
        site = Site.load(folder, database_url=f"sqlite:///{path}", data_dir=root / "data")
        migrate.upgrade(site)
        with site.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        site.dispose()
        _templates["sqlite"] = str(path)
    return _templates["sqlite"]


def _postgres_copy(cluster, root: Path, unused_url: str) -> str:  # type: ignore[no-untyped-def]
    """A fresh database copied from a migrated template database. The empty
    database the ``database_url`` fixture made is dropped: hundreds of unused
    databases make the cluster slow to delete at the end."""
    admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{unused_url.rsplit("/", 1)[1]}"'))
            if "postgresql" not in _templates:
                name = f"fbtemplate{os.getpid()}"
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                folder = write_site(root / "sites", "template", PLUGINS, SETTINGS)
                site = Site.load(folder, database_url=cluster.url(name), data_dir=root / "data")
                migrate.upgrade(site)
                site.dispose()
                _templates["postgresql"] = name
            copy = f"fb{os.getpid()}_{next(_copies)}"
            conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{_templates["postgresql"]}"'))
        return cluster.url(copy)
    finally:
        admin.dispose()


def _drop(cluster, url: str) -> None:  # type: ignore[no-untyped-def]
    admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    finally:
        admin.dispose()


_copies = itertools.count()


@pytest.fixture
def fb_site(make_site, database_url, tmp_path, tmp_path_factory, request) -> Iterator[Site]:
    """A site with webportal and fritidsbanken on a fresh database, copied
    from one migrated once per session (migrating takes a second or more,
    and the permission walk alone makes hundreds of sites)."""
    root = tmp_path_factory.getbasetemp() / "fritidsbanken-template"
    root.mkdir(exist_ok=True)
    if database_url.startswith("sqlite"):
        path = tmp_path / "fritidsbanken.db"
        shutil.copyfile(_sqlite_template(root), path)
        site = make_site(plugins=PLUGINS, plugin_settings=SETTINGS, migrate_db=False, url=f"sqlite:///{path}")
        site.clock.set(MONDAY)
        yield site
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = _postgres_copy(cluster, root, database_url)
    site = make_site(plugins=PLUGINS, plugin_settings=SETTINGS, migrate_db=False, url=url)
    site.clock.set(MONDAY)
    yield site
    site.dispose()
    _drop(cluster, url)


@dataclass
class World:
    site: Site
    branch: int  # Karlskoga: open Mon, Wed, Sat
    other_branch: int  # Degerfors
    admin: User
    staff: User  # works at Karlskoga
    other_staff: User  # works at Degerfors
    editor: User  # a site account with no counter


def build_world(site: Site) -> World:
    admin = add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    staff = add_user(site, "disk@test.example", Role.EDITOR, "Disa Disk")
    other = add_user(site, "degerfors@test.example", Role.EDITOR, "Dag Degerfors")
    editor = add_user(site, "redaktor@test.example", Role.EDITOR, "Rut Redaktör")
    with site.session() as db:
        k = Branch(name="Fritidsbanken Karlskoga", address="Bergsmansgatan 12")
        d = Branch(name="Fritidsbanken Degerfors")
        db.add(k)
        db.add(d)
        db.flush()
        for day in (0, 2, 5):
            db.add(OpeningHours(branch_id=k.id, weekday=day, opens="15:00", closes="18:00"))
        db.add(OpeningHours(branch_id=d.id, weekday=1, opens="14:00", closes="18:00"))
        db.add(Staff(branch_id=k.id, user_id=staff.id))
        db.add(Staff(branch_id=d.id, user_id=other.id))
        db.commit()
        return World(site, k.id, d.id, admin, staff, other, editor)


@pytest.fixture
def world(fb_site: Site) -> World:
    return build_world(fb_site)


def add_item(
    site: Site,
    number: str,
    name: str = "Hockeyskridskor",
    category: str = "Skridskor",
    size: str = "36",
    branch_id: int = 1,
    needs_consent: bool = False,
    **extra: object,
) -> Item:
    with site.session() as db:
        item = Item(
            number=number,
            name=name,
            category=category,
            size=size,
            branch_id=branch_id,
            needs_consent=needs_consent,
            search_text=index_text(name, category, size, number),
            created_at=site.clock.now(),
            **extra,
        )
        db.add(item)
        db.commit()
        db.refresh(item)
        return item


def add_borrower(site: Site, name: str, mobile: str = "", **extra: object) -> Borrower:
    with site.session() as db:
        borrower = Borrower(
            name=name,
            mobile=mobile,
            tag=name.replace(" ", "")[:32],
            created_at=site.clock.now(),
            last_active_at=site.clock.now(),
            **extra,
        )
        db.add(borrower)
        db.commit()
        db.refresh(borrower)
        return borrower


def child_with_consent(site: Site, consent: bool = True) -> Borrower:
    return add_borrower(
        site,
        "Alva Andersson",
        birth_year=2016,
        guardian_name="Anna Andersson",
        guardian_mobile="+46701740650",
        guardian_consent=consent,
    )


class SentMessages:
    """Messages the log sender wrote, read from the log as an operator would."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    def all(self) -> list[str]:
        return [r.getMessage() for r in self.caplog.records if r.name == "paraply.fritidsbanken.sender"]

    def to(self, number: str) -> list[str]:
        return [m for m in self.all() if f" till {number}: " in m]

    def code_for(self, number: str) -> str:
        found = [re.search(r"är (\d{6})\.", m) for m in self.to(number)]
        codes = [f.group(1) for f in found if f]
        assert codes, f"no code was sent to {number}: {self.all()}"
        return codes[-1]


@pytest.fixture
def sent(caplog: pytest.LogCaptureFixture) -> SentMessages:
    caplog.set_level(logging.INFO, logger="paraply.fritidsbanken.sender")
    return SentMessages(caplog)


def phone_login(client: Client, sent: SentMessages, number_as_typed: str, normalised: str) -> None:
    """Log a phone in the way a borrower does: number, then the texted code."""
    page = client.submit("/fritidsbanken/mina-lan/kod", {"mobile": number_as_typed}, follow_redirects=True)
    assert page.status_code == 200, page.text[:400]
    answer = client.submit(
        "/fritidsbanken/mina-lan/verifiera", {"mobile": normalised, "code": sent.code_for(normalised)}
    )
    assert answer.status_code == 303, answer.text[:400]


ClientFactory = Callable[[Site], Client]
