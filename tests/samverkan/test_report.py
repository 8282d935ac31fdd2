"""The follow-up report: periods as the IOP sets them, figures under the
contract's three areas with the previous period beside each and other
plugins' figures after them, comments per area, the exports (the PDF's text
read back and compared with the page, the CSV, the XLSX workbook) and the
frozen copy of a sent report. Also the records that feed it: meetings (in a
room of the house), consultation answers with a checked PDF, projects."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from pypdf import PdfReader
from sqlmodel import select

from core.testing import text_of
from plugins.samverkan import periods
from plugins.samverkan.models import Meeting, Project, Statement
from tests.samverkan.conftest import ADMIN, EDITOR

# A real (tiny) PDF, made once by WeasyPrint in the first test that needs one.
_PDF: list[bytes] = []


def a_pdf() -> bytes:
    if not _PDF:
        from weasyprint import HTML

        _PDF.append(HTML(string="<p>Remissvar</p>").write_pdf())
    return _PDF[0]


def _meeting(client, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "title": "Nätverksträff om folkhälsa",
        "kind": "natverk",
        "day": "2026-06-10",
        "room": "",
        "place": "Folkets hus",
        "civil_society": "20",
        "municipality": "3",
        "region": "2",
        "business": "0",
        "associations": "PRO Karlskoga\nDegerfors IF Ungdom\n",
    }
    data.update(overrides)
    return client.submit("/samverkan/admin/moten/ny", data)


def test_periods_are_tertials_years_or_custom_with_the_one_before() -> None:
    t2 = periods.tertial(2026, 2)
    assert (t2.start, t2.end, t2.label) == (date(2026, 5, 1), date(2026, 8, 31), "Tertial 2 2026")
    assert periods.tertial(2026, 1).previous() == periods.tertial(2025, 3)
    assert periods.whole_year(2026).previous() == periods.whole_year(2025)
    assert periods.last_tertial(date(2026, 10, 14)) == t2
    custom, error = periods.parse("", "2026-03-01", "2026-03-31", date(2026, 10, 14))
    assert error is None and custom.previous() == periods.Period(date(2026, 1, 29), date(2026, 2, 28))  # 31 days too
    _fallback, error = periods.parse("", "2026-05-01", "2026-04-01", date(2026, 10, 14))
    assert error == "Perioden slutar innan den börjar. Byt plats på datumen eller rätta dem."


def test_a_period_that_ends_before_it_starts_is_explained(sam_site, as_user) -> None:
    admin = as_user(sam_site, ADMIN)
    page = admin.get("/samverkan/admin/rapport?fran=2026-05-01&till=2026-04-01")
    assert page.status_code == 400
    assert "Perioden slutar innan den börjar" in text_of(page.text)
    assert 'value="2026-05-01"' in page.text  # what was typed is kept
    assert admin.get("/samverkan/admin/rapport?period=nonsens").status_code == 400


def test_report_shows_figures_with_the_previous_period_and_exports_agree(sam_site, as_user) -> None:
    admin = as_user(sam_site, ADMIN)
    assert _meeting(admin).status_code == 303
    assert (
        _meeting(
            admin, title="Samverkansgruppen", kind="samverkansgrupp", day="2026-02-02", civil_society="4"
        ).status_code
        == 303
    )
    project = {
        "title": "Föreningslivet möter nyanlända",
        "lead": "PRO Karlskoga",
        "partners": "Degerfors IF Ungdom",
        "funder": "Allmänna arvsfonden",
        "applied_kronor": "1800000",
        "granted_kronor": "1650000",
        "status": "granted",
        "submitted": "2026-06-01",
        "starts": "2026-07-01",
        "ends": "2028-06-30",
        "notes": "",
    }
    assert admin.submit("/samverkan/admin/projekt/ny", project).status_code == 303
    bad = admin.submit("/samverkan/admin/projekt/ny", project | {"title": "Baklänges", "ends": "2026-01-01"})
    assert bad.status_code == 400 and "Projektslutet ligger före starten" in text_of(bad.text)
    assert 'value="Baklänges"' in bad.text

    page = admin.get("/samverkan/admin/rapport?period=2026-T2")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Uppföljning av IOP: Tertial 2 2026" in text
    assert "Röstbärarroll" in text and "Samordningsstöd och uppdragsförmedling" in text and "Projektstöd" in text
    # The meeting of June: 1 network meeting now, 0 in tertial 1; 25 participants.
    assert re.search(r"Nätverksträffar 1 st 0 st", text), text
    assert re.search(r"Deltagare på möten 25 personer 9 personer", text), text
    assert re.search(r"Beviljat belopp 1 650 000 kr 0 kr", text), text
    # Other plugins' figures (lokaler's) follow under their own heading.
    assert "Övrig verksamhet: lokaler" in text
    assert page.text.count('class="samverkan-chart"') >= 20

    pdf = admin.get("/samverkan/admin/rapport/uppfoljning.pdf?period=2026-T2")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = re.sub(r"\s+", " ", pdf_text.replace("\u00a0", " "))
    assert "Tertial 2 2026" in flat and "Karlskoga kommun" in flat
    for line in (
        "Nätverksträffar 1 st 0 st",
        "Deltagare på möten 25 personer 9 personer",
        "Beviljat belopp 1 650 000 kr 0 kr",
    ):
        assert line in flat, (line, flat[:2000])

    rows = list(
        csv.reader(
            io.StringIO(admin.get("/samverkan/admin/rapport/uppfoljning.csv?period=2026-T2").text.lstrip("\ufeff")),
            delimiter=";",
        )
    )
    assert rows[0] == ["område", "mått", "Tertial 2 2026", "Tertial 1 2026", "enhet"]
    assert ["Projektstöd", "Beviljat belopp", "1650000", "0", "kr"] in rows

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(admin.get("/samverkan/admin/rapport/uppfoljning.xlsx?period=2026-T2").content))
    values = [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert ("Röstbärarroll", "Deltagare på möten", 25, 9, "personer") in values


def test_a_sent_report_is_frozen_against_later_edits(sam_site, as_user) -> None:
    admin = as_user(sam_site, ADMIN)
    _meeting(admin)
    saved = admin.submit(
        "/samverkan/admin/rapport/kommentarer?period=2026-T2",
        {"comment_voice": "Fler föreningar deltog.", "comment_coordination": "", "comment_projects": ""},
    )
    assert saved.status_code == 303
    assert "Fler föreningar deltog." in admin.get("/samverkan/admin/rapport?period=2026-T2").text
    sent = admin.submit("/samverkan/admin/rapport/skicka?period=2026-T2", {})
    assert sent.status_code == 303
    frozen_url = sent.headers["location"]
    with sam_site.session() as db:
        db.add(Meeting(title="Efteråt", kind="natverk", day=date(2026, 6, 20), civil_society=100))
        db.commit()
    live = text_of(admin.get("/samverkan/admin/rapport?period=2026-T2").text)
    frozen = text_of(admin.get(frozen_url).text)
    assert "Nätverksträffar 2 st" in live
    assert "Nätverksträffar 1 st" in frozen and "låst kopia" in frozen and "Fler föreningar deltog." in frozen
    pdf = admin.get(frozen_url + "/uppfoljning.pdf")
    flat = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "Nätverksträffar 1 st" in flat.replace("\u00a0", " ")


def test_a_meeting_may_be_held_in_a_room_of_the_house_and_has_actions(sam_site, as_user) -> None:
    from tests.lokaler.conftest import add_rooms

    add_rooms(sam_site)
    admin = as_user(sam_site, ADMIN)
    form = admin.get("/samverkan/admin/moten/ny").text
    assert "Mötesrum Ekan, Föreningarnas hus" in form
    made = _meeting(admin, room="Mötesrum Ekan, Föreningarnas hus", place="")
    assert made.status_code == 303
    page = admin.get(made.headers["location"])
    assert "Mötesrum Ekan, Föreningarnas hus" in text_of(page.text)
    meeting_id = made.headers["location"].rstrip("/").split("/")[-1]
    bad = admin.submit(f"/samverkan/admin/moten/{meeting_id}/atgard", {"what": "", "owner": "Kansliet", "due": ""})
    assert bad.status_code == 400 and "Skriv vad som ska göras." in text_of(bad.text)
    ok = admin.submit(
        f"/samverkan/admin/moten/{meeting_id}/atgard",
        {"what": "Skicka anteckningarna", "owner": "Kansliet", "due": "2026-06-17"},
    )
    assert ok.status_code == 303
    assert "Skicka anteckningarna – Kansliet" in text_of(admin.get("/samverkan/admin/moten").text)


def test_a_consultation_answer_takes_only_a_real_pdf(sam_site, as_user) -> None:
    admin = as_user(sam_site, ADMIN)
    data = {
        "topic": "Remiss: Kultur- och fritidsplan",
        "recipient": "Kommunstyrelsen",
        "day": "2026-09-01",
        "associations": "PRO Karlskoga\nKarlskoga Hembygdsförening",
        "summary": "Bidrag som följer hyrorna.",
        "outcome": "",
        "is_public": "y",
    }
    fake = admin.post(
        "/samverkan/admin/remissvar/ny",
        data=data | {"csrftoken": admin.csrf()},
        files={"document": ("remiss.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert fake.status_code == 400 and "Filen är inte en PDF" in text_of(fake.text)
    assert 'value="Remiss: Kultur- och fritidsplan"' in fake.text
    real = admin.post(
        "/samverkan/admin/remissvar/ny",
        data=data | {"csrftoken": admin.csrf()},
        files={"document": ("remiss.pdf", a_pdf(), "application/pdf")},
        follow_redirects=False,
    )
    assert real.status_code == 303
    with sam_site.session() as db:
        row = db.exec(select(Statement)).one()
    public = as_user(sam_site, None)
    listing = text_of(public.get("/samverkan/remissvar").text)
    assert "Remiss: Kultur- och fritidsplan" in listing and "PRO Karlskoga, Karlskoga Hembygdsförening" in listing
    document = public.get(f"/samverkan/remissvar/{row.id}/dokument.pdf")
    assert document.status_code == 200 and document.content == a_pdf()


def test_staff_pages_are_for_admins_and_offers_for_editors(sam_site, as_user) -> None:
    editor = as_user(sam_site, EDITOR)
    for path in ("/samverkan/admin/uppdrag", "/samverkan/admin/rapport", "/samverkan/admin/rapport/uppfoljning.pdf"):
        assert editor.get(path).status_code == 403, path
    assert as_user(sam_site, None).get("/samverkan/erbjudanden", follow_redirects=False).status_code in (302, 303)
    with sam_site.session() as db:
        assert db.exec(select(Project)).first() is None
