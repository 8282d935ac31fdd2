"""Editing associations and the admin pages of the directory: who may edit
what, logo uploads, linking editors, deleting, and Månadens förening."""

from __future__ import annotations

import io
import os
from datetime import date

from PIL import Image
from sqlmodel import select

from core.models import Role, User
from plugins.webportal import directory
from plugins.webportal.models import Association, AssociationEditor, Featured, News, Status, Visibility
from tests.conftest import add_user, text_of
from tests.test_directory import log_in
from tests.webportal_fixtures import add_association

EDIT = {
    "name": "Karlskoga Schackklubb",
    "category": "Intresse och hobby",
    "municipality": "Karlskoga",
    "short_description": "Schack för alla.",
    "description": "Vi spelar **varje torsdag**.",
    "website": "https://schack.example",
    "email": "schack@schack.example",
    "phone": "0586-111 11",
    "address": "Torget 1",
    "founded_year": "1970",
    "activities": "schack,  blixtturnering , ",
    "visibility": "public",
}


def png_bytes(size: tuple[int, int] = (40, 30), noise: bool = False) -> bytes:
    """A real PNG; with noise it does not compress, so it is big."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def link_editor(site, association: Association, user_id: int) -> None:
    with site.session() as db:
        db.add(AssociationEditor(association_id=association.id, user_id=user_id))
        db.commit()


def stored(site, association_id: int) -> Association | None:
    with site.session() as db:
        return db.get(Association, association_id)


def test_admin_pages_need_an_admin(site, client, editor):
    association = add_association(site, "Klubben")
    anonymous = client.get("/admin/foreningar", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/konto/logga-in")
    log_in(client, editor.email)
    assert client.get("/admin/foreningar").status_code == 403
    assert client.get("/admin/foreningar/ny").status_code == 403
    assert client.get("/admin/manadens-forening").status_code == 403
    for path, data in [
        (f"/admin/foreningar/{association.id}/beslut", {"beslut": "avsla"}),
        (f"/admin/foreningar/{association.id}/redaktorer", {"action": "add", "email": editor.email}),
        (f"/admin/foreningar/{association.id}/ta-bort", {"bekrafta": "ja"}),
    ]:
        assert client.submit(path, data).status_code == 403
    kept = stored(site, association.id)
    assert kept is not None and kept.status == Status.APPROVED
    assert client.get("/foreningar/klubben/redigera").status_code == 403


def test_admin_links_an_editor_who_may_edit_only_that_association(site, client, admin, editor):
    own = add_association(site, "Karlskoga Schackklubb")
    other = add_association(site, "Grannklubben")
    log_in(client, admin.email)

    missing = client.submit(f"/admin/foreningar/{own.id}/redaktorer", {"action": "add", "email": "ingen@test.example"})
    assert missing.headers["location"] == "/foreningar/karlskoga-schackklubb/redigera"
    message = text_of(client.get(missing.headers["location"]).text)
    assert "Det finns inget konto med e-postadressen ingen@test.example" in message
    assert "/-/admin/anvandare/ny" in message

    client.submit(f"/admin/foreningar/{own.id}/redaktorer", {"action": "add", "email": "EDITOR@test.example"})
    edit_page = text_of(client.get("/foreningar/karlskoga-schackklubb/redigera").text)
    assert "Edit Redaktör kan nu redigera Karlskoga Schackklubb" in edit_page
    assert "Edit Redaktör (editor@test.example)" in edit_page
    assert "Edit Redaktör" in text_of(client.get("/admin/foreningar").text)
    client.submit("/konto/logga-ut")

    log_in(client, editor.email)
    mine = text_of(client.get("/mina-foreningar").text)
    assert "Karlskoga Schackklubb" in mine and "Grannklubben" not in mine and "Skriv en nyhet" in mine
    page = client.get("/foreningar/karlskoga-schackklubb")
    assert "/foreningar/karlskoga-schackklubb/redigera" in page.text
    form = client.get("/foreningar/karlskoga-schackklubb/redigera")
    assert form.status_code == 200
    assert 'name="status"' not in form.text and "Redaktörer" not in text_of(form.text)

    saved = client.submit("/foreningar/karlskoga-schackklubb/redigera", {**EDIT, "status": "rejected"})
    assert saved.status_code == 303 and saved.headers["location"] == "/foreningar/karlskoga-schackklubb"
    shown = client.get(saved.headers["location"])
    assert "Uppgifterna om Karlskoga Schackklubb är sparade" in text_of(shown.text)
    assert "<strong>varje torsdag</strong>" in shown.text
    changed = stored(site, own.id)
    assert changed is not None
    assert changed.status == Status.APPROVED  # an editor cannot change the status
    assert changed.activities == "schack, blixtturnering"
    assert changed.founded_year == 1970 and changed.category == "Intresse och hobby"
    assert " torsdag " in changed.search_text and changed.updated_at > own.updated_at

    assert client.get("/foreningar/grannklubben/redigera").status_code == 403
    assert client.submit("/foreningar/grannklubben/redigera", {**EDIT, "name": "Kapad"}).status_code == 403
    untouched = stored(site, other.id)
    assert untouched is not None and untouched.name == "Grannklubben"
    client.submit("/konto/logga-ut")

    log_in(client, admin.email)
    client.submit(f"/admin/foreningar/{own.id}/redaktorer", {"action": "remove", "user_id": str(editor.id)})
    client.submit("/konto/logga-ut")
    log_in(client, editor.email)
    assert client.get("/foreningar/karlskoga-schackklubb/redigera").status_code == 403
    assert "Du är inte redaktör för någon förening ännu" in text_of(client.get("/mina-foreningar").text)


def test_editors_see_their_pending_association_and_act_only_for_approved_ones(site, client, admin, editor):
    pending = add_association(site, "Nystartade Klubben", status=Status.PENDING)
    approved = add_association(site, "Etablerade Klubben")
    add_association(site, "Någon Annans Klubb")
    link_editor(site, pending, editor.id)
    link_editor(site, approved, editor.id)
    log_in(client, editor.email)
    page = client.get("/foreningar/nystartade-klubben")
    assert page.status_code == 200
    assert "Väntar på beslut" in text_of(page.text)
    assert "Nystartade Klubben" in text_of(client.get("/mina-foreningar").text)
    with site.session() as db:
        editor_row = db.get(User, editor.id)
        admin_row = db.get(User, admin.id)
        assert [a.name for a in directory.editable_associations(db, editor_row)] == ["Etablerade Klubben"]
        assert [a.name for a in directory.editable_associations(db, admin_row)] == [
            "Etablerade Klubben",
            "Någon Annans Klubb",
        ]
        assert directory.editable_associations(db, None) == []
        assert directory.can_edit(db, editor_row, pending) and not directory.can_edit(db, None, pending)


def test_my_associations_needs_login(site, client):
    response = client.get("/mina-foreningar", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/konto/logga-in?next=/mina-foreningar"


def test_edit_form_explains_invalid_values_in_swedish(site, client, admin):
    add_association(site, "Klubben")
    log_in(client, admin.email)
    bad = {**EDIT, "website": "ftp://klubben.example", "founded_year": "1700", "short_description": "x" * 301}
    response = client.submit("/foreningar/klubben/redigera", bad)
    assert response.status_code == 400
    body = text_of(response.text)
    assert "Ange en webbadress som börjar med http:// eller https://" in body
    assert "Ange ett årtal mellan 1800 och" in body
    assert "Något behöver rättas" in body
    assert 'value="ftp://klubben.example"' in response.text  # nothing typed is lost


def test_logo_upload_accepts_real_images_and_refuses_others(site, client, admin):
    association = add_association(site, "Bildklubben")
    log_in(client, admin.email)
    url = "/foreningar/bildklubben/redigera"
    form = client.get(url).text
    assert 'enctype="multipart/form-data"' in form
    assert form.index('name="csrftoken"') < form.index('type="file"')

    fake = client.submit(
        url, {**EDIT, "name": "Bildklubben"}, files={"logo_file": ("logo.png", b"inte en bild", "image/png")}
    )
    assert fake.status_code == 400
    assert "Filen kunde inte läsas som en bild" in text_of(fake.text)

    huge = png_bytes((900, 900), noise=True)
    assert len(huge) > 2048 * 1024
    too_big = client.submit(url, {**EDIT, "name": "Bildklubben"}, files={"logo_file": ("stor.png", huge, "image/png")})
    assert too_big.status_code == 400
    assert "Bilden är för stor. Största tillåtna storlek är 2048 kB." in text_of(too_big.text)
    unchanged = stored(site, association.id)
    assert unchanged is not None and unchanged.logo == "" and unchanged.name == "Bildklubben"

    ok = client.submit(
        url, {**EDIT, "name": "Bildklubben"}, files={"logo_file": ("logo.png", png_bytes(), "image/png")}
    )
    assert ok.status_code == 303
    logo = stored(site, association.id).logo  # type: ignore[union-attr]
    assert logo.startswith("bildklubben-") and logo.endswith(".png")
    assert (site.uploads_dir / logo).is_file()
    page = client.get("/foreningar/bildklubben")
    stem = logo.rsplit(".", 1)[0]  # shown in the sizes made on upload
    assert f'srcset="/uploads/{stem}.40.webp 40w"' in page.text and 'alt="Logotyp för Bildklubben"' in page.text
    assert client.get(f"/uploads/{logo}").headers["content-type"] == "image/png"

    client.submit(url, {**EDIT, "name": "Bildklubben", "remove_logo": "y"})
    assert stored(site, association.id).logo == ""  # type: ignore[union-attr]
    assert not (site.uploads_dir / logo).exists()
    assert list(site.uploads_dir.glob(stem + ".*")) == []  # and its sizes


def test_admin_creates_an_approved_association(site, client, admin):
    log_in(client, admin.email)
    form = client.get("/admin/foreningar/ny")
    assert form.status_code == 200 and 'name="status"' in form.text
    response = client.submit("/admin/foreningar/ny", {**EDIT, "status": "approved"})
    assert response.status_code == 303
    assert response.headers["location"] == "/foreningar/karlskoga-schackklubb"
    client.submit("/konto/logga-ut")
    assert client.get("/foreningar/karlskoga-schackklubb").status_code == 200
    with site.session() as db:
        created = db.exec(select(Association)).one()
    assert created.status == Status.APPROVED and created.approved_at is not None


def test_admin_can_hide_an_association(site, client, admin):
    add_association(site, "Klubben")
    log_in(client, admin.email)
    client.submit(
        "/foreningar/klubben/redigera", {**EDIT, "name": "Klubben", "visibility": "hidden", "status": "approved"}
    )
    client.submit("/konto/logga-ut")
    assert client.get("/foreningar/klubben").status_code == 404
    assert "Klubben" not in text_of(client.get("/foreningar").text).replace("föreningar", "")


def test_delete_needs_confirmation_and_keeps_the_news(site, client, admin):
    association = add_association(site, "Borttagna Klubben", logo="borttagna.png")
    (site.uploads_dir / "borttagna.png").write_bytes(png_bytes())
    editor = add_user(site, "red@test.example", Role.EDITOR)
    link_editor(site, association, editor.id)
    with site.session() as db:
        news = News(title="Klubbens sista match", association_id=association.id)
        db.add(news)
        db.add(Featured(month=date(2026, 1, 1), association_id=association.id))
        db.commit()
        db.refresh(news)
    log_in(client, admin.email)
    edit_page = client.get("/foreningar/borttagna-klubben/redigera")
    assert "Ja, ta bort föreningen" in text_of(edit_page.text)

    refused = client.submit(f"/admin/foreningar/{association.id}/ta-bort", {})
    assert refused.headers["location"] == "/foreningar/borttagna-klubben/redigera"
    assert "Föreningen togs inte bort" in text_of(client.get(refused.headers["location"]).text)
    assert stored(site, association.id) is not None

    done = client.submit(f"/admin/foreningar/{association.id}/ta-bort", {"bekrafta": "ja"})
    assert done.headers["location"] == "/admin/foreningar"
    assert "Borttagna Klubben är borttagen" in text_of(client.get("/admin/foreningar").text)
    assert stored(site, association.id) is None
    assert not (site.uploads_dir / "borttagna.png").exists()
    with site.session() as db:
        kept = db.get(News, news.id)
        assert kept is not None and kept.association_id is None
        assert db.exec(select(AssociationEditor)).all() == []
        assert db.exec(select(Featured)).all() == []
    assert client.submit(f"/admin/foreningar/{association.id}/ta-bort", {"bekrafta": "ja"}).status_code == 404


def test_admin_chooses_manadens_forening(site, client, admin):
    first = add_association(site, "Första Klubben")
    second = add_association(site, "Andra Klubben")
    add_association(site, "Väntande Klubben", status=Status.PENDING)
    add_association(site, "Dold Klubb", visibility=Visibility.HIDDEN)
    log_in(client, admin.email)

    form = client.get("/admin/manadens-forening")
    assert 'type="month"' in form.text
    assert f'value="{date.today():%Y-%m}"' in form.text
    assert "Väntande Klubben" not in form.text

    chosen = client.submit(
        "/admin/manadens-forening", {"month": "2026-03", "association_id": str(first.id), "motivation": "Bra på allt."}
    )
    assert chosen.status_code == 303
    assert "Första Klubben är Månadens förening för mars 2026" in text_of(client.get("/admin/manadens-forening").text)
    client.submit("/admin/manadens-forening", {"month": "2026-03", "association_id": str(second.id)})
    with site.session() as db:
        rows = db.exec(select(Featured)).all()
    assert [(r.month, r.association_id) for r in rows] == [(date(2026, 3, 1), second.id)]
    history = text_of(client.get("/admin/manadens-forening").text)
    assert "mars 2026 Andra Klubben" in history

    bad = client.submit("/admin/manadens-forening", {"month": "mars", "association_id": "999"})
    assert bad.status_code == 400
    assert "Något behöver rättas" in text_of(bad.text)
