"""The events plugin's share of each person's own data ("Mina uppgifter",
core's ``own_data`` and ``forget_user``): sign-ups and programme
submissions are in the zip; deleting the account cancels its sign-ups (the
waiting list moves up), erases their name and e-mail, and keeps the
submission with its association without the person. Submissions' contact
details are erased by a daily job after the programme. Both databases, real
SMTP."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from sqlmodel import select

from core.testing import TEST_PASSWORD, text_of
from plugins.evenemang import registration_report
from plugins.evenemang.programme_models import ProgrammeItem
from plugins.evenemang.registration_models import Registration, RegState
from tests.evenemang.conftest import ADMIN, EDITOR, OTHER_EDITOR
from tests.evenemang.programme_helpers import (
    event_with_places,
    mail_site,
    make_programme,
    sign_up_confirmed,
    submit_item,
    wait_for_mail,
)


def _world(site, as_user):
    event_id = event_with_places(as_user(site, EDITOR), places=1)
    olle = as_user(site, OTHER_EDITOR)
    assert olle.submit(f"/evenemang/{event_id}/anmal", {"name": "Olle Annan", "email": OTHER_EDITOR}).status_code == 303
    sign_up_confirmed(
        as_user(site, None), site.smtp_inbox, event_id, {"name": "Bo", "email": "bo@example.se", "vantelista": "ja"}
    )
    make_programme(as_user(site, ADMIN))
    item = submit_item(
        olle, association="degerfors-skidklubb", contact_name="Olle Annan", contact_email=OTHER_EDITOR.upper()
    )
    return olle, event_id, item


def test_my_sign_ups_and_submissions_are_in_my_data_and_go_with_my_account(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    site.smtp_inbox = smtp_inbox
    olle, event_id, item = _world(site, as_user)

    response = olle.get("/konto/mina-uppgifter.zip")
    assert response.status_code == 200
    data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("uppgifter.json"))["evenemang"]
    assert [(r["evenemang"], r["e-post"], r["status"]) for r in data["anmalningar"]] == [
        ("Månadsmöte", OTHER_EDITOR, "confirmed")
    ]
    assert [(i["rubrik"], i["forening"], i["kontakt_e-post"]) for i in data["programbidrag"]] == [
        ("Dragspel på scen", "Degerfors Skidklubb", OTHER_EDITOR.upper())
    ]
    assert "bo@example.se" not in json.dumps(data), "nobody else's data"
    assert "evenemang anmalningar 1" in text_of(olle.get("/konto/mina-uppgifter").text)

    gone = olle.submit("/konto/mina-uppgifter", {"password": TEST_PASSWORD, "confirm": "y"})
    assert gone.status_code == 303
    with site.session() as db:
        rows = db.exec(select(Registration).order_by(Registration.id)).all()
        assert [(r.name, r.email, r.user_id, r.state) for r in rows] == [
            ("", "", None, RegState.CANCELLED),
            ("Bo", "bo@example.se", None, RegState.CONFIRMED),
        ], "Olle's place went to Bo, and Olle's name and address are gone"
        kept = db.get(ProgrammeItem, item)
        assert kept is not None and kept.title == "Dragspel på scen"
        assert (kept.submitted_by_id, kept.contact_name, kept.contact_email) == (None, "", "")
    wait_for_mail(smtp_inbox, 4)
    assert smtp_inbox.messages[-1]["Subject"] == "Du har fått en plats: Månadsmöte", [
        m["Subject"] for m in smtp_inbox.messages
    ]


def test_submission_contacts_are_erased_after_the_programme(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    make_programme(as_user(site, ADMIN))  # 12-13 December 2026
    item = submit_item(as_user(site, EDITOR))
    (job,) = [j for j in registration_report.daily_jobs() if j.name == "evenemang-programkontakter-gallra"]
    assert job.run(site, datetime(2027, 1, 12, 8, 0, tzinfo=UTC)) == "Raderade kontaktuppgifter i programbidrag: 0"
    assert job.run(site, datetime(2027, 1, 13, 3, 0, tzinfo=UTC)) == "Raderade kontaktuppgifter i programbidrag: 1"
    assert job.run(site, datetime(2027, 1, 14, 3, 0, tzinfo=UTC)) == "Raderade kontaktuppgifter i programbidrag: 0"
    with site.session() as db:
        row = db.get(ProgrammeItem, item)
        assert row is not None and (row.contact_name, row.contact_email) == ("", "")
        assert row.title == "Dragspel på scen" and row.association_name == "PRO Karlskoga"
