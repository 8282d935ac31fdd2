"""Parts of pages kept while nothing changes (core.memo, issue 21): what a
signed-in visitor sees is still their own (their menu, their right to edit),
and still the latest (a change shows on the next page). Real SQLite files
and PostgreSQL, through the app."""

from __future__ import annotations

from sqlmodel import select

from core.models import Role
from plugins.webportal.models import News
from tests.conftest import add_user, text_of
from tests.test_directory import log_in
from tests.webportal_fixtures import add_association


def edit_button(text: str) -> bool:
    return "Redigera Klubben" in text


def test_what_is_kept_stays_each_visitors_own(site, make_client):
    """The association's page and the menu are kept per right to edit and
    per visitor: whoever asks first, the next visitor sees their own."""
    editor = add_user(site, "red@test.example", Role.EDITOR, "Redaktören")
    add_user(site, "annan@test.example", Role.EDITOR, "Någon annan")
    admin = add_user(site, "adm@test.example", Role.ADMIN, "Admin")
    add_association(site, "Klubben", editor=editor)

    # Everyone signs in first (a sign-in writes to the database), then each
    # asks for the page in turn while nothing changes.
    linked, other, anonymous, by_admin = (make_client(site) for _ in range(4))
    log_in(linked, "red@test.example")
    log_in(other, "annan@test.example")
    log_in(by_admin, admin.email)

    page = text_of(linked.get("/foreningar/klubben").text)
    assert edit_button(page) and "Mina föreningar" in page

    page = text_of(other.get("/foreningar/klubben").text)
    assert "Klubben" in page and not edit_button(page) and "Mina föreningar" not in page

    page = text_of(anonymous.get("/foreningar/klubben").text)
    assert "Klubben" in page and not edit_button(page) and "Logga ut" not in page

    page = text_of(by_admin.get("/foreningar/klubben").text)
    assert edit_button(page) and "Administration" in page
    # And the first visitor's page is still theirs, from memory.
    page = text_of(linked.get("/foreningar/klubben").text)
    assert edit_button(page) and "Administration" not in page


def test_a_signed_in_page_reads_its_shared_parts_once_and_shows_a_change_at_once(site, query_counter):
    add_user(site, "red@test.example", Role.EDITOR)
    with site.session() as db:
        db.add(News(title="Vårmöte i Bygdegården", summary="Kom!", body="Text."))
    counter = query_counter(site)
    with counter.client() as client:
        client.login("red@test.example")
        first, built = counter.count(client, "/")
        again, kept = counter.count(client, "/")
        assert "Vårmöte i Bygdegården" in text_of(again.text) and "Logga ut" in text_of(again.text)
        assert kept < built, f"the front page's content is kept: {kept} statements, not {built}"

        with site.session() as db:
            news = db.exec(select(News)).one()
            news.title = "Höstmöte i Bygdegården"
        changed, statements = counter.count(client, "/")
        assert "Höstmöte i Bygdegården" in text_of(changed.text) and "Vårmöte" not in changed.text
        assert statements > kept, "built again after the change"
