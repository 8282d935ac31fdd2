"""No double booking, ever: fifty people ask for the same slot at the same
moment over real HTTP (a real uvicorn server on 127.0.0.1), on SQLite and on
PostgreSQL. Exactly one gets the room; the other 49 are told in Swedish that
the time is taken, and nobody sees a server error.

On PostgreSQL the exclusion constraint refuses the overlap inside the
database, shown here also directly, under the web layer; on SQLite the
booking transaction holds the write lock from its first statement."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import httpx
import pytest
import uvicorn
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.app import create_app
from core.csrf import csrf_cookie_name
from core.testing import TEST_PASSWORD, text_of
from plugins.lokaler.models import Booking, BookingStatus
from tests.browser.server import free_port
from tests.lokaler.conftest import EDITOR, booking_form

PEOPLE = 50


@contextmanager
def served(site) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(site), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


def _signed_in(site, base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as http:
        http.get("/konto/logga-in")
        token = http.cookies[csrf_cookie_name(site.slug)]
        answer = http.post("/konto/logga-in", data={"csrftoken": token, "email": EDITOR, "password": TEST_PASSWORD})
        assert answer.status_code == 303, answer.text[:300]
        return http.cookies


def test_fifty_at_once_one_wins(lok_site, rooms):
    room = rooms["Stora salen"]
    with served(lok_site) as base:
        cookies = _signed_in(lok_site, base)
        token = cookies[csrf_cookie_name(lok_site.slug)]
        start = threading.Barrier(PEOPLE)
        answers: list[httpx.Response] = []
        lock = threading.Lock()

        def book(n: int) -> None:
            with httpx.Client(base_url=base, cookies=cookies, timeout=60) as http:
                form = {**booking_form(title=f"Möte {n}"), "csrftoken": token}
                start.wait()
                answer = http.post(f"/lokaler/{room}/boka", data=form)
                with lock:
                    answers.append(answer)

        threads = [threading.Thread(target=book, args=(n,)) for n in range(PEOPLE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
    codes = sorted(a.status_code for a in answers)
    assert len(answers) == PEOPLE
    assert codes.count(303) == 1, codes
    assert codes.count(409) == PEOPLE - 1, codes
    for answer in answers:
        if answer.status_code == 409:
            assert "Tiden är redan bokad. Välj en annan tid i veckovyn." in text_of(answer.text)
    with lok_site.session() as db:
        saved = db.exec(select(Booking)).all()
    assert len(saved) == 1 and saved[0].status == BookingStatus.CONFIRMED


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_postgres_refuses_an_overlap_itself(lok_site, rooms):
    """Under the web layer: two rows written straight to the table, the
    second overlapping the first's buffer, are refused by the constraint;
    back to back after the buffer, and a cancelled one, are accepted."""
    room = rooms["Stora salen"]  # 30 minutes' buffer
    start = datetime(2027, 3, 9, 17, 0)

    def row(uid: str, begin: datetime, hours: int, status: str = BookingStatus.CONFIRMED) -> Booking:
        end = begin + timedelta(hours=hours)
        return Booking(
            uid=uid,
            resource_id=room,
            title=uid,
            start_utc=begin,
            end_utc=end,
            block_end_utc=end + timedelta(minutes=30),
            status=status,
        )

    with Session(lok_site.engine) as db:
        db.add(row("a", start, 2))
        db.commit()
        db.add(row("b", start + timedelta(hours=2, minutes=10), 1))  # inside a's buffer
        with pytest.raises(IntegrityError) as refused:
            db.commit()
        assert getattr(refused.value.orig, "sqlstate", None) == "23P01"
        db.rollback()
        db.add(row("c", start + timedelta(hours=2, minutes=30), 1))  # after the buffer
        db.add(row("d", start, 2, BookingStatus.CANCELLED))
        db.commit()
        assert len(db.exec(select(Booking)).all()) == 3
