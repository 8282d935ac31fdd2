"""The demo's Kultur- och föreningskalaset at Möckeln: 20+ items from 10+
associations in the programme and the calendar, a submission waiting for
review, the call open for the demo editor; and an event with registration.
Loading twice adds nothing."""

from __future__ import annotations

from sqlmodel import select

from core.demo import DEMO_PASSWORD, demo_accounts, load_demo
from core.models import Role
from core.testing import text_of
from plugins.evenemang.programme_models import ItemState, ProgrammeItem
from plugins.evenemang.registration_models import Registration, RegistrationSetup
from tests.conftest import DEFAULT_WEBPORTAL
from tests.evenemang.conftest import TODAY


def _snapshot(site) -> list[tuple]:  # type: ignore[no-untyped-def]
    with site.session() as db:
        items = [(i.title, i.state, i.event_id) for i in db.exec(select(ProgrammeItem))]
        regs = [(r.email, r.state) for r in db.exec(select(Registration))]
        return sorted(items) + sorted(regs)


def test_the_demo_programme_at_mockeln(make_site, as_user):
    site = make_site(
        slug="mockeln",
        plugins=["webportal", "evenemang"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "evenemang": 'prefix = "/"\n'},
    )
    site.clock.set(TODAY)
    load_demo(site, echo=lambda _: None)
    first = _snapshot(site)
    load_demo(site, echo=lambda _: None)
    assert _snapshot(site) == first, "loading the demo twice adds nothing"

    with site.session() as db:
        items = list(db.exec(select(ProgrammeItem)))
        setup = db.exec(select(RegistrationSetup)).one()
    accepted = [i for i in items if i.state == ItemState.ACCEPTED]
    assert len(accepted) >= 20 and len({i.association_slug for i in accepted}) >= 10
    assert [i.title for i in items if i.state == ItemState.PENDING] == ["Läxhjälpen visar sig"]
    assert setup.taken == 3 and setup.places == 12

    visitor = as_user(site, None)
    page = text_of(visitor.get("/evenemang/program/kulturkalaset").text)
    assert "22 programpunkter från 15 föreningar" in page
    assert "Stora scenen" in page and "Kammarkören öppnar kalaset" in page and "Läxhjälpen visar sig" not in page
    assert "Kultur- och föreningskalaset" in text_of(visitor.get("/evenemang/program").text)
    # An outdoor festival in summer: the first weekend of August after the demo's December clock.
    assert "Kammarkören öppnar kalaset" in text_of(visitor.get("/evenemang/dag?datum=2027-08-07").text)
    assert "Kammarkören öppnar kalaset" not in text_of(visitor.get("/evenemang/dag?datum=2026-12-12").text)
    assert "Skicka in ert bidrag senast" in page, "the call is open"

    admin_email = next(e for e, _n, role in demo_accounts(site) if role == Role.ADMIN)
    admin = as_user(site, None)
    admin.login(admin_email, DEMO_PASSWORD)
    queue = text_of(admin.get("/evenemang/program/kulturkalaset/granska").text)
    assert "Väntar på granskning (1) Läxhjälpen visar sig" in queue


def test_the_demo_editor_changes_only_their_own_associations_events(make_site, as_user):
    """The festival's items came from many associations: the demo editor
    (found in a new-user trial) must not get "Ändra" on the others'."""
    from plugins.evenemang import store
    from plugins.evenemang.models import Event

    site = make_site(
        slug="mockeln",
        plugins=["webportal", "evenemang"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "evenemang": 'prefix = "/"\n'},
    )
    site.clock.set(TODAY)
    load_demo(site, echo=lambda _: None)
    editor_email = next(e for e, _n, role in demo_accounts(site) if role == Role.EDITOR)
    with site.session() as db:
        from core.api import get_user_by_email

        editor = get_user_by_email(db, editor_email)
        own = store.editable_slugs(site, db, editor)
        festival = [i for i in db.exec(select(ProgrammeItem)) if i.event_id]
        editable = {i.association_slug for i in festival if store.may_edit(site, db, editor, db.get(Event, i.event_id))}
    assert len(festival) >= 20
    assert editable <= set(own), f"the editor may change events of {sorted(editable - set(own))}"
    client = as_user(site, None)
    client.login(editor_email, DEMO_PASSWORD)
    others = [i for i in festival if i.association_slug not in own]
    assert client.get(f"/evenemang/{others[0].event_id}/redigera").status_code == 403


def test_the_festival_is_in_summer_and_its_call_open_whatever_the_clock():
    from datetime import date

    from plugins.evenemang.programme_demo import festival_weekend

    assert festival_weekend(date(2026, 12, 2)) == (date(2027, 8, 7), date(2027, 7, 8))
    assert festival_weekend(date(2027, 3, 1)) == (date(2027, 8, 7), date(2027, 7, 8))
    assert festival_weekend(date(2027, 7, 20)) == (date(2027, 8, 7), date(2027, 7, 25)), "the call stays open"
    assert festival_weekend(date(2027, 7, 30)) == (date(2028, 8, 5), date(2028, 7, 6)), "too close: next summer"


def test_the_demos_series_keep_their_weekday_whatever_day_it_is_loaded():
    """The demo's "Onsdagspromenad" fell on another weekday depending on the
    day the demo was loaded: a series is anchored to its own weekday."""
    from datetime import date, timedelta

    from plugins.evenemang.demo import BY_SITE, first_day

    walk = next(d for d in BY_SITE["mockeln"] if d.key == "promenad")
    swim = next(d for d in BY_SITE["mockeln"] if d.key == "sim")
    for n in range(7):
        today = date(2026, 12, 7) + timedelta(days=n)
        assert first_day(walk, today).weekday() == 2 and 0 <= (first_day(walk, today) - today).days < 7
        assert first_day(swim, today).weekday() == 1
    one_off = next(d for s in BY_SITE.values() for d in s if not d.repeat)
    assert first_day(one_off, date(2026, 12, 7)) == date(2026, 12, 7) + timedelta(days=one_off.offset)
