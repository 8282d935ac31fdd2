"""The LISA forms (WTForms with Swedish messages)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
    ValidationError,
    validators,
)

from core.forms import Form
from plugins.lisa import openings
from plugins.lisa.directory import LANGUAGES, METHOD_LABELS, STATUS_LABELS

PHONE = re.compile(r"^[0-9 +()\-]{5,40}$")


def check_phone(form: Form, field: Field) -> None:
    value = (field.data or "").strip()
    field.data = value
    if value and not PHONE.match(value):
        raise ValidationError("Skriv telefonnumret med siffror, till exempel 0586-123 45.")


def check_website(form: Form, field: Field) -> None:
    value = (field.data or "").strip()
    if value and "://" not in value:
        value = "https://" + value
    field.data = value
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or "." not in (parts.hostname or "")):
        raise ValidationError("Ange en webbadress som börjar med https://, till exempel https://exempel.se.")


def check_openings(form: Form, field: Field) -> None:
    try:
        openings.parse(field.data or "")
    except openings.OpeningsError as exc:
        raise ValidationError(str(exc)) from exc


def check_ages(form: Form, field: Field) -> None:
    low = form.min_age.data  # type: ignore[attr-defined]
    if field.data is not None and low is not None and field.data < low:
        raise ValidationError("Högsta åldern kan inte vara lägre än lägsta åldern.")


OPTIONAL_TEXT = [validators.Optional()]
AGE = [validators.Optional(), validators.NumberRange(0, 120, "Ange en ålder mellan 0 och 120.")]


class ProposalFields(Form):
    """What an organisation may propose changing (and admins may edit)."""

    summary = StringField(
        "Kort beskrivning",
        description="En mening som syns i träfflistan.",
        validators=[validators.InputRequired("Skriv en kort beskrivning."), validators.Length(max=300)],
    )
    description = TextAreaField("Mer om tjänsten", validators=[validators.Length(max=4000)])
    target_groups = StringField(
        "För vem",
        description="Till exempel ”vuxna”, ”unga 13–25 år”, ”anhöriga”.",
        validators=[validators.Length(max=500)],
    )
    how_to_contact = TextAreaField("Så tar man kontakt", validators=[validators.Length(max=1000)])
    phone = TelField("Telefon", validators=[check_phone])
    email = EmailField("E-post", validators=[validators.Optional(), validators.Email("Skriv en giltig e-postadress.")])
    website = URLField("Webbplats", validators=[check_website])
    openings_text = TextAreaField("Öppettider", description=openings.EXAMPLE, validators=[check_openings])
    address = StringField("Adress", validators=[validators.Length(max=200)])
    accessibility = TextAreaField(
        "Tillgänglighet",
        description="Till exempel ramp, hiss, hörslinga, parkering nära entrén.",
        validators=[validators.Length(max=1000)],
    )
    status = SelectField("Status", choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()])
    status_message = StringField(
        "Meddelande om status",
        description="Visas när tjänsten är tillfälligt stängd, till exempel ”Stängt v. 28–32, öppnar 11 augusti”.",
        validators=[validators.Length(max=500)],
    )


class ServiceForm(ProposalFields):
    organisation_id = SelectField("Organisation", coerce=int)
    name = StringField(
        "Namn på tjänsten", validators=[validators.InputRequired("Skriv tjänstens namn."), validators.Length(max=200)]
    )
    terms = SelectMultipleField("Behov", coerce=int)
    eligibility = TextAreaField(
        "Villkor", description="Vem kan få hjälpen, och vad krävs?", validators=[validators.Length(max=1000)]
    )
    min_age = IntegerField("Lägsta ålder", validators=AGE)
    max_age = IntegerField("Högsta ålder", validators=[*AGE, check_ages])
    languages = SelectMultipleField("Språk", choices=[SelectChoice(k, v) for k, v in LANGUAGES.items()])
    free = BooleanField("Kostnadsfritt")
    cost_description = StringField(
        "Kostnad", description="Om det kostar något: vad och hur mycket.", validators=[validators.Length(max=500)]
    )
    contact_methods = SelectMultipleField(
        "Kontaktvägar", choices=[SelectChoice(k, v) for k, v in METHOD_LABELS.items()]
    )
    accepts_referrals = BooleanField("Tar emot remisser via LISA")
    municipality = SelectField("Kommun")
    location_name = StringField(
        "Plats", description="Till exempel ”Folkets hus, lilla salen”.", validators=[validators.Length(max=200)]
    )
    postal_code = StringField("Postnummer", validators=[validators.Length(max=10)])
    city = StringField("Ort", validators=[validators.Length(max=80)])
    verified = BooleanField("Jag har kontrollerat att uppgifterna stämmer", default=True)


class OrganisationForm(Form):
    name = StringField(
        "Namn", validators=[validators.InputRequired("Skriv organisationens namn."), validators.Length(max=200)]
    )
    kind = SelectField(
        "Typ",
        choices=[
            SelectChoice(k)
            for k in (
                "Förening",
                "Trossamfund",
                "Ideell organisation",
                "Kommunal verksamhet",
                "Region",
                "Studieförbund",
            )
        ],
    )
    description = TextAreaField("Om organisationen", validators=[validators.Length(max=2000)])
    municipality = SelectField("Kommun")
    website = URLField("Webbplats", validators=[check_website])
    email = EmailField("E-post", validators=[validators.Optional(), validators.Email("Skriv en giltig e-postadress.")])
    phone = TelField("Telefon", validators=[check_phone])
    association_slug = StringField(
        "Medlemsförening (adress i föreningsregistret)",
        description="Om det är en medlemsförening: sista delen av dess adress, t.ex. ”rodakorset-karlskoga”.",
        validators=[validators.Length(max=120)],
    )


class TermForm(Form):
    name = StringField(
        "Behov", validators=[validators.InputRequired("Skriv behovets namn."), validators.Length(max=100)]
    )
    description = StringField("Förklaring", validators=[validators.Length(max=500)])
    position = IntegerField(
        "Ordning",
        default=50,
        validators=[
            validators.InputRequired("Ange ett tal, t.ex. 50."),
            validators.NumberRange(0, 999, "Ange ett tal 0–999."),
        ],
    )


class MembershipForm(Form):
    email = EmailField(
        "Kontots e-postadress",
        validators=[
            validators.InputRequired("Skriv kontots e-postadress."),
            validators.Email("Skriv en giltig e-postadress."),
        ],
    )
    target = SelectField("Kopplas till")


class HealthCentreForm(Form):
    name = StringField(
        "Vårdcentralens namn",
        validators=[validators.InputRequired("Skriv vårdcentralens namn."), validators.Length(max=200)],
    )
    municipality = SelectField("Kommun")
