"""Uppdragsförmedling for the staff: the list of assignments, one
assignment's page (triage, suggested associations, offers and their
answers, the match and the outcome), and which associations are social
enterprises. The requester hears by e-mail when the assignment is taken
on, matched, carried out or closed."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, delete, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    Mail,
    SelectChoice,
    Site,
    flash,
    member_associations,
    page_link,
    page_number,
    paged,
    queue_mail,
    read_form,
    require_admin,
    site_of,
    url_for,
)
from core.api import gettext as _
from plugins.samverkan import interests, matching, notices
from plugins.samverkan.common import PER_PAGE, get_or_404
from plugins.samverkan.forms import OutcomeForm
from plugins.samverkan.models import (
    ANSWER_LABELS,
    FINISHED,
    INTEREST_LABELS,
    REQUESTER_LABELS,
    STATUS_LABELS,
    Assignment,
    AssignmentStatus,
    Offer,
    OfferAnswer,
    SocialEnterprise,
)

#: What the requester is told when the assignment reaches a status.
TOLD = {
    AssignmentStatus.OPEN: "Vi letar nu efter en förening som passar för uppdraget.",
    AssignmentStatus.MATCHED: "Föreningen {name} har tagit uppdraget och hör av sig till dig.",
    AssignmentStatus.DONE: "Uppdraget är genomfört. Tack för att ni anlitade föreningslivet!",
    AssignmentStatus.CLOSED: "Tyvärr hittade vi ingen förening som kunde ta uppdraget den här gången.",
    AssignmentStatus.REJECTED: "Uppdraget passar tyvärr inte för föreningsrådets förmedling.",
}


def tell_requester(site: Site, db: Session, row: Assignment) -> None:
    if not row.contact_email:
        return
    text = TOLD.get(AssignmentStatus(row.status))
    if text is None:
        return
    body = f"Hej {row.contact_name}!\n\n" + text.format(name=row.matched_name) + f"\n\n{site.config.site.name}\n"
    queue_mail(site, Mail(row.contact_email, f"Uppdraget {row.title}", body, "sv"), db, origin="samverkan")


def admin_list(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    status = request.query_params.get("status", "")
    if status not in STATUS_LABELS:
        status = ""
    with site.session() as db:
        query = select(Assignment).order_by(col(Assignment.created_at).desc())
        if status:
            query = query.where(Assignment.status == status)
        rows = list(db.exec(query).all())
        shown, page, pages = paged(rows, page_number(request), PER_PAGE)
        interest_counts = interests.counts(db, [a.id for a in shown if a.id])
    return site.render(
        request,
        "samverkan/assignments.html",
        {
            "assignments": shown,
            "page": page,
            "pages": pages,
            "page_url": page_link(url_for(site, "samverkan:assignments"), {"status": status}),
            "status": status,
            "statuses": STATUS_LABELS,
            "interest_counts": interest_counts,
        },
    )


def _page(request: Request, row_id: int, form: OutcomeForm | None = None, status_code: int = 200) -> Response:
    site = site_of(request)
    with site.session() as db:
        row = get_or_404(db, Assignment, row_id)
        offers = list(db.exec(select(Offer).where(Offer.assignment_id == row_id).order_by(col(Offer.offered_at))).all())
        suggestions = matching.suggest(site, db, row, {o.association_slug for o in offers})
        associations = member_associations(site, db)
        registered = interests.of_assignment(db, row_id)
    if form is None:
        form = OutcomeForm(
            association=row.matched_slug,
            status=row.status if row.status in ("matched", "done", "closed") else "matched",
            outcome=row.outcome,
            hours=Decimal(str(row.hours)) if row.hours else None,
            paid_kronor=row.paid_kronor or None,
        )
    yes = [o for o in offers if o.answer == OfferAnswer.YES]
    choices = [SelectChoice("", _("Ingen förening"))] + [
        SelectChoice(o.association_slug, o.association_name) for o in yes
    ]
    if row.matched_slug and not any(o.association_slug == row.matched_slug for o in yes):
        choices.append(SelectChoice(row.matched_slug, row.matched_name))
    form.association.choices = choices
    return site.render(
        request,
        "samverkan/assignment.html",
        {
            "row": row,
            "offers": offers,
            "suggestions": suggestions,
            "others": [a for a in associations if a.slug not in {o.association_slug for o in offers}],
            "interests": registered,
            "interest_labels": INTEREST_LABELS,
            "directory": associations,
            "form": form,
            "labels": ANSWER_LABELS,
            "statuses": STATUS_LABELS,
            "kinds": REQUESTER_LABELS,
            "today": site.clock.today(),
        },
        status_code=status_code,
    )


def detail(request: Request) -> Response:
    require_admin(request)
    return _page(request, request.path_params["assignment_id"])


def set_status(request: Request) -> Response:
    """Triage: take the assignment on (open), turn it away, or close it."""
    require_admin(request)
    site = site_of(request)
    wanted = str(read_form(request).get("status", ""))
    row_id = request.path_params["assignment_id"]
    with site.session() as db:
        row = get_or_404(db, Assignment, row_id)
        if wanted not in ("open", "rejected", "closed"):
            flash(request, _("Välj vad som ska hända med uppdraget."), "error")
            return RedirectResponse(url_for(site, "samverkan:assignment", assignment_id=row_id), status_code=303)
        row.status = wanted
        row.closed_at = site.clock.now() if wanted in FINISHED else None
        db.add(row)
        tell_requester(site, db, row)
        db.commit()
    flash(request, _("Uppdraget är uppdaterat."))
    return RedirectResponse(url_for(site, "samverkan:assignment", assignment_id=row_id), status_code=303)


def offer(request: Request) -> Response:
    """Offer the assignment to the chosen associations: their editors see it
    under Erbjudna uppdrag and are mailed a notice of it (issue 20), in the
    transaction that stores the offers."""
    require_admin(request)
    site = site_of(request)
    row_id = request.path_params["assignment_id"]
    chosen = [str(v) for v in read_form(request).getlist("forening")]
    with site.session() as db:
        row = get_or_404(db, Assignment, row_id)
        known = {a.slug: a.name for a in member_associations(site, db)}
        already = set(db.exec(select(Offer.association_slug).where(Offer.assignment_id == row_id)).all())
        new = [slug for slug in dict.fromkeys(chosen) if slug in known and slug not in already]
        if not new:
            flash(request, _("Kryssa i minst en förening som inte redan fått erbjudandet."), "error")
            return RedirectResponse(url_for(site, "samverkan:assignment", assignment_id=row_id), status_code=303)
        now = site.clock.now()
        for slug in new:
            made = Offer(assignment_id=row_id, association_slug=slug, association_name=known[slug], offered_at=now)
            db.add(made)
            notices.tell_editors(site, db, row, made)
        if row.status == AssignmentStatus.NEW:
            row.status = AssignmentStatus.OPEN
            db.add(row)
            tell_requester(site, db, row)
        db.commit()
    flash(request, _("Erbjudandet är skickat till %(n)s föreningar.") % {"n": len(new)})
    return RedirectResponse(url_for(site, "samverkan:assignment", assignment_id=row_id), status_code=303)


def outcome(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    row_id = request.path_params["assignment_id"]
    form = OutcomeForm.bind(request)
    with site.session() as db:
        row = get_or_404(db, Assignment, row_id)
        known = {a.slug: a.name for a in member_associations(site, db)}
        form.association.choices = [SelectChoice("", "–")] + [SelectChoice(s, n) for s, n in known.items()]
        valid = form.validate()
        slug = form.association.data or ""
        if valid and slug and slug not in known:
            form.association.errors = [_("Välj en förening i listan.")]
            valid = False
        if valid and form.status.data in ("matched", "done") and not slug:
            form.association.errors = [_("Välj vilken förening som tog uppdraget.")]
            valid = False
        if not valid:
            return _page(request, row_id, form, 400)
        before = row.status
        row.status = form.status.data or "matched"
        if slug and row.matched_slug != slug:
            row.matched_at = site.clock.now()
        row.matched_slug, row.matched_name = slug, known.get(slug, "")
        if not slug:
            row.matched_at = None
        row.outcome = (form.outcome.data or "").strip()
        row.hours = float(form.hours.data or 0)
        row.paid_kronor = form.paid_kronor.data or 0
        row.closed_at = site.clock.now() if row.status in FINISHED else None
        db.add(row)
        if row.status != before:
            tell_requester(site, db, row)
        db.commit()
    flash(request, _("Förmedlingen är sparad."))
    return RedirectResponse(url_for(site, "samverkan:assignment", assignment_id=row_id), status_code=303)


def social(request: Request) -> Response:
    """Mark which member associations are social enterprises (arbetsintegrerande)."""
    require_admin(request)
    site = site_of(request)
    with site.session() as db:
        associations = member_associations(site, db)
        if request.method == "POST":
            chosen = {str(v) for v in read_form(request).getlist("forening")}
            db.exec(delete(SocialEnterprise))
            for ref in associations:
                if ref.slug in chosen:
                    db.add(SocialEnterprise(association_slug=ref.slug, association_name=ref.name))
            db.commit()
            flash(request, _("Listan över sociala företag är sparad."))
            return RedirectResponse(url_for(site, "samverkan:social"), status_code=303)
        marked = matching.social_slugs(db)
    return site.render(request, "samverkan/social.html", {"associations": associations, "marked": marked})
