"""The follow-up report: figures from the enabled plugins for a period, as a
page and as CSV, for admins only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from plugins.webportal.models import News
from tests.conftest import text_of
from tests.webportal_fixtures import add_association


def _add_association_with_news(site, name: str, approved_at: datetime) -> None:
    """A member approved on a day, with a news item published the same day."""
    add_association(site, name, approved_at=approved_at, created_at=approved_at)
    with site.session() as db:
        db.add(News(title=f"Nytt från {name}", published_at=approved_at, search_text=""))
        db.commit()


def test_report_shows_figures_for_the_chosen_period(site, client, admin):
    _add_association_with_news(site, "Gamla Klubben", datetime(2025, 3, 1, tzinfo=UTC))
    _add_association_with_news(site, "Nya Klubben", datetime(2026, 2, 1, tzinfo=UTC))
    client.login(admin.email)
    page = client.get("/-/admin/uppfoljning?fran=2026-01-01&till=2026-12-31")
    assert page.status_code == 200
    body = text_of(page.text)
    assert "1 januari 2026 – 31 december 2026" in body
    assert "webportal" in body

    download = client.get("/-/admin/uppfoljning.csv?fran=2026-01-01&till=2026-12-31")
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["tillägg", "mått", "värde", "enhet", "från", "till"]
    assert all(r[0] == "webportal" for r in rows[1:]) and len(rows) > 1
    # The 2025 association is outside the period: the 2026 figures must differ from 2025's.
    earlier = client.get("/-/admin/uppfoljning.csv?fran=2025-01-01&till=2025-12-31").text
    assert earlier.split("\n")[1:] != download.text.split("\n")[1:]


def test_report_explains_a_bad_date(site, client, admin):
    client.login(admin.email)
    page = client.get("/-/admin/uppfoljning?fran=31/12/2026")
    assert page.status_code == 400
    assert "ÅÅÅÅ-MM-DD" in text_of(page.text)


def test_report_is_for_admins_only(site, client, editor):
    assert client.get("/-/admin/uppfoljning", follow_redirects=False).status_code == 303
    client.login(editor.email)
    assert client.get("/-/admin/uppfoljning").status_code == 403
    assert client.get("/-/admin/uppfoljning.csv").status_code == 403
