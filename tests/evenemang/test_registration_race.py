"""Two sign-ups for the last place never overfill it, on SQLite and on
PostgreSQL: a first transaction takes the last place and stays open while
a second sign-up runs; the second must wait for it and then find the event
full (waiting list, or nothing stored). Then several visitors at once over
HTTP."""

from __future__ import annotations

import threading
import time

from sqlmodel import Session, select

from core.testing import Client
from plugins.evenemang import registration_store as regs
from plugins.evenemang.models import Event
from plugins.evenemang.registration_models import Registration, RegistrationSetup, RegState
from tests.evenemang.conftest import EDITOR
from tests.evenemang.programme_helpers import event_with_places, mail_site


def _states(site, event_id: int) -> list[str]:
    with site.session() as db:
        rows = db.exec(select(Registration).where(Registration.event_id == event_id).order_by(Registration.id))
        return [r.state for r in rows]


def _taken(site, event_id: int) -> tuple[int, int]:
    with site.session() as db:
        setup = db.exec(select(RegistrationSetup).where(RegistrationSetup.event_id == event_id)).one()
        return setup.taken, setup.places


def _race(site, event_id: int, waiting_ok: bool) -> tuple[regs.SignUp | None, bool]:
    """The first transaction claims the last place and holds it; a second
    sign-up runs in another thread. Returns the second's outcome and whether
    it was still waiting when the first committed."""
    with site.session() as db:
        event = db.get(Event, event_id)
        assert event is not None
    first = Session(site.engine)
    assert regs._claim(first, event_id), "the first transaction takes the last place"
    first.add(Registration(event_id=event_id, name="Först", email="forst@example.se", key="k1"))
    first.flush()  # the first transaction is open, its row written but not committed

    outcome: list[regs.SignUp] = []
    second = threading.Thread(
        target=lambda: outcome.append(regs.sign_up(site, event, "Tvåa", "tvaa@example.se", None, waiting_ok))
    )
    second.start()
    time.sleep(0.8)
    blocked = second.is_alive()
    first.commit()
    first.close()
    second.join(timeout=30)
    assert not second.is_alive()
    return (outcome[0] if outcome else None), blocked


def test_the_second_of_two_open_transactions_gets_the_waiting_list(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=1)
    outcome, blocked = _race(site, event_id, waiting_ok=True)
    assert blocked, "the second sign-up waited for the first transaction (row lock or write lock)"
    assert outcome is not None and outcome.state == RegState.WAITING and outcome.position == 1
    assert _states(site, event_id) == [RegState.CONFIRMED, RegState.WAITING]
    assert _taken(site, event_id) == (1, 1)


def test_without_a_waiting_list_the_second_stores_nothing(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=1, waiting_list=False)
    outcome, blocked = _race(site, event_id, waiting_ok=True)
    assert blocked
    assert outcome is not None and outcome.full and outcome.state == ""
    assert _states(site, event_id) == [RegState.CONFIRMED]
    assert _taken(site, event_id) == (1, 1)


def test_many_visitors_at_once_fill_the_places_exactly(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=2)
    clients: list[Client] = [as_user(site, None) for _ in range(6)]
    for client in clients:
        client.get(f"/evenemang/{event_id}/anmal")  # each has the form (and its CSRF cookie) first
    start = threading.Barrier(len(clients))
    codes: list[int] = []

    def sign_up(n: int) -> None:
        start.wait()
        form = {"name": f"Person {n}", "email": f"p{n}@example.se", "vantelista": "ja"}
        codes.append(clients[n].submit(f"/evenemang/{event_id}/anmal", form).status_code)

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [303] * len(clients)
    states = _states(site, event_id)
    assert states.count(RegState.CONFIRMED) == 2 and states.count(RegState.WAITING) == 4
    assert _taken(site, event_id) == (2, 2)
