"""What the umbrella's admins do with programmes: create and change one
(its days, stages and call for contributions) and review what the
associations sent in: accept, ask for changes or decline, each with a
message that is e-mailed to the submitter."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import SelectChoice, flash, page_link, page_number, paged, read_form, require_admin, site_of, url_for
from core.api import gettext as _
from plugins.evenemang import programme_store as programmes
from plugins.evenemang import store, times
from plugins.evenemang.programme import STATE_BADGES, state_label
from plugins.evenemang.programme_forms import DECISIONS, ProgrammeForm
from plugins.evenemang.programme_models import ItemState, Programme, ProgrammeItem

#: What the review form's choice stores.
DECISION_STATES = {"accept": ItemState.ACCEPTED, "changes": ItemState.CHANGES, "decline": ItemState.DECLINED}


def programme_edit(request: Request) -> Response:
    """``/evenemang/nytt-program`` and ``/evenemang/program/{slug}/redigera``."""
    site = site_of(request)
    require_admin(request)
    settings = store.settings_of(site)
    with site.session() as db:
        slug = request.path_params.get("slug")
        programme = programmes.load_programme(db, slug) if slug is not None else None
        form = ProgrammeForm.bind(request, obj=programme)
        form.category.choices = [SelectChoice("", _("Ingen kategori"))] + [
            SelectChoice(c, _(c)) for c in settings.categories
        ]
        if request.method == "GET" and programme is None:
            form.call_open.data = True
        if request.method == "POST" and form.validate():
            target = programme or Programme(
                slug="", title="", first_day=site.clock.today(), last_day=site.clock.today()
            )
            assert form.first_day.data is not None
            last = form.last_day.data or form.first_day.data
            taken = db.exec(select(Programme.id).where(Programme.slug == form.slug.data)).first()
            if last < form.first_day.data:
                form.last_day.errors = [_("Sista dagen kan inte vara före första dagen.")]
            elif (last - form.first_day.data).days >= programmes.MAX_DAYS:
                form.last_day.errors = [_("Ett program kan vara högst 31 dagar.")]
            elif taken is not None and taken != target.id:
                form.slug.errors = [_("Den adressen har redan ett annat program. Välj en annan.")]
            else:
                for name in ("title", "slug", "summary", "description", "place_name", "address", "municipality"):
                    setattr(target, name, (getattr(form, name).data or "").strip())
                target.stages = "\n".join(
                    line.strip() for line in (form.stages.data or "").splitlines() if line.strip()
                )
                target.first_day, target.last_day = form.first_day.data, last
                target.category = form.category.data if form.category.data in settings.categories else ""
                target.call_open = bool(form.call_open.data)
                target.deadline = form.deadline.data
                target.updated_at = site.clock.now()
                db.add(target)
                db.commit()
                flash(request, _("Programmet ”%(title)s” är sparat.") % {"title": target.title})
                return RedirectResponse(url_for(site, "evenemang:programme", slug=target.slug), status_code=303)
    return site.render(
        request,
        "evenemang/programme_form.html",
        {
            "form": form,
            "programme": programme,
            "page_url": url_for(site, "evenemang:programme", slug=programme.slug) if programme else "",
            "list_url": url_for(site, "evenemang:programmes"),
        },
        status_code=400 if request.method == "POST" else 200,
    )


def review_queue(request: Request) -> Response:
    """``/evenemang/program/{slug}/granska``: items waiting first (oldest
    first), each with the decision form; then the ones already decided."""
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        programme = programmes.load_programme(db, request.path_params["slug"])
    return site.render(request, "evenemang/programme_review.html", _review_context(request, programme))


def _review_context(request: Request, programme: Programme) -> dict[str, Any]:
    site = site_of(request)
    with site.session() as db:
        items = db.exec(
            select(ProgrammeItem)
            .where(ProgrammeItem.programme_id == programme.id)
            .order_by(col(ProgrammeItem.day), col(ProgrammeItem.start_time))
        ).all()
    waiting = sorted((i for i in items if i.state == ItemState.PENDING), key=lambda i: i.updated_at)
    decided = [i for i in items if i.state != ItemState.PENDING]
    decided_rows, page, pages = paged(decided, page_number(request), 50)
    return {
        "programme": programme,
        "waiting": waiting,
        "decided": decided_rows,
        "page": page,
        "pages": pages,
        "page_link": page_link(url_for(site, "evenemang:programme_review", slug=programme.slug), {}),
        "decisions": DECISIONS,
        "decide_url": lambda i: url_for(site, "evenemang:item_review", item_id=i.id),
        "item_url": lambda i: url_for(site, "evenemang:item_edit", item_id=i.id),
        "page_url": url_for(site, "evenemang:programme", slug=programme.slug),
        "day_text": lambda d: programmes.day_text(site, d),
        "state_label": state_label,
        "state_badge": lambda s: STATE_BADGES.get(ItemState(s)) if s in set(ItemState) else None,
        "problem_item": None,
        "problem": "",
        "kept_decision": "",
        "kept_message": "",
    }


def review_decide(request: Request) -> Response:
    """POST: accept (the item becomes an event), ask for changes or decline,
    with a message; the submitter is e-mailed. A decision without a choice,
    or a refusal without a message, comes back with what was written."""
    site = site_of(request)
    require_admin(request)
    data = read_form(request)
    decision = str(data.get("beslut") or "")
    message = str(data.get("meddelande") or "").strip()[:2000]
    with site.session() as db:
        item = programmes.load_item(db, request.path_params["item_id"])
        programme = db.get(Programme, item.programme_id)
        assert programme is not None
        queue = url_for(site, "evenemang:programme_review", slug=programme.slug)
        state = DECISION_STATES.get(decision)
        problem = ""
        if state is None:
            problem = _("Välj om bidraget ska antas, ändras eller avböjas.")
        elif state != ItemState.ACCEPTED and not message:
            problem = _("Skriv ett meddelande till föreningen: vad ska ändras, eller varför avböjs bidraget?")
        if problem:
            return _queue_again(request, programme, item, problem, decision, message)
        assert state is not None
        try:
            programmes.decide(site, db, programme, item, state, message)
        except times.TimeProblem as exc:
            db.rollback()
            return _queue_again(request, programme, item, str(exc), decision, message)
        db.commit()
        flash(
            request,
            _("”%(title)s”: %(state)s. Föreningen har fått ett mejl.")
            % {"title": item.title, "state": state_label(state).lower()},
        )
    return RedirectResponse(queue, status_code=303)


def _queue_again(
    request: Request, programme: Programme, item: ProgrammeItem, problem: str, decision: str, message: str
) -> Response:
    """The review page with the problem at the item, and the admin's
    choice and message kept."""
    context = _review_context(request, programme)
    context.update({"problem_item": item.id, "problem": problem, "kept_decision": decision, "kept_message": message})
    return site_of(request).render(request, "evenemang/programme_review.html", context, status_code=400)
