"""Festival programme pages: the list of programmes, a programme by day
and stage, its printable A4 version and its .ics; the call for
contributions, where association editors send in and change items."""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import and_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    N_,
    Forbidden,
    SelectChoice,
    Site,
    User,
    current_user,
    flash,
    read_form,
    require_user,
    site_of,
    url_for,
)
from core.api import gettext as _
from plugins.evenemang import ical, store
from plugins.evenemang import programme_store as programmes
from plugins.evenemang.models import Event, Review
from plugins.evenemang.programme_forms import ItemForm
from plugins.evenemang.programme_models import ItemState, Programme, ProgrammeItem

STATE_LABELS = {
    ItemState.PENDING: N_("Väntar på granskning"),
    ItemState.CHANGES: N_("Ändringar önskas"),
    ItemState.ACCEPTED: N_("Antaget"),
    ItemState.DECLINED: N_("Avböjt"),
}
STATE_BADGES = {ItemState.PENDING: "info", ItemState.CHANGES: "warning", ItemState.ACCEPTED: "success"}


def state_label(state: str) -> str:
    return _(STATE_LABELS.get(ItemState(state), state)) if state in set(ItemState) else state


# -- reading --------------------------------------------------------------------------------------


def programme_list(request: Request) -> Response:
    site = site_of(request)
    user = current_user(request)
    with site.session() as db:
        rows = db.exec(select(Programme).order_by(col(Programme.first_day).desc())).all()
    return site.render(
        request,
        "evenemang/programmes.html",
        {
            "programmes": rows,
            "programme_url": lambda p: url_for(site, "evenemang:programme", slug=p.slug),
            "call_closed": lambda p: programmes.call_closed(site, p),
            "day_text": lambda d: programmes.day_text(site, d),
            "new_url": url_for(site, "evenemang:programme_new") if user and user.is_admin else "",
            "mine_url": url_for(site, "evenemang:my_items") if user else "",
        },
    )


def _by_day_and_stage(
    programme: Programme, slots: list[programmes.Slot]
) -> list[tuple[date, list[tuple[str, list[programmes.Slot]]]]]:
    """Days in order; in each, the programme's stages in their own order
    (then any others), each with its items by time."""
    order = {name: n for n, name in enumerate(programme.stage_list)}
    days: dict[date, dict[str, list[programmes.Slot]]] = defaultdict(lambda: defaultdict(list))
    for slot in slots:
        days[slot.start.date()][slot.stage].append(slot)
    return [
        (day, sorted(stages.items(), key=lambda pair: (order.get(pair[0], len(order)), pair[0])))
        for day, stages in sorted(days.items())
    ]


def _programme_context(site: Site, request: Request, db: Session, programme: Programme) -> dict[str, Any]:
    assert programme.id is not None
    user = current_user(request)
    slots = programmes.slots(db, programme.id)
    organisers = store.organisers_of(db, [s.event.id for s in slots if s.event.id])
    is_admin = user is not None and user.is_admin
    return {
        "programme": programme,
        "days": _by_day_and_stage(programme, slots),
        "slots": slots,
        "item_count": len(slots),
        "association_count": len({s.item.association_slug for s in slots}),
        "organisers": organisers,
        "day_text": lambda d: programmes.day_text(site, d),
        "event_url": lambda s: url_for(site, "evenemang:event", event_id=s.event.id),
        "call_closed": programmes.call_closed(site, programme),
        "submit_url": url_for(site, "evenemang:programme_submit", slug=programme.slug),
        "print_url": url_for(site, "evenemang:programme_print", slug=programme.slug),
        "ics_url": url_for(site, "evenemang:programme_ics", slug=programme.slug),
        "page_url": url_for(site, "evenemang:programme", slug=programme.slug),
        "list_url": url_for(site, "evenemang:programmes"),
        "review_url": url_for(site, "evenemang:programme_review", slug=programme.slug) if is_admin else "",
        "edit_url": url_for(site, "evenemang:programme_edit", slug=programme.slug) if is_admin else "",
        "pending": programmes.counts(db, programme.id)[ItemState.PENDING] if is_admin else 0,
        "logged_in": user is not None,
        "mine_url": url_for(site, "evenemang:my_items") if user else "",
    }


def programme_page(request: Request) -> Response:
    """A programme by day and stage (a heading per day, one per stage)."""
    site = site_of(request)
    with site.session() as db:
        programme = programmes.load_programme(db, request.path_params["slug"])
        context = _programme_context(site, request, db, programme)
    return site.render(request, "evenemang/programme.html", context)


def programme_print(request: Request) -> Response:
    """The programme on A4: a table per day, the site's header and menu left
    out by the print stylesheet."""
    site = site_of(request)
    with site.session() as db:
        programme = programmes.load_programme(db, request.path_params["slug"])
        context = _programme_context(site, request, db, programme)
    return site.render(request, "evenemang/programme_print.html", context)


