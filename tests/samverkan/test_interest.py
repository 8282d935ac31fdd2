"""Anmäl intresse, as the people involved meet it: an association (here, or
a neighbour umbrella's) reports interest in a public open assignment
anonymously; the person gets a receipt and the office a notice (through a
real SMTP server); staff see the interest and turn it into a yes from a
directory association, or decline it. Refused after the last day; a robot
is kept out; bad input loses nothing; the contact person is in their own
data and erased by the daily job. Offers waiting for an answer show on the
editor's Mina föreningar."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

from sqlmodel import select

from core.daily import run_due
from core.testing import smtp_settings, text_of
from plugins.samverkan.models import Assignment, Interest, Offer
from tests.evenemang.programme_helpers import wait_for_mail
from tests.samverkan.conftest import ADMIN, EDITOR, OTHER_EDITOR, TODAY, make_sam_site


def _open(site, title: str = "Fika vid dialogmötet", deadline: date | None = None, **extra: object) -> int:  # type: ignore[no-untyped-def]
    """An assignment staff have taken on and the requester let be shown."""
    with site.session() as db:
        row = Assignment(
            title=title,
            description="Servera fika till 80 deltagare.",
            requester="Karlskoga kommun",
            contact_name="Kim Kontakt",
            contact_email="kim@kommun.example",
            status="open",
            show_public=True,
            deadline=deadline,
            created_at=site.clock.now(),
            **extra,
        )
        db.add(row)
        db.commit()
        return row.id or 0


def _interest(**overrides: str) -> dict[str, str]:
    data = {
        "association_name": "Storfors Hembygdsförening",
        "contact_name": "Sten Storfors",
        "contact_email": "sten@storfors.example",
        "contact_phone": "0550-123 45",
        "message": "Vi har åtta medlemmar som gärna bakar och serverar.",
    }
    data.update(overrides)
    return data


def _interests(site) -> list[Interest]:  # type: ignore[no-untyped-def]
    with site.session() as db:
        return list(db.exec(select(Interest).order_by(Interest.id)).all())


def test_an_association_reports_interest_and_staff_make_it_an_offer(make_site, smtp_inbox, as_user):
    site = make_sam_site(make_site, mail=smtp_settings(smtp_inbox.port))
    row_id = _open(site)
    visitor = as_user(site, None)
    listed = visitor.get("/samverkan/")
    assert f'href="/samverkan/uppdrag/{row_id}/intresse"' in listed.text
    form = visitor.get(f"/samverkan/uppdrag/{row_id}/intresse")
    assert form.status_code == 200 and 'name="csrftoken"' in form.text
    assert "Fika vid dialogmötet" in text_of(form.text) and "raderar dem 180 dagar" in text_of(form.text)
    sent = visitor.submit(f"/samverkan/uppdrag/{row_id}/intresse", _interest())
    assert sent.status_code == 303 and sent.headers["location"] == f"/samverkan/uppdrag/{row_id}/intresse/tack"
    thanks = text_of(visitor.get(sent.headers["location"]).text)
    assert "Tack för er intresseanmälan" in thanks and "Fika vid dialogmötet" in thanks

    mails = wait_for_mail(smtp_inbox, 2)
    receipt = [m for m in mails if m["To"] == "sten@storfors.example"]
    notice = [m for m in mails if m["To"] == "info@sam.example"]
    assert receipt and "Fika vid dialogmötet" in receipt[0]["Subject"]
    assert "Storfors Hembygdsförening" in receipt[0].get_payload(decode=True).decode()
    assert notice and "Intresseanmälan" in notice[0]["Subject"]
    assert "sten@storfors.example" in notice[0].get_payload(decode=True).decode()

    admin = as_user(site, ADMIN)
    listing = text_of(admin.get("/samverkan/admin/uppdrag").text)
    assert "Fika vid dialogmötet Karlskoga kommun" in listing and "Söker förening 1" in listing
    page = text_of(admin.get(f"/samverkan/admin/uppdrag/{row_id}").text)
    assert "Storfors Hembygdsförening" in page and "sten@storfors.example" in page and "åtta medlemmar" in page

    # Turned into an offer for a directory association: refused without one.
    (interest,) = _interests(site)
    none = admin.submit(f"/samverkan/admin/intresse/{interest.id}/erbjud", {"forening": ""})
    assert none.status_code == 303 and "Välj vilken förening" in text_of(admin.get(none.headers["location"]).text)
    made = admin.submit(f"/samverkan/admin/intresse/{interest.id}/erbjud", {"forening": "karlskoga-hembygd"})
    assert made.status_code == 303
    with site.session() as db:
        offer = db.exec(select(Offer).where(Offer.assignment_id == row_id)).one()
    assert (offer.association_slug, offer.answer) == ("karlskoga-hembygd", "yes")
    assert "åtta medlemmar" in offer.message
    page = text_of(admin.get(f"/samverkan/admin/uppdrag/{row_id}").text)
    assert "Karlskoga Hembygdsförening Ja, vi vill ta uppdraget" in page and "Gjord till erbjudande" in page
    # ... and it can be recorded as the match the usual way.
    matched = admin.submit(
        f"/samverkan/admin/uppdrag/{row_id}/utfall",
        {"association": "karlskoga-hembygd", "status": "matched", "outcome": "", "hours": "", "paid_kronor": ""},
    )
    assert matched.status_code == 303
    with site.session() as db:
        assert db.get(Assignment, row_id).matched_name == "Karlskoga Hembygdsförening"  # type: ignore[union-attr]
    # Handled once.
    again = admin.submit(f"/samverkan/admin/intresse/{interest.id}/avboj", {})
    assert "redan hanterad" in text_of(admin.get(again.headers["location"]).text)
    assert _interests(site)[0].status == "offered"


def test_staff_decline_an_interest(sam_site, as_user):
    row_id = _open(sam_site)
    as_user(sam_site, None).submit(f"/samverkan/uppdrag/{row_id}/intresse", _interest())
    admin = as_user(sam_site, ADMIN)
    (interest,) = _interests(sam_site)
    assert admin.submit(f"/samverkan/admin/intresse/{interest.id}/avboj", {}).status_code == 303
    assert _interests(sam_site)[0].status == "declined"
    assert "Avböjd" in text_of(admin.get(f"/samverkan/admin/uppdrag/{row_id}").text)


def test_refused_after_the_last_day_and_when_not_open(sam_site, as_user):
    today = sam_site.clock.today()
    passed = _open(sam_site, "Gammalt uppdrag", deadline=today - timedelta(days=1))
    last_day = _open(sam_site, "Sista dagen idag", deadline=today)
    matched = _open(sam_site, "Redan förmedlat")
    hidden = _open(sam_site, "Inte öppet visat")
    with sam_site.session() as db:
        for row_id, changes in ((matched, {"status": "matched"}), (hidden, {"show_public": False})):
            row = db.get(Assignment, row_id)
            assert row is not None
            for key, value in changes.items():
                setattr(row, key, value)
            db.add(row)
        db.commit()
    visitor = as_user(sam_site, None)
    late = visitor.get(f"/samverkan/uppdrag/{passed}/intresse")
    assert late.status_code == 410
    assert f"Sista dagen att anmäla intresse för uppdraget var {(today - timedelta(days=1)).isoformat()}" in text_of(
        late.text
    )
    assert 'name="contact_email"' not in late.text
    refused = visitor.submit(f"/samverkan/uppdrag/{passed}/intresse", _interest())
    assert refused.status_code == 410 and "Det går inte längre att anmäla intresse" in text_of(refused.text)
    taken = visitor.submit(f"/samverkan/uppdrag/{matched}/intresse", _interest())
    assert taken.status_code == 410 and "söker inte längre någon förening" in text_of(taken.text)
    assert visitor.get(f"/samverkan/uppdrag/{hidden}/intresse").status_code == 404
    assert visitor.submit(f"/samverkan/uppdrag/{hidden}/intresse", _interest()).status_code == 404
    assert _interests(sam_site) == []
    # The last day itself still counts.
    assert visitor.submit(f"/samverkan/uppdrag/{last_day}/intresse", _interest()).status_code == 303
    assert [i.assignment_id for i in _interests(sam_site)] == [last_day]


def test_a_robot_filling_the_hidden_field_is_thanked_and_forgotten(sam_site, as_user):
    row_id = _open(sam_site)
    robot = as_user(sam_site, None).submit(f"/samverkan/uppdrag/{row_id}/intresse", _interest(webbadress="http://x"))
    assert robot.status_code == 303 and robot.headers["location"].endswith("/intresse/tack")
    assert _interests(sam_site) == []


def test_a_bad_email_is_explained_and_nothing_typed_is_lost(sam_site, as_user):
    row_id = _open(sam_site)
    bad = as_user(sam_site, None).submit(
        f"/samverkan/uppdrag/{row_id}/intresse", _interest(contact_email="sten-at-storfors", message="")
    )
    assert bad.status_code == 400
    shown = text_of(bad.text)
    assert "Skriv en giltig e-postadress" in shown and "Skriv några rader om varför" in shown
    assert 'value="sten-at-storfors"' in bad.text and 'value="Storfors Hembygdsförening"' in bad.text
    assert 'value="0550-123 45"' in bad.text
    assert _interests(sam_site) == []


def test_the_contact_is_in_own_data_and_erased_after_the_assignment_ended(sam_site, as_user):
    closing = _open(sam_site, "Avslutas snart")
    by_day = _open(sam_site, "Med sista dag", deadline=sam_site.clock.today() + timedelta(days=10))
    still_open = _open(sam_site, "Öppet länge")
    visitor = as_user(sam_site, None)
    visitor.submit(f"/samverkan/uppdrag/{closing}/intresse", _interest(contact_email=OTHER_EDITOR))
    visitor.submit(f"/samverkan/uppdrag/{by_day}/intresse", _interest())
    visitor.submit(f"/samverkan/uppdrag/{still_open}/intresse", _interest())

    olle = as_user(sam_site, OTHER_EDITOR)
    archive = zipfile.ZipFile(io.BytesIO(olle.get("/konto/mina-uppgifter.zip").content))
    data = json.loads(archive.read("uppgifter.json"))["samverkan"]
    assert [(r["uppdrag"], r["forening"], r["e_post"]) for r in data["intresseanmalningar"]] == [
        ("Avslutas snart", "Storfors Hembygdsförening", OTHER_EDITOR)
    ]
    assert "sten@storfors.example" not in json.dumps(data), "nobody else's data"

    admin = as_user(sam_site, ADMIN)
    assert admin.submit(f"/samverkan/admin/uppdrag/{closing}/lage", {"status": "closed"}).status_code == 303
    run_due(sam_site, TODAY + timedelta(days=179), any_hour=True)
    assert all(i.contact_email for i in _interests(sam_site)), "kept for 180 days"
    run_due(sam_site, TODAY + timedelta(days=181), any_hour=True)
    closed, dated, kept = _interests(sam_site)
    assert (closed.contact_name, closed.contact_email, closed.contact_phone, closed.message) == ("", "", "", "")
    assert closed.association_name == "Storfors Hembygdsförening" and closed.erased_at is not None
    assert dated.contact_email, "its last day was ten days after the closed one's"
    assert kept.contact_email == "sten@storfors.example"
    run_due(sam_site, TODAY + timedelta(days=191), any_hour=True)
    closed, dated, kept = _interests(sam_site)
    assert dated.contact_email == "" and kept.contact_email == "sten@storfors.example", "open with no last day: kept"
    staff = as_user(sam_site, ADMIN)  # a new sign-in: the daily jobs ended the old session
    assert "Kontaktuppgifterna är raderade" in text_of(staff.get(f"/samverkan/admin/uppdrag/{closing}").text)


def test_offers_waiting_for_an_answer_are_on_mina_foreningar(sam_site, as_user):
    row_id = _open(sam_site)
    admin = as_user(sam_site, ADMIN)
    assert admin.submit(f"/samverkan/admin/uppdrag/{row_id}/erbjud", {"forening": ["pro-karlskoga"]}).status_code == 303
    editor = as_user(sam_site, EDITOR)
    page = editor.get("/mina-foreningar")
    shown = text_of(page.text)
    assert "Erbjudna uppdrag att svara på" in shown and "Fika vid dialogmötet" in shown
    assert "Erbjudet till: PRO Karlskoga · Beställare: Karlskoga kommun" in shown
    assert 'name="tillbaka" value="/mina-foreningar"' in page.text
    # Another association's editor sees nothing of it.
    other = text_of(as_user(sam_site, OTHER_EDITOR).get("/mina-foreningar").text)
    assert "Fika vid dialogmötet" not in other and "Erbjudna uppdrag att svara på" not in other
    # Answered from there, back there; the answered offer leaves the section.
    with sam_site.session() as db:
        offer = db.exec(select(Offer)).one()
    answered = editor.submit(
        f"/samverkan/erbjudanden/{offer.id}/svar", {"answer": "yes", "message": "", "tillbaka": "/mina-foreningar"}
    )
    assert answered.status_code == 303 and answered.headers["location"] == "/mina-foreningar"
    after = text_of(editor.get("/mina-foreningar").text)
    assert "Tack för ert svar" in after and "Fika vid dialogmötet" not in after
    # The old page keeps the whole list; another host is never where an answer leads.
    assert "Ja, vi vill ta uppdraget" in text_of(editor.get("/samverkan/erbjudanden").text)
    with sam_site.session() as db:
        db.add(Offer(assignment_id=row_id, association_slug="pro-karlskoga", association_name="PRO Karlskoga"))
        db.commit()
        second = db.exec(select(Offer).where(Offer.answer == "pending")).one()
    off_site = editor.submit(
        f"/samverkan/erbjudanden/{second.id}/svar", {"answer": "no", "message": "", "tillbaka": "//evil.example/"}
    )
    assert off_site.headers["location"] == "/samverkan/erbjudanden"


def test_an_answer_sent_without_a_choice_accepts_nothing_and_keeps_the_message(sam_site, as_user):
    row_id = _open(sam_site, deadline=date(2026, 12, 12), when_text="Tisdag 3 november", place="Folkets hus")
    admin = as_user(sam_site, ADMIN)
    assert admin.submit(f"/samverkan/admin/uppdrag/{row_id}/erbjud", {"forening": ["pro-karlskoga"]}).status_code == 303
    with sam_site.session() as db:
        offer = db.exec(select(Offer)).one()
    editor = as_user(sam_site, EDITOR)
    page = editor.get("/mina-foreningar").text
    # Nothing is chosen until the editor picks: "Välj svar" first and selected.
    choices = page.split(f'id="mina-svar-{offer.id}"', 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected>Välj svar</option>' in choices
    assert choices.count("selected") == 1
    # Each part of the line says what it is.
    assert (
        "Erbjudet till: PRO Karlskoga · Beställare: Karlskoga kommun · När: Tisdag 3 november · Var: Folkets hus"
        " · Sista dag att anmäla intresse: 12 december 2026"
    ) in text_of(page)

    typed = "Vi kan nog, men vill prata med styrelsen först."
    refused = editor.submit(
        f"/samverkan/erbjudanden/{offer.id}/svar", {"answer": "", "message": typed, "tillbaka": "/mina-foreningar"}
    )
    assert refused.status_code == 400
    assert "Välj om föreningen vill ta uppdraget eller inte." in text_of(refused.text)
    assert f'<textarea id="meddelande-{offer.id}" name="message" rows="3">{typed}</textarea>' in refused.text
    assert f'aria-describedby="svar-{offer.id}-error"' in refused.text
    assert f'<a href="#svar-{offer.id}">Välj om föreningen' in refused.text  # the summary leads to the list
    assert 'name="tillbaka" value="/mina-foreningar"' in refused.text
    with sam_site.session() as db:
        assert db.exec(select(Offer)).one().answer == "pending", "nothing was accepted"
    # A form without the field at all is refused the same way.
    assert editor.submit(f"/samverkan/erbjudanden/{offer.id}/svar", {"message": typed}).status_code == 400

    # The corrected answer goes through, and back to Mina föreningar.
    answered = editor.submit(
        f"/samverkan/erbjudanden/{offer.id}/svar", {"answer": "no", "message": typed, "tillbaka": "/mina-foreningar"}
    )
    assert answered.status_code == 303 and answered.headers["location"] == "/mina-foreningar"
    with sam_site.session() as db:
        done = db.exec(select(Offer)).one()
    assert (done.answer, done.message) == ("no", typed)


def test_over_the_hourly_limit_the_form_says_so_and_keeps_what_was_typed(sam_site, as_user):
    row_id = _open(sam_site)
    visitor = as_user(sam_site, None)
    for n in range(5):  # public_forms_per_hour = 5
        sent = visitor.submit(f"/samverkan/uppdrag/{row_id}/intresse", _interest(contact_name=f"Sten {n}"))
        assert sent.status_code == 303
    over = visitor.submit(f"/samverkan/uppdrag/{row_id}/intresse", _interest(contact_name="Sten sex"))
    assert over.status_code == 429
    assert "Det har kommit många anmälningar härifrån" in text_of(over.text)
    assert 'value="Sten sex"' in over.text
    assert len(_interests(sam_site)) == 5
    # An hour later it goes through again.
    sam_site.clock.set(sam_site.clock.now() + timedelta(hours=1, minutes=1))
    again = visitor.submit(f"/samverkan/uppdrag/{row_id}/intresse", _interest(contact_name="Sten sex"))
    assert again.status_code == 303 and len(_interests(sam_site)) == 6
