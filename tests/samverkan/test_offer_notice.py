"""Issue 20, point 4: staff offering an assignment to associations mails
each association's editors a notice (``samverkan.offer``) through a real
SMTP server, in the editor's language, with the link to Erbjudna uppdrag
where they answer; an editor who switched the kind off on
/konto/aviseringar gets nothing. Both databases (``make_site``)."""

from __future__ import annotations

import re

from sqlmodel import select

from core.models import OutboxMessage, User
from core.site import Site
from core.testing import smtp_settings, text_of
from plugins.samverkan.models import Assignment
from plugins.samverkan.notices import OFFER_NOTICE
from tests.evenemang.programme_helpers import link_in, mail_to, wait_for_mail
from tests.samverkan.conftest import ADMIN, EDITOR, OTHER_EDITOR, make_sam_site

TITLE = "Läxhjälp på biblioteket"


def _assignment(site: Site) -> int:
    """A new assignment without a requester's address (so the only mail is the notices)."""
    with site.session() as db:
        row = Assignment(
            title=TITLE,
            description="Två kvällar i veckan under hösten.",
            requester="Biblioteket",
        )
        db.add(row)
        db.commit()
        assert row.id is not None
        return row.id


def _speaks_english(site: Site, email: str) -> None:
    with site.session() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        user.locale = "en"
        db.add(user)
        db.commit()


def test_an_offer_mails_the_associations_editors_in_their_language(make_site, smtp_inbox, as_user):
    site = make_sam_site(make_site, mail=smtp_settings(smtp_inbox.port))
    _speaks_english(site, OTHER_EDITOR)  # Olle edits Degerfors IF and reads the site in English
    row_id = _assignment(site)
    admin = as_user(site, ADMIN)
    offered = admin.submit(f"/samverkan/admin/uppdrag/{row_id}/erbjud", {"forening": ["pro-karlskoga", "degerfors-if"]})
    assert offered.status_code == 303

    wait_for_mail(smtp_inbox, 2)
    (swedish,) = mail_to(smtp_inbox, EDITOR)
    assert swedish["Content-Language"] == "sv"
    assert swedish["Subject"] == f"Nytt uppdragserbjudande: {TITLE}"
    body = swedish.get_content().replace("\r\n", "\n")
    assert body.startswith("Hej Rita Redaktör!")
    assert f"erbjuder PRO Karlskoga uppdraget ”{TITLE}”" in body
    assert "Logga in, läs om uppdraget och svara om föreningen vill ta det:" in body
    assert "\nhttp://sam.example/samverkan/erbjudanden\n" in body, body
    # The footer names the kind and links to the editor's settings.
    assert "en förening jag är redaktör för erbjuds ett uppdrag" in body and "/aviseringar/" in body

    (english,) = mail_to(smtp_inbox, OTHER_EDITOR)
    assert english["Content-Language"] == "en"
    assert english["Subject"] == f"New assignment offer: {TITLE}"
    english_body = english.get_content().replace("\r\n", "\n")
    assert english_body.startswith("Hello Olle Annan!")
    assert f"offers Degerfors IF Ungdom the assignment “{TITLE}”" in english_body
    assert "an association I edit is offered an assignment" in english_body
    assert "Logga in" not in english_body

    # The link leads the signed-in editor to the offer and its answer form; a visitor must log in first.
    link = link_in(swedish, "/samverkan/erbjudanden")
    assert link == "/samverkan/erbjudanden"
    page = as_user(site, EDITOR).get(link)
    assert page.status_code == 200 and TITLE in text_of(page.text) and "PRO Karlskoga" in text_of(page.text)
    visitor = as_user(site, None).get(link, follow_redirects=False)
    assert visitor.status_code in (302, 303) and "/konto/logga-in" in visitor.headers["location"]

    # Only the two editors were mailed: the admin, who edits no association, and the other associations' none.
    assert sorted(m["To"] for m in smtp_inbox.messages) == sorted([EDITOR, OTHER_EDITOR])
    # Offering the same association again sends nothing more.
    again = admin.submit(f"/samverkan/admin/uppdrag/{row_id}/erbjud", {"forening": ["pro-karlskoga"]})
    assert again.status_code == 303
    with site.session() as db:
        assert len(db.exec(select(OutboxMessage)).all()) == 2


def test_an_editor_who_switched_offers_off_gets_nothing(make_site, smtp_inbox, as_user):
    site = make_sam_site(make_site, mail=smtp_settings(smtp_inbox.port))
    editor = as_user(site, EDITOR)
    settings = editor.get("/konto/aviseringar")
    assert settings.status_code == 200
    assert "en förening jag är redaktör för erbjuds ett uppdrag" in text_of(settings.text)
    kinds = re.findall(r'name="kind" value="([^"]+)"', settings.text)
    assert OFFER_NOTICE in kinds
    # Rita unticks only the offers and saves.
    saved = editor.submit("/konto/aviseringar", {"kind": [k for k in kinds if k != OFFER_NOTICE]})
    assert saved.status_code == 303
    assert re.search(f'value="{OFFER_NOTICE}" id="avisering-\\d+">', editor.get("/konto/aviseringar").text)

    row_id = _assignment(site)
    offered = as_user(site, ADMIN).submit(
        f"/samverkan/admin/uppdrag/{row_id}/erbjud", {"forening": ["pro-karlskoga", "degerfors-if"]}
    )
    assert offered.status_code == 303
    # The offer itself is stored for both and Rita still finds it on the page.
    assert TITLE in text_of(editor.get("/samverkan/erbjudanden").text)
    # Olle, in the same transaction, is mailed; once his mail is in, Rita's would have been too.
    wait_for_mail(smtp_inbox, 1)
    assert [m["To"] for m in smtp_inbox.messages] == [OTHER_EDITOR]
    with site.session() as db:
        assert [m.to_address for m in db.exec(select(OutboxMessage)).all()] == [OTHER_EDITOR]
