"""The digest as HTML mail, against the real SMTP server, on both
databases: multipart/alternative with the plain text first and an HTML
part that parses, says lang="sv", carries the site's name and colours in
inline styles only (no stylesheet, no table), links every title to its
absolute address, shows an event's time and place and a neighbour's item
"Hos ‹site›", and the settings and unsubscribe links; titles, summaries and
a peer's name with HTML in them stay text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from core.testing import smtp_settings
from plugins.evenemang.models import Event
from tests.nyhetsbrev.test_digest import _digests, _subscribe
from tests.test_news import add_news

NOW = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)  # a Tuesday
HOSTILE = '<script>alert("x")</script><b>Fet</b> & "citat"'
PEER = "<i>Grannen</i> & co"
PRIMARY = "#7a1f3d"


@pytest.fixture
def html_site(make_site, smtp_inbox):
    theme = f'\n[theme]\nprimary = "{PRIMARY}"\naccent = "#e0a800"\n'
    site = make_site(
        plugins=["webportal", "evenemang", "nyhetsbrev"],
        plugin_settings={"webportal": 'municipalities = ["Karlskoga", "Degerfors"]\n'},
        extra=smtp_settings(smtp_inbox.port, from_address="info@testsite.example") + theme,
    )
    site.clock.set(NOW)
    return site


class Parsed(HTMLParser):
    """The HTML part as the stdlib parser reads it: tags in order, links,
    the body's text, and every tag that is still open at the end."""

    VOID = {"meta", "br", "hr", "img", "link"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.open: list[str] = []
        self.texts: list[str] = []
        self._link: tuple[str, list[str]] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag not in self.VOID:
            self.open.append(tag)
        if tag == "a":
            self._link = (attributes.get("href", ""), [])
        if tag == "br":
            self.texts.append(" ")  # a line break reads as a space

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()
        if tag == "a" and self._link:
            self.links.append((self._link[0], " ".join("".join(self._link[1]).split())))
            self._link = None

    def handle_data(self, data: str) -> None:
        if "body" in self.open:  # what the reader sees, not the <title>
            self.texts.append(data)
        if self._link:
            self._link[1].append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.texts).split())


def _add_event(site, title: str, starts: datetime, place: str, municipality: str) -> None:
    naive = starts.astimezone(UTC).replace(tzinfo=None)
    with site.session() as db:
        db.add(
            Event(
                uid=f"ev-{len(title)}@testsite.example",
                title=title,
                summary="Ta med fika.",
                starts_at=naive,
                ends_at=naive + timedelta(hours=2),
                tz="UTC",
                first_start_utc=naive,
                last_end_utc=naive + timedelta(hours=2),
                place_name=place,
                municipality=municipality,
            )
        )
        db.commit()


def _add_peer_news(site, title: str, peer_name: str) -> None:
    """A neighbour's item as federation stores its copy (the live network is in tests/federation)."""
    from federation.models import Entry, Peer

    with site.session() as db:
        peer = Peer(url="https://filipstad.example", name=peer_name)
        db.add(peer)
        db.flush()
        db.add(
            Entry(
                peer_id=peer.id,
                kind="news",
                entry_id="tag:filipstad.example,2026:news/1",
                title=title,
                link="https://filipstad.example/nyheter/1",
                summary="Öppet <em>alla</em> dagar.",
                published=NOW + timedelta(hours=2),
                updated=NOW + timedelta(hours=2),
            )
        )
        # Events with what a hostile or broken peer may send: a time zone
        # that is no zone, year 1 where converting it overflows, HTML in the place.
        for n, (starts, tz, place) in enumerate(
            (
                ("2030-06-04T18:30", "../../etc/passwd", "<b>Torget</b>"),
                ("0001-01-01T00:00", "Pacific/Kiritimati", "Någonstans"),
                ("inte ett datum", "Europe/Stockholm", ""),
            )
        ):
            db.add(
                Entry(
                    peer_id=peer.id,
                    kind="events",
                    entry_id=f"tag:filipstad.example,2026:events/{n}",
                    title=f"Grannens evenemang {n}",
                    link=f"https://filipstad.example/evenemang/{n}",
                    fields={"starts": starts, "tz": tz, "place": place},
                    published=NOW + timedelta(hours=3),
                    updated=NOW + timedelta(hours=3),
                )
            )
        db.commit()


