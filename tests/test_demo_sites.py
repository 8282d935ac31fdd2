"""The four demo umbrellas and ``paraply demo``: each site's folder is valid
and its own, each loads its own town's content idempotently on both
databases, and the demo network really serves every site and the stand-in
Forum feed over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from html import unescape
from pathlib import Path

import feedparser
import httpx
import pytest
from click.testing import CliRunner
from sqlmodel import select
from starlette.testclient import TestClient

import core.cli as cli_module
from core import migrate
from core.accounts import create_user
from core.app import create_app
from core.demo import DEMO_SITES, demo_accounts, load_demo
from core.demo_network import DemoNetwork, addresses, origin_of, relocated_config
from core.models import Role, utcnow
from core.settings import contrast_ratio
from core.site import Site
from plugins.webportal.models import Association, AssociationEditor, Featured, News, Page, Status
from plugins.webportal.settings import DEFAULT_CATEGORIES
from tests.conftest import text_of

REPO = Path(__file__).parent.parent
SITES = REPO / "sites"
TOWNS = {
    "mockeln": ("Möckelnföreningarna", 8000, {"Karlskoga", "Degerfors"}),
    "kristinehamn": ("Kristinehamns Föreningsråd", 8001, {"Kristinehamn"}),
    "storfors": ("Storfors Föreningsallians", 8002, {"Storfors"}),
    "filipstad": ("Filipstads Föreningsgemenskap", 8003, {"Filipstad"}),
}
FORUM = "http://127.0.0.1:8009/forum.atom"


def _shipped(slug: str) -> Site:
    return Site.load(SITES / slug)


# -- the site folders ---------------------------------------------------------------------


def test_the_demo_is_the_four_umbrellas():
    assert DEMO_SITES == tuple(TOWNS)


@pytest.mark.parametrize("slug", list(TOWNS))
def test_each_demo_site_is_valid_and_its_own(slug):
    site = _shipped(slug)
    name, port, municipalities = TOWNS[slug]
    assert site.name == name
    assert site.base_url == f"http://127.0.0.1:{port}"
    assert "webportal" in site.enabled
    assert set(site.plugin_settings("webportal").municipalities) == municipalities
    assert contrast_ratio(site.config.theme.primary, "#ffffff") >= 4.5
    assert site.config.site.contact_email == f"info@{slug}.example"

    logo = (site.folder / "static" / site.config.site.logo).read_text(encoding="utf-8")
    assert logo.startswith("<svg") and 'role="img"' in logo
    assert f'aria-label="{name}' in logo  # "Möckelnföreningarnas logotyp" and so on
    assert site.config.theme.primary in logo

    # Every site lists the other three as allowlisted peers, at their base URLs.
    peers = {peer.url: peer for peer in site.config.federation.peers}
    others = {f"http://127.0.0.1:{p}": n for s, (n, p, _) in TOWNS.items() if s != slug}
    assert set(peers) == set(others)
    assert all(peers[url].name == others[url] and peers[url].allow_private for url in peers)
    # Entry ids must not collide although all four share the host 127.0.0.1.
    assert site.config.federation.tag_authority == f"{slug}.example"
    assert site.plugin_settings("webportal").tag_authority == f"{slug}.example"


def test_the_demo_sites_look_different():
    sites = [_shipped(slug) for slug in TOWNS]
    assert len({s.config.theme.primary for s in sites}) == 4
    assert len({(s.folder / "static" / "logo.svg").read_bytes() for s in sites}) == 4


def test_only_mockeln_shows_the_forum_feed():
    externals = {slug: _shipped(slug).config.federation.external for slug in TOWNS}
    assert [(e.name, e.url, e.allow_private) for e in externals["mockeln"]] == [
        ("Forum för idéburna organisationer", FORUM, True)
    ]
    assert not any(externals[slug] for slug in TOWNS if slug != "mockeln")


# -- per-site demo content, on both databases ---------------------------------------------------


def _snapshot(site: Site) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    with site.session() as db:
        return {
            "associations": sorted(
                (a.slug, a.name, a.municipality, a.category, a.status, a.visibility)
                for a in db.exec(select(Association))
            ),
            "news": sorted((n.title, n.association_id, n.published_at) for n in db.exec(select(News))),
            "pages": sorted((p.slug, p.title, p.body) for p in db.exec(select(Page))),
            "featured": sorted((f.month, f.association_id) for f in db.exec(select(Featured))),
            "editors": sorted((e.association_id, e.user_id) for e in db.exec(select(AssociationEditor))),
        }


@pytest.fixture
def demo_site(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[Site]:
    """A shipped demo site on the parametrised database, migrated."""
    site = Site.load(SITES / request.param, database_url=database_url, data_dir=tmp_path / request.param)
    migrate.upgrade(site)
    yield site
    site.dispose()


@pytest.mark.parametrize("demo_site", list(TOWNS), indirect=True)
def test_demo_content_loads_once_per_site(demo_site):
    site = demo_site
    load_demo(site, echo=lambda _: None)
    first = _snapshot(site)
    load_demo(site, echo=lambda _: None)
    assert _snapshot(site) == first

    _, _, municipalities = TOWNS[site.slug]
    with site.session() as db:
        rows = list(db.exec(select(Association)))
        news = list(db.exec(select(News).order_by(News.published_at.desc())))  # type: ignore[attr-defined]
    public = [a for a in rows if a.is_public]
    # Its own town's associations, across every category.
    assert 15 <= len(public) <= 45
    assert {a.municipality for a in public} == municipalities
    assert {a.category for a in public} == set(DEFAULT_CATEGORIES)
    assert len([a for a in rows if a.status == Status.PENDING]) >= 2
    for a in public:
        assert a.short_description and a.description and a.activities and a.founded_year
        assert a.email.endswith(".example") and a.website.endswith(".example")
    # Its own news, spread over the last months.
    now = utcnow()
    assert 8 <= len(news) <= 15
    assert now - news[0].published_at < timedelta(days=7)
    assert now - news[-1].published_at > timedelta(days=90)
    assert sum(n.association_id is not None for n in news) >= 4
    # The four standard pages, with this umbrella's name and nothing left unfilled.
    pages = {slug: body for slug, _title, body in first["pages"]}
    assert set(pages) == {"om-oss", "medlemstjanster", "kontakt", "tillganglighetsredogorelse"}
    assert all("$" not in body for body in pages.values())
    assert f"{site.name} är paraplyorganisationen" in pages["om-oss"]
    assert f"info@{site.slug}.example" in pages["kontakt"]
    assert f"webbplatsen {site.base_url}" in pages["tillganglighetsredogorelse"]
    if site.slug != "mockeln":
        assert "Karlskoga" not in pages["kontakt"] + pages["om-oss"].split("Nyhetsutbyte")[0]
    assert len(first["featured"]) == 1 and len(first["editors"]) == 2


def test_the_towns_have_content_of_their_own(tmp_path):
    """No town borrows another's associations or news."""
    names: dict[str, set[str]] = {}
    titles: dict[str, set[str]] = {}
    for slug in TOWNS:
        site = Site.load(SITES / slug, database_url=f"sqlite:///{tmp_path / slug}.db", data_dir=tmp_path / slug)
        migrate.upgrade(site)
        load_demo(site, echo=lambda _: None)
        with site.session() as db:
            names[slug] = set(db.exec(select(Association.name)).all())
            titles[slug] = set(db.exec(select(News.title)).all())
        site.dispose()
    for a in TOWNS:
        for b in TOWNS:
            if a < b:
                assert not names[a] & names[b], (a, b)
                assert not titles[a] & titles[b], (a, b)


