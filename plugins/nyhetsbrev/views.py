"""The newsletter's pages: subscribing, confirming, one's settings,
unsubscribing (with RFC 8058 one-click), the archive with its Atom feed,
and the admin's composing, previewing, test send and send."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import func
from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    validators,
)

from core.api import (
    N_,
    Form,
    SelectChoice,
    Site,
    absolute_url_for,
    flash,
    page_count,
    page_language,
    page_link,
    page_number,
    require_admin,
    site_of,
    url_for,
)
from core.api import gettext as _
from plugins.nyhetsbrev import letters
from plugins.nyhetsbrev.models import TOPICS, Issue, IssueState, followed_of, topics_of

CONSENT = N_("Jag vill få nyhetsbrevet och vet att jag kan avsluta det när jag vill.")
#: How often the digest comes (the subscribe and settings forms' radio buttons).
FREQUENCIES = [SelectChoice("veckovis", N_("Veckovis (måndagar)")), SelectChoice("dagligen", N_("Dagligen"))]


class SubscribeForm(Form):
    email = EmailField(
        N_("E-postadress"),
        [
            validators.InputRequired(N_("Skriv din e-postadress.")),
            validators.Length(max=254, message=N_("Adressen är för lång.")),
            validators.Email(N_("Skriv en giltig e-postadress, till exempel namn@exempel.se.")),
        ],
    )
    topic_nyhetsbrev = BooleanField(N_("Månadens nyhetsbrev"), default=True)
    topic_nyheter = BooleanField(N_("Nyheter från webbplatsen"))
    topic_evenemang = BooleanField(N_("Evenemang på webbplatsen"))
    topic_natverket = BooleanField(N_("Nyheter och evenemang hos grannarna i nätverket"))
    foreningar = SelectMultipleField(N_("Föreningar du följer"), choices=[], validate_choice=False)
    frequency = RadioField(
        N_("Hur ofta nyheter och evenemang kommer"),
        choices=FREQUENCIES,
        default="veckovis",
    )
    consent = BooleanField(CONSENT, [validators.InputRequired(N_("Kryssa i rutan för att prenumerera."))])


def _chosen(form: Any) -> set[str]:
    return {t for t in TOPICS if getattr(form, f"topic_{t}").data}


class TopicsForm(Form):
    topic_nyhetsbrev = BooleanField(N_("Månadens nyhetsbrev"))
    topic_nyheter = BooleanField(N_("Nyheter från webbplatsen"))
    topic_evenemang = BooleanField(N_("Evenemang på webbplatsen"))
    topic_natverket = BooleanField(N_("Nyheter och evenemang hos grannarna i nätverket"))
    foreningar = SelectMultipleField(N_("Föreningar du följer"), choices=[], validate_choice=False)
    frequency = RadioField(
        N_("Hur ofta nyheter och evenemang kommer"),
        choices=FREQUENCIES,
        validators=[validators.InputRequired(N_("Välj hur ofta."))],
    )
    language = RadioField(
        N_("Språk i breven"),
        choices=[("sv", "Svenska"), ("en", "English")],
        validators=[validators.InputRequired(N_("Välj svenska eller engelska."))],
    )

    def validate_topic_nyhetsbrev(self, field: Any) -> None:
        if not _chosen(self) and not self.foreningar.data:
            raise validators.ValidationError(_("Välj minst ett ämne."))


class IssueForm(Form):
    title = StringField(
        N_("Rubrik"),
        [validators.InputRequired(N_("Skriv en rubrik.")), validators.Length(max=200)],
        description=N_("Till exempel Nyhetsbrev mars 2026."),
    )
    start = DateField(N_("Från och med"), [validators.InputRequired(N_("Skriv datum som åååå-mm-dd."))])
    end = DateField(N_("Till och med"), [validators.InputRequired(N_("Skriv datum som åååå-mm-dd."))])
    editorial = TextAreaField(
        N_("Ledare"), [validators.Length(max=10_000)], description=N_("Några rader från kansliet (Markdown).")
    )


class EditForm(Form):
    title = StringField(N_("Rubrik"), [validators.InputRequired(N_("Skriv en rubrik.")), validators.Length(max=200)])
    editorial = TextAreaField(N_("Ledare"), [validators.Length(max=10_000)])


def _common(site: Site) -> dict[str, Any]:
    return {
        "archive_url": url_for(site, "nyhetsbrev:archive"),
        "subscribe_url": url_for(site, "nyhetsbrev:subscribe"),
        "feed_url": url_for(site, "nyhetsbrev:feed"),
    }


def _message(request: Request, heading: str, *lines: str, status: int = 200, **extra: Any) -> Response:
    site = site_of(request)
    context = {**_common(site), "heading": heading, "lines": list(lines), **extra}
    return site.render(request, "nyhetsbrev/message.html", context, status_code=status)


# -- subscribing ---------------------------------------------------------------------------------------


def _association_choices(site: Site, form: Any, slugs: list[str]) -> None:
    """Offer the listed associations among ``slugs`` as ticked boxes (unknown slugs drop out)."""
    with site.session() as db:
        names = letters.association_names(site, db) if slugs else {}
    known = [slug for slug in dict.fromkeys(slugs) if slug in names]
    form.foreningar.choices = [SelectChoice(slug, names[slug]) for slug in known]
    form.foreningar.data = known


def subscribe(request: Request) -> Response:
    """The form; ``?forening=<slug>`` (the "Följ via e-post" link on an
    association's page) offers following that association, ticked."""
    site = site_of(request)
    form = SubscribeForm.bind(request)
    asked = request.query_params.getlist("forening")[:5] if request.method == "GET" else form.foreningar.data or []
    _association_choices(site, form, [str(a) for a in asked])
    if request.method == "POST" and form.validate():
        follows = list(form.foreningar.data or [])
        with site.session() as db:
            letters.subscribe(
                site,
                db,
                form.email.data or "",
                page_language(site),
                _(CONSENT),
                # nothing ticked: the monthly newsletter, as before topics; or only the associations
                _chosen(form) or (set() if follows else {"nyhetsbrev"}),
                str(form.frequency.data or "veckovis"),
                follows,
            )
            db.commit()
        return RedirectResponse(url_for(site, "nyhetsbrev:subscribed"), status_code=303)
    return site.render(
        request, "nyhetsbrev/subscribe.html", {**_common(site), "form": form}, status_code=400 if form.errors else 200
    )


def subscribed(request: Request) -> Response:
    return _message(
        request,
        _("Titta i din e-post"),
        _("Vi har skickat ett mejl med en länk. Prenumerationen börjar när du har klickat på den."),
        _("Kommer inget mejl? Titta bland skräpposten, eller anmäl dig igen."),
    )


def confirm(request: Request) -> Response:
    """GET shows a button (a link scanner that opens the link confirms
    nothing); POST confirms. Used twice, or expired, says so in Swedish."""
    site = site_of(request)
    token = request.path_params["token"]
    with site.session() as db:
        subscriber = letters.by_token(db, token)
        if subscriber is None:
            return _message(
                request,
                _("Länken fungerar inte"),
                _("Länken är fel eller för gammal, eller så är prenumerationen redan avslutad. Anmäl dig igen."),
                status=404,
            )
        if letters.link_expired(site, subscriber):
            return _message(
                request,
                _("Länken har gått ut"),
                _("Bekräftelselänken gäller i %(days)s dagar. Anmäl dig igen, så får du en ny.")
                % {"days": letters.settings_of(site).confirm_days},
                status=410,
            )
        if subscriber.confirmed_at is not None:
            return _message(request, _("Du prenumererar redan"), _("Adressen är redan bekräftad. Välkommen!"))
        if request.method == "POST":
            letters.confirm(site, db, subscriber)
            db.commit()
            flash(request, _("Tack! Nu prenumererar du på nyhetsbrevet."))
            return RedirectResponse(url_for(site, "nyhetsbrev:settings", token=token), status_code=303)
    return _message(
        request,
        _("Bekräfta prenumerationen"),
        _("Tryck på knappen för att börja få nyhetsbrevet."),
        form_action=url_for(site, "nyhetsbrev:confirm", token=token),
        button=_("Bekräfta"),
    )


def subscription_settings(request: Request) -> Response:
    site = site_of(request)
    token = request.path_params["token"]
    with site.session() as db:
        subscriber = letters.by_token(db, token)
        if subscriber is None or subscriber.confirmed_at is None:
            return _gone(request)
        form = TopicsForm.bind(request)
        if request.method == "POST":
            _association_choices(site, form, [str(a) for a in form.foreningar.data or []])
            if form.validate():
                subscriber.language = str(form.language.data)
                subscriber.frequency = str(form.frequency.data)
                subscriber.topics = ",".join(t for t in TOPICS if t in _chosen(form))
                subscriber.associations = ",".join(
                    letters.known_associations(site, db, list(form.foreningar.data or []))
                )
                db.add(subscriber)
                db.commit()
                flash(request, _("Dina val är sparade."))
                return RedirectResponse(request.url.path, status_code=303)
        else:
            chosen = topics_of(subscriber)
            for topic in TOPICS:
                getattr(form, f"topic_{topic}").data = topic in chosen
            form.frequency.data = subscriber.frequency
            form.language.data = subscriber.language
            # the followed ones, and those a "Följ via e-post" link asks for, ticked
            asked = [str(a) for a in request.query_params.getlist("forening")[:5]]
            _association_choices(site, form, followed_of(subscriber) + asked)
        email = subscriber.email
    return site.render(
        request,
        "nyhetsbrev/settings.html",
        {
            **_common(site),
            "subscriber": subscriber,
            "email": email,
            "form": form,
            "unsubscribe_url": url_for(site, "nyhetsbrev:unsubscribe", token=token),
        },
        status_code=400 if form.errors else 200,
    )


def _gone(request: Request) -> Response:
    """The answer for a token nobody has: the same as after unsubscribing."""
    return _message(
        request,
        _("Ingen prenumeration"),
        _("Den här adressen får inte nyhetsbrevet (längre). Vill du ha det igen kan du prenumerera på nytt."),
    )


def unsubscribe(request: Request) -> Response:
    """GET asks (a link in a mail is opened by scanners too); POST unsubscribes.
    An unknown token gets exactly the answer a known one does."""
    site = site_of(request)
    token = request.path_params["token"]
    if request.method == "POST":
        with site.session() as db:
            letters.unsubscribe(db, token)
            db.commit()
        return RedirectResponse(url_for(site, "nyhetsbrev:unsubscribed"), status_code=303)
    return _message(
        request,
        _("Avsluta prenumerationen"),
        _("Tryck på knappen så får adressen inga fler nyhetsbrev och raderas."),
        form_action=url_for(site, "nyhetsbrev:unsubscribe", token=token),
        button=_("Avsluta prenumerationen"),
    )


def unsubscribed(request: Request) -> Response:
    return _message(request, _("Prenumerationen är avslutad"), _("Adressen är raderad och får inga fler nyhetsbrev."))


def one_click(request: Request) -> Response:
    """RFC 8058: the mail client POSTs ``List-Unsubscribe=One-Click`` with
    no cookie and no CSRF token (core lets this path through); the token
    alone decides. Answers 200 whether the token was known or not."""
    site = site_of(request)
    with site.session() as db:
        letters.unsubscribe(db, request.path_params["token"])
        db.commit()
    return Response(_("Prenumerationen är avslutad.") + "\n", media_type="text/plain; charset=utf-8")


# -- the archive -------------------------------------------------------------------------------------


def _sent_issues(site: Site, request: Request) -> tuple[list[Issue], int, int]:
    per_page = letters.settings_of(site).per_page
    with site.session() as db:
        total = int(db.exec(select(func.count()).select_from(Issue).where(Issue.state == IssueState.SENT)).one())
        pages = page_count(total, per_page)
        page = min(page_number(request), pages)
        rows = db.exec(
            select(Issue)
            .where(Issue.state == IssueState.SENT)
            .order_by(col(Issue.sent_at).desc(), col(Issue.id).desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    return list(rows), page, pages


def archive(request: Request) -> Response:
    site = site_of(request)
    issues, page, pages = _sent_issues(site, request)
    return site.render(
        request,
        "nyhetsbrev/archive.html",
        {
            **_common(site),
            "issues": issues,
            "page": page,
            "pages": pages,
            "page_link": page_link(url_for(site, "nyhetsbrev:archive"), {}),
            "issue_url": lambda i: url_for(site, "nyhetsbrev:issue", issue_id=i.id),
        },
    )


def _issue_page(request: Request, issue: Issue, plain: str = "", html: str = "") -> Response:
    site = site_of(request)
    return site.render(
        request,
        "nyhetsbrev/issue.html",
        {
            **_common(site),
            "issue": issue,
            "sections": letters.sections(issue),
            "plain": plain,
            "html": html,
        },
    )


def issue_page(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        issue = db.get(Issue, request.path_params["issue_id"])
    if issue is None or issue.state != IssueState.SENT:
        raise HTTPException(404, _("Det numret finns inte. Se alla nummer i arkivet."))
    return _issue_page(request, issue)


def feed(request: Request) -> Response:
    """The archive as Atom 1.0: one entry per sent issue, with a permanent tag id."""
    site = site_of(request)
    with site.session() as db:
        issues = db.exec(
            select(Issue).where(Issue.state == IssueState.SENT).order_by(col(Issue.sent_at).desc()).limit(20)
        ).all()
    authority = site.config.federation.tag_authority if hasattr(site.config, "federation") else site.host
    updated = max((i.sent_at for i in issues if i.sent_at), default=datetime(2026, 1, 1, tzinfo=UTC))
    entries = []
    for issue in issues:
        assert issue.sent_at is not None
        link = absolute_url_for(site, "nyhetsbrev:issue", issue_id=issue.id)
        stamp = issue.sent_at.isoformat()
        summary = ", ".join(str(i["title"]) for i in letters.items_of(issue))[:500]
        entries.append(
            f"<entry><id>tag:{escape(authority)},{issue.sent_at:%Y}:nyhetsbrev/{issue.id}</id>"
            f'<title>{escape(issue.title)}</title><link rel="alternate" href="{escape(link)}"/>'
            f"<published>{stamp}</published><updated>{stamp}</updated>"
            f"<summary>{escape(summary)}</summary></entry>"
        )
    self_link = absolute_url_for(site, "nyhetsbrev:feed")
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>tag:{escape(authority)},2026:nyhetsbrev</id><title>{escape(site.name)}: {escape(_('Nyhetsbrev'))}</title>"
        f'<link rel="self" href="{escape(self_link)}"/>'
        f'<link rel="alternate" href="{escape(absolute_url_for(site, "nyhetsbrev:archive"))}"/>'
        f"<updated>{updated.isoformat()}</updated><author><name>{escape(site.name)}</name></author>"
        + "".join(entries)
        + "</feed>\n"
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


# -- staff ---------------------------------------------------------------------------------------------


def _period(day: date, end: bool, site: Site) -> datetime:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(site.config.site.timezone)
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=zone)
    return moment.astimezone(UTC)


def admin(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    form = IssueForm.bind(request)
    if request.method == "POST" and form.validate():
        assert form.start.data is not None and form.end.data is not None
        if form.end.data < form.start.data:
            form.end.errors = [_("Slutdatum kan inte vara före startdatum.")]
        else:
            start, end = _period(form.start.data, False, site), _period(form.end.data, True, site)
            with site.session() as db:
                issue = Issue(
                    title=(form.title.data or "").strip(),
                    editorial=form.editorial.data or "",
                    period_start=start,
                    period_end=end,
                    items=letters.gather(site, db, start, end),
                    created_at=site.clock.now(),
                )
                db.add(issue)
                db.commit()
                issue_id = issue.id
            flash(request, _("Utkastet är skapat med periodens nyheter och evenemang."))
            return RedirectResponse(url_for(site, "nyhetsbrev:edit", issue_id=issue_id), status_code=303)
    per_page = letters.settings_of(site).per_page
    with site.session() as db:
        total = int(db.exec(select(func.count()).select_from(Issue)).one())
        pages = page_count(total, per_page)
        page = min(page_number(request), pages)
        issues = db.exec(
            select(Issue).order_by(col(Issue.id).desc()).offset((page - 1) * per_page).limit(per_page)
        ).all()
        subscribers = letters.confirmed_count(db)
    return site.render(
        request,
        "nyhetsbrev/admin.html",
        {
            "form": form,
            "issues": issues,
            "subscribers": subscribers,
            "page": page,
            "pages": pages,
            "page_link": page_link(url_for(site, "nyhetsbrev:admin"), {}),
            "new_url": url_for(site, "nyhetsbrev:admin"),
            "edit_url": lambda i: url_for(site, "nyhetsbrev:edit", issue_id=i.id),
            "preview_url": lambda i: url_for(site, "nyhetsbrev:preview", issue_id=i.id),
        },
        status_code=400 if form.errors else 200,
    )


def _issue_or_404(site: Site, request: Request) -> Issue:
    with site.session() as db:
        issue = db.get(Issue, request.path_params["issue_id"])
    if issue is None:
        raise HTTPException(404, _("Det numret finns inte."))
    return issue


def edit(request: Request) -> Response:
    site = site_of(request)
    user = require_admin(request)
    issue = _issue_or_404(site, request)
    form = EditForm.bind(request, obj=issue)
    if request.method == "POST" and issue.state == IssueState.DRAFT and form.validate():
        with site.session() as db:
            fresh = db.get(Issue, issue.id)
            assert fresh is not None
            if fresh.state == IssueState.DRAFT:
                fresh.title, fresh.editorial = (form.title.data or "").strip(), form.editorial.data or ""
                db.add(fresh)
                db.commit()
        flash(request, _("Utkastet är sparat."))
        return RedirectResponse(url_for(site, "nyhetsbrev:edit", issue_id=issue.id), status_code=303)
    with site.session() as db:
        subscribers = letters.confirmed_count(db)
    return site.render(
        request,
        "nyhetsbrev/edit.html",
        {
            "issue": issue,
            "form": form,
            "user": user,
            "subscribers": subscribers,
            "item_count": len(letters.items_of(issue)),
            "preview_url": url_for(site, "nyhetsbrev:preview", issue_id=issue.id),
            "test_url": url_for(site, "nyhetsbrev:test", issue_id=issue.id),
            "send_url": url_for(site, "nyhetsbrev:send", issue_id=issue.id),
            "web_url": url_for(site, "nyhetsbrev:issue", issue_id=issue.id),
            "admin_url": url_for(site, "nyhetsbrev:admin"),
        },
        status_code=400 if form.errors else 200,
    )


def preview(request: Request) -> Response:
    """The issue as its web page, and below it the e-mail as the test send
    mails it (``letters.preview_mail``): the HTML part in a sandboxed frame
    (``<iframe sandbox srcdoc>``: no script, an origin of its own, the page's
    CSP), then the plain text."""
    site = site_of(request)
    user = require_admin(request)
    issue = _issue_or_404(site, request)
    mail = letters.preview_mail(site, issue, user.email, user.locale or site.locale)
    return _issue_page(request, issue, mail.body, mail.html)


def test_send(request: Request) -> Response:
    site = site_of(request)
    user = require_admin(request)
    issue = _issue_or_404(site, request)
    with site.session() as db:
        letters.send_test(site, db, issue, user.email, user.locale or site.locale)
        db.commit()
    flash(request, _("Ett provexemplar är skickat till %(email)s.") % {"email": user.email})
    return RedirectResponse(url_for(site, "nyhetsbrev:edit", issue_id=issue.id), status_code=303)


def send(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    issue = _issue_or_404(site, request)
    with site.session() as db:
        count = letters.send_issue(site, db, request.path_params["issue_id"])
        db.commit()
    if count is None:
        flash(request, _("Numret är redan skickat. Inget skickades en gång till."), "error")
    else:
        flash(request, _("Numret skickas nu till %(n)s prenumeranter.") % {"n": count})
    return RedirectResponse(url_for(site, "nyhetsbrev:edit", issue_id=issue.id), status_code=303)
