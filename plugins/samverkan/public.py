"""The partnership's public pages: what the umbrella does with the
municipality, open assignments (those the requester let be shown), the
form where anyone offers an assignment, and the consultation answers."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from core.api import (
    Mail,
    flash,
    page_link,
    page_number,
    paged,
    queue_mail,
    read_form,
    received_entries,
    site_of,
    url_for,
)
from core.api import gettext as _
from plugins.samverkan import federated, limits
from plugins.samverkan.common import PER_PAGE, document_path, get_or_404
from plugins.samverkan.forms import AssignmentForm
from plugins.samverkan.models import REQUESTER_LABELS, Assignment, Statement

#: The spam guard: a field people never see (``hidden``) that robots fill in.
HONEYPOT = "webbadress"
#: How many of the neighbours' open assignments the public page shows.
NETWORK_LIMIT = 50


def open_assignments(request: Request) -> list[Assignment]:
    """The public open assignments whose last day to report interest has not passed."""
    site = site_of(request)
    with site.session() as db:
        return federated.public_open(db, site.clock.today())


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def index(request: Request) -> Response:
    site = site_of(request)
    rows, page, pages = paged(open_assignments(request), page_number(request), PER_PAGE)
    with site.session() as db:
        received = received_entries(site, db, federated.KIND, limit=NETWORK_LIMIT)
    # Each with its last day to report interest as a date (the feed sends it
    # as ISO text; None when missing or not a date, then shown as sent).
    network = [(entry, _day(entry.fields.get("deadline", ""))) for entry in received]
    return site.render(
        request,
        "samverkan/index.html",
        {
            "assignments": rows,
            "page": page,
            "pages": pages,
            "page_url": page_link(url_for(site, "samverkan:index"), {}),
            "kinds": REQUESTER_LABELS,
            "network": network,
        },
    )


def new_assignment(request: Request) -> Response:
    site = site_of(request)
    form = AssignmentForm.bind(request)
    if request.method == "POST":
        if read_form(request).get(HONEYPOT):
            # A robot: answer as if all went well, keep nothing.
            flash(request, _("Tack! Vi har tagit emot uppdraget och hör av oss."))
            return RedirectResponse(url_for(site, "samverkan:index"), status_code=303)
        valid = form.validate()
        if valid and form.deadline.data is not None and form.deadline.data < site.clock.today():
            form.deadline.errors = [_("Sista dagen att anmäla intresse har redan varit. Välj ett senare datum.")]
            valid = False
        if valid and not limits.allowed(site, request, "samverkan-assignment", form.contact_email.data or ""):
            context = {"form": form, "honeypot": HONEYPOT, "limit_error": _(limits.TOO_MANY)}
            return site.render(request, "samverkan/assignment_form.html", context, status_code=429)
        if valid:
            with site.session() as db:
                row = Assignment(
                    requester_kind=form.requester_kind.data or "kommun",
                    requester=(form.requester.data or "").strip(),
                    title=(form.title.data or "").strip(),
                    description=(form.description.data or "").strip(),
                    when_text=(form.when_text.data or "").strip(),
                    place=(form.place.data or "").strip(),
                    scope=(form.scope.data or "").strip(),
                    compensation=(form.compensation.data or "").strip(),
                    deadline=form.deadline.data,
                    social_enterprise=bool(form.social_enterprise.data),
                    show_public=bool(form.show_public.data),
                    contact_name=(form.contact_name.data or "").strip(),
                    contact_email=(form.contact_email.data or "").strip(),
                    contact_phone=(form.contact_phone.data or "").strip(),
                    created_at=site.clock.now(),
                )
                db.add(row)
                queue_mail(
                    site,
                    Mail(
                        row.contact_email,
                        f"Vi har tagit emot uppdraget: {row.title}",
                        f'Hej {row.contact_name}!\n\nTack för uppdraget "{row.title}". {site.config.site.name} '
                        "går igenom det och föreslår det för de föreningar som passar bäst. Föreningen "
                        "bestämmer alltid själv om den tar uppdraget. Vi hör av oss när något händer.\n",
                        "sv",
                    ),
                    db,
                    origin="samverkan",
                )
                staff = site.config.site.contact_email
                if staff:
                    queue_mail(
                        site,
                        Mail(staff, f"Nytt uppdrag: {row.title}", f"{row.requester}: {row.title}\n", "sv"),
                        db,
                        origin="samverkan",
                    )
                db.commit()
            flash(request, _("Tack! Vi har tagit emot uppdraget och hör av oss."))
            return RedirectResponse(url_for(site, "samverkan:index"), status_code=303)
    return site.render(
        request,
        "samverkan/assignment_form.html",
        {"form": form, "honeypot": HONEYPOT},
        status_code=400 if request.method == "POST" else 200,
    )


def statements(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        rows = list(
            db.exec(
                select(Statement).where(col(Statement.is_public).is_(True)).order_by(col(Statement.day).desc())
            ).all()
        )
    shown, page, pages = paged(rows, page_number(request), PER_PAGE)
    return site.render(
        request,
        "samverkan/statements.html",
        {
            "statements": shown,
            "page": page,
            "pages": pages,
            "page_url": page_link(url_for(site, "samverkan:statements"), {}),
        },
    )


def document(request: Request) -> Response:
    from core.api import current_user

    site = site_of(request)
    with site.session() as db:
        row = get_or_404(db, Statement, request.path_params["statement_id"])
    user = current_user(request)
    if not row.is_public and not (user and user.is_admin):
        raise HTTPException(404)
    path = document_path(site, row.document)
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, media_type="application/pdf", filename=f"remissvar-{row.id}.pdf")
