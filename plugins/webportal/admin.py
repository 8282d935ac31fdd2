"""The umbrella staff's pages for the member directory: the application
queue and register, decisions, linking editors, deleting, and choosing
Månadens förening. Every view starts with ``require_admin``."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import MonthField, SelectField, TextAreaField, validators

from core.api import (
    MAX_ID,
    N_,
    Form,
    Mail,
    SelectChoice,
    Site,
    User,
    babel_locale,
    delete_image,
    flash,
    get_user_by_email,
    in_language,
    match,
    notify,
    page_link,
    page_number,
    paged,
    parse_int,
    read_form,
    recipient_language,
    require_admin,
    url_for,
)
from core.api import gettext as _
from plugins.webportal.directory import (
    STATUS_LABELS,
    by_name,
    edit_url,
    editors_of,
    page_url,
    set_status,
    settings_of,
    site_of,
)
from plugins.webportal.models import Association, AssociationEditor, Featured, Status

FEATURED_HISTORY = 12


def _get_association(db: Session, request: Request) -> Association:
    association = db.get(Association, request.path_params["association_id"])
    if association is None:
        raise HTTPException(404, _("Föreningen finns inte längre. Den kan redan vara borttagen."))
    return association


def association_queue(request: Request) -> Response:
    """Pending applications first (they need a decision), then the whole
    register, searchable and paged."""
    site = site_of(request)
    require_admin(request)
    query = (request.query_params.get("q") or "").strip()[:200]
    with site.session() as db:
        pending = db.exec(
            select(Association).where(Association.status == Status.PENDING).order_by(col(Association.created_at))
        ).all()
        statement = select(Association)
        clause = match(col(Association.search_text), query)
        if clause is not None:
            statement = statement.where(clause)
        everything = by_name(list(db.exec(statement).all()))
        rows, page, pages = paged(everything, page_number(request), settings_of(site).per_page)
        editors = {a.id: editors_of(db, a) for a in rows}
    return site.render(
        request,
        "webportal/admin_associations.html",
        {
            "pending": pending,
            "associations": rows,
            "total": len(everything),
            "editors": editors,
            "query": query,
            "page": page,
            "pages": pages,
            "status_labels": {key: _(label) for key, label in STATUS_LABELS.items()},
            "page_link": page_link(url_for(site, "webportal:admin_associations"), {"q": query}),
            "list_url": url_for(site, "webportal:admin_associations"),
            "new_url": url_for(site, "webportal:association_new"),
            "decide_url": lambda a: url_for(site, "webportal:association_decide", association_id=a.id),
            "page_url": lambda a: page_url(site, a),
            "edit_url": lambda a: edit_url(site, a),
        },
    )


def association_decide(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    decision = read_form(request).get("beslut")
    with site.session() as db:
        association = _get_association(db, request)
        if decision == "godkann":
            if association.status == Status.PENDING and association.applicant_email:
                mail_approval(site, db, association)  # before set_status erases the address
            set_status(association, Status.APPROVED)
            message = _("%(name)s är godkänd och visas nu i föreningslistan.") % {"name": association.name}
        elif decision == "avsla":
            if association.status == Status.PENDING and association.applicant_email:
                mail_rejection(site, db, association)  # before set_status erases the address
            set_status(association, Status.REJECTED)
            message = _("Ansökan från %(name)s är avslagen. Den sökandes kontaktuppgifter är raderade.") % {
                "name": association.name
            }
        else:
            flash(request, _("Välj att godkänna eller avslå ansökan."), "error")
            return RedirectResponse(url_for(site, "webportal:admin_associations"), status_code=303)
        db.add(association)
        db.commit()
    flash(request, message)
    return RedirectResponse(url_for(site, "webportal:admin_associations"), status_code=303)


#: The notice kinds the member directory sends (the ``notice_kinds`` hook).
APPLICATION_NOTICE = "webportal.application"
EDITOR_NOTICE = "webportal.editor"


def mail_approval(site: Site, db: Session, association: Association) -> None:
    """Tell the applicant their association is approved and listed, in
    their language (the site's, unless they have an account that chose
    another), in the transaction that approves it."""
    lang = recipient_language(site, db, association.applicant_email)
    with in_language(lang):
        subject = _("%(name)s är godkänd av %(site)s") % {"name": association.name, "site": site.name}
        body = _(
            "Hej %(applicant)s!\n\n%(name)s är godkänd som medlemsförening och visas nu i föreningslistan:\n"
            "%(link)s\n\nVill du sköta föreningens sida själv? Be oss om en inbjudan till ett konto "
            "(svara på det här mejlet).\n"
        ) % {
            "applicant": association.applicant_name or association.name,
            "name": association.name,
            "link": site.absolute_url(page_url(site, association)),
        }
    reply_to = site.config.site.contact_email
    mail = Mail(association.applicant_email, subject, body, lang, reply_to=reply_to)
    notify(site, db, APPLICATION_NOTICE, mail, origin="webportal")


def mail_rejection(site: Site, db: Session, association: Association) -> None:
    """Tell the applicant the application was declined (issue 20), before
    their contact details are erased."""
    lang = recipient_language(site, db, association.applicant_email)
    with in_language(lang):
        subject = _("Om er ansökan till %(site)s") % {"site": site.name}
        body = _(
            "Hej %(applicant)s!\n\nAnsökan om medlemskap för %(name)s är tyvärr inte godkänd. "
            "Era kontaktuppgifter från ansökan är nu raderade.\n\nHar du frågor, svara på det här mejlet.\n"
        ) % {"applicant": association.applicant_name or association.name, "name": association.name}
    reply_to = site.config.site.contact_email
    mail = Mail(association.applicant_email, subject, body, lang, reply_to=reply_to)
    notify(site, db, APPLICATION_NOTICE, mail, origin="webportal")


def mail_editor_linked(site: Site, db: Session, association: Association, user: User) -> None:
    """Tell a person they may now edit the association's page (issue 20)."""
    lang = recipient_language(site, db, user.email)
    with in_language(lang):
        subject = _("Du är redaktör för %(name)s") % {"name": association.name}
        body = _(
            "Hej %(user)s!\n\nDu kan nu sköta sidan för %(name)s på %(site)s. Logga in och redigera den här:\n"
            "%(link)s\n"
        ) % {
            "user": user.name,
            "name": association.name,
            "site": site.name,
            "link": site.absolute_url(edit_url(site, association)),
        }
    notify(site, db, EDITOR_NOTICE, Mail(user.email, subject, body, lang), origin="webportal")


