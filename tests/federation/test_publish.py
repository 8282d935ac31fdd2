"""Publishing: what a peer reads from this site. The members feed is
complete with structured fields, deletions become tombstones, every
document carries its hub and answers conditional GET, and discovery lists
it all."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from defusedxml.ElementTree import fromstring

from plugins.webportal.models import Association, News, Visibility
from tests.test_news import add_news, news_form
from tests.webportal_fixtures import add_association

ATOM = "{http://www.w3.org/2005/Atom}"
P = "{urn:paraply:federation:1}"
FH = "{http://purl.org/syndication/history/1.0}"
AT = "{http://purl.org/atompub/tombstones/1.0}"


def atom(client, path: str = "/-/federation/news.atom"):
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    return fromstring(response.content)


def test_the_members_feed_is_complete_with_structured_fields(site, client):
    club = add_association(site, "Karlskoga Schackklubb")
    hidden = add_association(site, "Dold förening")
    add_association(site, "Sökande förening", status="pending")
    with site.session() as db:
        row = db.get(Association, hidden.id)
        row.visibility = Visibility.HIDDEN
        db.add(row)
        db.commit()

    feed = atom(client, "/-/federation/members.atom")
    assert feed.find(f"{FH}complete") is not None and feed.findtext(f"{P}kind") == "members"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Karlskoga Schackklubb"]
    entry = entries[0]
    assert entry.findtext(f"{ATOM}id") == f"tag:testsite.example,2026:members/{club.id}"
    fields = {f.get("name"): f.text for f in entry.findall(f"{P}field")}
    assert fields["municipality"] == "Karlskoga" and fields["category"] == "Idrott"
    assert entry.find(f"{ATOM}link").get("href") == "http://testsite.example/foreningar/karlskoga-schackklubb"

    rss = fromstring(client.get("/-/federation/members.rss").content)
    item = rss.find("channel/item")
    assert item.findtext("guid") == f"tag:testsite.example,2026:members/{club.id}"
    assert {f.get("name"): f.text for f in item.findall(f"{P}field")}["municipality"] == "Karlskoga"
    assert rss.find(f"channel/{FH}complete") is not None


def test_deleting_and_unpublishing_news_publish_tombstones(site, client, admin):
    gone = add_news(site, "Ska bort", when=datetime.now(UTC) - timedelta(minutes=5))
    hidden = add_news(site, "Ska döljas", when=datetime.now(UTC) - timedelta(minutes=5))
    first = client.get("/-/federation/news.atom")
    client.login(admin.email)
    assert client.submit(f"/nyheter/{gone.id}/ta-bort", {"bekrafta": "ja"}).status_code == 303
    assert client.submit(f"/nyheter/{hidden.id}/redigera", news_form("Ska döljas", published=None)).status_code == 303

    changed = client.get("/-/federation/news.atom", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    feed = fromstring(changed.content)
    graves = {g.get("ref"): g.get("when") for g in feed.findall(f"{AT}deleted-entry")}
    assert set(graves) == {f"tag:testsite.example,2026:news/{gone.id}", f"tag:testsite.example,2026:news/{hidden.id}"}
    assert all(datetime.fromisoformat(when) > datetime.now(UTC) - timedelta(minutes=1) for when in graves.values())
    assert feed.findall(f"{ATOM}entry") == []
    rss = fromstring(client.get("/-/federation/news.rss").content)
    assert len(rss.findall(f"channel/{AT}deleted-entry")) == 2

    # Published again, it is an entry once more and its tombstone is gone.
    client.submit(f"/nyheter/{hidden.id}/redigera", news_form("Ska döljas"))
    feed = atom(client)
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["Ska döljas"]
    assert [g.get("ref") for g in feed.findall(f"{AT}deleted-entry")] == [f"tag:testsite.example,2026:news/{gone.id}"]


def test_every_document_names_its_hub_and_answers_304(site, client):
    add_news(site, "Hej", when=datetime(2026, 3, 1, tzinfo=UTC))
    for path in ("/-/federation/news.atom", "/-/federation/news.rss", "/-/federation/members.atom", "/nyheter.rss"):
        response = client.get(path)
        link = response.headers["link"]
        assert '<http://testsite.example/-/websub>; rel="hub"' in link
        assert f'<http://testsite.example{path}>; rel="self"' in link
        again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b"" and again.headers["link"] == link


def test_archives_page_older_news_and_missing_pages_are_404(site, client):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with site.session() as db:
        for i in range(105):
            db.add(News(title=f"Nyhet {i}", published_at=start + timedelta(days=i), updated_at=start))
        db.commit()
    current = atom(client)
    links = {link.get("rel"): link.get("href") for link in current.findall(f"{ATOM}link")}
    assert links["prev-archive"] == "http://testsite.example/-/federation/news/arkiv/2.atom"
    assert len(current.findall(f"{ATOM}entry")) == 50
    second = atom(client, "/-/federation/news/arkiv/2.atom")
    assert second.find(f"{FH}archive") is not None
    titles = [e.findtext(f"{ATOM}title") for e in second.findall(f"{ATOM}entry")]
    assert titles[0] == "Nyhet 99" and titles[-1] == "Nyhet 50"
    links = {link.get("rel"): link.get("href") for link in second.findall(f"{ATOM}link")}
    assert links["prev-archive"].endswith("/arkiv/1.atom") and links["current"].endswith("/news.atom")
    assert client.get("/-/federation/news/arkiv/3.atom").status_code == 404
    assert client.get("/-/federation/news/arkiv/x.atom").status_code == 404
    assert client.get("/-/federation/okand.atom").status_code == 404


def test_discovery_and_the_opml_list_of_the_network(make_site, make_client):
    extra = (
        '\n[federation]\ntag_authority = "test.example"\n'
        '[[federation.peers]]\nname = "Grannarna"\nurl = "https://granne.example"\n'
        '[[federation.external]]\nname = "Forum"\nurl = "https://forum.example/feed.atom"\n'
    )
    site = make_site(extra=extra)
    client = make_client(site)
    found = json.loads(client.get("/.well-known/paraply").text)
    assert found["protocol"] == "paraply-federation/1" and found["name"] == "Testföreningarna testsite"
    assert found["hub"] == "http://testsite.example/-/websub" and found["tag_authority"] == "test.example"
    members = client.get("/-/federation/members.atom")
    assert found["feeds"]["members"] == {
        "title": "Föreningar",
        "atom": "http://testsite.example/-/federation/members.atom",
        "rss": "http://testsite.example/-/federation/members.rss",
        "complete": True,
        "version": members.headers["etag"],  # a peer skips the feed while this is the ETag it has
    }
    assert found["peers"] == [{"name": "Grannarna", "url": "https://granne.example"}]

    opml = fromstring(client.get("/natverket.opml").content)
    urls = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
    assert "http://testsite.example/-/federation/news.atom" in urls and "https://forum.example/feed.atom" in urls
    assert [o.get("text") for o in opml.find("body")] == ["Testföreningarna testsite", "Grannarna", "Andra flöden"]


def test_the_peer_health_page_is_for_admins_only(site, client, admin, editor):
    response = client.get("/-/admin/natverket", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/konto/logga-in")
    client.login(editor.email)
    assert client.get("/-/admin/natverket").status_code == 403
    client.submit("/konto/logga-ut")
    client.login(admin.email)
    page = client.get("/-/admin/natverket")
    assert page.status_code == 200 and "Sajten har inga grannar eller andra flöden ännu." in page.text
    assert "Nätverket" in client.get("/-/admin").text  # linked from the admin overview


def test_network_pages_work_on_a_site_without_peers(site, client):
    add_association(site, "Karlskoga Schackklubb")
    news = client.get("/natverket/nyheter")
    assert news.status_code == 200 and "Sajten samarbetar inte med några andra sajter ännu." in news.text
    members = client.get("/natverket/foreningar?q=schack")
    assert members.status_code == 200 and "Karlskoga Schackklubb" in members.text  # our own members count too
    assert "Karlskoga Schackklubb" not in client.get("/natverket/foreningar?q=fotboll").text
    assert "Nätverket" not in client.get("/").text.split("</nav>")[0]  # no menu item without peers


def test_a_failing_peer_is_retried_soon_then_ever_more_rarely(site):
    from federation.runtime import Federation

    runtime = Federation(site)  # poll_interval 300
    assert [runtime.backoff(n) for n in (1, 2, 3, 4)] == [10, 40, 160, 640]
    assert runtime.backoff(50) == 6 * 3600


def test_an_rss_reader_that_renders_descriptions_as_html_gets_no_markup(site, client, admin):
    """RSS has no content type for ``<description>`` and readers show it as
    HTML: a summary is escaped for HTML inside the XML escape, so what a
    reader renders is the text, never a live ``<script>`` or ``<img onerror>``
    (issue 18, fault 4). The Atom summary stays plain text, typed so."""
    from html.parser import HTMLParser

    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> Loppis & fika'
    client.login(admin.email)
    assert client.submit("/nyheter/ny", news_form("Loppis", summary=hostile)).status_code == 303

    for path in ("/-/federation/news.rss", "/nyheter.rss"):
        rss = fromstring(client.get(path).content)
        description = rss.findtext("channel/item/description")
        assert description is not None and "alert(1)" in description

        class Tags(HTMLParser):
            found: list[str]

            def handle_starttag(self, tag, attrs):
                self.found.append(tag)

        reader = Tags()
        reader.found = []
        reader.feed(description)  # as a reader that renders it as HTML
        reader.close()
        assert reader.found == [], f"{path}: a reader would render {reader.found}"
        from html import unescape

        assert "<script>alert(1)</script>" in unescape(description)  # shown as text

    summary = atom(client).find(f"{ATOM}entry/{ATOM}summary")
    assert summary is not None and summary.get("type", "text") == "text" and "<script>" in summary.text
