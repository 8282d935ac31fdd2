"""Uppdragsförmedling end to end, as the people involved meet it: a
requester sends an assignment anonymously (and hears by e-mail from a real
SMTP server), staff see suggested associations and offer it, an editor
answers on Erbjudna uppdrag, staff record the match and the outcome. Bad
input is explained in Swedish and loses nothing."""

from __future__ import annotations

from sqlmodel import select

from core.testing import smtp_settings, text_of
from plugins.samverkan.models import Assignment, Offer
from tests.evenemang.programme_helpers import wait_for_mail
from tests.samverkan.conftest import ADMIN, EDITOR, OTHER_EDITOR, assignment_form, make_sam_site


def _only(site) -> Assignment:  # type: ignore[no-untyped-def]
    with site.session() as db:
        return db.exec(select(Assignment)).one()


def test_the_whole_flow_from_request_to_outcome(make_site, smtp_inbox, as_user):
    site = make_sam_site(make_site, mail=smtp_settings(smtp_inbox.port))
    visitor = as_user(site, None)
    page = visitor.get("/samverkan/uppdrag/nytt")
    assert page.status_code == 200 and 'name="csrftoken"' in page.text
    sent = visitor.submit("/samverkan/uppdrag/nytt", assignment_form())
    assert sent.status_code == 303
    assert "Tack! Vi har tagit emot uppdraget" in text_of(visitor.get(sent.headers["location"]).text)
    mails = wait_for_mail(smtp_inbox, 2)
    to_requester = [m for m in mails if m["To"] == "kim@kommun.example"]
    assert to_requester and "Promenadledare för seniorer" in to_requester[0]["Subject"]
    row = _only(site)
    assert row.status == "new" and row.contact_email == "kim@kommun.example"
    # Not public until staff take it on.
    assert "Promenadledare" not in visitor.get("/samverkan/").text

    admin = as_user(site, ADMIN)
    detail = text_of(admin.get(f"/samverkan/admin/uppdrag/{row.id}").text)
    # PRO Karlskoga does "promenader" and is in Karlskoga: suggested first.
    suggested = detail.split("Föreslagna föreningar", 1)[1].split("Alla föreningar", 1)[0]
    assert (
        suggested.index("PRO Karlskoga") < suggested.index("Degerfors IF Ungdom")
        if "Degerfors IF" in suggested
        else True
    )
    assert "PRO Karlskoga" in suggested
    offered = admin.submit(f"/samverkan/admin/uppdrag/{row.id}/erbjud", {"forening": ["pro-karlskoga", "degerfors-if"]})
    assert offered.status_code == 303
    assert _only(site).status == "open"
    assert "Promenadledare för seniorer" in visitor.get("/samverkan/").text  # the requester let it be shown
    front = text_of(visitor.get("/").text)
    assert "Uppdrag till föreningarna" in front and "Promenadledare för seniorer" in front

    editor = as_user(site, EDITOR)
    offers = editor.get("/samverkan/erbjudanden")
    assert "Promenadledare för seniorer" in offers.text and "PRO Karlskoga" in offers.text
    with site.session() as db:
        pro = db.exec(select(Offer).where(Offer.association_slug == "pro-karlskoga")).one()
        ski = db.exec(select(Offer).where(Offer.association_slug == "degerfors-if")).one()
    # The editor of another association may not answer for PRO.
    assert (
        as_user(site, OTHER_EDITOR).submit(f"/samverkan/erbjudanden/{pro.id}/svar", {"answer": "yes"}).status_code
        == 403
    )
    # A question needs its text; then yes.
    asked = editor.submit(f"/samverkan/erbjudanden/{pro.id}/svar", {"answer": "question", "message": ""})
    assert asked.status_code == 400 and "Skriv er fråga" in text_of(asked.text)
    assert editor.submit(f"/samverkan/erbjudanden/{pro.id}/svar", {"answer": "yes"}).status_code == 303
    twice = editor.submit(f"/samverkan/erbjudanden/{pro.id}/svar", {"answer": "no", "message": "Vi ångrar oss"})
    assert twice.status_code == 400 and "redan besvarat" in text_of(twice.text)
    assert "Ja, vi vill ta uppdraget" in text_of(editor.get("/samverkan/erbjudanden").text)
    as_user(site, OTHER_EDITOR).submit(f"/samverkan/erbjudanden/{ski.id}/svar", {"answer": "no"})

    staff_view = text_of(admin.get(f"/samverkan/admin/uppdrag/{row.id}").text)
    assert "PRO Karlskoga Ja, vi vill ta uppdraget" in staff_view
    assert "Degerfors IF Ungdom Nej tack" in staff_view
    # Matched without an association: refused, the typed outcome kept.
    bad = admin.submit(
        f"/samverkan/admin/uppdrag/{row.id}/utfall",
        {"association": "", "status": "matched", "outcome": "Bra start", "hours": "12,5", "paid_kronor": "3000"},
    )
    assert bad.status_code == 400 and "Välj vilken förening som tog uppdraget" in text_of(bad.text)
    assert "Bra start" in bad.text
    done = admin.submit(
        f"/samverkan/admin/uppdrag/{row.id}/utfall",
        {
            "association": "pro-karlskoga",
            "status": "done",
            "outcome": "Fem promenader",
            "hours": "12.5",
            "paid_kronor": "3000",
        },
    )
    assert done.status_code == 303
    row = _only(site)
    assert (row.status, row.matched_name, row.hours, row.paid_kronor) == ("done", "PRO Karlskoga", 12.5, 3000)
    assert row.closed_at is not None
    mails = wait_for_mail(smtp_inbox, 8)  # with the offer's notice to each association's editor
    told = [m for m in mails if m["To"] == "kim@kommun.example"]
    assert any("genomfört" in m.get_content() for m in told), [m.get_content() for m in told]


