"""Crops: the starter list that ships with the plugin, the public crop list,
"Vad blommar nu" (computed from the flowering months) and the coordinators'
crop form."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField, validators, widgets

from core.api import N_, Form, current_user, flash, index_text, query_int, site_of, url_for
from core.api import gettext as _
from plugins.odling import web
from plugins.odling.models import Crop, Planting
from plugins.odling.taxa import GROUPS

STARTER_LIST = Path(__file__).parent / "data" / "crops.csv"

#: Stored as the keys; the labels are translated where they are shown.
LIFECYCLES = {"ettarig": N_("Ettårig"), "tvaarig": N_("Tvåårig"), "flerarig": N_("Flerårig")}


def starter_rows() -> list[dict[str, str]]:
    """The shipped list: real plants, edible for people, visited by pollinators."""
    with STARTER_LIST.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def search_text(crop: Crop) -> str:
    return index_text(crop.name_sv, crop.name_latin, crop.edible_parts)


def load_starter_list(db: Session) -> int:
    """Add the crops of the starter list that are missing (by Latin name).
    Idempotent; returns how many were added."""
    known = set(db.exec(select(Crop.name_latin)).all())
    added = 0
    for row in starter_rows():
        if row["name_latin"] in known:
            continue
        crop = Crop(
            name_sv=row["name_sv"],
            name_latin=row["name_latin"],
            edible_parts=row["edible_parts"],
            flowering=",".join(row["flowering"].split()),
            pollinators=",".join(row["pollinators"].split()),
            lifecycle=row["lifecycle"],
            notes=row["notes"],
        )
        crop.search_text = search_text(crop)
        db.add(crop)
        added += 1
    db.flush()
    return added


def all_crops(db: Session) -> list[Crop]:
    return list(db.exec(select(Crop).order_by(col(Crop.name_sv))).all())


def blooming(crops: list[Crop], month: int) -> list[Crop]:
    return [c for c in crops if month in c.months]


def next_to_bloom(crops: list[Crop], month: int) -> tuple[int, list[Crop]]:
    """The first month after ``month`` in which some crop starts to flower,
    and those crops (in winter that is spring, not an empty December)."""
    for step in range(1, 13):
        candidate = (month - 1 + step) % 12 + 1
        previous = (candidate - 2) % 12 + 1
        starting = [c for c in crops if candidate in c.months and previous not in c.months]
        if starting:
            return candidate, starting
    return month % 12 + 1, []


def month_ranges(months: list[int]) -> str:
    """ "6, 7, 8, 9" -> "juni–september" (in the request's language); gaps give several ranges."""
    if not months:
        return "–"
    months = sorted(set(months))
    ranges: list[tuple[int, int]] = []
    for m in months:
        if ranges and m == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], m)
        else:
            ranges.append((m, m))
    names = web.month_names()
    return ", ".join(names[a - 1] if a == b else f"{names[a - 1]}–{names[b - 1]}" for a, b in ranges)


def pollinator_names(crop: Crop) -> str:
    return ", ".join(_(GROUPS[k]).lower() if k in GROUPS else k for k in crop.pollinator_keys)


def template_helpers() -> dict[str, object]:
    return {
        "month_ranges": month_ranges,
        "pollinator_names": pollinator_names,
        "lifecycles": LIFECYCLES,
        "month_names": web.month_names(),
    }


# -- public pages ------------------------------------------------------------------


