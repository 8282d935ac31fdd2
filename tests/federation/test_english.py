"""The network in English: the network pages, the front-page block of an
outside feed, the OPML list and the admin's peer-health page, between real
servers on 127.0.0.1. A peer's last error is stored in Swedish and shown in
the reader's language; the same page in Swedish is unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from core import i18n
from core.plugins import discover
from federation import messages
from federation.models import Entry, Peer
from federation.publish import feed_url
from tests.conftest import text_of
from tests.federation.harness import Browser, eventually, free_port
from tests.federation.test_propagation import write_news
from tests.webportal_fixtures import add_association


def test_the_network_and_its_health_in_english_and_swedish(network):
    mockeln = network.site("mockeln", "Möckelnföreningarna", poll_interval=3600)
    write_news(Browser(network.url("mockeln")), "Vårstädning i parken")
    add_association(mockeln, "Karlskoga Schackklubb")
    dead = f"http://127.0.0.1:{free_port()}"
    filipstad = network.site(
        "filipstad",
        "Filipstads föreningar",
        ["mockeln"],
        push=False,
        poll_interval=3600,
        extra_peers=[("Nedlagda föreningar", dead)],
        external=[("Möckelns nyhetsflöde", feed_url(mockeln, "news", "atom"))],
    )

    def peers() -> dict[str, Peer]:
        with filipstad.session() as db:
            return {p.name: p for p in db.exec(select(Peer)).all()}

    def arrived() -> bool:
        with filipstad.session() as db:
            copies = db.exec(select(Entry).where(Entry.title == "Vårstädning i parken")).all()
        found = peers()
        return len(copies) == 2 and bool(found.get("Nedlagda föreningar") and found["Nedlagda föreningar"].last_error)

    eventually(arrived, message="Filipstad never polled Möckeln, its feed and the dead peer")

    visitor = Browser(network.url("filipstad"))
    news = visitor.text("/natverket/nyheter?lang=en")
    assert "News from the network" in news and "Associations in the network" in news
    assert "News from the umbrella organisations that Filipstads föreningar works with." in news
    assert "Vårstädning i parken" in news and "From Möckelnföreningarna" in news
    assert "Nedlagda föreningar could not be reached yet, so nothing from it is shown." in news
    assert "Show news from" in news and "All sites in the network" in news

    members = visitor.text("/natverket/foreningar")  # English is remembered
    assert "Associations of Filipstads föreningar and of the umbrella organisations" in members
    assert "1 association." in members and "Karlskoga Schackklubb" in members
    assert "Search for an association" in members
    assert "0 associations match “inget sådant”." in visitor.text("/natverket/foreningar?q=inget+s%C3%A5dant")

    front = visitor.text("/")
    assert "The feed from Möckelns nyhetsflöde" in front and "Vårstädning i parken" in front

    opml = visitor.get("/natverket.opml").text
    assert "The network around Filipstads föreningar" in opml and "News from Filipstads föreningar" in opml
    assert "Other feeds" in opml

    # Möckeln goes down; the admin asks for a poll now, in English.
    network.stop("mockeln")
    visitor.login()
    mockeln_id = peers()["Möckelnföreningarna"].id
    response = visitor.submit(f"/-/admin/natverket/{mockeln_id}/hamta", {})
    assert response.status_code == 303
    health = visitor.text("/-/admin/natverket")
    assert "Möckelnföreningarna is being fetched now. Reload the page in a moment to see the result." in health
    eventually(lambda: peers()["Möckelnföreningarna"].last_error, message="the poll of a stopped Möckeln never failed")

    stale = visitor.text("/natverket/nyheter")
    assert "This is what we last received from Möckelnföreningarna" in stale
    assert "ago. The site is not answering right now, so something may have changed since then." in stale
    assert "Vårstädning i parken" in stale  # the last good copy stays

    health = visitor.text("/-/admin/natverket")
    mockeln_port = network.port("mockeln")
    assert "Here you can see how fetching from the neighbouring sites" in health
    assert "Push is off: the neighbours are fetched regularly. Fetched every 3,600 seconds." in health
    assert "Error at the latest attempt (1 in a row)." in health
    down = f"Could not connect to 127.0.0.1:{mockeln_port} (is the server down?)."
    assert down in health and "News: Could not" not in health  # the cause once, not once per feed
    assert f"Could not connect to {dead.removeprefix('http://')} (is the server down?)." in health
    assert "Working." in health and "(external feed)" in health and "Fetch now" in health
    assert "Det gick inte att ansluta" not in health and "Fel vid senaste" not in health

    # The same page in Swedish: the stored Swedish text, as before.
    swedish = visitor.text("/-/admin/natverket?lang=sv")
    nere = f"Det gick inte att ansluta till 127.0.0.1:{mockeln_port} (servern är nere?)."
    assert nere in swedish
    assert "Fel vid senaste försöket (1 i rad)." in swedish and "Fungerar." in swedish
    assert "Hämtas var 3 600 sekunder." in swedish  # text_of folds the no-break space
    assert "Could not connect" not in swedish
    with filipstad.session() as db:
        stored = db.exec(select(Peer).where(Peer.id == mockeln_id)).one().last_error
    assert stored == nere  # stored in Swedish, translated when shown
    visitor.close()


@pytest.fixture
def english() -> Iterator[None]:
    """The site's catalogues (core's and federation's) in English, as during a request."""
    dirs = (i18n.LOCALE_DIR, discover()["federation"].package_dir / "locale")  # found by convention
    i18n.compile_all(dirs)
    translator = i18n.current_translator.set(i18n.Translator("sv", dirs))
    locale = i18n.current_locale.set("en")
    yield
    i18n.current_locale.reset(locale)
    i18n.current_translator.reset(translator)


def test_a_stored_error_of_several_messages_is_read_back_and_translated(english) -> None:
    stored = (
        "Föreningar: Svaret var större än 5 MB (efter uppackning) och avbröts. "
        "Evenemang: Flödet innehåller XML-entiteter eller externa referenser (till exempel en ”billion laughs”-attack) "
        "och lästes inte. pages: Servern svarade med felkod 404 (sidan finns inte)."
        "\nNyheter: Servern svarade med felkod 418."
    )
    assert [part.text for part in messages.translate(stored)] == [
        "Associations: The answer was larger than 5 MB (after unpacking) and was stopped.",
        "Events: The feed contains XML entities or external references (for example a “billion laughs” attack) "
        "and was not read.",
        "pages: The server answered with error code 404 (the page does not exist).",
        "News: The server answered with error code 418.",
    ]


def test_a_message_we_do_not_know_is_shown_as_stored_and_marked_swedish(english) -> None:
    cut = "Svaret var tomt. Ett gammalt fel som ingen längre skriver. Servern svarade inte i tid (tidsgr"
    assert messages.translate(cut) == [
        messages.Part("The answer was empty."),
        messages.Part("Ett gammalt fel som ingen längre skriver. Servern svarade inte i tid (tidsgr", "sv"),
    ]
    unexpected = "Ett oväntat fel inträffade (KeyError). Vi försöker igen senare."
    assert messages.translate(unexpected) == [
        messages.Part("An unexpected error occurred (KeyError). We will try again later.")
    ]


def test_a_feed_address_that_does_not_exist_is_explained_in_english(client) -> None:
    missing = client.get("/-/federation/nyheter.txt?lang=en")
    assert missing.status_code == 404
    assert "There is no such feed. Feeds end in .atom or .rss." in text_of(missing.text)
    assert "Det finns inget sådant flöde" in text_of(client.get("/-/federation/nyheter.txt?lang=sv").text)
