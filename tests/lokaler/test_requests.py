"""A booking request from someone without an account (issue 15): the public
form on a room that allows other organisations, checked like an editor's
booking, stored as a request in the staff's queue, mailed on receipt (real
SMTP) and on the decision with the .ics, spam and double clicks kept out,
and the contact details erased by the daily job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from core.testing import smtp_settings, text_of
from plugins.lokaler import personal
from plugins.lokaler.models import BookerKind, Booking, BookingStatus
from tests.lokaler.conftest import ADMIN, add_rooms, make_lok_site
from tests.lokaler.test_manage import _ics_of, _wait_for


def request_form(**overrides: object) -> dict[str, object]:
    """A valid request as a browser posts it: Tuesday 9 March 18-20 in Mötesrum Ekan."""
    data: dict[str, object] = {
        "booker": "organisation",
        "organisation": "Karlskoga Schackklubb",
        "title": "Schackkväll",
        "people": "10",
        "day": "2027-03-09",
        "start": "18:00",
        "end": "20:00",
        "contact_name": "Sara Schack",
        "contact_email": "sara@schack.example",
        "contact_phone": "",
        "consent": "y",
        "webbadress": "",
    }
    data.update(overrides)
    return data


def _bookings(site) -> list[Booking]:
    with site.session() as db:
        return list(db.exec(select(Booking)).all())


def test_an_anonymous_request_is_mailed_queued_and_approved(make_site, smtp_inbox, as_user):
    site = make_lok_site(make_site, extra=smtp_settings(smtp_inbox.port))
    room = add_rooms(site)["Mötesrum Ekan"]
    visitor = as_user(site, None)
    page = text_of(visitor.get(f"/lokaler/{room}").text)
    assert "Skicka en bokningsförfrågan" in page
    form_page = text_of(visitor.get(f"/lokaler/{room}/forfragan").text)
    assert "150 kr per timme." in form_page and "raderas 90 dagar efter bokningen" in form_page

    answer = visitor.submit(f"/lokaler/{room}/forfragan", request_form())
    assert answer.status_code == 303
    thanks = visitor.get(answer.headers["location"])
    assert "Du får ett nytt e-postmeddelande när förfrågan har godkänts eller avslagits" in text_of(thanks.text)
    # A double click: still one request.
    assert visitor.submit(f"/lokaler/{room}/forfragan", request_form()).status_code == 303
    (booking,) = _bookings(site)
    assert booking.status == BookingStatus.REQUESTED and booking.booker_kind == BookerKind.ORGANISATION
    assert booking.organisation == "Karlskoga Schackklubb" and booking.created_by_id is None
    _wait_for(smtp_inbox, 1)
    received = smtp_inbox.messages[0]
    assert received["To"] == "sara@schack.example" and "Bokningsförfrågan: Mötesrum Ekan" in received["Subject"]

    # In the staff's queue; approving mails the requester with the booking as .ics.
    admin = as_user(site, ADMIN)
    assert "Karlskoga Schackklubb" in text_of(admin.get("/lokaler/granska").text)
    decided = admin.submit(f"/lokaler/bokning/{booking.id}/beslut", {"beslut": "godkann", "message": ""})
    assert decided.status_code == 303
    _wait_for(smtp_inbox, 2)
    approved = smtp_inbox.messages[1]
    assert approved["To"] == "sara@schack.example" and "Bokning godkänd" in approved["Subject"]
    assert str(_ics_of(approved).walk("VEVENT")[0]["UID"]) == booking.uid
    # Without an account the booking page cannot be opened: the mail links to the room.
    body = approved.get_body(preferencelist=("plain",)).get_content()
    assert f"/lokaler/{room}\r\n" in body and "/lokaler/bokning/" not in body
    # The time is held: a second request for it is refused.
    taken = visitor.submit(f"/lokaler/{room}/forfragan", request_form(contact_email="annan@example.org"))
    assert taken.status_code == 409 and "Tiden är redan bokad" in text_of(taken.text)
    assert len(_bookings(site)) == 1


def test_bad_requests_are_explained_and_nothing_saved(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]  # capacity 12
    visitor = as_user(lok_site, None)
    cases = {
        "utanför öppettiderna": request_form(start="21:00", end="23:00"),
        "stängt 2027-03-26": request_form(day="2027-03-26"),
        "rymmer högst 12 personer": request_form(people="40"),
        "Kryssa i rutan": request_form(consent=""),
        "Skriv organisationens namn": request_form(organisation=""),
        "Skriv en giltig e-postadress": request_form(contact_email="inte-en-adress"),
    }
    for expected, form in cases.items():
        answer = visitor.submit(f"/lokaler/{room}/forfragan", form)
        assert answer.status_code == 400, expected
        assert expected in text_of(answer.text), (expected, text_of(answer.text)[:600])
    assert _bookings(lok_site) == []
    # The spam trap filled: thanked, nothing kept.
    answer = visitor.submit(f"/lokaler/{room}/forfragan", request_form(webbadress="http://spam.example"))
    assert answer.status_code == 303 and _bookings(lok_site) == []
    # A room only member associations book takes no requests.
    assert visitor.get(f"/lokaler/{rooms['Mötesrum Björken']}/forfragan").status_code == 404


def test_a_resident_request_is_erased_after_the_period(lok_site, rooms, as_user):
    room = rooms["Studiecirkelrummet"]  # residents only
    visitor = as_user(lok_site, None)
    form = request_form(booker="resident", organisation="", contact_email="pia@example.org", contact_name="Pia P")
    assert visitor.submit(f"/lokaler/{room}/forfragan", form).status_code == 303
    (booking,) = _bookings(lok_site)
    assert booking.booker_kind == BookerKind.RESIDENT and booking.organisation == "Pia P"
    personal.erase_old_contacts(lok_site, datetime(2027, 4, 1, tzinfo=UTC))
    assert _bookings(lok_site)[0].contact_email == "pia@example.org"
    personal.erase_old_contacts(lok_site, datetime(2027, 6, 9, tzinfo=UTC))  # 90 days after 9 March
    (erased,) = _bookings(lok_site)
    assert (erased.contact_email, erased.contact_name, erased.organisation) == ("", "", "")


def test_a_declined_request_is_erased_30_days_after(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    visitor = as_user(lok_site, None)
    assert visitor.submit(f"/lokaler/{room}/forfragan", request_form()).status_code == 303
    (booking,) = _bookings(lok_site)
    admin = as_user(lok_site, ADMIN)
    admin.submit(f"/lokaler/bokning/{booking.id}/beslut", {"beslut": "avsla", "message": "Fullt den kvällen."})
    assert _bookings(lok_site)[0].status == BookingStatus.DECLINED
    now = datetime.now(UTC)
    personal.erase_old_contacts(lok_site, now + timedelta(days=29))
    assert _bookings(lok_site)[0].contact_email == "sara@schack.example"
    personal.erase_old_contacts(lok_site, now + timedelta(days=31))
    assert _bookings(lok_site)[0].contact_email == ""