def crop_list(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        crops = all_crops(db)
        coordinator = web.is_coordinator(db, current_user(request))
    return site.render(
        request,
        "odling/crops.html",
        {
            "crops": crops,
            "coordinator": coordinator,
            **template_helpers(),
        },
    )


def blooming_now(request: Request) -> Response:
    """What flowers this month (or the month in ``?manad=``), and next month."""
    site = site_of(request)
    today = web.clock(site).today()
    chosen = query_int(request, "manad", minimum=1, maximum=12)
    month = chosen or today.month
    with site.session() as db:
        crops = all_crops(db)
        planted = set(db.exec(select(Planting.crop_id).where(Planting.season == today.year)).all())
    now_list = blooming(crops, month)
    next_month, starting = next_to_bloom(crops, month)
    return site.render(
        request,
        "odling/blooming.html",
        {
            "month": month,
            "month_name": web.month_name(month),
            "is_current": month == today.month,
            "today": today,
            "crops": now_list,
            "in_park": [c for c in now_list if c.id in planted],
            "next_month": next_month,
            "starting": starting,
            **template_helpers(),
        },
    )


# -- coordinators ---------------------------------------------------------------------


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CropForm(Form):
    name_sv = StringField(
        "Svenskt namn", [validators.InputRequired("Skriv växtens svenska namn."), validators.Length(max=120)]
    )
    name_latin = StringField(
        "Latinskt namn",
        [
            validators.InputRequired("Skriv växtens latinska namn, till exempel Borago officinalis."),
            validators.Length(max=160),
        ],
    )
    edible_parts = StringField(
        "Ätliga delar", [validators.Length(max=200)], description=N_("Till exempel: blad, blommor, frön.")
    )
    flowering = CheckboxList(
        N_("Blommar"),
        choices=lambda: web.options((str(i + 1), name.capitalize()) for i, name in enumerate(web.month_names())),
        validators=[validators.InputRequired("Kryssa i minst en månad då växten blommar.")],
    )
    pollinators = CheckboxList(
        N_("Föda för"),
        choices=web.translated_options(GROUPS),
        validators=[validators.InputRequired("Kryssa i minst en grupp pollinatörer som växten ger föda.")],
    )
    lifecycle = SelectField("Livslängd", choices=web.translated_options(LIFECYCLES))
    notes = TextAreaField("Odlingstips", [validators.Length(max=500)])


def crop_edit(request: Request) -> Response:
    user = web.require_coordinator(request)
    del user
    site = site_of(request)
    crop_id = request.path_params.get("crop_id")
    with site.session() as db:
        crop = db.get(Crop, crop_id) if crop_id is not None else None
        if crop_id is not None and crop is None:
            raise web.not_found(_("Växten finns inte. Gå tillbaka till växtlistan."))
        form = CropForm.bind(request)
        if request.method == "GET" and crop is not None:
            form.name_sv.data, form.name_latin.data = crop.name_sv, crop.name_latin
            form.edible_parts.data, form.notes.data = crop.edible_parts, crop.notes
            form.flowering.data = [str(m) for m in crop.months]
            form.pollinators.data = crop.pollinator_keys
            form.lifecycle.data = crop.lifecycle
        if request.method == "POST" and form.validate():
            latin = (form.name_latin.data or "").strip()
            clash = db.exec(select(Crop).where(Crop.name_latin == latin)).first()
            if clash is not None and (crop is None or clash.id != crop.id):
                form.name_latin.errors = [
                    _("%(crop)s har redan det latinska namnet. Ändra den växten i stället.") % {"crop": clash.name_sv}
                ]
            else:
                crop = crop or Crop(name_sv="", name_latin="")
                crop.name_sv = (form.name_sv.data or "").strip()
                crop.name_latin = latin
                crop.edible_parts = (form.edible_parts.data or "").strip()
                crop.flowering = ",".join(sorted(form.flowering.data or [], key=int))
                crop.pollinators = ",".join(form.pollinators.data or [])
                crop.lifecycle = form.lifecycle.data
                crop.notes = (form.notes.data or "").strip()
                crop.search_text = search_text(crop)
                db.add(crop)
                db.commit()
                flash(request, _("%(name)s är sparad.") % {"name": crop.name_sv})
                return RedirectResponse(url_for(site, "odling:crops"), status_code=303)
    status = 400 if request.method == "POST" else 200
    return site.render(
        request,
        "odling/crop_form.html",
        {"form": form, "crop": crop, "coordinator": True},
        status_code=status,
    )
