"""The only personal data of the plugin, an assignment's contact person: in
the person's own data ("Mina uppgifter"), gone with their account, and
erased by the daily job a year after the assignment was closed."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from sqlmodel import select

from core.daily import run_due
from core.testing import TEST_PASSWORD
from plugins.samverkan.models import Assignment
from tests.samverkan.conftest import ADMIN, OTHER_EDITOR, TODAY, assignment_form


def _rows(site):  # type: ignore[no-untyped-def]
    with site.session() as db:
        return db.exec(select(Assignment).order_by(Assignment.id)).all()


def test_my_assignments_are_in_my_data_and_go_with_my_account(sam_site, as_user):
    as_user(sam_site, None).submit("/samverkan/uppdrag/nytt", assignment_form(contact_email=OTHER_EDITOR))
    as_user(sam_site, None).submit("/samverkan/uppdrag/nytt", assignment_form(title="Någon annans"))
    olle = as_user(sam_site, OTHER_EDITOR)
    archive = zipfile.ZipFile(io.BytesIO(olle.get("/konto/mina-uppgifter.zip").content))
    data = json.loads(archive.read("uppgifter.json"))["samverkan"]
    assert [(r["uppdrag"], r["e_post"]) for r in data["uppdrag"]] == [("Promenadledare för seniorer", OTHER_EDITOR)]
    assert "kim@kommun.example" not in json.dumps(data), "nobody else's data"
    assert olle.submit("/konto/mina-uppgifter", {"password": TEST_PASSWORD, "confirm": "y"}).status_code == 303
    mine, theirs = _rows(sam_site)
    assert (mine.title, mine.contact_name, mine.contact_email) == ("Promenadledare för seniorer", "", "")
    assert theirs.contact_email == "kim@kommun.example"


def test_contacts_are_erased_a_year_after_the_assignment_closed(sam_site, as_user):
    as_user(sam_site, None).submit("/samverkan/uppdrag/nytt", assignment_form())
    as_user(sam_site, None).submit("/samverkan/uppdrag/nytt", assignment_form(title="Fortfarande öppet"))
    first = _rows(sam_site)[0]
    admin = as_user(sam_site, ADMIN)
    assert admin.submit(f"/samverkan/admin/uppdrag/{first.id}/lage", {"status": "closed"}).status_code == 303
    run_due(sam_site, TODAY + timedelta(days=364), any_hour=True)
    assert all(r.contact_email for r in _rows(sam_site)), "kept for a year"
    run_due(sam_site, TODAY + timedelta(days=366), any_hour=True)
    closed, still_open = _rows(sam_site)
    assert (closed.contact_name, closed.contact_email) == ("", "")
    assert still_open.contact_email == "kim@kommun.example", "an open assignment keeps its contact"
