"""A season of demo data for the park: beds and areas on the plan,
plantings, harvests, members, work sessions with sign-ups and attendance,
and pollinator counts from April to October, plus three sessions coming up.

The season is the latest one that has begun (this year from April, else
last year), so the demo looks lived-in whenever it is run. Idempotent: rows
are keyed on bed codes, (bed, crop, season), member e-mail addresses,
session task and start, and deterministic occurrence ids; nothing that
exists is overwritten.
"""

from __future__ import annotations

import random
import secrets
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from core.api import Site
from plugins.odling import members as member_rules
from plugins.odling import web
from plugins.odling.crops import load_starter_list
from plugins.odling.models import Bed, Crop, Harvest, Member, Observation, Planting, Signup, WorkSession

# code, name, kind, m², x, y, w, h, sun, soil, description
BEDS = [
    (
        "B1",
        "Kryddbädden vid stationen",
        "badd",
        15,
        210,
        50,
        170,
        90,
        "sol",
        "sandig mulljord",
        "Kryddor som bina älskar, vid gamla perrongen.",
    ),
    (
        "B2",
        "Bönbädden",
        "badd",
        14,
        400,
        50,
        160,
        90,
        "sol",
        "mullrik lerjord",
        "Bönor och ärter i stöd av gamla slipers.",
    ),
    ("B3", "Pumpalandet", "badd", 24, 580, 50, 180, 110, "sol", "kompostjord", "Pumpor och squash på kompostkullen."),
    (
        "B4",
        "Ätliga blommor",
        "badd",
        22,
        780,
        50,
        190,
        110,
        "sol",
        "mullrik lerjord",
        "Ringblommor, krasse och blåklint till sallader.",
    ),
    (
        "B5",
        "Örtspiralen",
        "badd",
        8,
        20,
        160,
        150,
        110,
        "sol",
        "grus och sand",
        "Stenspiral av gammal banvallsmakadam.",
    ),
    (
        "B6",
        "Bärhäcken",
        "badd",
        30,
        190,
        170,
        380,
        60,
        "sol",
        "mullrik lerjord",
        "Vinbär, krusbär, blåbärstry och hallon längs staketet.",
    ),
    (
        "O1",
        "Fruktlunden",
        "omrade",
        180,
        600,
        180,
        370,
        110,
        "sol",
        "gräsmatta",
        "Äpple, päron, plommon och körsbär av gamla Karlskogasorter.",
    ),
    (
        "O2",
        "Ängen",
        "omrade",
        420,
        20,
        345,
        420,
        230,
        "sol",
        "mager sandjord",
        "Slåtteräng med klöver, maskros, cikoria och blåklint.",
    ),
    (
        "O3",
        "Bikuporna",
        "omrade",
        20,
        460,
        345,
        140,
        100,
        "sol",
        "",
        "Fyra kupor som Karlskoga biodlarförening sköter.",
    ),
    (
        "B7",
        "Skuggbädden",
        "badd",
        12,
        460,
        460,
        140,
        115,
        "halvskugga",
        "lövmylla",
        "Under björkarna: ramslök och spansk körvel.",
    ),
    ("B8", "Lökbädden", "badd", 12, 620, 345, 170, 100, "sol", "sandig mulljord", "Gräslök och piplök som får blomma."),
    ("B9", "Solrosraden", "badd", 20, 810, 345, 170, 230, "sol", "kompostjord", "Solrosor, bovete och jordärtskockor."),
]

