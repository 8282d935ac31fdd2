"""Each person's own data (issue 13, point 6; GDPR articles 15, 17 and 20),
through the real app on both databases: the zip holds the account, its
sessions, the associations it edits, the news it wrote and every plugin's
share; deleting the account keeps what was written for an association,
without the author; an admin does both for a person on request."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from sqlmodel import select

from core.accounts import get_user_by_email
from core.models import LoginSession, Role
from plugins.fritidsbanken.models import Branch, Staff
from plugins.lisa.models import HealthCentre, Membership, MembershipKind
from plugins.odling.models import Coordinator
from plugins.webportal.models import AssociationEditor, News
from tests.conftest import DEFAULT_WEBPORTAL, PASSWORD, add_user, text_of
from tests.odling_fixtures import ODLING, add_member
from tests.webportal_fixtures import add_association

ALL = ["webportal", "lisa", "fritidsbanken", "odling"]
SETTINGS = {"webportal": DEFAULT_WEBPORTAL, "fritidsbanken": 'sender = "log"\n', "odling": ODLING}


def _world(site):
    """Eva edits an association, wrote a news item, and has a role in each plugin."""
    eva = add_user(site, "eva@test.example", Role.EDITOR, "Eva Redaktör")
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    club = add_association(site, "Körsångarna", editor=eva)
    with site.session() as db:
        db.add(News(title="Vårkonsert i kyrkan", summary="Välkomna!", association_id=club.id, author_id=eva.id))
        centre = HealthCentre(name="Vårdcentralen Karlskoga")
        branch = Branch(name="Fritidsbanken Karlskoga")
        db.add(centre)
        db.add(branch)
        db.flush()
        db.add(Membership(user_id=eva.id, kind=MembershipKind.HEALTH_CENTRE, health_centre_id=centre.id))
        db.add(Staff(branch_id=branch.id, user_id=eva.id))
        db.add(Coordinator(user_id=eva.id, responsibility="Bin och blommor"))
        db.commit()
    add_member(site, "Eva Redaktör", "eva@test.example")
    return eva


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_my_data_exports_everything_as_json_and_csv(make_site, make_client):
    site = make_site(plugins=ALL, plugin_settings=SETTINGS)
    _world(site)
    client = make_client(site)
    client.login("eva@test.example")
    page = text_of(client.get("/konto/mina-uppgifter").text)
    assert "Mina uppgifter" in page and "webportal nyheter 1" in page

    archive = _zip(client.get("/konto/mina-uppgifter.zip"))
    data = json.loads(archive.read("uppgifter.json"))
    assert data["core"]["konto"][0]["e-post"] == "eva@test.example"
    assert data["core"]["inloggningar"][0]["nätverk"] == "testclient"
    assert [a["förening"] for a in data["webportal"]["foreningar_som_redaktor"]] == ["Körsångarna"]
    assert [(n["rubrik"], n["förening"]) for n in data["webportal"]["nyheter"]] == [
        ("Vårkonsert i kyrkan", "Körsångarna")
    ]
    assert data["lisa"]["roller"] == [
        {"typ": "health_centre", "organisation": "", "vardcentral": "Vårdcentralen Karlskoga"}
    ]
    assert data["fritidsbanken"]["personal_pa"][0]["utlamningsstalle"] == "Fritidsbanken Karlskoga"
    assert data["odling"]["samordnare"][0]["ansvar"] == "Bin och blommor"
    assert data["odling"]["medlemskap"][0]["e-post"] == "eva@test.example"
    rows = list(csv.DictReader(io.StringIO(archive.read("webportal-nyheter.csv").decode("utf-8-sig"))))
    assert rows[0]["rubrik"] == "Vårkonsert i kyrkan"
    assert "core-konto.csv" in archive.namelist() and "LASMIG.txt" in archive.namelist()


def test_the_zip_holds_nobody_elses_data(make_site, make_client):
    site = make_site(plugins=["webportal"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    _ = add_user(site, "eva@test.example")
    other = add_user(site, "bo@test.example", name="Bo Annan")
    add_association(site, "Bos klubb", editor=other)
    client = make_client(site)
    client.login("eva@test.example")
    archive = _zip(client.get("/konto/mina-uppgifter.zip"))
    body = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Bo Annan" not in body and b"bo@test.example" not in body and b"Bos klubb" not in body


def test_deleting_my_account_keeps_the_associations_news_without_me(make_site, make_client):
    site = make_site(plugins=ALL, plugin_settings=SETTINGS)
    eva = _world(site)
    client = make_client(site)
    client.login("eva@test.example")
    copy = make_client(site)
    copy.cookies.update(client.cookies)

    wrong = client.submit("/konto/mina-uppgifter", {"password": "fel", "confirm": "y"})
    assert wrong.status_code == 400 and "Lösenordet stämmer inte." in text_of(wrong.text)
    unconfirmed = client.submit("/konto/mina-uppgifter", {"password": PASSWORD})
    assert unconfirmed.status_code == 400 and "Kryssa i rutan" in text_of(unconfirmed.text)
    with site.session() as db:
        assert get_user_by_email(db, "eva@test.example") is not None, "a refused request changes nothing"

    gone = client.submit("/konto/mina-uppgifter", {"password": PASSWORD, "confirm": "y"})
    assert gone.status_code == 303
    assert "Ditt konto och dina uppgifter är borttagna." in text_of(client.get("/").text)
    with site.session() as db:
        assert get_user_by_email(db, "eva@test.example") is None
        news = db.exec(select(News)).one()
        assert news.title == "Vårkonsert i kyrkan" and news.author_id is None and news.association_id is not None
        for table in (AssociationEditor, Membership, Staff, Coordinator, LoginSession):
            assert db.exec(select(table)).all() == [], table.__name__
    assert copy.get("/konto/losenord", follow_redirects=False).status_code == 303
    assert client.submit("/konto/logga-in", {"email": "eva@test.example", "password": PASSWORD}).status_code == 400
    assert eva.id is not None


def test_an_admin_exports_and_deletes_on_request(make_site, make_client):
    site = make_site(plugins=["webportal"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    eva = add_user(site, "eva@test.example", Role.EDITOR, "Eva Redaktör")
    admin_user = add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    admin = make_client(site)
    admin.login("admin@test.example")
    data = json.loads(_zip(admin.get(f"/-/admin/anvandare/{eva.id}/uppgifter.zip")).read("uppgifter.json"))
    assert data["core"]["konto"][0]["namn"] == "Eva Redaktör"
    assert admin.get(f"/-/admin/anvandare/{2**40}/uppgifter.zip").status_code == 404

    confirm = admin.get(f"/-/admin/anvandare/{eva.id}/ta-bort")
    assert "Ta bort kontot för Eva Redaktör" in text_of(confirm.text)
    assert admin.submit(f"/-/admin/anvandare/{eva.id}/ta-bort", {}).status_code == 400
    own = admin.submit(f"/-/admin/anvandare/{admin_user.id}/ta-bort", {"confirm": "y"})
    assert own.status_code == 400 and "Ta bort ditt eget konto under Mina uppgifter" in text_of(own.text)
    done = admin.submit(f"/-/admin/anvandare/{eva.id}/ta-bort", {"confirm": "y"})
    assert done.status_code == 303
    assert "Kontot för Eva Redaktör och dess uppgifter är borttagna." in text_of(admin.get("/-/admin/anvandare").text)
    with site.session() as db:
        assert get_user_by_email(db, "eva@test.example") is None


def test_the_only_admin_cannot_delete_their_account(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    client = make_client(site)
    client.login("admin@test.example")
    assert "Du är webbplatsens enda administratör" in text_of(client.get("/konto/mina-uppgifter").text)
    refused = client.submit("/konto/mina-uppgifter", {"password": PASSWORD, "confirm": "y"})
    assert refused.status_code == 400
    with site.session() as db:
        assert get_user_by_email(db, "admin@test.example") is not None
