"""The last day to report interest (issue 16): a requester may give one
(not a day already past), staff and editors see it, and after it the
assignment is no longer offered as open: not on the public page and not in
the federated kind ``uppdrag``. The tag year of ``uppdrag`` ids is a setting."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core.daily import run_due
from core.testing import text_of
from plugins.samverkan import federated
from plugins.samverkan.models import Assignment
from tests.conftest import DEFAULT_WEBPORTAL
from tests.samverkan.conftest import ADMIN, TODAY, assignment_form


def _feed(client) -> str:  # type: ignore[no-untyped-def]
    feeds = client.get("/.well-known/paraply").json()["feeds"]
    return str(client.get(feeds["uppdrag"]["atom"]).text)


def test_a_deadline_in_the_past_is_refused_in_swedish_and_nothing_is_lost(sam_site, as_user):
    visitor = as_user(sam_site, None)
    page = visitor.submit("/samverkan/uppdrag/nytt", assignment_form(deadline="2026-10-13", title="Fika på torget"))
    assert page.status_code == 400
    assert "Sista dagen att anmäla intresse har redan varit" in text_of(page.text)
    assert 'value="Fika på torget"' in page.text and 'value="2026-10-13"' in page.text
    nonsense = visitor.submit("/samverkan/uppdrag/nytt", assignment_form(deadline="den fjortonde"))
    assert nonsense.status_code == 400
    with sam_site.session() as db:
        assert db.exec(select(Assignment)).first() is None


def test_after_the_deadline_the_assignment_is_no_longer_open_here_or_in_the_network(sam_site, as_user):
    visitor = as_user(sam_site, None)
    assert visitor.submit("/samverkan/uppdrag/nytt", assignment_form(deadline="2026-10-20")).status_code == 303
    with sam_site.session() as db:
        row = db.exec(select(Assignment)).one()
    assert row.deadline is not None and row.deadline.isoformat() == "2026-10-20"
    admin = as_user(sam_site, ADMIN)
    assert admin.submit(f"/samverkan/admin/uppdrag/{row.id}/lage", {"status": "open"}).status_code == 303
    assert "Sista dag att anmäla intresse 2026-10-20" in text_of(admin.get(f"/samverkan/admin/uppdrag/{row.id}").text)
    assert "2026-10-20" in text_of(admin.get("/samverkan/admin/uppdrag").text)

    public = text_of(visitor.get("/samverkan/").text)
    assert "Promenadledare för seniorer" in public and "Sista dag att anmäla intresse: 20 oktober 2026" in public
    assert "Promenadledare för seniorer" in _feed(visitor)

    sam_site.clock.set(TODAY + timedelta(days=6))  # the last day itself: still open
    assert "Promenadledare för seniorer" in text_of(visitor.get("/samverkan/").text)
    assert "Promenadledare för seniorer" in text_of(admin.get("/").text), "the front page's block"
    sam_site.clock.set(TODAY + timedelta(days=7))  # the day after
    assert "Promenadledare för seniorer" not in text_of(visitor.get("/samverkan/").text)
    assert "Promenadledare för seniorer" not in text_of(admin.get("/").text), "the front page's block"
    # Nothing was written when the day passed; the daily job tells the network.
    assert "Uppdrag vars sista dag att anmäla intresse har passerat: 1" in " ".join(
        r.summary for r in run_due(sam_site, TODAY + timedelta(days=7), any_hour=True)
    )
    assert "Promenadledare för seniorer" not in _feed(visitor)
    with sam_site.session() as db:
        kind = federated.kinds(sam_site)[0]
        assert not kind.is_public(db.exec(select(Assignment)).one())
    # Staff still have it, marked as passed.
    assert "har passerat" in text_of(admin.get(f"/samverkan/admin/uppdrag/{row.id}").text)


def test_the_tag_year_of_uppdrag_ids_is_a_setting_defaulting_to_2026(make_site, sam_site):
    assert ",2026:samverkan/uppdrag/7" in federated.tag_uri(sam_site, "samverkan/uppdrag/7")
    other = make_site(
        slug="sam2031",
        plugins=["webportal", "samverkan"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "samverkan": "tag_year = 2031\n"},
    )
    assert ",2031:samverkan/uppdrag/7" in federated.tag_uri(other, "samverkan/uppdrag/7")