def test_the_digest_is_html_and_plain_text_and_reads_well(html_site, make_client, smtp_inbox):
    site = html_site
    visitor = make_client(site)
    token = _subscribe(
        site,
        visitor,
        smtp_inbox,
        "vera@test.example",
        topic_nyheter="y",
        topic_evenemang="y",
        topic_natverket="y",
        frequency="dagligen",
    )
    news = add_news(site, "Vårstädning i Folkets park", when=NOW + timedelta(hours=1), summary="Vi ses <kl. 10>!")
    add_news(site, HOSTILE, when=NOW + timedelta(hours=1))
    _add_event(site, "Seriematch på Möckeln", NOW + timedelta(days=3), "Möckelnvallen", "Karlskoga")
    _add_peer_news(site, "Ny badplats i Filipstad", PEER)
    site.clock.set(NOW + timedelta(days=1))

    (digest,) = _digests(site, smtp_inbox)
    assert digest.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in digest.iter_parts()]
    assert parts == ["text/plain", "text/html"], "plain text first: the client shows the last it can"
    plain = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = digest.get_body(("html",)).get_content()
    one_click = digest["List-Unsubscribe"].strip("<>")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert one_click == f"http://testsite.example/nyhetsbrev/avsluta/{token}/avsluta-ett-klick"

    # The plain text part, as before, with the event's local time and place.
    assert f"* {HOSTILE}\n" in plain
    assert "* Seriematch på Möckeln (2026-04-03 12:00, Möckelnvallen, Karlskoga)\n" in plain
    assert f"* Ny badplats i Filipstad (Hos {PEER})\n  https://filipstad.example/nyheter/1\n" in plain
    # A peer's unreadable time is left out, never an error; its place stays text.
    assert f"* Grannens evenemang 0 (<b>Torget</b>, Hos {PEER})\n" in plain
    assert f"* Grannens evenemang 1 (Någonstans, Hos {PEER})\n" in plain
    assert f"* Grannens evenemang 2 (Hos {PEER})\n" in plain

    page = Parsed(html)
    assert page.open == [], "every element is closed"
    assert html.lstrip().lower().startswith("<!doctype html>")
    (root,) = [a for t, a in page.tags if t == "html"]
    assert root["lang"] == "sv"
    names = {t for t, _ in page.tags}
    assert not names & {"script", "style", "link", "table", "b", "i", "iframe", "img"}, names
    assert all("class" not in a for _, a in page.tags), "inline styles only"
    styled = [a["style"] for t, a in page.tags if "style" in a]
    assert any(f"background-color:{PRIMARY}" in s for s in styled), "the site's colour"
    assert all(a["style"].startswith("color:") for t, a in page.tags if t == "a"), "links are styled inline"

    # Hostile text stays text: it reads as typed, and no tag came from it.
    assert HOSTILE in page.text and f"(Hos {PEER})" in page.text
    assert "Vi ses <kl. 10>!" in page.text and "Öppet <em>alla</em> dagar." in page.text
    assert "Grannens evenemang 0 (Hos <i>Grannen</i> & co) <b>Torget</b>" in page.text
    assert "&lt;script&gt;" in html and "<script" not in html

    # Every link is absolute; each title links to its page.
    assert all(href.startswith(("http://testsite.example/", "https://filipstad.example/")) for href, _ in page.links)
    links = {text: href for href, text in page.links}
    assert links["Testföreningarna testsite"] == "http://testsite.example/"
    assert links["Vårstädning i Folkets park"] == f"http://testsite.example/nyheter/{news.id}"
    assert links[HOSTILE].startswith("http://testsite.example/nyheter/")
    assert links["Seriematch på Möckeln"].startswith("http://testsite.example/")
    assert links["Ny badplats i Filipstad"] == "https://filipstad.example/nyheter/1"
    assert links["Ändra prenumerationen"] == f"http://testsite.example/nyhetsbrev/prenumeration/{token}"
    assert links["Avsluta prenumerationen"] == f"http://testsite.example/nyhetsbrev/avsluta/{token}"

    # The site's name, the headings, the event's time and place, in reading order.
    text = page.text
    order = [
        "Testföreningarna testsite",
        "Nytt från Testföreningarna testsite",
        "Nyheter",
        "Evenemang",
        "Seriematch på Möckeln 2026-04-03 12:00 · Möckelnvallen, Karlskoga Ta med fika.",
        "Nyheter i nätverket",
        "Ny badplats i Filipstad (Hos",
        "Du får det här brevet för att du prenumererar på nyheter från Testföreningarna testsite.",
    ]
    places = [text.find(piece) for piece in order]
    assert -1 not in places and places == sorted(places), list(zip(order, places, strict=True))
    (time_tag,) = [a for t, a in page.tags if t == "time"]
    assert time_tag["datetime"] == "2026-04-03T12:00"

    # The unsubscribe link opens the page that asks, in the browser.
    asks = make_client(site).get(f"/nyhetsbrev/avsluta/{token}")
    assert asks.status_code == 200 and "Tryck på knappen" in asks.text
