"""Staff pages for the catalogue: list, add and edit items, send them to
repair and back, and print labels. Staff edit the items of their own
branches; admins every item."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    ImageError,
    SelectChoice,
    Site,
    User,
    delete_image,
    flash,
    index_text,
    match,
    page_count,
    page_number,
    read_form,
    store_upload,
    url_for,
)
from core.api import gettext as _
from plugins.fritidsbanken import labels, lending
from plugins.fritidsbanken.access import require_branch_staff, require_staff, staff_branch_ids
from plugins.fritidsbanken.forms import ItemForm
from plugins.fritidsbanken.models import CONDITION_LABELS, STATUS_LABELS, Branch, Item, ItemStatus, Loan
from plugins.fritidsbanken.web import render, settings_of, site_of

PER_PAGE = 50
MAX_LABELS = 120


def refresh_search_text(item: Item) -> None:
    item.search_text = index_text(item.name, item.category, item.size, item.description, item.number)


def next_number(db: Session) -> str:
    """One more than the highest all-digit ID number in use."""
    numbers = db.exec(select(Item.number)).all()
    highest = max((int(n) for n in numbers if n.isdigit()), default=1000)
    return str(highest + 1)


def item_list(request: Request) -> Response:
    site = site_of(request)
    q = request.query_params
    with site.session() as db:
        user = require_staff(request, db)
        statement = select(Item)
        status = q.get("status", "")
        if status in STATUS_LABELS:
            statement = statement.where(Item.status == status)
        category = q.get("kategori", "")
        if category:
            statement = statement.where(Item.category == category)
        clause = match(col(Item.search_text), q.get("q", ""))
        if clause is not None:
            statement = statement.where(clause)
        total = int(db.exec(select(func.count()).select_from(statement.subquery())).one())
        page = page_number(request)
        items = db.exec(statement.order_by(col(Item.number)).offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
        branches = {b.id: b.name for b in db.exec(select(Branch)).all()}
        mine = staff_branch_ids(db, user)
    return render(
        request,
        "fritidsbanken/admin_items.html",
        {
            "items": items,
            "branches": branches,
            "mine": mine,
            "total": total,
            "page": page,
            "pages": page_count(total, PER_PAGE),
            "q": q.get("q", ""),
            "status": status,
            "category": category,
            "statuses": STATUS_LABELS,
            "page_link": lambda n: (
                url_for(site, "fritidsbanken:admin_items") + f"?sida={n}&status={status}&kategori={category}"
            ),
        },
    )


def _load(db: Session, request: Request, user: User) -> Item | None:
    item_id = request.path_params.get("item_id")
    if item_id is None:
        return None
    item = db.get(Item, item_id)
    if item is None:
        raise HTTPException(404, _("Saken finns inte."))
    return item


def item_edit(request: Request) -> Response:
    site = site_of(request)
    settings = settings_of(site)
    with site.session() as db:
        user = require_staff(request, db)
        item = _load(db, request, user)
        if item is not None:
            require_branch_staff(request, db, item.branch_id)
        form = ItemForm.bind(request, obj=item)
        allowed = staff_branch_ids(db, user)
        branches = [b for b in db.exec(select(Branch).order_by(col(Branch.name))).all() if b.id in allowed]
        # Options render as given, so their labels are translated here; the values stay stored codes.
        form.category.choices = [SelectChoice(c, _(c)) for c in settings.categories]
        form.condition.choices = [SelectChoice(k, _(v)) for k, v in CONDITION_LABELS.items()]
        form.branch.choices = [SelectChoice(str(b.id), b.name) for b in branches]
        if request.method == "GET":
            if item is None:
                form.number.data = next_number(db)
                form.condition.data = "good"
            else:
                form.branch.data = str(item.branch_id)
                form.retired.data = item.status == ItemStatus.RETIRED
        if not branches:
            flash(request, _("Lägg först upp ett utlåningsställe."), "error")
            return RedirectResponse(url_for(site, "fritidsbanken:admin_branches"), status_code=303)
        if request.method == "POST" and form.validate():
            number = (form.number.data or "").strip().upper()
            clash = lending.item_by_number(db, number)
            if clash is not None and (item is None or clash.id != item.id):
                form.number.errors = [
                    _("ID-numret %(number)s finns redan (%(name)s). Välj ett annat.")
                    % {"number": number, "name": clash.name}
                ]
            else:
                saved = _save(site, db, form, item, number)
                if saved is not None:
                    db.commit()
                    flash(request, _("%(name)s (%(number)s) är sparad.") % {"name": saved.name, "number": saved.number})
                    return RedirectResponse(url_for(site, "fritidsbanken:item_edit", item_id=saved.id), status_code=303)
        loans: Sequence[Loan] = []
        if item is not None:
            loans = db.exec(
                select(Loan).where(Loan.item_id == item.id).order_by(col(Loan.out_at).desc()).limit(10)
            ).all()
            current = lending.open_loan(db, item.id) if item.id else None
        else:
            current = None
        queue = lending.queue(db, item.id) if item is not None and item.id else []
    return render(
        request,
        "fritidsbanken/admin_item_form.html",
        {
            "form": form,
            "item": item,
            "loans": loans,
            "current": current,
            "queue": queue,
            "max_image_kb": settings.max_image_kb,
            "qr": labels.qr_svg(labels.item_address(site, item)) if item else None,
        },
        status_code=400 if form.errors else 200,
    )


def _shared(db: Session, item: Item) -> bool:
    """True if another item shows the same photo file (identical things,
    such as the demo's twelve footballs, may share one): it must stay."""
    return (
        db.exec(select(Item.id).where(Item.photo == item.photo, col(Item.id) != item.id).limit(1)).first() is not None
    )


def _save(site: Site, db: Session, form: ItemForm, item: Item | None, number: str) -> Item | None:
    upload = form.photo_file.data
    photo = ""
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            photo = store_upload(upload, site.uploads_dir, settings_of(site).max_image_kb, "fritid")
        except ImageError as exc:
            form.photo_file.errors = [str(exc)]
            return None
    branch_id = int(form.branch.data)
    now = site.clock.now()
    if item is None:
        item = Item(number=number, name="", category="", branch_id=branch_id, created_at=now)
    if photo:
        if item.photo and not _shared(db, item):
            delete_image(site.uploads_dir, item.photo)
        item.photo = photo
    item.number = number
    item.name = (form.name.data or "").strip()
    item.category = form.category.data
    item.size = (form.size.data or "").strip()
    item.condition = form.condition.data
    item.description = (form.description.data or "").strip()
    item.needs_consent = bool(form.needs_consent.data)
    item.donor = (form.donor.data or "").strip()
    item.branch_id = branch_id
    if form.retired.data and item.status != ItemStatus.RETIRED:
        if item.status == ItemStatus.ON_LOAN:
            form.retired.errors = [_("Saken är utlånad. Ta emot den först, eller låt den stå som utlånad.")]
            return None
        for reservation in lending.queue(db, item.id) if item.id else []:
            lending.cancel(db, site, reservation)
        item.status = ItemStatus.RETIRED
    elif not form.retired.data and item.status == ItemStatus.RETIRED:
        item.status = ItemStatus.AVAILABLE
    item.updated_at = now
    refresh_search_text(item)
    db.add(item)
    db.flush()
    return item


def item_repair(request: Request) -> Response:
    site = site_of(request)
    data = read_form(request)
    with site.session() as db:
        user = require_staff(request, db)
        item = _load(db, request, user)
        assert item is not None
        require_branch_staff(request, db, item.branch_id)
        note = str(data.get("note", "")).strip()
        if not note:
            flash(request, _("Skriv vad som är trasigt, så vet den som lagar saken vad som ska göras."), "error")
        elif item.status == ItemStatus.ON_LOAN:
            flash(request, _("Saken är utlånad. Ta emot den vid disken och skriv skadan där."), "error")
        else:
            lending.send_to_repair(db, item, note, site.clock.now())
            db.commit()
            flash(
                request,
                _("%(name)s (%(number)s) är skickad till reparation.") % {"name": item.name, "number": item.number},
            )
    return RedirectResponse(url_for(site, "fritidsbanken:item_edit", item_id=item.id), status_code=303)


def item_repaired(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        user = require_staff(request, db)
        item = _load(db, request, user)
        assert item is not None
        require_branch_staff(request, db, item.branch_id)
        if item.status == ItemStatus.REPAIR:
            lending.back_from_repair(db, site, item)
            db.commit()
            if item.status == ItemStatus.RESERVED:
                message = _("%(name)s (%(number)s) är lagad och reserverad för nästa i kön.")
            else:
                message = _("%(name)s (%(number)s) är lagad och tillgänglig.")
            flash(request, message % {"name": item.name, "number": item.number})
    return RedirectResponse(url_for(site, "fritidsbanken:item_edit", item_id=item.id), status_code=303)


def label_sheet(request: Request) -> Response:
    """A printable sheet of labels for the numbers in ``?nr=`` (a list or
    ranges such as ``1001-1024``)."""
    site = site_of(request)
    numbers = _expand(request.query_params.get("nr", ""))
    with site.session() as db:
        require_staff(request, db)
        items = (
            db.exec(select(Item).where(col(Item.number).in_(numbers)).order_by(col(Item.number))).all()
            if numbers
            else []
        )
    return render(
        request,
        "fritidsbanken/labels.html",
        {
            "labels": [(i, labels.qr_svg(labels.item_address(site, i))) for i in items],
            "nr": request.query_params.get("nr", ""),
            "missing": sorted(set(numbers) - {i.number for i in items}),
        },
    )


def _expand(text: str) -> list[str]:
    out: list[str] = []
    for part in re.split(r"[\s,;]+", text.strip()):
        bounds = re.fullmatch(r"(\d{1,9})-(\d{1,9})", part)
        if bounds:
            low, high = int(bounds.group(1)), int(bounds.group(2))
            out.extend(str(n) for n in range(low, min(high, low + MAX_LABELS - 1) + 1))
        elif part:
            out.append(part.upper()[:20])
        if len(out) >= MAX_LABELS:
            break
    return out[:MAX_LABELS]
