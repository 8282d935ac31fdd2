"""The member directory: the public list and pages of associations, the
application form for new ones, and the edit form that editors and admins share.

Who may edit what lives here too (``can_edit``, ``editable_associations``), so
the news pages ask the same question the same way.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    FileField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
    ValidationError,
    validators,
)

from core.api import (
    N_,
    AssociationRef,
    Figure,
    Forbidden,
    Form,
    ImageError,
    PhoneNumber,
    SearchDocument,
    SearchKind,
    SearchResult,
    SelectChoice,
    Site,
    User,
    association_page_blocks,
    current_user,
    delete_image,
    flash,
    http_url,
    index_text,
    match,
    my_associations_sections,
    page_count,
    page_language,
    page_link,
    page_number,
    plain_text,
    remember,
    render_fragment,
    require_admin,
    require_user,
    search_matching,
    store_upload,
    url_for,
    utcnow,
)
from core.api import gettext as _
from core.api import site_of as site_of  # for the plugin's views
from plugins.webportal.models import Association, AssociationEditor, Featured, News, Status, Visibility
from plugins.webportal.settings import WebportalSettings
from plugins.webportal.slugs import slugify, unique_slug

PLUGIN = "webportal"
STATUS_LABELS: dict[str, str] = {
    Status.PENDING.value: N_("Väntar på beslut"),
    Status.APPROVED.value: N_("Godkänd"),
    Status.REJECTED.value: N_("Avslagen"),
}
VISIBILITY_CHOICES = [
    SelectChoice(Visibility.PUBLIC.value, "Synlig för alla"),
    SelectChoice(Visibility.HIDDEN.value, "Dold (finns kvar i registret men visas inte)"),
]
STATUS_CHOICES = [SelectChoice(value, label) for value, label in STATUS_LABELS.items()]
NEWS_ON_PAGE = 5
SEARCH_LIMIT = 8
# Swedish alphabetical order puts å, ä, ö after z; these stand-ins sort after "z" in code-point order.
_SORT_FOLD = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "é": "e", "è": "e", "ü": "y"})


# -- small helpers -----------------------------------------------------------------


def settings_of(site: Site) -> WebportalSettings:
    return site.plugin_settings(PLUGIN, WebportalSettings)


def page_url(site: Site, association: Association) -> str:
    return url_for(site, "webportal:association", slug=association.slug)


def public_page_url(site: Site, session: Session, slug: str) -> str | None:
    """The page of the association ``slug`` if it is listed publicly, for
    other plugins (``member_page_url`` hook): LISA links an organisation to it."""
    association = session.exec(select(Association).where(Association.slug == slug)).first()
    return page_url(site, association) if association is not None and association.is_public else None


def ref(association: Association) -> AssociationRef:
    """The association as other plugins know it (``member_associations`` hook)."""
    return AssociationRef(
        association.slug,
        association.name,
        association.municipality,
        category=association.category,
        search_text=association.search_text,
    )


def edit_url(site: Site, association: Association) -> str:
    return url_for(site, "webportal:association_edit", slug=association.slug)


def sort_key(name: str) -> str:
    """Sort names as a Swedish reader expects: case-insensitive, å ä ö last."""
    return name.casefold().translate(_SORT_FOLD)


def by_name(associations: list[Association]) -> list[Association]:
    return sorted(associations, key=lambda a: sort_key(a.name))


def refresh_search_text(association: Association) -> None:
    """Keep the search column in step with what is shown; called on every save."""
    association.search_text = index_text(
        association.name,
        association.short_description,
        plain_text(association.description or ""),
        association.activities,
        association.category,
        association.municipality,
    )


def _public(statement: Any) -> Any:
    return statement.where(Association.status == Status.APPROVED, Association.visibility == Visibility.PUBLIC)


# -- who may edit ---------------------------------------------------------------------


def is_linked_editor(session: Session, user: User, association: Association) -> bool:
    if user.id is None or association.id is None or not user.is_active:
        return False
    link = session.exec(
        select(AssociationEditor).where(
            AssociationEditor.association_id == association.id, AssociationEditor.user_id == user.id
        )
    ).first()
    return link is not None


def can_edit(session: Session, user: User | None, association: Association) -> bool:
    """Admins edit every association; an editor only those linked to them."""
    if user is None or not user.is_active:
        return False
    return user.is_admin or is_linked_editor(session, user, association)


def linked_associations(session: Session, user: User) -> list[Association]:
    """Every association the user is linked to as editor, whatever its status."""
    rows = session.exec(
        select(Association)
        .join(AssociationEditor, col(AssociationEditor.association_id) == Association.id)
        .where(AssociationEditor.user_id == user.id)
    ).all()
    return by_name(list(rows))


def edits_any(session: Session, user: User) -> bool:
    """Whether the user is editor of at least one association: only then does
    the menu offer "Mina föreningar" (a nurse with a LISA role has none)."""
    link = session.exec(select(AssociationEditor.id).where(AssociationEditor.user_id == user.id).limit(1)).first()
    return link is not None


def editable_associations(session: Session, user: User | None) -> list[Association]:
    """Associations a user may act for (e.g. which one a news item concerns):
    admins all approved ones, editors the approved ones linked to them. Pending
    and rejected ones are left out because nothing may be published about them."""
    if user is None or not user.is_active:
        return []
    if user.is_admin:
        rows = session.exec(select(Association).where(Association.status == Status.APPROVED)).all()
        return by_name(list(rows))
    return [a for a in linked_associations(session, user) if a.status == Status.APPROVED]


def editors_of(session: Session, association: Association) -> list[User]:
    rows = session.exec(
        select(User)
        .join(AssociationEditor, col(AssociationEditor.user_id) == User.id)
        .where(AssociationEditor.association_id == association.id)
        .order_by(User.name)
    ).all()
    return list(rows)


# -- form fields and validators -------------------------------------------------------------

WEBSITE_ERROR = N_("Ange en webbadress som börjar med http:// eller https://, till exempel https://foreningen.se.")


def normalise_website(value: str) -> str:
    """People write "www.foreningen.se"; assume https for a bare host name."""
    value = value.strip()
    if value and "://" not in value and not value.lower().startswith(("javascript:", "data:", "mailto:")):
        value = "https://" + value
    return value


def check_website(form: Form, field: Field) -> None:
    """Only http(s) links with a host name: never javascript: or data: URLs."""
    value = normalise_website(field.data or "")
    field.data = value
    if not value:
        return
    # http_url never raises: "https://[x](javascript:alert(1))" answered 500 here.
    if not http_url(value, dotted_host=True):
        raise ValidationError(WEBSITE_ERROR)


check_phone = PhoneNumber(example=N_("0586-123 45 eller +46 586 123 45"))


def check_year(form: Form, field: Field) -> None:
    if field.data is not None and not 1800 <= field.data <= date.today().year:
        raise ValidationError(
            _("Ange ett årtal mellan 1800 och %(year)s, till exempel 1985.") % {"year": date.today().year}
        )


def safe_link(website: str) -> str:
    """The website as a link target only if it is http(s): imported or federated
    rows did not pass through the form's validation."""
    return http_url(website)


