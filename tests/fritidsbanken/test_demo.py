"""The demo: about 200 items across categories and sizes, 50 borrowers, a
year of loans with the seasons in it; loading twice changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from core.demo import load_demo
from plugins.fritidsbanken import stats
from plugins.fritidsbanken.models import Borrower, Branch, Item, Loan, Staff
from tests.conftest import DEFAULT_WEBPORTAL, text_of


def _counts(site) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    with site.session() as db:
        return tuple(  # type: ignore[return-value]
            db.exec(select(func.count()).select_from(model)).one() for model in (Branch, Item, Borrower, Loan)
        )


def test_demo_data_is_a_year_of_lending_and_idempotent(make_site, make_client):
    site = make_site(
        plugins=["webportal", "fritidsbanken"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "fritidsbanken": 'sender = "log"'},
    )
    load_demo(site, echo=lambda _: None)
    branches, items, people, loans = _counts(site)
    assert branches == 2 and 190 <= items <= 220 and people == 50 and loans > 500
    load_demo(site, echo=lambda _: None)
    assert _counts(site) == (branches, items, people, loans)

    today = site.clock.today()
    with site.session() as db:
        year = stats.compute(db, site, today - timedelta(days=364), today)
        categories = db.exec(select(func.count(func.distinct(Item.category)))).one()
        assert db.exec(select(Staff)).first() is not None  # the demo editor works at a counter
    assert categories >= 8
    assert len([n for _, n in year.per_month if n]) >= 11  # loans all year round
    assert year.unique_borrowers > 30 and {g for g, _ in year.borrowers_per_age_group} >= {"0–12 år", "13–17 år"}
    # Winter brings skis, summer brings bikes.
    by_category = dict(year.per_category)
    assert by_category.get("Skidor", 0) > 0 and by_category.get("Cyklar", 0) > 0

    page = text_of(make_client(site).get("/fritidsbanken/", params={"kategori": "Skridskor"}).text)
    assert "Hockeyskridskor" in page


def newest_on_front_page(client) -> list[str]:  # type: ignore[no-untyped-def]
    html = client.get("/").text
    block = html.split('class="fb-newest"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="/fritidsbanken/artiklar/(\w+)"', block)


def test_each_demo_site_has_its_own_newest_items(make_site, make_client, tmp_path):
    """Storfors' "Nytt hos Fritidsbanken" showed the same four items as
    Möckeln's: the demo stock was drawn with one seed for every site."""
    settings = {"webportal": DEFAULT_WEBPORTAL, "fritidsbanken": 'sender = "log"'}
    plugins = ["webportal", "fritidsbanken"]
    mockeln = make_site(slug="mockeln", plugins=plugins, plugin_settings=settings)
    storfors = make_site(slug="storfors", plugins=plugins, plugin_settings=settings, url=f"sqlite:///{tmp_path}/s.db")
    for site in (mockeln, storfors):
        load_demo(site, echo=lambda _: None)
    first, second = newest_on_front_page(make_client(mockeln)), newest_on_front_page(make_client(storfors))
    assert len(first) == len(second) == 4
    assert first != second, f"both sites show the same newest items: {first}"
