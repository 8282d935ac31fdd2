"""The network digest between real sites on 127.0.0.1, on both databases
(issue 20): a resident subscribes to the network's news and events at
Möckeln; Filipstad publishes a news item and an event; federation brings
them to Möckeln; Möckeln's daily digest, caught by the real SMTP server,
lists both, marked "Hos Filipstads föreningar" and linked to Filipstad,
the event with its time and place, in the plain text and the HTML part."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

from core import daily, mail
from core.testing import smtp_settings
from tests.federation.harness import Browser, eventually
from tests.federation.test_events import event_form
from tests.federation.test_propagation import subscribed, write_news

SITES = ("webportal", "evenemang", "nyhetsbrev")
NEIGHBOUR = "Filipstads föreningar"


class Links(HTMLParser):
    """Each link's address and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: dict[str, str] = {}
        self._href: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self.links[self._href] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self.links[self._href] += data


def _mail_to(inbox, address: str, subject: str):
    found = [m for m in inbox.messages if m["To"] == address and m["Subject"].startswith(subject)]
    return found[-1] if found else None


def test_a_neighbours_news_and_event_reach_the_digest_over_federation(network, smtp_inbox):
    network.site("filipstad", NEIGHBOUR, ["mockeln"], poll_interval=3600, plugins=SITES)
    mockeln = network.site(
        "mockeln",
        "Möckelnföreningarna",
        ["filipstad"],
        poll_interval=3600,
        plugins=SITES,
        extra=smtp_settings(smtp_inbox.port, from_address="info@mockeln.example"),
    )
    eventually(lambda: subscribed(mockeln, network.url("filipstad")), message="Möckeln never subscribed")
    home, neighbour = network.url("mockeln"), network.url("filipstad")

    # A resident subscribes at Möckeln to the network, daily, and confirms.
    resident = Browser(home)
    done = resident.submit(
        "/nyhetsbrev/prenumerera",
        {"email": "vera@test.example", "consent": "y", "topic_natverket": "y", "frequency": "dagligen"},
    )
    assert done.status_code == 303, done.text[:500]
    confirmation = eventually(lambda: _mail_to(smtp_inbox, "vera@test.example", "Bekräfta"), message="no mail")
    link = re.search(re.escape(home) + r"(/nyhetsbrev/bekrafta/\S+)", confirmation.get_body(("plain",)).get_content())
    assert link, confirmation.get_body(("plain",)).get_content()
    assert resident.submit(link.group(1), {}).status_code == 303
    time.sleep(1.1)  # published after the confirmation, to the second a feed tells

    # Filipstad publishes; push brings both to Möckeln.
    filipstad = Browser(neighbour)
    news_id = write_news(filipstad, "Ny badplats vid Lersjön")
    made = filipstad.submit("/evenemang/nytt", event_form("Marknad på torget", municipality="Filipstad"))
    assert made.status_code == 303, made.text[:500]
    event_path = made.headers["location"]
    eventually(
        lambda: "Ny badplats vid Lersjön" in resident.text("/natverket/nyheter"),
        timeout=10,
        message="the news never reached Möckeln",
    )
    eventually(
        lambda: "Marknad på torget" in resident.text("/natverket/kalender?fran=2030-06-01"),
        timeout=10,
        message="the event never reached Möckeln",
    )

    # Möckeln's daily job mails the digest.
    (job,) = [j for j in daily.jobs(mockeln) if j.name == "nyhetsbrev-sammandrag"]
    job.run(mockeln, mockeln.clock.now())
    mail.send_due(mockeln)
    digest = eventually(lambda: _mail_to(smtp_inbox, "vera@test.example", "Nytt från"), message="no digest")
    assert digest["Subject"] == "Nytt från Möckelnföreningarna"
    assert digest["List-Unsubscribe"].startswith(f"<{home}/nyhetsbrev/avsluta/")

    plain = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    news_url = f"{neighbour}/nyheter/{news_id}"
    assert f"* Ny badplats vid Lersjön (Hos {NEIGHBOUR})\n  {news_url}\n" in plain, plain
    when_where = f"2030-06-04 18:30, Folkets hus, Filipstad, Hos {NEIGHBOUR}"
    assert f"* Marknad på torget ({when_where})\n  {neighbour}{event_path}\n" in plain, plain

    html = digest.get_body(("html",)).get_content()
    links = Links(html).links
    assert links[news_url] == "Ny badplats vid Lersjön"
    assert links[f"{neighbour}{event_path}"] == "Marknad på torget"
    assert f"(Hos {NEIGHBOUR})" in html and "2030-06-04 18:30</time> · Folkets hus, Filipstad" in html
    assert all(href.startswith((home + "/", neighbour + "/")) for href in links)
    resident.close()
    filipstad.close()
