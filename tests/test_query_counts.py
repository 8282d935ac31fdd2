"""No N+1 (issue 21): every GET page of the Möckeln demo site (it enables
every plugin) is opened as a visitor, an association editor and the admin,
and the SQL statements each request sends are counted (core.testing's
``QueryCounter``). A page may send at most ``MAX_STATEMENTS``; and after more
rows of every kind a page lists are added (associations, news, LISA services
with their terms, crops, Fritidsbanken items, events, the outside feed's
entries), no page may send more than it did: a count that grows with the rows
shown is a query per row.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.demo import DEMO_PASSWORD, demo_accounts, load_demo
from core.models import Role
from core.testing import Client, QueryCounter, load_test_site
from tests.browser.pages import get_routes, walk
from tests.more_rows import add_more_rows

REPO = Path(__file__).resolve().parent.parent

#: The most statements one page may send: the session and user (2), the
#: page's own queries, the menu's and the blocks' (one or two each).
MAX_STATEMENTS = 30
#: Pages allowed more, with the reason (none of them may grow with the rows).
MORE_ALLOWED = {
    "/-/admin/uppfoljning": (60, "the follow-up report: one aggregate query per figure of each plugin (about 40)"),
    "/-/admin/uppfoljning.csv": (60, "the follow-up report as CSV: the same figures"),
    "/samverkan/admin/rapport": (
        110,
        "the partnership's report: every plugin's figures (as above) for the period and the one before",
    ),
    "/samverkan/admin/rapport/uppfoljning.csv": (110, "the partnership's report as CSV: the same figures"),
    "/samverkan/admin/rapport/uppfoljning.xlsx": (110, "the partnership's report as XLSX: the same figures"),
    "/samverkan/admin/rapport/uppfoljning.pdf": (110, "the partnership's report as PDF: the same figures"),
    "/konto/mina-uppgifter": (45, "what every plugin holds about the person: one or two queries per plugin"),
}
ROLES = {"anonymous": None, "editor": Role.EDITOR, "admin": Role.ADMIN}


@pytest.fixture
def demo(database_url, tmp_path):
    site = load_test_site(REPO / "sites" / "mockeln", database_url, tmp_path / "data")
    load_demo(site, echo=lambda _: None)
    yield site
    site.dispose()


def login(counter: QueryCounter, client: Client, role: str) -> None:
    if ROLES[role]:
        email = next(e for e, _, r in demo_accounts(counter.site) if r == ROLES[role])
        client.login(email, DEMO_PASSWORD)


def urls_for(counter: QueryCounter, client: Client) -> list[str]:
    """The URLs a client can open: one per GET route, found by following the
    site's links, plus the feeds and files of routes without parameters."""
    app = client.app
    found = walk(SimpleNamespace(app=app, site=counter.site), client)  # type: ignore[arg-type]
    plain = {r.path for r in get_routes(list(app.routes)) if not r.has_params}
    return sorted(found.pages) + sorted(t for t in found.not_pages if t in plain)


def counts(counter: QueryCounter, client: Client, urls: list[str]) -> dict[str, int]:
    result = {}
    for url in urls:
        # Rendered, not from the page cache (core.pagecache); the first visit
        # may fill a per-process cache. The fewer of the next two: a session
        # is touched once a minute (core.sessions), whichever visit it falls on.
        counter.count(client, url, headers={"Cache-Control": "no-cache"})
        fewest = None
        for _ in range(2):
            response, statements = counter.count(client, url, headers={"Cache-Control": "no-cache"})
            assert response.status_code < 500, url
            fewest = statements if fewest is None else min(fewest, statements)
        assert fewest is not None
        result[url] = fewest
    return result


def test_no_page_sends_many_statements_or_more_with_more_rows(demo, query_counter) -> None:
    counter = query_counter(demo)
    before: dict[str, dict[str, int]] = {}
    for role in ROLES:
        with counter.client() as client:
            login(counter, client, role)
            before[role] = counts(counter, client, urls_for(counter, client))
    Path(os.environ.get("PARAPLY_QUERY_COUNTS", "/dev/null")).write_text(
        "\n".join(f"{n:4} {role:9} {url}" for role, c in before.items() for url, n in sorted(c.items())) + "\n"
    )
    too_many = [
        f"{url} as {role}: {n}"
        for role, c in before.items()
        for url, n in c.items()
        if n > MORE_ALLOWED.get(url, (MAX_STATEMENTS, ""))[0]
    ]
    assert not too_many, f"pages with more than {MAX_STATEMENTS} statements:\n" + "\n".join(too_many)

    add_more_rows(demo)
    grew = []
    for role in ROLES:
        with counter.client() as client:
            login(counter, client, role)
            after = counts(counter, client, list(before[role]))
        grew += [f"{url} as {role}: {before[role][url]} -> {n}" for url, n in after.items() if n > before[role][url]]
    assert not grew, "pages whose statements grow with the rows they show (N+1):\n" + "\n".join(grew)
