"""Every table sits in a box a keyboard user can scroll and a screen reader
can name (WCAG 2.1.1, 1.3.1, 1.4.10), on every page of every plugin.

A table wider than a phone screen scrolls sideways inside its ``.table-wrap``
box. The box must take keyboard focus, or a keyboard user cannot scroll it,
and a focusable box must have a name, or a screen reader announces a nameless
"region". ``macros/tables.html`` (``scroll_table``) writes the box, the table
and its caption in one go, so:

- no template writes a ``<table>`` or a ``table-wrap`` box of its own;
- on the Möckeln demo site (all four plugins, demo data, both databases)
  every page the admin can reach by following links, a borrower's page at
  the counter and LISA's referral lists for the nurse and the volunteer are
  parsed, and each table must sit in a focusable region labelled by its
  caption, with text in it;
- each template that calls the macro is among the pages checked, so a new
  table page needs no list to be edited here, only demo data that shows it.

The browser check of the same rule, with the real layout at 320 px, is in
``tests/browser/test_reflow.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlmodel import col, select

from core import migrate
from core.app import create_app
from core.demo import DEMO_PASSWORD, demo_accounts, load_demo
from core.models import Role, User
from core.site import Site
from tests.browser.pages import walk
from tests.browser.server import SITES
from tests.conftest import Client

REPO = Path(__file__).resolve().parents[1]
MACRO = REPO / "core" / "templates" / "macros" / "tables.html"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def template_folders() -> Iterator[Path]:
    """Core's, federation's, each plugin's and each site's templates."""
    yield REPO / "core" / "templates"
    yield REPO / "federation" / "templates"
    yield from sorted((REPO / "plugins").glob("*/templates"))
    yield from sorted((REPO / "sites").glob("*/templates"))


def templates() -> Iterator[tuple[str, Path]]:
    """(name as the site loads it, file) of every HTML template."""
    for folder in template_folders():
        for path in sorted(folder.rglob("*.html")):
            yield path.relative_to(folder).as_posix(), path


def test_every_table_is_written_by_the_macro() -> None:
    """A hand-written ``<table>`` or ``table-wrap`` box could miss the
    tabindex, the role or the caption; the macro cannot."""
    found = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()[:80]}"
        for _name, path in templates()
        if path != MACRO
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"<table\b|table-wrap", line, re.I)
    ]
    assert not found, (
        "write tables with {% call scroll_table(id, caption) %} from macros/tables.html instead:\n" + "\n".join(found)
    )


def macro_templates() -> set[str]:
    """The templates that call ``scroll_table``."""
    return {name for name, path in templates() if "scroll_table(" in path.read_text(encoding="utf-8") and path != MACRO}


# -- what a page says about its tables ------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    text: list[str] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class PageTree(HTMLParser):
    """A page's elements with their parents, and the text inside each one
    that has an id (what ``aria-labelledby`` points at)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.root = Element("#document", {}, None)
        self.open: list[Element] = [self.root]
        self.elements: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open[-1])
        self.open[-1].children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, 0, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text.append(data)

    def by_id(self) -> dict[str, list[Element]]:
        found: dict[str, list[Element]] = {}
        for element in self.elements:
            if "id" in element.attrs:
                found.setdefault(element.attrs["id"], []).append(element)
        return found


def table_problems(html: str) -> tuple[int, list[str]]:
    """How many tables the page has, and what is wrong with them: a table
    outside a focusable, named region, a region named by nothing, a table
    without a caption."""
    tree = PageTree(html)
    ids = tree.by_id()
    problems: list[str] = []
    tables = [e for e in tree.elements if e.tag == "table"]
    for n, table in enumerate(tables, 1):
        caption = next((c for c in table.children if c.tag == "caption"), None)
        text = " ".join("".join(caption.text).split()) if caption else ""
        what = f"table {n} ({text!r})" if text else f"table {n}"
        if not text:
            problems.append(f"{what} has no caption with text")
        box = next((a for a in table.ancestors() if "table-wrap" in a.classes), None)
        if box is None:
            problems.append(f"{what} is not in a .table-wrap box, so it widens the page on a phone")
    for box in (e for e in tree.elements if "table-wrap" in e.classes):
        inner = next((e for e in tree.elements if e.tag == "table" and box in e.ancestors()), None)
        what = f"the box of table {tables.index(inner) + 1}" if inner else "a .table-wrap box"
        if box.attrs.get("tabindex") != "0":
            problems.append(f"{what} cannot take keyboard focus (tabindex={box.attrs.get('tabindex')!r})")
        if box.attrs.get("role") != "region":
            problems.append(f"{what} is not a region (role={box.attrs.get('role')!r})")
        label_ids = box.attrs.get("aria-labelledby", "").split()
        if not label_ids:
            problems.append(f"{what} has no aria-labelledby naming it")
        for label_id in label_ids:
            labels = ids.get(label_id, [])
            if len(labels) != 1:
                problems.append(f"{what} is named by id {label_id!r}, which the page has {len(labels)} times")
            elif not "".join(labels[0].text).strip():
                problems.append(f"{what} is named by id {label_id!r}, which has no text")
            elif inner is not None and labels[0] not in [c for c in inner.children if c.tag == "caption"]:
                problems.append(f"{what} is named by {label_id!r}, not by its own table's caption")
    return len(tables), problems


