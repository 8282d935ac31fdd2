"""Issue 20, against a real SMTP server (aiosmtpd on 127.0.0.1), on both
databases:

- staff preview a newsletter "in the browser and as e-mail": the preview
  page holds the HTML e-mail in a sandboxed frame, byte for byte the HTML
  part the test send then delivers, under the site's CSP (no script);
- "addresses are kept only while subscribed": after subscribing, receiving
  an issue and unsubscribing, the address is in no text column of any
  table (the outbox keeps sent mail 30 days, so the newsletter's mail to
  that address goes with the subscriber); an address purged unconfirmed
  takes its confirmation mail with it; other origins' mail stays.
"""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from core import mail
from core.api import Mail, forget_mail_to, queue_mail
from core.models import OutboxMessage, Role
from plugins.nyhetsbrev.models import Subscriber
from tests.conftest import add_user, text_of
from tests.nyhetsbrev.conftest import NOW
from tests.test_news import add_news

ADMIN = "ada@test.example"


@pytest.fixture
def issue_site(letter_site):
    """The newsletter's site with a news item to send and an admin."""
    add_news(
        letter_site,
        "Vårstädning i Folkets park",
        summary="Vi städar <parken> den 5 april.",
        when=NOW - timedelta(days=3),
    )
    add_user(letter_site, ADMIN, Role.ADMIN)
    return letter_site


def _wait(inbox, count: int) -> None:
    deadline = time.monotonic() + 15  # the app's outbox worker sends in its own thread
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) >= count, [m["Subject"] for m in inbox.messages]


def _admin(site, make_client):
    admin = make_client(site)
    admin.login(ADMIN)
    return admin


def _compose(admin) -> str:
    """The id of a new draft of March's news."""
    made = admin.submit(
        "/nyhetsbrev/admin",
        {"title": "Nyhetsbrev mars", "start": "2026-03-01", "end": "2026-03-31", "editorial": "Hej *alla* & välkomna!"},
    )
    assert made.status_code == 303, made.text[:500]
    return made.headers["location"].rsplit("/", 1)[1]


def _lines(text: str) -> str:
    """Line ends as the file has them (SMTP carries CRLF), without the final one."""
    return text.replace("\r\n", "\n").rstrip("\n")


def test_the_preview_shows_the_html_mail_the_test_send_delivers(issue_site, make_client, smtp_inbox):
    site = issue_site
    admin = _admin(site, make_client)
    issue_id = _compose(admin)
    page = admin.get(f"/nyhetsbrev/admin/{issue_id}/forhandsgranska")
    assert page.status_code == 200
    frames = re.findall(r"<iframe\b[^>]*>", page.text)
    assert len(frames) == 1, frames
    (frame,) = frames
    # Sandboxed with no allow- keyword (no script, no forms, an origin of its own), titled for screen readers.
    assert re.search(r"\ssandbox[\s>]", frame) and "allow-" not in frame, frame
    assert 'title="Nyhetsbrevet som HTML-e-post"' in frame
    shown = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    # The site's CSP holds for the page and so for the frame's document: no inline script anywhere.
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    words = text_of(page.text)
    assert "Som e-post" in words and "Som e-post i ren text" in words

    assert admin.submit(f"/nyhetsbrev/admin/{issue_id}/provutskick").status_code == 303
    _wait(smtp_inbox, 1)
    (test_copy,) = smtp_inbox.messages
    assert test_copy["Subject"] == "Provutskick: Nyhetsbrev mars" and test_copy["To"] == ADMIN
    sent = test_copy.get_body(("html",)).get_content()
    assert _lines(shown) == _lines(sent), "the preview's HTML is not the HTML the test send delivered"
    assert "Vårstädning i Folkets park</a>" in shown and "&lt;parken&gt;" in shown
    # ... and the plain text below it is the test copy's plain part.
    plain = _lines(test_copy.get_body(("plain",)).get_content())
    pre = html.unescape(re.search(r'<pre class="nyhetsbrev-plain">(.*?)</pre>', page.text, re.S).group(1))
    assert _lines(pre) == plain


