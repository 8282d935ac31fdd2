"""The forms of the lokaler plugin. Labels and hints are msgids (Swedish),
translated as the form renders."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    validators,
)

from core.api import N_, Form, PhoneNumber

REPEAT_LABELS = {"": N_("En gång"), "weekly": N_("Varje vecka, samma veckodag och tid")}


class BookingForm(Form):
    booker = SelectField("Vem bokar?", choices=[], validate_choice=False)
    organisation = StringField(
        "Organisationens eller ditt namn",
        [validators.Length(max=200)],
        description=N_("Fyll i om du inte bokar för en medlemsförening."),
    )
    title = StringField(
        "Vad ska ni göra?",
        [validators.InputRequired("Skriv vad lokalen ska användas till."), validators.Length(max=200)],
        description=N_("Till exempel Styrelsemöte eller Körövning."),
    )
    attendees = IntegerField(
        "Hur många blir ni?",
        [
            validators.Optional(),
            validators.NumberRange(min=1, max=100_000, message="Skriv hur många ni blir, minst 1."),
        ],
        description=N_("Ungefär, som en siffra. Kansliet ser att rummet räcker till."),
    )
    day = DateField(
        "Datum", [validators.InputRequired("Skriv datum som åååå-mm-dd.")], description=N_("Till exempel 2027-03-09.")
    )
    start = TimeField(
        "Från klockan",
        [validators.InputRequired("Skriv starttid som tt:mm, till exempel 18:00.")],
        description=N_("Till exempel 18:00."),
    )
    end = TimeField(
        "Till klockan",
        [validators.InputRequired("Skriv sluttid som tt:mm, till exempel 20:00.")],
        description=N_("Till exempel 20:00."),
    )
    end_day = DateField(
        "Slutdatum",
        [validators.Optional()],
        description=N_("Lämna tomt om bokningen slutar samma dag. Över midnatt går det där öppettiderna tillåter det."),
    )
    repeat = SelectField("Hur ofta?", choices=[], validate_choice=False)
    until = DateField(
        "Upprepa till och med",
        [validators.Optional()],
        description=N_("För en serie: sista datumet, till exempel terminens slut (åååå-mm-dd)."),
    )
    contact_name = StringField(
        "Kontaktperson", [validators.InputRequired("Skriv vem vi kan kontakta."), validators.Length(max=120)]
    )
    contact_email = StringField(
        "E-post",
        [
            validators.InputRequired("Skriv en e-postadress."),
            validators.Email("Skriv en giltig e-postadress."),
            validators.Length(max=254),
        ],
        description=N_("Bekräftelsen skickas hit, med bokningen som kalenderfil."),
    )
    contact_phone = StringField("Telefon", [validators.Optional(), PhoneNumber("0586-123 45")])
    is_public = BooleanField(
        "Visa föreningens namn och vad ni gör i den offentliga kalendern",
        description=N_("Annars syns tiden bara som upptagen."),
    )


class DecisionForm(Form):
    message = TextAreaField(
        "Meddelande till den som bokat",
        [validators.Length(max=1000)],
        description=N_("Skickas med e-posten. Skriv varför om du avslår."),
    )


class MoveForm(Form):
    day = DateField("Nytt datum", [validators.InputRequired("Skriv datum som åååå-mm-dd.")])
    start = TimeField("Från klockan", [validators.InputRequired("Skriv starttid som tt:mm.")])
    end = TimeField("Till klockan", [validators.InputRequired("Skriv sluttid som tt:mm.")])
    end_day = DateField(
        "Slutdatum",
        [validators.Optional()],
        description=N_("Lämna tomt om bokningen slutar samma dag. Över midnatt går det där öppettiderna tillåter det."),
    )
    message = TextAreaField(
        "Meddelande till den som bokat",
        [validators.InputRequired("Skriv varför bokningen flyttas."), validators.Length(max=1000)],
    )


class AccessForm(Form):
    access_note = TextAreaField(
        "Nyckel och tillträde",
        [validators.Length(max=1000)],
        description=N_("Till exempel portkod eller var nyckeln hämtas. Visas bara för den som bokat och för kansliet."),
    )


class InterestForm(Form):
    organisation = StringField(
        "Förening eller organisation", [validators.InputRequired("Skriv föreningens namn."), validators.Length(max=200)]
    )
    name = StringField("Ditt namn", [validators.InputRequired("Skriv ditt namn."), validators.Length(max=120)])
    email = StringField(
        "E-post",
        [
            validators.InputRequired("Skriv en e-postadress."),
            validators.Email("Skriv en giltig e-postadress."),
            validators.Length(max=254),
        ],
    )
    phone = StringField("Telefon", [validators.Optional(), PhoneNumber("0586-123 45")])
    message = TextAreaField("Vad behöver ni?", [validators.Length(max=2000)])
    consent = BooleanField(
        "Jag går med på att kansliet sparar uppgifterna för att kontakta mig om kontorsplatser",
        [validators.InputRequired("Kryssa i rutan, annars kan vi inte spara din intresseanmälan.")],
    )


class OfficeForm(Form):
    """An office or desk at the house's office rental, and its tenancy."""

    name = StringField("Namn", [validators.InputRequired("Skriv vad platsen heter."), validators.Length(max=120)])
    size_text = StringField(
        "Storlek", [validators.Length(max=120)], description=N_("Till exempel 14 m², fönster mot gården.")
    )
    description = TextAreaField("Beskrivning", [validators.Length(max=2000)])
    rent_text = StringField(
        "Hyra", [validators.Length(max=300)], description=N_("Till exempel 2 500 kr i månaden inklusive el.")
    )
    tenant = SelectField("Hyresgäst", choices=[], validate_choice=False)
    period_start = DateField("Hyrs från och med", [validators.Optional()])
    period_end = DateField(
        "Hyrs till och med", [validators.Optional()], description=N_("Lämna tomt om hyran löper tills vidare.")
    )
    terms = TextAreaField(
        "Villkor", [validators.Length(max=2000)], description=N_("Till exempel uppsägningstid och nycklar.")
    )


