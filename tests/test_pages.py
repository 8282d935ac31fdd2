"""Admin-edited pages: create, edit and delete as admin, the public page,
its links in the main navigation and the footer, and who may do what."""

from __future__ import annotations

import re

from sqlmodel import select

from plugins.webportal.models import Page
from tests.conftest import text_of


def page_form(title: str, **overrides) -> dict:
    data = {"title": title, "slug": "", "body": "Text om oss.", "nav_order": "50"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def get_page(site, slug: str) -> Page | None:
    with site.session() as db:
        return db.exec(select(Page).where(Page.slug == slug)).first()


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    assert nav is not None
    return re.findall(r"<a href=\"[^\"]+\"[^>]*>([^<]+)</a>", nav.group(0))


def footer_links(html: str) -> list[tuple[str, str]]:
    footer = re.search(r'<footer class="site-footer">.*?</footer>', html, re.S)
    assert footer is not None
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', footer.group(0))


def test_admin_creates_a_page_with_a_slug_from_its_title(site, client, admin):
    client.login(admin.email)
    assert client.get("/admin/sidor/ny").status_code == 200
    response = client.submit(
        "/admin/sidor/ny", page_form("Om föreningarna", body="## Vilka vi är\n\nVi är **127** föreningar.", in_nav="y")
    )
    assert response.status_code == 303 and response.headers["location"] == "/sida/om-foreningarna"
    page = get_page(site, "om-foreningarna")
    assert page is not None and page.in_nav and not page.in_footer
    assert " föreningar " in page.search_text

    shown = client.get("/sida/om-foreningarna")
    assert shown.status_code == 200
    assert "<h1>Om föreningarna</h1>" in shown.text
    assert "<h2>Vilka vi är</h2>" in shown.text and "<strong>127</strong>" in shown.text
    assert "Sidan ”Om föreningarna” är sparad." in text_of(shown.text)

    listing = client.get("/admin/sidor")
    assert '<th scope="row"><a href="/admin/sidor/' in listing.text
    assert "Om föreningarna" in text_of(listing.text)


def test_pages_appear_in_the_navigation_and_footer_in_their_order(site, client, admin):
    client.login(admin.email)
    client.submit("/admin/sidor/ny", page_form("Kontakt", in_nav="y", in_footer="y", nav_order="20"))
    client.submit("/admin/sidor/ny", page_form("Om oss", in_nav="y", nav_order="10"))
    client.submit(
        "/admin/sidor/ny", page_form("Tillgänglighetsredogörelse", slug="tillganglighet", in_footer="y", nav_order="90")
    )
    client.submit("/admin/sidor/ny", page_form("Gömd sida"))

    html = client.get("/nyheter").text
    labels = nav_labels(html)
    assert labels[:4] == ["Föreningar", "Nyheter", "Om oss", "Kontakt"]
    assert "Tillgänglighetsredogörelse" not in labels and "Gömd sida" not in labels
    assert footer_links(html) == [("/sida/kontakt", "Kontakt"), ("/sida/tillganglighet", "Tillgänglighetsredogörelse")]
    assert client.get("/sida/gomd-sida").status_code == 200


def test_editing_a_page_can_change_its_address_and_links(site, client, admin):
    client.login(admin.email)
    client.submit("/admin/sidor/ny", page_form("Om oss", in_nav="y"))
    page = get_page(site, "om-oss")
    form = client.get(f"/admin/sidor/{page.id}")
    assert 'value="Om oss"' in form.text and 'value="om-oss"' in form.text

    response = client.submit(f"/admin/sidor/{page.id}", page_form("Om Möckelnföreningarna", slug="om", in_nav="y"))
    assert response.headers["location"] == "/sida/om"
    assert get_page(site, "om-oss") is None and get_page(site, "om").title == "Om Möckelnföreningarna"
    assert client.get("/sida/om-oss").status_code == 404
    assert "Om Möckelnföreningarna" in nav_labels(client.get("/").text)


def test_slug_must_be_valid_and_unique(site, client, admin):
    client.login(admin.email)
    client.submit("/admin/sidor/ny", page_form("Kontakt"))
    bad = client.submit("/admin/sidor/ny", page_form("Annan", slug="Min sida!"))
    assert bad.status_code == 400
    assert "Använd bara små bokstäver a–z, siffror och bindestreck" in text_of(bad.text)
    taken = client.submit("/admin/sidor/ny", page_form("Annan", slug="kontakt"))
    assert taken.status_code == 400
    assert "En annan sida har redan den adressen" in text_of(taken.text)
    # An automatic slug is made unique instead of refused.
    auto = client.submit("/admin/sidor/ny", page_form("Kontakt"))
    assert auto.status_code == 303 and auto.headers["location"] == "/sida/kontakt-2"


def test_deleting_a_page_needs_confirmation(site, client, admin):
    client.login(admin.email)
    client.submit("/admin/sidor/ny", page_form("Tillfällig", in_nav="y"))
    page = get_page(site, "tillfallig")
    client.get("/admin/sidor")  # the admin sees the list (and the save message) first

    refused = client.submit(f"/admin/sidor/{page.id}/ta-bort", {})
    assert refused.headers["location"] == f"/admin/sidor/{page.id}"
    assert "Sidan togs inte bort" in text_of(client.get(refused.headers["location"]).text)
    assert get_page(site, "tillfallig") is not None

    done = client.submit(f"/admin/sidor/{page.id}/ta-bort", {"bekrafta": "ja"})
    assert done.headers["location"] == "/admin/sidor"
    assert get_page(site, "tillfallig") is None
    html = client.get("/admin/sidor").text
    assert "Sidan ”Tillfällig” är borttagen." in text_of(html)
    assert "Tillfällig" not in nav_labels(html)


def test_missing_page_is_a_swedish_404(site, client):
    response = client.get("/sida/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte, eller har flyttats." in text_of(response.text)


def test_only_admins_manage_pages(site, client, editor):
    with site.session() as db:
        db.add(Page(slug="om-oss", title="Om oss", body="Text"))
        db.commit()
    page = get_page(site, "om-oss")
    anonymous_paths = ["/admin/sidor", "/admin/sidor/ny", f"/admin/sidor/{page.id}"]
    for path in anonymous_paths:
        assert client.get(path, follow_redirects=False).status_code == 303
    assert client.submit(f"/admin/sidor/{page.id}/ta-bort", {"bekrafta": "ja"}).status_code == 303
    client.login(editor.email)
    for path in anonymous_paths:
        assert client.get(path).status_code == 403
    assert client.submit("/admin/sidor/ny", page_form("Redaktörens sida")).status_code == 403
    assert client.submit(f"/admin/sidor/{page.id}/ta-bort", {"bekrafta": "ja"}).status_code == 403
    assert get_page(site, "om-oss") is not None and get_page(site, "redaktorens-sida") is None
    # Visitors see the page, without an edit link.
    shown = client.get("/sida/om-oss")
    assert shown.status_code == 200 and "Redigera" not in text_of(shown.text)


def test_search_finds_pages(site, client, admin):
    client.login(admin.email)
    client.submit("/admin/sidor/ny", page_form("Föreningarnas hus", body="Lokaler att hyra för möten."))
    body = text_of(client.get("/sok?q=lokaler").text)
    assert "Sidor" in body and "Föreningarnas hus" in body