@pytest.mark.parametrize("demo_site", ["kristinehamn"], indirect=True)
def test_a_demo_site_shows_its_own_town(demo_site):
    site = demo_site
    load_demo(site, echo=lambda _: None)
    with TestClient(create_app(site), base_url=site.base_url) as client:
        front = client.get("/")
        # The theme's colours are in the site's one stylesheet (core.stylesheet), linked from every page.
        sheet = client.get(site.stylesheet.url()).text
        found = text_of(client.get("/foreningar", params={"q": "kanot"}).text)
        editor = next(email for email, _, role in demo_accounts(site) if role == Role.EDITOR)
        statement = text_of(client.get("/sida/tillganglighetsredogorelse").text)
    assert front.status_code == 200
    assert "<title>Kristinehamns Föreningsråd</title>" in front.text
    assert f'href="{site.stylesheet.url()}"' in front.text and "--primary:#0b5d57" in sheet
    assert "Månadens förening: Matkassen Kristinehamn" in text_of(front.text)
    assert "Kristinehamns Kanotklubb" in found
    assert editor == "redaktor@kristinehamn.example"
    assert "Kristinehamns kommun" in statement and "Digg" in statement


@pytest.mark.parametrize("slug", list(TOWNS))
def test_every_page_a_visitor_can_reach_renders(slug, tmp_path):
    """Follow every link a visitor can follow from the front page: each
    association, news item and page of the town's content renders."""
    site = Site.load(SITES / slug, database_url=f"sqlite:///{tmp_path / slug}.db", data_dir=tmp_path / slug)
    migrate.upgrade(site)
    load_demo(site, echo=lambda _: None)
    seen: dict[str, int] = {}
    queue = ["/"]
    with TestClient(create_app(site), base_url=site.base_url) as client:
        while queue and len(seen) < 400:
            path = queue.pop()
            if path in seen:
                continue
            response = client.get(path)
            seen[path] = response.status_code
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            assert f"<title>{site.name}" in response.text or f"– {site.name}</title>" in response.text, path
            for href in re.findall(r'href="(/[^"#]*)', response.text):
                href = unescape(href)
                path_only, _, query = href.partition("?")
                if query and not re.fullmatch(r"sida=\d+", query):
                    href = path_only  # follow pages of a list, not every filter
                if not href.startswith(("/static", "/uploads", "/konto", "/-/")) and href not in seen:
                    queue.append(href)
    site.dispose()
    assert {path: status for path, status in seen.items() if status != 200} == {}
    with site.session() as db:
        public = [a.slug for a in db.exec(select(Association)) if a.is_public]
        news = [n.id for n in db.exec(select(News))]
    assert {f"/foreningar/{a}" for a in public} <= set(seen)
    assert {"/sida/om-oss", "/sida/kontakt", "/sida/tillganglighetsredogorelse", "/nyheter"} <= set(seen)
    assert len([p for p in seen if re.fullmatch(r"/nyheter/\d+", p)]) >= min(len(news), 5)


