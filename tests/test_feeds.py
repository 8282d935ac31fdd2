"""The news feeds: Atom 1.0 and its RSS 2.0 twin, permanent tag-URI ids,
sanitized content and conditional GET, parsed as XML the way a peer would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from plugins.webportal.feeds import news_tag
from plugins.webportal.models import News
from tests.test_news import add_news, get_news, news_form
from tests.webportal_fixtures import add_association

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"


def atom_entries(client) -> tuple[ET.Element, list[ET.Element]]:
    response = client.get("/nyheter.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry")


def test_atom_feed_has_permanent_ids_and_the_entry_fields(site, client, admin, editor):
    club = add_association(site, "Karlskoga Schackklubb", editor=editor)
    older = add_news(site, "Äldre nyhet", when=datetime(2026, 1, 5, tzinfo=UTC))
    news = add_news(
        site,
        "Simultanspel",
        association=club,
        author=editor,
        summary="Mot tio motståndare.",
        body="Kom **alla**!",
        when=datetime(2026, 2, 1, 12, 0, tzinfo=UTC),
    )
    add_news(site, "Utkast syns inte", published=False)

    root, entries = atom_entries(client)
    assert root.findtext(f"{ATOM}id") == "tag:testsite.example,2026:news"
    assert root.findtext(f"{ATOM}title") == "Nyheter från Testföreningarna testsite"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "http://testsite.example/nyheter",
        "self": "http://testsite.example/nyheter.atom",
        "hub": "http://testsite.example/-/websub",  # WebSub: federation pushes the feed
    }
    assert root.findtext(f"{ATOM}updated") == "2026-02-01T12:00:00+00:00"

    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Simultanspel", "Äldre nyhet"]
    entry = entries[0]
    assert entry.findtext(f"{ATOM}id") == f"tag:testsite.example,2026:news/{news.id}" == news_tag(site, news.id)
    assert entries[1].findtext(f"{ATOM}id") == f"tag:testsite.example,2026:news/{older.id}"
    assert entry.find(f"{ATOM}link").get("href") == f"http://testsite.example/nyheter/{news.id}"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Edit Redaktör"
    assert entry.find(f"{ATOM}category").get("term") == "Karlskoga Schackklubb"
    assert entry.findtext(f"{ATOM}summary") == "Mot tio motståndare."
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html" and "<strong>alla</strong>" in content.text
    assert entry.findtext(f"{ATOM}published") == "2026-02-01T12:00:00+00:00"

    # Renaming the item keeps its id; the feed shows the new title.
    client.login(editor.email)
    client.submit(f"/nyheter/{news.id}/redigera", news_form("Simultanspel flyttat", association=str(club.id)))
    _, entries = atom_entries(client)
    renamed = [e for e in entries if e.findtext(f"{ATOM}title") == "Simultanspel flyttat"]
    assert len(renamed) == 1 and renamed[0].findtext(f"{ATOM}id") == f"tag:testsite.example,2026:news/{news.id}"


def test_tag_authority_and_year_come_from_the_settings(make_site, make_client):
    site = make_site(plugin_settings={"webportal": 'tag_authority = "mockeln.example"\ntag_year = 2024\n'})
    news = add_news(site, "Hej")
    root, entries = atom_entries(make_client(site))
    assert root.findtext(f"{ATOM}id") == "tag:mockeln.example,2024:news"
    assert entries[0].findtext(f"{ATOM}id") == f"tag:mockeln.example,2024:news/{news.id}"


def test_rss_twin_has_guid_that_is_not_a_permalink(site, client, editor):
    club = add_association(site, "Karlskoga Schackklubb")
    news = add_news(site, "Schackkväll", association=club, author=editor, summary="Kort.", body="Lång *text*.")
    response = client.get("/nyheter.rss")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rss+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel.findtext("link") == "http://testsite.example/nyheter"
    assert channel.find(f"{ATOM}link").get("href") == "http://testsite.example/nyheter.rss"
    item = channel.find("item")
    guid = item.find("guid")
    assert guid.text == f"tag:testsite.example,2026:news/{news.id}" and guid.get("isPermaLink") == "false"
    assert item.findtext("link") == f"http://testsite.example/nyheter/{news.id}"
    assert item.findtext("description") == "Kort."
    assert "<em>text</em>" in item.findtext(f"{CONTENT}encoded")
    assert item.findtext("category") == "Karlskoga Schackklubb"
    assert item.findtext(f"{DC}creator") == "Edit Redaktör"


def test_markdown_with_script_and_javascript_links_is_sanitized_in_the_feed(site, client):
    add_news(site, "Farlig", body="<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>")
    _, entries = atom_entries(client)
    html = entries[0].findtext(f"{ATOM}content")
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    rss = ET.fromstring(client.get("/nyheter.rss").content)
    encoded = rss.find("channel/item").findtext(f"{CONTENT}encoded") or rss.find("channel/item").findtext("description")
    assert "<script" not in encoded and 'href="javascript' not in encoded


def test_conditional_get_answers_304_until_something_changes(site, client, admin):
    news = add_news(site, "Första", when=datetime.now(UTC) - timedelta(minutes=5))
    for path in ("/nyheter.atom", "/nyheter.rss"):
        first = client.get(path)
        etag, last_modified = first.headers["etag"], first.headers["last-modified"]
        assert etag and last_modified.endswith("GMT")

        by_etag = client.get(path, headers={"If-None-Match": etag})
        assert by_etag.status_code == 304 and by_etag.content == b""
        assert by_etag.headers["etag"] == etag
        by_date = client.get(path, headers={"If-Modified-Since": last_modified})
        assert by_date.status_code == 304 and by_date.content == b""
        # The same data gives the same bytes, so the ETag is stable.
        assert client.get(path).headers["etag"] == etag
        assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200

    atom = client.get("/nyheter.atom")
    client.login(admin.email)
    client.submit(f"/nyheter/{news.id}/redigera", news_form("Första, ändrad"))
    changed = client.get("/nyheter.atom", headers={"If-None-Match": atom.headers["etag"]})
    assert changed.status_code == 200 and "Första, ändrad" in changed.text
    assert changed.headers["etag"] != atom.headers["etag"]
    since = client.get("/nyheter.atom", headers={"If-Modified-Since": atom.headers["last-modified"]})
    assert since.status_code == 200


def test_unpublishing_counts_as_a_change_for_if_modified_since(site, client, admin):
    news = add_news(site, "Snart dold", when=datetime.now(UTC) - timedelta(minutes=5))
    last_modified = client.get("/nyheter.atom").headers["last-modified"]
    client.login(admin.email)
    client.submit(f"/nyheter/{news.id}/redigera", news_form("Snart dold", published=None))
    response = client.get("/nyheter.atom", headers={"If-Modified-Since": last_modified})
    assert response.status_code == 200 and "Snart dold" not in response.text


def test_if_modified_since_in_the_past_gets_the_feed(site, client):
    add_news(site, "Ny", when=datetime(2026, 3, 1, tzinfo=UTC))
    old = format_datetime(datetime(2026, 2, 1, tzinfo=UTC), usegmt=True)
    assert client.get("/nyheter.atom", headers={"If-Modified-Since": old}).status_code == 200
    assert client.get("/nyheter.atom", headers={"If-Modified-Since": "inte ett datum"}).status_code == 200


def test_empty_feed_is_valid_and_stable(site, client):
    root, entries = atom_entries(client)
    assert entries == [] and root.findtext(f"{ATOM}updated") == "2000-01-01T00:00:00+00:00"
    assert client.get("/nyheter.atom").headers["etag"] == client.get("/nyheter.atom").headers["etag"]
    assert "last-modified" not in client.get("/nyheter.atom").headers


def test_feed_keeps_the_newest_fifty(site, client):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with site.session() as db:
        for i in range(55):
            db.add(News(title=f"Nyhet {i}", published_at=start + timedelta(hours=i), updated_at=start))
        db.commit()
    _, entries = atom_entries(client)
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert len(titles) == 50 and titles[0] == "Nyhet 54" and "Nyhet 4" not in titles
    assert get_news(site, "Nyhet 4") is not None
