"""Organisations keep their own entries current through a signed link:
they confirm (verified now) or propose changes, which wait for an admin."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from plugins.lisa.confirm import confirm_url
from plugins.lisa.models import Organisation, Proposal, Service
from tests.conftest import text_of
from tests.lisa.conftest import ADMIN, VOLUNTEER


def organisation(site, name: str) -> Organisation:
    with site.session() as db:
        return db.exec(select(Organisation).where(Organisation.name == name)).one()


def service(site, name: str) -> Service:
    with site.session() as db:
        return db.exec(select(Service).where(Service.name == name)).one()


def test_admin_copies_the_link_and_the_organisation_confirms_without_an_account(lisa_site, login, set_clock):
    admin = login(lisa_site, ADMIN)
    listing = admin.get("/hjalp/admin/organisationer").text
    org = organisation(lisa_site, "Anhörigföreningen i Karlskoga")
    link = re.search(rf'id="link-{org.id}" type="text" readonly value="([^"]+)"', listing).group(1)
    assert link.startswith("http://lisa.example/hjalp/bekrafta/")
    path = link.removeprefix("http://lisa.example")

    stranger = login(lisa_site, None)
    page = stranger.get(path)
    assert page.status_code == 200
    assert "Anhöriggrupp" in page.text and "behöver kontrolleras" in text_of(page.text)  # 500 days old
    sid = service(lisa_site, "Anhöriggrupp").id
    set_clock(lisa_site.clock.now())
    done = stranger.submit(f"{path}/{sid}", {f"s{sid}-submitter": "Kim Kassör", "atgard": "stammer"})
    assert done.status_code == 303
    checked = service(lisa_site, "Anhöriggrupp")
    assert checked.verified_by == "Kim Kassör (Anhörigföreningen i Karlskoga)"
    assert (
        "Anhöriggrupp"
        not in text_of(admin.get("/hjalp/admin").text).split("Behöver kontrolleras")[1].split("Alla tjänster")[0]
    )


def test_proposed_changes_wait_for_the_admin(lisa_site, login):
    org = organisation(lisa_site, "Röda Korset Karlskoga-Degerfors")
    path = confirm_url(lisa_site, org)
    sid = service(lisa_site, "Träffpunkt för gemenskap").id
    volunteer = login(lisa_site, VOLUNTEER)
    mine = volunteer.get("/hjalp/mina-tjanster")
    assert "Träffpunkt för gemenskap" in mine.text and "/hjalp/bekrafta/" in mine.text
    form = volunteer.get(path).text
    fields = dict(re.findall(rf'name="(s{sid}-[a-z_]+)"[^>]*value="([^"]*)"', form))
    fields.update({f"s{sid}-openings_text": "tisdag 13.00–16.00\ntorsdag 13.00–17.00", f"s{sid}-submitter": "Olle"})
    fields[f"s{sid}-summary"] = "Fika, samtal och sällskap – nu även torsdagar till fem."
    fields[f"s{sid}-status"] = "active"
    sent = volunteer.submit(f"{path}/{sid}", {**fields, "atgard": "foresla"})
    assert sent.status_code == 303
    # nothing public changed yet
    public = text_of(login(lisa_site, None).get(f"/hjalp/tjanst/{sid}").text)
    assert "torsdag 13.00–16.00" in public and "till fem" not in public
    # the admin sees the difference and approves
    admin = login(lisa_site, ADMIN)
    overview = text_of(admin.get("/hjalp/admin").text)
    assert "Ändringsförslag från organisationer (1)" in overview
    assert "torsdag 13.00–17.00" in overview and "Olle (Röda Korset Karlskoga-Degerfors)" in overview
    with lisa_site.session() as db:
        proposal = db.exec(select(Proposal)).one()
    assert admin.submit(f"/hjalp/admin/forslag/{proposal.id}", {"beslut": "godkann"}).status_code == 303
    public = text_of(login(lisa_site, None).get(f"/hjalp/tjanst/{sid}").text)
    assert "torsdag 13.00–17.00" in public and "till fem" in public
    assert "Ändringsförslag från organisationer (0)" in text_of(admin.get("/hjalp/admin").text)


def test_a_rejected_proposal_changes_nothing(lisa_site, login):
    org = organisation(lisa_site, "Pingstkyrkan Karlskoga")
    path = confirm_url(lisa_site, org)
    sid = service(lisa_site, "Matkassar").id
    client = login(lisa_site, None)
    fields = dict(re.findall(rf'name="(s{sid}-[a-z_]+)"[^>]*value="([^"]*)"', client.get(path).text))
    fields.update({f"s{sid}-phone": "0586-999 99", f"s{sid}-submitter": "Pia", f"s{sid}-status": "active"})
    fields[f"s{sid}-openings_text"] = "torsdag 15.00–18.00"
    client.submit(f"{path}/{sid}", {**fields, "atgard": "foresla"})
    admin = login(lisa_site, ADMIN)
    with lisa_site.session() as db:
        proposal = db.exec(select(Proposal)).one()
    admin.submit(f"/hjalp/admin/forslag/{proposal.id}", {"beslut": "avsla"})
    assert service(lisa_site, "Matkassar").phone == "0586-350 45"


def test_links_are_signed_expire_and_only_reach_the_own_organisation(lisa_site, login, set_clock):
    client = login(lisa_site, None)
    org = organisation(lisa_site, "Röda Korset Karlskoga-Degerfors")
    path = confirm_url(lisa_site, org)
    base, token = path.rsplit("/", 1)
    payload, stamp, signature = token.split(".")
    tampered = f"{base}/{payload}.{stamp}.{'A' * len(signature)}"
    assert client.get(tampered).status_code == 403
    other = service(lisa_site, "Matkassar")  # Pingstkyrkan's
    refused = client.submit(f"{path}/{other.id}", {f"s{other.id}-submitter": "X", "atgard": "stammer"})
    assert refused.status_code == 403
    set_clock(lisa_site.clock.now() + timedelta(days=61))
    expired = client.get(path)
    assert expired.status_code == 403 and "gått ut" in text_of(expired.text)
