"""The follow-up report's pages: the report of a period (tertial, whole
year or custom) with staff's comments, its exports (PDF, CSV, XLSX), and
the sent reports, each a frozen copy that later edits do not change."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import Site, flash, read_form, require_admin, site_of, url_for
from core.api import gettext as _
from plugins.samverkan import periods, report
from plugins.samverkan.common import get_or_404
from plugins.samverkan.forms import CommentForm
from plugins.samverkan.models import Report
from plugins.samverkan.periods import Period


def _period(request: Request, site: Site) -> tuple[Period, str | None]:
    q = request.query_params
    return periods.parse(q.get("period", ""), q.get("fran", ""), q.get("till", ""), site.clock.today())


def _comments(db: Session, period: Period) -> Report | None:
    return db.exec(
        select(Report)
        .where(Report.start == period.start, Report.end == period.end, col(Report.sent_at).is_(None))
        .order_by(col(Report.id).desc())
    ).first()


def _query(period: Period) -> str:
    return f"period={period.key}" if period.key else f"fran={period.start.isoformat()}&till={period.end.isoformat()}"


def _context(site: Site, document: dict[str, Any]) -> dict[str, Any]:
    return {
        "doc": document,
        "period": report.period_of(document),
        "previous": report.period_of(document, "previous"),
        "heading_of": report.heading_of,
        "number": report.number,
        "bars": report.bar_widths,
    }


def report_page(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    period, error = _period(request, site)
    with site.session() as db:
        comments = _comments(db, period)
        document = report.build(site, db, period, comments)
        sent = list(
            db.exec(select(Report).where(col(Report.sent_at).is_not(None)).order_by(col(Report.sent_at).desc())).all()
        )
    form = CommentForm(obj=comments)
    return site.render(
        request,
        "samverkan/report.html",
        {
            **_context(site, document),
            "error": error,
            "choices": periods.choices(site.clock.today()),
            "query": _query(period),
            "form": form,
            "sent": sent,
            "frozen": None,
        },
        status_code=400 if error else 200,
    )


def save_comments(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    period, error = _period(request, site)
    form = CommentForm.bind(request)
    if error or not form.validate():
        flash(request, error or _("Kommentarerna är för långa: högst 4 000 tecken per område."), "error")
        return RedirectResponse(url_for(site, "samverkan:report") + "?" + _query(period), status_code=303)
    with site.session() as db:
        row = _comments(db, period) or Report(start=period.start, end=period.end)
        row.comment_voice = (form.comment_voice.data or "").strip()
        row.comment_coordination = (form.comment_coordination.data or "").strip()
        row.comment_projects = (form.comment_projects.data or "").strip()
        db.add(row)
        db.commit()
    flash(request, _("Kommentarerna är sparade."))
    return RedirectResponse(url_for(site, "samverkan:report") + "?" + _query(period), status_code=303)


def send(request: Request) -> Response:
    """Freeze the report as it is now: a copy kept as it was sent."""
    require_admin(request)
    site = site_of(request)
    period, error = _period(request, site)
    read_form(request)
    if error:
        flash(request, error, "error")
        return RedirectResponse(url_for(site, "samverkan:report"), status_code=303)
    with site.session() as db:
        comments = _comments(db, period)
        document = report.build(site, db, period, comments)
        frozen = Report(
            start=period.start,
            end=period.end,
            comment_voice=comments.comment_voice if comments else "",
            comment_coordination=comments.comment_coordination if comments else "",
            comment_projects=comments.comment_projects if comments else "",
            frozen=json.dumps(document, ensure_ascii=False),
            sent_at=site.clock.now(),
        )
        db.add(frozen)
        db.commit()
        frozen_id = frozen.id
    flash(request, _("Rapporten är låst som skickad. Den sparade kopian ändras inte när uppgifterna ändras."))
    return RedirectResponse(url_for(site, "samverkan:sent", report_id=frozen_id), status_code=303)


def _frozen(request: Request) -> tuple[Report, dict[str, Any]]:
    site = site_of(request)
    with site.session() as db:
        row = get_or_404(db, Report, request.path_params["report_id"])
    if not row.frozen:
        from starlette.exceptions import HTTPException

        raise HTTPException(404)
    return row, json.loads(row.frozen)


def sent_page(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    row, document = _frozen(request)
    return site.render(request, "samverkan/report.html", {**_context(site, document), "frozen": row})


def _document(request: Request) -> tuple[dict[str, Any], str]:
    """The document an export draws: a sent report's frozen copy, or the
    period asked for, computed now; and the file name's stem."""
    site = site_of(request)
    if "report_id" in request.path_params:
        row, document = _frozen(request)
        return document, f"uppfoljning-{site.slug}-{row.start}-{row.end}-skickad-{row.id}"
    period, _error = _period(request, site)
    with site.session() as db:
        document = report.build(site, db, period, _comments(db, period))
    return document, f"uppfoljning-{site.slug}-{period.start}-{period.end}"


def _attachment(body: str | bytes, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{filename}"'})


def export_csv(request: Request) -> Response:
    require_admin(request)
    document, stem = _document(request)
    return _attachment(report.to_csv(document), "text/csv; charset=utf-8", stem + ".csv")


def export_xlsx(request: Request) -> Response:
    require_admin(request)
    document, stem = _document(request)
    return _attachment(
        report.to_xlsx(document), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", stem + ".xlsx"
    )


def export_pdf(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    document, stem = _document(request)
    # The page's own template, laid out for print (printing=True): the PDF
    # shows exactly the page's sections and figures.
    page = site.render(request, "samverkan/report.html", {**_context(site, document), "frozen": None, "printing": True})
    html = bytes(page.body).decode("utf-8")
    return _attachment(report.to_pdf(html, site.absolute_url("/")), "application/pdf", stem + ".pdf")