def test_the_check_finds_what_it_looks_for() -> None:
    """Hand-made markup: a bare table, an unfocusable box, a box named by a
    missing id, and one done right."""
    good = (
        '<div class="table-wrap" role="region" tabindex="0" aria-labelledby="t1"><table>'
        '<caption id="t1" class="visually-hidden">Alla konton</caption><tr><td>x</td></tr></table></div>'
    )
    assert table_problems(good) == (1, [])
    count, problems = table_problems(
        "<table><tr><td>x</td></tr></table>"
        '<div class="table-wrap"><table><caption>Lån</caption></table></div>'
        '<div class="table-wrap" role="region" tabindex="0" aria-labelledby="saknas"><table>'
        "<caption>Två</caption></table></div>"
        '<div class="table-wrap" role="region" tabindex="0" aria-labelledby="tom"><table>'
        '<caption id="tom"> </caption></table></div>'
    )
    assert count == 4
    assert "table 1 has no caption with text" in problems
    assert "table 1 is not in a .table-wrap box, so it widens the page on a phone" in problems
    assert "the box of table 2 cannot take keyboard focus (tabindex=None)" in problems
    assert "the box of table 2 is not a region (role=None)" in problems
    assert "the box of table 2 has no aria-labelledby naming it" in problems
    assert "the box of table 3 is named by id 'saknas', which the page has 0 times" in problems
    assert "the box of table 4 is named by id 'tom', which has no text" in problems
    assert "table 4 has no caption with text" in problems


# -- the pages ------------------------------------------------------------------------------


class RecordingClient(Client):
    """Keeps every HTML page it fetched, with the template that rendered it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages: dict[str, tuple[str, str]] = {}  # url -> (template, html)

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().request(method, url, *args, **kwargs)
        template = getattr(response, "template", None)
        if response.status_code == 200 and template is not None:  # a POST's 200: a preview or a form's errors
            self.pages[f"{method} {url}" if method != "GET" else str(url)] = (template.name or "", response.text)
        return response


@pytest.fixture
def mockeln(tmp_path: Path, database_url: str) -> Iterator[Site]:
    """The Möckeln demo site (every plugin) with its demo data, on the
    parametrised database."""
    site = Site.load(SITES / "mockeln", database_url=database_url, data_dir=tmp_path)
    migrate.upgrade(site)
    load_demo(site, echo=lambda _msg: None)
    yield site
    site.dispose()


def signed_in(site: Site, email: str) -> RecordingClient:
    client = RecordingClient(create_app(site), base_url=site.base_url)
    client.__enter__()
    client.login(email, DEMO_PASSWORD)
    return client


def demo_login(site: Site, role: Role) -> str:
    return next(email for email, _name, r in demo_accounts(site) if r == role)


def borrower_with_a_loan(site: Site) -> int:
    from plugins.fritidsbanken.models import Borrower, Loan

    with site.session() as db:
        borrower_id = db.exec(
            select(Borrower.id)
            .join(Loan, col(Loan.borrower_id) == col(Borrower.id))
            .where(col(Loan.returned_at).is_(None))
            .order_by(col(Borrower.id))
        ).first()
    assert borrower_id is not None, "no demo borrower has a loan"
    return borrower_id


def send_a_referral(site: Site, nurse: RecordingClient, nurse_email: str, volunteer_email: str) -> None:
    """The nurse sends one referral through the form to a service of the
    volunteer's organisation, so both have a referral list with a row."""
    from plugins.lisa.models import Membership, Service

    with site.session() as db:
        ids = {u.email: u.id for u in db.exec(select(User).where(col(User.email).in_([nurse_email, volunteer_email])))}
        centre = db.exec(select(Membership.health_centre_id).where(Membership.user_id == ids[nurse_email])).one()
        org = db.exec(select(Membership.organisation_id).where(Membership.user_id == ids[volunteer_email])).one()
        service = db.exec(
            select(Service)
            .where(Service.organisation_id == org, Service.accepts_referrals == True)  # noqa: E712
            .order_by(col(Service.id))
        ).first()
    assert service is not None
    response = nurse.submit(
        f"{site.prefix('lisa')}/tjanst/{service.id}/remiss",
        {
            "sender": f"vc:{centre}",
            "person_name": "Alex",
            "contact": "070-174 06 98, förmiddagar",
            "need": "Vill ha sällskap på promenader.",
            "consent_by": "personen",
            "consent": "y",
        },
    )
    assert response.status_code == 303, response.text[:500]


