"""The foundation's whole story through the web pages, as staff and an
editor would live it: an association applies, an admin approves it, creates
an editor account (the editor chooses a password through the e-mailed
invitation) and links it, and the editor edits only their own
association and posts news that appears in the site's Atom feed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sqlmodel import col, select

from core.models import OutboxMessage, Role
from plugins.webportal.models import Association
from tests.conftest import add_user, text_of

ATOM = "{http://www.w3.org/2005/Atom}"


def test_apply_approve_link_edit_and_publish(site, make_client):
    add_user(site, "kansliet@test.example", Role.ADMIN, "Karin Kansli")
    with site.session() as db:
        db.add(Association(slug="grannklubben", name="Grannklubben", category="Idrott", municipality="Karlskoga"))
        db.commit()

    # A resident applies for their association, with no account.
    visitor = make_client(site)
    applied = visitor.submit(
        "/foreningar/ansok",
        {
            "name": "Degerfors Körsällskap",
            "category": "Kultur",
            "municipality": "Degerfors",
            "short_description": "Vi sjunger i fyra stämmor.",
            "applicant_name": "Sara Sångare",
            "applicant_email": "sara@test.example",
            "consent": "y",
        },
        follow_redirects=True,
    )
    assert applied.status_code == 200
    assert "Degerfors Körsällskap" not in text_of(visitor.get("/foreningar").text)

    # The admin finds it in the queue, approves it and creates the editor account.
    staff = make_client(site)
    staff.login("kansliet@test.example")
    queue = text_of(staff.get("/admin/foreningar").text)
    assert "Degerfors Körsällskap" in queue
    with site.session() as db:
        choir = db.exec(select(Association).where(Association.name == "Degerfors Körsällskap")).one()
    assert staff.submit(f"/admin/foreningar/{choir.id}/beslut", {"beslut": "godkann"}).status_code == 303
    assert "Degerfors Körsällskap" in text_of(visitor.get("/foreningar").text)
    created = staff.submit(
        "/-/admin/anvandare/ny", {"name": "Sara Sångare", "email": "sara@test.example", "role": "editor"}
    )
    assert created.status_code == 303
    # Sara chooses her own password through the invitation in her mail.
    with site.session() as db:
        # The newest: the approval's notice went to her first (no ORDER BY, no order on PostgreSQL).
        mine = select(OutboxMessage).where(OutboxMessage.to_address == "sara@test.example")
        invitation = db.exec(mine.order_by(col(OutboxMessage.id).desc())).first()
    assert invitation is not None
    link = re.search(r"https?://[^/\s]+(/konto/inbjudan/\S+)", invitation.body)
    assert link, invitation.body
    chosen = make_client(site).submit(link.group(1), {"new": "sjung-i-stamma-2026", "repeat": "sjung-i-stamma-2026"})
    assert chosen.status_code == 303
    linked = staff.submit(
        f"/admin/foreningar/{choir.id}/redaktorer",
        {"action": "add", "email": "sara@test.example"},
        follow_redirects=True,
    )
    assert "Sara Sångare kan nu redigera Degerfors Körsällskap" in text_of(linked.text)

    # The editor logs in, edits their own association and may not touch another.
    editor = make_client(site)
    editor.login("sara@test.example", "sjung-i-stamma-2026")
    mine = text_of(editor.get("/mina-foreningar").text)
    assert "Degerfors Körsällskap" in mine and "Grannklubben" not in mine
    edited = editor.submit(
        f"/foreningar/{choir.slug}/redigera",
        {
            "name": "Degerfors Körsällskap",
            "category": "Kultur",
            "municipality": "Degerfors",
            "short_description": "Blandad kör som söker tenorer.",
            "visibility": "public",
        },
        follow_redirects=True,
    )
    assert "Blandad kör som söker tenorer." in text_of(edited.text)
    assert editor.get("/foreningar/grannklubben/redigera", follow_redirects=False).status_code == 403

    # Their news appears on the site and in its Atom feed.
    posted = editor.submit(
        "/nyheter/ny",
        {
            "title": "Vårkonsert i Degerfors kyrka",
            "summary": "Välkommen på vårkonsert den 12 april.",
            "body": "Fri entré. **Kaffe** i pausen.",
            "association": str(choir.id),
            "published": "y",
        },
    )
    assert posted.status_code == 303
    feed = visitor.get("/nyheter.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(feed.content).findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert "Vårkonsert i Degerfors kyrka" in titles
    entry = entries[titles.index("Vårkonsert i Degerfors kyrka")]
    assert entry.findtext(f"{ATOM}id").startswith("tag:")
    assert "Vårkonsert i Degerfors kyrka" in text_of(visitor.get(f"/foreningar/{choir.slug}").text)
