"""The public member directory: the list with its filters, paging and Swedish
search, association pages, the application form, and the helpers the hooks
use (site search, report figures), on both databases."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from PIL import Image
from sqlmodel import select

from core.models import utcnow
from plugins.webportal import directory
from plugins.webportal.models import Association, News, Status, Visibility
from tests.conftest import add_user, text_of
from tests.webportal_fixtures import add_association


def log_in(client, email: str) -> None:
    """Log in and land on the next page, as a browser would (which shows, and
    so clears, the welcome message)."""
    client.login(email)
    client.get("/foreningar")


def names_on(html: str) -> list[str]:
    """Association names in the order the list shows them."""
    return re.findall(r'<h2><a href="/foreningar/[^"]+">([^<]+)</a></h2>', html)


def test_list_shows_only_approved_public_associations_in_swedish_order(site, client):
    for name in ["Örebro Schackklubb", "Zeta IK", "Alfa Kör", "Ängens Vänner", "alfons Dans"]:
        add_association(site, name)
    add_association(site, "Väntande Förening", status=Status.PENDING)
    add_association(site, "Avslagen Förening", status=Status.REJECTED)
    add_association(site, "Dold Förening", visibility=Visibility.HIDDEN)

    page = client.get("/foreningar")
    assert page.status_code == 200
    assert names_on(page.text) == ["Alfa Kör", "alfons Dans", "Zeta IK", "Ängens Vänner", "Örebro Schackklubb"]
    body = text_of(page.text)
    assert "5 föreningar" in body
    for hidden in ("Väntande Förening", "Avslagen Förening", "Dold Förening"):
        assert hidden not in body


def test_filters_are_labelled_and_combine_with_paging(site, client):
    for i in range(7):
        add_association(site, f"Karlskoga Idrott {i}", category="Idrott", municipality="Karlskoga")
    add_association(site, "Degerfors Kulturförening", category="Kultur", municipality="Degerfors")
    add_association(site, "Degerfors Idrottsklubb", category="Idrott", municipality="Degerfors")

    page = client.get("/foreningar")
    assert '<label for="filter-kategori">Kategori</label>' in page.text
    assert '<label for="filter-kommun">Kommun</label>' in page.text
    assert "9 föreningar" in text_of(page.text)
    assert len(names_on(page.text)) == 5  # per_page = 5 in the test site

    only_karlskoga = client.get("/foreningar?kommun=Karlskoga")
    assert "7 föreningar" in text_of(only_karlskoga.text)
    assert "/foreningar?kommun=Karlskoga&amp;sida=2" in only_karlskoga.text  # the filter survives paging
    second = client.get("/foreningar?kommun=Karlskoga&sida=2")
    assert len(names_on(second.text)) == 2
    assert all(name.startswith("Karlskoga") for name in names_on(second.text))

    both = client.get("/foreningar?kommun=Degerfors&kategori=Idrott")
    assert names_on(both.text) == ["Degerfors Idrottsklubb"]
    assert '<option value="Idrott" selected>' in both.text

    # A category the site does not have is ignored rather than hiding everything.
    assert "9 föreningar" in text_of(client.get("/foreningar?kategori=Påhittad").text)
    # Asking for a page past the end shows the last page.
    assert len(names_on(client.get("/foreningar?sida=99").text)) == 4


def test_search_ignores_case_and_finds_word_forms(site, client):
    add_association(site, "Schackklubben Örebro", short_description="Schack för alla åldrar.")
    add_association(site, "Föreningarna i Degerfors", municipality="Degerfors")
    add_association(site, "Fotbollsklubben", activities="fotboll, sommarläger")

    assert names_on(client.get("/foreningar?q=ÖREBRO").text) == ["Schackklubben Örebro"]
    assert names_on(client.get("/foreningar?q=örebro").text) == ["Schackklubben Örebro"]
    assert names_on(client.get("/foreningar?q=Förening").text) == ["Föreningarna i Degerfors"]
    assert names_on(client.get("/foreningar?q=sommarläger").text) == ["Fotbollsklubben"]

    nothing = client.get("/foreningar?q=curling&kommun=Degerfors")
    assert nothing.status_code == 200
    body = text_of(nothing.text)
    assert "Inga föreningar hittades" in body
    assert "Prova ett annat eller kortare sökord" in body
    assert 'value="curling"' in nothing.text


def test_association_page_shows_contact_details_safely(site, client):
    association = add_association(
        site,
        "Karlskoga Ryttarförening",
        short_description="Ridning för alla.",
        description="## Om oss\n\nVi rider **varje dag**. <script>alert(1)</script>",
        website="https://ryttare.example",
        email="info@ryttare.example",
        phone="0586-123 45",
        address="Stallvägen 1, Karlskoga",
        founded_year=1952,
        activities="ridskola, tävling",
        logo="ryttare-abc.png",
    )
    site.uploads_dir.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), "red").save(site.uploads_dir / "ryttare-abc.png")
    with site.session() as db:
        db.add(News(title="Öppet stall i maj", association_id=association.id, published_at=utcnow()))
        db.add(News(title="Utkast om hösten", association_id=association.id, published=False))
        db.add(News(title="Nyhet om någon annan", published_at=utcnow()))
        db.commit()

    page = client.get("/foreningar/karlskoga-ryttarforening")
    assert page.status_code == 200
    html, body = page.text, text_of(page.text)
    assert "<h1>Karlskoga Ryttarförening</h1>" in html
    assert "<strong>varje dag</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert '<a href="https://ryttare.example" rel="nofollow noopener">' in html
    assert 'href="mailto:info@ryttare.example"' in html
    assert 'href="tel:058612345"' in html
    # A logo stored before sizes were made on upload is shown as it is, its size set.
    assert 'src="/uploads/ryttare-abc.png" width="40" height="30" alt="Logotyp för Karlskoga Ryttarförening"' in html
    assert "Grundad 1952" in body and "ridskola" in body and "Stallvägen 1" in body
    assert "Öppet stall i maj" in body
    assert "Utkast om hösten" not in body and "Nyhet om någon annan" not in body
    assert "Redigera" not in body  # visitors cannot edit

    assert client.get("/foreningar/finns-inte").status_code == 404


def test_pending_and_hidden_associations_are_404_for_the_public_but_shown_to_admins(site, client, admin):
    add_association(site, "Väntande Klubben", status=Status.PENDING)
    add_association(site, "Dolda Klubben", visibility=Visibility.HIDDEN)
    assert client.get("/foreningar/vantande-klubben").status_code == 404
    assert client.get("/foreningar/dolda-klubben").status_code == 404

    log_in(client, admin.email)
    pending = client.get("/foreningar/vantande-klubben")
    assert pending.status_code == 200
    assert "Väntar på beslut" in text_of(pending.text)
    assert "/foreningar/vantande-klubben/redigera" in pending.text
    hidden = text_of(client.get("/foreningar/dolda-klubben").text)
    assert "Föreningen är dold" in hidden


APPLICATION = {
    "name": "Degerfors Fågelklubb",
    "category": "Miljö och natur",
    "municipality": "Degerfors",
    "short_description": "Vi skådar fåglar runt Möckeln.",
    "website": "www.fagel.example",
    "email": "fagel@fagel.example",
    "phone": "0586-400 00",
    "applicant_name": "Stina Sökande",
    "applicant_email": "stina@fagel.example",
    "consent": "y",
}


def test_application_errors_are_swedish_and_keep_what_was_typed(site, client):
    form = client.get("/foreningar/ansok")
    assert form.status_code == 200
    assert 'name="homepage"' in form.text  # the honeypot is there for bots
    data = {**APPLICATION, "name": "", "website": "javascript:alert(1)"}
    del data["consent"]
    response = client.submit("/foreningar/ansok", data)
    assert response.status_code == 400
    body = text_of(response.text)
    assert "Skriv föreningens namn." in body
    assert "Ange en webbadress som börjar med http:// eller https://" in body
    assert "Kryssa i rutan för att godkänna att uppgifterna sparas." in body
    assert 'value="stina@fagel.example"' in response.text
    assert "Vi skådar fåglar runt Möckeln." in response.text
    assert '<option selected value="Degerfors">' in response.text
    with site.session() as db:
        assert db.exec(select(Association)).all() == []


def test_a_broken_web_address_is_a_form_error_not_a_500(site, client):
    """``urlsplit`` raises for an unclosed IPv6 bracket: these answered 500
    (issue 18, fault 2). Now they are the form's own Swedish error."""
    for bad in ("[x](javascript:alert(1))", "http://[x]/", "https://[::1", "http://exempel.se:99999/"):
        response = client.submit("/foreningar/ansok", {**APPLICATION, "website": bad})
        assert response.status_code == 400, bad
        assert "Ange en webbadress som börjar med http:// eller https://" in text_of(response.text), bad
        assert "Degerfors Fågelklubb" in response.text  # what was typed is kept
    with site.session() as db:
        assert db.exec(select(Association)).all() == []