class RequestForm(Form):
    """A booking request from someone without an account (another
    organisation or a resident): stored as a request for staff to decide."""

    booker = SelectField("Vem frågar?", choices=[], validate_choice=False)
    organisation = StringField(
        "Organisationens namn",
        [validators.Length(max=200)],
        description=N_("Lämna tomt om du frågar som privatperson."),
    )
    title = StringField(
        "Vad ska ni göra?",
        [validators.InputRequired("Skriv vad lokalen ska användas till."), validators.Length(max=160)],
    )
    people = IntegerField(
        "Hur många blir ni?",
        [
            validators.InputRequired("Skriv hur många ni blir, som en siffra."),
            validators.NumberRange(min=1, max=100_000, message="Skriv hur många ni blir, minst 1."),
        ],
    )
    day = DateField(
        "Datum", [validators.InputRequired("Skriv datum som åååå-mm-dd.")], description=N_("Till exempel 2027-03-09.")
    )
    start = TimeField("Från klockan", [validators.InputRequired("Skriv starttid som tt:mm, till exempel 18:00.")])
    end = TimeField("Till klockan", [validators.InputRequired("Skriv sluttid som tt:mm, till exempel 20:00.")])
    end_day = DateField(
        "Slutdatum",
        [validators.Optional()],
        description=N_("Lämna tomt om bokningen slutar samma dag. Över midnatt går det där öppettiderna tillåter det."),
    )
    contact_name = StringField(
        "Kontaktperson", [validators.InputRequired("Skriv vem vi kan kontakta."), validators.Length(max=120)]
    )
    contact_email = StringField(
        "E-post",
        [
            validators.InputRequired("Skriv en e-postadress."),
            validators.Email("Skriv en giltig e-postadress."),
            validators.Length(max=254),
        ],
        description=N_("Kansliets svar skickas hit."),
    )
    contact_phone = StringField("Telefon", [validators.Optional(), PhoneNumber("0586-123 45")])
    consent = BooleanField(
        "Jag går med på att kansliet sparar mina kontaktuppgifter för att handlägga förfrågan",
        [validators.InputRequired("Kryssa i rutan, annars kan vi inte ta emot förfrågan.")],
    )
