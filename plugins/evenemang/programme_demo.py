"""Demo of festival programmes and registration, relative to the demo's
clock: Möckeln's "Kultur- och föreningskalaset", an outdoor weekend at
Möckelngården in summer (the first weekend of August, this year's if it is
ten days or more ahead, else next year's), with 22 accepted items from 15 associations (each an
event in the calendar), one submission waiting for review and one sent back
for changes; its call is still open so the demo editor can send one more.
One coming event of the demo gets registration with a few places taken.

Idempotent: the programme is found by its slug, an item by programme and
title, and registration is switched on only where it is missing."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from core.api import Site, demo_accounts, editable_associations, get_user_by_email, member_associations
from plugins.evenemang import programme_store, registration_store
from plugins.evenemang.models import Event, Organiser, Review
from plugins.evenemang.programme_models import ItemState, Programme, ProgrammeItem
from plugins.evenemang.registration_models import Registration, RegistrationSetup, RegState

SLUG = "kulturkalaset"
STAGES = ["Stora scenen", "Tältet", "Föreningstorget", "Barnens hörna"]

#: (association slug, title, day 0/1, start, minutes, stage, needs)
ITEMS: list[tuple[str, str, int, str, int, str, str]] = [
    ("karlskoga-kammarkor", "Kammarkören öppnar kalaset", 0, "11:00", 30, "Stora scenen", "Fyra mikrofoner"),
    ("degerfors-musiksallskap", "Blåsorkester i solen", 0, "11:45", 45, "Stora scenen", "Tolv stolar"),
    ("mockelnteatern", "Teaterbitar ur höstens pjäs", 0, "13:00", 40, "Stora scenen", "Ljud och ett skynke"),
    ("karlskoga-simklubb", "Prova-på: vattenvana för små", 0, "11:00", 60, "Barnens hörna", "Plaskpool och vatten"),
    ("scoutkaren-mockeln", "Bygg en koja med scouterna", 0, "12:30", 90, "Barnens hörna", ""),
    ("karlskoga-konstforening", "Måla tillsammans", 0, "14:00", 60, "Tältet", "Två bord och vatten"),
    ("karlskoga-fotoklubb", "Porträttstudio i tältet", 0, "11:00", 120, "Tältet", "El och ett bord"),
    ("funktionsratt-karlskoga", "Så gör vi kalaset tillgängligt", 0, "13:30", 30, "Föreningstorget", ""),
    ("synskadades-forening-kd", "Prova att spela ljudboll", 0, "14:15", 45, "Föreningstorget", "Avspärrad yta"),
    ("pro-karlskoga", "Kaffe, kaka och allsång", 0, "15:00", 60, "Föreningstorget", "El till kaffebryggare"),
    ("karlskoga-schacksallskap", "Simultanschack mot klubbmästaren", 0, "12:00", 90, "Tältet", "Sex bord"),
    ("degerfors-hembygdsforening", "Berättelser från bruksorten", 0, "16:00", 45, "Stora scenen", "En mikrofon"),
    (
        "karlskoga-orienteringsklubb",
        "Sagoorientering runt gården",
        1,
        "10:30",
        90,
        "Barnens hörna",
        "Kartor trycks av oss",
    ),
    ("naturskyddsforeningen-karlskoga", "Fågelpromenad vid Möckeln", 1, "09:00", 60, "Föreningstorget", ""),
    ("karlskoga-kammarkor", "Sjung med i visor", 1, "11:00", 45, "Stora scenen", "Fyra mikrofoner"),
    ("degerfors-musiksallskap", "Jazz på söndagen", 1, "12:00", 60, "Stora scenen", "El och tolv stolar"),
    ("mockelnteatern", "Improvisationsteater för alla", 1, "13:30", 45, "Tältet", ""),
    ("scoutkaren-mockeln", "Stormkök och pinnbröd", 1, "12:30", 60, "Barnens hörna", "Grusyta, brandsläckare"),
    ("karlskoga-konstforening", "Utställning: föreningarnas år", 1, "10:00", 300, "Tältet", "Sex skärmar"),
    ("funktionsratt-karlskoga", "Samtal: en stad för alla", 1, "14:00", 45, "Föreningstorget", "Hörslinga"),
    ("pro-karlskoga", "Dansbandsdans på gräset", 1, "15:00", 90, "Stora scenen", "Ljud och dansgolv"),
    ("kvinnojouren-mockeln", "Möt oss som finns här för dig", 1, "11:00", 180, "Föreningstorget", "Ett bord"),
]
PENDING = (
    "laxhjalpen-karlskoga",
    "Läxhjälpen visar sig",
    1,
    "13:00",
    60,
    "Föreningstorget",
    "Ett bord och två stolar",
)
CHANGES = ("karlskoga-ryttarforening", "Ponnyridning", 0, "12:00", 120, "Barnens hörna", "Inhägnad yta")


def load(site: Site, session: Session) -> None:
    """Möckeln's programme and a registration example (other sites: only
    the registration example). The caller commits."""
    if site.slug == "mockeln" or site.slug not in ("kristinehamn", "storfors", "filipstad"):
        _programme(site, session)
    _registration(site, session)


def _first_saturday(after: date) -> date:
    return after + timedelta(days=(5 - after.weekday()) % 7)


def festival_weekend(today: date) -> tuple[date, date]:
    """The festival's Saturday (the first in August, at least ten days
    ahead) and the call's deadline: a month before, but never less than
    five days from today, so the demo always has an open call."""
    first = _first_saturday(date(today.year, 8, 1))
    if first < today + timedelta(days=10):
        first = _first_saturday(date(today.year + 1, 8, 1))
    return first, max(today + timedelta(days=5), first - timedelta(days=30))


def _programme(site: Site, session: Session) -> None:
    names = {a.slug: a.name for a in member_associations(site, session)}
    programme = session.exec(select(Programme).where(Programme.slug == SLUG)).first()
    if programme is None:
        first, deadline = festival_weekend(site.clock.today())
        programme = Programme(
            slug=SLUG,
            title="Kultur- och föreningskalaset",
            summary="Två dagar då föreningarna i Karlskoga och Degerfors visar vad de gör, på scen och på torget.",
            description=(
                "Kalaset är Möckelnföreningarnas stora fest: musik, teater, prova-på och samtal, "
                "fri entré för alla.\n\n"
                "**Föreningar:** skicka in en programpunkt senast sista dagen för bidrag. "
                "Berätta vad ni vill göra, när och var, och vad ni behöver på plats."
            ),
            first_day=first,
            last_day=first + timedelta(days=1),
            place_name="Möckelngården",
            address="Bofors, Karlskoga",
            municipality="Karlskoga",
            stages="\n".join(STAGES),
            category="Kultur och musik",
            call_open=True,
            deadline=deadline,
        )
        session.add(programme)
        session.flush()
    assert programme.id is not None
    editor, editor_slugs = _demo_editor(site, session)
    for entry in ITEMS:
        item = _item(site, session, programme, names, entry, editor if entry[0] in editor_slugs else None)
        if item is not None and item.state == ItemState.PENDING and item.event_id is None:
            item.state = ItemState.ACCEPTED
            item.review_message = "Välkomna!"
            programme_store.accept(site, session, programme, item)
            session.add(item)
    # An editor sends items only for their own associations (the form refuses
    # others); the demo's other items came from their associations' people.
    _item(site, session, programme, names, PENDING, editor if PENDING[0] in editor_slugs else None)
    sent_back = _item(site, session, programme, names, CHANGES, editor if CHANGES[0] in editor_slugs else None)
    if sent_back is not None and sent_back.state == ItemState.PENDING and not sent_back.review_message:
        sent_back.state = ItemState.CHANGES
        sent_back.review_message = "Kan ni börja 13:00 i stället? Då är Barnens hörna ledig."
        session.add(sent_back)
    session.flush()


def _demo_editor(site: Site, session: Session) -> tuple[int | None, set[str]]:
    """The demo editor's id and the associations they may publish for."""
    for email, _name, role in demo_accounts(site):
        if role.value == "editor":
            user = get_user_by_email(session, email)
            if user is None:
                return None, set()
            return user.id, {a.slug for a in editable_associations(site, session, user)}
    return None, set()


