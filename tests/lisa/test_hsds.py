"""The open standard: HSDS 3.0 read API answers validate against Open
Referral's JSON Schemas (vendored in plugins/lisa/hsds/schema, see its
README for source and version); filters and paging behave as HSDS's API
reference says; export and import round-trip in both serialisations."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import select

from core import cli as cli_module
from plugins.lisa.hsds.validate import errors, page_errors
from plugins.lisa.models import Schedule, Service, ServiceTerm, SpecialHours
from tests.conftest import DEFAULT_WEBPORTAL
from tests.lisa.conftest import ADMIN

API = "/hjalp/api"


def paraply(*args: str):
    """``paraply ARGS`` with the plugins' commands registered, as the console script does."""
    cli_module._register_plugin_commands()
    return CliRunner().invoke(cli_module.cli, [str(a) for a in args])


def all_pages(client, path: str, **params) -> list[dict]:
    items, page = [], 1
    while True:
        body = client.get(path, params={**params, "page": page, "per_page": 7}).json()
        items += body["contents"]
        if body["last_page"]:
            return items
        page += 1


def test_every_api_answer_validates_against_hsds_3_0(lisa_site, login):
    client = login(lisa_site, None)
    root = client.get(API + "/").json()
    assert root["version"] == "3.0" and root["openapi_url"].endswith("/3.0/schema/openapi.json")

    services = client.get(API + "/services", params={"per_page": 100}).json()
    assert services["total_items"] == 34
    assert page_errors("service_list", services) == []

    full = client.get(API + "/services", params={"per_page": 100, "full": "true"}).json()
    assert page_errors("service", full) == []
    for brief in services["contents"]:
        one = client.get(f"{API}/services/{brief['id']}")
        assert one.status_code == 200
        assert errors("service", one.json()) == [], brief["name"]

    organizations = client.get(API + "/organizations", params={"per_page": 100}).json()
    assert organizations["total_items"] == 20
    assert page_errors("organization", organizations) == []
    for org in organizations["contents"]:
        assert errors("organization", client.get(f"{API}/organizations/{org['id']}").json()) == []

    taxonomies = client.get(API + "/taxonomies").json()
    assert page_errors("taxonomy", taxonomies) == []
    taxonomy_id = taxonomies["contents"][0]["id"]
    assert errors("taxonomy", client.get(f"{API}/taxonomies/{taxonomy_id}").json()) == []

    terms = client.get(API + "/taxonomy_terms").json()
    assert terms["total_items"] == 13
    assert page_errors("taxonomy_term", terms) == []
    assert errors("taxonomy_term", client.get(f"{API}/taxonomy_terms/{terms['contents'][0]['id']}").json()) == []


def test_the_schemas_do_reject_what_is_not_hsds(lisa_site, login):
    """The validation is real: a broken document fails it."""
    client = login(lisa_site, None)
    service = client.get(API + "/services", params={"full": "true"}).json()["contents"][0]
    assert errors("service", {**service, "status": "öppen"})
    assert errors("service", {**service, "id": "inte-ett-uuid"})
    broken = json.loads(json.dumps(service))
    broken["schedules"][0]["freq"] = "DAGLIGEN"
    assert any("schedules/0/freq" in e for e in errors("service", broken))
    assert errors("service", {k: v for k, v in service.items() if k != "name"})


def test_a_full_service_carries_everything_a_peer_needs(lisa_site, login):
    client = login(lisa_site, None)
    brief = client.get(API + "/services", params={"search": "Mötesplats Svartå"}).json()["contents"][0]
    service = client.get(f"{API}/services/{brief['id']}").json()
    assert service["status"] == "active" and service["fees_description"] == "Kostnadsfritt"
    assert (
        service["schedules"][0] | {"byday": "TU", "opens_at": "11:00", "closes_at": "14:00"} == service["schedules"][0]
    )
    location = service["service_at_locations"][0]["location"]
    assert location["addresses"][0]["address_1"] == "Kyrkvägen 4" and location["addresses"][0]["country"] == "SE"
    assert location["accessibility"][0]["description"].startswith("Trappa")
    assert [a["taxonomy_term"]["name"] for a in service["attributes"]] == ["Ensamhet", "Mat och kläder"]
    assert service["organization"]["name"] == "Svenska kyrkan i Degerfors"
    assert service["service_areas"][0]["name"] == "Degerfors"
    assert service["assured_date"]


def test_search_taxonomy_term_and_organization_filters_are_anded(lisa_site, login):
    client = login(lisa_site, None)
    terms = {t["code"]: t["id"] for t in client.get(API + "/taxonomy_terms").json()["contents"]}
    violence = all_pages(client, API + "/services", taxonomy_term_id=terms["vald-i-nara-relationer"])
    assert {s["name"] for s in violence} == {"Jourtelefon", "Stödsamtal och skyddat boende", "Stöd till brottsutsatta"}
    both = all_pages(client, API + "/services", taxonomy_term_id=terms["vald-i-nara-relationer"], search="boende")
    assert [s["name"] for s in both] == ["Stödsamtal och skyddat boende"]
    assert all_pages(client, API + "/services", search="VALD") == all_pages(client, API + "/services", search="våld")
    org = violence[0]["organization_id"]
    mine = all_pages(client, API + "/services", organization_id=org)
    assert mine and all(s["organization_id"] == org for s in mine)
    assert client.get(API + "/taxonomy_terms", params={"search": "halsa"}).json()["contents"][0]["name"] == (
        "Psykisk hälsa"
    )
    unknown = client.get(API + "/services", params={"taxonomy_term_id": "00000000-0000-4000-8000-000000000000"})
    assert unknown.json()["total_items"] == 0 and unknown.json()["empty"] is True


