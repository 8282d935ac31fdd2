"""News: the public list and item pages, and the form that admins and
association editors share to write, edit and delete news.

Admins may write about any association or about none (news from the umbrella
itself); editors only about the associations they are linked to, so every
news item an editor writes concerns one of them. Who may edit an association
is decided in ``directory`` so the two features ask the same question.

``published_at`` is the first time an item became public and never moves
after that, so feeds and federated copies keep their date. The model has no
"draft" flag, so a draft that was never published keeps ``published_at``
equal to ``updated_at`` (both set on every save of such a draft); once
published, ``published_at`` stays behind ``updated_at`` for good.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import BooleanField, FileField, SelectField, StringField, TextAreaField, validators

from core.api import (
    N_,
    Figure,
    Forbidden,
    Form,
    ImageError,
    SearchDocument,
    SearchKind,
    SelectChoice,
    Site,
    User,
    current_user,
    delete_image,
    flash,
    index_text,
    page_count,
    page_language,
    page_link,
    page_number,
    plain_text,
    read_form,
    remember,
    render_fragment,
    require_user,
    store_upload,
    url_for,
    utcnow,
)
from core.api import gettext as _
from plugins.webportal import directory
from plugins.webportal.directory import settings_of, site_of
from plugins.webportal.models import Association, News

PLUGIN = "webportal"
FRONT_PAGE_NEWS = 5
MARKDOWN_HINT = N_(
    "Du kan använda Markdown: **fetstil**, *kursiv*, en tom rad mellan stycken, "
    "listor med - i början av raden, rubriker med ## och länkar som [text](https://adress.se)."
)
NO_ASSOCIATION_FOR_EDITOR = N_(
    "Du är inte kopplad till någon godkänd förening ännu, så du kan inte skriva nyheter. "
    "Be webbplatsens administratör att koppla ditt konto till din förening."
)


# -- small helpers -----------------------------------------------------------------


def item_url(site: Site, news_id: int | None) -> str:
    return url_for(site, "webportal:news", news_id=news_id)


def edit_url(site: Site, news_id: int | None) -> str:
    return url_for(site, "webportal:news_edit", news_id=news_id)


def association_url(site: Site, association: Association) -> str:
    return url_for(site, "webportal:association", slug=association.slug)


def published_only(statement: Any) -> Any:
    """Only what visitors may see: published, and not dated in the future."""
    return statement.where(News.published == True, col(News.published_at) <= utcnow())  # noqa: E712


def is_visible(news: News) -> bool:
    return news.published and news.published_at <= utcnow()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# -- who may do what ------------------------------------------------------------------------


def may_edit(session: Session, user: User | None, news: News) -> bool:
    """Admins edit every item; an editor only items about an association they
    may edit (so an item about no association is the admins' alone)."""
    if user is None or not user.is_active:
        return False
    if user.is_admin:
        return True
    if news.association_id is None:
        return False
    association = session.get(Association, news.association_id)
    return association is not None and directory.can_edit(session, user, association)


def may_view(session: Session, user: User | None, news: News) -> bool:
    """Anyone sees a published item; a draft only its author and those who may edit it."""
    if is_visible(news):
        return True
    if user is not None and user.is_active and news.author_id is not None and news.author_id == user.id:
        return True
    return may_edit(session, user, news)


def may_write(session: Session, user: User | None) -> bool:
    """Whether to offer a "write news" link: admins, and editors with an association."""
    if user is None or not user.is_active:
        return False
    return user.is_admin or bool(directory.editable_associations(session, user))


# -- public pages -------------------------------------------------------------------------------


def _association_by_slug(session: Session, slug: str) -> Association:
    association = session.exec(select(Association).where(Association.slug == slug)).first()
    if association is None or not association.is_public:
        raise HTTPException(
            404, _("Det finns ingen förening med den adressen. Visa alla nyheter eller sök i föreningslistan.")
        )
    return association


def latest(session: Session, limit: int, offset: int = 0, association_id: int | None = None) -> list[tuple[News, Any]]:
    """Published news, newest first, each with its association (or None)."""
    statement = published_only(
        select(News, Association).outerjoin(Association, col(News.association_id) == col(Association.id))
    )
    if association_id is not None:
        statement = statement.where(News.association_id == association_id)
    statement = statement.order_by(col(News.published_at).desc(), col(News.id).desc()).offset(offset).limit(limit)
    return [(n, a) for n, a in session.exec(statement).all()]


def _count(session: Session, association_id: int | None) -> int:
    statement = published_only(select(func.count()).select_from(News))
    if association_id is not None:
        statement = statement.where(News.association_id == association_id)
    return int(session.exec(statement).one())


def news_list(request: Request) -> Response:
    site = site_of(request)
    settings = settings_of(site)
    slug = (request.query_params.get("forening") or "").strip()[:120]
    with site.session() as db:
        association = _association_by_slug(db, slug) if slug else None
        association_id = association.id if association else None
        total = _count(db, association_id)
        pages = page_count(total, settings.per_page)
        page = min(page_number(request), pages)
        items = latest(db, settings.per_page, (page - 1) * settings.per_page, association_id)
        can_write = may_write(db, current_user(request))
    return site.render(
        request,
        "webportal/news_list.html",
        {
            "items": items,
            "association": association,
            "total": total,
            "page": page,
            "pages": pages,
            "page_link": page_link(url_for(site, "webportal:news_list"), {"forening": slug}),
            "list_url": url_for(site, "webportal:news_list"),
            "item_url": lambda n: item_url(site, n.id),
            "association_url": lambda a: association_url(site, a),
            "new_url": url_for(site, "webportal:news_new") if can_write else None,
            **feed_links(site),
        },
    )


def feed_links(site: Site) -> dict[str, str]:
    """Where the news feeds are, for links and ``<link rel="alternate">``."""
    return {"atom_url": url_for(site, "webportal:news_atom"), "rss_url": url_for(site, "webportal:news_rss")}


def news_item(request: Request) -> Response:
    site = site_of(request)
    user = current_user(request)
    with site.session() as db:
        news = db.get(News, request.path_params["news_id"])
        if news is None or not may_view(db, user, news):
            raise HTTPException(404, _("Nyheten finns inte, eller är inte publicerad. Se alla nyheter i stället."))
        editable = may_edit(db, user, news)
        # The same for everyone with the same right to edit: kept while nothing changes (issue 21).
        key = ("webportal.news", news.id, page_language(site), editable)
        main = remember(request, key, lambda: _item_content(site, db, news, editable))
        return site.render(request, "webportal/news_item.html", {"news": news, "main": main, **feed_links(site)})


def _item_content(site: Site, db: Session, news: News, editable: bool) -> Markup:
    association = db.get(Association, news.association_id) if news.association_id else None
    author = db.get(User, news.author_id) if news.author_id else None
    return render_fragment(
        site,
        "webportal/_news_item_main.html",
        {
            "news": news,
            "association": association,
            "association_href": association_url(site, association) if association and association.is_public else "",
            "author_name": author.name if author else "",
            "visible": is_visible(news),
            "may_edit": editable,
            "edit_url": edit_url(site, news.id),
            "list_url": url_for(site, "webportal:news_list"),
        },
    )


# -- writing ------------------------------------------------------------------------------------


class NewsForm(Form):
    title = StringField("Rubrik", [validators.InputRequired("Skriv en rubrik."), validators.Length(max=200)])
    summary = TextAreaField(
        "Sammanfattning",
        [validators.Length(max=400)],
        description=N_("Högst 400 tecken. Visas i nyhetslistan, på startsidan och i nyhetsflödet."),
    )
    body = TextAreaField("Text", description=MARKDOWN_HINT)
    association = SelectField("Förening som nyheten gäller")
    image_file = FileField("Välj en bild")
    image_alt = StringField(
        "Bildbeskrivning (alt-text)",
        [validators.Length(max=300)],
        description=N_(
            "Obligatorisk om nyheten har en bild. Beskriv kort vad bilden visar, "
            "för den som inte kan se den, till exempel ”Barn som planterar solrosor i parken”."
        ),
    )
    remove_image = BooleanField("Ta bort nuvarande bild")
    published = BooleanField(
        "Publicera nyheten",
        default=True,
        description=N_("Utan bock sparas nyheten som utkast som bara du och föreningens redaktörer ser."),
    )


def _load_for_edit(db: Session, request: Request, user: User) -> News | None:
    """The item being edited (None for a new one); 404 or 403 before anything
    is shown or changed."""
    news_id = request.path_params.get("news_id")
    if news_id is None:
        return None
    news = db.get(News, news_id)
    if news is None:
        raise HTTPException(404, _("Nyheten finns inte längre. Den kan redan vara borttagen."))
    if not may_edit(db, user, news):
        raise Forbidden(
            _(
                "Du kan bara redigera nyheter om föreningar som du är redaktör för. "
                "Be webbplatsens administratör om hjälp om du ska kunna ändra den här nyheten."
            )
        )
    return news


def _association_choices(
    db: Session, site: Site, user: User, news: News | None
) -> tuple[list[SelectChoice], dict[str, str]]:
    """The association select for this user, and slug -> option value (to
    preselect from ``?forening=``). An editor must pick one of theirs; an
    admin may also pick none. A current association that is no longer in the
    list (e.g. no longer approved) is kept so saving never silently changes it."""
    associations = directory.editable_associations(db, user)
    if not user.is_admin and not associations:
        raise Forbidden(_(NO_ASSOCIATION_FOR_EDITOR))
    if news is not None and news.association_id and all(a.id != news.association_id for a in associations):
        current = db.get(Association, news.association_id)
        if current is not None:
            associations = [*associations, current]
    blank = _("Ingen förening – nyhet från %(site)s") % {"site": site.name} if user.is_admin else _("Välj förening …")
    choices = [SelectChoice("", blank)] + [SelectChoice(str(a.id), a.name) for a in associations]
    return choices, {a.slug: str(a.id) for a in associations}


def _preselect(form: NewsForm, request: Request, user: User, news: News | None, slugs: dict[str, str]) -> None:
    """The association to show chosen: the item's own, the one in
    ``?forening=`` (links from an association's page), or an editor's only one."""
    if news is not None:
        form.association.data = str(news.association_id) if news.association_id else ""
        return
    wanted = slugs.get(request.query_params.get("forening", ""))
    if wanted:
        form.association.data = wanted
    elif len(slugs) == 1 and not user.is_admin:
        form.association.data = next(iter(slugs.values()))


def _check(form: NewsForm, user: User, news: News | None) -> bool:
    """Rules WTForms cannot express alone: editors must choose an
    association, and an image needs a description."""
    ok = True
    if not user.is_admin and not form.association.data:
        form.association.errors = [_("Välj vilken av dina föreningar nyheten gäller.")]
        ok = False
    upload = form.image_file.data
    has_upload = isinstance(upload, UploadFile) and bool(upload.filename)
    keeps_image = news is not None and bool(news.image) and not form.remove_image.data
    if (has_upload or keeps_image) and not (form.image_alt.data or "").strip():
        form.image_alt.errors = [
            _(
                "Beskriv bilden med några ord, så att den som inte ser bilden vet vad den visar. "
                "Vill du inte ha bilden kvar, kryssa i ”Ta bort nuvarande bild”."
            )
        ]
        ok = False
    return ok


def refresh_search_text(news: News) -> None:
    news.search_text = index_text(news.title, news.summary, plain_text(news.body or ""))


def _save(site: Site, db: Session, form: NewsForm, news: News | None, user: User) -> News | None:
    """Apply a valid form; returns None (with the error on the image field)
    if the uploaded image is refused, before anything is changed."""
    upload = form.image_file.data
    new_image = ""
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            new_image = store_upload(upload, site.uploads_dir, settings_of(site).max_image_kb, stem_hint="nyhet")
        except ImageError as exc:
            form.image_file.errors = [str(exc)]
            return None
    now = utcnow()
    if news is None:
        news = News(title="", author_id=user.id, published=False, published_at=now, updated_at=now)
    never_published = not news.published and news.published_at == news.updated_at
    if new_image or form.remove_image.data:
        delete_image(site.uploads_dir, news.image)
        news.image = new_image
    news.title = (form.title.data or "").strip()
    news.summary = (form.summary.data or "").strip()
    news.body = form.body.data or ""
    news.image_alt = (form.image_alt.data or "").strip() if news.image else ""
    news.association_id = int(form.association.data) if form.association.data else None
    news.published = bool(form.published.data)
    if never_published:
        news.published_at = now  # first publication, or still a draft: see the module docstring
    news.updated_at = now
    refresh_search_text(news)
    db.add(news)
    return news


def news_edit(request: Request) -> Response:
    """Write a news item (``/nyheter/ny``) or edit one (``/nyheter/{id}/redigera``)."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        news = _load_for_edit(db, request, user)
        choices, slugs = _association_choices(db, site, user, news)
        form = NewsForm.bind(request, obj=news)
        form.association.choices = choices
        if request.method == "GET":
            _preselect(form, request, user, news, slugs)
        # Both checks run, so every problem is shown at once.
        valid = request.method == "POST" and form.validate()
        if request.method == "POST" and _check(form, user, news) and valid:
            saved = _save(site, db, form, news, user)
            if saved is not None:
                db.commit()
                if saved.published:
                    message = _("Nyheten ”%(title)s” är publicerad.")
                else:
                    message = _("Nyheten ”%(title)s” är sparad som utkast.")
                flash(request, message % {"title": saved.title})
                return RedirectResponse(item_url(site, saved.id), status_code=303)
    return site.render(
        request,
        "webportal/news_form.html",
        {
            "form": form,
            "news": news,
            "max_image_kb": settings_of(site).max_image_kb,
            "item_url": item_url(site, news.id) if news else None,
            "delete_url": url_for(site, "webportal:news_delete", news_id=news.id) if news else None,
            "list_url": url_for(site, "webportal:news_list"),
        },
        status_code=400 if form.error_count() else 200,
    )


def news_delete(request: Request) -> Response:
    """Delete an item and its image, after the confirmation box is ticked."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        news = _load_for_edit(db, request, user)
        assert news is not None
        data = read_form(request)
        if data.get("bekrafta") != "ja":
            flash(request, _("Nyheten togs inte bort. Kryssa i rutan för att bekräfta och försök igen."), "error")
            return RedirectResponse(edit_url(site, news.id), status_code=303)
        title, image = news.title, news.image
        db.delete(news)
        db.commit()
    delete_image(site.uploads_dir, image)
    flash(request, _("Nyheten ”%(title)s” är borttagen.") % {"title": title})
    return RedirectResponse(url_for(site, "webportal:news_list"), status_code=303)


# -- hooks' helpers ----------------------------------------------------------------------------------


def search_kind() -> SearchKind:
    """Published news in the site's search index (kind ``news``, as federated)."""

    def describe(site: Site, news: News) -> SearchDocument | None:
        if not is_visible(news):
            return None
        summary = news.summary or plain_text(news.body or "", 200)
        return SearchDocument(news.title, item_url(site, news.id), news.search_text, summary, news.published_at)

    return SearchKind("news", N_("Nyheter"), News, describe)


def report_figures(session: Session, start: date, end: date) -> list[Figure]:
    """News published in the period, and how many of them were about a member association."""
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    statement = (
        select(func.count())
        .select_from(News)
        .where(News.published == True, col(News.published_at) >= since, col(News.published_at) < until)  # noqa: E712
    )
    total = session.exec(statement).one()
    about = session.exec(statement.where(col(News.association_id).is_not(None))).one()
    return [
        Figure(_("Publicerade nyheter under perioden"), total, _("st")),
        Figure(_("varav nyheter om medlemsföreningar"), about, _("st")),
    ]
