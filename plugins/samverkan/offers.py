"""Offers as an association's editors see them: those waiting for an answer
as a section of Mina föreningar (``section``, the ``my_associations_sections``
hook), and all of them on "Erbjudna uppdrag": each assignment offered to an
association they act for, answered once with yes, no or a question (a
question may be followed by a yes or a no). Staff read the answers on the
assignment's page."""

from __future__ import annotations

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    AssociationRef,
    Block,
    Forbidden,
    Mail,
    Site,
    editable_associations,
    flash,
    queue_mail,
    read_form,
    require_user,
    site_of,
    url_for,
)
from core.api import gettext as _
from plugins.samverkan.common import get_or_404
from plugins.samverkan.forms import AnswerForm
from plugins.samverkan.models import ANSWER_LABELS, Assignment, AssignmentStatus, Offer, OfferAnswer


def _mine(request: Request) -> tuple[dict[str, str], list[tuple[Offer, Assignment]]]:
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        slugs = {ref.slug: ref.name for ref in editable_associations(site, db, user)}
        rows = db.exec(
            select(Offer, Assignment)
            .join(Assignment, col(Assignment.id) == col(Offer.assignment_id))
            .where(col(Offer.association_slug).in_(list(slugs)))
            .order_by(col(Offer.offered_at).desc())
        ).all()
        return slugs, [(offer, assignment) for offer, assignment in rows]


def section(site: Site, request: Request, db: Session, associations: list[AssociationRef]) -> list[Block]:
    """The offers to ``associations`` not yet answered yes or no, as a
    section of Mina föreningar; none when there is nothing to answer."""
    names = {ref.slug: ref.name for ref in associations}
    if not names:
        return []
    rows = db.exec(
        select(Offer, Assignment)
        .join(Assignment, col(Assignment.id) == col(Offer.assignment_id))
        .where(
            col(Offer.association_slug).in_(list(names)),
            col(Offer.answer).in_([OfferAnswer.PENDING, OfferAnswer.QUESTION]),
            col(Assignment.status).in_([AssignmentStatus.NEW, AssignmentStatus.OPEN]),
        )
        .order_by(col(Offer.offered_at).desc())
    ).all()
    if not rows:
        return []
    return [
        Block(
            _("Erbjudna uppdrag att svara på"),
            "samverkan/offers_section.html",
            {
                "offers": [(offer, assignment) for offer, assignment in rows],
                "back": request.url.path,
                "all_url": url_for(site, "samverkan:offers"),
            },
            order=40,
        )
    ]


def _local(path: str) -> bool:
    """A path on this site (where to return after answering), never another host's."""
    return path.startswith("/") and not path.startswith("//") and "\\" not in path


def mine(request: Request) -> Response:
    site = site_of(request)
    slugs, offers = _mine(request)
    return site.render(
        request,
        "samverkan/offers.html",
        {
            "associations": slugs,
            "offers": offers,
            "labels": ANSWER_LABELS,
            "form": AnswerForm(),
            "errors": {},
            "wrong": "",
            "back": "",
        },
    )


def answer(request: Request) -> Response:
    site = site_of(request)
    user = require_user(request)
    form = AnswerForm.bind(request)
    with site.session() as db:
        offer = get_or_404(db, Offer, request.path_params["offer_id"])
        if offer.association_slug not in {ref.slug for ref in editable_associations(site, db, user)}:
            raise Forbidden(_("Bara föreningens redaktörer kan svara på erbjudandet."))
        assignment = db.get(Assignment, offer.assignment_id)
        if assignment is None:
            raise HTTPException(404)
        error, wrong = "", "answer"
        if offer.answer in (OfferAnswer.YES, OfferAnswer.NO):
            error, wrong = _("Erbjudandet är redan besvarat. Kontakta kansliet om ni har ändrat er."), ""
        elif not form.answer.data:
            # "Välj svar", the first choice: nothing was chosen, so nothing is accepted.
            error = _("Välj om föreningen vill ta uppdraget eller inte.")
        elif not form.validate():
            error = _("Välj ett svar i listan.")
        elif form.answer.data == OfferAnswer.QUESTION and not (form.message.data or "").strip():
            error, wrong = _("Skriv er fråga i rutan Meddelande till kansliet."), "message"
        if error:
            slugs, offers = _mine(request)
            back = str(read_form(request).get("tillbaka", ""))
            return site.render(
                request,
                "samverkan/offers.html",
                {
                    "associations": slugs,
                    "offers": offers,
                    "labels": ANSWER_LABELS,
                    "form": form,
                    "errors": {offer.id: error},
                    "wrong": wrong,
                    # Answered from Mina föreningar: the corrected answer still leads back there.
                    "back": back if _local(back) else "",
                },
                status_code=400,
            )
        offer.answer = form.answer.data or OfferAnswer.QUESTION
        offer.message = (form.message.data or "").strip()
        offer.answered_at = site.clock.now()
        db.add(offer)
        staff = site.config.site.contact_email
        if staff:
            body = (
                f"{offer.association_name}: {_(ANSWER_LABELS[OfferAnswer(offer.answer)])}\n\n{offer.message}\n\n"
                + site.absolute_url(url_for(site, "samverkan:assignment", assignment_id=assignment.id))
            )
            queue_mail(site, Mail(staff, f"Svar på uppdrag: {assignment.title}", body, "sv"), db, origin="samverkan")
        db.commit()
    flash(request, _("Tack för ert svar! Kansliet hör av sig."))
    back = str(read_form(request).get("tillbaka", ""))
    return RedirectResponse(back if _local(back) else url_for(site, "samverkan:offers"), status_code=303)
