"""Two sign-ups for the last place never overfill it, on SQLite and on
PostgreSQL: a first transaction takes the last place and stays open while
a second sign-up runs; the second must wait for it and then find the event
full (waiting list, or nothing stored). Then several visitors at once over
HTTP."""

from __future__ import annotations

import threading
import time

from sqlmodel import Session, select

from core.testing import Client, text_of
from plugins.evenemang import registration_store as regs
from plugins.evenemang.models import Event
from plugins.evenemang.registration_models import Registration, RegistrationSetup, RegState
from tests.evenemang.conftest import EDITOR
from tests.evenemang.programme_helpers import confirm_link, event_with_places, mail_site


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
    """Six visitors sign up by e-mail, then follow their confirmation links at
    the same moment: two get the places, four the waiting list."""
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=2)
    clients: list[Client] = [as_user(site, None) for _ in range(6)]
    for n, client in enumerate(clients):
        form = {"name": f"Person {n}", "email": f"p{n}@example.se", "vantelista": "ja"}
        assert client.submit(f"/evenemang/{event_id}/anmal", form).status_code == 303
    links = [confirm_link(smtp_inbox, f"p{n}@example.se") for n in range(len(clients))]
    for client, link in zip(clients, links, strict=True):
        client.get(link)  # each has the page (and its CSRF cookie) first
    assert _states(site, event_id) == [RegState.PENDING] * 6 and _taken(site, event_id) == (0, 2)
    start = threading.Barrier(len(clients))
    codes: list[int] = []

    def confirm(n: int) -> None:
        start.wait()
        codes.append(clients[n].submit(links[n], {}).status_code)

    threads = [threading.Thread(target=confirm, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [303] * len(clients)
    states = _states(site, event_id)
    assert states.count(RegState.CONFIRMED) == 2 and states.count(RegState.WAITING) == 4
    assert _taken(site, event_id) == (2, 2)


def _event(site, event_id: int) -> Event:
    with site.session() as db:
        event = db.get(Event, event_id)
        assert event is not None
        return event


def _confirmed_row(site, event_id: int, name: str, email: str) -> int:
    outcome = regs.sign_up(site, _event(site, event_id), name, email, None, waiting_ok=False)
    assert outcome.state == RegState.CONFIRMED
    with site.session() as db:
        return db.exec(select(Registration.id).where(Registration.email == email)).one() or 0


def test_a_sign_up_joining_the_waiting_list_while_someone_cancels_gets_the_freed_place(make_site, smtp_inbox, as_user):
    """Anna has the only place. Bo signs up (waiting list) while Anna
    cancels; Bo's sign-up is held just before it writes its waiting-list row
    (a third transaction locks the event row, which the row's foreign key
    needs). Anna's cancellation must wait for Bo's sign-up and then give him
    the place, not free it while Bo's row is still unwritten. (On PostgreSQL
    a guarded update that matches nothing locks nothing, so without the
    setup row's lock taken first the place stayed empty with Bo waiting.)"""
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=1)
    anna = _confirmed_row(site, event_id, "Anna", "anna@example.se")
    event = _event(site, event_id)
    holder = Session(site.engine)
    holder.exec(select(Event).where(Event.id == event_id).with_for_update())  # SQLite: no-op
    outcome: list[regs.SignUp] = []
    sign_up = threading.Thread(
        target=lambda: outcome.append(regs.sign_up(site, event, "Bo", "bo@example.se", None, waiting_ok=True))
    )
    cancel = threading.Thread(target=lambda: regs.cancel(site, anna))
    sign_up.start()
    time.sleep(0.6)
    cancel.start()
    time.sleep(0.8)
    holder.commit()
    holder.close()
    for thread in (sign_up, cancel):
        thread.join(timeout=30)
        assert not thread.is_alive()
    assert outcome and outcome[0].state == RegState.WAITING
    assert _states(site, event_id) == [RegState.CANCELLED, RegState.CONFIRMED], "Bo moved up into Anna's place"
    assert _taken(site, event_id) == (1, 1)


def test_two_identical_sign_ups_at_once_register_once(make_site, smtp_inbox, as_user):
    """Two sign-ups of the same address at the same moment (a double click,
    two tabs): one registration. An open transaction holds the setup row so
    that both arrive while it is taken; then the database's partial unique
    index refuses a second active row for the address even from raw SQL."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=5)
    event = _event(site, event_id)
    holder = Session(site.engine)
    assert regs._lock_setup(holder, event_id)
    outcomes: list[regs.SignUp] = []
    threads = [
        threading.Thread(
            target=lambda e=email: outcomes.append(regs.sign_up(site, event, "Vera", e, None, waiting_ok=False))
        )
        for email in ("vera@example.se", "Vera@Example.se")
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.8)
    holder.commit()
    holder.close()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted((o.state, o.duplicate) for o in outcomes) == [("", True), (RegState.CONFIRMED, False)]
    assert _states(site, event_id) == [RegState.CONFIRMED] and _taken(site, event_id) == (1, 5)

    with pytest.raises(IntegrityError), site.session() as db:
        db.add(Registration(event_id=event_id, name="Vera", email="VERA@example.se", state=RegState.WAITING))
        db.flush()
    with site.session() as db:  # an erased row or a cancelled one is not active: no conflict
        db.add(Registration(event_id=event_id, name="Vera", email="vera@example.se", state=RegState.CANCELLED))
        db.add(Registration(event_id=event_id, state=RegState.CONFIRMED))
        db.add(Registration(event_id=event_id, state=RegState.CONFIRMED))
        db.commit()


def test_fewer_places_while_someone_signs_up_is_a_message_not_an_error(make_site, smtp_inbox, as_user):
    """The organiser lowers the places to 1 while a second person is taking
    the second place: the form's check saw one taken, but under the lock two
    are. The organiser is told in Swedish (400), nothing changes."""
    site = mail_site(make_site, smtp_inbox)
    editor = as_user(site, EDITOR)
    event_id = event_with_places(editor, places=2)
    _confirmed_row(site, event_id, "Anna", "anna@example.se")
    editor.get(f"/evenemang/{event_id}/deltagare")
    holder = Session(site.engine)
    assert regs._claim(holder, event_id)
    holder.add(Registration(event_id=event_id, name="Bo", email="bo@example.se", key="k2"))
    holder.flush()
    answers: list = []
    organiser = threading.Thread(
        target=lambda: answers.append(
            editor.submit(f"/evenemang/{event_id}/anmalan", {"places": "1", "is_open": "y", "waiting_list": "y"})
        )
    )
    organiser.start()
    time.sleep(0.8)
    holder.commit()
    holder.close()
    organiser.join(timeout=30)
    (answer,) = answers
    assert answer.status_code == 400
    assert "2 personer har redan en plats. Skriv minst 2, eller avboka någon först." in text_of(answer.text)
    assert _taken(site, event_id) == (2, 2)