def association_editors(request: Request) -> Response:
    """Link an existing account to the association as its editor, or unlink one."""
    site = site_of(request)
    require_admin(request)
    data = read_form(request)
    action = data.get("action")
    with site.session() as db:
        association = _get_association(db, request)
        back = RedirectResponse(edit_url(site, association), status_code=303)
        if action == "add":
            email = str(data.get("email") or "").strip()
            user = get_user_by_email(db, email) if email else None
            if user is None or user.id is None:
                flash(
                    request,
                    _(
                        "Det finns inget konto med e-postadressen %(email)s. Skapa kontot först under "
                        "/-/admin/anvandare/ny och lägg sedan till det här."
                    )
                    % {"email": email or _("(tom)")},
                    "error",
                )
                return back
            linked = db.exec(
                select(AssociationEditor).where(
                    AssociationEditor.association_id == association.id, AssociationEditor.user_id == user.id
                )
            ).first()
            if linked is not None:
                flash(
                    request,
                    _("%(user)s är redan redaktör för %(name)s.") % {"user": user.name, "name": association.name},
                )
                return back
            assert association.id is not None
            db.add(AssociationEditor(association_id=association.id, user_id=user.id))
            mail_editor_linked(site, db, association, user)
            db.commit()
            flash(request, _("%(user)s kan nu redigera %(name)s.") % {"user": user.name, "name": association.name})
        elif action == "remove":
            user_id = parse_int(data.get("user_id"), -1, minimum=1, maximum=MAX_ID) or -1
            link = db.exec(
                select(AssociationEditor).where(
                    AssociationEditor.association_id == association.id, AssociationEditor.user_id == user_id
                )
            ).first()
            if link is None:
                flash(request, _("Den redaktören var inte kopplad till föreningen."), "error")
                return back
            db.delete(link)
            db.commit()
            flash(request, _("Redaktören är borttagen från %(name)s.") % {"name": association.name})
        else:
            flash(request, _("Okänd åtgärd. Använd knapparna på sidan och försök igen."), "error")
    return back