def test_a_new_site_without_demo_folder_gets_the_plugins_content(make_site):
    site = make_site(plugin_settings={"webportal": 'municipalities = ["Karlskoga", "Degerfors"]\n'})
    load_demo(site, echo=lambda _: None)
    with site.session() as db:
        assert db.exec(select(Association).where(Association.slug == "scoutkaren-mockeln")).first() is not None


# -- addresses ------------------------------------------------------------------------------


def test_relocation_moves_base_peers_and_external_feeds_together():
    config = _shipped("mockeln").config
    moves = {"http://127.0.0.1:8000": "http://127.0.0.1:9100", "http://127.0.0.1:8009": "http://127.0.0.1:9109"}
    moves["http://127.0.0.1:8003"] = "http://127.0.0.1:9103"
    moved = relocated_config(config, moves)
    assert moved.site.base_url == "http://127.0.0.1:9100"
    assert [p.url for p in moved.federation.peers] == [
        "http://127.0.0.1:8001",
        "http://127.0.0.1:8002",
        "http://127.0.0.1:9103",
    ]
    assert moved.federation.external[0].url == "http://127.0.0.1:9109/forum.atom"
    assert config.site.base_url == "http://127.0.0.1:8000"  # the original is untouched


def test_demo_addresses_are_the_four_sites_and_the_forum_feed(monkeypatch):
    monkeypatch.setenv("PARAPLY_SITES_DIR", str(SITES))
    assert addresses(list(DEMO_SITES)) == [f"http://127.0.0.1:{p}" for p in (8000, 8009, 8001, 8002, 8003)]


