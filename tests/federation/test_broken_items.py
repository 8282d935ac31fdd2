"""One broken item never breaks ingest (issue 18).

A document that cannot be read at all is a ``FeedError`` with a plain
Swedish reason (an unknown XML encoding raised ``LookupError`` from
defusedxml; a surrogate character reference crashes feedparser); an entry
that cannot be read or cleaned is dropped with a recorded reason and the
rest of the document is stored; one bad link loses the link, not the entry;
and a correctly signed push is answered 202 whatever its body holds.
"""

from __future__ import annotations

import hashlib
import hmac

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import select

from federation import clean, ingest
from federation.models import Entry, FeedState, Peer
from federation.parse import FeedError, parse
from tests.federation.harness import eventually
from tests.federation.test_propagation import pair

BOGUS_ENCODING = b"""<?xml version="1.0" encoding="bogus"?>
<rss version="2.0"><channel><title>Konstig</title>
<item><guid>x1</guid><title>Hej</title></item></channel></rss>"""

ATOM = "http://www.w3.org/2005/Atom"


def atom_feed(*entries: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="{ATOM}"><id>tag:peer.example,2026:news</id>'
        f"<title>Grannens nyheter</title><updated>2026-05-01T00:00:00Z</updated>{''.join(entries)}</feed>"
    ).encode()


def entry(entry_id: str, title: str, link: str = "https://peer.example/a", updated: str = "2026-05-01T00:00:00Z"):
    return (
        f"<entry><id>{entry_id}</id><title>{title}</title><updated>{updated}</updated>"
        f'<link rel="alternate" href="{link}"/><summary>Text</summary></entry>'
    )


def test_an_unknown_encoding_is_a_feed_error_in_swedish():
    with pytest.raises(FeedError) as raised:
        parse(BOGUS_ENCODING, "https://peer.example/feed")
    assert "teckenkodning" in str(raised.value)


def test_a_document_that_crashes_feedparser_is_a_feed_error():
    # Not well-formed, so it goes to feedparser, whose loose parser raises
    # UnicodeEncodeError on a surrogate character reference.
    body = b'<rss version="2.0"><channel><item><guid>a</guid><title>X &#55296; Y</title></item></channel></rss'
    with pytest.raises(FeedError) as raised:
        parse(body, "https://peer.example/feed")
    assert "Flödet kunde inte läsas" in str(raised.value)


@pytest.mark.parametrize("bad", ["http://[x]/", "https://[x](javascript:alert(1))", "javascript:alert(1)"])
def test_a_bad_link_is_dropped_not_the_entry(bad):
    assert clean.url(bad) == ""
    feed = parse(atom_feed(entry("tag:peer.example,2026:news/1", "Med trasig länk", link=bad)), "https://peer.example/")
    assert [e.title for e in feed.entries] == ["Med trasig länk"]
    assert clean.url(feed.entries[0].link) == ""


def test_one_entry_of_each_kind_of_breakage_is_dropped_and_the_rest_kept(site):
    with site.session() as db:
        peer = Peer(url="https://peer.example", name="Grannen")
        db.add(peer)
        db.commit()
        db.refresh(peer)
        peer_id = peer.id
    # RSS (not well-formed: an unescaped ampersand) so feedparser reads it,
    # as it reads any outside feed: one entry per kind of breakage.
    body = b"""<rss version="2.0"><channel><title>Grannen & co</title>
    <item><guid>ok-1</guid><title>Helt vanlig</title><link>https://peer.example/1</link></item>
    <item><guid>nul-&#0;-id</guid><title>Id med NUL</title></item>
    <item><guid>bad-link</guid><title>Trasig l\xc3\xa4nk</title><link>http://[x]/</link></item>
    <item><guid>old-date</guid><title>Urgammal</title><pubDate>Mon, 01 Jan 0001 00:00:00 +0500</pubDate></item>
    <item><guid>future</guid><title>Framtid</title><pubDate>Fri, 31 Dec 9999 23:59:59 -0500</pubDate></item>
    <item><title>Utan id eller l\xc3\xa4nk</title></item>
    <item><guid>ok-2</guid><title>Ocks\xc3\xa5 vanlig</title>
      <description>&lt;script&gt;x()&lt;/script&gt;Sammanfattning</description></item>
    </channel></rss>"""
    feed = parse(body, "https://peer.example/feed.rss")
    with site.session() as db:
        stats = ingest.apply(db, peer_id, "news", feed)
        db.commit()
    with site.session() as db:
        stored = {e.title: e for e in db.exec(select(Entry).where(Entry.peer_id == peer_id)).all()}
    # The NUL id is dropped; the entry with neither id nor link has no identity (skipped).
    assert set(stored) == {"Helt vanlig", "Trasig länk", "Urgammal", "Framtid", "Också vanlig"}
    assert stored["Trasig länk"].link == ""
    assert stats.skipped == 1
    assert "<script" not in stored["Också vanlig"].summary
    assert len(stats.dropped) == 1 and "kunde inte läsas och hoppades över" in stats.dropped[0]


