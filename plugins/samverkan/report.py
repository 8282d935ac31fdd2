"""The follow-up report as one document: the period and the one before,
the contract's three areas with staff's comment each, and every other
plugin's figures (``report_figures``), each figure with its previous value.
The document is plain data (JSON-serialisable), so a sent report is kept
frozen exactly as it was, and the page, the PDF, the CSV and the XLSX
workbook are all drawn from the same document."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlmodel import Session

from core.api import Figure, Site, report_figures
from core.api import gettext as _
from plugins.samverkan import figures
from plugins.samverkan.common import settings_of
from plugins.samverkan.models import Report
from plugins.samverkan.periods import Period

OTHER = "other"

#: The figures' labels and units are msgids marked where they are made
#: (figures.py, other plugins); translated here by value.
translate = _


def _rows(now: list[Figure], before: list[Figure]) -> list[dict[str, Any]]:
    previous = {(f.plugin, f.label): f.value for f in before}
    return [
        {"label": f.label, "value": f.value, "unit": f.unit, "previous": previous.get((f.plugin, f.label), 0)}
        for f in now
    ]


def build(site: Site, db: Session, period: Period, comments: Report | None) -> dict[str, Any]:
    prev = period.previous()
    own_now, own_before = figures.own(db, period.start, period.end), figures.own(db, prev.start, prev.end)
    text = {
        figures.VOICE: comments.comment_voice if comments else "",
        figures.COORDINATION: comments.comment_coordination if comments else "",
        figures.PROJECTS: comments.comment_projects if comments else "",
    }
    sections = [
        {
            "key": key,
            "heading": heading,
            "comment": text[key],
            "rows": _rows([f for f in own_now if f.plugin == key], [f for f in own_before if f.plugin == key]),
        }
        for key, heading in figures.AREAS.items()
    ]
    skip = (figures.PLUGIN,)
    others_now = report_figures(site, db, period.start, period.end, skip=skip)
    others_before = report_figures(site, db, prev.start, prev.end, skip=skip)
    for plugin in dict.fromkeys(f.plugin for f in others_now):
        sections.append(
            {
                "key": f"{OTHER}:{plugin}",
                "heading": plugin,
                "comment": "",
                "rows": _rows(
                    [f for f in others_now if f.plugin == plugin], [f for f in others_before if f.plugin == plugin]
                ),
            }
        )
    return {
        "site": site.config.site.name,
        "partner": settings_of(site).partner,
        "period": {"key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "previous": {"key": prev.key, "start": prev.start.isoformat(), "end": prev.end.isoformat()},
        "sections": sections,
        "made": site.clock.today().isoformat(),
    }


def period_of(document: dict[str, Any], which: str = "period") -> Period:
    part = document[which]
    return Period(date.fromisoformat(part["start"]), date.fromisoformat(part["end"]), part["key"])


def heading_of(section: dict[str, Any]) -> str:
    """A section's heading in the reader's language: the areas' are msgids,
    other plugins' sections are named by the plugin."""
    key = str(section["key"])
    if key.startswith(OTHER + ":"):
        return _("Övrig verksamhet: %(plugin)s") % {"plugin": section["heading"]}
    return translate(str(section["heading"]))


def number(value: float | int) -> str:
    """A figure as a Swedish reader writes it: 1 234,5."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",")
    return f"{int(value):,}".replace(",", "\u00a0")


def bar_widths(row: dict[str, Any], width: int = 120) -> tuple[float, float]:
    """Bar lengths of a figure and its previous value, for the small SVG chart."""
    top = max(float(row["value"]), float(row["previous"])) or 1.0
    return width * float(row["value"]) / top, width * float(row["previous"]) / top


def to_csv(document: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")  # Swedish Excel opens ';' files directly
    now, before = period_of(document), period_of(document, "previous")
    writer.writerow([_("område"), _("mått"), now.label, before.label, _("enhet")])
    for section in document["sections"]:
        for row in section["rows"]:
            writer.writerow(
                [
                    heading_of(section),
                    translate(row["label"]),
                    str(row["value"]).replace(".", ","),
                    str(row["previous"]).replace(".", ","),
                    translate(row["unit"]),
                ]
            )
    return "\ufeff" + buf.getvalue()


def to_xlsx(document: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    now, before = period_of(document), period_of(document, "previous")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Uppföljning")[:31]
    sheet.append([_("Uppföljning av partnerskapet"), document["site"]])
    sheet.append([_("Period"), now.label, f"{now.start.isoformat()} – {now.end.isoformat()}"])
    sheet.append([])
    sheet.append([_("Område"), _("Mått"), now.label, before.label, _("Enhet")])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=14)
    for section in document["sections"]:
        for row in section["rows"]:
            sheet.append(
                [heading_of(section), translate(row["label"]), row["value"], row["previous"], translate(row["unit"])]
            )
    comments = book.create_sheet(_("Kommentarer")[:31])
    comments.append([_("Område"), _("Kommentar")])
    for section in document["sections"]:
        if section["comment"]:
            comments.append([heading_of(section), section["comment"]])
    for column, width in (("A", 42), ("B", 52), ("C", 16), ("D", 16), ("E", 12)):
        sheet.column_dimensions[column].width = width
    comments.column_dimensions["A"].width = 42
    comments.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(html: str, base_url: str) -> bytes:
    """The printable report (templates/samverkan/report.html, printing) as PDF.
    WeasyPrint lays it out from HTML and CSS alone: it is given the page's
    HTML as a string and fetches nothing (a url_fetcher that refuses)."""
    from pathlib import Path

    from weasyprint import CSS, HTML

    def no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"the report fetches nothing: {url}")

    css = CSS(string=(Path(__file__).parent / "templates" / "samverkan" / "report_print.css").read_text("utf-8"))
    pdf: bytes = HTML(string=html, base_url=base_url, url_fetcher=no_fetch).write_pdf(stylesheets=[css])
    return pdf