# bed code -> (Latin name, amount, sown day-of-season offset in days from 1 May)
PLANTINGS = {
    "B1": [
        ("Origanum vulgare", "6 plantor", 0),
        ("Thymus vulgaris", "8 plantor", 0),
        ("Hyssopus officinalis", "4 plantor", 0),
        ("Lavandula angustifolia", "6 plantor", 10),
    ],
    "B2": [("Vicia faba", "3 rader", -10), ("Phaseolus coccineus", "12 plantor", 25), ("Pisum sativum", "2 rader", -5)],
    "B3": [
        ("Cucurbita maxima", "4 plantor", 30),
        ("Cucurbita pepo", "3 plantor", 30),
        ("Borago officinalis", "kant", 10),
    ],
    "B4": [
        ("Calendula officinalis", "2 rader", 10),
        ("Tropaeolum majus", "10 plantor", 25),
        ("Centaurea cyanus", "1 rad", 5),
    ],
    "B5": [
        ("Salvia officinalis", "3 plantor", 0),
        ("Satureja montana", "3 plantor", 0),
        ("Melissa officinalis", "2 plantor", 0),
        ("Agastache foeniculum", "4 plantor", 15),
    ],
    "B6": [
        ("Ribes nigrum", "6 buskar", 0),
        ("Ribes uva-crispa", "4 buskar", 0),
        ("Lonicera caerulea var. edulis", "4 buskar", 0),
        ("Rubus idaeus", "15 m", 0),
    ],
    "O1": [
        ("Malus domestica", "8 träd", 0),
        ("Pyrus communis", "3 träd", 0),
        ("Prunus domestica", "3 träd", 0),
        ("Prunus cerasus", "2 träd", 0),
    ],
    "O2": [
        ("Trifolium pratense", "insådd", 0),
        ("Taraxacum officinale", "självsått", 0),
        ("Cichorium intybus", "insådd", 0),
        ("Trifolium repens", "insådd", 0),
    ],
    "B7": [("Allium ursinum", "ca 200 lökar", 0), ("Myrrhis odorata", "3 plantor", 0)],
    "B8": [("Allium schoenoprasum", "10 tuvor", 0), ("Allium fistulosum", "8 tuvor", 0)],
    "B9": [
        ("Helianthus annuus", "30 plantor", 20),
        ("Fagopyrum esculentum", "4 m²", 30),
        ("Helianthus tuberosus", "12 knölar", 0),
    ],
}

# Latin name -> (unit, [(month, day, quantity)])
HARVESTS = {
    "Vicia faba": ("kg", [(7, 20, 3.5), (8, 2, 4.2)]),
    "Phaseolus coccineus": ("kg", [(8, 25, 2.1), (9, 10, 3.4)]),
    "Pisum sativum": ("kg", [(7, 10, 2.6), (7, 24, 1.9)]),
    "Cucurbita maxima": ("kg", [(9, 20, 38.0)]),
    "Cucurbita pepo": ("kg", [(7, 28, 6.5), (8, 12, 9.0), (8, 30, 7.2)]),
    "Ribes nigrum": ("kg", [(7, 25, 11.5)]),
    "Ribes uva-crispa": ("kg", [(7, 30, 6.0)]),
    "Lonicera caerulea var. edulis": ("kg", [(6, 28, 2.4)]),
    "Rubus idaeus": ("kg", [(7, 22, 5.5), (8, 5, 7.5)]),
    "Malus domestica": ("kg", [(9, 15, 85.0), (10, 2, 120.0)]),
    "Pyrus communis": ("kg", [(9, 22, 18.0)]),
    "Prunus domestica": ("kg", [(8, 28, 22.0)]),
    "Allium ursinum": ("knippen", [(5, 12, 40)]),
    "Allium schoenoprasum": ("knippen", [(6, 5, 25), (8, 15, 20)]),
    "Calendula officinalis": ("liter", [(8, 10, 3)]),
    "Helianthus tuberosus": ("kg", [(10, 15, 14.0)]),
    "Origanum vulgare": ("knippen", [(8, 20, 15)]),
}

MEMBERS = [
    ("Anna Lindqvist", "anna.lindqvist@example.org", "", "odla,arbetspass"),
    ("Bengt Karlsson", "bengt.karlsson@example.org", "070-123 45 01", "arbetspass,pollinatorer"),
    ("Citlali Romero", "citlali.romero@example.org", "", "odla,evenemang"),
    ("Dragan Petrović", "", "070-123 45 02", "arbetspass"),
    ("Elin Ahmadi", "elin.ahmadi@example.org", "", "pollinatorer,odla"),
    ("Fatima Noor", "fatima.noor@example.org", "070-123 45 03", "arbetspass,evenemang"),
    ("Gunnel Berg", "gunnel.berg@example.org", "", "odla,pollinatorer,arbetspass"),
    ("Hassan Ali", "hassan.ali@example.org", "", "arbetspass"),
    ("Ingrid Sjöberg", "", "070-123 45 04", "odla"),
    ("Jonas Eriksson", "jonas.eriksson@example.org", "", "pollinatorer"),
    ("Kerstin Holm", "kerstin.holm@example.org", "", "evenemang,arbetspass"),
    ("Leo Virtanen", "leo.virtanen@example.org", "", "odla,arbetspass"),
    ("Maja Nilsson", "maja.nilsson@example.org", "", "pollinatorer,evenemang"),
    ("Nils Gustafsson", "nils.gustafsson@example.org", "", "arbetspass,odla"),
]

