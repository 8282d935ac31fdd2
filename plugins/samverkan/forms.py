"""The forms of the samverkan plugin. Labels and hints are msgids (Swedish),
translated as the form renders; validators' messages are Swedish and say what to do."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FileField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)

from core.api import N_, Form, PhoneNumber, SelectChoice

EMAIL = [
    validators.InputRequired("Skriv en e-postadress så att vi kan svara."),
    validators.Email("Skriv en giltig e-postadress, till exempel namn@kommun.se."),
    validators.Length(max=254),
]


class SwedishDecimalField(DecimalField):
    """A decimal number as a Swedish reader writes it: 12,5 as well as 12.5."""

    def process_formdata(self, valuelist: list[object]) -> None:
        super().process_formdata([str(v).replace(",", ".").replace("\u00a0", "").replace(" ", "") for v in valuelist])


def _required(message: str, length: int) -> list[object]:
    return [validators.InputRequired(message), validators.Length(max=length)]


def _count(label: str) -> IntegerField:
    return IntegerField(
        label,
        [validators.Optional(), validators.NumberRange(0, 100000, "Skriv ett antal mellan 0 och 100 000.")],
        default=0,
    )


class AssignmentForm(Form):
    """The public form: a municipality, region, company or organisation offers an assignment."""

    requester_kind = SelectField(
        "Vem ger uppdraget?",
        choices=[
            SelectChoice("kommun", N_("Kommun")),
            SelectChoice("region", N_("Region")),
            SelectChoice("foretag", N_("Företag")),
            SelectChoice("organisation", N_("Organisation")),
        ],
    )
    requester = StringField("Organisationens namn", _required("Skriv vilken organisation som ger uppdraget.", 200))
    title = StringField(
        "Vad gäller uppdraget?",
        _required("Skriv en kort rubrik för uppdraget.", 200),
        description=N_("Till exempel Fikaservering vid medborgardialog."),
    )
    description = TextAreaField("Beskriv uppdraget", _required("Beskriv vad föreningen ska göra.", 4000))
    when_text = StringField("När?", [validators.Length(max=200)], description=N_("Datum eller period."))
    place = StringField("Var?", [validators.Length(max=200)])
    scope = StringField(
        "Omfattning", [validators.Length(max=200)], description=N_("Till exempel 4 personer i 3 timmar.")
    )
    compensation = StringField(
        "Ersättning", [validators.Length(max=200)], description=N_("Till exempel 3 000 kr till föreningen.")
    )
    deadline = DateField(
        "Sista dag att anmäla intresse",
        [validators.Optional()],
        description=N_("Frivilligt. Efter den dagen visas uppdraget inte längre som öppet."),
    )
    social_enterprise = BooleanField("Uppdraget passar ett arbetsintegrerande socialt företag")
    show_public = BooleanField(
        "Uppdraget får visas öppet på webbplatsen och delas med grannföreningsråden",
        description=N_("Kontaktuppgifterna visas aldrig."),
    )
    contact_name = StringField("Kontaktperson", _required("Skriv vem vi kan kontakta om uppdraget.", 120))
    contact_email = StringField("E-post", EMAIL, description=N_("Vi berättar här hur det går med uppdraget."))
    contact_phone = StringField("Telefon", [validators.Optional(), PhoneNumber("0586-123 45")])
    consent = BooleanField(
        "Jag går med på att föreningsrådet sparar kontaktuppgifterna tills uppdraget är avslutat",
        [validators.InputRequired("Kryssa i rutan, annars kan vi inte ta emot uppdraget.")],
    )


INTEREST_EMAIL = [
    validators.InputRequired("Skriv en e-postadress så att vi kan svara."),
    validators.Email("Skriv en giltig e-postadress, till exempel namn@forening.se."),
    validators.Length(max=254),
]


class InterestForm(Form):
    """The public form on an open assignment: an association reports interest."""

    association_name = StringField(
        "Förening", _required("Skriv vilken förening som vill ta uppdraget.", 200), description=N_("Föreningens namn.")
    )
    contact_name = StringField("Kontaktperson", _required("Skriv vem i föreningen vi kan kontakta.", 120))
    contact_email = StringField("E-post", INTEREST_EMAIL)
    contact_phone = StringField("Telefon", [validators.Optional(), PhoneNumber("0586-123 45")])
    message = TextAreaField(
        "Varför passar uppdraget er?",
        _required("Skriv några rader om varför uppdraget passar föreningen.", 2000),
        description=N_("Några rader räcker: vad ni gör och hur många som kan ställa upp."),
    )


class AnswerForm(Form):
    answer = SelectField(
        "Ert svar",
        choices=[
            # Empty and chosen until the editor picks: a form sent by mistake accepts nothing.
            SelectChoice("", N_("Välj svar")),
            SelectChoice("yes", N_("Ja, vi vill ta uppdraget")),
            SelectChoice("no", N_("Nej tack")),
            SelectChoice("question", N_("Vi har en fråga")),
        ],
    )
    message = TextAreaField(
        "Meddelande till kansliet", [validators.Length(max=2000)], description=N_("Skriv er fråga här.")
    )


class OutcomeForm(Form):
    association = SelectField("Förening som tog uppdraget", choices=[], validate_choice=False)
    status = SelectField(
        "Läge",
        choices=[
            SelectChoice("matched", N_("Förmedlat")),
            SelectChoice("done", N_("Genomfört")),
            SelectChoice("closed", N_("Avslutat utan förening")),
        ],
    )
    outcome = TextAreaField(
        "Utfall", [validators.Length(max=2000)], description=N_("Hur gick det? Blev det en längre samverkan?")
    )
    hours = SwedishDecimalField(
        "Timmar",
        [validators.Optional(), validators.NumberRange(0, 100000, "Skriv antal timmar mellan 0 och 100 000.")],
        places=1,
    )
    paid_kronor = IntegerField(
        "Ersättning i kronor",
        [validators.Optional(), validators.NumberRange(0, 100_000_000, "Skriv ett belopp i hela kronor.")],
    )


class StatementForm(Form):
    topic = StringField("Ämne", _required("Skriv vad remissvaret gäller.", 200))
    recipient = StringField("Till vem", _required("Skriv vem svaret gick till.", 200))
    day = DateField("Datum", [validators.InputRequired("Skriv datum som åååå-mm-dd.")])
    associations = TextAreaField(
        "Föreningar som deltog", [validators.Length(max=2000)], description=N_("En förening per rad.")
    )
    summary = TextAreaField("Sammanfattning", [validators.Length(max=4000)])
    outcome = TextAreaField("Utfall", [validators.Length(max=2000)], description=N_("Vad hände med synpunkterna?"))
    document = FileField("Dokument (PDF)", description=N_("Högst 5 MB."))
    is_public = BooleanField("Visa i den öppna listan", default=True)


class MeetingForm(Form):
    title = StringField("Rubrik", _required("Skriv en rubrik för mötet.", 200))
    kind = SelectField(
        "Typ av möte",
        choices=[
            SelectChoice("natverk", N_("Nätverksträff")),
            SelectChoice("samverkansgrupp", N_("Samverkansgrupp")),
            SelectChoice("dialog", N_("Dialog med kommunen")),
            SelectChoice("utbildning", N_("Utbildning")),
        ],
    )
    day = DateField("Datum", [validators.InputRequired("Skriv datum som åååå-mm-dd.")])
    room = SelectField("Rum i huset", choices=[], validate_choice=False)
    place = StringField(
        "Annan plats", [validators.Length(max=200)], description=N_("Om mötet inte hölls i ett av husets rum.")
    )
    agenda = TextAreaField("Dagordning", [validators.Length(max=4000)])
    minutes = TextAreaField("Minnesanteckningar", [validators.Length(max=20000)], description=N_("Markdown går bra."))
    civil_society = _count("Deltagare från civilsamhället")
    municipality = _count("Deltagare från kommunen")
    region = _count("Deltagare från regionen")
    business = _count("Deltagare från näringslivet")
    associations = TextAreaField(
        "Föreningar som deltog", [validators.Length(max=2000)], description=N_("En förening per rad.")
    )


class ActionForm(Form):
    what = StringField("Åtgärd", _required("Skriv vad som ska göras.", 300))
    owner = StringField("Ansvarig", _required("Skriv vem som ansvarar (en roll eller organisation).", 200))
    due = DateField("Klart senast", [validators.Optional()])


class ProjectForm(Form):
    title = StringField("Projekt", _required("Skriv projektets namn.", 200))
    lead = StringField("Huvudsökande förening", _required("Skriv vilken förening som leder ansökan.", 200))
    partners = TextAreaField(
        "Samverkande föreningar", [validators.Length(max=2000)], description=N_("En förening per rad.")
    )
    funder = StringField("Finansiär", _required("Skriv vem ansökan går till.", 200))
    applied_kronor = IntegerField(
        "Sökt belopp (kr)",
        [validators.Optional(), validators.NumberRange(0, 1_000_000_000, "Skriv ett belopp i hela kronor.")],
    )
    granted_kronor = IntegerField(
        "Beviljat belopp (kr)",
        [validators.Optional(), validators.NumberRange(0, 1_000_000_000, "Skriv ett belopp i hela kronor.")],
    )
    status = SelectField(
        "Läge",
        choices=[
            SelectChoice("idea", N_("Idé")),
            SelectChoice("writing", N_("Ansökan skrivs")),
            SelectChoice("submitted", N_("Inskickad")),
            SelectChoice("granted", N_("Beviljad")),
            SelectChoice("declined", N_("Avslag")),
            SelectChoice("finished", N_("Avslutad")),
        ],
    )
    submitted = DateField("Inskickad den", [validators.Optional()])
    starts = DateField("Projektstart", [validators.Optional()])
    ends = DateField("Projektslut", [validators.Optional()])
    notes = TextAreaField("Anteckningar", [validators.Length(max=4000)])

    def validate_ends(self, field: DateField) -> None:
        if field.data and self.starts.data and field.data < self.starts.data:
            raise validators.ValidationError("Projektslutet ligger före starten. Rätta något av datumen.")


class CommentForm(Form):
    comment_voice = TextAreaField("Röstbärarroll", [validators.Length(max=4000)])
    comment_coordination = TextAreaField("Samordningsstöd och uppdragsförmedling", [validators.Length(max=4000)])
    comment_projects = TextAreaField("Projektstöd", [validators.Length(max=4000)])
