"""The site's search service (core.search_index): full text in the database,
kept up to date as content changes, the same answers on SQLite and
PostgreSQL, and what a visitor sees of it in the directory and at /sok."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from core import search_index
from core.api import SearchDocument, index_text
from core.testing import load_test_site
from plugins.webportal import directory
from plugins.webportal.models import Association, News, Status, Visibility
from plugins.webportal.news import refresh_search_text
from tests.conftest import DEFAULT_WEBPORTAL, _new_pg_database, text_of, write_site
from tests.webportal_fixtures import add_association

NAMES = [
    "Körsångarna i Karlskoga",
    "Karlskoga Kör",
    "Degerfors Schackklubb",
    "Örebro läns Spelmanslag",
    "Ängens Vänner",
    "Spelglada Degerfors",
    "Alfa IK",
    "Möckelns Fiskevårdsförening",
    "Bridgeklubben Kortet",
    "Folkdanslaget Vingen",
]
WORDS = ["sång", "körsång", "spelningar", "tävlingar", "fiske", "schack", "dans", "öppet hus", "prova-på", "fika"]
QUERIES = [
    "",
    "körs",
    "KÖRSÅNG",
    "kör",
    "spelning",
    "spelningar",
    "tävling",
    "degerfors",
    "ö",
    "karlskoga kör",
    "schack degerfors",
    "fiske möckeln",
    "prova på",
    "x",
    "'\"*:(|&) OR AND NEAR",
    "a" * 300,
    "1",
]


def _fill(site, count: int = 400) -> None:
    """The same associations and news on any database, in the same order."""
    rnd = random.Random(7)
    with site.session() as db:
        for n in range(count):
            base = NAMES[n % len(NAMES)]
            name = f"{base} {n}" if n >= len(NAMES) else base
            association = Association(
                slug=f"f{n}",
                name=name,
                category="Idrott" if n % 3 else "Kultur",
                municipality="Degerfors" if n % 2 else "Karlskoga",
                short_description=f"Vi ordnar {rnd.choice(WORDS)} och {rnd.choice(WORDS)}.",
                status=Status.APPROVED,
                visibility=Visibility.PUBLIC if n % 17 else Visibility.HIDDEN,
            )
            directory.refresh_search_text(association)
            db.add(association)
        db.flush()
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for n in range(count):
            news = News(
                title=f"{rnd.choice(WORDS).capitalize()} hos {rnd.choice(NAMES)}",
                summary=f"Välkomna på {rnd.choice(WORDS)}.",
                body="",
                published=bool(n % 5),
                published_at=start + timedelta(days=n % 300, minutes=n),
            )
            refresh_search_text(news)
            db.add(news)


def _answers(site) -> list[object]:
    found = []
    with site.session() as db:
        for query in QUERIES:
            for kinds in ([], ["members"], ["news"]):
                for order in ("rank", "name", "newest"):
                    for page in (1, 3):
                        result = search_index.search(
                            db, query, kinds=kinds, page=page, per_page=7, order=order, facets=page == 1
                        )
                        found.append((query, kinds, order, page, result))
    return found


@pytest.mark.postgres
def test_sqlite_and_postgresql_give_the_same_answers(tmp_path: Path, pg_cluster) -> None:
    answers = []
    for kind, url in (("sqlite", f"sqlite:///{tmp_path / 'same.db'}"), ("postgresql", _new_pg_database(pg_cluster))):
        folder = write_site(tmp_path / kind, "same", ["webportal"], {"webportal": DEFAULT_WEBPORTAL}, "")
        site = load_test_site(folder, url, tmp_path / "data" / kind)
        _fill(site)
        answers.append(_answers(site))
        site.dispose()
    sqlite, postgresql = answers
    assert len(sqlite) == len(postgresql)
    for left, right in zip(sqlite, postgresql, strict=True):
        assert left == right, f"differs for {left[:4]}"
    # Not a comparison of two empty lists: the queries find things, and not everything.
    totals = {(q, tuple(k), o, p): r.total for q, k, o, p, r in sqlite}
    assert totals[("körs", ("members",), "rank", 1)] > 0
    assert 0 < totals[("spelning", (), "rank", 1)] < totals[("", (), "rank", 1)]
    assert totals[("x", (), "rank", 1)] == 0


def test_a_prefix_and_a_stem_find_the_word_and_the_title_ranks_first(site) -> None:
    add_association(site, "Sjung med oss", short_description="Vi har körsång varje tisdag.")
    add_association(site, "Körsångarna")
    add_association(site, "Schackklubben", short_description="Spelningar och tävlingar.")
    with site.session() as db:
        found = search_index.search(db, "körs")
        assert [h.title for h in found.hits] == ["Körsångarna", "Sjung med oss"]  # the title hit first
        assert [h.title for h in search_index.search(db, "TÄVLING").hits] == ["Schackklubben"]
        assert [h.title for h in search_index.search(db, "spelning").hits] == ["Schackklubben"]
        assert search_index.search(db, "körsånger fredag").total == 0  # every word must match
        assert search_index.search(db, "körsånger tisdag").total == 1  # "körsånger": the stem "körsång"
        assert search_index.search(db, "").total == 3


def test_the_index_follows_every_change(site) -> None:
    association = add_association(site, "Degerfors Bridgeklubb", short_description="Kortspel varje vecka.")
    with site.session() as db:
        assert [h.title for h in search_index.search(db, "bridge").hits] == ["Degerfors Bridgeklubb"]
        row = db.get(Association, association.id)
        assert row is not None
        row.name = "Degerfors Kortklubb"
        directory.refresh_search_text(row)
    with site.session() as db:
        assert search_index.search(db, "bridge").total == 0
        assert [h.title for h in search_index.search(db, "kortklubb").hits] == ["Degerfors Kortklubb"]
        row = db.get(Association, association.id)
        assert row is not None
        row.visibility = Visibility.HIDDEN  # not public: out of the search
    with site.session() as db:
        assert search_index.search(db, "kortklubb").total == 0
        row = db.get(Association, association.id)
        assert row is not None
        row.visibility = Visibility.PUBLIC
    with site.session() as db:
        assert search_index.search(db, "kortklubb").total == 1
        row = db.get(Association, association.id)
        db.delete(row)
    with site.session() as db:
        assert search_index.search(db, "kortklubb").total == 0
        assert search_index.search(db, "").total == 0


def test_paging_is_in_the_database_and_pages_do_not_overlap(site) -> None:
    for n in range(23):
        add_association(site, f"Förening {n:02d}")
    with site.session() as db:
        pages = [search_index.search(db, "förening", page=p, per_page=10, order="name") for p in (1, 2, 3, 4)]
    assert [p.page for p in pages] == [1, 2, 3, 3]  # clamped to the last page
    titles = [h.title for p in pages[:3] for h in p.hits]
    assert titles == [f"Förening {n:02d}" for n in range(23)]
    assert pages[0].total == 23 and pages[0].pages == 3


def test_peers_copies_are_put_and_filtered_by_origin(site) -> None:
    add_association(site, "Karlskoga Kör")
    with site.session() as db:
        search_index.put(
            db,
            "members",
            {
                "tag:mockeln,2026:members/1": SearchDocument(
                    "Möckelns Kör", "http://mockeln.example/f/1", " möckelns kör "
                ),
                "tag:mockeln,2026:members/2": None,
            },
            origin=7,
            origin_name="Möckelnföreningarna",
            origin_url="http://mockeln.example",
        )
    with site.session() as db:
        everything = search_index.search(db, "kör", facets=True)
        assert [(h.title, h.origin_name) for h in everything.hits] == [
            ("Karlskoga Kör", ""),
            ("Möckelns Kör", "Möckelnföreningarna"),
        ]
        assert everything.origins == {0: 1, 7: 1} and everything.kinds == {"members": 2}
        assert [h.title for h in search_index.search(db, "kör", origins=[7]).hits] == ["Möckelns Kör"]
        assert search_index.search(db, "kör", kinds=["news"]).total == 0


def test_migrating_indexes_what_was_written_before_the_index(site) -> None:
    add_association(site, "Filipstads Hembygdsförening")
    with site.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM core_search_document")
    with site.session() as db:
        assert search_index.search(db, "hembygd").total == 0
        assert search_index.rebuild(site, db) == 1
    with site.session() as db:
        assert search_index.search(db, "hembygd").total == 1
    if site.engine.dialect.name == "sqlite":
        assert "search_fts" in inspect(site.engine).get_table_names()


def test_the_directory_and_the_site_search_show_what_the_index_finds(site, client) -> None:
    add_association(site, "Körsångarna i Karlskoga", category="Kultur")
    add_association(site, "Karlskoga Schackklubb")
    add_association(site, "Dold Kör", visibility=Visibility.HIDDEN)
    page = text_of(client.get("/foreningar?q=körs").text)
    assert "Körsångarna i Karlskoga" in page and "Schackklubb" not in page and "Dold Kör" not in page
    assert "Körsångarna" not in text_of(client.get("/foreningar?q=körs&kategori=Idrott").text)

    response = client.get("/sok?q=körs")
    assert response.status_code == 200
    page = text_of(response.text)
    assert "1 träff för ”körs”" in page
    assert "Körsångarna i Karlskoga" in page and "Föreningar · Kultur · Karlskoga" in page
    assert "Inga träffar" in text_of(client.get("/sok?q=körs&typ=news").text)
    hostile_urls = ("/sok?q=körs&sajt=-1", "/sok?q=%00&typ=x", "/sok?q=körs&sida=999999999999", "/sok?sajt=9999999999")
    for hostile in hostile_urls:
        assert client.get(hostile).status_code == 200


def test_news_in_the_future_or_unpublished_is_not_found(site) -> None:
    with site.session() as db:
        for title, published, when in (
            ("Vårens möte i Karlskoga", True, datetime.now(UTC) - timedelta(days=1)),
            ("Höstens möte i Karlskoga", False, datetime.now(UTC) - timedelta(days=1)),
        ):
            news = News(title=title, summary="", body="", published=published, published_at=when)
            refresh_search_text(news)
            db.add(news)
    with site.session() as db:
        assert [h.title for h in search_index.search(db, "möte", kinds=["news"]).hits] == ["Vårens möte i Karlskoga"]
        assert db.exec(select(News)).all()


def test_copies_stored_before_the_index_become_searchable_at_start(site) -> None:
    from federation import ingest
    from federation.models import Entry, Peer

    when = datetime(2026, 11, 1, tzinfo=UTC)
    with site.session() as db:
        peer = Peer(url="http://mockeln.example", name="Möckelnföreningarna")
        db.add(peer)
        db.flush()
        assert peer.id is not None
        for n, (title, deleted) in enumerate((("Möckelns Körsångare", None), ("Nedlagda Kören", when))):
            db.add(
                Entry(
                    peer_id=peer.id,
                    kind="members",
                    entry_id=f"tag:mockeln.example,2026:members/{n}",
                    title=title,
                    link=f"http://mockeln.example/foreningar/{n}",
                    published=when,
                    updated=when,
                    deleted_at=deleted,
                    search_text=index_text(title),
                )
            )
    with site.session() as db:
        assert search_index.search(db, "kör").total == 0  # written around the index
        ingest.index_unindexed(db)
    with site.session() as db:
        found = search_index.search(db, "kör")
        assert [(h.title, h.origin_name) for h in found.hits] == [("Möckelns Körsångare", "Möckelnföreningarna")]
        ingest.index_unindexed(db)  # again: nothing twice
    with site.session() as db:
        assert search_index.search(db, "kör").total == 1


def test_the_same_copy_put_by_two_writers_at_once_is_kept_once(site) -> None:
    """A peer's item pushed while the poller ingests it: the second writer
    waits for the first and then replaces its row. On PostgreSQL both
    deleted nothing and the second INSERT was a unique violation (seven of
    them in bench/soak.py)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import text

    ref = "tag:kristinehamn,2026:news/5"

    def put(db, title: str) -> None:
        document = SearchDocument(title, "http://kristinehamn.example/nyheter/5", f" {title.lower()} ")
        search_index.put(db, "news", {ref: document}, origin=3, origin_name="Kristinehamn")

    def second_writer(started: threading.Event) -> None:
        with site.session() as db:
            started.set()
            put(db, "Vårmarknad i parken")

    started = threading.Event()
    with ThreadPoolExecutor(1) as pool, site.session() as first:
        put(first, "Vårmarknad")
        first.flush()
        second = pool.submit(second_writer, started)
        assert started.wait(10)
        time.sleep(0.5)
        assert not second.done(), "the second writer should wait for the first"
        first.commit()
        second.result(timeout=30)
    with site.session() as db:
        rows = db.execute(text("SELECT title FROM core_search_document WHERE origin = 3")).all()
        assert [r[0] for r in rows] == ["Vårmarknad i parken"]
        assert [h.title for h in search_index.search(db, "vårmarknad", origins=[3]).hits] == ["Vårmarknad i parken"]


