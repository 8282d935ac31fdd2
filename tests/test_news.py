"""News: writing, editing and deleting as admin and as an association's
editor, who may do what, drafts, images, and the public list and item pages,
on both databases."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlmodel import select

from core.models import Role
from core.search import index_text
from core.testing import foreign_scripts
from plugins.webportal.models import News, Status
from tests.conftest import add_user, text_of
from tests.webportal_fixtures import add_association


def add_news(site, title: str, *, association=None, author=None, published=True, when=None, **fields) -> News:
    when = when or datetime.now(UTC)
    with site.session() as db:
        news = News(
            title=title,
            association_id=association.id if association else None,
            author_id=author.id if author else None,
            published=published,
            published_at=when,
            updated_at=when,
            search_text=index_text(title, fields.get("summary", ""), fields.get("body", "")),
            **fields,
        )
        db.add(news)
        db.commit()
        db.refresh(news)
        return news


def get_news(site, title: str) -> News | None:
    with site.session() as db:
        return db.exec(select(News).where(News.title == title)).first()


def png_bytes(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="PNG")
    return out.getvalue()


def news_form(title: str, **overrides) -> dict:
    data = {"title": title, "summary": "Kort om nyheten.", "body": "Hela texten.", "association": "", "published": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# -- writing --------------------------------------------------------------------------------


def test_admin_writes_news_from_the_umbrella_and_it_is_listed(site, client, admin):
    client.login(admin.email)
    form = client.get("/nyheter/ny")
    assert form.status_code == 200
    assert "Ingen förening – nyhet från Testföreningarna testsite" in text_of(form.text)

    response = client.submit(
        "/nyheter/ny", news_form("Årsmöte i mars", body="Välkomna till **årsmötet**.\n\n- kaffe\n- kaka")
    )
    assert response.status_code == 303
    news = get_news(site, "Årsmöte i mars")
    assert news is not None and news.association_id is None and news.author_id == admin.id
    assert response.headers["location"] == f"/nyheter/{news.id}"
    assert " årsmötet " in news.search_text and " kaka " in news.search_text

    page = client.get(f"/nyheter/{news.id}")
    assert "Nyheten ”Årsmöte i mars” är publicerad." in text_of(page.text)
    assert "<h1>Årsmöte i mars</h1>" in page.text
    assert "<strong>årsmötet</strong>" in page.text and "<li>kaka</li>" in page.text
    assert "Av Ada Admin" in text_of(page.text)

    listing = text_of(client.get("/nyheter").text)
    assert "Årsmöte i mars" in listing and "Kort om nyheten." in listing


def test_editor_writes_news_only_about_their_own_association(site, client, editor):
    own = add_association(site, "Karlskoga Schackklubb", editor=editor)
    other = add_association(site, "Degerfors Bridgeklubb")
    client.login(editor.email)

    form = client.get("/nyheter/ny")
    assert form.status_code == 200
    options = text_of(form.text)
    assert "Karlskoga Schackklubb" in options and "Degerfors Bridgeklubb" not in options
    assert "Ingen förening" not in options

    # An editor must choose an association ...
    missing = client.submit("/nyheter/ny", news_form("Utan förening"))
    assert missing.status_code == 400
    assert "Välj vilken av dina föreningar nyheten gäller." in text_of(missing.text)
    # ... and cannot pick someone else's by editing the form.
    foreign = client.submit("/nyheter/ny", news_form("Smygnyhet", association=str(other.id)))
    assert foreign.status_code == 400
    assert get_news(site, "Smygnyhet") is None

    ok = client.submit("/nyheter/ny", news_form("Simultanspel på torget", association=str(own.id)))
    assert ok.status_code == 303
    news = get_news(site, "Simultanspel på torget")
    assert news is not None and news.association_id == own.id

    page = client.get(f"/nyheter/{news.id}")
    assert '<a href="/foreningar/karlskoga-schackklubb">Karlskoga Schackklubb</a>' in page.text
    assert "Redigera" in text_of(page.text)
    listing = client.get("/nyheter")
    assert '<a href="/foreningar/karlskoga-schackklubb">Karlskoga Schackklubb</a>' in listing.text


def test_editor_of_another_association_gets_403(site, client, editor):
    other_editor = add_user(site, "annan@test.example", Role.EDITOR, "Annan Redaktör")
    theirs = add_association(site, "Degerfors Bridgeklubb", editor=other_editor)
    add_association(site, "Karlskoga Schackklubb", editor=editor)
    news = add_news(site, "Bridgekväll", association=theirs, author=other_editor)
    client.login(editor.email)

    assert client.get(f"/nyheter/{news.id}/redigera").status_code == 403
    edit = client.submit(f"/nyheter/{news.id}/redigera", news_form("Kapad", association=str(theirs.id)))
    assert edit.status_code == 403
    assert "Du kan bara redigera nyheter om föreningar som du är redaktör för" in text_of(edit.text)
    assert client.submit(f"/nyheter/{news.id}/ta-bort", {"bekrafta": "ja"}).status_code == 403
    assert get_news(site, "Bridgekväll") is not None
    # No "Redigera" button on a news item they may not edit.
    assert "Redigera" not in text_of(client.get(f"/nyheter/{news.id}").text)


def test_editor_without_association_is_told_to_ask_the_admin(site, client, editor):
    add_association(site, "Väntande Klubb", status=Status.PENDING, editor=editor)
    client.login(editor.email)
    page = client.get("/nyheter/ny")
    assert page.status_code == 403
    assert "Be webbplatsens administratör att koppla ditt konto till din förening" in text_of(page.text)


def test_editor_may_not_edit_umbrella_news(site, client, admin, editor):
    add_association(site, "Karlskoga Schackklubb", editor=editor)
    news = add_news(site, "Från kansliet", author=admin)
    client.login(editor.email)
    assert client.get(f"/nyheter/{news.id}/redigera").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(site, client):
    news = add_news(site, "Öppet hus")
    for response in (
        client.get("/nyheter/ny", follow_redirects=False),
        client.get(f"/nyheter/{news.id}/redigera", follow_redirects=False),
        client.submit("/nyheter/ny", news_form("Anonym")),
        client.submit(f"/nyheter/{news.id}/ta-bort", {"bekrafta": "ja"}),
    ):
        assert response.status_code == 303
        assert response.headers["location"].startswith("/konto/logga-in?next=")
    assert get_news(site, "Anonym") is None and get_news(site, "Öppet hus") is not None


# -- editing and drafts ------------------------------------------------------------------------------


def test_editing_keeps_the_first_publication_date(site, client, editor):
    own = add_association(site, "Karlskoga Schackklubb", editor=editor)
    first = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    news = add_news(site, "Turnering", association=own, author=editor, when=first)
    client.login(editor.email)
    edit = client.get(f"/nyheter/{news.id}/redigera")
    assert 'value="Turnering"' in edit.text
    assert f'<option selected value="{own.id}">' in edit.text

    response = client.submit(f"/nyheter/{news.id}/redigera", news_form("Turnering flyttad", association=str(own.id)))
    assert response.status_code == 303
    saved = get_news(site, "Turnering flyttad")
    assert saved is not None and saved.id == news.id
    assert saved.published_at == first and saved.updated_at > first
    assert " flyttad " in saved.search_text


def test_drafts_are_visible_only_to_those_who_may_edit_them(site, client, make_client, admin, editor):
    own = add_association(site, "Karlskoga Schackklubb", editor=editor)
    client.login(editor.email)
    response = client.submit("/nyheter/ny", news_form("Hemlig plan", association=str(own.id), published=None))
    assert response.status_code == 303
    draft = get_news(site, "Hemlig plan")
    assert draft is not None and not draft.published
    assert "Utkast." in text_of(client.get(f"/nyheter/{draft.id}").text)

    anonymous = make_client(site)
    page = anonymous.get(f"/nyheter/{draft.id}")
    assert page.status_code == 404
    assert "Nyheten finns inte, eller är inte publicerad" in text_of(page.text)
    assert "Hemlig plan" not in anonymous.get("/nyheter").text
    outsider = add_user(site, "utanfor@test.example", Role.EDITOR)
    other = make_client(site)
    other.login(outsider.email)
    assert other.get(f"/nyheter/{draft.id}").status_code == 404
    boss = make_client(site)
    boss.login(admin.email)
    assert boss.get(f"/nyheter/{draft.id}").status_code == 200

    # Publishing the draft later dates it from then.
    client.submit(f"/nyheter/{draft.id}/redigera", news_form("Hemlig plan", association=str(own.id)))
    published = get_news(site, "Hemlig plan")
    assert published is not None and published.published and published.published_at > draft.published_at
    assert anonymous.get(f"/nyheter/{draft.id}").status_code == 200


def test_long_title_and_summary_are_refused_in_swedish(site, client, admin):
    client.login(admin.email)
    response = client.submit("/nyheter/ny", news_form("x" * 201, summary="y" * 401))
    assert response.status_code == 400
    body = text_of(response.text)
    assert "Något behöver rättas" in body and "Rubrik:" in body and "Sammanfattning:" in body
    assert "400" in body


# -- images -------------------------------------------------------------------------------------------


def test_image_needs_a_description_and_is_shown_with_it(site, client, admin):
    client.login(admin.email)
    files = {"image_file": ("bild.png", png_bytes(), "image/png")}
    missing_alt = client.submit("/nyheter/ny", news_form("Med bild"), files=files)
    assert missing_alt.status_code == 400
    assert "Beskriv bilden med några ord" in text_of(missing_alt.text)
    assert list(site.uploads_dir.iterdir()) == []

    files = {"image_file": ("bild.png", png_bytes(), "image/png")}
    response = client.submit(
        "/nyheter/ny", news_form("Med bild", image_alt="Två schackspelare vid ett bord"), files=files
    )
    assert response.status_code == 303
    news = get_news(site, "Med bild")
    assert news is not None and news.image and (site.uploads_dir / news.image).is_file()
    stem = news.image.rsplit(".", 1)[0]  # shown in the sizes made on upload
    sized = f'srcset="/uploads/{stem}.40.webp 40w" sizes='
    listing = client.get("/nyheter").text
    assert sized in listing and 'alt="Två schackspelare vid ett bord" loading="lazy"' in listing
    assert f'<img src="/uploads/{stem}.40.jpg" width="40" height="30"' in listing
    item = client.get(f"/nyheter/{news.id}").text
    assert sized in item and 'alt="Två schackspelare vid ett bord" fetchpriority="high"' in item

    # Removing the image deletes the file.
    client.submit(f"/nyheter/{news.id}/redigera", news_form("Med bild", remove_image="y"))
    assert get_news(site, "Med bild").image == ""
    assert not (site.uploads_dir / news.image).exists()


def test_an_image_without_description_is_decorative_in_the_list(site, client):
    site.uploads_dir.mkdir(parents=True, exist_ok=True)
    (site.uploads_dir / "gammal.png").write_bytes(png_bytes())
    add_news(site, "Importerad", image="gammal.png", image_alt="")
    assert 'src="/uploads/gammal.png" width="40" height="30" alt=""' in client.get("/nyheter").text


def test_a_file_that_is_not_an_image_is_refused_on_the_field(site, client, admin):
    client.login(admin.email)
    files = {"image_file": ("bild.png", b"<svg onload=alert(1)>", "image/png")}
    response = client.submit("/nyheter/ny", news_form("Falsk bild", image_alt="Något"), files=files)
    assert response.status_code == 400
    assert "Filen kunde inte läsas som en bild" in text_of(response.text)
    assert get_news(site, "Falsk bild") is None


# -- deleting -----------------------------------------------------------------------------------------


def test_delete_needs_confirmation_and_removes_the_image(site, client, editor):
    own = add_association(site, "Karlskoga Schackklubb", editor=editor)
    (site.uploads_dir / "nyhet-1.png").write_bytes(png_bytes())
    news = add_news(site, "Inställt", association=own, author=editor, image="nyhet-1.png", image_alt="Bräde")
    client.login(editor.email)
    assert client.get(f"/nyheter/{news.id}/redigera").status_code == 200

    unconfirmed = client.submit(f"/nyheter/{news.id}/ta-bort", {})
    assert unconfirmed.status_code == 303 and unconfirmed.headers["location"] == f"/nyheter/{news.id}/redigera"
    assert "Kryssa i rutan för att bekräfta" in text_of(client.get(unconfirmed.headers["location"]).text)
    assert get_news(site, "Inställt") is not None

    confirmed = client.submit(f"/nyheter/{news.id}/ta-bort", {"bekrafta": "ja"})
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/nyheter"
    assert get_news(site, "Inställt") is None
    assert not (site.uploads_dir / "nyhet-1.png").exists()
    assert "Nyheten ”Inställt” är borttagen." in text_of(client.get("/nyheter").text)
    assert client.get(f"/nyheter/{news.id}").status_code == 404


def test_admin_may_delete_any_news(site, client, admin, editor):
    own = add_association(site, "Karlskoga Schackklubb", editor=editor)
    news = add_news(site, "Redaktörens nyhet", association=own, author=editor)
    client.login(admin.email)
    assert client.submit(f"/nyheter/{news.id}/ta-bort", {"bekrafta": "ja"}).status_code == 303
    assert get_news(site, "Redaktörens nyhet") is None


# -- the public list ----------------------------------------------------------------------------------


def test_list_is_newest_first_paged_and_filtered_by_association(site, client):
    club = add_association(site, "Karlskoga Schackklubb")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(7):  # per_page is 5 in the test site
        add_news(site, f"Nyhet nummer {i}", association=club if i % 2 else None, when=start + timedelta(days=i))
    first = text_of(client.get("/nyheter").text)
    assert first.index("Nyhet nummer 6") < first.index("Nyhet nummer 2")
    assert "Nyhet nummer 1" not in first
    second = client.get("/nyheter?sida=2")
    assert "Nyhet nummer 1" in text_of(second.text) and "Nyhet nummer 6" not in text_of(second.text)
    assert '<span aria-current="page">2</span>' in second.text

    filtered = text_of(client.get("/nyheter?forening=karlskoga-schackklubb").text)
    assert "Nyheter från Karlskoga Schackklubb" in filtered
    assert "Nyhet nummer 5" in filtered and "Nyhet nummer 4" not in filtered
    assert client.get("/nyheter?forening=finns-inte").status_code == 404


def test_list_links_to_the_feeds(site, client):
    page = client.get("/nyheter").text
    assert '<link rel="alternate" type="application/atom+xml"' in page and 'href="/nyheter.atom"' in page
    assert '<link rel="alternate" type="application/rss+xml"' in page and 'href="/nyheter.rss"' in page
    assert "Atom-flöde" in text_of(page) and "RSS-flöde" in text_of(page)


def test_markdown_is_sanitized_on_the_item_page(site, client):
    body = "Hej <script>alert('x')</script>\n\n[klicka](javascript:alert(1)) och [säker](https://example.org)"
    news = add_news(site, "Farlig text", body=body)
    page = client.get(f"/nyheter/{news.id}").text
    assert foreign_scripts(page) == [] and "alert('x')</script>" not in page
    assert 'href="javascript' not in page.lower()
    assert '<a href="https://example.org" rel="nofollow noopener">säker</a>' in page


def test_search_finds_published_news_only(site, client):
    add_news(site, "Fiskekväll vid Möckeln", summary="Vi metar abborre.")
    add_news(site, "Fiskeutkast", published=False)
    body = text_of(client.get("/sok?q=fiske").text)
    assert "Nyheter" in body and "Fiskekväll vid Möckeln" in body and "Fiskeutkast" not in body


def test_report_counts_news_published_in_the_period(site, client, admin):
    club = add_association(site, "Karlskoga Schackklubb")
    add_news(site, "I perioden", association=club, when=datetime(2026, 2, 1, tzinfo=UTC))
    add_news(site, "Också i perioden", when=datetime(2026, 3, 1, tzinfo=UTC))
    add_news(site, "Före perioden", when=datetime(2025, 6, 1, tzinfo=UTC))
    client.login(admin.email)
    csv = client.get("/-/admin/uppfoljning.csv?fran=2026-01-01&till=2026-12-31").text
    assert "webportal;Publicerade nyheter under perioden;2;st" in csv
    assert "webportal;varav nyheter om medlemsföreningar;1;st" in csv


def test_an_editor_starts_a_news_item_from_their_association_page(site, client, editor):
    add_association(site, "Karlskoga Schack", editor=editor)
    add_association(site, "Degerfors IF")
    client.login("editor@test.example")
    page = client.get("/foreningar/karlskoga-schack")
    link = "/nyheter/ny?forening=karlskoga-schack"
    assert "Skriv en nyhet om föreningen" in text_of(page.text)
    assert f'href="{link}"' in page.text
    form = client.get(link)
    assert form.status_code == 200
    selected = form.text[form.text.index("<select") : form.text.index("</select>")]
    assert "selected" in selected.split("Karlskoga Schack")[0].rsplit("<option", 1)[1]
    # Not offered on someone else's page.
    assert "Skriv en nyhet" not in text_of(client.get("/foreningar/degerfors-if").text)
