"""The LISA forms (WTForms with Swedish messages).

Labels and ``InputRequired`` messages are extracted by their keyword; other
messages and the descriptions (hints) are marked with ``N_`` and translated
by the form macros when they render. Select options are rendered by WTForms
itself, so views call ``translate_choices`` on a form before showing it."""

from __future__ import annotations

import re
from datetime import date, time

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
    ValidationError,
    validators,
)

from core.api import N_, Form, PhoneNumber, SelectChoice, http_url
from core.api import gettext as _
from plugins.lisa import openings
from plugins.lisa.directory import LANGUAGES, METHOD_LABELS, STATUS_LABELS

check_phone = PhoneNumber(example="0586-123 45")


def check_website(form: Form, field: Field) -> None:
    value = (field.data or "").strip()
    if value and "://" not in value:
        value = "https://" + value
    field.data = value
    if value and not http_url(value, dotted_host=True):
        raise ValidationError(_("Ange en webbadress som börjar med https://, till exempel https://exempel.se."))


def check_openings(form: Form, field: Field) -> None:
    try:
        openings.parse(field.data or "")
    except openings.OpeningsError as exc:
        raise ValidationError(str(exc)) from exc


def check_ages(form: Form, field: Field) -> None:
    low = form["min_age"].data
    if field.data is not None and low is not None and field.data < low:
        raise ValidationError(_("Högsta åldern kan inte vara lägre än lägsta åldern."))


OPTIONAL_TEXT = [validators.Optional()]
AGE = [validators.Optional(), validators.NumberRange(0, 120, N_("Ange en ålder mellan 0 och 120."))]


class ProposalFields(Form):
    """What an organisation may propose changing (and admins may edit)."""

    summary = StringField(
        "Kort beskrivning",
        description=N_("En mening som syns i träfflistan."),
        validators=[validators.InputRequired("Skriv en kort beskrivning."), validators.Length(max=300)],
    )
    description = TextAreaField("Mer om tjänsten", validators=[validators.Length(max=4000)])
    target_groups = StringField(
        "För vem",
        description=N_("Till exempel ”vuxna”, ”unga 13–25 år”, ”anhöriga”."),
        validators=[validators.Length(max=500)],
    )
    how_to_contact = TextAreaField("Så tar man kontakt", validators=[validators.Length(max=1000)])
    phone = TelField("Telefon", validators=[check_phone])
    email = EmailField(
        "E-post", validators=[validators.Optional(), validators.Email(N_("Skriv en giltig e-postadress."))]
    )
    website = URLField("Webbplats", validators=[check_website])
    openings_text = TextAreaField("Öppettider", description=openings.EXAMPLE, validators=[check_openings])
    address = StringField("Adress", validators=[validators.Length(max=200)])
    accessibility = TextAreaField(
        "Tillgänglighet",
        description=N_("Till exempel ramp, hiss, hörslinga, parkering nära entrén."),
        validators=[validators.Length(max=1000)],
    )
    status = SelectField("Status", choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()])
    status_message = StringField(
        "Meddelande om status",
        description=N_("Visas när tjänsten är tillfälligt stängd, till exempel ”Stängt v. 28–32, öppnar 11 augusti”."),
        validators=[validators.Length(max=500)],
    )


class ServiceForm(ProposalFields):
    organisation_id = SelectField("Organisation", coerce=int)
    name = StringField(
        "Namn på tjänsten", validators=[validators.InputRequired("Skriv tjänstens namn."), validators.Length(max=200)]
    )
    terms = SelectMultipleField(N_("Behov"), coerce=int)
    eligibility = TextAreaField(
        "Villkor", description=N_("Vem kan få hjälpen, och vad krävs?"), validators=[validators.Length(max=1000)]
    )
    min_age = IntegerField("Lägsta ålder", validators=AGE)
    max_age = IntegerField("Högsta ålder", validators=[*AGE, check_ages])
    languages = SelectMultipleField(N_("Språk"), choices=[SelectChoice(k, v) for k, v in LANGUAGES.items()])
    free = BooleanField("Kostnadsfritt")
    cost_description = StringField(
        "Kostnad", description=N_("Om det kostar något: vad och hur mycket."), validators=[validators.Length(max=500)]
    )
    contact_methods = SelectMultipleField(
        N_("Kontaktvägar"), choices=[SelectChoice(k, v) for k, v in METHOD_LABELS.items()]
    )
    accepts_referrals = BooleanField("Tar emot remisser via LISA")
    open_on_holidays = BooleanField(
        "Samma öppettider även på helgdagar",
        description=N_(
            "Annars visas tjänsten som stängd på röda dagar och på jul-, midsommar- och nyårsafton."
            " Enstaka dagar ändrar du under ”Avvikande öppettider”."
        ),
    )
    municipality = SelectField("Kommun")
    location_name = StringField(
        "Plats", description=N_("Till exempel ”Folkets hus, lilla salen”."), validators=[validators.Length(max=200)]
    )
    postal_code = StringField("Postnummer", validators=[validators.Length(max=10)])
    city = StringField("Ort", validators=[validators.Length(max=80)])
    verified = BooleanField("Jag har kontrollerat att uppgifterna stämmer", default=True)


#: What an organisation is, as offered on its form (an import may bring others).
ORGANISATION_KINDS = (
    N_("Förening"),
    N_("Trossamfund"),
    N_("Ideell organisation"),
    N_("Kommunal verksamhet"),
    N_("Region"),
    N_("Studieförbund"),
)