def test_paging_walks_every_service_once(lisa_site, login):
    client = login(lisa_site, None)
    first = client.get(API + "/services", params={"per_page": 10}).json()
    assert (first["total_pages"], first["page_number"], first["size"], first["first_page"]) == (4, 1, 10, True)
    ids = [s["id"] for s in all_pages(client, API + "/services")]
    assert len(ids) == len(set(ids)) == 34
    last = client.get(API + "/services", params={"per_page": 10, "page": 4}).json()
    assert last["last_page"] is True and last["size"] == 4
    bad = client.get(API + "/services", params={"per_page": 1000})
    assert bad.status_code == 400 and "per_page" in bad.json()["message"]
    assert client.get(API + "/services/finns-inte").status_code == 404


def test_modified_after_lists_only_what_changed(lisa_site, login, set_clock):
    client = login(lisa_site, ADMIN)
    before = lisa_site.clock.now()
    set_clock(before + timedelta(hours=2))
    cutoff = (before + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert client.get(API + "/services", params={"modified_after": cutoff}).json()["total_items"] == 0
    with lisa_site.session() as db:
        service = db.exec(select(Service).where(Service.name == "Matkassar")).one()
    form = client.get(f"/hjalp/admin/tjanst/{service.id}")
    assert form.status_code == 200
    client.submit(f"/hjalp/admin/tjanst/{service.id}/kontrollerad")  # verification alone is not a change
    assert client.get(API + "/services", params={"modified_after": cutoff}).json()["total_items"] == 0
    from plugins.lisa import editing

    with lisa_site.session() as db:
        service = db.get(Service, service.id)
        editing.apply_changes(db, service, {"summary": "Matkasse varje torsdag."}, lisa_site.clock.now())
        db.commit()
    changed = client.get(API + "/services", params={"modified_after": cutoff}).json()
    assert [s["name"] for s in changed["contents"]] == ["Matkassar"]
    assert client.get(API + "/services", params={"modified_after": "i går"}).status_code == 400


def _service_facts(site) -> dict[str, tuple]:
    with site.session() as db:
        services = db.exec(select(Service)).all()
        facts = {}
        for s in services:
            openings = sorted(
                (x.weekday, x.opens_at, x.closes_at)
                for x in db.exec(select(Schedule).where(Schedule.service_id == s.id))
            )
            terms = len(db.exec(select(ServiceTerm).where(ServiceTerm.service_id == s.id)).all())
            specials = sorted(
                (x.uid, x.starts_on, x.ends_on, x.opens_at, x.closes_at, x.note)
                for x in db.exec(select(SpecialHours).where(SpecialHours.service_id == s.id))
            )
            facts[s.uid] = (
                s.name,
                s.summary,
                s.phone,
                s.status,
                s.municipality,
                s.address,
                s.free,
                s.language_list,
                s.min_age,
                s.max_age,
                tuple(openings),
                terms,
                s.open_on_holidays,
                tuple(specials),
            )
        return facts


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_export_then_import_into_an_empty_site_gives_the_same_directory(lisa_site, login, make_site, tmp_path, kind):
    client = login(lisa_site, None)
    download = client.get("/hjalp/export/hsds.json" if kind == "json" else "/hjalp/export/hsds-csv.zip")
    assert download.status_code == 200
    if kind == "json":
        document = download.json()
        assert document["hsds_version"] == "3.0"
        for service in document["services"]:
            assert errors("service", service) == []
    else:
        names = set(zipfile.ZipFile(io.BytesIO(download.content)).namelist())
        assert {"services.csv", "organizations.csv", "schedules.csv", "taxonomy_terms.csv", "attributes.csv"} <= names
    data_dir = tmp_path / f"tom-{kind}"  # named in site.toml, so the CLI finds the same database
    data_dir.mkdir()
    empty = make_site(
        slug="tom", plugins=["lisa"], extra=f'data_dir = "{data_dir}"', url=f"sqlite:///{data_dir}/tom.db"
    )
    target = tmp_path / f"lisa.{'json' if kind == 'json' else 'zip'}"
    target.write_bytes(download.content)
    result = paraply("lisa-import", "--site", empty.folder, target)
    assert result.exit_code == 0, result.output
    assert "34 tjänster" in result.output
    assert _service_facts(empty) == _service_facts(lisa_site)
    kept = [f for f in _service_facts(empty).values() if f[-1] or f[-2]]
    assert sorted(f[0] for f in kept) == ["Jourtelefon", "Kupan second hand och klädbank", "Matkassar"]
    again = paraply("lisa-import", "--site", empty.folder, target)
    assert "0 nya organisationer" in again.output  # idempotent: updated, not duplicated
    assert len(_service_facts(empty)) == 34


def test_admin_import_refuses_a_file_that_is_not_hsds(lisa_site, login):
    admin = login(lisa_site, ADMIN)
    bad = json.dumps({"services": [{"id": "x", "name": "Utan status"}]}).encode()
    response = admin.post(
        "/hjalp/admin/import",
        data={"csrftoken": admin.csrf()},
        files={"fil": ("fel.json", bad, "application/json")},
    )
    assert response.status_code == 400
    assert "följer inte HSDS 3.0" in response.text
    garbage = admin.post(
        "/hjalp/admin/import", data={"csrftoken": admin.csrf()}, files={"fil": ("x.json", b"{inte json", "text/plain")}
    )
    assert garbage.status_code == 400 and "varken HSDS-JSON" in garbage.text


def test_lisa_commands_refuse_a_site_without_lisa(make_site, tmp_path):
    site = make_site(slug="utan", plugins=["webportal"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    result = paraply("lisa-export", "--site", site.folder, tmp_path / "x.json")
    assert result.exit_code != 0 and "LISA is not in site.plugins" in result.output