# -- the network over real HTTP ------------------------------------------------------------------


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Shipped sites, data in ``tmp_path``, each site on its own SQLite."""
    monkeypatch.setenv("PARAPLY_SITES_DIR", str(SITES))
    monkeypatch.setenv("PARAPLY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PARAPLY_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_the_demo_network_serves_every_site_and_the_forum_feed(demo_env):
    """Four uvicorn servers and the Forum stand-in, on free ports; each site
    answers with its own front page and knows its peers' new addresses."""
    origins = addresses(list(DEMO_SITES))
    sockets = {origin: _free_socket() for origin in origins}
    moves = {origin: f"http://127.0.0.1:{sock.getsockname()[1]}" for origin, sock in sockets.items()}
    network = DemoNetwork.load(list(DEMO_SITES), moves)
    for site in network.sites:
        migrate.upgrade(site)
        load_demo(site, echo=lambda _: None)
    served = {moves[origin]: sock for origin, sock in sockets.items()}
    thread = threading.Thread(target=asyncio.run, args=(network.serve(served, handle_signals=False),), daemon=True)
    thread.start()
    try:
        assert network.started.wait(30), "the demo servers did not start"
        # A minute each: the first pages render cold while four sites' start-up
        # work (federation's first sync, the daily jobs) shares one process, and
        # CI runs a browser beside it (a 10 s limit once timed out there).
        with httpx.Client(timeout=60) as http:
            for slug, (name, port, _) in TOWNS.items():
                url = moves[f"http://127.0.0.1:{port}"]
                front = http.get(url + "/")
                assert front.status_code == 200, slug
                assert f"<title>{name}</title>" in front.text
                others = [n for s, (n, _, _) in TOWNS.items() if s != slug]
                assert not any(f"<title>{n}</title>" in front.text for n in others)
                site = next(s for s in network.sites if s.slug == slug)
                assert site.base_url == url
                # The peers it will fetch from are where the other servers really are.
                for peer in site.config.federation.peers:
                    assert http.get(peer.url + "/").status_code == 200

            forum_url = moves["http://127.0.0.1:8009"] + "/forum.atom"
            mockeln = next(s for s in network.sites if s.slug == "mockeln")
            assert mockeln.config.federation.external[0].url == forum_url
            feed = http.get(forum_url)
            assert feed.status_code == 200
            assert feed.headers["content-type"].startswith("application/atom+xml")
            parsed = feedparser.parse(feed.content)
            assert not parsed.bozo
            assert parsed.feed.title == "Forum – för idéburna organisationer med social inriktning"
            assert len(parsed.entries) == 10
            assert len({e.id for e in parsed.entries}) == 10
            assert all(e.id.startswith("tag:") and e.title and e.summary and e.updated_parsed for e in parsed.entries)

            etag, modified = feed.headers["etag"], feed.headers["last-modified"]
            assert modified == "Fri, 20 Nov 2026 08:30:00 GMT"  # the feed's own <updated>
            same = http.get(forum_url, headers={"If-None-Match": etag})
            assert same.status_code == 304 and same.content == b"" and same.headers["etag"] == etag
            assert http.get(forum_url, headers={"If-Modified-Since": modified}).status_code == 304
            older = format_datetime(_before(modified), usegmt=True)
            assert http.get(forum_url, headers={"If-Modified-Since": older}).status_code == 200
            assert http.get(forum_url, headers={"If-None-Match": '"something-else"'}).status_code == 200
            assert http.get(moves["http://127.0.0.1:8009"] + "/annat.atom").status_code == 404
    finally:
        network.stop()
        thread.join(15)
    assert not thread.is_alive(), "the demo servers did not stop"
    with pytest.raises(httpx.ConnectError):
        httpx.get(moves["http://127.0.0.1:8000"] + "/", timeout=2)


def _before(http_date: str) -> datetime:
    return parsedate_to_datetime(http_date) - timedelta(days=1)


# -- the command -----------------------------------------------------------------------------