def tel_href(phone: str) -> str:
    """A ``tel:`` link target: digits and a leading plus only."""
    return "tel:" + re.sub(r"[^0-9+]", "", phone)


def _choices(options: list[str], current: str | None, blank: str | None = None) -> list[SelectChoice]:
    """Select options from the settings, keeping a stored value that is no
    longer in the settings so saving never silently changes it."""
    choices = [SelectChoice("", blank)] if blank else []
    choices += [SelectChoice(o) for o in options]
    if current and current not in options:
        choices.append(SelectChoice(current))
    return choices


class ApplyForm(Form):
    name = StringField(
        "Föreningens namn", [validators.InputRequired("Skriv föreningens namn."), validators.Length(max=200)]
    )
    category = SelectField("Kategori", [validators.InputRequired("Välj den kategori som passar bäst.")])
    municipality = SelectField("Kommun", [validators.InputRequired("Välj kommunen där föreningen finns.")])
    short_description = TextAreaField(
        "Kort beskrivning",
        [validators.InputRequired("Beskriv kort vad föreningen gör."), validators.Length(max=300)],
        description=N_("Högst 300 tecken. Visas i föreningslistan."),
    )
    website = URLField(
        "Webbplats", [validators.Optional(), check_website], description=N_("Till exempel https://foreningen.se")
    )
    email = EmailField(
        "Föreningens e-postadress", [validators.Optional(), validators.Email(), validators.Length(max=254)]
    )
    phone = TelField("Telefon", [validators.Optional(), check_phone])
    applicant_name = StringField(
        "Ditt namn",
        [validators.InputRequired("Skriv ditt namn så att vi vet vem vi ska svara."), validators.Length(max=120)],
    )
    applicant_email = EmailField(
        "Din e-postadress",
        [
            validators.InputRequired("Skriv din e-postadress så att vi kan svara dig."),
            validators.Email(),
            validators.Length(max=254),
        ],
        description=N_("Vi använder den bara för att svara på ansökan och raderar den när ansökan är behandlad."),
    )
    consent = BooleanField(
        "Jag godkänner att uppgifterna sparas och att föreningens uppgifter publiceras i föreningslistan "
        "när ansökan är godkänd.",
        [validators.InputRequired("Kryssa i rutan för att godkänna att uppgifterna sparas.")],
    )
    # Honeypot: hidden from people with CSS; a bot that fills every field gives itself away.
    homepage = StringField("Lämna det här fältet tomt")


