"""Fritidsbanken's demo: a branch per municipality the site covers
(Karlskoga and Degerfors on Möckeln) with opening hours, about 200 items across the categories and sizes, 50 borrowers
(children with guardians among them) and a year of loans with the seasons
in it: skis and skates in winter, bikes and water sports in summer.

Mobile numbers are from the series PTS sets aside for fiction
(070-174 06 05 – 070-174 06 99), so no real phone gets a demo text.
The demo editor account is linked to the Karlskoga counter as staff.

Idempotent: nothing is loaded if the demo branches already exist.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from core.api import Role, Site, User, demo_accounts
from plugins.fritidsbanken import demo_pictures, lending
from plugins.fritidsbanken.items import refresh_search_text
from plugins.fritidsbanken.models import (
    Borrower,
    Branch,
    Condition,
    Item,
    ItemStatus,
    Loan,
    OpeningHours,
    Reservation,
    ReservationStatus,
    Staff,
)
from plugins.fritidsbanken.web import settings_of

FICTION_FIRST = 701740605  # 070-174 06 05, PTS's numbers for fiction

#: Opening hours of the first and second demo branch: (weekday, opens, closes).
HOURS = [
    [(0, "15:00", "18:00"), (2, "15:00", "18:00"), (3, "15:00", "19:00"), (5, "10:00", "13:00")],
    [(1, "14:00", "18:00"), (3, "14:00", "18:00")],
]
STREETS = ["Bergsmansgatan 12", "Storgatan 30", "Torget 4"]


def branch_specs(site: Site) -> list[tuple[str, str, str, list[tuple[int, str, str]]]]:
    """One demo branch per municipality the site covers (webportal's list),
    at most three: Karlskoga and Degerfors on Möckeln, Storfors on Storfors."""
    places = [site.name]
    if "webportal" in site.enabled:
        # Another plugin's settings, read by name: plugins do not import each other.
        places = list(getattr(site.plugin_settings("webportal"), "municipalities", places))
    return [
        (f"Fritidsbanken {place}", f"{STREETS[i]}, {place}", f"0586-{i + 1}00 00", HOURS[i % 2])
        for i, place in enumerate(places[:3])
    ]


# (category, name, sizes, needs consent, season weight by month 1..12)
WINTER = [5, 5, 4, 1, 0, 0, 0, 0, 0, 1, 3, 5]
SUMMER = [0, 0, 1, 2, 4, 5, 5, 4, 2, 1, 0, 0]
ALWAYS = [2] * 12
THINGS = [
    ("Skidor", "Längdskidor", ["120 cm", "130 cm", "140 cm", "150 cm", "170 cm", "190 cm"], False, WINTER, 24),
    ("Skidor", "Pjäxor för längd", ["30", "32", "34", "36", "38", "40", "42", "44"], False, WINTER, 16),
    ("Skidor", "Skidstavar", ["100 cm", "120 cm", "140 cm"], False, WINTER, 10),
    ("Skridskor", "Hockeyskridskor", ["28", "30", "32", "34", "36", "38", "40", "42", "44"], True, WINTER, 22),
    ("Skridskor", "Konståkningsskridskor", ["30", "32", "34", "36", "38"], True, WINTER, 10),
    ("Skridskor", "Långfärdsskridskor", ["38", "40", "42", "44"], True, WINTER, 6),
    ("Vintersport", "Pulka", ["3–6 år", "6–10 år"], False, WINTER, 8),
    ("Vintersport", "Snowracer", ["6–10 år", "10–14 år"], False, WINTER, 5),
    ("Hjälmar och skydd", "Hjälm", ["S", "M", "L"], False, ALWAYS, 15),
    ("Hjälmar och skydd", "Knä- och armbågsskydd", ["S", "M", "L"], False, ALWAYS, 5),
    ("Cyklar", "Barncykel", ['12"', '16"', '20"', '24"'], True, SUMMER, 12),
    ("Cyklar", "Sparkcykel", ["3–6 år", "6–10 år", "10–14 år"], True, SUMMER, 6),
    ("Bollar", "Fotboll", ["3", "4", "5"], False, ALWAYS, 12),
    ("Bollar", "Basketboll", ["5", "7"], False, ALWAYS, 4),
    ("Bollar", "Volleyboll", ["5"], False, SUMMER, 3),
    ("Racketsport", "Badmintonset", [""], False, SUMMER, 4),
    ("Racketsport", "Tennisracket", ["junior", "vuxen"], False, SUMMER, 4),
    ("Friluftsliv", "Tält 2 personer", [""], False, SUMMER, 4),
    ("Friluftsliv", "Sovsäck", ["barn", "vuxen"], False, SUMMER, 6),
    ("Friluftsliv", "Ryggsäck 40 l", [""], False, SUMMER, 4),
    ("Friluftsliv", "Stormkök", [""], True, SUMMER, 3),
    ("Vattensport", "Flytväst", ["10–25 kg", "25–40 kg", "40–60 kg", "60+ kg"], False, SUMMER, 8),
    ("Vattensport", "SUP-bräda", [""], True, SUMMER, 2),
    ("Vattensport", "Kanot", [""], True, SUMMER, 1),
    ("Lek och spel", "Kubbspel", [""], False, SUMMER, 3),
    ("Lek och spel", "Stylta", ["barn"], False, ALWAYS, 3),
]

FIRST_NAMES = [
    "Alva", "Elsa", "Maja", "Wilma", "Ella", "Saga", "Alice", "Olivia", "Vera", "Astrid",
    "Noah", "William", "Hugo", "Liam", "Lucas", "Oscar", "Elias", "Ludvig", "Adam", "Vincent",
    "Amir", "Leila", "Yusuf", "Sara", "Nour", "Ahmed", "Fatima", "Omar", "Hanna", "Emil",
]  # fmt: skip
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Lindberg", "Berg", "Hassan", "Ali", "Mohammed", "Jonsson",
]  # fmt: skip


def load(site: Site, session: Session) -> None:
    specs = branch_specs(site)
    names = [b[0] for b in specs]
    if session.exec(select(Branch).where(col(Branch.name).in_(names))).first() is not None:
        demo_pictures.add(site, session)  # a data folder from before the demo had pictures
        return
    # Seeded by the site: each demo site gets its own stock, so Storfors'
    # "Nytt hos Fritidsbanken" is not Möckeln's four items over again.
    rng = random.Random(f"2026:{site.slug}")
    now = site.clock.now()
    today = site.clock.local_date(now)
    branches = _branches(session, specs)
    _staff(site, session, branches[0])
    items = _items(site, session, rng, branches, now)
    borrowers = _borrowers(session, rng, today, now)
    _history(site, session, rng, items, borrowers, branches, specs, today)
    _extras(site, session, items, borrowers, today, now)
    session.flush()
    demo_pictures.add(site, session)


def _branches(session: Session, specs: list[tuple[str, str, str, list[tuple[int, str, str]]]]) -> list[Branch]:
    out = []
    for name, address, phone, hours in specs:
        branch = Branch(name=name, address=address, phone=phone, info="Ingen avgift, ingen deposition. Välkommen!")
        session.add(branch)
        session.flush()
        assert branch.id is not None
        for weekday, opens, closes in hours:
            session.add(OpeningHours(branch_id=branch.id, weekday=weekday, opens=opens, closes=closes))
        out.append(branch)
    return out


def _staff(site: Site, session: Session, branch: Branch) -> None:
    """The demo editor works at the Karlskoga counter (admins work at every counter)."""
    for email, _name, role in demo_accounts(site):
        if role == Role.EDITOR:
            user = session.exec(select(User).where(User.email == email)).first()
            if user is not None and user.id is not None and branch.id is not None:
                session.add(Staff(branch_id=branch.id, user_id=user.id))


def _items(site: Site, session: Session, rng: random.Random, branches: list[Branch], now: datetime) -> list[Item]:
    categories = set(settings_of(site).categories)
    branch_ids = [b.id for b in branches if b.id is not None]  # saved: all of them
    items = []
    number = 1001
    for category, name, sizes, consent, _season, count in THINGS:
        if category not in categories:
            continue
        for i in range(count):
            size = sizes[i % len(sizes)]
            age_days = rng.randint(0, 700) if number % 17 else rng.randint(0, 25)  # a few new ones
            item = Item(
                number=str(number),
                name=name,
                category=category,
                size=size,
                condition=rng.choice([Condition.NEW, Condition.GOOD, Condition.GOOD, Condition.FAIR, Condition.WORN]),
                needs_consent=consent,
                branch_id=branch_ids[0 if rng.random() < 0.65 else -1],
                donor=rng.choice(["", "", "", "IFK Karlskoga", "Privatperson", "Degerfors IF"]),
                created_at=now - timedelta(days=age_days + 365 if number % 17 else age_days),
                updated_at=now,
            )
            refresh_search_text(item)
            session.add(item)
            items.append(item)
            number += 1
    session.flush()
    return items


def _borrowers(session: Session, rng: random.Random, today: date, now: datetime) -> list[Borrower]:
    people = []
    for i in range(50):
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i * 7) % len(LAST_NAMES)]
        minor = i % 5 != 0  # most borrowers are children
        number = f"+46{FICTION_FIRST + i}"
        # The random calls keep their order, so the demo's people stay the same.
        if minor:
            guardian = f"{rng.choice(FIRST_NAMES)} {last}"
            birth_year = today.year - rng.randint(5, 17)
            borrower = Borrower(
                name=f"{first} {last}",
                birth_year=birth_year,
                tag=f"demo{i:02d}{rng.getrandbits(40):010x}",
                mobile=number if i % 3 == 0 else "",
                guardian_name=guardian,
                guardian_mobile=f"+46{FICTION_FIRST + 50 + (i % 45)}",
                guardian_consent=i % 4 != 1,
                consent_recorded_at=now if i % 4 != 1 else None,
            )
        else:
            birth_year = today.year - rng.randint(18, 80)
            tag = f"demo{i:02d}{rng.getrandbits(40):010x}"
            borrower = Borrower(name=f"{first} {last}", birth_year=birth_year, tag=tag, mobile=number)
        borrower.created_at = borrower.last_active_at = now - timedelta(days=400)
        session.add(borrower)
        people.append(borrower)
    session.flush()
    return people


def _history(
    site: Site,
    session: Session,
    rng: random.Random,
    items: list[Item],
    people: list[Borrower],
    branches: list[Branch],
    specs: list[tuple[str, str, str, list[tuple[int, str, str]]]],
    today: date,
) -> None:
    """A year of loans, day by day on the branches' open days."""
    season = {name: weights for _c, name, _s, _n, weights, _k in THINGS}
    busy_until: dict[int, date] = {}
    open_days = {b.id: {h[0] for h in spec[3]} for b, spec in zip(branches, specs, strict=True)}
    loan_days = settings_of(site).loan_days
    day = today - timedelta(days=365)
    while day <= today:
        for branch in branches:
            assert branch.id is not None
            if day.weekday() not in open_days[branch.id]:
                continue
            here = [i for i in items if i.branch_id == branch.id and busy_until.get(i.id or 0, day) <= day]
            weights = [season[i.name][day.month - 1] + 0.2 for i in here]
            for _ in range(rng.randint(1, 4) if here else 0):
                item = rng.choices(here, weights)[0]
                assert item.id is not None
                if busy_until.get(item.id, day) > day:
                    continue
                borrower = rng.choice(people)
                if lending.consent_missing(borrower, item, day):
                    continue
                out_at = datetime.combine(day, time(15, rng.randint(0, 59)), tzinfo=UTC)
                due = lending.next_open_day(session, branch.id, day + timedelta(days=loan_days))
                kept = rng.choice([7, 10, 12, 13, 14, 14, 14, 15, 18, 24])
                lost = rng.random() < 0.01
                back = day + timedelta(days=kept)
                returned = None if lost or back > today else datetime.combine(back, time(16), tzinfo=UTC)
                session.add(
                    Loan(
                        item_id=item.id,
                        borrower_id=borrower.id,
                        borrower_tag=borrower.tag,
                        age_group=lending.age_group(borrower, day),
                        branch_id=branch.id,
                        out_at=out_at,
                        due_on=due,
                        returned_at=returned,
                        returned_branch_id=branch.id if returned else None,
                        due_reminder_at=out_at + timedelta(days=loan_days - 2)
                        if back >= due - timedelta(days=2)
                        else None,
                    )
                )
                busy_until[item.id or 0] = date.max if returned is None else back + timedelta(days=1)
                if returned is None:
                    item.status = ItemStatus.ON_LOAN
                    session.add(item)
                last = returned or out_at
                if last > borrower.last_active_at.replace(tzinfo=borrower.last_active_at.tzinfo or UTC):
                    borrower.last_active_at = last
                    session.add(borrower)
        day += timedelta(days=1)
    session.flush()


def _extras(
    site: Site, session: Session, items: list[Item], people: list[Borrower], today: date, now: datetime
) -> None:
    """A queue on an item out on loan, and an item in repair."""
    out = [i for i in items if i.status == ItemStatus.ON_LOAN]
    if out:
        target = out[0]
        for n, person in enumerate(people[:2]):
            assert target.id is not None and person.id is not None
            session.add(
                Reservation(
                    item_id=target.id,
                    borrower_id=person.id,
                    pickup_on=today + timedelta(days=3),
                    status=ReservationStatus.WAITING,
                    created_at=now - timedelta(hours=5 - n),
                )
            )
    free = [i for i in items if i.status == ItemStatus.AVAILABLE and i.category == "Cyklar"]
    if free:
        free[0].status = ItemStatus.REPAIR
        free[0].repair_note = "Punktering bak, kedjan hoppar."
        session.add(free[0])