@pytest.fixture
def paraply(demo_env: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli_module.cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


def _counts(data_dir: Path) -> dict[str, tuple[int, int]]:
    counts = {}
    for slug in TOWNS:
        site = Site.load(SITES / slug, data_dir=data_dir / slug)
        with site.session() as db:
            counts[slug] = (len(db.exec(select(Association)).all()), len(db.exec(select(News)).all()))
        site.dispose()
    return counts


def test_demo_no_serve_prepares_all_four_and_prints_where_they_are(paraply, demo_env):
    result = paraply("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for slug, (name, port, _) in TOWNS.items():
        row = next(line for line in lines if line.strip().startswith(name + "  "))
        assert f"http://127.0.0.1:{port}/" in row
        assert f"admin@{slug}.example" in row and f"redaktor@{slug}.example" in row
        assert f"{name}: databasen är migrerad och demodatan inläst ({demo_env / slug})" in result.output
    assert "Forum för idéburna organisationer: http://127.0.0.1:8009/forum.atom" in result.output
    assert "Lösenordet är detsamma för alla demokonton: demo-paraply-2026" in result.output
    assert "Starta demon med: ./run demo\n" in result.output
    first = _counts(demo_env)
    assert all(15 <= associations and 8 <= news for associations, news in first.values())

    # Accounts a plugin's demo data makes on the demo domain are listed too.
    storfors = Site.load(SITES / "storfors", data_dir=demo_env / "storfors")
    with storfors.session() as db:
        create_user(db, "kassor@storfors.example", "Kim Kassör", "ett-langt-losenord-1", Role.EDITOR)
    storfors.dispose()
    again = paraply("demo", "--no-serve")
    assert again.exit_code == 0
    assert "Storfors Föreningsallians: kassor@storfors.example (Kim Kassör)" in again.output
    assert "admin@storfors.example (" not in again.output
    assert _counts(demo_env) == first


def test_demo_one_site_on_its_own_port(paraply, demo_env):
    result = paraply("demo", "--site", "mockeln", "--port", "8123", "--no-serve")
    assert result.exit_code == 0, result.output
    assert "Möckelnföreningarna" in result.output and "http://127.0.0.1:8123/" in result.output
    assert "Kristinehamn" not in result.output
    assert "Forum för idéburna organisationer: http://127.0.0.1:8009/forum.atom" in result.output
    assert "Starta demon med: ./run demo --site mockeln --port 8123" in result.output
    assert sorted(p.name for p in demo_env.iterdir()) == ["mockeln"]

    offset = paraply("demo", "--site", "storfors", "--site", "filipstad", "--port-offset", "100", "--no-serve")
    assert offset.exit_code == 0, offset.output
    assert "http://127.0.0.1:8102/" in offset.output and "http://127.0.0.1:8103/" in offset.output


def test_demo_refuses_what_it_cannot_do(paraply, demo_env, monkeypatch):
    both = paraply("demo", "--site", "storfors", "--site", "filipstad", "--port", "8100")
    assert both.exit_code == 1
    assert "--port gäller en enda webbplats" in both.output

    unknown = paraply("demo", "--site", "degerfors", "--no-serve")
    assert unknown.exit_code == 1 and "no site called 'degerfors'" in unknown.output

    monkeypatch.setenv("PARAPLY_DATABASE_URL", f"sqlite:///{demo_env.parent / 'one.db'}")
    shared = paraply("demo", "--no-serve")
    assert shared.exit_code == 1
    assert "PARAPLY_DATABASE_URL pekar ut en enda databas" in shared.output
    assert not demo_env.exists()


def test_demo_says_which_port_is_busy(paraply):
    busy = _free_socket()
    port = busy.getsockname()[1]
    try:
        result = paraply("demo", "--site", "storfors", "--port", port)
    finally:
        busy.close()
    assert result.exit_code == 1
    assert f"Porten {port} på 127.0.0.1 går inte att använda" in result.output
    assert "--port-offset" in result.output


def _free_offset() -> int:
    """A port offset at which all five demo ports are free."""
    for _ in range(50):
        offset = random.randrange(20000, 40000, 10)
        socks = []
        try:
            for port in (8000, 8001, 8002, 8003, 8009):
                sock = socket.socket()
                sock.bind(("127.0.0.1", port + offset))
                socks.append(sock)
        except OSError:
            continue
        finally:
            for sock in socks:
                sock.close()
        return offset
    raise RuntimeError("no free ports")


def test_ctrl_c_stops_the_whole_demo(demo_env):
    """``paraply demo`` as a person runs it: a real process, four sites and
    the feed up, then Ctrl-C (SIGINT) stops all of them and exits cleanly."""
    offset = _free_offset()
    env = {**os.environ, "PARAPLY_SITES_DIR": str(SITES), "PARAPLY_DATA_DIR": str(demo_env)}
    command = [sys.executable, "-c", "from core.cli import main; main()", "demo", "--port-offset", str(offset)]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        urls = [f"http://127.0.0.1:{port + offset}/" for port in (8000, 8001, 8002, 8003)]
        urls.append(f"http://127.0.0.1:{8009 + offset}/forum.atom")
        for url in urls:
            assert _wait_for(url, process), url
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert "Demon är igång:" in output and "Stoppa demon med Ctrl-C." in output
    assert output.rstrip().endswith("Demon är stoppad.")
    for url in urls:
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, timeout=2)


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> bool:  # type: ignore[type-arg]
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            time.sleep(0.2)
    return False


def test_origin_of_keeps_scheme_host_and_port():
    assert origin_of("http://127.0.0.1:8009/forum.atom") == "http://127.0.0.1:8009"