def programme_ics(request: Request) -> Response:
    """The programme's accepted items as one calendar (the events helper's
    builder, with conditional GET)."""
    site = site_of(request)
    with site.session() as db:
        programme = programmes.load_programme(db, request.path_params["slug"])
        assert programme.id is not None
        accepted = select(ProgrammeItem.event_id).where(
            ProgrammeItem.programme_id == programme.id, ProgrammeItem.state == ItemState.ACCEPTED
        )
        where = and_(col(Event.review) == Review.PUBLISHED, col(Event.id).in_(accepted))
        etag, modified = ical.fingerprint(db, where)
        if ical.not_modified(request, etag, modified):
            return ical.response(request, None, etag, modified, f"{programme.slug}.ics")
        events = db.exec(select(Event).where(where).order_by(col(Event.first_start_utc))).all()
        organisers = ical.organiser_names(db, [e.id for e in events if e.id is not None])
    body = ical.calendar(site, programme.title, events, organisers)
    return ical.response(request, body, etag, modified, f"{programme.slug}.ics")


# -- contributing ---------------------------------------------------------------------------------


def _associations(site: Site, db: Session, user: User) -> dict[str, str]:
    mine = store.editable_slugs(site, db, user)
    if not mine:
        raise Forbidden(
            _(
                "Bara föreningarnas redaktörer kan skicka in bidrag. "
                "Be webbplatsens administratör att koppla ditt konto till din förening."
            )
        )
    return mine


def _choices(site: Site, form: ItemForm, programme: Programme, mine: dict[str, str]) -> None:
    form.association.choices = [SelectChoice(slug, name) for slug, name in sorted(mine.items(), key=lambda x: x[1])]
    form.day.choices = [
        SelectChoice(d.isoformat(), programmes.day_text(site, d)) for d in programmes.days_of(programme)
    ]
    form.stage.choices = [SelectChoice(s, s) for s in programme.stage_list] + [
        SelectChoice("", _("Vet inte, arrangören väljer"))
    ]


def _apply(site: Site, form: ItemForm, item: ProgrammeItem, programme: Programme, mine: dict[str, str]) -> bool:
    """Copy a valid form onto ``item``; False with the problem on a field."""
    ok = True
    if form.association.data not in mine:
        form.association.errors = [_("Välj en av dina föreningar.")]
        ok = False
    days = {d.isoformat(): d for d in programmes.days_of(programme)}
    if form.day.data not in days:
        form.day.errors = [_("Välj en av programmets dagar.")]
        ok = False
    if form.stage.data and form.stage.data not in programme.stage_list:
        form.stage.errors = [_("Välj en scen i listan.")]
        ok = False
    if not ok:
        return False
    assert form.start_time.data is not None and form.end_time.data is not None
    item.title = (form.title.data or "").strip()
    item.description = (form.description.data or "").strip()
    item.association_slug = form.association.data or ""
    item.association_name = mine[item.association_slug]
    item.day = days[form.day.data or ""]
    item.start_time = form.start_time.data.replace(second=0, microsecond=0)
    item.end_time = form.end_time.data.replace(second=0, microsecond=0)
    item.stage = form.stage.data or ""
    item.needs = (form.needs.data or "").strip()
    item.contact_name = (form.contact_name.data or "").strip()
    item.contact_email = (form.contact_email.data or "").strip()
    problem = programmes.check_times(site, item)
    if problem:
        form.end_time.errors = [problem]
        return False
    return True