class OrganisationForm(Form):
    name = StringField(
        "Namn", validators=[validators.InputRequired("Skriv organisationens namn."), validators.Length(max=200)]
    )
    kind = SelectField("Typ", choices=[SelectChoice(k) for k in ORGANISATION_KINDS])
    description = TextAreaField("Om organisationen", validators=[validators.Length(max=2000)])
    municipality = SelectField("Kommun")
    website = URLField("Webbplats", validators=[check_website])
    email = EmailField(
        "E-post", validators=[validators.Optional(), validators.Email(N_("Skriv en giltig e-postadress."))]
    )
    phone = TelField("Telefon", validators=[check_phone])
    association_slug = StringField(
        "Medlemsförening (adress i föreningsregistret)",
        description=N_("Om det är en medlemsförening: sista delen av dess adress, t.ex. ”rodakorset-karlskoga”."),
        validators=[validators.Length(max=120)],
    )


class TermForm(Form):
    name = StringField(
        "Namn på behovet", validators=[validators.InputRequired("Skriv behovets namn."), validators.Length(max=100)]
    )
    description = StringField("Förklaring", validators=[validators.Length(max=500)])
    position = IntegerField(
        "Ordning",
        default=50,
        validators=[
            validators.InputRequired("Ange ett tal, t.ex. 50."),
            validators.NumberRange(0, 999, N_("Ange ett tal 0–999.")),
        ],
    )


class MembershipForm(Form):
    email = EmailField(
        "Kontots e-postadress",
        validators=[
            validators.InputRequired("Skriv kontots e-postadress."),
            validators.Email(N_("Skriv en giltig e-postadress.")),
        ],
    )
    target = SelectField("Kopplas till")


class HealthCentreForm(Form):
    name = StringField(
        "Vårdcentralens namn",
        validators=[validators.InputRequired("Skriv vårdcentralens namn."), validators.Length(max=200)],
    )
    municipality = SelectField("Kommun")


def translate_choices(form: Form) -> Form:
    """Show every select option's label in the visitor's language. The values
    stay as they are (codes, or the Swedish word that is stored), so only
    what people read changes; a name from the database that is no message
    (an organisation, a municipality) comes back unchanged."""
    for field in form:
        if isinstance(field, SelectField) and isinstance(field.choices, list):
            field.choices = [_translated(choice) for choice in field.choices]
    return form


def _translated(choice: object) -> SelectChoice:
    if isinstance(choice, SelectChoice):
        label = _(str(choice.label)) if choice.label else choice.label
        return SelectChoice(choice.value, label, choice.render_kw, choice.optgroup)
    value, label = choice if isinstance(choice, tuple) else (choice, choice)
    return SelectChoice(value, _(str(label)))


def _read_time(value: str | None) -> time | None:
    """ "10", "10.30" or "10:30" (what a time input sends); None if unreadable."""
    found = re.fullmatch(r"\s*(\d{1,2})(?:[.:](\d{2}))?\s*", value or "")
    if not found:
        return None
    hour, minute = int(found[1]), int(found[2] or 0)
    if hour == 24 and minute == 0:
        return time(23, 59)
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def _read_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


class SpecialHoursForm(Form):
    """Dates that differ from the week: closed, or open other hours."""

    starts_on = StringField(
        "Första dagen",
        description=N_("Som ÅÅÅÅ-MM-DD, till exempel 2026-12-24."),
        validators=[validators.InputRequired("Skriv första dagen, som ÅÅÅÅ-MM-DD.")],
        render_kw={"type": "date"},
    )
    ends_on = StringField(
        "Sista dagen",
        description=N_("Lämna tomt om det gäller en enda dag."),
        render_kw={"type": "date"},
    )
    kind = SelectField(
        "Öppet eller stängt",
        choices=[SelectChoice("closed", N_("Stängt")), SelectChoice("open", N_("Öppet andra tider"))],
    )
    opens_at = StringField("Öppnar", description=N_("Om öppet: till exempel 10.00."), render_kw={"type": "time"})
    closes_at = StringField("Stänger", description=N_("Om öppet: till exempel 14.00."), render_kw={"type": "time"})
    note = StringField(
        "Förklaring",
        description=N_("Visas bredvid tiderna, till exempel ”Julstängt”. Får vara tomt."),
        validators=[validators.Length(max=200)],
    )

    def validate_starts_on(self, field: Field) -> None:
        if _read_date(field.data) is None:
            raise ValidationError(_("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-24."))

    def validate_ends_on(self, field: Field) -> None:
        if not (field.data or "").strip():
            return
        last, first = _read_date(field.data), _read_date(self.starts_on.data)
        if last is None:
            raise ValidationError(_("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-26."))
        if first is not None and last < first:
            raise ValidationError(_("Sista dagen kan inte vara före första dagen."))
        if first is not None and (last - first).days > 366:
            raise ValidationError(_("Högst ett år i taget. Dela upp längre perioder, eller ändra veckans öppettider."))

    def validate_opens_at(self, field: Field) -> None:
        if self.kind.data == "open" and _read_time(field.data) is None:
            raise ValidationError(_("Skriv när det öppnar, till exempel 10.00."))

    def validate_closes_at(self, field: Field) -> None:
        if self.kind.data != "open":
            return
        closes = _read_time(field.data)
        if closes is None:
            raise ValidationError(_("Skriv när det stänger, till exempel 14.00."))
        if closes == _read_time(self.opens_at.data):
            raise ValidationError(_("Det kan inte öppna och stänga samma tid."))

    @property
    def first(self) -> date:
        return _read_date(self.starts_on.data) or date.min

    @property
    def last(self) -> date:
        return _read_date(self.ends_on.data) or self.first

    @property
    def hours(self) -> tuple[time | None, time | None]:
        if self.kind.data != "open":
            return None, None
        return _read_time(self.opens_at.data), _read_time(self.closes_at.data)
