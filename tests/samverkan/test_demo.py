"""The Möckeln demo shows the partnership: a year of assignments (matched,
declined, open, new), interests registered in the public open ones, five
consultation answers, twelve meetings, four project applications and the
last tertial's report, sent. Loading twice adds nothing. The demo editor has
an offer waiting on Erbjudna uppdrag and on Mina föreningar."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from core.demo import load_demo
from core.testing import load_test_site, text_of
from plugins.samverkan import periods
from plugins.samverkan.models import Assignment, Interest, Meeting, Offer, Project, Report, Statement

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def mockeln(database_url, tmp_path):
    site = load_test_site(REPO / "sites" / "mockeln", database_url, tmp_path / "data")
    load_demo(site, echo=lambda _: None)
    yield site
    site.dispose()


def _counts(site) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with site.session() as db:
        return {
            model.__name__: len(db.exec(select(model)).all())
            for model in (Assignment, Offer, Interest, Statement, Meeting, Project, Report)
        }


def test_the_demo_year_of_the_partnership(mockeln, make_client) -> None:
    counts = _counts(mockeln)
    assert counts["Statement"] == 5 and counts["Meeting"] == 12 and counts["Project"] == 4
    with mockeln.session() as db:
        statuses = [a.status for a in db.exec(select(Assignment)).all()]
        answers = [o.answer for o in db.exec(select(Offer)).all()]
        sent = db.exec(select(Report).where(Report.frozen != "")).all()
    assert len(statuses) >= 12 and {"done", "matched", "closed", "open", "new"} <= set(statuses)
    assert "no" in answers and "yes" in answers
    with mockeln.session() as db:
        interested = {i.association_name for i in db.exec(select(Interest)).all()}
    assert "Storfors Hembygdsförening" in interested and len(interested) >= 2, "a neighbour's and a member's"
    last = periods.last_tertial(mockeln.clock.today())
    assert [(r.start, r.end) for r in sent] == [(last.start, last.end)]

    load_demo(mockeln, echo=lambda _: None)
    assert _counts(mockeln) == counts

    visitor = make_client(mockeln)
    assert "Värdar vid Kulturnatten" in text_of(visitor.get("/samverkan/").text)
    editor = make_client(mockeln)
    editor.login("redaktor@mockeln.example", "demo-paraply-2026")
    assert "Svara" in text_of(editor.get("/samverkan/erbjudanden").text)
    assert "Erbjudna uppdrag att svara på" in text_of(editor.get("/mina-foreningar").text)
    admin = make_client(mockeln)
    admin.login("admin@mockeln.example", "demo-paraply-2026")
    page = text_of(admin.get(f"/samverkan/admin/rapport?period={last.key}").text)
    assert "Kommentarer per område" in page and "Övrig verksamhet: lokaler" in page
