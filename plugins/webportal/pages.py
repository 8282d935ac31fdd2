"""Admin-edited pages (Om oss, Kontakt, Tillgänglighetsredogörelse ...):
the public page, the admins' list and form, and the links they add to the
main navigation and the footer.

``nav_items`` and ``footer_links`` run on every page view, so each is a
single small query.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import BooleanField, Field, IntegerField, StringField, TextAreaField, ValidationError, validators

from core.api import (
    N_,
    Form,
    NavItem,
    SearchResult,
    Site,
    current_user,
    flash,
    index_text,
    match,
    plain_text,
    read_form,
    require_admin,
    url_for,
    utcnow,
)
from core.api import gettext as _
from plugins.webportal.models import Page
from plugins.webportal.news import MARKDOWN_HINT, site_of
from plugins.webportal.slugs import slugify, unique_slug

#: Pages come after Föreningar (10) and Nyheter (20) in the main navigation;
#: among themselves they follow their ``nav_order``.
NAV_ORDER = 30
SEARCH_LIMIT = 8
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def page_url(site: Site, page: Page) -> str:
    return url_for(site, "webportal:page", slug=page.slug)


def _ordered(statement: Any) -> Any:
    return statement.order_by(col(Page.nav_order), col(Page.title))


# -- links on every page ---------------------------------------------------------------------


def _links(site: Site, flag: Any) -> list[NavItem]:
    """Links to the pages with ``flag`` set: one query for two columns."""
    with site.session() as db:
        rows = db.exec(_ordered(select(Page.slug, Page.title).where(flag == True))).all()  # noqa: E712
    return [NavItem(title, url_for(site, "webportal:page", slug=slug), order=NAV_ORDER) for slug, title in rows]


def nav_items(site: Site) -> list[NavItem]:
    """Pages marked for the main navigation."""
    return _links(site, Page.in_nav)


def footer_links(site: Site) -> list[NavItem]:
    """Pages marked for the footer (the accessibility statement belongs here)."""
    return _links(site, Page.in_footer)


# -- the public page -----------------------------------------------------------------------------


def page_view(request: Request) -> Response:
    site = site_of(request)
    user = current_user(request)
    with site.session() as db:
        page = db.exec(select(Page).where(Page.slug == request.path_params["slug"])).first()
    if page is None:
        raise HTTPException(
            404, _("Sidan finns inte, eller har flyttats. Sök på webbplatsen eller gå till startsidan.")
        )
    is_admin = user is not None and user.is_admin
    return site.render(
        request,
        "webportal/page.html",
        {"page": page, "edit_url": url_for(site, "webportal:page_edit", page_id=page.id) if is_admin else None},
    )


# -- admin ----------------------------------------------------------------------------------------


def check_slug(form: Form, field: Field) -> None:
    value = (field.data or "").strip().lower()
    field.data = value
    if value and not SLUG.match(value):
        raise ValidationError(
            _(
                "Använd bara små bokstäver a–z, siffror och bindestreck, till exempel om-oss. "
                "Lämna tomt så skapas adressen från rubriken."
            )
        )


class PageForm(Form):
    title = StringField("Rubrik", [validators.InputRequired("Skriv en rubrik."), validators.Length(max=200)])
    slug = StringField(
        "Adress",
        [validators.Length(max=120), check_slug],
        description=N_(
            "Sidan får adressen /sida/adress. Lämna tomt så skapas den från rubriken. "
            "Ändrar du den slutar gamla länkar till sidan att fungera."
        ),
    )
    body = TextAreaField("Text", description=MARKDOWN_HINT)
    in_nav = BooleanField("Visa i huvudmenyn")
    in_footer = BooleanField("Visa i sidfoten", description=N_("Till exempel Kontakt och Tillgänglighetsredogörelse."))
    nav_order = IntegerField(
        "Ordning",
        [validators.Optional(), validators.NumberRange(min=0, max=999)],
        default=50,
        description=N_("Sidor med lägre tal visas först i menyn och sidfoten (0–999). Tomt betyder 50."),
    )


def _taken(db: Session, page: Page | None) -> set[str]:
    """Slugs of every other page."""
    statement = select(Page.slug)
    if page is not None:
        statement = statement.where(Page.id != page.id)
    return set(db.exec(statement).all())


def _slug_for(db: Session, form: PageForm, page: Page | None) -> str | None:
    """The slug to save, or None with an error on the field if it is taken."""
    taken = _taken(db, page)
    wanted = form.slug.data or ""
    if not wanted:
        return unique_slug(slugify(form.title.data or "", max_length=100) or "sida", taken)
    if wanted in taken:
        form.slug.errors = [_("En annan sida har redan den adressen. Välj en annan, till exempel med ett tillägg.")]
        return None
    return wanted


def _load(db: Session, request: Request) -> Page | None:
    page_id = request.path_params.get("page_id")
    if page_id is None:
        return None
    page = db.get(Page, page_id)
    if page is None:
        raise HTTPException(404, _("Sidan finns inte längre. Den kan redan vara borttagen."))
    return page


def page_admin_list(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        pages = db.exec(_ordered(select(Page))).all()
    return site.render(
        request,
        "webportal/admin_pages.html",
        {
            "pages": pages,
            "new_url": url_for(site, "webportal:page_new"),
            "edit_url": lambda p: url_for(site, "webportal:page_edit", page_id=p.id),
            "page_url": lambda p: page_url(site, p),
        },
    )


def page_edit(request: Request) -> Response:
    """Create (``/admin/sidor/ny``) or edit a page. Admins only."""
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        page = _load(db, request)
        form = PageForm.bind(request, obj=page)
        if request.method == "POST" and form.validate():
            slug = _slug_for(db, form, page)
            if slug is not None:
                page = page or Page(slug=slug, title="")
                page.slug = slug
                page.title = (form.title.data or "").strip()
                page.body = form.body.data or ""
                page.in_nav = bool(form.in_nav.data)
                page.in_footer = bool(form.in_footer.data)
                page.nav_order = form.nav_order.data if form.nav_order.data is not None else 50
                page.updated_at = utcnow()
                page.search_text = index_text(page.title, plain_text(page.body))
                db.add(page)
                db.commit()
                flash(request, _("Sidan ”%(title)s” är sparad.") % {"title": page.title})
                return RedirectResponse(page_url(site, page), status_code=303)
    return site.render(
        request,
        "webportal/admin_pages_form.html",
        {
            "form": form,
            "page": page,
            "list_url": url_for(site, "webportal:admin_pages"),
            "page_url": page_url(site, page) if page else None,
            "delete_url": url_for(site, "webportal:page_delete", page_id=page.id) if page else None,
        },
        status_code=400 if form.error_count() else 200,
    )


def page_delete(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        page = _load(db, request)
        assert page is not None
        data = read_form(request)
        if data.get("bekrafta") != "ja":
            flash(request, _("Sidan togs inte bort. Kryssa i rutan för att bekräfta och försök igen."), "error")
            return RedirectResponse(url_for(site, "webportal:page_edit", page_id=page.id), status_code=303)
        title = page.title
        db.delete(page)
        db.commit()
    flash(
        request, _("Sidan ”%(title)s” är borttagen. Länkar till den i menyn och sidfoten är borta.") % {"title": title}
    )
    return RedirectResponse(url_for(site, "webportal:admin_pages"), status_code=303)


# -- hooks' helpers ----------------------------------------------------------------------------------


def search_results(site: Site, session: Session, query: str) -> list[SearchResult]:
    clause = match(Page.search_text, query)  # type: ignore[arg-type]
    if clause is None:
        return []
    rows = session.exec(select(Page).where(clause).order_by(col(Page.title)).limit(SEARCH_LIMIT)).all()
    return [
        SearchResult(title=p.title, url=page_url(site, p), summary=plain_text(p.body, 200), kind=_("Sidor"))
        for p in rows
    ]
