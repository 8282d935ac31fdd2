"""Statistics for any period: loans per month, category, branch and age
group, unique borrowers, most borrowed items, the share never returned; as
SVG charts, as CSV, and in the site's follow-up report."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from plugins.fritidsbanken import charts, lending, stats
from tests.conftest import text_of
from tests.fritidsbanken.conftest import add_borrower, add_item


def _lend(site, borrower, branch, numbers, when: datetime, back: datetime | None = None) -> None:  # type: ignore[no-untyped-def]
    with site.session() as db:
        results = lending.checkout(db, site, borrower, branch, numbers, None, now=when)
        assert all(r.ok for r in results), [r.message for r in results]
        if back is not None:
            lending.checkin(db, site, branch, numbers, now=back)
        db.commit()


def _year(world, fb_site):  # type: ignore[no-untyped-def]
    add_item(fb_site, "9001", "Längdskidor", "Skidor", "130 cm", world.branch)
    add_item(fb_site, "9002", "Hockeyskridskor", "Skridskor", "36", world.branch)
    add_item(fb_site, "9003", "Flytväst", "Vattensport", "25–40 kg", world.other_branch)
    child = add_borrower(fb_site, "Ella Barn", "", birth_year=2016, guardian_name="M", guardian_mobile="+46701740601")
    teen = add_borrower(fb_site, "Teo Tonår", "+46701740602", birth_year=2011)
    adult = add_borrower(fb_site, "Vera Vuxen", "+46701740603", birth_year=1980)
    jan, feb, jul = (datetime(2026, m, 10, 14, tzinfo=UTC) for m in (1, 2, 7))
    _lend(fb_site, child, world.branch, ["9001", "9002"], jan, datetime(2026, 1, 20, 14, tzinfo=UTC))
    _lend(fb_site, teen, world.branch, ["9001"], feb, datetime(2026, 2, 20, 14, tzinfo=UTC))
    _lend(fb_site, adult, world.other_branch, ["9003"], jul)  # never returned
    _lend(
        fb_site, child, world.branch, ["9002"], datetime(2025, 12, 1, 14, tzinfo=UTC), datetime(2025, 12, 5, tzinfo=UTC)
    )


def test_the_figures_for_a_period(world, fb_site, fake_clock):
    _year(world, fb_site)
    fake_clock.set(datetime(2026, 12, 31, 12, tzinfo=UTC))
    with fb_site.session() as db:
        s = stats.compute(db, fb_site, date(2026, 1, 1), date(2026, 12, 31))
    assert s.loans == 4 and s.unique_borrowers == 3 and s.returned == 3
    assert s.never_returned == 1 and s.never_returned_share == 25.0
    assert s.per_month[:3] == [("jan 2026", 2), ("feb 2026", 1), ("mar 2026", 0)] and len(s.per_month) == 12
    assert s.per_category == [("Skidor", 2), ("Skridskor", 1), ("Vattensport", 1)]
    assert s.per_branch == [("Fritidsbanken Karlskoga", 3), ("Fritidsbanken Degerfors", 1)]
    assert s.borrowers_per_age_group == [("0–12 år", 1), ("13–17 år", 1), ("26–64 år", 1)]
    assert s.per_age_group == [("0–12 år", 2), ("13–17 år", 1), ("26–64 år", 1)]
    assert s.top_items[0] == ("Längdskidor 130 cm (9001)", 2)

    with fb_site.session() as db:
        winter = stats.compute(db, fb_site, date(2025, 12, 1), date(2026, 1, 31))
    assert winter.loans == 3 and winter.per_month == [("dec 2025", 1), ("jan 2026", 2)]
    # Not yet "never returned" while the loan is still within lost_after_days of its due day.
    fake_clock.set(datetime(2026, 8, 1, 12, tzinfo=UTC))
    with fb_site.session() as db:
        assert stats.compute(db, fb_site, date(2026, 1, 1), date(2026, 12, 31)).never_returned == 0


def test_months_are_swedish_months(world, fb_site, fake_clock):
    """A loan at 00:30 on 1 March, Swedish time, is March's (it is still 28
    February in UTC), and one at 23:30 on 31 March is not April's: every loan
    of the period is in one of its months."""
    add_item(fb_site, "9101", "Kanot", "Vattensport", "", world.branch)
    add_item(fb_site, "9102", "Paddel", "Vattensport", "", world.branch)
    adult = add_borrower(fb_site, "Vera Vuxen", "+46701740603", birth_year=1980)
    first_of_march = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)  # 00:30 CET
    last_of_march = datetime(2026, 3, 31, 21, 30, tzinfo=UTC)  # 23:30 CEST
    _lend(fb_site, adult, world.branch, ["9101"], first_of_march, datetime(2026, 3, 2, 12, tzinfo=UTC))
    _lend(fb_site, adult, world.branch, ["9102"], last_of_march)
    fake_clock.set(datetime(2026, 4, 2, 12, tzinfo=UTC))
    with fb_site.session() as db:
        march = stats.compute(db, fb_site, date(2026, 3, 1), date(2026, 3, 31))
        spring = stats.compute(db, fb_site, date(2026, 2, 1), date(2026, 4, 30))
    assert march.loans == 2 and march.per_month == [("mar 2026", 2)]
    assert spring.per_month == [("feb 2026", 0), ("mar 2026", 2), ("apr 2026", 0)]


def test_page_csv_and_follow_up_report(world, fb_site, make_client, fake_clock):
    _year(world, fb_site)
    fake_clock.set(datetime(2026, 12, 31, 12, tzinfo=UTC))
    admin = make_client(fb_site)
    admin.login(world.admin.email)
    page = admin.get("/fritidsbanken/admin/statistik", params={"fran": "2026-01-01", "till": "2026-12-31"})
    assert page.status_code == 200
    assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 5
    assert '<title id="c-month-t">Lån per månad</title>' in page.text
    body = text_of(page.text)
    assert "Lån 4 Unika låntagare 3 Aldrig återlämnade 25 %" in body

    default = text_of(admin.get("/fritidsbanken/admin/statistik").text)
    assert "1 januari 2026 – 31 december 2026" in default  # the twelve months up to today

    bad = admin.get("/fritidsbanken/admin/statistik", params={"fran": "1/1/2026"})
    assert bad.status_code == 400 and "ÅÅÅÅ-MM-DD" in text_of(bad.text)

    download = admin.get("/fritidsbanken/admin/statistik.csv", params={"fran": "2026-01-01", "till": "2026-12-31"})
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["avsnitt", "mått", "värde", "från", "till"]
    assert ["lån per kategori", "Skidor", "2", "2026-01-01", "2026-12-31"] in rows
    assert ["sammanfattning", "andel aldrig återlämnade (%)", "25,0", "2026-01-01", "2026-12-31"] in rows

    report = admin.get("/-/admin/uppfoljning", params={"fran": "2026-01-01", "till": "2026-12-31"})
    text = text_of(report.text)
    assert "Lån från Fritidsbanken 4 st fritidsbanken" in text
    assert "Unika låntagare 3 personer fritidsbanken" in text
    assert "Låntagare 0–12 år 1 personer" in text


def test_statistics_are_for_staff(world, fb_site, make_client):
    editor = make_client(fb_site)
    editor.login(world.editor.email)
    assert editor.get("/fritidsbanken/admin/statistik").status_code == 403
    anonymous = make_client(fb_site)
    assert anonymous.get("/fritidsbanken/admin/statistik.csv", follow_redirects=False).status_code == 303


def test_charts_scale_and_escape():
    svg = str(charts.bars("Kategorier", [("<Skidor>", 10), ("Bollar", 5)], "x"))
    assert "&lt;Skidor&gt;" in svg and "<Skidor>" not in svg
    widths = [float(w) for w in __import__("re").findall(r'<rect x="0" y="[\d.]+" width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1]
    # Drawn for a phone: 360 units wide, 14-unit text (tests/browser/test_charts.py measures it on screen).
    assert 'viewBox="0 0 360 ' in svg and 'font-size="14"' in svg
    empty = str(charts.columns("Tomt", [("jan 2026", 0)], "e"))
    # The column is named by its month; the full label stays in the description (and the table beside it).
    assert "Inga lån" not in empty and ">jan</text>" in empty and "jan 2026: 0" in empty
    # More months than fit as columns on a phone become bars.
    long = str(charts.columns("Två år", [(f"m{i} 2026", i) for i in range(24)], "l"))
    assert long.count('<rect x="0"') == 24
