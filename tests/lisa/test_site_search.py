"""LISA's services in the site search (``/sok``): indexed as the kind
``help`` (as federated), ranked with the rest, with a kind filter of their
own; an ended service is not found; a site whose index was made before LISA
joined it gets its services indexed by ``paraply migrate``."""

from __future__ import annotations

from sqlmodel import select

from core import migrate, search_index
from core.site import Site
from plugins.lisa import editing
from plugins.lisa.models import Organisation, Service, ServiceStatus, Term
from tests.conftest import text_of


def add_service(site: Site, name: str, description: str, **changes: str) -> int:
    """A service saved as the admin form saves it (``editing.apply_changes``)."""
    with site.session() as db:
        organisation = db.exec(select(Organisation).where(Organisation.name == "Röda Korset Karlskoga-Degerfors")).one()
        term = db.exec(select(Term).where(Term.code == "ensamhet")).one()
        assert organisation.id is not None and term.id is not None
        service = Service(organisation_id=organisation.id, name=name, municipality="Karlskoga")
        db.add(service)
        db.flush()
        editing.set_terms(db, service, [term.id])
        editing.apply_changes(db, service, {"description": description, **changes}, site.clock.now())
        assert service.id is not None
        return service.id


def edit_service(site: Site, service_id: int, **changes: str) -> None:
    with site.session() as db:
        service = db.get(Service, service_id)
        assert service is not None
        editing.apply_changes(db, service, changes, site.clock.now())


def test_a_help_service_is_found_by_the_site_search_with_its_kind(lisa_site, login):
    service_id = add_service(
        lisa_site, "Stickcafé på biblioteket", "Vi stickar av garnnystan och dricker kaffe, nybörjare välkomna."
    )
    client = login(lisa_site, None)
    html = client.get("/sok", params={"q": "garnnystan"}).text
    page = text_of(html)
    assert "1 träff för ”garnnystan”" in page
    assert "Stickcafé på biblioteket" in page
    assert f"Hjälptjänster · Karlskoga · {lisa_site.name}" in page
    assert f'href="/hjalp/tjanst/{service_id}"' in html
    # Its own choice in the kind filter, with the count, and the filter keeps it.
    assert '<option value="help">Hjälptjänster (1)</option>' in html
    assert "Stickcafé på biblioteket" in text_of(client.get("/sok", params={"q": "garnnystan", "typ": "help"}).text)
    assert "Stickcafé på biblioteket" in text_of(client.get("/sok", params={"q": "garnnystan", "sajt": "egen"}).text)
    assert "Inga träffar" in text_of(client.get("/sok", params={"q": "garnnystan", "typ": "members"}).text)
    # A need's name finds it too, with the demo's services of that need.
    lonely = text_of(client.get("/sok", params={"q": "ensamhet", "typ": "help"}).text)
    assert "Stickcafé på biblioteket" in lonely and "Träffpunkt för gemenskap" in lonely

    # An edit is searchable at once; the old words are gone.
    edit_service(lisa_site, service_id, description="Vi virkar mössor till nyfödda.")
    assert "Stickcafé på biblioteket" in text_of(client.get("/sok", params={"q": "virkar"}).text)
    assert "Inga träffar" in text_of(client.get("/sok", params={"q": "garnnystan"}).text)
    # In English, the kind reads in English.
    english = client.get("/sok", params={"q": "virkar", "lang": "en"}).text
    assert "Help services" in text_of(english) and "Hjälptjänster" not in english


def test_an_ended_service_is_not_found(lisa_site, login):
    ended = add_service(lisa_site, "Gamla stickcafét", "Vi stickade tillsammans.", status=ServiceStatus.ENDED.value)
    running = add_service(lisa_site, "Syjunta", "Vi syr och stickade förr.")
    client = login(lisa_site, None)
    page = text_of(client.get("/sok", params={"q": "stickade"}).text)
    assert "Syjunta" in page and "Gamla stickcafét" not in page
    # Ending a service takes it out of the search; opening it again brings it back.
    edit_service(lisa_site, running, status=ServiceStatus.ENDED.value)
    assert "Inga träffar" in text_of(client.get("/sok", params={"q": "stickade"}).text)
    edit_service(lisa_site, ended, status=ServiceStatus.TEMPORARILY_CLOSED.value)
    assert "Gamla stickcafét" in text_of(client.get("/sok", params={"q": "stickade"}).text)
    with lisa_site.session() as db:
        refs = {h.ref for h in search_index.search(db, "", kinds=["help"], per_page=100).hits}
        ended_ids = db.exec(select(Service.id).where(Service.status == ServiceStatus.ENDED.value)).all()
    assert refs and not refs & {str(i) for i in ended_ids}


def test_migrating_indexes_services_of_a_site_whose_index_came_before(lisa_site, login):
    """A site made before LISA's services were in the index: its index has
    associations and news, but no service, until ``paraply migrate``."""
    with lisa_site.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM core_search_document WHERE kind = 'help'")
    client = login(lisa_site, None)
    assert "Inga träffar" in text_of(client.get("/sok", params={"q": "sorgegrupp"}).text)
    migrate.upgrade(lisa_site)
    assert "Sorgegrupp" in text_of(client.get("/sok", params={"q": "sorgegrupp"}).text)
    with lisa_site.session() as db:
        public = db.exec(select(Service).where(Service.status != ServiceStatus.ENDED.value)).all()
        assert search_index.search(db, "", kinds=["help"]).total == len(public) > 30
        # Once indexed, migrating again indexes nothing anew.
        assert search_index.index_new_kinds(lisa_site, db) == []