def submit(request: Request) -> Response:
    """``/evenemang/program/{slug}/bidra``: an editor sends in a programme
    item for one of their associations, until the deadline. After it the
    form comes back with everything typed and the reason."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        programme = programmes.load_programme(db, request.path_params["slug"])
        mine = _associations(site, db, user)
        form = ItemForm.bind(request)
        _choices(site, form, programme, mine)
        closed = programmes.call_closed(site, programme)
        key = _submission_key(request)
        if request.method == "GET":
            form.contact_name.data, form.contact_email.data = user.name, user.email
            if len(mine) == 1:
                form.association.data = next(iter(mine))
        elif (earlier := _sent_before(db, user, key)) is not None:
            # The same form a second time (a double-click, a reload of the POST): one item, the same answer.
            return _thanks(request, site, earlier)
        elif form.validate() and not closed:
            item = ProgrammeItem(
                programme_id=programme.id or 0,
                title="",
                association_slug="",
                association_name="",
                day=programme.first_day,
                start_time=programmes.MIDNIGHT,
                end_time=programmes.MIDNIGHT,
                contact_email="",
                submitted_by_id=user.id,
            )
            item.submission_key = key
            if _apply(site, form, item, programme, mine):
                db.add(item)
                try:
                    db.commit()
                except IntegrityError:  # the other send of this form won the unique key
                    db.rollback()
                    earlier = _sent_before(db, user, key)
                    if earlier is None:
                        raise
                    return _thanks(request, site, earlier)
                return _thanks(request, site, item)
    return site.render(
        request,
        "evenemang/programme_submit.html",
        {
            "form": form,
            "programme": programme,
            "item": None,
            "editable": True,
            "closed": closed,
            "deadline": programmes.day_text(site, programme.deadline) if programme.deadline else "",
            "page_url": url_for(site, "evenemang:programme", slug=programme.slug),
            "submission_key": key,
        },
        status_code=400 if request.method == "POST" else 200,
    )


def _submission_key(request: Request) -> str:
    """The form's random key: the one it was sent with (POST), or a new one
    for a new form (GET). Anything but a plausible key is replaced."""
    if request.method == "POST":
        sent = str(read_form(request).get("inskick") or "")
        if 16 <= len(sent) <= 64 and all(c.isalnum() or c in "-_" for c in sent):
            return sent
    return secrets.token_urlsafe(24)


def _sent_before(db: Session, user: User, key: str) -> ProgrammeItem | None:
    """The item this user already sent with this form, if any."""
    return db.exec(
        select(ProgrammeItem).where(ProgrammeItem.submission_key == key, ProgrammeItem.submitted_by_id == user.id)
    ).first()


def _thanks(request: Request, site: Site, item: ProgrammeItem) -> Response:
    flash(
        request,
        _("Tack! ”%(title)s” är inskickat. Ni får besked med e-post till %(email)s.")
        % {"title": item.title, "email": item.contact_email},
    )
    return RedirectResponse(url_for(site, "evenemang:my_items"), status_code=303)


def _may_change(site: Site, db: Session, user: User, item: ProgrammeItem) -> bool:
    if user.is_admin or (item.submitted_by_id is not None and item.submitted_by_id == user.id):
        return True
    return item.association_slug in store.editable_slugs(site, db, user)


def item_edit(request: Request) -> Response:
    """``/evenemang/bidrag/{id}``: the submitter sees their item and the
    admins' message, and changes it while it waits or when changes were
    asked for; a change sends it back for review."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        item = programmes.load_item(db, request.path_params["item_id"])
        if not _may_change(site, db, user, item):
            raise Forbidden(_("Du kan bara se och ändra bidrag från dina egna föreningar."))
        programme = db.get(Programme, item.programme_id)
        assert programme is not None
        mine = store.editable_slugs(site, db, user)
        mine.setdefault(item.association_slug, item.association_name)
        editable = item.state in (ItemState.PENDING, ItemState.CHANGES)
        form = ItemForm.bind(request)
        _choices(site, form, programme, mine)
        if request.method == "GET" or not editable:
            form.process(obj=item)
            form.association.data, form.day.data = item.association_slug, item.day.isoformat()
        elif form.validate():
            with db.no_autoflush:
                applied = _apply(site, form, item, programme, mine)
            if applied:
                item.state = ItemState.PENDING
                item.updated_at = site.clock.now()
                db.add(item)
                db.commit()
                flash(request, _("Ändringen är sparad och bidraget väntar på granskning igen."))
                return RedirectResponse(url_for(site, "evenemang:my_items"), status_code=303)
            db.rollback()
    if request.method == "POST" and not editable:
        flash(request, _("Bidraget är redan granskat och kan inte ändras. Kontakta arrangören."), "error")
        return RedirectResponse(request.url.path, status_code=303)
    return site.render(
        request,
        "evenemang/programme_submit.html",
        {
            "form": form,
            "programme": programme,
            "item": item,
            "editable": editable,
            "state_label": state_label(item.state),
            "closed": "",
            "deadline": "",
            "page_url": url_for(site, "evenemang:programme", slug=programme.slug),
        },
        status_code=400 if request.method == "POST" else 200,
    )


def my_items(request: Request) -> Response:
    """The signed-in editor's contributions to every programme, with where
    each stands and the admins' message."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as db:
        slugs = list(store.editable_slugs(site, db, user))
        rows = db.exec(
            select(ProgrammeItem, Programme)
            .join(Programme, col(Programme.id) == col(ProgrammeItem.programme_id))
            .where((col(ProgrammeItem.submitted_by_id) == user.id) | (col(ProgrammeItem.association_slug).in_(slugs)))
            .order_by(col(ProgrammeItem.created_at).desc())
        ).all()
        open_calls = [p for p in db.exec(select(Programme)).all() if not programmes.call_closed(site, p)]
    return site.render(
        request,
        "evenemang/my_items.html",
        {
            "rows": rows,
            "open_calls": open_calls,
            "state_label": state_label,
            "state_badge": lambda s: STATE_BADGES.get(ItemState(s)) if s in set(ItemState) else None,
            "item_url": lambda i: url_for(site, "evenemang:item_edit", item_id=i.id),
            "submit_url": lambda p: url_for(site, "evenemang:programme_submit", slug=p.slug),
            "programme_url": lambda p: url_for(site, "evenemang:programme", slug=p.slug),
            "day_text": lambda d: programmes.day_text(site, d),
        },
    )