def test_the_phone_number_must_be_digits_in_each_language(site, client):
    wrong = client.submit("/foreningar/ansok", {**APPLICATION, "phone": "ring oss"})
    assert wrong.status_code == 400
    message = "Telefon: Skriv telefonnumret med siffror, till exempel 0586-123 45 eller +46 586 123 45."
    assert message in text_of(wrong.text)
    client.get("/?lang=en")
    english = client.submit("/foreningar/ansok", {**APPLICATION, "phone": "call us"})
    assert english.status_code == 400
    message = "Phone: Write the phone number in digits, for example 0586-123 45 or +46 586 123 45."
    assert message in text_of(english.text)
    client.get("/?lang=sv")
    saved = client.submit("/foreningar/ansok", {**APPLICATION, "phone": " +46 586 400 00 "})
    assert saved.status_code == 303
    with site.session() as db:
        assert db.exec(select(Association.phone)).one() == "+46 586 400 00"


def test_application_is_pending_until_an_admin_approves_it(site, client, admin):
    response = client.submit("/foreningar/ansok", APPLICATION)
    assert response.status_code == 303
    assert response.headers["location"] == "/foreningar"
    listing = client.get("/foreningar")
    assert "Tack!" in text_of(listing.text)
    assert "Degerfors Fågelklubb" not in names_on(listing.text)

    with site.session() as db:
        stored = db.exec(select(Association)).one()
    assert stored.status == Status.PENDING
    assert stored.slug == "degerfors-fagelklubb"
    assert stored.website == "https://www.fagel.example"
    assert stored.applicant_email == "stina@fagel.example"
    assert client.get("/foreningar/degerfors-fagelklubb").status_code == 404

    # A second application with the same name gets its own address.
    client.submit("/foreningar/ansok", APPLICATION)
    with site.session() as db:
        slugs = sorted(db.exec(select(Association.slug)).all())
    assert slugs == ["degerfors-fagelklubb", "degerfors-fagelklubb-2"]

    log_in(client, admin.email)
    queue = text_of(client.get("/admin/foreningar").text)
    assert "Ansökningar som väntar (2)" in queue and "stina@fagel.example" in queue
    decided = client.submit(f"/admin/foreningar/{stored.id}/beslut", {"beslut": "godkann"})
    assert decided.status_code == 303 and decided.headers["location"] == "/admin/foreningar"
    assert "är godkänd" in text_of(client.get("/admin/foreningar").text)

    client.submit("/konto/logga-ut")
    assert names_on(client.get("/foreningar?kommun=Degerfors").text) == ["Degerfors Fågelklubb"]
    assert client.get("/foreningar/degerfors-fagelklubb").status_code == 200
    with site.session() as db:
        approved = db.get(Association, stored.id)
    assert approved is not None and approved.approved_at is not None
    assert approved.applicant_name == "" and approved.applicant_email == ""  # personal data erased


