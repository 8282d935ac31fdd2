"""One test per hook in ``core/hookspecs.py``, each through the real
machinery: the ``sample`` test plugin (tests/plugins/sample) is installed and
enabled on a site, and the test asserts what a visitor, an admin or an
operator sees. ``tests/test_hookspecs.py`` fails when a hook has no test here.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from core import cli as cli_module
from core.accounts import get_user_by_email
from core.app import create_app
from core.demo import demo_accounts, load_demo
from core.models import DailyRun, Role
from core.plugins import collect
from core.search import index_text
from core.settings import ConfigError
from federation.runtime import Federation
from tests.conftest import DEFAULT_WEBPORTAL, PASSWORD, Client, add_user, text_of
from tests.plugins import SiteMaker, install_distribution
from tests.plugins.sample.hooks import DEMO_THINGS, PING_PATH
from tests.plugins.sample.models import SampleThing


@pytest.fixture
def sites(tmp_path: Path, database_url: str):
    """Migrated test sites on both databases."""
    maker = SiteMaker(tmp_path, database_url)
    yield maker
    maker.close()


@pytest.fixture
def offline_sites(tmp_path: Path):
    """Sites for tests that never touch a database (config, anonymous pages
    that read no rows)."""
    maker = SiteMaker(tmp_path, f"sqlite:///{tmp_path / 'unused.db'}")
    yield maker
    maker.close()


def _add_things(site, *names: str, created_at: datetime | None = None) -> None:
    with site.session() as db:
        for name in names:
            thing = SampleThing(name=name, search_text=index_text(name))
            if created_at is not None:
                thing.created_at = created_at
            db.add(thing)
        db.commit()


def _nav_text(html: str) -> str:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, flags=re.S)
    assert nav, "the page has no main navigation"
    return text_of(nav.group(0))


def test_hook_settings_model(offline_sites):
    site = offline_sites(
        ["sample"], plugin_settings={"sample": 'greeting = "Tjena"\nmax_results = 5'}, migrate_db=False
    )
    assert site.plugin_settings("sample").greeting == "Tjena"
    assert site.plugin_settings("sample").max_results == 5

    with pytest.raises(ConfigError) as wrong_type:
        offline_sites(["sample"], plugin_settings={"sample": 'max_results = "fem"'}, migrate_db=False)
    message = str(wrong_type.value)
    assert str(offline_sites.root / "sites" / "testsite" / "site.toml") in message
    assert "plugin.sample.max_results" in message
    assert "whole number" in message and "max_results = 20" in message

    with pytest.raises(ConfigError) as out_of_range:
        offline_sites(["sample"], plugin_settings={"sample": "max_results = 50"}, migrate_db=False)
    assert out_of_range.value.key == "plugin.sample.max_results"
    assert "less than or equal to 10" in str(out_of_range.value)

    with pytest.raises(ConfigError) as typo:
        offline_sites(["sample"], plugin_settings={"sample": 'greting = "Hej"'}, migrate_db=False)
    assert typo.value.key == "plugin.sample.greting"
    assert "not a known setting" in str(typo.value) and "check the spelling" in str(typo.value)


def test_hook_routes(sites, make_client):
    site = sites(["sample"])
    client = make_client(site)
    page = client.get("/sample/")
    assert page.status_code == 200
    assert "Provsidan" in text_of(page.text)
    # The route names are namespaced by the plugin: the page links to
    # url_for("sample:shared"), which must resolve under the prefix.
    assert 'href="http://testsite.example/sample/delad"' in page.text
    assert client.get("/sample/delad").status_code == 200
    assert client.get("/delad").status_code == 404

    moved = sites(["sample"], plugin_settings={"sample": 'prefix = "/prov"'}, slug="moved")
    moved_client = make_client(moved)
    assert "Provsidan" in text_of(moved_client.get("/prov/").text)
    assert moved_client.get("/sample/").status_code == 404


def test_hook_nav_items(offline_sites, make_client):
    site = offline_sites(["sample"], migrate_db=False)
    page = make_client(site).get("/konto/logga-in")
    nav = _nav_text(page.text)
    assert "Provsidan" in nav
    assert '<a href="/sample/">Provsidan</a>' in page.text


def test_hook_admin_links(sites, make_client):
    site = sites(["sample"])
    add_user(site, "ada@test.example", Role.ADMIN, "Ada")
    add_user(site, "eva@test.example", Role.EDITOR, "Eva")
    client = make_client(site)
    client.login("ada@test.example")
    page = client.get("/-/admin")
    assert page.status_code == 200
    body = text_of(page.text)
    assert "Provtillägget Sköt provtilläggets saker." in body
    assert "Användare" in body  # core's own links are still there
    assert '<a href="/sample/">Provtillägget</a>' in page.text

    editor = make_client(site)
    editor.login("eva@test.example")
    refused = editor.get("/-/admin")
    assert refused.status_code == 403
    assert "Provtillägget" not in text_of(refused.text)


def test_hook_front_page_blocks(sites, make_client):
    site = sites(["webportal", "sample"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    _add_things(site, "Bikupan", "Blomsterängen")
    page = make_client(site).get("/")
    assert page.status_code == 200
    body = text_of(page.text)
    assert "Provblocket Provtillägget har 2 saker." in body
    # After the web portal's own news, as a section with its own h2.
    assert body.index("Senaste nytt") < body.index("Provblocket")
    assert re.search(r"<h2 id=\"[^\"]+\">Provblocket</h2>", page.text)


def test_hook_search_results(sites, make_client):
    site = sites(["sample"])
    _add_things(site, "Bikupan vid parken", "Blomsterängen")
    client = make_client(site)
    page = client.get("/sok", params={"q": "BIKUPAN"})
    assert page.status_code == 200
    body = text_of(page.text)
    assert "1 träff för ”BIKUPAN”" in body
    assert "Provsaker Bikupan vid parken En sak i provtillägget." in body
    assert "Blomsterängen" not in body

    none = text_of(client.get("/sok", params={"q": "fotboll"}).text)
    assert "Inga träffar för ”fotboll”" in none


def test_hook_search_kinds(sites, make_client):
    """The webportal's kinds (members, news) go into the search index as
    their rows are written, and the site search shows them, each with its kind."""
    from tests.webportal_fixtures import add_association

    site = sites(["webportal"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    kinds = collect(site.pm, "search_kinds", site=site)
    assert {k.name for k in kinds} == {"members", "news"}
    add_association(site, "Karlskoga Körsångare")
    body = text_of(make_client(site).get("/sok", params={"q": "körs"}).text)
    assert "1 träff för ”körs”" in body
    assert "Karlskoga Körsångare Föreningar · Idrott · Karlskoga" in body


def test_hook_report_figures(sites, make_client):
    site = sites(["sample"])
    _add_things(site, "Fjolårets sak", created_at=datetime(2025, 6, 1, tzinfo=UTC))
    _add_things(site, "Årets sak", "Årets andra sak", created_at=datetime(2026, 3, 1, tzinfo=UTC))
    with site.session() as db:
        this_year = collect(
            site.pm, "report_figures", site=site, session=db, start=date(2026, 1, 1), end=date(2026, 12, 31)
        )
        last_year = collect(
            site.pm, "report_figures", site=site, session=db, start=date(2025, 1, 1), end=date(2025, 12, 31)
        )
    assert [(f.label, f.value, f.unit) for f in this_year] == [("Nya provsaker", 2, "st")]
    assert [(f.label, f.value) for f in last_year] == [("Nya provsaker", 1)]

    add_user(site, "ada@test.example", Role.ADMIN)
    client = make_client(site)
    client.login("ada@test.example")
    report = text_of(client.get("/-/admin/uppfoljning", params={"fran": "2026-01-01", "till": "2026-12-31"}).text)
    assert "Nya provsaker 2 st sample" in report


def test_hook_daily_jobs(sites, make_client):
    """The site runs each plugin's daily jobs once a day from 03:00 Swedish
    time; one job's failure is recorded and stops nothing; admins see the runs."""
    from core import daily

    site = sites(["sample"])
    _add_things(site, "Gammal sak", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    _add_things(site, "Ny sak", "Krascha", created_at=datetime(2026, 3, 9, tzinfo=UTC))
    assert daily.run_due(site, datetime(2026, 3, 10, 1, 30, tzinfo=UTC)) == []  # 02:30 in Sweden: not yet
    runs = daily.run_due(site, datetime(2026, 3, 10, 2, 30, tzinfo=UTC))  # 03:30
    runs = [r for r in runs if r.job.startswith("sample-")]  # core has jobs of its own
    assert [(r.job, r.ok, r.summary) for r in runs] == [
        ("sample-gallra", True, "Raderade gamla saker: 1"),
        ("sample-krasch", False, "RuntimeError: provjobbet kraschade"),
    ]
    with site.session() as db:
        assert sorted(t.name for t in db.exec(select(SampleThing)).all()) == ["Krascha", "Ny sak"]
    assert daily.run_due(site, datetime(2026, 3, 10, 20, tzinfo=UTC)) == []  # once a day
    tomorrow = [r for r in daily.run_due(site, datetime(2026, 3, 11, 2, 30, tzinfo=UTC)) if r.job.startswith("sample")]
    assert (tomorrow[0].job, tomorrow[0].day, tomorrow[0].summary) == (
        "sample-gallra",
        date(2026, 3, 11),
        "Raderade gamla saker: 0",
    )

    add_user(site, "ada@test.example", Role.ADMIN)
    add_user(site, "eva@test.example", Role.EDITOR)
    editor = make_client(site)
    editor.login("eva@test.example")
    assert editor.get("/-/admin/dagliga-jobb").status_code == 403
    admin = make_client(site)
    admin.login("ada@test.example")
    assert "Dagliga jobb" in text_of(admin.get("/-/admin").text)
    # The runs are the last two weeks' as of today, so move them to today and yesterday.
    with site.session() as db:
        for run in db.exec(select(DailyRun)).all():
            run.day = date.today() - timedelta(days=(date(2026, 3, 11) - run.day).days)
            db.add(run)
        db.commit()
    page = text_of(admin.get("/-/admin/dagliga-jobb").text)
    assert "Provtillägget: gallring Provkrasch" in page  # the plugins' jobs
    assert "Provkrasch Misslyckades" in page and "RuntimeError: provjobbet kraschade" in page
    assert "Provtillägget: gallring Klart" in page and "Raderade gamla saker: 1" in page


def test_hook_demo_data(sites):
    site = sites(["sample"])
    messages: list[str] = []
    load_demo(site, echo=messages.append)
    load_demo(site, echo=messages.append)  # idempotent: the same rows again
    with site.session() as db:
        names = sorted(t.name for t in db.exec(select(SampleThing)).all())
        accounts = [get_user_by_email(db, email) for email, _, _ in demo_accounts(site)]
    assert names == sorted(DEMO_THINGS)
    assert all(account is not None for account in accounts)
    assert messages == ["Demodata är inläst.", "Demodata är inläst."]


def test_hook_starter_content(sites):
    """Webportal's starter pages: Om oss and Kontakt in the menu, Kontakt and
    the accessibility statement in the footer; a second call adds nothing."""
    from plugins.webportal.models import Page

    site = sites(["webportal"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    for _ in range(2):
        with site.session() as db:
            site.pm.hook.starter_content(site=site, session=db)
            db.commit()
    with site.session() as db:
        pages = {p.slug: p for p in db.exec(select(Page)).all()}
    assert sorted(pages) == ["kontakt", "om-oss", "tillganglighetsredogorelse"]
    assert pages["om-oss"].in_nav and pages["kontakt"].in_nav and pages["kontakt"].in_footer
    assert pages["tillganglighetsredogorelse"].in_footer
    assert site.name in pages["om-oss"].body


def test_hook_cli_commands(tmp_path, monkeypatch, capsys):
    plugins = {
        "sample": "tests.plugins.sample.hooks",
        # A broken plugin warns but never takes the CLI down with it.
        "broken-cli": "tests.plugins.broken_cli",
    }
    install_distribution(tmp_path, "paraply-sample", "1.0", plugins)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("PARAPLY_NO_ENTRY_POINTS", raising=False)
    # Registering adds to the global command group: restore it afterwards.
    monkeypatch.setattr(cli_module.cli, "commands", dict(cli_module.cli.commands))
    cli_module._register_plugin_commands()
    warnings = capsys.readouterr().err
    assert "Varning: tillägget broken-cli kunde inte lägga till kommandon: No module named 'saknad_modul'" in warnings

    runner = CliRunner()
    help_text = runner.invoke(cli_module.cli, ["--help"]).output
    assert re.search(r"sample-hello\s+Hälsa från provtillägget\.", help_text)
    assert "migrate" in help_text  # core's commands are still there
    result = runner.invoke(cli_module.cli, ["sample-hello", "--name", "Möckeln"])
    assert result.exit_code == 0, result.output
    assert result.output == "Hej, Möckeln!\n"


def test_hook_template_context(sites, make_client):
    site = sites(["sample"], plugin_settings={"sample": 'greeting = "Välkommen till provet"'})
    page = make_client(site).get("/sample/")
    assert '<p class="sample-greeting">Välkommen till provet</p>' in page.text

    plain = sites(["sample"], slug="plain")
    assert "Hej från provtillägget" in text_of(make_client(plain).get("/sample/").text)


def test_hook_federated_kinds(sites, make_client):
    """A plugin's kind is published in both formats with archives, listed in
    the discovery document, and a deleted row becomes a tombstone."""
    import json
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    site = sites(["sample"])
    _add_things(site, "Sak ett", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    _add_things(site, "Sak två", created_at=datetime(2026, 1, 2, tzinfo=UTC))
    _add_things(site, "Sak tre", created_at=datetime(2026, 1, 3, tzinfo=UTC))
    _add_things(site, "Sak fyra", created_at=datetime(2026, 1, 4, tzinfo=UTC))
    client = make_client(site)

    discovery = json.loads(client.get("/.well-known/paraply").text)
    assert discovery["feeds"]["things"]["atom"] == "http://testsite.example/-/federation/things.atom"
    feed = ET.fromstring(client.get("/-/federation/things.atom").content)
    titles = [e.findtext(f"{atom}title") for e in feed.findall(f"{atom}entry")]
    assert titles == ["Sak fyra", "Sak tre", "Sak två"]  # three to a page, newest first
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{atom}link")}
    assert links["prev-archive"] == "http://testsite.example/-/federation/things/arkiv/1.atom"
    archive = ET.fromstring(client.get("/-/federation/things/arkiv/1.atom").content)
    assert [e.findtext(f"{atom}title") for e in archive.findall(f"{atom}entry")] == ["Sak tre", "Sak två", "Sak ett"]
    rss = client.get("/-/federation/things.rss")
    assert rss.status_code == 200 and "<title>Sak fyra</title>" in rss.text

    with site.session() as db:
        db.delete(db.exec(select(SampleThing).where(SampleThing.name == "Sak fyra")).one())
        db.commit()
    feed = ET.fromstring(client.get("/-/federation/things.atom").content)
    graves = feed.findall("{http://purl.org/atompub/tombstones/1.0}deleted-entry")
    assert [g.get("ref") for g in graves] == ["tag:testsite.example,2026:things/4"]
    assert "Sak fyra" not in [e.findtext(f"{atom}title") for e in feed.findall(f"{atom}entry")]

    # A site without the plugin publishes no such kind.
    plain = sites([], slug="plain")
    assert make_client(plain).get("/-/federation/things.atom").status_code == 404


def test_hook_startup(offline_sites):
    site = offline_sites(["sample", "other"], migrate_db=False)
    app = create_app(site)
    assert not hasattr(site.state, "lifecycle")  # building the app starts nothing
    with Client(app, base_url=site.base_url) as client:
        page = client.get("/sample/livscykel")
        # In plugin order, the sample's async hook awaited before the next one ran.
        assert "startad andra startad" in text_of(page.text)
        assert Federation.of(site).loop is not None  # the default plugin started its work too


def test_hook_shutdown(offline_sites, caplog):
    site = offline_sites(["sample", "other"], migrate_db=False)
    with Client(create_app(site), base_url=site.base_url) as client:
        assert client.get("/sample/livscykel").status_code == 200
        assert site.state.lifecycle == ["startad", "andra startad"]
    # The reverse of plugin order; federation (first in order) stops last.
    assert site.state.lifecycle == ["startad", "andra startad", "andra stoppad", "stoppad"]
    assert Federation.of(site).loop is None

    # One plugin that fails to stop is logged; the others still stop.
    site.state.lifecycle = []
    site.state.other_fails = True
    with Client(create_app(site), base_url=site.base_url):
        pass
    assert site.state.lifecycle == ["startad", "andra startad", "andra stoppad", "stoppad"]
    assert "Plugin 'other' failed to shut down" in caplog.text
    assert Federation.of(site).loop is None


def test_hook_asgi_wrapper(offline_sites, make_client):
    site = offline_sites(["sample"], migrate_db=False)
    client = make_client(site)
    # In front of the session and CSRF middleware: no token needed, no cookie set.
    pong = client.post(PING_PATH)
    assert (pong.status_code, pong.text) == (200, f"pong från {site.name}")
    assert "set-cookie" not in pong.headers
    assert client.post("/konto/logga-in", data={"email": "x"}).status_code == 403  # the rest is still guarded
    assert client.get("/sample/livscykel").status_code == 200  # and passed on

    without = make_client(offline_sites([], slug="utan", migrate_db=False))
    assert without.get(PING_PATH).status_code == 404


def test_hook_prepare_jinja2_environment(offline_sites, make_client):
    site = offline_sites(["sample"], migrate_db=False)
    page = make_client(site).get("/sample/livscykel")
    assert page.status_code == 200
    assert "LIVSCYKEL!" in text_of(page.text)  # the sample plugin's own filter
    assert "prov_rop" not in offline_sites([], slug="utan", migrate_db=False).templates.env.filters


def test_hook_member_page_url(sites, make_client):
    """LISA links an organisation to its member association's page by asking
    the hook, which webportal answers; it never imports webportal. Without
    webportal on the site, or for an association not listed publicly, the
    organisation's page shows no link."""
    from plugins.lisa.models import Organisation
    from plugins.webportal.models import Association, Status, Visibility

    site = sites(["webportal", "lisa"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    with site.session() as db:
        listed = Association(slug="pro-test", name="PRO Test", category="Pensionärer", municipality="Karlskoga")
        hidden = Association(
            slug="dold", name="Dold", category="Övrigt", municipality="Karlskoga", visibility=Visibility.HIDDEN
        )
        for association in (listed, hidden):
            association.status = Status.APPROVED
            db.add(association)
        pro = Organisation(name="PRO Test", association_slug="pro-test")
        secret = Organisation(name="Dold förening", association_slug="dold")
        plain = Organisation(name="Kyrkan")
        db.add_all([pro, secret, plain])
        db.commit()
        ids = {o.name: o.id for o in (pro, secret, plain)}

    client = make_client(site)
    page = client.get(f"/hjalp/organisation/{ids['PRO Test']}")
    assert page.status_code == 200
    assert "Medlemsförening Se föreningens sida i föreningsregistret" in text_of(page.text)
    assert 'href="/foreningar/pro-test"' in page.text
    for name in ("Dold förening", "Kyrkan"):
        other = client.get(f"/hjalp/organisation/{ids[name]}")
        assert other.status_code == 200 and "föreningsregistret" not in text_of(other.text), name

    # LISA alone: nobody answers, the page still works, without the link.
    alone = sites(["lisa"], slug="alone")
    assert alone.pm.hook.member_page_url(site=alone, session=None, slug="pro-test") is None
    with alone.session() as db:
        db.add(Organisation(name="PRO Ensam", association_slug="pro-test"))
        db.commit()
        lone_id = db.exec(select(Organisation).where(Organisation.name == "PRO Ensam")).one().id
    lone = make_client(alone).get(f"/hjalp/organisation/{lone_id}")
    assert lone.status_code == 200 and "PRO Ensam" in text_of(lone.text)
    assert "föreningsregistret" not in text_of(lone.text)


def test_hook_received_entries(sites, make_client):
    """Federation answers what peers sent of a kind: newest first, deleted
    ones left out, matched by words, limited, each with its peer and the age
    of this site's copy; a plugin page shows them (Fritidsbanken's "Lånbart i
    närheten") without reading federation's tables."""
    from core.api import received_entries
    from federation.models import Entry, Peer

    site = sites(["fritidsbanken"])
    client = make_client(site)  # the running site, with federation's hooks
    now = datetime.now(UTC)
    with site.session() as db:
        peer = Peer(
            url="https://storfors.example", name="Storfors föreningar", last_success_at=now - timedelta(hours=3)
        )
        db.add(peer)
        db.flush()
        for days, title, deleted in ((3, "Tält", False), (1, "Kanot", False), (2, "Gamla skidor", True)):
            db.add(
                Entry(
                    peer_id=peer.id,
                    kind="fritidsbanken",
                    entry_id=f"tag:storfors.example,2026:fritidsbanken/{title}",
                    title=title,
                    link=f"https://storfors.example/fritidsbanken/{days}",
                    published=now - timedelta(days=days),
                    updated=now,
                    deleted_at=now if deleted else None,
                    fields={"category": "Friluftsliv"},
                    search_text=index_text(title),
                )
            )
        db.add(Entry(peer_id=peer.id, kind="news", entry_id="n", title="En nyhet", published=now, updated=now))
        db.commit()
        found = received_entries(site, db, "fritidsbanken")
        assert [e.title for e in found] == ["Kanot", "Tält"]
        assert found[0].source.name == "Storfors föreningar" and found[0].source.copied_ago == "3 timmar"
        assert found[0].fields == {"category": "Friluftsliv"}
        assert [e.title for e in received_entries(site, db, "fritidsbanken", query="tält")] == ["Tält"]
        assert [e.title for e in received_entries(site, db, "fritidsbanken", limit=1)] == ["Kanot"]
        assert received_entries(site, db, "nothing") == []

    page = text_of(client.get("/fritidsbanken/i-narheten").text)
    assert "Storfors föreningar Hämtat för 3 timmar sedan." in page
    assert page.index("Kanot") < page.index("Tält")
    assert "Gamla skidor" not in page and "En nyhet" not in page


def test_hook_received_stamp(sites):
    """Federation's stamp for a kind changes with every change a plugin
    would see in ``received_entries``: an entry arriving, replaced, deleted,
    brought back, a peer renamed; it stays put when nothing changed, or
    when another kind changed. A plugin keeps what it built per stamp."""
    from core.api import received_stamp
    from federation import ingest
    from federation.models import Peer
    from federation.parse import ParsedEntry, ParsedFeed

    site = sites(["fritidsbanken"])
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)

    def entry(number: int, updated: datetime) -> ParsedEntry:
        return ParsedEntry(f"tag:storfors.example,2026:sak/{number}", f"Sak {number}", "", "", "", "", [], now, updated)

    def stamp() -> str:
        with site.session() as db:
            return received_stamp(site, db, "fritidsbanken")

    with site.session() as db:
        peer = Peer(url="https://storfors.example", name="Storfors föreningar")
        db.add(peer)
        db.commit()
        peer_id = peer.id
    seen = [stamp()]
    assert seen[0] and stamp() == seen[0]  # nothing changed: the same stamp

    def apply(kind: str, feed: ParsedFeed) -> str:
        with site.session() as db:
            ingest.apply(db, peer_id, kind, feed)
        return stamp()

    for change in (
        lambda: apply("fritidsbanken", ParsedFeed(entries=[entry(1, now)])),  # arrives
        lambda: apply("fritidsbanken", ParsedFeed(entries=[entry(1, now + timedelta(hours=1))])),  # replaced
        lambda: apply("fritidsbanken", ParsedFeed(tombstones=[(entry(1, now).id, now + timedelta(hours=2))])),
        lambda: apply("fritidsbanken", ParsedFeed(entries=[entry(1, now + timedelta(hours=3))])),  # back
    ):
        seen.append(change())
        assert seen[-1] not in seen[:-1]
    assert apply("fritidsbanken", ParsedFeed(entries=[entry(1, now)])) == seen[-1]  # an older copy: ignored
    assert apply("news", ParsedFeed(entries=[entry(9, now)])) == seen[-1]  # another kind
    with site.session() as db:
        renamed = db.get(Peer, peer_id)
        assert renamed is not None
        renamed.name = "Storfors föreningsallians"
        db.add(renamed)
    assert stamp() not in seen


def test_hook_feed_document(sites, make_client):
    """A plugin serves its kind's feed at an address of its own, with
    federation's document: its own address as rel=self, conditional GET."""
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    site = sites(["sample"])
    _add_things(site, "Sak ett")
    client = make_client(site)
    feed = client.get("/sample/saker.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    document = ET.fromstring(feed.content)
    links = {link.get("rel"): link.get("href") for link in document.findall(f"{atom}link")}
    assert links["self"] == "http://testsite.example/sample/saker.atom"
    assert [e.findtext(f"{atom}title") for e in document.findall(f"{atom}entry")] == ["Sak ett"]
    again = client.get("/sample/saker.atom", headers={"If-None-Match": feed.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_hook_own_data(sites, make_client):
    """A person's zip holds each plugin's tables, as JSON and as CSV."""
    import io
    import json
    import zipfile

    site = sites(["sample"])
    add_user(site, "ada@test.example", Role.EDITOR, "Ada")
    _add_things(site, "ada@test.example trädgårdsplan", "någon annans sak")
    client = make_client(site)
    client.login("ada@test.example")
    assert "sample saker 1" in text_of(client.get("/konto/mina-uppgifter").text)
    download = client.get("/konto/mina-uppgifter.zip")
    assert download.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    data = json.loads(archive.read("uppgifter.json"))
    assert [row["namn"] for row in data["sample"]["saker"]] == ["ada@test.example trädgårdsplan"]
    assert "ada@test.example trädgårdsplan" in archive.read("sample-saker.csv").decode("utf-8-sig")


def test_hook_forget_user(sites, make_client):
    """Deleting an account lets each plugin anonymise its rows first."""
    site = sites(["sample"])
    add_user(site, "ada@test.example", Role.EDITOR, "Ada")
    _add_things(site, "ada@test.example trädgårdsplan")
    client = make_client(site)
    client.login("ada@test.example")
    gone = client.submit("/konto/mina-uppgifter", {"password": PASSWORD, "confirm": "y"})
    assert gone.status_code == 303
    with site.session() as db:
        assert [t.name for t in db.exec(select(SampleThing)).all()] == ["(borttagen person) trädgårdsplan"]
        assert get_user_by_email(db, "ada@test.example") is None


# -- events (issue 14) -----------------------------------------------------------------------------


def _approved(site, *rows: tuple[str, str, str]) -> None:
    from plugins.webportal.models import Association, Status, Visibility

    with site.session() as db:
        for slug, name, visibility in rows:
            db.add(
                Association(
                    slug=slug,
                    name=name,
                    category="Övrigt",
                    municipality="Karlskoga",
                    status=Status.APPROVED,
                    visibility=visibility or Visibility.PUBLIC,
                )
            )
        db.commit()


def test_hook_member_associations(sites):
    """The member directory (webportal) answers with its public associations
    by name; a hidden one is left out; without webportal nobody answers."""
    from core.api import member_associations

    site = sites(["webportal", "evenemang"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    _approved(site, ("pro", "PRO Karlskoga", ""), ("dold", "Dold förening", "hidden"), ("aik", "Alla Idrottare", ""))
    with site.session() as db:
        found = member_associations(site, db)
    assert [(a.slug, a.name, a.municipality) for a in found] == [
        ("aik", "Alla Idrottare", "Karlskoga"),
        ("pro", "PRO Karlskoga", "Karlskoga"),
    ]
    alone = sites(["evenemang"], slug="alone")
    with alone.session() as db:
        assert member_associations(alone, db) == []


def test_hook_editable_associations(sites, make_client):
    """An editor may act for their linked associations only (the events form
    offers just those), an admin for every approved one, nobody for none."""
    from core.api import editable_associations
    from plugins.webportal.models import Association, AssociationEditor

    site = sites(["webportal", "evenemang"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    _approved(site, ("pro", "PRO Karlskoga", ""), ("aik", "Alla Idrottare", ""))
    editor = add_user(site, "red@test.example", Role.EDITOR)
    admin = add_user(site, "adm@test.example", Role.ADMIN)
    with site.session() as db:
        pro = db.exec(select(Association).where(Association.slug == "pro")).one()
        db.add(AssociationEditor(association_id=pro.id, user_id=editor.id))
        db.commit()
        assert [a.slug for a in editable_associations(site, db, editor)] == ["pro"]
        assert [a.slug for a in editable_associations(site, db, admin)] == ["aik", "pro"]
        assert editable_associations(site, db, None) == []
    client = make_client(site)
    client.login("red@test.example")
    form = client.get("/evenemang/nytt").text
    assert "PRO Karlskoga" in form and "Alla Idrottare" not in form


def test_hook_association_editors(sites):
    """The member directory names the active accounts linked to an
    association as its editors, by name: not an admin who is not linked, not
    a deactivated editor; nobody for an unknown slug or without webportal."""
    from core.api import association_editors
    from plugins.webportal.models import Association, AssociationEditor

    site = sites(["webportal", "evenemang"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    _approved(site, ("pro", "PRO Karlskoga", ""), ("aik", "Alla Idrottare", ""))
    rut = add_user(site, "rut@test.example", Role.EDITOR, "Rut")
    ada = add_user(site, "ada@test.example", Role.EDITOR, "Ada")
    gone = add_user(site, "gone@test.example", Role.EDITOR, "Gone")
    add_user(site, "adm@test.example", Role.ADMIN)
    with site.session() as db:
        pro = db.exec(select(Association).where(Association.slug == "pro")).one()
        for user in (rut, ada, gone):
            db.add(AssociationEditor(association_id=pro.id, user_id=user.id))
        db.commit()
        found = get_user_by_email(db, "gone@test.example")
        assert found is not None
        found.is_active = False
        db.add(found)
        db.commit()
        assert [u.email for u in association_editors(site, db, "pro")] == ["ada@test.example", "rut@test.example"]
        assert association_editors(site, db, "aik") == []
        assert association_editors(site, db, "okand") == []
    alone = sites(["evenemang"], slug="alone")
    with alone.session() as db:
        assert association_editors(alone, db, "pro") == []


def test_hook_association_page_blocks(sites, make_client):
    """Blocks from other plugins show on an association's public page, each
    as a section with its own h2, after the page's own sections."""
    site = sites(["webportal", "sample"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    _approved(site, ("pro", "PRO Karlskoga", ""))
    _add_things(site, "Bikupan")
    page = make_client(site).get("/foreningar/pro")
    assert page.status_code == 200
    assert re.search(r"<h2 id=\"[^\"]+\">Provblock för pro</h2>", page.text)
    assert "Provtillägget har 1 saker." in text_of(page.text)


def test_hook_my_associations_sections(sites, make_client):
    """Sections from other plugins show on an editor's "Mina föreningar",
    each with its own h2, told which associations the editor edits; an
    account that edits none gets no section."""
    from plugins.webportal.models import Association, AssociationEditor

    site = sites(["webportal", "sample"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    _approved(site, ("pro", "PRO Karlskoga", ""), ("aik", "Alla Idrottare", ""))
    _add_things(site, "Bikupan", "Vedboden")
    editor = add_user(site, "red@test.example", Role.EDITOR)
    add_user(site, "ingen@test.example", Role.EDITOR)
    with site.session() as db:
        pro = db.exec(select(Association).where(Association.slug == "pro")).one()
        db.add(AssociationEditor(association_id=pro.id, user_id=editor.id))
        db.commit()
    client = make_client(site)
    client.login("red@test.example")
    page = client.get("/mina-foreningar")
    assert page.status_code == 200
    assert re.search(r'<h2 id="[^"]+">Provsektion för PRO Karlskoga \(red@test.example\)</h2>', page.text)
    assert "Provtillägget har 2 saker." in text_of(page.text)
    other = make_client(site)
    other.login("ingen@test.example")
    assert "Provsektion" not in other.get("/mina-foreningar").text


def test_hook_bookable_places(sites, make_client):
    """A premises plugin's rooms are offered as the place of an event, and
    the chosen room is kept with the event."""
    from plugins.evenemang.models import Event

    site = sites(["webportal", "evenemang", "sample"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    add_user(site, "adm@test.example", Role.ADMIN)
    client = make_client(site)
    client.login("adm@test.example")
    form = client.get("/evenemang/nytt").text
    assert '<option value="sample:1">Provsalen, Provgatan 1, Karlskoga</option>' in form
    response = client.submit(
        "/evenemang/nytt",
        {
            "title": "Möte i Provsalen",
            "start_date": "2027-01-12",
            "start_time": "18:00",
            "end_time": "19:00",
            "room": "sample:1",
            "is_free": "y",
            "age_group": "all",
            "status": "scheduled",
            "repeat": "",
        },
    )
    assert response.status_code == 303, text_of(response.text)[:500]
    with site.session() as db:
        event = db.exec(select(Event)).one()
    assert event.room_ref == "sample:1"
    # The room is the place a visitor reads: on the page and in the .ics (found in a new-user trial).
    assert "Provsalen, Provgatan 1, Karlskoga" in text_of(client.get(response.headers["location"]).text)
    assert "LOCATION:Provsalen\\, Provgatan 1\\, Karlskoga" in client.get(response.headers["location"] + ".ics").text
    # Without a premises plugin (same database, so the same account).
    without = sites(["webportal", "evenemang"], slug="utan", plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    other = make_client(without)
    other.login("adm@test.example")
    assert "Lokal i Föreningarnas hus" not in other.get("/evenemang/nytt").text


def test_hook_place_uses(sites, make_client):
    """The events plugin answers what is held in a room: its published
    events there, expanded to occurrences in the range asked for."""
    from datetime import UTC, datetime

    from core.api import place_uses

    site = sites(["webportal", "evenemang", "sample"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    add_user(site, "adm@test.example", Role.ADMIN)
    client = make_client(site)
    client.login("adm@test.example")
    form = {
        "title": "Möte i Provsalen",
        "start_date": "2027-01-12",
        "start_time": "18:00",
        "end_time": "19:00",
        "room": "sample:1",
        "is_free": "y",
        "age_group": "all",
        "status": "scheduled",
        "repeat": "",
    }
    assert client.submit("/evenemang/nytt", form).status_code == 303
    with site.session() as db:
        found = place_uses(site, db, "sample:1", datetime(2027, 1, 11, tzinfo=UTC), datetime(2027, 1, 18, tzinfo=UTC))
        elsewhere = place_uses(
            site, db, "sample:2", datetime(2027, 1, 11, tzinfo=UTC), datetime(2027, 1, 18, tzinfo=UTC)
        )
    assert [(use.title, use.start.astimezone(UTC).hour) for use in found] == [("Möte i Provsalen", 17)]
    assert found[0].url.startswith("/evenemang/")
    assert elsewhere == []


def test_hook_place_bookings(sites, make_client):
    """The events plugin asks the premises plugin whether a room is booked
    and refuses an event at a booked time, naming it; another time is saved."""
    from datetime import UTC, datetime

    from core.api import place_bookings

    site = sites(["webportal", "evenemang", "sample"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    add_user(site, "adm@test.example", Role.ADMIN)
    client = make_client(site)
    client.login("adm@test.example")
    form = {
        "title": "Möte i Provsalen",
        "start_date": "2027-01-13",
        "start_time": "18:30",
        "end_time": "21:00",
        "room": "sample:1",
        "is_free": "y",
        "age_group": "all",
        "status": "scheduled",
        "repeat": "",
    }
    refused = client.submit("/evenemang/nytt", form)
    assert refused.status_code == 400
    assert "Lokalen är redan upptagen då: Onsdag 13 januari 2027 18:00–20:00 (Upptaget)" in text_of(refused.text)
    assert client.submit("/evenemang/nytt", {**form, "start_time": "20:00"}).status_code == 303
    with site.session() as db:
        week = (datetime(2027, 1, 11, tzinfo=UTC), datetime(2027, 1, 18, tzinfo=UTC))
        assert [b.title for b in place_bookings(site, db, "sample:1", *week)] == ["Upptaget"]
        assert place_bookings(site, db, "sample:2", *week) == []


def test_hook_book_place(sites):
    """The events plugin asks the premises plugin to book a room: all the
    times or none, a dry run saves nothing, and a place of nobody's is None."""
    from datetime import UTC, datetime

    from core.api import AssociationRef, book_place
    from core.models import User
    from tests.plugins.sample.models import SampleThing

    site = sites(["webportal", "evenemang", "sample"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    add_user(site, "adm@test.example", Role.ADMIN)
    with site.session() as db:
        user = db.exec(select(User).where(User.email == "adm@test.example")).one()
    club = AssociationRef("korklubben", "Körklubben")
    free = [(datetime(2027, 1, 12, 17, tzinfo=UTC), datetime(2027, 1, 12, 18, tzinfo=UTC))]
    taken = [*free, (datetime(2027, 1, 13, 17, 30, tzinfo=UTC), datetime(2027, 1, 13, 18, tzinfo=UTC))]

    def things() -> list[str]:
        with site.session() as db:
            return [t.name for t in db.exec(select(SampleThing)).all()]

    trial = book_place(site, "sample:1", free, association=club, title="Körövning", user=user, dry_run=True)
    assert trial is not None and trial.ok and not trial.saved and things() == []
    refused = book_place(site, "sample:1", taken, association=club, title="Körövning", user=user)
    assert refused is not None and not refused.ok and "upptagen" in refused.problems[0] and things() == []
    booked = book_place(site, "sample:1", free, association=club, title="Körövning", user=user)
    assert booked is not None and booked.saved and booked.status == "confirmed"
    assert things() == ["Bokad: Körövning (Körklubben)"]
    assert book_place(site, "sample:2", free, association=club, title="Körövning", user=user) is None


def test_hook_openapi_paths(offline_sites, make_client):
    """A plugin's paths and schemas join core's in ``/-/openapi.json``, and
    only on a site that enables the plugin."""
    site = offline_sites(["sample"])
    document = make_client(site).get("/-/openapi.json").json()
    assert document["paths"][PING_PATH]["get"]["operationId"] == "sample_ping"
    assert document["components"]["schemas"]["sample_pong"] == {"type": "string"}
    assert "/-/plugins.json" in document["paths"]
    without = make_client(offline_sites([], slug="utan")).get("/-/openapi.json").json()
    assert PING_PATH not in without["paths"] and "sample_pong" not in without["components"]["schemas"]


def test_hook_notice_kinds(sites, make_client, smtp_inbox):
    """A plugin's notice kind reaches its recipient over SMTP with a link to
    their settings; switched off there, the next notice is not sent; a kind
    no plugin declares is refused. The signed-in person's page lists it too."""
    from core.api import Mail, notify, recipient_language
    from core.testing import smtp_settings

    site = sites(["sample"], extra=smtp_settings(smtp_inbox.port, from_address="info@testsite.example"))
    with site.session() as db:
        assert recipient_language(site, db, "Vera@Test.example") == "sv"
        notify(site, db, "sample.ping", Mail("Vera@Test.example", "Ping", "Hej Vera!\n", "sv"), origin="sample")
        db.commit()
    (message,) = smtp_inbox.messages
    body = message.get_content()
    assert body.startswith("Hej Vera!") and "provtillägget pingar mig" in body
    link = re.search(r"http://testsite\.example(/aviseringar/\S+)", body)
    assert link, body
    visitor = make_client(site)
    page = visitor.get(link.group(1))
    assert page.status_code == 200 and "Mejla mig när provtillägget pingar mig" in text_of(page.text)
    saved = visitor.submit(link.group(1), {})  # every box unticked
    assert saved.status_code == 303
    assert 'value="sample.ping" id="avisering-1">' in visitor.get(link.group(1)).text  # unticked now
    with site.session() as db:
        assert notify(site, db, "sample.ping", Mail("vera@test.example", "Ping", "Igen", "sv")) is None
        with pytest.raises(ValueError, match="sample.nope"):
            notify(site, db, "sample.nope", Mail("vera@test.example", "Ping", "Igen", "sv"))
        db.commit()
    assert len(smtp_inbox.messages) == 1
    assert visitor.get("/aviseringar/okand-lank").status_code == 404

    add_user(site, "vera@test.example", Role.EDITOR)
    own = make_client(site)
    own.login("vera@test.example")
    assert 'value="sample.ping" id="avisering-1">' in own.get("/konto/aviseringar").text  # the same choice
    assert own.submit("/konto/aviseringar", {"kind": "sample.ping"}).status_code == 303
    with site.session() as db:
        assert notify(site, db, "sample.ping", Mail("vera@test.example", "Ping", "Nu igen", "sv")) is not None
        db.commit()
    deadline = time.monotonic() + 10  # the clients' apps run the outbox worker, which sends it in its thread
    while len(smtp_inbox.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m["Subject"] for m in smtp_inbox.messages] == ["Ping", "Ping"]


def test_hook_newsletter_items(sites):
    """A plugin's items for a period reach the newsletter, sorted by order."""
    from core.api import newsletter_items

    site = sites(["sample"])
    _add_things(site, "Apelsin", "Banan", "Citron", created_at=datetime(2026, 3, 10, tzinfo=UTC))
    _add_things(site, "Gammal", created_at=datetime(2026, 1, 10, tzinfo=UTC))
    with site.session() as db:
        found = newsletter_items(site, db, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    assert [(i.section, i.title) for i in found] == [("Saker", "Banan"), ("Först", "Apelsin"), ("Först", "Citron")]