def event_with_sign_ups(site: Site) -> int:
    from plugins.evenemang.registration_models import Registration

    with site.session() as db:
        event_id = db.exec(select(Registration.event_id).order_by(col(Registration.id))).first()
    assert event_id is not None, "no demo event has sign-ups"
    return event_id


def preview_a_series(site: Site, client: Client) -> None:
    """A weekly series asked for in the house's first room: the answer (200,
    nothing saved yet) lists its dates in a table, with the ones that collide."""
    from plugins.lokaler.models import Resource
    from plugins.webportal.models import Association

    with site.session() as db:
        room = db.exec(select(Resource.id).order_by(col(Resource.id))).first()
        slug = db.exec(select(Association.slug).order_by(col(Association.id))).first()
    day = (site.clock.now() + timedelta(days=14)).date()
    response = client.submit(
        f"/lokaler/{room}/boka",
        {"booker": f"member:{slug}", "title": "Körövning", "day": day.isoformat(), "start": "18:00", "end": "20:00",
         "repeat": "weekly", "until": (day + timedelta(weeks=6)).isoformat(), "contact_name": "Kim",
         "contact_email": "kim@example.org", "contact_phone": "", "action": "boka"},
    )  # fmt: skip
    assert response.status_code == 200 and "Förhandsvisning av serien" in response.text, response.text[:800]


def propose_changes(site: Site) -> None:
    """Two organisations' proposed changes waiting for the admin, as the
    confirm link leaves them: the LISA admin page shows a table for each."""
    from plugins.lisa.models import Proposal, Service

    with site.session() as db:
        for service in db.exec(select(Service).order_by(col(Service.id)).limit(2)):
            changes = {"summary": f"{service.summary} Nu även på lördagar."}
            db.add(Proposal(service_id=service.id, changes=json.dumps(changes), submitted_by="Kim (förening)"))
        db.commit()


def test_every_table_on_every_page_is_in_a_focusable_named_region(mockeln: Site) -> None:
    """Every page the admin reaches, a borrower at the counter, and LISA's
    referral lists: each table in a focusable region named by its caption."""
    from plugins.lisa.demo import demo_users

    site = mockeln
    admin = signed_in(site, demo_login(site, Role.ADMIN))
    staff = signed_in(site, demo_login(site, Role.EDITOR))
    (nurse_email, _), (volunteer_email, _) = demo_users(site)
    nurse = signed_in(site, nurse_email)
    volunteer = signed_in(site, volunteer_email)
    clients = [admin, staff, nurse, volunteer]
    propose_changes(site)
    try:
        walk(SimpleNamespace(app=admin.app, site=site), admin)  # type: ignore[arg-type]
        staff.get(f"{site.prefix('fritidsbanken')}/disk/lantagare/{borrower_with_a_loan(site)}")
        send_a_referral(site, nurse, nurse_email, volunteer_email)
        for client in (nurse, volunteer):
            client.get(f"{site.prefix('lisa')}/remisser")
        admin.get(f"/evenemang/{event_with_sign_ups(site)}/deltagare")  # the walk may open one with no sign-ups
        preview_a_series(site, admin)

        problems: list[str] = []
        with_tables: dict[str, int] = {}
        for who, client in zip(("admin", "counter staff", "nurse", "volunteer"), clients, strict=True):
            for url, (template, html) in sorted(client.pages.items()):
                count, found = table_problems(html)
                problems += [f"{url} ({who}): {p}" for p in found]
                if count:
                    with_tables[template] = with_tables.get(template, 0) + count
    finally:
        for client in clients:
            client.__exit__(None, None, None)

    assert not problems, f"{len(problems)} table problems:\n" + "\n".join(problems)
    unseen = macro_templates() - set(with_tables)
    assert not unseen, (
        f"no page checked here showed a table from {sorted(unseen)}: add demo data that shows one, "
        "or open the page above as the person who sees it"
    )
    # The walk reached the table pages of core and of every plugin.
    for template in ("accounts/users.html", "webportal/admin_associations.html", "lisa/admin.html",
                     "fritidsbanken/statistics.html", "fritidsbanken/borrower.html", "odling/crops.html",
                     "lisa/referral_list.html"):  # fmt: skip
        assert with_tables.get(template), f"{template} showed no table"
    assert with_tables["fritidsbanken/statistics.html"] == 6  # one per chart, the age chart has two
    lisa_admin = admin.pages[f"{site.prefix('lisa')}/admin"][1]
    assert len(re.findall(r'<caption id="forslag-\d+">', lisa_admin)) == 2, "each proposal has its own table"