def association_delete(request: Request) -> Response:
    """Delete for good, after an explicit confirmation. News about the
    association stays (its link is cleared by the database, ON DELETE SET NULL);
    editor links and Månadens förening entries go with it (CASCADE)."""
    site = site_of(request)
    require_admin(request)
    confirmed = read_form(request).get("bekrafta") == "ja"
    with site.session() as db:
        association = _get_association(db, request)
        if not confirmed:
            flash(
                request,
                _("Föreningen togs inte bort. Kryssa i rutan ”Ja, ta bort föreningen” för att bekräfta."),
                "error",
            )
            return RedirectResponse(edit_url(site, association), status_code=303)
        name, logo = association.name, association.logo
        db.delete(association)
        db.commit()
    delete_image(site.uploads_dir, logo)
    flash(request, _("%(name)s är borttagen.") % {"name": name})
    return RedirectResponse(url_for(site, "webportal:admin_associations"), status_code=303)


def _this_month() -> date:
    return date.today().replace(day=1)


class FeaturedForm(Form):
    month = MonthField(
        "Månad",
        [validators.InputRequired("Välj en månad.")],
        # types-WTForms gives MonthField TimeField's type of default (a time), not a date.
        default=_this_month,  # type: ignore[arg-type]
        description=N_("Skriv som ÅÅÅÅ-MM om din webbläsare inte visar en kalender, till exempel 2026-03."),
    )
    association_id = SelectField(
        "Förening", [validators.InputRequired("Välj en förening.")], coerce=int, validate_choice=True
    )
    motivation = TextAreaField(
        "Motivering",
        [validators.Length(max=600)],
        description=N_("Högst 600 tecken. Visas på startsidan: varför lyfter vi fram föreningen?"),
    )


def featured(request: Request) -> Response:
    """Choose Månadens förening; choosing again for a month replaces the choice."""
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        form = FeaturedForm.bind(request)
        approved = by_name(list(db.exec(select(Association).where(Association.status == Status.APPROVED)).all()))
        form.association_id.choices = [SelectChoice(str(a.id), a.name) for a in approved]
        if request.method == "POST" and form.validate():
            chosen_month, association_id = form.month.data, form.association_id.data
            assert chosen_month is not None and association_id is not None  # InputRequired
            month = chosen_month.replace(day=1)
            row = db.exec(select(Featured).where(Featured.month == month)).first()
            row = row or Featured(month=month, association_id=association_id)
            row.association_id = association_id
            row.motivation = (form.motivation.data or "").strip()
            db.add(row)
            db.commit()
            chosen = db.get(Association, row.association_id)
            when = format_date(month, "LLLL yyyy", locale=babel_locale(site))
            name = chosen.name if chosen else _("Föreningen")
            flash(request, _("%(name)s är Månadens förening för %(month)s.") % {"name": name, "month": when})
            return RedirectResponse(url_for(site, "webportal:admin_featured"), status_code=303)
        history = db.exec(
            select(Featured, Association)
            .join(Association, col(Featured.association_id) == Association.id)
            .order_by(col(Featured.month).desc())
            .limit(FEATURED_HISTORY)
        ).all()
    return site.render(
        request,
        "webportal/admin_featured.html",
        {
            "form": form,
            "history": history,
            "has_choices": bool(approved),
            "page_url": lambda a: page_url(site, a),
            "admin_url": url_for(site, "webportal:admin_associations"),
        },
        status_code=400 if form.error_count() else 200,
    )
