"""No request waits for another one's database or image work.

A site serves every request of its process from one event loop, so a view
that queries the database or decodes an image on the loop holds up every
other visitor (issue 12: an 8900 × 8900 PNG upload made a page of another
site wait 9.8 s). Views are plain ``def`` functions that Starlette runs in its
thread pool; the test below proves it against a real uvicorn server, and the
AST check keeps new ``async def`` views from querying or rendering on the loop.
"""

from __future__ import annotations

import io
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import text

from core.app import create_app
from core.models import Role
from core.site import Site
from tests import loop_check
from tests.conftest import PASSWORD, add_user, text_of
from tests.federation.harness import Server, free_port

REPO = Path(__file__).resolve().parents[1]

#: How long the test holds the database lock a login waits on.
LOCK_SECONDS = 1.5


def huge_png() -> bytes:
    """The picture of the issue: 8900 × 8900 pixels of one colour, about 300 kB as PNG."""
    out = io.BytesIO()
    Image.new("L", (8900, 8900), 255).save(out, format="PNG")
    return out.getvalue()


@contextmanager
def login_table_locked(site: Site, seconds: float) -> Iterator[None]:
    """Hold a lock that a login's first write (clearing old failed attempts)
    waits on, from another connection, released after ``seconds``: on SQLite
    the database's write lock, on PostgreSQL the login-failure table."""
    if site.engine.dialect.name == "sqlite":
        raw = sqlite3.connect(str(site.engine.url.database), isolation_level=None, check_same_thread=False)
        raw.execute("BEGIN IMMEDIATE")
        release = threading.Timer(seconds, lambda: raw.execute("ROLLBACK"))
        conn = None
    else:
        conn = site.engine.connect()
        conn.execute(text("LOCK TABLE core_login_failure IN ACCESS EXCLUSIVE MODE"))
        release = threading.Timer(seconds, conn.rollback)
    release.start()
    try:
        yield
    finally:
        release.join()
        if conn is not None:
            conn.close()
        else:
            raw.close()


def csrf_token(client: httpx.Client) -> str:
    client.get("/konto/logga-in")
    return next(c.value or "" for c in client.cookies.jar if c.name.startswith("csrftoken_"))


def logged_in(base_url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30)
    response = client.post(
        "/konto/logga-in", data={"csrftoken": csrf_token(client), "email": email, "password": PASSWORD}
    )
    assert response.status_code == 303, response.text[:300]
    return client


def test_a_page_answers_at_once_while_a_login_waits_on_the_database_and_a_huge_image_is_sent(site):
    add_user(site, "redaktor@test.example", Role.ADMIN)
    add_user(site, "besokare@test.example")
    server = Server(create_app(site), free_port())
    server.start()
    clients: list[httpx.Client] = []
    try:
        uploader = logged_in(server.url, "redaktor@test.example")
        visitor = logged_in(server.url, "besokare@test.example")
        person = httpx.Client(base_url=server.url, timeout=30)
        clients += [uploader, visitor, person]
        for _ in range(3):  # templates compiled, connections open
            assert visitor.get("/").status_code == 200
        login_data = {"csrftoken": csrf_token(person), "email": "redaktor@test.example", "password": PASSWORD}
        upload_data = {"csrftoken": csrf_token(uploader), "title": "Stor bild", "summary": "Kort.", "body": "Text."}
        upload_data |= {"association": "", "image_alt": "En vit yta", "published": "y"}
        picture = huge_png()
        answers: dict[str, httpx.Response] = {}

        def log_in() -> None:
            answers["login"] = person.post("/konto/logga-in", data=login_data)

        def upload() -> None:
            files = {"image_file": ("stor.png", picture, "image/png")}
            answers["upload"] = uploader.post("/nyheter/ny", data=upload_data, files=files)

        with login_table_locked(site, LOCK_SECONDS):
            started = time.monotonic()
            workers = [threading.Thread(target=log_in), threading.Thread(target=upload)]
            for worker in workers:
                worker.start()
            time.sleep(0.3)  # both requests are in the server now
            before = time.perf_counter()
            page = visitor.get("/")
            waited = time.perf_counter() - before
            for worker in workers:
                worker.join(30)
        assert page.status_code == 200 and "besokare" in page.text.lower()
        assert waited < 0.1, f"the front page took {waited * 1000:.0f} ms while the others were served"
        # The login waited for the lock and then went through as before.
        assert answers["login"].status_code == 303
        assert time.monotonic() - started >= LOCK_SECONDS
        # The picture was refused from its header, with a message on the form.
        assert answers["upload"].status_code == 400
        assert "Bilden har för många bildpunkter (högst 40 megapixel)" in text_of(answers["upload"].text)
        assert list(site.uploads_dir.iterdir()) == []
    finally:
        for client in clients:
            client.close()
        server.stop()


# -- the AST check ------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["core", "federation", "plugins"])
def test_no_async_function_queries_the_database_or_renders_on_the_event_loop(folder: str) -> None:
    found = loop_check.offenders(loop_check.load(REPO, ["core", "federation", "plugins"]), folder)
    assert not found, (
        "These async functions do database or template work on the event loop; make the view a plain def "
        "(Starlette runs it in the thread pool) or hand the work to run_in_threadpool:\n" + "\n".join(found)
    )


def test_the_check_follows_calls_into_helpers_and_other_modules(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "queries.py").write_text(
        "def count(site):\n    with site.session() as db:\n        return db.exec(q).one()\n"
    )
    (tmp_path / "pkg" / "views.py").write_text(
        "from pkg import queries\n"
        "from pkg.queries import count\n"
        "def helper(site):\n    return queries.count(site)\n"
        "async def direct(request):\n    return site.render(request, 'x.html')\n"
        "async def through_helper(request):\n    return helper(site)\n"
        "async def imported(request):\n    return count(site)\n"
        "async def fine(request):\n"
        "    data = await request.form()\n"
        "    return await run_in_threadpool(helper, site)\n"
    )
    found = loop_check.offenders(loop_check.load(tmp_path, ["pkg"]), "pkg")
    assert [line.split(" line")[0] for line in found] == [
        "views.py:direct",
        "views.py:through_helper",
        "views.py:imported",
    ]
    assert "helper() -> count() -> site.session()" in found[1]
