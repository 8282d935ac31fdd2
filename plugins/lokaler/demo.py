"""Demo data: Föreningarnas hus with five rooms and three resources, a term
of weekly series from a dozen member associations, some single bookings and
a request waiting for the staff, and Föreningsbyrån's offices. Idempotent:
resources are looked up by name, bookings by their UID."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from core.api import Site, member_associations
from plugins.lokaler import days
from plugins.lokaler.models import (
    Approval,
    BookerKind,
    Booking,
    BookingStatus,
    ClosedDay,
    Kind,
    Office,
    OpeningHours,
    Resource,
)

WEEKDAYS_LATE = {d: (8 * 60, 22 * 60) for d in range(5)} | {5: (9 * 60, 18 * 60), 6: (10 * 60, 18 * 60)}
ALL_DAY = {d: (0, 1440) for d in range(7)}

RESOURCES = [
    dict(
        name="Stora salen",
        summary="Samlingssal för årsmöten, föreläsningar och dans.",
        capacity=80,
        equipment="Scen, ljudanläggning, hörslinga, 80 stolar, 12 bord.",
        accessibility="Entréplan, ramp vid huvudentrén, tillgänglig toalett i korridoren.",
        location="Entréplan, rakt fram från huvudentrén.",
        house_rules="- Ställ tillbaka stolar och bord.\n- Släck och lås efter er.\n- Inga levande ljus.",
        buffer_minutes=30,
        approval=Approval.AUTO,
        for_organisations=True,
        price_text="600 kr per tillfälle.",
    ),
    dict(
        name="Mötesrum Ekan",
        summary="Mötesrum för styrelsemöten och studiecirklar.",
        capacity=12,
        equipment="Skärm med HDMI, whiteboard, kaffebryggare.",
        accessibility="Plan 2, hiss finns.",
        location="Plan 2, första dörren till vänster om hissen.",
        for_organisations=True,
        price_text="150 kr per timme.",
    ),
    dict(
        name="Mötesrum Björken",
        summary="Litet rum för samtal och mindre möten.",
        capacity=6,
        equipment="Runt bord, skärm.",
        accessibility="Plan 2, hiss finns.",
        location="Plan 2, längst in i korridoren.",
    ),
    dict(
        name="Studiecirkelrummet",
        summary="Rum för kurser och cirklar, med pentry.",
        capacity=20,
        equipment="Projektor i taket, pentry, 20 stolar.",
        accessibility="Entréplan.",
        location="Entréplan, till höger efter receptionen.",
        for_residents=True,
        price_text="100 kr per timme för privatpersoner.",
    ),
    dict(
        name="Ungdomslokalen",
        summary="Lokal för ungdomsverksamhet, med soffor och spel.",
        capacity=30,
        equipment="Biljardbord, tv-spel, soffor.",
        accessibility="Källarplan, trappa och lyftplattform.",
        location="Källarplanet, ingång från gården.",
        approval=Approval.MANUAL,
    ),
    dict(
        name="Projektor",
        kind=Kind.THING,
        summary="Bärbar projektor med duk, lånas med sig i huset.",
        location="Hämtas i receptionen.",
        min_minutes=60,
    ),
    dict(
        name="Köket",
        kind=Kind.THING,
        summary="Storköket för fika och fest; bokas separat från salen.",
        equipment="Diskmaskin, två spisar, kaffebryggare för 100 koppar.",
        location="Entréplan, bakom Stora salen.",
        house_rules="Diska och torka av bänkarna. Sopor i soprummet på gården.",
        buffer_minutes=30,
    ),
    dict(
        name="Minibussen",
        kind=Kind.THING,
        summary="Nio sittplatser, för resor och utflykter. Körkort B räcker.",
        location="Nyckel i receptionen, bussen står på gården.",
        overnight=True,
        min_minutes=120,
        max_minutes=3 * 24 * 60,
        approval=Approval.MANUAL,
        cancel_hours=48,
    ),
]

#: Kristinehamn's house (Föreningshuset on Kungsgatan) has rooms of its own, in the same order of kinds as
#: ``RESOURCES`` (five rooms, then three things), so the series below fit either house.
KRISTINEHAMN_RESOURCES = [
    dict(
        name="Vänersalen",
        summary="Sal för föreläsningar, årsmöten och danskvällar, med utsikt mot Varnan.",
        capacity=60,
        equipment="Scen, ljudanläggning, hörslinga, 60 stolar, 10 bord.",
        accessibility="Entréplan, automatisk dörr, tillgänglig toalett bredvid salen.",
        location="Entréplan, till vänster innanför entrén.",
        house_rules="- Ställ tillbaka stolar och bord.\n- Lämna nyckeln i nyckelinkastet.",
        buffer_minutes=30,
        for_organisations=True,
        price_text="500 kr per tillfälle.",
    ),
    dict(
        name="Mötesrum Presterud",
        summary="Mötesrum för styrelser och arbetsgrupper.",
        capacity=10,
        equipment="Skärm med HDMI, whiteboard.",
        accessibility="Plan 1, hiss finns.",
        location="Plan 1, andra dörren till höger.",
        for_organisations=True,
        price_text="120 kr per timme.",
    ),
    dict(
        name="Samtalsrummet",
        summary="Lugnt rum för samtal två och två eller i liten grupp.",
        capacity=4,
        equipment="Soffgrupp, ljuddämpat.",
        accessibility="Plan 1, hiss finns.",
        location="Plan 1, längst in till vänster.",
    ),
    dict(
        name="Hantverksrummet",
        summary="Rum för slöjd, målning och kurser, med diskbänk.",
        capacity=16,
        equipment="Arbetsbord, diskbänk, symaskiner, staffli.",
        accessibility="Entréplan.",
        location="Entréplan, korridoren mot gården.",
        for_residents=True,
        price_text="80 kr per timme för privatpersoner.",
    ),
    dict(
        name="Musikrummet",
        summary="Ljudisolerat rum för körer och band.",
        capacity=20,
        equipment="Piano, trumset, förstärkare, notställ.",
        accessibility="Källarplan, hiss finns.",
        location="Källarplanet, dörren med noter på.",
        approval=Approval.MANUAL,
    ),
    dict(
        name="Bärbar högtalare",
        kind=Kind.THING,
        summary="Högtalare med två trådlösa mikrofoner, för möten ute och inne.",
        location="Hämtas i receptionen.",
        min_minutes=60,
    ),
    dict(
        name="Pentryt",
        kind=Kind.THING,
        summary="Pentry med kaffebryggare och diskmaskin, bokas för fika till större möten.",
        location="Plan 1, mitt emot hissen.",
        buffer_minutes=30,
    ),
    dict(
        name="Släpvagnen",
        kind=Kind.THING,
        summary="Släpvagn med kåpa, för loppisar och flyttar. Dragkrok krävs.",
        location="Nyckel i receptionen, vagnen står på parkeringen.",
        overnight=True,
        min_minutes=120,
        max_minutes=3 * 24 * 60,
        approval=Approval.MANUAL,
        cancel_hours=48,
    ),
]

#: (room index, weekday, start, end): one weekly series for each of twelve associations.
SERIES = [
    (0, 1, "18:00", "20:00"),
    (0, 3, "18:30", "21:00"),
    (1, 0, "18:00", "20:00"),
    (1, 1, "18:00", "20:00"),
    (1, 2, "13:00", "15:00"),
    (1, 3, "10:00", "12:00"),
    (2, 0, "10:00", "11:30"),
    (2, 2, "18:00", "19:30"),
    (3, 1, "10:00", "12:00"),
    (3, 3, "18:00", "20:30"),
    (4, 4, "17:00", "21:00"),
    (0, 5, "10:00", "14:00"),
]
#: How many come to a series, by room index (each within the room's capacity in either house).
ATTENDEES = [40, 8, 4, 14, 18]
TITLES = ["Träning", "Körövning", "Styrelsemöte", "Studiecirkel", "Samtalsgrupp", "Medlemsträff"]

OFFICES = [
    ("Kontor 1", "12 m², fönster mot gården", "2 200 kr i månaden inklusive el och internet.", 0),
    ("Kontor 2", "14 m², två skrivbord", "2 500 kr i månaden inklusive el och internet.", 1),
    ("Kontor 3", "10 m²", "1 900 kr i månaden inklusive el och internet.", 2),
    ("Skrivbordsplats A", "Eget skrivbord i kontorslandskapet", "600 kr i månaden.", 3),
    ("Skrivbordsplats B", "Eget skrivbord i kontorslandskapet", "600 kr i månaden.", None),
]


KRISTINEHAMN_OFFICES = [
    ("Kontorsrum Lusten", "11 m², fönster mot Kungsgatan", "1 800 kr i månaden inklusive el och internet.", 0),
    ("Kontorsrum Skåre", "16 m², plats för tre", "2 400 kr i månaden inklusive el och internet.", 1),
    ("Skrivbord 1", "Skrivbord i det delade kontoret", "500 kr i månaden.", 2),
    ("Skrivbord 2", "Skrivbord i det delade kontoret", "500 kr i månaden.", None),
]


def resources_of(site: Site) -> list[dict[str, object]]:
    """The demo house's resources: Kristinehamn's own, else Föreningarnas hus in Karlskoga."""
    return KRISTINEHAMN_RESOURCES if site.slug.startswith("kristinehamn") else RESOURCES


def load(site: Site, session: Session) -> None:
    """Add what is missing of the demo house. The caller commits."""
    resources = [_resource(session, index, spec) for index, spec in enumerate(resources_of(site))]
    session.flush()
    associations = member_associations(site, session)[:12]
    zone = ZoneInfo(site.config.site.timezone)
    today = site.clock.today()
    term_start = today - timedelta(weeks=6)
    term_end = today + timedelta(weeks=14)
    for n, ref in enumerate(associations):
        if n >= len(SERIES):
            break
        room, weekday, start, end = SERIES[n]
        first = term_start + timedelta(days=(weekday - term_start.weekday()) % 7)
        day, week = first, 0
        while day <= term_end:
            if days.holiday(day) is None:
                _booking(
                    site,
                    session,
                    resources[room],
                    f"demo-serie-{n}-{week}",
                    day,
                    start,
                    end,
                    zone,
                    title=TITLES[n % len(TITLES)],
                    association=(ref.slug, ref.name),
                    series=f"demo-serie-{n}",
                    public=n % 3 == 0,
                    attendees=ATTENDEES[room],
                )
            day += timedelta(days=7)
            week += 1
    if associations:
        first_ref = associations[0]
        _booking(
            site,
            session,
            resources[6],
            "demo-kok-1",
            today + timedelta(days=9),
            "16:00",
            "22:00",
            zone,
            title="Höstfest" if today.month >= 8 else "Vårfest",
            association=(first_ref.slug, first_ref.name),
            public=True,
        )
        _booking(
            site,
            session,
            resources[5],
            "demo-projektor-1",
            today + timedelta(days=3),
            "13:00",
            "16:00",
            zone,
            title="Föreläsning",
            association=(associations[-1].slug, associations[-1].name),
        )
        _booking(
            site,
            session,
            resources[7],
            "demo-buss-1",
            today + timedelta(days=12),
            "08:00",
            "20:00",
            zone,
            title="Utflykt till Kristinehamn" if resources[7].name == "Minibussen" else "Loppis på torget",
            association=(first_ref.slug, first_ref.name),
            status=BookingStatus.REQUESTED,
        )
        # A weekend away: from Friday afternoon past two midnights to Sunday (the thing is open around the clock).
        friday = today + timedelta(days=(4 - today.weekday()) % 7 + 14)
        _booking(
            site,
            session,
            resources[7],
            "demo-buss-helg",
            friday,
            "16:00",
            "18:00",
            zone,
            title="Helgläger i Bergslagen" if resources[7].name == "Minibussen" else "Flytt över helgen",
            association=(associations[1 % len(associations)].slug, associations[1 % len(associations)].name),
            end_day=friday + timedelta(days=2),
        )
    # Four days ahead, but not on a Thursday: the Thursday series holds the room 10-12.
    extern_day = today + timedelta(days=4 if (today + timedelta(days=4)).weekday() != 3 else 5)
    _booking(
        site,
        session,
        resources[1],
        "demo-extern-1",
        extern_day,
        "09:00",
        "12:00",
        zone,
        title="Planeringsdag",
        organisation="Karlskoga kommun, fritidsförvaltningen",
        status=BookingStatus.REQUESTED,
        attendees=9,
    )
    kitchen_closed = "Köket renoveras: ny spis"
    if session.exec(select(ClosedDay).where(ClosedDay.reason == kitchen_closed)).first() is None:
        session.add(ClosedDay(day=today + timedelta(days=20), reason=kitchen_closed, resource_id=resources[6].id))
    _offices(
        session, associations, today, KRISTINEHAMN_OFFICES if resources_of(site) is KRISTINEHAMN_RESOURCES else OFFICES
    )


def _resource(session: Session, index: int, spec: dict[str, object]) -> Resource:
    found = session.exec(select(Resource).where(Resource.name == spec["name"])).first()
    if found is not None:
        return found
    resource = Resource.model_validate({"sort_order": index, **spec})
    session.add(resource)
    session.flush()
    assert resource.id is not None
    hours = ALL_DAY if resource.kind == Kind.THING else WEEKDAYS_LATE
    for weekday, (opens, closes) in hours.items():
        session.add(OpeningHours(resource_id=resource.id, weekday=weekday, opens=opens, closes=closes))
    return resource


def _utc(day: date, clock: str, zone: ZoneInfo) -> datetime:
    hour, minute = (int(p) for p in clock.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _booking(
    site: Site,
    session: Session,
    resource: Resource,
    key: str,
    day: date,
    start: str,
    end: str,
    zone: ZoneInfo,
    *,
    title: str,
    association: tuple[str, str] | None = None,
    organisation: str = "",
    series: str = "",
    public: bool = False,
    status: BookingStatus = BookingStatus.CONFIRMED,
    attendees: int | None = None,
    end_day: date | None = None,
) -> None:
    uid = f"{key}-{site.slug}@lokaler.demo"
    found = session.exec(select(Booking).where(Booking.uid == uid)).first()
    if found is not None:
        if attendees and found.attendees is None:  # added after the first demo load
            found.attendees = attendees
            session.add(found)
        return
    assert resource.id is not None
    start_utc, end_utc = _utc(day, start, zone), _utc(end_day or day, end, zone)
    slug, name = association or ("", "")
    session.add(
        Booking(
            uid=uid,
            resource_id=resource.id,
            title=title,
            attendees=attendees,
            booker_kind=BookerKind.MEMBER if association else BookerKind.ORGANISATION,
            association_slug=slug,
            association_name=name,
            organisation=organisation,
            contact_name="Kim Kontakt",
            contact_email=f"bokning@{slug or 'extern'}.example",
            start_utc=start_utc,
            end_utc=end_utc,
            block_end_utc=end_utc + timedelta(minutes=resource.buffer_minutes),
            status=status,
            series_id=series,
            is_public=public,
            access_note="Portkod 4711. Nyckel till förrådet i receptionen." if association else "",
        )
    )


def _offices(
    session: Session,
    associations: list,  # type: ignore[type-arg]
    today: date,
    offices: list[tuple[str, str, str, int | None]] = OFFICES,
) -> None:
    for name, size, rent, tenant in offices:
        if session.exec(select(Office).where(Office.name == name)).first() is not None:
            continue
        ref = associations[tenant] if tenant is not None and tenant < len(associations) else None
        session.add(
            Office(
                name=name,
                size_text=size,
                rent_text=rent,
                description="Tillgång till kopiator, kök och mötesrum ingår.",
                tenant_slug=ref.slug if ref else "",
                tenant_name=ref.name if ref else "",
                period_start=today.replace(month=1, day=1) if ref else None,
                period_end=today.replace(month=12, day=31) if ref else None,
                terms="Tre månaders uppsägning. Nyckelkvittens." if ref else "",
            )
        )