# month, day, start hour, hours, task, bed code or "", places
SESSIONS = [
    (4, 18, 10, 3, "Vårstädning och kompost", "", 15),
    (4, 29, 17, 2, "Beskärning i bärhäcken", "B6", 6),
    (5, 9, 10, 3, "Sådd av bönor och ätliga blommor", "B2", 10),
    (5, 21, 17, 2, "Plantering av örter", "B1", 8),
    (6, 3, 17, 2, "Utplantering av pumpor", "B3", 8),
    (6, 13, 10, 3, "Rensa ogräs och vattna", "", 12),
    (6, 25, 17, 2, "Bygga bihotell", "O3", 8),
    (7, 8, 17, 2, "Vattna och binda upp bönor", "B2", 6),
    (7, 25, 17, 2, "Plocka vinbär och hallon", "B6", 10),
    (8, 12, 17, 2, "Skörda squash och bönor", "B3", 8),
    (8, 29, 10, 3, "Skördefest med smakprov", "", 20),
    (9, 16, 17, 2, "Äppelplockning", "O1", 12),
    (10, 4, 10, 3, "Slåtter av ängen", "O2", 12),
    (10, 18, 10, 3, "Höststädning och täckodling", "", 15),
]

UPCOMING = [
    (5, 17, 2, "Planeringsträff inför nästa säsong", "", 20),
    (12, 10, 3, "Vinterbeskärning av fruktträd", "O1", 8),
    (26, 10, 3, "Bygga nya odlingslådor", "B4", 10),
]

# month, bed code or "", taxon key, count: a season of counts, roughly as bees fly in Värmland and Närke
OBSERVATION_PLAN = [
    (4, "B6", "bombus-terrestris", 3),
    (4, "O2", "apis-mellifera", 6),
    (5, "O1", "apis-mellifera", 28),
    (5, "O1", "bombus", 9),
    (5, "O2", "andrena", 7),
    (5, "B6", "bombus-pratorum", 6),
    (5, "O1", "osmia-bicornis", 5),
    (5, "O2", "gonepteryx-rhamni", 2),
    (5, "B7", "syrphidae", 4),
    (6, "B8", "bombus-lapidarius", 12),
    (6, "B8", "apis-mellifera", 15),
    (6, "B1", "bombus-pascuorum", 8),
    (6, "O2", "episyrphus-balteatus", 11),
    (6, "B6", "bombus-hortorum", 5),
    (6, "O2", "aglais-urticae", 4),
    (7, "B1", "apis-mellifera", 34),
    (7, "B1", "bombus-lapidarius", 14),
    (7, "B3", "bombus-terrestris", 9),
    (7, "B4", "episyrphus-balteatus", 16),
    (7, "B5", "megachile", 4),
    (7, "O2", "aglais-io", 6),
    (7, "O2", "pieris", 8),
    (8, "B9", "apis-mellifera", 26),
    (8, "B1", "bombus-pascuorum", 18),
    (8, "B9", "eristalis-tenax", 12),
    (8, "B4", "syrphidae", 10),
    (8, "O2", "aglais-io", 9),
    (8, "B2", "bombus-hortorum", 7),
    (9, "B9", "bombus-pascuorum", 8),
    (9, "B1", "apis-mellifera", 12),
    (9, "B4", "eristalis-tenax", 7),
    (9, "O2", "aglais-urticae", 3),
    (10, "B4", "bombus-terrestris", 2),
    (10, "B4", "syrphidae", 3),
]


def season_year(today: date) -> int:
    return today.year if today.month >= 4 else today.year - 1


def _at(site: Site, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=site.clock.zone).astimezone(UTC)