class AssociationForm(Form):
    name = StringField(
        "Föreningens namn", [validators.InputRequired("Skriv föreningens namn."), validators.Length(max=200)]
    )
    category = SelectField("Kategori", [validators.InputRequired("Välj en kategori.")])
    municipality = SelectField("Kommun", [validators.InputRequired("Välj en kommun.")])
    short_description = TextAreaField(
        "Kort beskrivning", [validators.Length(max=300)], description=N_("Högst 300 tecken. Visas i föreningslistan.")
    )
    description = TextAreaField(
        "Beskrivning",
        description=N_(
            "Du kan använda Markdown: **fetstil**, *kursiv*, en tom rad mellan stycken, "
            "listor med - i början av raden och länkar som [text](https://adress.se)."
        ),
    )
    website = URLField(
        "Webbplats", [validators.Optional(), check_website], description=N_("Till exempel https://foreningen.se")
    )
    email = EmailField("E-postadress", [validators.Optional(), validators.Email(), validators.Length(max=254)])
    phone = TelField("Telefon", [validators.Optional(), check_phone])
    address = StringField("Adress", [validators.Length(max=300)], description=N_("Besöks- eller postadress."))
    founded_year = IntegerField(
        "Grundad år", [validators.Optional(), check_year], description=N_("Årtal med fyra siffror, till exempel 1985.")
    )
    activities = StringField(
        "Verksamheter",
        [validators.Length(max=1000)],
        description=N_("Skilj med kommatecken, till exempel: fotboll, innebandy, sommarläger."),
    )
    visibility = SelectField("Synlighet", choices=VISIBILITY_CHOICES)
    status = SelectField("Status", choices=STATUS_CHOICES)
    logo_file = FileField("Logotyp", description=N_("PNG, JPEG, GIF eller WebP."))
    remove_logo = BooleanField("Ta bort nuvarande logotyp")


def _set_place_choices(form: ApplyForm | AssociationForm, settings: WebportalSettings, obj: Association | None) -> None:
    blank = _("Välj …") if isinstance(form, ApplyForm) else None
    form.category.choices = _choices(settings.categories, obj.category if obj else None, blank)
    form.municipality.choices = _choices(settings.municipalities, obj.municipality if obj else None, blank)


# -- public pages -------------------------------------------------------------------------------


def _filters(request: Request, settings: WebportalSettings) -> dict[str, str]:
    """The list's filters; values not among the site's choices are ignored."""
    category = request.query_params.get("kategori", "")
    municipality = request.query_params.get("kommun", "")
    return {
        "kategori": category if category in settings.categories else "",
        "kommun": municipality if municipality in settings.municipalities else "",
        "q": (request.query_params.get("q") or "").strip()[:200],
    }


def find_public(session: Session, category: str = "", municipality: str = "", query: str = "") -> list[Association]:
    """Public associations matching the filters, in Swedish name order."""
    statement = _public(select(Association))
    if category:
        statement = statement.where(Association.category == category)
    if municipality:
        statement = statement.where(Association.municipality == municipality)
    clause = match(col(Association.search_text), query)
    if clause is not None:
        statement = statement.where(clause)
    return by_name(list(session.exec(statement).all()))


def search_kind() -> SearchKind:
    """Public associations in the site's search index (kind ``members``, as federated)."""

    def describe(site: Site, association: Association) -> SearchDocument | None:
        if not association.is_public:
            return None
        return SearchDocument(
            association.name,
            page_url(site, association),
            association.search_text,
            association.short_description,
            meta=" · ".join(p for p in (association.category, association.municipality) if p),
        )

    return SearchKind("members", N_("Föreningar"), Association, describe)


