"""Topics and digests against the real SMTP server, on both databases:
a subscriber chooses topics and a frequency, confirms, and the daily job
mails one digest of what is new in those topics only; a second run sends
nothing; a weekly subscriber gets theirs on Monday only; the one-click
link stops it; the settings page changes topics, with CSRF and Swedish
errors."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlmodel import select

from core import daily, mail
from plugins.nyhetsbrev.models import Subscriber
from tests.conftest import text_of
from tests.nyhetsbrev.conftest import NOW
from tests.nyhetsbrev.test_newsletter import _link, _wait
from tests.test_news import add_news


def _subscribe(site, visitor, inbox, email: str, **fields: str) -> str:
    before = len(inbox.messages)
    done = visitor.submit("/nyhetsbrev/prenumerera", {"email": email, "consent": "y", **fields})
    assert done.status_code == 303
    _wait(inbox, before + 1)
    confirm = _link(inbox.messages[before], r"/nyhetsbrev/bekrafta/\S+")
    assert visitor.submit(confirm).status_code == 303
    return confirm.rsplit("/", 1)[1]


def _digests(site, inbox) -> list:
    (job,) = [j for j in daily.jobs(site) if j.name == "nyhetsbrev-sammandrag"]
    job.run(site, site.clock.now())  # the daily job, run directly: twice a day too
    mail.send_due(site)
    time.sleep(0.5)
    return [m for m in inbox.messages if m["Subject"].startswith(("Nytt från", "New from"))]


def test_digest_of_chosen_topics_once_then_nothing_weekly_on_monday(letter_site, make_client, smtp_inbox):
    site = letter_site  # NOW is a Tuesday
    visitor = make_client(site)
    token = _subscribe(site, visitor, smtp_inbox, "vera@test.example", topic_nyheter="y", frequency="dagligen")
    _subscribe(site, visitor, smtp_inbox, "olle@test.example", topic_nyheter="y", frequency="veckovis")
    _subscribe(site, visitor, smtp_inbox, "brev@test.example", topic_nyhetsbrev="y", frequency="dagligen")
    with site.session() as db:
        vera = db.exec(select(Subscriber).where(Subscriber.email == "vera@test.example")).one()
        assert vera.topics == "nyheter" and vera.frequency == "dagligen"

    site.clock.set(NOW + timedelta(hours=2))
    add_news(site, "Vårstädning i Folkets park", when=NOW + timedelta(hours=1))
    add_news(site, "Före prenumerationen", when=NOW - timedelta(days=2))
    site.clock.set(NOW + timedelta(days=1))  # Wednesday
    digests = _digests(site, smtp_inbox)
    assert [m["To"] for m in digests] == ["vera@test.example"], "only the daily news subscriber, not yet Monday"
    plain = digests[0].get_body(("plain",)).get_content()
    assert "Vårstädning i Folkets park" in plain and "Före prenumerationen" not in plain
    one_click = digests[0]["List-Unsubscribe"].strip("<>")
    assert digests[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The link in the text is the page that asks (a link opens with GET); the
    # one-click address in the header takes only the mail client's POST.
    page = one_click.removesuffix("/avsluta-ett-klick")
    assert f"Avsluta prenumerationen: {page}\r\n" in plain
    asks = make_client(site).get(page.split(".example", 1)[1])
    assert asks.status_code == 200 and "Tryck på knappen" in text_of(asks.text)
    assert make_client(site).get(one_click.split(".example", 1)[1]).status_code == 405

    assert len(_digests(site, smtp_inbox)) == 1, "a second run the same day sends nothing"
    site.clock.set(NOW + timedelta(days=2))
    assert len(_digests(site, smtp_inbox)) == 1, "nothing new: no mail"

    site.clock.set(NOW + timedelta(days=6))  # Monday
    digests = _digests(site, smtp_inbox)
    assert [m["To"] for m in digests] == ["vera@test.example", "olle@test.example"]
    assert "Vårstädning i Folkets park" in digests[1].get_body(("plain",)).get_content()

    # The one-click link stops the digests.
    add_news(site, "Ännu en nyhet", when=NOW + timedelta(days=6, hours=1))
    answer = make_client(site).post(one_click.split(".example", 1)[1], data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    site.clock.set(NOW + timedelta(days=7))
    assert [m["To"] for m in _digests(site, smtp_inbox)] == ["vera@test.example", "olle@test.example"]
    with site.session() as db:
        assert db.exec(select(Subscriber).where(Subscriber.token == token)).first() is None


def test_the_settings_page_changes_topics(letter_site, make_client, smtp_inbox):
    site = letter_site
    visitor = make_client(site)
    token = _subscribe(site, visitor, smtp_inbox, "vera@test.example")
    page = f"/nyhetsbrev/prenumeration/{token}"
    form = text_of(visitor.get(page).text)
    assert "Månadens nyhetsbrev" in form and "Nyheter från webbplatsen" in form
    none = visitor.submit(page, {"language": "sv", "frequency": "veckovis"})
    assert none.status_code == 400 and "Välj minst ett ämne." in text_of(none.text)
    assert make_client(site).post(page, data={"language": "sv", "topic_nyheter": "y"}).status_code == 403
    done = visitor.submit(
        page, {"language": "en", "frequency": "dagligen", "topic_nyheter": "y", "topic_evenemang": "y"}
    )
    assert done.status_code == 303
    with site.session() as db:
        row = db.exec(select(Subscriber)).one()
        assert (row.topics, row.frequency, row.language) == ("nyheter,evenemang", "dagligen", "en")
    add_news(site, "Spring cleaning", when=NOW + timedelta(hours=1))
    site.clock.set(NOW + timedelta(days=1))
    (digest,) = _digests(site, smtp_inbox)
    assert digest["Subject"].startswith("New from") and "News\r\n----" in digest.get_body(("plain",)).get_content()
    assert "Spring cleaning" in digest.get_body(("plain",)).get_content()