def test_honeypot_pretends_success_but_stores_nothing(site, client):
    response = client.submit("/foreningar/ansok", {**APPLICATION, "homepage": "http://spam.example"})
    assert response.status_code == 303
    assert "Tack!" in text_of(client.get("/foreningar").text)
    with site.session() as db:
        assert db.exec(select(Association)).all() == []


def test_rejected_application_stays_hidden(site, client, admin):
    pending = add_association(site, "Tveksam Klubb", status=Status.PENDING, applicant_email="x@y.example")
    log_in(client, admin.email)
    client.submit(f"/admin/foreningar/{pending.id}/beslut", {"beslut": "avsla"})
    with site.session() as db:
        rejected = db.get(Association, pending.id)
    assert rejected is not None and rejected.status == Status.REJECTED and rejected.applicant_email == ""
    client.submit("/konto/logga-ut")
    assert client.get("/foreningar/tveksam-klubb").status_code == 404


def test_search_results_for_the_site_search(site, client):
    add_association(site, "Karlskoga Schackklubb", short_description="Schack på torsdagar.")
    add_association(site, "Hemlig Schackklubb", status=Status.PENDING)
    for i in range(10):
        add_association(site, f"Schacklag {i}")
    with site.session() as db:
        results = directory.search_results(site, db, "SCHACK")
        assert directory.search_results(site, db, "   ") == []
    assert len(results) == 8
    assert results[0].title == "Karlskoga Schackklubb"
    assert results[0].url == "/foreningar/karlskoga-schackklubb"
    assert results[0].summary == "Schack på torsdagar." and results[0].kind == "Föreningar"
    assert all(r.title != "Hemlig Schackklubb" for r in results)

    page = text_of(client.get("/sok?q=torsdagar").text)
    assert "Karlskoga Schackklubb" in page


