"""The staff's records of the partnership: consultation answers
(röstbärare), meetings with their follow-up actions, and joint project
applications (projektstöd). One list page each, and one form for new and
edited rows."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    SelectChoice,
    bookable_places,
    flash,
    page_link,
    page_number,
    paged,
    read_form,
    render_markdown,
    require_admin,
    site_of,
    url_for,
)
from core.api import gettext as _
from plugins.samverkan.common import PER_PAGE, DocumentError, get_or_404, lines, store_pdf
from plugins.samverkan.forms import ActionForm, MeetingForm, ProjectForm, StatementForm
from plugins.samverkan.models import MEETING_LABELS, PROJECT_LABELS, Action, Meeting, Project, Statement


def _listing(request: Request, template: str, route: str, rows: list[Any], extra: dict[str, Any]) -> Response:
    site = site_of(request)
    shown, page, pages = paged(rows, page_number(request), PER_PAGE)
    return site.render(
        request,
        template,
        {"rows": shown, "page": page, "pages": pages, "page_url": page_link(url_for(site, route), {}), **extra},
    )


# -- consultation answers (röstbärare) ---------------------------------------------------------------


def statements_admin(request: Request) -> Response:
    require_admin(request)
    with site_of(request).session() as db:
        rows = list(db.exec(select(Statement).order_by(col(Statement.day).desc())).all())
    return _listing(request, "samverkan/statements_admin.html", "samverkan:statements_admin", rows, {})


def statement_edit(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    row_id: int | None = request.path_params.get("statement_id")
    with site.session() as db:
        row = get_or_404(db, Statement, row_id) if row_id else None
        form = StatementForm.bind(request, obj=row)
        if request.method == "POST" and form.validate():
            upload = read_form(request).get("document")
            name = row.document if row else ""
            if isinstance(upload, UploadFile) and upload.filename:
                try:
                    name = store_pdf(site, upload)
                except DocumentError as error:
                    form.document.errors = [str(error)]
            if not form.document.errors:
                row = row or Statement(topic="", recipient="", day=form.day.data or site.clock.today())
                row.topic = (form.topic.data or "").strip()
                row.recipient = (form.recipient.data or "").strip()
                row.day = form.day.data or row.day
                row.associations = "\n".join(lines(form.associations.data or ""))
                row.summary = (form.summary.data or "").strip()
                row.outcome = (form.outcome.data or "").strip()
                row.is_public = bool(form.is_public.data)
                row.document = name
                db.add(row)
                db.commit()
                flash(request, _("Remissvaret är sparat."))
                return RedirectResponse(url_for(site, "samverkan:statements_admin"), status_code=303)
        return site.render(
            request,
            "samverkan/statement_form.html",
            {"form": form, "row": row},
            status_code=400 if request.method == "POST" else 200,
        )


# -- meetings and follow-up actions -------------------------------------------------------------------


def meetings_admin(request: Request) -> Response:
    require_admin(request)
    with site_of(request).session() as db:
        rows = list(db.exec(select(Meeting).order_by(col(Meeting.day).desc())).all())
        open_actions = list(db.exec(select(Action).where(col(Action.done).is_(False)).order_by(col(Action.due))).all())
    return _listing(
        request,
        "samverkan/meetings.html",
        "samverkan:meetings",
        rows,
        {"kinds": MEETING_LABELS, "open_actions": open_actions},
    )


def meeting_page(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    with site.session() as db:
        row = get_or_404(db, Meeting, request.path_params["meeting_id"])
        actions = list(db.exec(select(Action).where(Action.meeting_id == row.id).order_by(col(Action.id))).all())
    return site.render(
        request,
        "samverkan/meeting.html",
        {
            "row": row,
            "actions": actions,
            "kinds": MEETING_LABELS,
            "minutes": render_markdown(row.minutes),
            "form": ActionForm(),
        },
    )


def meeting_edit(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    row_id: int | None = request.path_params.get("meeting_id")
    with site.session() as db:
        row = get_or_404(db, Meeting, row_id) if row_id else None
        form = MeetingForm.bind(request, obj=row)
        places = bookable_places(site, db)
        form.room.choices = [SelectChoice("", _("Inget av husets rum"))] + [
            SelectChoice(p.name, p.name) for p in places
        ]
        if request.method == "GET" and row and any(p.name == row.place for p in places):
            form.room.data, form.place.data = row.place, ""
        if request.method == "POST" and form.validate():
            place = (form.room.data or "").strip() if any(p.name == form.room.data for p in places) else ""
            row = row or Meeting(title="", day=form.day.data or site.clock.today())
            row.title = (form.title.data or "").strip()
            row.kind = form.kind.data or "natverk"
            row.day = form.day.data or row.day
            row.place = place or (form.place.data or "").strip()
            row.agenda = (form.agenda.data or "").strip()
            row.minutes = (form.minutes.data or "").strip()
            row.civil_society = form.civil_society.data or 0
            row.municipality = form.municipality.data or 0
            row.region = form.region.data or 0
            row.business = form.business.data or 0
            row.associations = "\n".join(lines(form.associations.data or ""))
            db.add(row)
            db.commit()
            flash(request, _("Mötet är sparat."))
            return RedirectResponse(url_for(site, "samverkan:meeting", meeting_id=row.id), status_code=303)
        return site.render(
            request,
            "samverkan/meeting_form.html",
            {"form": form, "row": row},
            status_code=400 if request.method == "POST" else 200,
        )


def add_action(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    meeting_id = request.path_params["meeting_id"]
    form = ActionForm.bind(request)
    with site.session() as db:
        row = get_or_404(db, Meeting, meeting_id)
        if not form.validate():
            actions = list(db.exec(select(Action).where(Action.meeting_id == meeting_id)).all())
            return site.render(
                request,
                "samverkan/meeting.html",
                {
                    "row": row,
                    "actions": actions,
                    "kinds": MEETING_LABELS,
                    "minutes": render_markdown(row.minutes),
                    "form": form,
                },
                status_code=400,
            )
        db.add(
            Action(
                meeting_id=meeting_id,
                what=(form.what.data or "").strip(),
                owner=(form.owner.data or "").strip(),
                due=form.due.data,
            )
        )
        db.commit()
    flash(request, _("Åtgärden är tillagd."))
    return RedirectResponse(url_for(site, "samverkan:meeting", meeting_id=meeting_id), status_code=303)


def action_done(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    with site.session() as db:
        action = get_or_404(db, Action, request.path_params["action_id"])
        action.done = not action.done
        db.add(action)
        db.commit()
        meeting_id = action.meeting_id
    flash(request, _("Åtgärden är uppdaterad."))
    return RedirectResponse(url_for(site, "samverkan:meeting", meeting_id=meeting_id), status_code=303)


# -- joint project applications (projektstöd) --------------------------------------------------------


def projects_admin(request: Request) -> Response:
    require_admin(request)
    with site_of(request).session() as db:
        rows = list(db.exec(select(Project).order_by(col(Project.id).desc())).all())
    return _listing(request, "samverkan/projects.html", "samverkan:projects", rows, {"statuses": PROJECT_LABELS})


def project_edit(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    row_id: int | None = request.path_params.get("project_id")
    with site.session() as db:
        row = get_or_404(db, Project, row_id) if row_id else None
        form = ProjectForm.bind(request, obj=row)
        if request.method == "POST" and form.validate():
            row = row or Project(title="", lead="", funder="")
            row.title = (form.title.data or "").strip()
            row.lead = (form.lead.data or "").strip()
            row.partners = "\n".join(lines(form.partners.data or ""))
            row.funder = (form.funder.data or "").strip()
            row.applied_kronor = form.applied_kronor.data or 0
            row.granted_kronor = form.granted_kronor.data or 0
            row.status = form.status.data or "idea"
            row.submitted, row.starts, row.ends = form.submitted.data, form.starts.data, form.ends.data
            row.notes = (form.notes.data or "").strip()
            db.add(row)
            db.commit()
            flash(request, _("Projektet är sparat."))
            return RedirectResponse(url_for(site, "samverkan:projects"), status_code=303)
        return site.render(
            request,
            "samverkan/project_form.html",
            {"form": form, "row": row},
            status_code=400 if request.method == "POST" else 200,
        )
