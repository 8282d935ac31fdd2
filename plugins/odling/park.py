"""The park: the plan with its beds and areas, each bed's page, and the
coordinators' forms to plan beds, plantings and harvests."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField, validators

from core.api import N_, Form, current_user, flash, query_int, site_of, url_for
from core.api import gettext as _
from plugins.odling import crops as crop_views
from plugins.odling import web
from plugins.odling.models import Bed, Crop, Harvest, Planting, WorkSession

PLAN_WIDTH, PLAN_HEIGHT = 1000, 600
# Stored as the keys; the labels are translated where they are shown.
SUN = {"sol": N_("Sol"), "halvskugga": N_("Halvskugga"), "skugga": N_("Skugga")}
KINDS = {"badd": N_("Odlingsbädd"), "omrade": N_("Område")}
UNITS = {"kg": "kg", "st": N_("st"), "knippen": N_("knippen"), "liter": N_("liter")}


def unit_name(unit: str) -> str:
    """A harvest unit as people read it (``kg`` is the same everywhere)."""
    return _(UNITS[unit]) if unit in UNITS else unit


def beds(db: Session) -> list[Bed]:
    return list(db.exec(select(Bed).order_by(col(Bed.code))).all())


def plantings_by_bed(db: Session, season: int) -> dict[int, list[tuple[Planting, Crop]]]:
    rows = db.exec(
        select(Planting, Crop)
        .join(Crop, col(Planting.crop_id) == col(Crop.id))
        .where(Planting.season == season)
        .order_by(col(Crop.name_sv))
    ).all()
    grouped: dict[int, list[tuple[Planting, Crop]]] = defaultdict(list)
    for planting, crop in rows:
        grouped[planting.bed_id].append((planting, crop))
    return grouped


def harvest_totals(db: Session, season: int) -> list[tuple[str, str, float]]:
    """(crop, unit, total) for the season, largest first."""
    rows = db.exec(
        select(Crop.name_sv, Harvest.unit, func.sum(Harvest.quantity))
        .join(Planting, col(Harvest.planting_id) == col(Planting.id))
        .join(Crop, col(Planting.crop_id) == col(Crop.id))
        .where(Planting.season == season)
        .group_by(Crop.name_sv, Harvest.unit)
    ).all()
    return sorted(((n, u, float(t or 0)) for n, u, t in rows), key=lambda r: -r[2])


def overview(request: Request) -> Response:
    site = site_of(request)
    today = web.clock(site).today()
    with site.session() as db:
        all_beds = beds(db)
        planted = plantings_by_bed(db, today.year)
        blooming = crop_views.blooming(crop_views.all_crops(db), today.month)
        upcoming = db.exec(
            select(WorkSession)
            .where(col(WorkSession.starts_at) >= web.clock(site).now())
            .order_by(col(WorkSession.starts_at))
            .limit(3)
        ).all()
        coordinator = web.is_coordinator(db, current_user(request))
    blooming_ids = {c.id for c in blooming}
    in_bloom_by_bed = {bed_id: [c for _, c in rows if c.id in blooming_ids] for bed_id, rows in planted.items()}
    return site.render(
        request,
        "odling/park.html",
        {
            "beds": all_beds,
            "planted": planted,
            "in_bloom_by_bed": in_bloom_by_bed,
            "blooming_count": len(blooming),
            "upcoming": upcoming,
            "season": today.year,
            "month_name": web.month_name(today.month),
            "coordinator": coordinator,
            "plan": {"width": PLAN_WIDTH, "height": PLAN_HEIGHT},
            "sun": SUN,
            "kinds": KINDS,
        },
    )


def bed_page(request: Request) -> Response:
    site = site_of(request)
    season = query_int(request, "sasong", minimum=1, maximum=9999) or web.clock(site).today().year
    with site.session() as db:
        bed = db.get(Bed, request.path_params["bed_id"])
        if bed is None:
            raise web.not_found(_("Bädden finns inte. Se alla bäddar på parkens karta."))
        rows = plantings_by_bed(db, season).get(bed.id or 0, [])
        harvests = db.exec(
            select(Harvest, Crop)
            .join(Planting, col(Harvest.planting_id) == col(Planting.id))
            .join(Crop, col(Planting.crop_id) == col(Crop.id))
            .where(Planting.bed_id == bed.id, Planting.season == season)
            .order_by(col(Harvest.harvested_on).desc())
        ).all()
        seasons = sorted(
            set(db.exec(select(Planting.season).where(Planting.bed_id == bed.id)).all()) | {season}, reverse=True
        )
        coordinator = web.is_coordinator(db, current_user(request))
    return site.render(
        request,
        "odling/bed.html",
        {
            "bed": bed,
            "plantings": rows,
            "harvests": harvests,
            "season": season,
            "seasons": seasons,
            "coordinator": coordinator,
            "sun": SUN,
            "kinds": KINDS,
            "unit_name": unit_name,
            **crop_views.template_helpers(),
        },
    )


# -- coordinators: beds ---------------------------------------------------------------


class BedForm(Form):
    code = StringField(
        "Kortnamn på kartan",
        [validators.InputRequired("Skriv ett kort namn, till exempel B4."), validators.Length(max=12)],
    )
    name = StringField("Namn", [validators.InputRequired("Skriv bäddens namn."), validators.Length(max=120)])
    kind = SelectField("Slag", choices=web.translated_options(KINDS))
    area_m2 = DecimalField(
        N_("Storlek (m²)"),
        [
            validators.InputRequired("Skriv storleken i kvadratmeter, till exempel 12."),
            validators.NumberRange(0, 100000),
        ],
        places=1,
    )
    x = IntegerField(
        "Läge från vänster",
        [validators.InputRequired("Skriv ett tal mellan 0 och 1000."), validators.NumberRange(0, PLAN_WIDTH)],
        description=N_("Kartan är 1000 steg bred och 600 hög; 0,0 är övre vänstra hörnet."),
    )
    y = IntegerField(
        "Läge uppifrån",
        [validators.InputRequired("Skriv ett tal mellan 0 och 600."), validators.NumberRange(0, PLAN_HEIGHT)],
    )
    width = IntegerField(
        "Bredd på kartan", [validators.InputRequired("Skriv bredden, 10–1000."), validators.NumberRange(10, PLAN_WIDTH)]
    )
    height = IntegerField(
        "Höjd på kartan", [validators.InputRequired("Skriv höjden, 10–600."), validators.NumberRange(10, PLAN_HEIGHT)]
    )
    sun = SelectField("Ljus", choices=web.translated_options(SUN))
    soil = StringField("Jord", [validators.Length(max=120)], description=N_("Till exempel: mullrik lerjord, sandig."))
    description = TextAreaField("Beskrivning", [validators.Length(max=1000)])


def bed_edit(request: Request) -> Response:
    web.require_coordinator(request)
    site = site_of(request)
    bed_id = request.path_params.get("bed_id")
    with site.session() as db:
        bed = db.get(Bed, bed_id) if bed_id is not None else None
        if bed_id is not None and bed is None:
            raise web.not_found(_("Bädden finns inte längre."))
        form = BedForm.bind(request, obj=bed) if request.method == "GET" else BedForm.bind(request)
        if request.method == "POST" and form.validate():
            bed = bed or Bed(code="", name="")
            x, y, width, height = form.x.data, form.y.data, form.width.data, form.height.data
            assert x is not None and y is not None and width is not None and height is not None  # InputRequired
            bed.code, bed.name = (form.code.data or "").strip(), (form.name.data or "").strip()
            bed.kind, bed.sun = form.kind.data, form.sun.data
            bed.area_m2 = float(form.area_m2.data or 0)
            bed.x, bed.y, bed.width, bed.height = x, y, width, height
            bed.soil = (form.soil.data or "").strip()
            bed.description = (form.description.data or "").strip()
            db.add(bed)
            db.commit()
            flash(request, _("%(name)s är sparad.") % {"name": bed.name})
            return RedirectResponse(url_for(site, "odling:bed", bed_id=bed.id), status_code=303)
    return site.render(
        request,
        "odling/bed_form.html",
        {"form": form, "bed": bed, "coordinator": True},
        status_code=400 if request.method == "POST" else 200,
    )


# -- coordinators: plantings and harvests --------------------------------------------------


class PlantingForm(Form):
    bed = SelectField("Bädd")
    crop = SelectField("Växt")
    season = IntegerField(
        "Säsong (år)", [validators.InputRequired("Skriv året, till exempel 2026."), validators.NumberRange(2000, 2100)]
    )
    planted_on = DateField(
        "Sått eller planterat", [validators.Optional()], description=N_("Åååå-mm-dd. Kan lämnas tomt.")
    )
    amount = StringField("Mängd", [validators.Length(max=80)], description=N_("Till exempel: 12 plantor, två rader."))
    notes = TextAreaField("Anteckningar", [validators.Length(max=500)])


def planting_new(request: Request) -> Response:
    web.require_coordinator(request)
    site = site_of(request)
    with site.session() as db:
        form = PlantingForm.bind(request)
        form.bed.choices = web.options((str(b.id), f"{b.code} {b.name}") for b in beds(db))
        form.crop.choices = web.options((str(c.id), f"{c.name_sv} ({c.name_latin})") for c in crop_views.all_crops(db))
        if request.method == "GET":
            form.season.data = web.clock(site).today().year
            form.bed.data = request.query_params.get("badd")
        if request.method == "POST" and form.validate():
            assert form.season.data is not None  # InputRequired
            planting = Planting(
                bed_id=int(form.bed.data),
                crop_id=int(form.crop.data),
                season=form.season.data,
                planted_on=form.planted_on.data,
                amount=(form.amount.data or "").strip(),
                notes=(form.notes.data or "").strip(),
            )
            db.add(planting)
            db.commit()
            crop = db.get(Crop, planting.crop_id)
            flash(
                request,
                _("%(crop)s är planerad för %(season)s.")
                % {"crop": crop.name_sv if crop else _("Växten"), "season": planting.season},
            )
            return RedirectResponse(
                url_for(site, "odling:bed", bed_id=planting.bed_id) + f"?sasong={planting.season}", status_code=303
            )
    return site.render(
        request,
        "odling/planting_form.html",
        {"form": form, "coordinator": True},
        status_code=400 if request.method == "POST" else 200,
    )


def planting_delete(request: Request) -> Response:
    web.require_coordinator(request)
    site = site_of(request)
    with site.session() as db:
        planting = db.get(Planting, request.path_params["planting_id"])
        if planting is None:
            raise web.not_found(_("Planteringen finns inte längre."))
        bed_id, season = planting.bed_id, planting.season
        db.delete(planting)
        db.commit()
    flash(request, _("Planteringen och dess skördar är borttagna."))
    return RedirectResponse(url_for(site, "odling:bed", bed_id=bed_id) + f"?sasong={season}", status_code=303)


class HarvestForm(Form):
    planting = SelectField("Vad som skördades")
    harvested_on = DateField("Datum", [validators.InputRequired("Skriv datum som åååå-mm-dd.")])
    quantity = DecimalField(
        N_("Mängd"),
        [validators.InputRequired("Skriv hur mycket, till exempel 2,5."), validators.NumberRange(0.01, 100000)],
        places=2,
    )
    unit = SelectField("Enhet", choices=web.translated_options(UNITS))
    notes = StringField("Anteckning", [validators.Length(max=300)])


def planting_choices(db: Session, season: int) -> list[tuple[str, str]]:
    rows = db.exec(
        select(Planting, Crop, Bed)
        .join(Crop, col(Planting.crop_id) == col(Crop.id))
        .join(Bed, col(Planting.bed_id) == col(Bed.id))
        .where(Planting.season == season)
        .order_by(col(Bed.code), col(Crop.name_sv))
    ).all()
    return [(str(p.id), f"{b.code} {b.name}: {c.name_sv}") for p, c, b in rows]


def harvests(request: Request) -> Response:
    """The harvest log of a season, with the form to add to it."""
    web.require_coordinator(request)
    site = site_of(request)
    today = web.clock(site).today()
    season = query_int(request, "sasong", minimum=1, maximum=9999) or today.year
    with site.session() as db:
        form = HarvestForm.bind(request)
        form.planting.choices = web.options(planting_choices(db, season))
        if request.method == "GET":
            form.harvested_on.data = today
            form.planting.data = request.query_params.get("plantering")
        if request.method == "POST" and form.validate():
            # Decimal from the form; ``cast`` is not needed, float keeps both databases alike.
            harvest = Harvest(
                planting_id=int(form.planting.data),
                harvested_on=form.harvested_on.data or date.today(),
                quantity=float(form.quantity.data or 0),
                unit=form.unit.data,
                notes=(form.notes.data or "").strip(),
            )
            db.add(harvest)
            db.commit()
            flash(request, _("Skörden är registrerad."))
            return RedirectResponse(url_for(site, "odling:harvests") + f"?sasong={season}", status_code=303)
        log = db.exec(
            select(Harvest, Planting, Crop, Bed)
            .join(Planting, col(Harvest.planting_id) == col(Planting.id))
            .join(Crop, col(Planting.crop_id) == col(Crop.id))
            .join(Bed, col(Planting.bed_id) == col(Bed.id))
            .where(Planting.season == season)
            .order_by(col(Harvest.harvested_on).desc(), col(Harvest.id).desc())
        ).all()
        totals = harvest_totals(db, season)
    return site.render(
        request,
        "odling/harvests.html",
        {
            "form": form,
            "log": log,
            "coordinator": True,
            "totals": totals,
            "unit_name": unit_name,
            "season": season,
        },
        status_code=400 if request.method == "POST" else 200,
    )