def test_report_figures_count_approved_and_new_associations(site):
    add_association(site, "Gammal Klubb", approved_at=datetime(2024, 5, 1, tzinfo=UTC))
    add_association(site, "Ny Klubb", approved_at=datetime(2026, 3, 10, tzinfo=UTC))
    add_association(
        site, "Degerfors Klubb", municipality="Degerfors", approved_at=datetime(2026, 6, 30, 23, tzinfo=UTC)
    )
    add_association(site, "Sökande Klubb", status=Status.PENDING, approved_at=None)
    with site.session() as db:
        figures = {f.label: f.value for f in directory.report_figures(db, date(2026, 1, 1), date(2026, 6, 30))}
        earlier = {f.label: f.value for f in directory.report_figures(db, date(2024, 1, 1), date(2024, 12, 31))}
    assert figures["Godkända medlemsföreningar vid periodens slut"] == 3
    assert figures["Nya godkända föreningar under perioden"] == 2
    assert figures["Godkända föreningar i Karlskoga"] == 2
    assert figures["Godkända föreningar i Degerfors"] == 1
    assert earlier["Godkända medlemsföreningar vid periodens slut"] == 1
    assert earlier["Nya godkända föreningar under perioden"] == 1


def test_sort_key_puts_swedish_letters_last():
    names = ["Ödeshög", "Åmål", "Zinkgruvan", "Ängelholm", "arboga", "Örebro", "Borås"]
    assert sorted(names, key=directory.sort_key) == [
        "arboga",
        "Borås",
        "Zinkgruvan",
        "Åmål",
        "Ängelholm",
        "Ödeshög",
        "Örebro",
    ]


def test_featured_for_prefers_this_month_then_the_latest_earlier(site):
    from plugins.webportal.models import Featured

    first = add_association(site, "Första Klubben")
    second = add_association(site, "Andra Klubben")
    hidden = add_association(site, "Gömda Klubben", visibility=Visibility.HIDDEN)
    with site.session() as db:
        db.add(Featured(month=date(2026, 1, 1), association_id=first.id, motivation="Bra jobbat"))
        db.add(Featured(month=date(2026, 3, 1), association_id=second.id))
        db.add(Featured(month=date(2026, 5, 1), association_id=hidden.id))
        db.commit()
        assert directory.featured_for(db, date(2025, 12, 31)) is None
        chosen = directory.featured_for(db, date(2026, 2, 14))
        assert chosen is not None and chosen[0].name == "Första Klubben" and chosen[1].motivation == "Bra jobbat"
        chosen = directory.featured_for(db, date(2026, 3, 31))
        assert chosen is not None and chosen[0].name == "Andra Klubben"
        # A hidden association is never featured; the earlier choice stands.
        chosen = directory.featured_for(db, date(2026, 5, 2) + timedelta(days=40))
        assert chosen is not None and chosen[0].name == "Andra Klubben"


def test_mina_foreningar_is_offered_only_to_those_who_edit_one(site, make_client):
    """A nurse (an account with a LISA role and no association) was offered
    "Mina föreningar", which said "Du är inte redaktör för någon förening"."""
    editor = add_user(site, "redaktor@test.example")
    add_user(site, "syster@test.example")
    add_association(site, "Egna klubben", editor=editor)
    menu_link = '<a href="/mina-foreningar"'

    nurse = make_client(site)
    nurse.login("syster@test.example")
    assert menu_link not in nurse.get("/").text

    editing = make_client(site)
    editing.login("redaktor@test.example")
    assert menu_link in editing.get("/").text
    assert "Egna klubben" in text_of(editing.get("/mina-foreningar").text)