def _columns_holding(site, needle: str) -> list[str]:
    """``table.column`` of every text column in the database holding ``needle`` (any case)."""
    found = []
    with site.engine.connect() as connection:
        inspector = sa.inspect(connection)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if not isinstance(column["type"], sa.String):
                    continue
                quoted = sa.column(column["name"], sa.String)
                query = (
                    sa.select(sa.func.count())
                    .select_from(sa.table(table))
                    .where(sa.func.lower(quoted).contains(needle.lower(), autoescape=True))
                )
                if connection.execute(query).scalar():
                    found.append(f"{table}.{column['name']}")
    return found


def test_after_unsubscribing_the_address_is_nowhere_in_the_database(issue_site, make_client, smtp_inbox):
    site = issue_site
    address = "vera.glomd@test.example"
    visitor = make_client(site)
    assert (
        visitor.submit("/nyhetsbrev/prenumerera", {"email": "Vera.Glomd@Test.example", "consent": "y"}).status_code
        == 303
    )
    _wait(smtp_inbox, 1)
    confirm = re.search(r"http://testsite\.example(/nyhetsbrev/bekrafta/\S+)", smtp_inbox.messages[0].get_content())
    assert confirm and visitor.submit(confirm.group(1)).status_code == 303

    # An issue is sent and received; the next one waits in the outbox when the address leaves.
    admin = _admin(site, make_client)  # one client: its outbox worker's first round is behind us
    issue_id = _compose(admin)
    assert admin.submit(f"/nyhetsbrev/admin/{issue_id}/skicka").status_code == 303
    mail.send_due(site)
    _wait(smtp_inbox, 2)
    assert smtp_inbox.messages[1]["To"] == address and smtp_inbox.messages[1]["Subject"] == "Nyhetsbrev mars"
    second = _compose(admin)
    assert admin.submit(f"/nyhetsbrev/admin/{second}/skicka").status_code == 303
    with site.session() as db:
        rows = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == address)).all()
        assert {r.sent_at is None for r in rows} == {True, False}, "one sent, one waiting"
    assert "nyhetsbrev_subscriber.email" in _columns_holding(site, address)

    unsubscribe = re.search(
        r"http://testsite\.example(/nyhetsbrev/avsluta/[^\s\"]+)",
        smtp_inbox.messages[1].get_body(("plain",)).get_content(),
    )
    assert unsubscribe
    assert "Avsluta prenumerationen" in text_of(visitor.get(unsubscribe.group(1)).text)
    assert visitor.submit(unsubscribe.group(1)).status_code == 303
    assert _columns_holding(site, address) == [], "the address is still kept after unsubscribing"
    assert _columns_holding(site, "vera.glomd") == []
    # The waiting issue is not sent after all.
    mail.send_due(site)
    time.sleep(0.3)
    assert [m["To"] for m in smtp_inbox.messages].count(address) == 2
    # Every message of this test went to the address: the outbox is empty.
    with site.session() as db:
        assert db.exec(select(OutboxMessage)).all() == []


def test_forgetting_takes_only_the_plugins_mail_and_the_purge_forgets_too(issue_site, make_client, smtp_inbox):
    site = issue_site
    visitor = make_client(site)
    assert visitor.submit("/nyhetsbrev/prenumerera", {"email": "sam@test.example", "consent": "y"}).status_code == 303
    _wait(smtp_inbox, 1)
    with site.session() as db:
        queue_mail(site, Mail("Sam@Test.example", "Ett kvitto", "Hej!\n", "sv"), db, origin="core", at_once=False)
        queue_mail(site, Mail("SAM@test.example", "Nytt", "Hej!\n", "sv"), db, origin="nyhetsbrev", at_once=False)
        db.commit()
    with site.session() as db:
        assert forget_mail_to(db, "sam@TEST.example ", origin="lokaler") == 0
        with pytest.raises(ValueError):
            forget_mail_to(db, " ", origin="nyhetsbrev")
    # Never confirmed: the daily job deletes the address and the newsletter's mail to it, not core's.
    site.clock.set(NOW + timedelta(days=8))
    from plugins.nyhetsbrev.letters import purge_unconfirmed

    with site.session() as db:
        assert purge_unconfirmed(site, db) == 1
        db.commit()
    with site.session() as db:
        assert db.exec(select(Subscriber)).all() == []
        left = db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        assert [(r.origin, r.subject) for r in left] == [("core", "Ett kvitto")]
