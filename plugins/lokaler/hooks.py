"""Hook implementations of the lokaler plugin; each delegates to the
module that owns the feature."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from core.api import (
    N_,
    AssociationRef,
    DailyJob,
    Figure,
    NavItem,
    NoticeKind,
    Place,
    PlaceBooking,
    PlaceBookingOutcome,
    Site,
    User,
    current_user,
    hookimpl,
    url_for,
)
from core.api import gettext as _
from plugins.lokaler import models  # noqa: F401  (registers the tables)
from plugins.lokaler.settings import LokalerSettings

if TYPE_CHECKING:
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute


@hookimpl
def settings_model() -> type[LokalerSettings]:
    return LokalerSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.lokaler.routes import lokaler_routes

    return lokaler_routes()


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    # One menu entry: the main menu must stay on one line at 1280 px
    # (tests/browser/test_layout.py); the house's page links the vacant offices.
    items = [NavItem("Lokaler", url_for(site, "lokaler:index"), order=45)]
    if current_user(request) is not None:
        items.append(NavItem("Mina bokningar", url_for(site, "lokaler:mine"), order=86, tool=True))
    return items


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [
        NavItem(
            _("Bokningar att granska"),
            url_for(site, "lokaler:review"),
            order=45,
            description=_("Förfrågningar om lokaler som väntar på godkännande."),
        ),
        NavItem(
            _("Husets vecka"),
            url_for(site, "lokaler:house_week"),
            order=46,
            description=_("Alla bokningar i Föreningarnas hus vecka för vecka, och dagbladet att skriva ut."),
        ),
        NavItem(
            _("Stängda dagar i huset"),
            url_for(site, "lokaler:closed_days"),
            order=46,
            description=_("Dagar då huset eller ett rum inte kan bokas, utöver helgdagarna."),
        ),
        NavItem(
            _("Statistik för huset"),
            url_for(site, "lokaler:statistics"),
            order=47,
            description=_("Bokade timmar per förening och rum, beläggning och serier, med diagram."),
        ),
        NavItem(
            _("Kontor på %(name)s") % {"name": site.plugin_settings("lokaler", LokalerSettings).offices_name},
            url_for(site, "lokaler:offices_admin"),
            order=48,
            description=_("Uthyrda kontor och skrivbordsplatser, lediga platser och intresseanmälningar."),
        ),
    ]


@hookimpl
def bookable_places(site: Site, session: Session) -> list[Place]:
    from sqlmodel import col, select

    from plugins.lokaler.models import Kind, Resource

    house = site.plugin_settings("lokaler", LokalerSettings)
    rooms = session.exec(
        select(Resource)
        .where(col(Resource.is_active).is_(True), Resource.kind == Kind.ROOM)
        .order_by(col(Resource.sort_order), col(Resource.name))
    ).all()
    return [Place(f"lokaler:{room.id}", f"{room.name}, {house.house_name}", house.address) for room in rooms if room.id]


def _room_id(ref: str) -> int | None:
    """The resource id in one of this plugin's place refs ("lokaler:12")."""
    prefix, _sep, number = ref.partition(":")
    if prefix != "lokaler" or not number.isdigit() or len(number) > 12:
        return None
    return int(number)


@hookimpl
def place_bookings(site: Site, session: Session, ref: str, start: datetime, end: datetime) -> list[PlaceBooking] | None:
    """The active bookings (confirmed or waiting) of the room ``ref``: the
    events plugin refuses to put an event in a booked room."""
    from datetime import UTC

    from plugins.lokaler import store
    from plugins.lokaler.models import BookerKind

    room = _room_id(ref)
    if room is None:
        return None
    start_utc = start.astimezone(UTC).replace(tzinfo=None)
    end_utc = end.astimezone(UTC).replace(tzinfo=None)
    return [
        PlaceBooking(
            b.booker if b.is_public else _("Upptaget"),
            b.start_utc.replace(tzinfo=UTC),
            b.end_utc.replace(tzinfo=UTC),
            b.association_slug if b.booker_kind == BookerKind.MEMBER else "",
            status=b.status,
            url=url_for(site, "lokaler:booking", booking_id=b.id) if b.id else "",
        )
        for b in store.busy_between(session, [room], start_utc, end_utc)
    ]


@hookimpl
def book_place(
    site: Site,
    ref: str,
    spans: list[tuple[datetime, datetime]],
    association: AssociationRef,
    title: str,
    user: User,
    dry_run: bool,
) -> PlaceBookingOutcome | None:
    """Book the room ``ref`` for an event (the events plugin asks), by the booking form's rules."""
    from plugins.lokaler.event_booking import book_for_event

    room = _room_id(ref)
    if room is None:
        return None
    return book_for_event(site, room, spans, association, title, user, dry_run=dry_run)


@hookimpl
def report_figures(site: Site, session: Session, start: date, end: date) -> list[Figure]:
    from plugins.lokaler import stats

    return stats.figures(site, session, start, end)


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    from plugins.lokaler import personal

    return personal.daily_jobs()


@hookimpl
def own_data(site: Site, session: Session, user: User) -> dict[str, list[dict[str, object]]]:
    from plugins.lokaler import personal

    return personal.own_data(site, session, user)


@hookimpl
def forget_user(site: Site, session: Session, user: User) -> None:
    from plugins.lokaler import personal

    personal.forget_user(session, user)


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    from plugins.lokaler import demo

    demo.load(site, session)


@hookimpl
def notice_kinds(site: Site) -> list[NoticeKind]:
    """Issue 20: a booking confirmed, declined, moved or cancelled; the reminder the day before."""
    from plugins.lokaler.mails import BOOKING_NOTICE, REMINDER_NOTICE

    return [
        NoticeKind(BOOKING_NOTICE, N_("en bokning av en lokal bekräftas, avslås eller ändras")),
        NoticeKind(REMINDER_NOTICE, N_("påminnelse dagen före en bokning")),
    ]