def test_the_count_and_the_page_agree_while_a_copy_arrives(site) -> None:
    """A peer's copy stored while a search runs: the visitor's page said
    "1 träff" and listed two (the count and the page were two statements,
    and federation committed between them; seen in CI on PostgreSQL)."""
    from sqlalchemy import event

    add_association(site, "Filipstads Körsällskap")
    arrived: list[str] = []

    def a_copy_arrives(connection, cursor, statement, parameters, context, executemany) -> None:
        if (
            arrived
            or "core_search_document" not in statement
            or not statement.lstrip().upper().startswith(("SELECT", "WITH"))
        ):
            return
        arrived.append(statement)
        with site.session() as other:
            search_index.put(
                other,
                "members",
                {
                    "tag:mockeln,2026:members/9": SearchDocument(
                        "Degerfors Körsångare", "http://m.example/f/9", " körsångare "
                    )
                },
                origin=4,
                origin_name="Möckelnföreningarna",
            )

    event.listen(site.engine, "after_cursor_execute", a_copy_arrives)
    try:
        with site.session() as db:
            found = search_index.search(db, "körs", facets=True)
    finally:
        event.remove(site.engine, "after_cursor_execute", a_copy_arrives)
    assert arrived, "the copy never arrived during the search"
    assert found.total == len(found.hits) == sum(found.origins.values())
    assert found.total in (1, 2)
    with site.session() as db:
        assert search_index.search(db, "körs").total == 2  # it did arrive