def load(site: Site, db: Session) -> None:
    load_starter_list(db)
    today = web.clock(site).today()
    year = season_year(today)
    rng = random.Random(year)
    crops = {c.name_latin: c for c in db.exec(select(Crop)).all()}

    beds: dict[str, Bed] = {b.code: b for b in db.exec(select(Bed)).all()}
    for code, name, kind, area, x, y, w, h, sun, soil, text in BEDS:
        if code not in beds:
            beds[code] = Bed(
                code=code,
                name=name,
                kind=kind,
                area_m2=area,
                x=x,
                y=y,
                width=w,
                height=h,
                sun=sun,
                soil=soil,
                description=text,
            )
            db.add(beds[code])
    db.flush()

    for code, rows in PLANTINGS.items():
        bed = beds[code]
        for latin, amount, offset in rows:
            crop = crops[latin]
            planting = db.exec(
                select(Planting).where(Planting.bed_id == bed.id, Planting.crop_id == crop.id, Planting.season == year)
            ).first()
            if planting is None:
                planting = Planting(
                    bed_id=bed.id or 0,
                    crop_id=crop.id or 0,
                    season=year,
                    planted_on=date(year, 5, 1) + timedelta(days=offset) if crop.lifecycle != "flerarig" else None,
                    amount=amount,
                )
                db.add(planting)
                db.flush()
            if latin in HARVESTS and db.exec(select(Harvest).where(Harvest.planting_id == planting.id)).first() is None:
                unit, picks = HARVESTS[latin]
                for month, day, quantity in picks:
                    picked = date(year, month, day)
                    if picked <= today:
                        db.add(Harvest(planting_id=planting.id or 0, harvested_on=picked, quantity=quantity, unit=unit))

    people: dict[str, Member] = {}
    for i, (name, email, phone, interests) in enumerate(MEMBERS):
        key = email or phone
        found = db.exec(select(Member).where(Member.name == name, Member.email == email, Member.phone == phone)).first()
        if found is None:
            joined = datetime.combine(date(year, 3, 20) + timedelta(days=6 * i), time(19), tzinfo=UTC)
            found = Member(
                name=name,
                email=email,
                phone=phone,
                interests=interests,
                consent_text=member_rules.consent_text(site),
                consented_at=joined,
                joined_at=joined,
                token=secrets.token_urlsafe(24),
                delete_after=today,
            )
            member_rules.touch(site, found)
            db.add(found)
        people[key] = found
    db.flush()
    roster = list(people.values())

    def session(starts: datetime, hours: int, task: str, code: str, places: int) -> WorkSession:
        found = db.exec(select(WorkSession).where(WorkSession.task == task, WorkSession.starts_at == starts)).first()
        if found is None:
            found = WorkSession(
                task=task,
                description="Vi bjuder på kaffe och saft. Ta med arbetshandskar och kläder efter väder.",
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                places=places,
                bed_id=beds[code].id if code else None,
            )
            db.add(found)
            db.flush()
        return found

    now = web.clock(site).now()
    for month, day, hour, hours, task, code, places in SESSIONS:
        starts = _at(site, date(year, month, day), hour)
        if starts > now:
            continue
        work = session(starts, hours, task, code, places)
        if db.exec(select(Signup).where(Signup.session_id == work.id)).first() is None:
            for member in rng.sample(roster, min(places, rng.randint(3, 9))):
                db.add(Signup(session_id=work.id or 0, member_id=member.id or 0, attended=rng.random() > 0.12))
    for days, hour, hours, task, code, places in UPCOMING:
        work = session(_at(site, today + timedelta(days=days), hour), hours, task, code, places)
        if days < 10 and db.exec(select(Signup).where(Signup.session_id == work.id)).first() is None:
            for member in roster[:4]:
                db.add(Signup(session_id=work.id or 0, member_id=member.id or 0))

    observers = [m for m in roster if "pollinatorer" in m.interest_keys]
    for i, (month, code, taxon, count) in enumerate(OBSERVATION_PLAN):
        seen = date(year, month, 3 + (i * 7) % 24)
        if seen > today:
            continue
        occurrence = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{site.base_url}/odling-demo/{year}/{i}')}"
        if db.exec(select(Observation).where(Observation.occurrence_id == occurrence)).first() is None:
            db.add(
                Observation(
                    observed_on=seen,
                    bed_id=beds[code].id if code else None,
                    taxon=taxon,
                    count=count,
                    member_id=observers[i % len(observers)].id if observers else None,
                    occurrence_id=occurrence,
                    notes="Räknat under 15 minuter i sol." if i % 3 == 0 else "",
                )
            )
    db.flush()
