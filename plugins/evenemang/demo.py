"""Demo events for the four demo sites, relative to the demo's clock so
they are always coming: weekly trainings, monthly meetings, one-off events
and one cancelled. Organisers are the sites' demo associations (asked for
through ``member_associations``: a slug the site lacks is left out).
Idempotent: each demo event has a fixed UID and is added only if missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from core.api import Site, member_associations, tag_authority
from plugins.evenemang import recurrence, store
from plugins.evenemang.models import Event, Organiser, Review, Status

#: Series in the demo run this many days ahead.
SERIES_DAYS = 180


@dataclass(frozen=True)
class Demo:
    key: str
    slug: str
    title: str
    category: str
    #: Days from today; for a repeating event the weekday it is held on
    #: (``offset % 7``, 0 Monday) and the week (``offset // 7``), so that the
    #: "Onsdagspromenad" is on a Wednesday whatever day the demo is loaded.
    offset: int
    at: str  # "18:30", or "" for all day
    hours: float
    repeat: str  # recurrence.FREQUENCIES
    place: str
    address: str
    municipality: str
    summary: str
    price: str = ""  # "" is free
    age: str = "all"
    step_free: bool = True
    hearing_loop: bool = False
    sign_language: bool = False
    status: str = Status.SCHEDULED
    days: int = 1  # all-day events: how many days


MOCKELN = [
    Demo(
        "sim",
        "karlskoga-simklubb",
        "Vattengympa för vuxna",
        "Idrott och motion",
        1,
        "18:00",
        1,
        "weekly",
        "Karlskoga simhall",
        "Idrottsvägen 2",
        "Karlskoga",
        "Lugn träning i varmvattenbassängen, ingen simkunnighet krävs.",
        "40 kr",
    ),
    Demo(
        "pro",
        "pro-karlskoga",
        "Månadsmöte med kaffe och föredrag",
        "Möte och föreläsning",
        6,
        "14:00",
        2,
        "monthly-weekday",
        "PRO-lokalen",
        "Skolgatan 7",
        "Karlskoga",
        "Medlemsmöte med kaffe, lotteri och ett föredrag om Karlskogas historia.",
        age="seniors",
        hearing_loop=True,
    ),
    Demo(
        "promenad",
        "karlskoga-promenadklubb",
        "Onsdagspromenad runt Möckeln",
        "Hälsa och gemenskap",
        2,
        "10:00",
        1.5,
        "weekly",
        "Samling på Torget",
        "Torget",
        "Karlskoga",
        "En timmes promenad i lugnt tempo, alla är välkomna.",
    ),
    Demo(
        "scout",
        "scoutkaren-mockeln",
        "Prova på scouting",
        "Barn och familj",
        9,
        "13:00",
        3,
        "",
        "Scoutstugan",
        "Sandviksvägen 40",
        "Karlskoga",
        "Bygg vindskydd, grilla pinnbröd och lär dig knopar. För barn 8–12 år med vuxen.",
        age="family",
        step_free=False,
    ),
    Demo(
        "kor",
        "karlskoga-kammarkor",
        "Julkonsert med Karlskoga kammarkör",
        "Kultur och musik",
        12,
        "18:00",
        1.5,
        "",
        "Immanuelskyrkan",
        "Kyrkbacken 3",
        "Karlskoga",
        "Advents- och julmusik från fyra sekler.",
        "150 kr, barn gratis",
        hearing_loop=True,
    ),
    Demo(
        "horsel",
        "horselforeningen-degerfors",
        "Hörselcafé",
        "Hälsa och gemenskap",
        4,
        "13:30",
        2,
        "monthly-weekday",
        "Medborgarhuset",
        "Storgatan 22",
        "Degerfors",
        "Prata med andra som har hörselnedsättning. Hörslinga och skrivtolk.",
        hearing_loop=True,
        sign_language=True,
    ),
    Demo(
        "loppis",
        "degerfors-hembygdsforening",
        "Loppis på hembygdsgården",
        "Marknad och fest",
        16,
        "",
        0,
        "",
        "Hembygdsgården",
        "Strömtorpsvägen 22",
        "Degerfors",
        "Två dagar med loppis, våfflor och gammaldags lekar.",
        days=2,
    ),
    Demo(
        "schack",
        "karlskoga-schacksallskap",
        "Schackkväll för nybörjare",
        "Kurs och studiecirkel",
        3,
        "18:30",
        2,
        "",
        "Föreningarnas hus",
        "Kungsvägen 12",
        "Karlskoga",
        "Vi lär ut reglerna och spelar lugna partier.",
        status=Status.CANCELLED,
    ),
]
KRISTINEHAMN = [
    Demo(
        "bandy",
        "kristinehamns-bandyforening",
        "Bandyskolan",
        "Barn och familj",
        5,
        "10:00",
        1.5,
        "weekly",
        "Tingvalla isstadion",
        "Tingvallavägen 3",
        "Kristinehamn",
        "Skridskor och bandy för barn från fem år. Låna skridskor på Fritidsbanken.",
        age="children",
    ),
    Demo(
        "sang",
        "vanersangarna",
        "Körövning med Vänersångarna",
        "Kultur och musik",
        1,
        "19:00",
        2,
        "weekly",
        "Gustav Adolfs församlingshem",
        "Kyrkogatan 4",
        "Kristinehamn",
        "Nya sångare är välkomna att provsjunga.",
    ),
    Demo(
        "film",
        "kristinehamns-filmstudio",
        "Filmstudio: Månadens film",
        "Kultur och musik",
        8,
        "19:00",
        2.5,
        "monthly-weekday",
        "Biografen Saga",
        "Kungsgatan 20",
        "Kristinehamn",
        "Utvald film med samtal efteråt.",
        "90 kr",
    ),
    Demo(
        "fagel",
        "kristinehamns-fagelklubb",
        "Vinterfåglar vid Nötön",
        "Natur och friluftsliv",
        10,
        "09:00",
        3,
        "",
        "Naturum Nötön",
        "Åråsviksvägen 30",
        "Kristinehamn",
        "Guidad skådning, ta med kikare och varma kläder.",
        step_free=False,
    ),
    Demo(
        "slakt",
        "kristinehamns-slaktforskarforening",
        "Släktforskning för nybörjare",
        "Kurs och studiecirkel",
        3,
        "17:30",
        2,
        "",
        "Stadsbiblioteket",
        "Kungsgatan 30",
        "Kristinehamn",
        "Kom igång med kyrkböcker och arkiv på nätet.",
        status=Status.CANCELLED,
    ),
    Demo(
        "pro",
        "pro-kristinehamn",
        "PRO-dans",
        "Hälsa och gemenskap",
        6,
        "15:00",
        3,
        "monthly-date",
        "PRO-lokalen",
        "Östra Storgatan 8",
        "Kristinehamn",
        "Bugg och gammeldans till levande musik.",
        "60 kr",
        age="seniors",
    ),
]
STORFORS = [
    Demo(
        "spel",
        "storfors-spelmanslag",
        "Allspel för nybörjare",
        "Kultur och musik",
        2,
        "18:30",
        2,
        "biweekly",
        "Folkets hus",
        "Storgatan 12",
        "Storfors",
        "Vi lär ut låtar på gehör. Ta med ditt instrument.",
    ),
    Demo(
        "skid",
        "bjurtjarns-skid-och-orienteringsklubb",
        "Skidskola för barn",
        "Barn och familj",
        4,
        "10:00",
        2,
        "weekly",
        "Klubbstugan",
        "Bjurtjärnsvägen 40",
        "Storfors",
        "Lek på skidor för barn 4–10 år. Skidor finns att låna.",
        age="children",
        step_free=False,
    ),
    Demo(
        "revy",
        "hyttans-teatersallskap",
        "Nyårsrevyn i hyttan",
        "Kultur och musik",
        14,
        "19:00",
        2.5,
        "",
        "Hyttområdet",
        "Bruksvägen 3",
        "Storfors",
        "Årets händelser i Storfors, med sång och sketcher.",
        "180 kr",
    ),
    Demo(
        "spf",
        "spf-seniorerna-storfors",
        "Seniorträff med sopplunch",
        "Hälsa och gemenskap",
        7,
        "12:00",
        2,
        "monthly-weekday",
        "Folkets hus",
        "Storgatan 12",
        "Storfors",
        "Soppa, smörgås och samtal.",
        "50 kr",
        age="seniors",
        hearing_loop=True,
    ),
    Demo(
        "hund",
        "storfors-hundklubb",
        "Valpkurs",
        "Kurs och studiecirkel",
        3,
        "18:00",
        1.5,
        "",
        "Klubbplanen",
        "Lillälvsvägen 11",
        "Storfors",
        "Grundlydnad för valpar 3–6 månader.",
        "400 kr",
        status=Status.FULL,
    ),
]
FILIPSTAD = [
    Demo(
        "bowling",
        "filipstads-bowlingklubb",
        "Seniorbowling",
        "Idrott och motion",
        1,
        "10:00",
        2,
        "weekly",
        "Bowlinghallen",
        "Hyttgatan 4",
        "Filipstad",
        "Bowling i lugnt tempo, ränna och ramp finns.",
        "30 kr",
        age="seniors",
    ),
    Demo(
        "ferlin",
        "ferlinvannerna-i-filipstad",
        "Lyrikkväll på Ferlincentrum",
        "Kultur och musik",
        5,
        "19:00",
        2,
        "monthly-weekday",
        "Ferlincentrum",
        "Storgatan 15",
        "Filipstad",
        "Skådespelare och amatörer läser Ferlin och egna dikter.",
        "80 kr",
    ),
    Demo(
        "mineral",
        "filipstads-mineralklubb",
        "Mineralmässa",
        "Marknad och fest",
        11,
        "",
        0,
        "",
        "Klubblokalen",
        "Bergsgatan 6",
        "Filipstad",
        "Köp, byt och visa mineral från Långban och Bergslagen.",
        days=2,
    ),
    Demo(
        "ung",
        "ungdomens-hus-filipstad",
        "Spelkväll för unga",
        "Barn och familj",
        2,
        "17:00",
        3,
        "weekly",
        "Ungdomens hus",
        "Skolgatan 3",
        "Filipstad",
        "Brädspel, tv-spel och fika för dig mellan 13 och 19.",
        age="youth",
    ),
    Demo(
        "skid",
        "lesjofors-skidklubb",
        "Skidskola",
        "Idrott och motion",
        9,
        "10:00",
        2,
        "",
        "Skidstadion",
        "Stadionvägen 5",
        "Lesjöfors",
        "Längdskidor för barn, skidor finns att låna.",
        age="children",
        status=Status.POSTPONED,
    ),
]
BY_SITE = {"mockeln": MOCKELN, "kristinehamn": KRISTINEHAMN, "storfors": STORFORS, "filipstad": FILIPSTAD}


def first_day(demo: Demo, today: date) -> date:
    """The demo event's (first) day: a one-off ``offset`` days from today; a
    series on its own weekday, in the week ``offset // 7`` from today."""
    if not demo.repeat:
        return today + timedelta(days=demo.offset)
    weekday, weeks = demo.offset % 7, demo.offset // 7
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def load(site: Site, session: Session) -> None:
    """Add the site's demo events that are missing. The caller commits."""
    demos = BY_SITE.get(site.slug, MOCKELN)
    names = {a.slug: a.name for a in member_associations(site, session)}
    settings = store.settings_of(site)
    today = site.clock.today()
    zone = site.config.site.timezone
    for demo in demos:
        uid = f"demo-{site.slug}-{demo.key}@{tag_authority(site)}"
        if session.exec(select(Event).where(Event.uid == uid)).first() is not None:
            continue
        day = first_day(demo, today)
        if demo.at:
            hour, minute = (int(p) for p in demo.at.split(":"))
            starts = datetime.combine(day, time(hour, minute))
            ends = starts + timedelta(hours=demo.hours)
        else:
            starts = datetime.combine(day, time(0))
            ends = starts + timedelta(days=demo.days - 1)
        event = Event(
            uid=uid,
            title=demo.title,
            summary=demo.summary,
            description=demo.summary + "\n\nVälkommen! Frågor besvaras av föreningen.",
            tz=zone,
            starts_at=starts,
            ends_at=ends,
            all_day=not demo.at,
            rrule=recurrence.simple_rule(demo.repeat, starts, today + timedelta(days=SERIES_DAYS)),
            first_start_utc=starts,
            last_end_utc=ends,
            place_name=demo.place,
            address=demo.address,
            municipality=demo.municipality,
            category=demo.category,
            is_free=not demo.price,
            price=demo.price,
            age_group=demo.age,
            step_free=demo.step_free,
            hearing_loop=demo.hearing_loop,
            sign_language=demo.sign_language,
            status=demo.status,
            review=Review.PUBLISHED,
        )
        if event.rrule:  # the third occurrence is off: a holiday
            event.exdates = (day + timedelta(days=14 if demo.repeat == "weekly" else 70)).isoformat()
        store.derive(event, settings)
        session.add(event)
        session.flush()
        if demo.slug in names:
            session.add(
                Organiser(event_id=event.id or 0, association_slug=demo.slug, association_name=names[demo.slug])
            )