def test_a_form_with_a_missing_contact_keeps_what_was_typed(sam_site, as_user):
    visitor = as_user(sam_site, None)
    page = visitor.submit("/samverkan/uppdrag/nytt", assignment_form(contact_email="", title="Fika på torget"))
    assert page.status_code == 400
    text = text_of(page.text)
    assert "Skriv en e-postadress så att vi kan svara." in text
    assert 'value="Fika på torget"' in page.text and "Kim Kontakt" in page.text
    with sam_site.session() as db:
        assert db.exec(select(Assignment)).first() is None


def test_a_robot_filling_the_hidden_field_is_thanked_and_forgotten(sam_site, as_user):
    visitor = as_user(sam_site, None)
    page = visitor.submit("/samverkan/uppdrag/nytt", assignment_form(webbadress="http://spam.example"))
    assert page.status_code == 303
    with sam_site.session() as db:
        assert db.exec(select(Assignment)).first() is None


def test_social_enterprises_are_marked_and_suggested_for_suited_assignments(sam_site, as_user):
    admin = as_user(sam_site, ADMIN)
    assert admin.submit("/samverkan/admin/sociala-foretag", {"forening": ["cykelverkstan"]}).status_code == 303
    assert 'value="cykelverkstan" checked' in admin.get("/samverkan/admin/sociala-foretag").text
    as_user(sam_site, None).submit(
        "/samverkan/uppdrag/nytt",
        assignment_form(
            title="Snöskottning vid äldreboende", description="Skotta entréer i vinter.", social_enterprise="y"
        ),
    )
    row = _only(sam_site)
    suggested = text_of(admin.get(f"/samverkan/admin/uppdrag/{row.id}").text).split("Föreslagna föreningar", 1)[1]
    assert suggested.split("Alla föreningar", 1)[0].strip().startswith("Cykelverkstan")


def test_the_sixth_assignment_in_an_hour_from_one_address_is_refused_with_nothing_lost(sam_site, as_user):
    visitor = as_user(sam_site, None)
    for n in range(5):  # public_forms_per_hour = 5, per visitor and per e-mail address
        assert visitor.submit("/samverkan/uppdrag/nytt", assignment_form(title=f"Uppdrag {n}")).status_code == 303
    over = visitor.submit("/samverkan/uppdrag/nytt", assignment_form(title="Det sjätte uppdraget"))
    assert over.status_code == 429
    assert "Ingenting är sparat. Vänta en timme" in text_of(over.text)
    assert 'value="Det sjätte uppdraget"' in over.text
    with sam_site.session() as db:
        assert len(db.exec(select(Assignment)).all()) == 5
