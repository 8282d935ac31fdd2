"""The form staff describe a room or resource with, its opening hours
written per weekday as "08:00–22:00" (empty: closed that day)."""

from __future__ import annotations

import re

from wtforms import (
    BooleanField,
    DateField,
    FileField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)

from core.api import N_, Form, SelectChoice
from plugins.lokaler.models import Approval, Kind

HOURS = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")
HOURS_MESSAGE = N_("Skriv öppettiden som 08:00–22:00, eller lämna tomt om det är stängt.")
DAY_FIELDS = ["hours_0", "hours_1", "hours_2", "hours_3", "hours_4", "hours_5", "hours_6"]


def parse_hours(text: str) -> tuple[int, int] | None:
    """ "08:00–22:00" -> (480, 1320); "" -> None; raises ValueError when wrong."""
    if not text.strip():
        return None
    found = HOURS.match(text)
    if not found:
        raise ValueError(HOURS_MESSAGE)
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    opens, closes = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or opens >= closes or closes > 1440:
        raise ValueError(HOURS_MESSAGE)
    return opens, closes


def _hours(label: str) -> StringField:
    return StringField(label, [validators.Length(max=20)])


def _minutes(label: str, low: int, high: int, hint: str = "") -> IntegerField:
    return IntegerField(
        label,
        [
            validators.InputRequired("Skriv ett heltal."),
            validators.NumberRange(low, high, "Skriv ett tal från %(min)s till %(max)s."),
        ],
        description=hint,
    )


class ResourceForm(Form):
    name = StringField("Namn", [validators.InputRequired("Skriv ett namn."), validators.Length(max=120)])
    kind = SelectField(
        "Slag",
        choices=[SelectChoice(Kind.ROOM.value, N_("Rum")), SelectChoice(Kind.THING.value, N_("Resurs"))],
    )
    summary = StringField("Kort beskrivning", [validators.Length(max=400)])
    capacity = IntegerField(
        "Antal personer", [validators.Optional(), validators.NumberRange(0, 2000, "Skriv ett tal från 0 till 2000.")]
    )
    equipment = TextAreaField("Utrustning", [validators.Length(max=1000)])
    accessibility = TextAreaField("Tillgänglighet", [validators.Length(max=1000)])
    location = StringField(
        "Hitta hit", [validators.Length(max=200)], description=N_("Till exempel Plan 2, till vänster om hissen.")
    )
    house_rules = TextAreaField("Husregler", description=N_("Du kan använda Markdown: listor med - och **fetstil**."))
    hours_0 = _hours(N_("Måndag"))
    hours_1 = _hours(N_("Tisdag"))
    hours_2 = _hours(N_("Onsdag"))
    hours_3 = _hours(N_("Torsdag"))
    hours_4 = _hours(N_("Fredag"))
    hours_5 = _hours(N_("Lördag"))
    hours_6 = _hours(N_("Söndag"))
    min_minutes = _minutes(N_("Kortaste bokning (minuter)"), 15, 1440)
    max_minutes = _minutes(N_("Längsta bokning (minuter)"), 15, 14 * 1440, N_("Högst 14 dygn."))
    max_days_ahead = _minutes(N_("Hur många dagar i förväg"), 1, 730)
    buffer_minutes = _minutes(N_("Minuter mellan bokningar"), 0, 240, N_("För städning och vädring."))
    cancel_hours = _minutes(N_("Avbokning senast (timmar före)"), 0, 720)
    overnight = BooleanField("Kan bokas över midnatt")
    for_members = BooleanField("Medlemsföreningar kan boka (gratis)")
    for_organisations = BooleanField("Andra organisationer kan boka")
    for_residents = BooleanField("Privatpersoner kan boka")
    price_text = StringField(
        "Pris för andra än medlemmar",
        [validators.Length(max=300)],
        description=N_("Visas på sidan. Inga betalningar tas här."),
    )
    approval = SelectField(
        "Godkännande",
        choices=[
            SelectChoice(Approval.AUTO.value, N_("Medlemsföreningar direkt, andra efter godkännande")),
            SelectChoice(Approval.MANUAL.value, N_("Kansliet godkänner varje bokning")),
        ],
    )
    image_file = FileField("Foto av rummet")
    image_alt = StringField(
        "Bildbeskrivning (alt-text)",
        [validators.Length(max=300)],
        description=N_("Obligatorisk om det finns ett foto. Beskriv kort vad fotot visar."),
    )
    remove_image = BooleanField("Ta bort nuvarande foto")


class ClosedDayForm(Form):
    """A day the house or one resource is closed, beside the public holidays."""

    day = DateField("Datum", [validators.InputRequired("Välj ett datum.")])
    resource = SelectField("Vad är stängt?", choices=[], validate_choice=False)
    reason = StringField(
        "Varför",
        [validators.InputRequired("Skriv varför, till exempel Städdag."), validators.Length(max=200)],
        description=N_("Visas i veckovyn, till exempel Städdag eller Personalutbildning."),
    )
