"""The park shares its coming work sessions with peer sites as a federated
kind (``arbetspass``): a complete Atom document with permanent tag URIs and
no personal data."""

from __future__ import annotations

import feedparser

from plugins.odling.models import Signup
from tests.odling_fixtures import add_member, add_session, odling_site


def test_coming_work_sessions_are_published_to_peers(make_site, make_client):
    site = odling_site(make_site)
    coming = add_session(site, "Plocka vinbär", days=2, places=6)
    add_session(site, "Förra veckans pass", days=-7)
    member = add_member(site, "Hemlig Medlem", "hemlig@test.example")
    with site.session() as db:
        db.add(Signup(session_id=coming, member_id=member.id))
        db.commit()
    client = make_client(site)
    response = client.get("/-/federation/arbetspass.atom")
    assert response.status_code == 200, response.text[:300]
    feed = feedparser.parse(response.content)
    assert feed.feed.title.startswith("Arbetspass i Ätbart för bi och människa")
    assert [e.title for e in feed.entries] == ["Plocka vinbär, 2026-07-17 kl. 17:00"]
    entry = feed.entries[0]
    assert entry.id == f"tag:testsite.example,2026:odling/arbetspass/{coming}"
    assert entry.link == f"http://testsite.example/parken/pass/{coming}"
    assert "5 av 6 platser lediga" in entry.summary
    assert "Hemlig" not in response.text and "hemlig@" not in response.text
    assert "arbetspass" in client.get("/.well-known/paraply").text
