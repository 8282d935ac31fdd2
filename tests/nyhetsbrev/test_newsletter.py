"""The newsletter against a real SMTP server (aiosmtpd on 127.0.0.1), on
both databases: subscribe → confirm → receive → one-click unsubscribe
(RFC 8058, posted without cookies as a mail client does); composing an
issue from the period's news, preview, test send, sending once however
often the button is pressed; the archive and its Atom feed; what a visitor
is told for an invalid address, a link used twice or expired, an unknown
token."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import defusedxml.ElementTree as ET
from sqlmodel import select

from core import mail
from core.models import Role
from plugins.nyhetsbrev.models import Subscriber
from tests.conftest import add_user, text_of
from tests.nyhetsbrev.conftest import NOW
from tests.test_news import add_news


def _wait(inbox, count: int) -> None:
    deadline = time.monotonic() + 15  # the app's outbox worker sends in its own thread
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) >= count, [m["Subject"] for m in inbox.messages]


def _link(message, pattern: str) -> str:
    found = re.search(r"http://testsite\.example(" + pattern + r")", message.get_body(("plain",)).get_content())
    assert found, message.get_body(("plain",)).get_content()
    return found.group(1)


def test_subscribe_confirm_receive_and_unsubscribe_in_one_click(letter_site, make_client, smtp_inbox):
    site = letter_site
    visitor = make_client(site)
    # Bad input: said in Swedish, what was typed is kept.
    bad = visitor.submit("/nyhetsbrev/prenumerera", {"email": "vera@", "consent": "y"})
    assert bad.status_code == 400 and "Skriv en giltig e-postadress" in text_of(bad.text)
    assert 'value="vera@"' in bad.text
    unticked = visitor.submit("/nyhetsbrev/prenumerera", {"email": "vera@test.example"})
    assert unticked.status_code == 400 and "Kryssa i rutan" in text_of(unticked.text)

    done = visitor.submit("/nyhetsbrev/prenumerera", {"email": "Vera@Test.example", "consent": "y"})
    assert done.status_code == 303 and "Titta i din e-post" in text_of(visitor.get(done.headers["location"]).text)
    _wait(smtp_inbox, 1)
    confirm = _link(smtp_inbox.messages[0], r"/nyhetsbrev/bekrafta/\S+")
    with site.session() as db:
        assert db.exec(select(Subscriber)).one().confirmed_at is None
    assert "Bekräfta prenumerationen" in text_of(visitor.get(confirm).text)  # GET confirms nothing
    assert visitor.submit(confirm).status_code == 303
    assert "Du prenumererar redan" in text_of(visitor.get(confirm).text)  # the link used twice
    with site.session() as db:
        assert db.exec(select(Subscriber)).one().confirmed_at is not None

    # Staff compose an issue of March's news, preview it, send a test, then send it (twice, by a double click).
    add_news(site, "Vårstädning i Folkets park", summary="Vi städar parken den 5 april.", when=NOW - timedelta(days=3))
    add_news(site, "Gammal nyhet", when=NOW - timedelta(days=90))
    add_user(site, "ada@test.example", Role.ADMIN)
    admin = make_client(site)
    admin.login("ada@test.example")
    made = admin.submit(
        "/nyhetsbrev/admin",
        {"title": "Nyhetsbrev mars", "start": "2026-03-01", "end": "2026-03-31", "editorial": "Hej *alla*!"},
    )
    assert made.status_code == 303
    edit_url = made.headers["location"]
    issue_id = edit_url.rsplit("/", 1)[1]
    preview = text_of(admin.get(f"/nyhetsbrev/admin/{issue_id}/forhandsgranska").text)
    assert "Vårstädning i Folkets park" in preview and "Gammal nyhet" not in preview
    assert "Som e-post i ren text" in preview, preview[-1500:]
    assert "Hej alla" in preview, preview[:1500]
    assert admin.submit(f"/nyhetsbrev/admin/{issue_id}/provutskick").status_code == 303
    _wait(smtp_inbox, 2)
    assert smtp_inbox.messages[1]["Subject"] == "Provutskick: Nyhetsbrev mars"
    assert smtp_inbox.messages[1]["To"] == "ada@test.example"
    assert admin.get("/nyhetsbrev/").text.count("Nyhetsbrev mars") == 0  # not in the archive before it is sent

    first = admin.submit(f"/nyhetsbrev/admin/{issue_id}/skicka")
    second = admin.submit(f"/nyhetsbrev/admin/{issue_id}/skicka")
    assert first.status_code == second.status_code == 303
    assert "redan skickat" in text_of(admin.get(edit_url).text)
    mail.send_due(site)
    _wait(smtp_inbox, 3)
    time.sleep(0.5)
    issues = [m for m in smtp_inbox.messages if m["Subject"] == "Nyhetsbrev mars"]
    assert len(issues) == 1, "sent once, to the one subscriber"
    (letter,) = issues
    assert letter["To"] == "vera@test.example"
    plain = letter.get_body(("plain",)).get_content()
    html = letter.get_body(("html",)).get_content()
    assert "Vårstädning i Folkets park" in plain and "Vårstädning i Folkets park</a>" in html
    one_click = letter["List-Unsubscribe"].strip("<>")
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert one_click.startswith("http://testsite.example/nyhetsbrev/avsluta/")
    # Both parts link to the page that asks; only the header has the POST-only one-click address.
    page = one_click.removesuffix("/avsluta-ett-klick")
    assert f"Avsluta prenumerationen: {page}\r\n" in plain and f'href="{page}"' in html

    # The archive and its feed.
    archive = text_of(visitor.get("/nyhetsbrev/").text)
    assert "Nyhetsbrev mars" in archive
    feed = visitor.get("/nyhetsbrev/nyhetsbrev.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    atom = "{http://www.w3.org/2005/Atom}"
    (entry,) = ET.fromstring(feed.content).findall(f"{atom}entry")
    assert entry.find(f"{atom}title").text == "Nyhetsbrev mars"
    assert "Vårstädning" in text_of(visitor.get(entry.find(f"{atom}link").get("href").split(".example", 1)[1]).text)

    # One click from the mail client: a POST with no cookie and no CSRF token.
    path = one_click.split(".example", 1)[1]
    mail_client = make_client(site)  # a fresh client: no cookies at all
    answer = mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
    unknown = mail_client.post("/nyhetsbrev/avsluta/okand/avsluta-ett-klick", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == unknown.status_code == 200 and answer.text == unknown.text
    assert not mail_client.cookies.get("csrftoken_testsite")
    with site.session() as db:
        assert db.exec(select(Subscriber)).all() == [], "the address is gone once unsubscribed"
    # Any other POST without a token is still refused.
    assert mail_client.post("/nyhetsbrev/prenumerera", data={"email": "x@test.example"}).status_code == 403


def test_an_expired_link_and_an_unknown_token_say_what_to_do(letter_site, make_client, smtp_inbox):
    site = letter_site
    visitor = make_client(site)
    visitor.submit("/nyhetsbrev/prenumerera", {"email": "sam@test.example", "consent": "y"})
    _wait(smtp_inbox, 1)
    confirm = _link(smtp_inbox.messages[0], r"/nyhetsbrev/bekrafta/\S+")
    site.clock.set(NOW + timedelta(days=8))
    expired = visitor.get(confirm)
    assert expired.status_code == 410 and "Länken har gått ut" in text_of(expired.text)
    assert visitor.submit(confirm).status_code == 410
    unknown = visitor.get("/nyhetsbrev/bekrafta/finns-inte")
    assert unknown.status_code == 404 and "Anmäl dig igen" in text_of(unknown.text)
    # Unsubscribing an unknown token answers as a known one does.
    gone = visitor.submit("/nyhetsbrev/avsluta/finns-inte")
    assert gone.status_code == 303 and gone.headers["location"] == "/nyhetsbrev/avslutad"
    # The daily job deletes the address that was never confirmed.
    from plugins.nyhetsbrev.letters import purge_unconfirmed

    with site.session() as db:
        assert purge_unconfirmed(site, db) == 1
        db.commit()