def _item(
    site: Site,
    session: Session,
    programme: Programme,
    names: dict[str, str],
    entry: tuple[str, str, int, str, int, str, str],
    editor: int | None,
) -> ProgrammeItem | None:
    slug, title, day, at, minutes, stage, needs = entry
    if slug not in names:
        return None
    found = session.exec(
        select(ProgrammeItem).where(ProgrammeItem.programme_id == programme.id, ProgrammeItem.title == title)
    ).first()
    if found is not None:
        return found
    hour, minute = (int(p) for p in at.split(":"))
    start = time(hour, minute)
    item = ProgrammeItem(
        programme_id=programme.id or 0,
        title=title,
        description=f"{title}. {names[slug]} bjuder in alla, ingen anmälan behövs.",
        association_slug=slug,
        association_name=names[slug],
        day=programme.first_day + timedelta(days=day),
        start_time=start,
        end_time=(datetime.combine(date.min, start) + timedelta(minutes=minutes)).time(),
        stage=stage,
        needs=needs,
        contact_name="Rita Redaktör",
        contact_email=f"kontakt@{slug}.example",
        submitted_by_id=editor,
    )
    session.add(item)
    session.flush()
    return item


def _registration(site: Site, session: Session) -> None:
    """Registration on the first coming one-off demo event of the site,
    with three places of twelve taken and the organiser's list to look at."""
    if session.exec(select(RegistrationSetup)).first() is not None:
        return
    now = site.clock.now().replace(tzinfo=None)
    demo_uid = "demo-%"
    event = session.exec(
        select(Event)
        .where(
            Event.review == Review.PUBLISHED,
            Event.rrule == "",
            Event.status == "scheduled",
            Event.all_day == False,  # noqa: E712
            Event.first_start_utc > now + timedelta(days=1),
            Event.uid.like(demo_uid),  # type: ignore[attr-defined]  # a column's like()
        )
        .order_by(Event.first_start_utc)  # type: ignore[arg-type]  # a column to order by
    ).first()
    if event is None or event.id is None or registration_store.sign_up_closed(site, event):
        return
    has_organiser = session.exec(select(Organiser).where(Organiser.event_id == event.id)).first()
    if has_organiser is None:
        return
    session.add(RegistrationSetup(event_id=event.id, places=12, taken=3, waiting_list=True))
    for name, email in (
        ("Vera Vuxen", "vera@exempel.se"),
        ("Sam Svensson", "sam@exempel.se"),
        ("Lina Lind", "lina@exempel.se"),
    ):
        session.add(
            Registration(
                event_id=event.id,
                name=name,
                email=email,
                state=RegState.CONFIRMED,
                key=secrets.token_urlsafe(24),
            )
        )
    session.flush()