def find_page(
    session: Session, category: str, municipality: str, query: str, page: int, per_page: int
) -> tuple[list[Association], int, int, int]:
    """One page of public associations matching the filters, in Swedish name
    order, found, ordered and paged in the database (the search index):
    the rows, the total, the page (clamped) and the page count."""
    found = search_matching(session, query, "members")
    statement = _public(select(Association).join(found, found.c.row_id == Association.id))
    if category:
        statement = statement.where(Association.category == category)
    if municipality:
        statement = statement.where(Association.municipality == municipality)
    total = int(session.exec(select(func.count()).select_from(statement.subquery())).one())
    pages = page_count(total, per_page)
    page = min(max(page, 1), pages)
    rows = session.exec(
        statement.order_by(found.c.sort_key, col(Association.id)).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total, page, pages


def association_list(request: Request) -> Response:
    site = site_of(request)
    settings = settings_of(site)
    filters = _filters(request, settings)
    page = page_number(request)
    # The same for every visitor: kept per language, filter and page while
    # nothing changes, so a signed-in visitor does not pay for the list (issue 21).
    key = ("webportal.directory", page_language(site), filters["kategori"], filters["kommun"], filters["q"], page)
    main = remember(request, key, lambda: _list_content(site, settings, filters, page))
    return site.render(request, "webportal/association_list.html", {"main": main})


def _list_content(site: Site, settings: WebportalSettings, filters: dict[str, str], number: int) -> Markup:
    with site.session() as db:
        rows, total, page, pages = find_page(
            db, filters["kategori"], filters["kommun"], filters["q"], number, settings.per_page
        )
        return render_fragment(
            site,
            "webportal/_association_list_main.html",
            {
                "associations": rows,
                "total": total,
                "page": page,
                "pages": pages,
                "filters": filters,
                "filtered": any(filters.values()),
                "settings": settings,
                "page_link": page_link(url_for(site, "webportal:associations"), filters),
                "list_url": url_for(site, "webportal:associations"),
                "apply_url": url_for(site, "webportal:association_apply"),
                "page_url": lambda a: page_url(site, a),
            },
        )


def _latest_news(session: Session, association: Association) -> list[News]:
    rows = session.exec(
        select(News)
        .where(
            News.association_id == association.id,
            News.published == True,  # noqa: E712
            News.published_at <= utcnow(),
        )
        .order_by(col(News.published_at).desc())
        .limit(NEWS_ON_PAGE)
    ).all()
    return list(rows)


def association_page(request: Request) -> Response:
    site = site_of(request)
    user = current_user(request)
    with site.session() as db:
        association = db.exec(select(Association).where(Association.slug == request.path_params["slug"])).first()
        if association is None:
            raise HTTPException(404, _("Det finns ingen förening med den adressen. Sök i föreningslistan i stället."))
        may_edit = can_edit(db, user, association)
        if not association.is_public and not may_edit:
            raise HTTPException(404, _("Föreningen finns inte i föreningslistan. Sök i föreningslistan i stället."))
        # The same for everyone with the same right to edit: kept while nothing changes (issue 21).
        key = ("webportal.association", association.id, page_language(site), may_edit)
        main = remember(request, key, lambda: _association_content(site, request, db, association, may_edit))
        return site.render(request, "webportal/association_page.html", {"association": association, "main": main})


def _association_content(site: Site, request: Request, db: Session, association: Association, may_edit: bool) -> Markup:
    news = _latest_news(db, association)
    blocks = association_page_blocks(site, request, db, association.slug) if association.is_public else []
    return render_fragment(
        site,
        "webportal/_association_page_main.html",
        {
            "association": association,
            "news": news,
            "blocks": blocks,
            "may_edit": may_edit,
            "status_label": _(STATUS_LABELS.get(association.status, association.status)),
            "edit_url": edit_url(site, association),
            "news_new_url": url_for(site, "webportal:news_new") + "?" + urlencode({"forening": association.slug}),
            "list_url": url_for(site, "webportal:associations"),
            "news_url": lambda n: url_for(site, "webportal:news", news_id=n.id),
            "tel_href": tel_href(association.phone) if association.phone else "",
            "website_href": safe_link(association.website),
        },
    )


def association_apply(request: Request) -> Response:
    """Anyone may apply; the application waits for an admin (status pending)."""
    site = site_of(request)
    settings = settings_of(site)
    form = ApplyForm.bind(request)
    _set_place_choices(form, settings, None)
    if request.method == "POST" and form.validate():
        if not (form.homepage.data or "").strip():
            with site.session() as db:
                db.add(_new_application(db, form))
                db.commit()
        # A filled honeypot gets the same answer, so the bot learns nothing.
        flash(
            request,
            _(
                "Tack! Ansökan är skickad. Vi går igenom den och hör av oss till dig via e-post. "
                "Föreningen visas i listan när ansökan är godkänd."
            ),
        )
        return RedirectResponse(url_for(site, "webportal:associations"), status_code=303)
    return site.render(
        request,
        "webportal/association_apply.html",
        {"form": form, "list_url": url_for(site, "webportal:associations")},
        status_code=400 if form.error_count() else 200,
    )


def _taken_slugs(session: Session, base: str) -> set[str]:
    rows = session.exec(select(Association.slug).where(col(Association.slug).startswith(base))).all()
    return set(rows)


def new_slug(session: Session, name: str) -> str:
    base = slugify(name)
    return unique_slug(base, _taken_slugs(session, base))


def _new_application(session: Session, form: ApplyForm) -> Association:
    name = (form.name.data or "").strip()
    association = Association(
        slug=new_slug(session, name),
        name=name,
        category=form.category.data or "",
        municipality=form.municipality.data or "",
        short_description=(form.short_description.data or "").strip(),
        website=form.website.data or "",
        email=(form.email.data or "").strip(),
        phone=form.phone.data or "",
        applicant_name=(form.applicant_name.data or "").strip(),
        applicant_email=(form.applicant_email.data or "").strip(),
        status=Status.PENDING,
        visibility=Visibility.PUBLIC,
    )
    refresh_search_text(association)
    return association


# -- editing ---------------------------------------------------------------------------------------


def _load_for_edit(db: Session, request: Request, user: User) -> Association | None:
    """The association being edited (None when an admin creates one); 404 or
    403 before anything is shown or changed."""
    slug = request.path_params.get("slug")
    if slug is None:
        if not user.is_admin:
            raise Forbidden(_("Bara administratörer kan lägga upp nya föreningar. Ansök om medlemskap i stället."))
        return None
    association = db.exec(select(Association).where(Association.slug == slug)).first()
    if association is None:
        raise HTTPException(404, _("Det finns ingen förening med den adressen."))
    if not can_edit(db, user, association):
        raise Forbidden(_("Du kan bara redigera föreningar som du är redaktör för."))
    return association


def association_edit(request: Request) -> Response:
    """Edit an association (its editors and admins) or create one (admins,
    ``/admin/foreningar/ny``; created approved). The slug is fixed at
    creation so links and federated copies keep working after a rename."""
    site = site_of(request)
    settings = settings_of(site)
    user = require_user(request)
    if request.path_params.get("slug") is None:
        require_admin(request)
    with site.session() as db:
        association = _load_for_edit(db, request, user)
        form = AssociationForm.bind(request, obj=association)
        _set_place_choices(form, settings, association)
        if not user.is_admin:
            del form.status
        elif association is None and request.method == "GET":
            form.status.data = Status.APPROVED.value
        if request.method == "POST" and form.validate():
            saved = _save(site, db, form, association, user)
            if saved is not None:
                db.commit()
                flash(request, _("Uppgifterna om %(name)s är sparade.") % {"name": saved.name})
                return RedirectResponse(page_url(site, saved), status_code=303)
        editors = editors_of(db, association) if association is not None and user.is_admin else []
    return site.render(
        request,
        "webportal/association_form.html",
        {
            "form": form,
            "association": association,
            "editors": editors,
            "is_admin": user.is_admin,
            "page_url": page_url(site, association) if association else None,
            "editors_url": url_for(site, "webportal:association_editors", association_id=association.id)
            if association
            else None,
            "delete_url": url_for(site, "webportal:association_delete", association_id=association.id)
            if association
            else None,
            "admin_url": url_for(site, "webportal:admin_associations"),
        },
        status_code=400 if form.error_count() else 200,
    )


def _save(
    site: Site, db: Session, form: AssociationForm, association: Association | None, user: User
) -> Association | None:
    """Apply a valid form; returns None (with the error on the logo field) if
    the uploaded logo is refused, before anything is changed."""
    name = (form.name.data or "").strip()
    if association is None:
        association = Association(slug=new_slug(db, name), name=name, category="", municipality="")
        association.status = Status.APPROVED
    upload = form.logo_file.data
    new_logo = ""
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            new_logo = store_upload(
                upload, site.uploads_dir, settings_of(site).max_image_kb, stem_hint=association.slug
            )
        except ImageError as exc:
            form.logo_file.errors = [str(exc)]
            return None
    if new_logo or form.remove_logo.data:
        delete_image(site.uploads_dir, association.logo)
        association.logo = new_logo
    association.name = name
    association.category = form.category.data or ""
    association.municipality = form.municipality.data or ""
    association.short_description = (form.short_description.data or "").strip()
    association.description = form.description.data or ""
    association.website = form.website.data or ""
    association.email = (form.email.data or "").strip()
    association.phone = form.phone.data or ""
    association.address = (form.address.data or "").strip()
    association.founded_year = form.founded_year.data
    association.activities = ", ".join(a.strip() for a in (form.activities.data or "").split(",") if a.strip())
    association.visibility = form.visibility.data or Visibility.PUBLIC
    if user.is_admin and "status" in form:
        set_status(association, Status(form.status.data))
    elif association.id is None:
        set_status(association, Status.APPROVED)
    association.updated_at = utcnow()
    refresh_search_text(association)
    db.add(association)
    return association


def set_status(association: Association, status: Status) -> None:
    """Change the status. Once an application is decided the applicant's name
    and e-mail have served their purpose and are erased (minimal personal data)."""
    association.status = status
    if status == Status.APPROVED and association.approved_at is None:
        association.approved_at = utcnow()
    if status != Status.PENDING:
        association.applicant_name = ""
        association.applicant_email = ""


def my_associations(request: Request) -> Response:
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        linked = linked_associations(db, user)
        # Other plugins' sections (my_associations_sections hook), e.g. offered assignments.
        sections = my_associations_sections(site, request, db, user, [ref(a) for a in linked])
    return site.render(
        request,
        "webportal/my_associations.html",
        {
            "associations": linked,
            "sections": sections,
            "status_labels": {key: _(label) for key, label in STATUS_LABELS.items()},
            "page_url": lambda a: page_url(site, a),
            "edit_url": lambda a: edit_url(site, a),
            "news_new_url": url_for(site, "webportal:news_new"),
            "admin_url": url_for(site, "webportal:admin_associations"),
        },
    )


# -- Månadens förening ------------------------------------------------------------------------------


def featured_for(session: Session, today: date) -> tuple[Association, Featured] | None:
    """This month's featured association, or else the latest earlier one that
    is still public, so the front page always has one once any is chosen."""
    month = today.replace(day=1)
    row = session.exec(
        _public(
            select(Association, Featured)
            .join(Featured, col(Featured.association_id) == Association.id)
            .where(Featured.month <= month)
        )
        .order_by(col(Featured.month).desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


# -- hooks' helpers ----------------------------------------------------------------------------------


def search_results(site: Site, session: Session, query: str) -> list[SearchResult]:
    """Public associations for the site-wide search."""
    found = find_public(session, query=query) if query.strip() else []
    return [
        SearchResult(title=a.name, url=page_url(site, a), summary=a.short_description, kind=_("Föreningar"))
        for a in found[:SEARCH_LIMIT]
    ]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def report_figures(session: Session, start: date, end: date) -> list[Figure]:
    """Approved associations at the end of the period, new ones during it,
    applications received, and the approved ones per municipality."""
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    approved = select(func.count()).select_from(Association).where(Association.status == Status.APPROVED)
    approved_by_end = approved.where((col(Association.approved_at).is_(None)) | (col(Association.approved_at) < until))
    total = session.exec(approved_by_end).one()
    new = session.exec(
        approved.where(col(Association.approved_at) >= since, col(Association.approved_at) < until)
    ).one()
    applications = session.exec(
        select(func.count())
        .select_from(Association)
        .where(col(Association.created_at) >= since, col(Association.created_at) < until)
    ).one()
    figures = [
        Figure(_("Godkända medlemsföreningar vid periodens slut"), total, _("st")),
        Figure(_("Nya godkända föreningar under perioden"), new, _("st")),
        Figure(_("Föreningar som ansökt eller lagts upp under perioden"), applications, _("st")),
    ]
    per_place = session.exec(
        select(Association.municipality, func.count())
        .where(Association.status == Status.APPROVED)
        .where((col(Association.approved_at).is_(None)) | (col(Association.approved_at) < until))
        .group_by(Association.municipality)
    ).all()
    for place, count in sorted(per_place, key=lambda row: sort_key(row[0])):
        figures.append(Figure(_("Godkända föreningar i %(place)s") % {"place": place}, count, _("st")))
    return figures
