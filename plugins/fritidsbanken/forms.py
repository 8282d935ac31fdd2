"""The plugin's forms, with Swedish labels and messages that say what to do.

Labels, descriptions and messages given here are Swedish msgids: the form
macros translate them when they render (``|translate``). Extraction knows the
field classes and ``InputRequired``; the rest are marked with ``N_``. Errors
set in code are translated with ``_()`` where they are set, and option labels
where the choices are set (``translated_choices``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

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
from core.api import gettext as _
from plugins.fritidsbanken.phones import PhoneError, normalise

# Messages passed into a validator inside a field's arguments are not found by
# extraction there (a marked call nested in an unmarked one): marked here instead.
EMAIL_MESSAGE = N_("Skriv en e-postadress som namn@exempel.se.")
MOBILE_MISSING = N_("Skriv ditt mobilnummer, till exempel 070-123 45 67.")
MOBILE_LOST = N_("Mobilnumret saknas. Börja om och skriv ditt nummer.")


def _phone(required_message: str | None = None) -> Callable[[Form, StringField], None]:
    def check(form: Form, field: StringField) -> None:
        raw = (field.data or "").strip()
        if not raw:
            if required_message:
                raise validators.StopValidation(required_message)
            return
        try:
            field.data = normalise(raw)
        except PhoneError as exc:
            raise validators.StopValidation(str(exc)) from exc

    return check


def translated_choices(field: SelectField) -> None:
    """Option labels in the request's language: WTForms renders them as given,
    so the Swedish msgids are looked up when the form is made for a request."""
    declared: list[SelectChoice] = list(field.choices or [])
    field.choices = [SelectChoice(c.value, _(c.label)) for c in declared]


class PhoneForm(Form):
    mobile = StringField(
        "Mobilnummer",
        [_phone(MOBILE_MISSING)],
        description=N_("Vi skickar en kod med sms. Är du målsman, skriv ditt eget nummer så ser du också barnens lån."),
    )


class CodeForm(Form):
    mobile = StringField("Mobilnummer", [_phone(MOBILE_LOST)])
    code = StringField(
        "Kod från sms:et",
        [
            validators.InputRequired("Skriv koden från sms:et."),
            validators.Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=N_("Koden är sex siffror. Skriv den som i sms:et.")),
        ],
    )


class BorrowerForm(Form):
    """Registration at the counter and changes to a borrower."""

    name = StringField(
        "Namn", [validators.InputRequired("Skriv låntagarens för- och efternamn."), validators.Length(max=120)]
    )
    birth_year = IntegerField(
        "Födelseår",
        [validators.InputRequired("Skriv födelseåret med fyra siffror, till exempel 2014.")],
        description=N_("Behövs för att veta om låntagaren är under 18 år."),
    )
    mobile = StringField(
        "Mobilnummer",
        [_phone()],
        description=N_("Påminnelser skickas hit. Ett barn utan eget nummer nås via målsmans nummer."),
    )
    email = StringField(
        "E-post (valfritt)",
        [
            validators.Optional(),
            validators.Email(EMAIL_MESSAGE),
            validators.Length(max=254),
        ],
        description=N_("Om låntagaren vill ha påminnelser med e-post också."),
    )
    guardian_name = StringField("Målsmans namn", [validators.Length(max=120)])
    guardian_mobile = StringField("Målsmans mobilnummer", [_phone()])
    guardian_consent = BooleanField(
        "Målsman samtycker till att barnet lånar utrustning som kräver samtycke",
        description=N_("Till exempel cyklar, skridskor och vattensport."),
    )

    def validate_for(self, today: date) -> bool:
        """Field checks plus the rules that tie fields together; every problem is shown at once."""
        ok = self.validate()
        year = self.birth_year.data
        if isinstance(year, int) and not (today.year - 110 <= year <= today.year):
            self.birth_year.errors = [
                _("Skriv ett födelseår mellan %(first)s och %(last)s.")
                % {"first": today.year - 110, "last": today.year}
            ]
            ok = False
        minor = isinstance(year, int) and today.year - year < 18
        if minor:
            if not (self.guardian_name.data or "").strip():
                self.guardian_name.errors = [
                    *self.guardian_name.errors,
                    _("Skriv målsmans namn: låntagaren är under 18."),
                ]
                ok = False
            if not self.guardian_mobile.data and not self.guardian_mobile.errors:
                self.guardian_mobile.errors = [_("Skriv målsmans mobilnummer: låntagaren är under 18.")]
                ok = False
        elif isinstance(year, int) and not self.mobile.data and not self.mobile.errors:
            self.mobile.errors = [_("Skriv låntagarens mobilnummer.")]
            ok = False
        return ok


class OnlineRegistrationForm(BorrowerForm):
    """Registration on a phone: the verified number is the borrower's own or,
    for a child, the guardian's."""

    who = SelectField(
        "Vem ska låna?",
        choices=[SelectChoice("self", "Jag själv"), SelectChoice("child", "Mitt barn (under 18 år)")],
        validators=[validators.InputRequired("Välj vem som ska låna.")],
    )
    privacy = BooleanField(
        "Jag har läst hur Fritidsbanken sparar uppgifterna",
        [validators.InputRequired("Kryssa i rutan när du har läst hur uppgifterna sparas.")],
    )


class ItemForm(Form):
    number = StringField(
        "ID-nummer",
        [
            validators.InputRequired("Skriv sakens ID-nummer, det som står på etiketten."),
            validators.Regexp(r"^[A-Za-z0-9-]{1,20}$", message=N_("Använd bara bokstäver, siffror och bindestreck.")),
        ],
        description=N_("Förifyllt med nästa lediga nummer. Skriv ett annat om saken redan har en etikett."),
    )
    name = StringField("Benämning", [validators.InputRequired("Skriv vad saken är."), validators.Length(max=120)])
    category = SelectField("Kategori", validators=[validators.InputRequired("Välj en kategori.")])
    size = StringField(
        "Storlek", [validators.Length(max=40)], description=N_("Till exempel skostorlek 38, 150 cm eller 6–8 år.")
    )
    condition = SelectField("Skick")
    branch = SelectField("Utlåningsställe", validators=[validators.InputRequired("Välj utlåningsställe.")])
    description = TextAreaField("Beskrivning", [validators.Length(max=1000)])
    needs_consent = BooleanField("Kräver målsmans samtycke för låntagare under 18 år")
    donor = StringField(
        "Skänkt av (valfritt)", [validators.Length(max=120)], description=N_("Visas bara för personalen.")
    )
    photo_file = FileField("Foto")
    retired = BooleanField("Utrangerad (lånas inte ut längre)")


class BranchForm(Form):
    name = StringField("Namn", [validators.InputRequired("Skriv utlåningsställets namn."), validators.Length(max=120)])
    address = StringField("Adress", [validators.Length(max=200)])
    phone = StringField("Telefon", [validators.Length(max=40)])
    email = StringField("E-post", [validators.Optional(), validators.Email(EMAIL_MESSAGE)])
    info = TextAreaField(
        "Bra att veta", [validators.Length(max=1000)], description=N_("Till exempel hur man hittar dit.")
    )


class ReserveForm(Form):
    pickup_on = DateField(
        "Hämtdag",
        [validators.InputRequired("Välj vilken dag du vill hämta saken, som ÅÅÅÅ-MM-DD.")],
        description=N_("Är saken utlånad ställer du dig i kö och får ett sms när den finns att hämta."),
    )
    borrower = SelectField("Vem ska låna?")
