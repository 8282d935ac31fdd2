"""Anmäl intresse: an association reports interest in a public open
assignment, on a form anyone may use (a member association here, or a
neighbour umbrella's that followed the federated copy home). The person who
wrote gets a receipt, the office a notice; staff read the interests on the
assignment's page and turn one from a directory association into an offer
answered yes (so it can be recorded as the match the usual way), or decline it.

The contact person is personal data kept to broker the assignment: erased
by the daily job (``personal.erase_old_interests``)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, func, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    Mail,
    Site,
    current_user,
    editable_associations,
    flash,
    member_associations,
    queue_mail,
    read_form,
    require_admin,
    site_of,
    url_for,
)
from core.api import gettext as _
from plugins.samverkan import limits
from plugins.samverkan.common import get_or_404, settings_of
from plugins.samverkan.forms import InterestForm
from plugins.samverkan.models import (
    Assignment,
    AssignmentStatus,
    Interest,
    InterestStatus,
    Offer,
    OfferAnswer,
    offered_as_open,
)
from plugins.samverkan.public import HONEYPOT


def counts(db: Session, ids: list[int]) -> dict[int, int]:
    """How many interests each of the assignments ``ids`` has."""
    if not ids:
        return {}
    rows = db.exec(
        select(Interest.assignment_id, func.count())
        .where(col(Interest.assignment_id).in_(ids))
        .group_by(col(Interest.assignment_id))
    ).all()
    return {assignment_id: n for assignment_id, n in rows}


def of_assignment(db: Session, assignment_id: int) -> list[Interest]:
    query = select(Interest).where(Interest.assignment_id == assignment_id).order_by(col(Interest.created_at))
    return list(db.exec(query).all())


def _public(db: Session, row_id: int) -> Assignment:
    """The assignment if it is or was shown publicly; others are not found."""
    row = get_or_404(db, Assignment, row_id)
    if not row.show_public or row.status in (AssignmentStatus.NEW, AssignmentStatus.REJECTED):
        raise HTTPException(404)
    return row


def refusal(row: Assignment, today: date) -> str:
    """Why interest can no longer be reported, or ``""`` if it can."""
    if offered_as_open(row, today):
        return ""
    if row.status == AssignmentStatus.OPEN and row.deadline is not None:
        return _(
            "Sista dagen att anmäla intresse för uppdraget var %(day)s. Det går inte längre att anmäla intresse."
        ) % {"day": row.deadline.isoformat()}
    return _("Uppdraget söker inte längre någon förening, så det går inte att anmäla intresse.")


def _prefilled(request: Request, site: Site) -> InterestForm:
    """A signed-in editor gets their name, e-mail and association filled in."""
    user = current_user(request)
    if user is None:
        return InterestForm()
    with site.session() as db:
        mine = editable_associations(site, db, user)
    return InterestForm(
        association_name=mine[0].name if len(mine) == 1 else "",
        contact_name=user.name,
        contact_email=user.email,
    )


def register(request: Request) -> Response:
    site = site_of(request)
    row_id = request.path_params["assignment_id"]
    with site.session() as db:
        row = _public(db, row_id)
    why_not = refusal(row, site.clock.today())
    form = InterestForm.bind(request) if request.method == "POST" else _prefilled(request, site)
    context = {
        "row": row,
        "form": form,
        "honeypot": HONEYPOT,
        "refused": why_not,
        "retention_days": settings_of(site).interest_retention_days,
    }
    if why_not:
        return site.render(request, "samverkan/interest_form.html", context, status_code=410)
    if request.method == "POST":
        thanks = url_for(site, "samverkan:interest_thanks", assignment_id=row_id)
        if read_form(request).get(HONEYPOT):
            return RedirectResponse(thanks, status_code=303)  # a robot: as if all went well, keep nothing
        if form.validate():
            if not limits.allowed(site, request, "samverkan-interest", form.contact_email.data or ""):
                context["limit_error"] = _(limits.TOO_MANY)
                return site.render(request, "samverkan/interest_form.html", context, status_code=429)
            with site.session() as db:
                interest = Interest(
                    assignment_id=row_id,
                    association_name=(form.association_name.data or "").strip(),
                    contact_name=(form.contact_name.data or "").strip(),
                    contact_email=(form.contact_email.data or "").strip(),
                    contact_phone=(form.contact_phone.data or "").strip(),
                    message=(form.message.data or "").strip(),
                    created_at=site.clock.now(),
                )
                db.add(interest)
                _mail(site, db, row, interest)
                db.commit()
            return RedirectResponse(thanks, status_code=303)
    return site.render(
        request, "samverkan/interest_form.html", context, status_code=400 if request.method == "POST" else 200
    )


def _mail(site: Site, db: Session, row: Assignment, interest: Interest) -> None:
    """A receipt to the person who wrote, a notice to the office."""
    days = settings_of(site).interest_retention_days
    queue_mail(
        site,
        Mail(
            interest.contact_email,
            f"Vi har tagit emot er intresseanmälan: {row.title}",
            f"Hej {interest.contact_name}!\n\nTack för att {interest.association_name} vill ta uppdraget "
            f'"{row.title}". {site.config.site.name} går igenom anmälningarna och hör av sig.\n\n'
            f"Vi sparar dina kontaktuppgifter för att kunna förmedla uppdraget och raderar dem {days} dagar "
            "efter att uppdraget avslutats eller sista dagen att anmäla intresse har passerat.\n",
            "sv",
        ),
        db,
        origin="samverkan",
    )
    staff = site.config.site.contact_email
    if staff:
        link = site.absolute_url(url_for(site, "samverkan:assignment", assignment_id=row.id))
        body = (
            f"{interest.association_name} vill ta uppdraget {row.title}.\n\n"
            f"{interest.contact_name}, {interest.contact_email} {interest.contact_phone}\n\n"
            f"{interest.message}\n\n{link}"
        )
        queue_mail(site, Mail(staff, f"Intresseanmälan: {row.title}", body, "sv"), db, origin="samverkan")


def thanks(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        row = _public(db, request.path_params["assignment_id"])
    return site.render(request, "samverkan/interest_thanks.html", {"row": row})


def _back(site: Site, interest: Interest) -> RedirectResponse:
    url = url_for(site, "samverkan:assignment", assignment_id=interest.assignment_id)
    return RedirectResponse(f"{url}#intresse-{interest.id}", status_code=303)


def make_offer(request: Request) -> Response:
    """Turn an interest into an offer the association has answered yes: the
    association (chosen from the directory) then stands among those staff
    can record as the match."""
    require_admin(request)
    site = site_of(request)
    slug = str(read_form(request).get("forening", ""))
    with site.session() as db:
        interest = get_or_404(db, Interest, request.path_params["interest_id"])
        known = {a.slug: a.name for a in member_associations(site, db)}
        if interest.status != InterestStatus.NEW:
            flash(request, _("Intresseanmälan är redan hanterad."), "error")
            return _back(site, interest)
        if slug not in known:
            flash(request, _("Välj vilken förening i registret anmälan gäller."), "error")
            return _back(site, interest)
        offer = db.exec(
            select(Offer).where(Offer.assignment_id == interest.assignment_id, Offer.association_slug == slug)
        ).first()
        if offer is None:
            offer = Offer(
                assignment_id=interest.assignment_id,
                association_slug=slug,
                association_name=known[slug],
                offered_at=interest.created_at,
            )
        if offer.answer != OfferAnswer.NO:
            offer.answer = OfferAnswer.YES
            offer.message = offer.message or interest.message
            offer.answered_at = offer.answered_at or interest.created_at
        db.add(offer)
        interest.status = InterestStatus.OFFERED
        interest.association_slug = slug
        db.add(interest)
        db.commit()
    flash(request, _("Intresset är registrerat som ett ja från %(name)s.") % {"name": known[slug]})
    return _back(site, interest)


def decline(request: Request) -> Response:
    require_admin(request)
    site = site_of(request)
    with site.session() as db:
        interest = get_or_404(db, Interest, request.path_params["interest_id"])
        if interest.status != InterestStatus.NEW:
            flash(request, _("Intresseanmälan är redan hanterad."), "error")
            return _back(site, interest)
        interest.status = InterestStatus.DECLINED
        db.add(interest)
        db.commit()
    flash(request, _("Intresseanmälan är avböjd."))
    return _back(site, interest)
