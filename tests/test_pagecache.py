"""The anonymous page cache (core.pagecache, issue 21) is never stale.

In-process: a repeated anonymous page is answered with one statement (the
version read), with an ETag and 304; a signed-in page and a page with a form
token are rendered every time. Through ``paraply serve --workers 2`` on the
demo data: every kind of content is changed from another process, as a
second machine on the same database would, and every anonymous page that
showed the old text shows the new one on the very next request, whichever
worker answers it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import MetaData, Table, select, update

from core.demo import DEMO_PASSWORD, demo_accounts, load_demo
from core.models import Role
from core.pagecache import site_content_version
from core.testing import free_port, load_test_site, text_of
from plugins.webportal.models import News
from tests.browser.pages import NOT_FOUND, get_routes, walk
from tests.conftest import add_user

REPO = Path(__file__).resolve().parent.parent

#: Each kind of content a visitor sees: (table, the column a page shows).
KINDS = [
    ("webportal_association", "name"),
    ("webportal_news", "title"),
    ("webportal_page", "title"),
    ("lisa_service", "name"),
    ("lisa_organisation", "name"),
    ("odling_crop", "name_sv"),
    ("fritidsbanken_item", "name"),
    ("evenemang_event", "title"),
    ("lokaler_resource", "name"),
]


def test_an_anonymous_page_is_kept_until_something_changes(site, query_counter):
    counter = query_counter(site)
    with site.session() as db:
        db.add(News(title="Vårmöte i Bygdegården", summary="Kom!", body="Text."))
    with counter.client() as client:
        first, _ = counter.count(client, "/nyheter")
        again, statements = counter.count(client, "/nyheter")
        assert "Vårmöte i Bygdegården" in text_of(again.text)
        assert statements == 1, "the second visit is answered from memory after one version read"
        assert again.text == first.text and again.headers["etag"] == first.headers["etag"]
        assert again.headers["cache-control"] == "no-cache"
        unchanged = client.get("/nyheter", headers={"If-None-Match": first.headers["etag"]})
        assert unchanged.status_code == 304 and unchanged.content == b""

        with site.session() as db:
            news = db.exec(select(News)).scalars().one()
            news.title = "Höstmöte i Bygdegården"
        changed, statements = counter.count(client, "/nyheter", headers={"If-None-Match": first.headers["etag"]})
        assert changed.status_code == 200 and statements > 1
        assert "Höstmöte i Bygdegården" in text_of(changed.text) and "Vårmöte" not in changed.text


def test_signed_in_pages_and_form_pages_are_rendered_every_time(site, query_counter):
    add_user(site, "redaktor@test.example", Role.EDITOR)
    counter = query_counter(site)
    with counter.client() as client:
        first, _ = counter.count(client, "/konto/logga-in")
        form, _ = counter.count(client, "/konto/logga-in")
        tokens = [re.search(r'name="csrftoken" value="([^"]+)"', page.text) for page in (first, form)]
        assert tokens[0] and tokens[1], "the sign-in form carries a form token"
        # Rendered anew: the token is masked afresh for every page (core.csrf.mask_token).
        assert tokens[0].group(1) != tokens[1].group(1), "a page with a form token is rendered every time"
        assert "no-cache" not in form.headers.get("cache-control", "")
        client.login("redaktor@test.example")
        counter.count(client, "/nyheter")
        page, statements = counter.count(client, "/nyheter")
        assert statements > 1 and "no-cache" not in page.headers.get("cache-control", "")
        # Signed-in HTML has an ETag too (its form tokens make each visitor's page their own).
        assert page.headers["etag"]


# -- several workers, every kind of content ------------------------------------------


def page_urls(site, app, client) -> list[str]:  # type: ignore[no-untyped-def]
    """Every page and feed ``client`` reaches by following the site's links
    (``app`` is the site's app, for its routes)."""
    found = walk(SimpleNamespace(app=app, site=site), client)
    plain = {r.path for r in get_routes(list(app.routes)) if not r.has_params}
    return sorted(u for u in found.pages if u != NOT_FOUND) + sorted(t for t in found.not_pages if t in plain)


def anonymous_pages(site, url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every anonymous page and feed of the site, by following its links, with its text."""
    from core.app import create_app

    with httpx.Client(base_url=url, timeout=60) as client:
        return {u: text_of(client.get(u).text) for u in page_urls(site, create_app(site), client)}


def unstamped(text: str) -> str:
    """Without "made at" stamps finer than a minute (the HSDS export's
    ``generated``): a kept answer may be up to a minute older than the clock,
    never than the data (core.pagecache keys on the minute)."""
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z?", "<stamp>", text)


def fresh_get(url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """A GET on a new connection, so that either worker may answer it."""
    return httpx.get(url, timeout=60, headers={"Connection": "close", **(headers or {})})


@pytest.fixture
def two_workers(database_url, tmp_path):
    site = load_test_site(REPO / "sites" / "mockeln", database_url, tmp_path / "data" / "mockeln")
    load_demo(site, echo=lambda _: None)
    port = free_port()
    env = {
        **os.environ,
        "PARAPLY_DATABASE_URL": database_url,
        "PARAPLY_DATA_DIR": str(tmp_path / "data"),
        "PARAPLY_SECRET_KEY": "test-two-workers",
    }
    command = [sys.executable, "-c", "from core.cli import cli; cli()", "serve", "--site", str(site.folder)]
    command += ["--port", str(port), "--workers", "2"]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert server.stderr is not None
        started = 0
        for line in server.stderr:
            started += "Application startup complete" in line
            if started == 2:
                break
        assert started == 2, "the two workers did not both start"
        threading.Thread(target=server.stderr.read, daemon=True).start()  # the access log, drained
        yield site, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(20)
        site.dispose()


@pytest.mark.parametrize("visitor", ["anonymous", "admin"])
def test_every_page_shows_a_change_at_once_with_two_workers(two_workers, visitor):
    """Anonymous pages come from the page cache; a signed-in visitor's pages
    are rendered each time, but their shared parts (the front page's
    content, the directory, an association's page, the menu) are kept
    (core.memo): both must show a change made from elsewhere at once."""
    site, url = two_workers
    pages = anonymous_pages(site, url)
    cookie = {"Cookie": signed_in_cookie(site, url)} if visitor == "admin" else {}
    metadata = MetaData()
    missed = []
    for table_name, column in KINDS:
        with site.engine.connect() as conn:
            table = Table(table_name, metadata, autoload_with=conn)
            rows = conn.execute(select(table.c.id, table.c[column]).order_by(table.c.id)).all()
        # The row shown on most pages: the one a change must reach everywhere.
        row_id, old = max(rows, key=lambda r: sum(r[1] in text for text in pages.values()))
        showing = [u for u, text in pages.items() if old in text]
        if not showing:
            missed.append(f"{table_name}.{column}: no anonymous page shows it")
            continue
        for page in showing:  # kept in memory by both workers
            for _ in range(4):
                assert fresh_get(url + page, cookie).status_code == 200
        new = f"Ändrat {table_name.split('_')[0]} {row_id}"
        with site.engine.begin() as conn:  # another process: a second machine on the same database
            values: dict[str, object] = {column: new}
            if "updated_at" in table.c:  # as every write through the app stamps its row
                values["updated_at"] = datetime.now(UTC).replace(tzinfo=None)
            conn.execute(update(table).where(table.c.id == row_id).values(values))
        reached = []
        for page in showing:
            for attempt in range(4):
                # The answer as served (from either worker's memory, if kept),
                # then as rendered anew: a page keeping a copy of the old text
                # (a programme's organiser name) keeps it in both.
                served = unstamped(text_of(fresh_get(url + page, cookie).text))
                rendered = unstamped(text_of(fresh_get(url + page, {"Cache-Control": "no-cache", **cookie}).text))
                assert served == rendered, f"{page} was stale ({attempt + 1}. request) after {table_name} changed"
            reached += [page] if new in rendered else []
        assert reached, f"no page shows the new {table_name}.{column}"
    assert not missed, missed


def signed_in_cookie(site, url: str) -> str:  # type: ignore[no-untyped-def]
    """The demo admin's cookies, signed in through the form, as a Cookie header."""
    email = next(e for e, _, r in demo_accounts(site) if r == Role.ADMIN)
    with httpx.Client(base_url=url, timeout=60) as client:
        client.get("/konto/logga-in")
        token = next(c.value for c in client.cookies.jar if c.name.startswith("csrftoken_"))
        answer = client.post("/konto/logga-in", data={"csrftoken": token, "email": email, "password": DEMO_PASSWORD})
        assert answer.status_code == 303
        assert "Logga ut" in text_of(client.get("/").text)
        return "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)


def test_the_demo_logins_work_with_the_cache(two_workers):
    site, url = two_workers
    assert signed_in_cookie(site, url)


def test_the_cache_keeps_within_its_byte_budget_and_drops_the_least_recently_used(site):
    """A site of many long pages: the kept answers stay under ``max_bytes``
    (memory per worker), the oldest go first, and a dropped page is simply
    rendered again."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from core.pagecache import PageCache

    rendered: list[str] = []

    def page(request):
        rendered.append(request.path_params["n"])
        return HTMLResponse("<p>" + "x" * 10_000 + "</p>")

    inner = Starlette(routes=[Route("/sida/{n}", page)])
    cache = PageCache(
        inner, engine=lambda: site.engine, minute=lambda: "2026-12-06T12:00", session_cookie="s", max_bytes=35_000
    )
    with TestClient(cache) as client:
        for n in "12345":
            assert client.get(f"/sida/{n}").status_code == 200
        assert len(cache.entries) == 3 and cache.size <= 35_000
        for n in "345":  # kept: answered from memory
            client.get(f"/sida/{n}")
        assert rendered == list("12345")
        client.get("/sida/1")  # dropped: rendered again, and now the newest
        assert rendered == list("123451") and cache.size <= 35_000
        assert [key[0] for key in cache.entries] == [b"/sida/4", b"/sida/5", b"/sida/1"]


def test_answers_that_can_no_longer_be_served_are_let_go_at_once(site):
    """A site written to every few seconds: after a change, or when the
    minute turns, the answers kept before can never be served again; they
    leave memory when the first new answer is kept, not when the budget
    pushes them out (the SQLite soak's sites grew 13-16 % in 10 minutes)."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from core.pagecache import PageCache
    from tests.webportal_fixtures import add_association

    now = {"minute": "2026-12-07T03:00"}

    def page(request):
        return HTMLResponse("<p>" + "x" * 10_000 + "</p>")

    inner = Starlette(routes=[Route("/sida/{n}", page)])
    cache = PageCache(inner, engine=lambda: site.engine, minute=lambda: now["minute"], session_cookie="s")
    with TestClient(cache) as client:
        for n in "1234":
            client.get(f"/sida/{n}")
        assert len(cache.entries) == 4
        now["minute"] = "2026-12-07T03:01"
        client.get("/sida/1")
        assert [key[0] for key in cache.entries] == [b"/sida/1"] and cache.size < 11_000
        for n in "234":
            client.get(f"/sida/{n}")
        assert len(cache.entries) == 4
        add_association(site, "Nya föreningen")  # a write: the content version moves on
        client.get("/sida/2")
        assert [key[0] for key in cache.entries] == [b"/sida/2"]


@pytest.fixture
def demo(database_url, tmp_path):
    site = load_test_site(REPO / "sites" / "mockeln", database_url, tmp_path / "data" / "mockeln")
    load_demo(site, echo=lambda _: None)
    yield site
    site.dispose()


def test_no_anonymous_page_changes_the_content_version(demo):
    """A read that counted as a write would empty the cache at every visit: a
    search's ``WITH ... MATERIALIZED`` once did, so the directory, a third of
    the pages a visitor opens, was rendered every time. No lifespan here: the
    background workers' own writes would muddle the count."""
    from core.app import create_app
    from core.testing import Client

    client = Client(create_app(demo), base_url=demo.base_url)
    urls = page_urls(demo, client.app, client)
    assert any(u.startswith("/foreningar?q=") for u in urls), "the walk reaches a directory search"
    changed = []
    for url in urls:
        before = site_content_version(demo)
        response = client.get(url, headers={"Cache-Control": "no-cache"})  # rendered, not from memory
        if site_content_version(demo) != before:
            changed.append(f"{url} ({response.status_code})")
    assert not changed, "anonymous pages whose visit changed the content version:\n" + "\n".join(changed)
    for url in ("/foreningar", "/foreningar?q=k%C3%B6rs", "/sok?q=k%C3%B6rs"):
        client.get(url)
        before = site_content_version(demo)
        assert client.get(url).status_code == 200 and site_content_version(demo) == before, url