def test_a_signed_push_of_garbage_is_answered_202_and_told_to_the_admin(network):
    mockeln, filipstad = pair(network, poll_interval=3600)
    with filipstad.session() as db:
        state = db.exec(select(FeedState).where(FeedState.kind == "news")).one()
    callback = network.url("filipstad") + "/-/websub/callback/" + state.callback_token
    bodies = [
        BOGUS_ENCODING,
        b'<rss version="2.0"><channel><item><guid>a</guid><title>&#55296;</title></item></channel></rss>',
        atom_feed(entry("tag:mockeln.localhost,2026:news/77", "Trasig länk", link="http://[x]/")),
    ]
    for body in bodies:
        signature = "sha256=" + hmac.new(state.secret.encode(), body, hashlib.sha256).hexdigest()
        response = httpx.post(
            callback, content=body, headers={"X-Hub-Signature": signature, "Content-Type": "application/rss+xml"}
        )
        assert response.status_code == 202, response.text

    def peer() -> Peer:
        with filipstad.session() as db:
            return db.exec(select(Peer).where(Peer.url == network.url("mockeln"))).one()

    with filipstad.session() as db:
        titles = [e.title for e in db.exec(select(Entry).where(Entry.kind == "news")).all()]
    assert "Trasig länk" in titles
    assert "teckenkodning" in peer().last_error or "kunde inte läsas" in peer().last_error
    eventually(lambda: peer().last_error, message="the admin was never told")


def _refuse_titled(db, title: str) -> None:
    """Make the database itself refuse any stored entry titled ``title``, on
    insert and on update, as a constraint an operator added, a value a
    driver will not take or a full disk refuses one write: a real refusal by
    the real database (a trigger), not a stand-in."""
    if db.get_bind().dialect.name == "sqlite":
        for when in ("INSERT", "UPDATE"):
            db.exec(
                text(
                    f"CREATE TRIGGER refuse_{when.lower()} BEFORE {when} ON federation_entry "
                    f"WHEN NEW.title = '{title}' BEGIN SELECT RAISE(ABORT, 'vägras'); END"
                )
            )
    else:
        db.exec(
            text(
                "CREATE FUNCTION refuse_entry() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.title = '{title}' THEN RAISE EXCEPTION 'vägras'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
        )
        db.exec(
            text(
                "CREATE TRIGGER refuse_entry BEFORE INSERT OR UPDATE ON federation_entry "
                "FOR EACH ROW EXECUTE FUNCTION refuse_entry()"
            )
        )
    db.commit()


def test_one_row_the_database_refuses_loses_that_row_alone(site):
    """The batch of new rows and the batch of changed rows each fail as a
    whole when the database refuses one row; ingest then stores them one by
    one, drops the refused one with a recorded reason and keeps every other
    (new and changed), in the same transaction as the rest of the document."""
    with site.session() as db:
        peer = Peer(url="https://peer.example", name="Grannen")
        db.add(peer)
        db.commit()
        db.refresh(peer)
        peer_id = peer.id
    first = atom_feed(
        entry("tag:peer.example,2026:news/1", "Första"),
        entry("tag:peer.example,2026:news/2", "Andra"),
        entry("tag:peer.example,2026:news/3", "Tredje"),
    )
    with site.session() as db:
        stats = ingest.apply(db, peer_id, "news", parse(first, "https://peer.example/feed"))
        db.commit()
    assert (stats.new, stats.dropped) == (3, [])
    with site.session() as db:
        _refuse_titled(db, "Vägras")
    later = "2026-05-02T00:00:00Z"
    second = atom_feed(
        entry("tag:peer.example,2026:news/1", "Första, rättad", updated=later),
        entry("tag:peer.example,2026:news/2", "Vägras", updated=later),  # a change the database refuses
        entry("tag:peer.example,2026:news/4", "Fjärde"),
        entry("tag:peer.example,2026:news/5", "Vägras"),  # a new row the database refuses
        entry("tag:peer.example,2026:news/6", "Sjätte"),
        "<at:deleted-entry xmlns:at='http://purl.org/atompub/tombstones/1.0' "
        "ref='tag:peer.example,2026:news/3' when='2026-05-02T00:00:00Z'/>",
    )
    with site.session() as db:
        stats = ingest.apply(db, peer_id, "news", parse(second, "https://peer.example/feed"))
        db.commit()
    with site.session() as db:
        rows = db.exec(select(Entry).where(Entry.peer_id == peer_id)).all()
    live = sorted(e.title for e in rows if e.deleted_at is None)
    assert live == ["Andra", "Fjärde", "Första, rättad", "Sjätte"]  # news/2 keeps its last good version
    assert [e.entry_id for e in rows if e.deleted_at is not None] == ["tag:peer.example,2026:news/3"]
    assert (stats.new, stats.updated, stats.deleted) == (2, 1, 1)
    assert sorted(stats.dropped) == [
        "En post i flödet (tag:peer.example,2026:news/2) kunde inte sparas och hoppades över.",
        "En post i flödet (tag:peer.example,2026:news/5) kunde inte sparas och hoppades över.",
    ]
