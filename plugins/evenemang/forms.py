"""The form an editor writes an event with, and the choices it offers.

Labels and hints are msgids (Swedish), translated as the form renders
(``core/templates/macros/forms.html``)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    FileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    validators,
)

from core.api import N_, Form, PhoneNumber, SelectChoice
from plugins.evenemang.models import AgeGroup, Status

MARKDOWN_HINT = N_("Du kan använda Markdown: **fetstil**, *kursiv*, listor med - och länkar som [text](https://…).")

STATUS_LABELS: dict[str, str] = {
    Status.SCHEDULED: N_("Blir av som planerat"),
    Status.CANCELLED: N_("Inställt"),
    Status.POSTPONED: N_("Uppskjutet"),
    Status.FULL: N_("Fullbokat"),
}
AGE_LABELS: dict[str, str] = {
    AgeGroup.ALL: N_("Alla åldrar"),
    AgeGroup.CHILDREN: N_("Barn"),
    AgeGroup.FAMILY: N_("Barn och familj"),
    AgeGroup.YOUTH: N_("Unga"),
    AgeGroup.ADULTS: N_("Vuxna"),
    AgeGroup.SENIORS: N_("Seniorer"),
}
REPEAT_LABELS = {
    "": N_("Upprepas inte"),
    "weekly": N_("Varje vecka, samma veckodag"),
    "biweekly": N_("Varannan vecka, samma veckodag"),
    "monthly-weekday": N_("Varje månad, samma veckodag i ordningen (t.ex. andra tisdagen)"),
    "monthly-date": N_("Varje månad, samma datum"),
    "custom": N_("Egen regel (RRULE nedan)"),
}


class EventForm(Form):
    title = StringField("Rubrik", [validators.InputRequired("Skriv en rubrik."), validators.Length(max=200)])
    summary = TextAreaField(
        "Kort beskrivning",
        [validators.Length(max=400)],
        description=N_("Högst 400 tecken. Visas i listor, på startsidan och i kalendrar."),
    )
    description = TextAreaField("Beskrivning", description=MARKDOWN_HINT)
    organisers = SelectMultipleField("Arrangör", choices=[], validate_choice=False)
    start_date = DateField("Startdatum", [validators.InputRequired("Skriv startdatum som åååå-mm-dd.")])
    start_time = TimeField("Starttid", [validators.Optional()], description=N_("Till exempel 18:30."))
    end_date = DateField(
        "Slutdatum", [validators.Optional()], description=N_("Lämna tomt om evenemanget slutar samma dag.")
    )
    end_time = TimeField("Sluttid", [validators.Optional()])
    all_day = BooleanField("Heldag (utan klockslag)")
    repeat = SelectField("Upprepning", choices=[SelectChoice(k, v) for k, v in REPEAT_LABELS.items()], default="")
    repeat_until = DateField(
        "Upprepas till och med", [validators.Optional()], description=N_("Krävs för en upprepning.")
    )
    exdates = StringField(
        "Tillfällen som är inställda",
        [validators.Length(max=2000)],
        description=N_("Datum då serien inte blir av, som åååå-mm-dd, med kommatecken emellan."),
    )
    rrule = StringField(
        "Egen upprepningsregel (RRULE)",
        [validators.Length(max=500)],
        description=N_("För den som kan iCalendar, t.ex. FREQ=WEEKLY;BYDAY=MO,WE;COUNT=20. Lämna annars tomt."),
    )
    place_name = StringField(
        "Plats", [validators.Length(max=200)], description=N_("Till exempel Folkets hus, stora salen.")
    )
    room = SelectField("Lokal i Föreningarnas hus", choices=[], validate_choice=False)
    book_room = BooleanField(
        "Boka lokalen för evenemanget",
        description=N_(
            "Lokalen bokas för den arrangerande föreningen (den första i listan om ni är flera), efter husets regler "
            "för öppettider och godkännande. Går det inte att boka sparas ingenting."
        ),
    )
    address = StringField("Adress", [validators.Length(max=300)])
    municipality = StringField("Kommun", [validators.Length(max=80)])
    category = SelectField("Kategori", choices=[], validate_choice=False)
    is_free = BooleanField("Gratis", default=True)
    price = StringField("Pris", [validators.Length(max=120)], description=N_("Till exempel ”50 kr, barn gratis”."))
    age_group = SelectField(
        "Passar för", choices=[SelectChoice(k, v) for k, v in AGE_LABELS.items()], default=AgeGroup.ALL
    )
    step_free = BooleanField("Tillgängligt utan trappsteg (rullstol, rollator)")
    hearing_loop = BooleanField("Hörslinga finns")
    sign_language = BooleanField("Teckenspråkstolkat")
    accessibility_note = StringField("Mer om tillgänglighet", [validators.Length(max=500)])
    image_file = FileField("Välj en bild")
    image_alt = StringField(
        "Bildbeskrivning (alt-text)",
        [validators.Length(max=300)],
        description=N_("Obligatorisk om evenemanget har en bild. Beskriv kort vad bilden visar."),
    )
    remove_image = BooleanField("Ta bort nuvarande bild")
    contact_name = StringField("Kontaktperson", [validators.Length(max=120)])
    contact_email = StringField(
        "E-post till kontaktperson", [validators.Optional(), validators.Email(N_("Skriv en giltig e-postadress."))]
    )
    contact_phone = StringField("Telefon till kontaktperson", [validators.Optional(), PhoneNumber("0586-123 45")])
    link = StringField(
        "Länk till mer information",
        [validators.Optional(), validators.URL(message=N_("Skriv en hel adress som börjar med https://."))],
    )
    status = SelectField(
        "Status", choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()], default=Status.SCHEDULED
    )
