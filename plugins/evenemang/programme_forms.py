"""Forms of festival programmes: the programme itself (admins), a
contribution (association editors) and an admin's review decision. Labels
and hints are msgids (Swedish), translated as the form renders."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    validators,
)

from core.api import N_, Form, SelectChoice
from plugins.evenemang.forms import MARKDOWN_HINT

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class ProgrammeForm(Form):
    title = StringField("Namn", [validators.InputRequired("Skriv programmets namn."), validators.Length(max=200)])
    slug = StringField(
        "Adress",
        [
            validators.InputRequired("Skriv en kort adress, till exempel kalaset-2027."),
            validators.Length(max=80),
            validators.Regexp(SLUG_PATTERN, message="Använd bara a–z, siffror och bindestreck, t.ex. kalaset-2027."),
        ],
        description=N_("Syns i länken: /evenemang/program/kalaset-2027. Bara a–z, siffror och bindestreck."),
    )
    summary = TextAreaField("Kort beskrivning", [validators.Length(max=400)])
    description = TextAreaField("Beskrivning och inbjudan", description=MARKDOWN_HINT)
    first_day = DateField("Första dagen", [validators.InputRequired("Skriv första dagen som åååå-mm-dd.")])
    last_day = DateField(
        "Sista dagen", [validators.Optional()], description=N_("Lämna tomt om programmet är en enda dag.")
    )
    place_name = StringField("Plats", [validators.Length(max=200)], description=N_("Till exempel Möckelngården."))
    address = StringField("Adress", [validators.Length(max=300)])
    municipality = StringField("Kommun", [validators.Length(max=80)])
    stages = TextAreaField(
        "Scener och platser",
        [validators.InputRequired("Skriv minst en scen eller plats."), validators.Length(max=2000)],
        description=N_("En per rad, till exempel Stora scenen, Tältet, Föreningstorget."),
    )
    category = SelectField("Kategori för programpunkterna", choices=[], validate_choice=False)
    call_open = BooleanField("Föreningar kan skicka in bidrag")
    deadline = DateField(
        "Sista dag för bidrag", [validators.Optional()], description=N_("Bidrag tas emot till och med den dagen.")
    )


class ItemForm(Form):
    title = StringField(
        "Vad", [validators.InputRequired("Skriv vad er programpunkt heter."), validators.Length(max=200)]
    )
    description = TextAreaField(
        "Beskrivning",
        [validators.InputRequired("Beskriv programpunkten med några meningar."), validators.Length(max=5000)],
        description=MARKDOWN_HINT,
    )
    association = SelectField("Förening", choices=[], validate_choice=False)
    day = SelectField("Dag", choices=[], validate_choice=False)
    start_time = TimeField("Börjar", [validators.InputRequired("Skriv när det börjar, till exempel 13:00.")])
    end_time = TimeField("Slutar", [validators.InputRequired("Skriv när det slutar, till exempel 13:45.")])
    stage = SelectField("Scen eller plats", choices=[], validate_choice=False)
    needs = TextAreaField(
        "Behov",
        [validators.Length(max=1000)],
        description=N_("Vad behöver ni på plats? El, bord, ljud, tält, tillgång till vatten …"),
    )
    contact_name = StringField("Kontaktperson", [validators.Length(max=120)])
    contact_email = StringField(
        "E-post till kontaktperson",
        [
            validators.InputRequired("Skriv en e-postadress: dit skickas beskedet om ert bidrag."),
            validators.Email("Skriv en giltig e-postadress, till exempel namn@exempel.se."),
            validators.Length(max=254),
        ],
    )


DECISIONS = {
    "accept": N_("Anta: programpunkten läggs in i programmet och kalendern"),
    "changes": N_("Be om ändringar"),
    "decline": N_("Avböj"),
}


class ReviewForm(Form):
    decision = RadioField(
        "Beslut",
        [validators.InputRequired("Välj ett beslut.")],
        choices=[SelectChoice(k, v) for k, v in DECISIONS.items()],
    )
    message = TextAreaField(
        "Meddelande till föreningen",
        [validators.Length(max=2000)],
        description=N_("Skickas med e-post. Krävs när du ber om ändringar eller avböjer."),
    )
