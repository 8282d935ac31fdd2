"""What the calendar pages keep in memory never goes stale (issue 14's
speed work): the occurrence index, the peers' parsed events and the built
.ics are each kept under a stamp read from the database on every request,
so a change written by another worker process (here: a second ``Site`` on
the same database, as the poller's process or a second uvicorn worker would
be) shows on the very next page, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import vobject
from sqlmodel import select

from core.site import Site
from core.testing import Client, load_test_site, text_of
from federation import ingest
from federation.models import Peer
from federation.parse import ParsedEntry, ParsedFeed
from plugins.evenemang import store
from plugins.evenemang.models import Event
from tests.evenemang.conftest import EDITOR, event_form

CALENDAR = "/natverket/kalender?fran=2026-12-01"
TAG = "tag:storfors.example,2026:evenemang/"


@pytest.fixture
def other_worker(ev_site: Site, database_url: str, made_sites: list[Site]) -> Site:
    """The same site in another process: its own memory, the same database."""
    worker = load_test_site(ev_site.folder, database_url, ev_site.data_dir, migrate_db=False)
    made_sites.append(worker)
    return worker


def _peer_event(number: int, title: str, updated: datetime, **fields: str) -> ParsedEntry:
    return ParsedEntry(
        id=f"{TAG}{number}",
        title=title,
        link=f"https://storfors.example/evenemang/{number}",
        summary="Välkomna!",
        content="",
        author="Storfors boulesällskap",
        categories=[],
        published=updated,
        updated=updated,
        fields={
            "uid": f"ev-{number}@storfors.example",
            "starts": f"2026-12-{9 + number}T18:00",
            "ends": f"2026-12-{9 + number}T20:00",
            "tz": "Europe/Stockholm",
            "status": "scheduled",
            "organisers": "Storfors boulesällskap",
            **fields,
        },
    )


def _receive(worker: Site, feed: ParsedFeed) -> None:
    """What the poller or a WebSub push writes, in the other process."""
    with worker.session() as db:
        peer = db.exec(select(Peer)).first()
        if peer is None:
            peer = Peer(url="https://storfors.example", name="Storfors föreningar")
            db.add(peer)
            db.flush()
        assert peer.id is not None
        ingest.apply(db, peer.id, "events", feed)


def test_a_peers_event_arriving_changed_or_deleted_shows_at_once_in_the_network_calendar(
    ev_site: Site, other_worker: Site, as_user: Callable[[Site, str | None], Client]
) -> None:
    visitor = as_user(ev_site, None)
    first = datetime(2026, 12, 1, 8, tzinfo=UTC)
    _receive(other_worker, ParsedFeed(entries=[_peer_event(1, "Grannarnas boule", first)]))
    page = text_of(visitor.get(CALENDAR).text)
    assert "Grannarnas boule" in page and "Storfors föreningar" in page

    _receive(other_worker, ParsedFeed(entries=[_peer_event(2, "Grannarnas schack", first)]))
    assert "Grannarnas schack" in text_of(visitor.get(CALENDAR).text)

    cancelled = _peer_event(1, "Grannarnas boule", first + timedelta(hours=1), status="cancelled")
    _receive(other_worker, ParsedFeed(entries=[cancelled]))
    assert "Grannarnas boule Inställt" in text_of(visitor.get(CALENDAR).text)

    _receive(other_worker, ParsedFeed(tombstones=[(f"{TAG}2", first + timedelta(hours=2))]))
    page = text_of(visitor.get(CALENDAR).text)
    assert "Grannarnas schack" not in page and "Grannarnas boule Inställt" in page

    with other_worker.session() as db:  # the admin renames the peer in site.toml
        peer = db.exec(select(Peer)).one()
        peer.name = "Storfors föreningsallians"
        db.add(peer)
    assert "Storfors föreningsallians" in text_of(visitor.get(CALENDAR).text)


def _edit_elsewhere(worker: Site, title: str, change: Callable[[Event], None]) -> None:
    """An edit saved by another worker, the way the edit form saves it."""
    with worker.session() as db:
        event = db.exec(select(Event).where(Event.title == title)).one()
        before = store.snapshot(event)
        change(event)
        store.derive(event, store.settings_of(worker))
        store.touch(event, before)
        db.add(event)


def test_an_event_changed_by_another_worker_shows_at_once_on_every_calendar_page(
    ev_site: Site, other_worker: Site, as_user: Callable[[Site, str | None], Client]
) -> None:
    editor = as_user(ev_site, EDITOR)
    visitor = as_user(ev_site, None)
    assert editor.submit("/evenemang/nytt", event_form()).status_code == 303
    other = event_form(title="Styrelsemöte", start_date="2026-12-10", repeat="weekly", repeat_until="2027-01-28")
    assert editor.submit("/evenemang/nytt", other).status_code == 303  # unchanged below: kept, not read again
    pages = ("/evenemang/manad?manad=2026-12", "/evenemang/vecka?dag=2026-12-08", "/evenemang/dag?datum=2026-12-08")
    for path in (*pages, CALENDAR):
        assert "Månadsmöte" in visitor.get(path).text

    _edit_elsewhere(other_worker, "Månadsmöte", lambda e: setattr(e, "title", "Julmöte"))
    for path in (*pages, CALENDAR):
        text = visitor.get(path).text
        assert "Julmöte" in text and "Månadsmöte" not in text, path

    def move(event: Event) -> None:  # a day later: off the day list, still in the week and month
        event.starts_at += timedelta(days=1)
        event.ends_at += timedelta(days=1)

    _edit_elsewhere(other_worker, "Julmöte", move)
    assert "Julmöte" not in visitor.get(pages[2]).text
    assert "Julmöte" in visitor.get("/evenemang/dag?datum=2026-12-09").text

    with other_worker.session() as db:
        db.delete(db.exec(select(Event).where(Event.title == "Julmöte")).one())
    for path in (*pages, CALENDAR):
        assert "Julmöte" not in visitor.get(path).text, path
    for path in (pages[0], pages[1], CALENDAR):
        assert "Styrelsemöte" in visitor.get(path).text, path
    # Thursdays 31 December (the grid starts on Monday 28th) and 7, 14, 21, 28 January
    assert visitor.get("/evenemang/manad?manad=2027-01").text.count("Styrelsemöte") == 5


def test_a_changed_event_gives_a_new_ics_with_a_new_etag_and_sequence(
    ev_site: Site, other_worker: Site, as_user: Callable[[Site, str | None], Client]
) -> None:
    editor = as_user(ev_site, EDITOR)
    visitor = as_user(ev_site, None)
    assert editor.submit("/evenemang/nytt", event_form()).status_code == 303
    assert (
        editor.submit("/evenemang/nytt", event_form(title="Styrelsemöte", start_date="2026-12-10")).status_code == 303
    )
    for path in ("/evenemang/kalender.ics", "/evenemang/forening/pro-karlskoga/kalender.ics"):
        first = visitor.get(path)
        again = visitor.get(path)  # no If-None-Match: the body kept for this ETag
        assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
        before = next(e for e in vobject.readOne(first.text).vevent_list if e.summary.value == "Månadsmöte")

        def later(event: Event) -> None:
            event.starts_at += timedelta(hours=1)
            event.ends_at += timedelta(hours=1)

        _edit_elsewhere(other_worker, "Månadsmöte", later)
        changed = visitor.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
        events = {e.summary.value: e for e in vobject.readOne(changed.text).vevent_list}
        assert events.keys() == {"Månadsmöte", "Styrelsemöte"}  # the unchanged one kept its text
        after = events["Månadsmöte"]
        assert after.uid.value == before.uid.value
        assert int(after.sequence.value) == int(before.sequence.value) + 1
        assert after.dtstart.value.hour == before.dtstart.value.hour + 1
        unchanged = visitor.get(path, headers={"If-None-Match": changed.headers["etag"]})
        assert unchanged.status_code == 304
