"""Pollinator observations: volunteers log counts, everyone sees them per
month as a chart (SVG drawn on the server, no JavaScript), and the data
leaves as a Darwin Core occurrence CSV for a species-observation portal."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import DateField, IntegerField, SelectField, StringField, validators

from core.api import N_, Form, Site, current_user, flash, query_int, require_user, site_of, url_for
from core.api import gettext as _
from plugins.odling import members, web
from plugins.odling.models import Bed, Member, Observation
from plugins.odling.taxa import GROUPS, TAXA, TAXA_LIST, taxon_name

#: Bar colours per group; each has at least 3:1 contrast against white (WCAG 1.4.11).
COLOURS = {
    "honungsbi": "#a04f00",
    "humlor": "#1d4e89",
    "solitara-bin": "#6a3d9a",
    "blomflugor": "#2e6b30",
    "fjarilar": "#ad1457",
}

#: Darwin Core terms in the export, in order (https://dwc.tdwg.org/terms/).
DWC_COLUMNS = [
    "occurrenceID",
    "basisOfRecord",
    "eventDate",
    "scientificName",
    "taxonRank",
    "vernacularName",
    "kingdom",
    "order",
    "family",
    "individualCount",
    "occurrenceStatus",
    "locality",
    "municipality",
    "countryCode",
    "decimalLatitude",
    "decimalLongitude",
    "geodeticDatum",
    "coordinateUncertaintyInMeters",
    "occurrenceRemarks",
]

#: Drawn for a phone (a unit is about a pixel at 375 px; odling.css sets 14-unit text and caps the width at
#: 30rem): at 720 units the month names had been 6 px on a phone.
CHART_W, CHART_H, MARGIN_L, MARGIN_B, MARGIN_T = 360, 230, 40, 40, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


def years(db: Session) -> list[int]:
    return sorted({d.year for d in db.exec(select(col(Observation.observed_on))).all()}, reverse=True)


def monthly(db: Session, year: int) -> dict[int, dict[str, int]]:
    """month -> group -> individuals counted."""
    table: dict[int, dict[str, int]] = {m: defaultdict(int) for m in range(1, 13)}
    for obs in db.exec(select(Observation)).all():
        if obs.observed_on.year == year:
            group = TAXA[obs.taxon].group if obs.taxon in TAXA else "solitara-bin"
            table[obs.observed_on.month][group] += obs.count
    return table


def nice_max(value: int) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return step
    return value


def chart(table: dict[int, dict[str, int]]) -> dict[str, object]:
    """Stacked bars per month, in SVG user units."""
    totals = {m: sum(groups.values()) for m, groups in table.items()}
    top = nice_max(max(totals.values()) or 1)
    plot_h = CHART_H - MARGIN_B - MARGIN_T
    slot = (CHART_W - MARGIN_L) / 12
    bars: list[Bar] = []
    for month in range(1, 13):
        y: float = CHART_H - MARGIN_B
        for group in GROUPS:
            n = table[month].get(group, 0)
            if not n:
                continue
            h = n / top * plot_h
            y -= h
            bars.append(
                Bar(
                    MARGIN_L + (month - 1) * slot + slot * 0.15,
                    round(y, 1),
                    round(slot * 0.7, 1),
                    round(h, 1),
                    COLOURS[group],
                    _("%(month)s: %(count)s %(group)s")
                    % {"month": web.month_name(month), "count": n, "group": _(GROUPS[group]).lower()},
                )
            )
    ticks = [(round(CHART_H - MARGIN_B - plot_h * i / 4, 1), top * i // 4) for i in range(5)]
    # Three letters name a month in both languages (jan/Jan … dec/Dec).
    # Every other name a line lower, so neighbours never touch on a phone (a month is 27 units, a name up to 26).
    labels = [
        (round(MARGIN_L + (m - 0.5) * slot, 1), CHART_H - MARGIN_B + 16 + (16 if m % 2 == 0 else 0), name[:3])
        for m, name in enumerate(web.month_names(), 1)
    ]
    return {
        "width": CHART_W,
        "height": CHART_H,
        "left": MARGIN_L,
        "bottom": CHART_H - MARGIN_B,
        "bars": bars,
        "ticks": ticks,
        "labels": labels,
        "totals": totals,
    }


def overview(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        known = years(db)
        year = query_int(request, "ar", minimum=1, maximum=9999) or (
            known[0] if known else web.clock(site).today().year
        )
        table = monthly(db, year)
        recent = db.exec(
            select(Observation).order_by(col(Observation.observed_on).desc(), col(Observation.id).desc()).limit(10)
        ).all()
        beds = {b.id: f"{b.code} {b.name}" for b in db.exec(select(Bed)).all()}
        coordinator = web.is_coordinator(db, current_user(request))
    return site.render(
        request,
        "odling/pollinators.html",
        {
            "year": year,
            "years": known,
            "table": table,
            "chart": chart(table),
            "groups": {key: _(name) for key, name in GROUPS.items()},
            "colours": COLOURS,
            "recent": recent,
            "beds": beds,
            "taxon_name": taxon_name,
            "coordinator": coordinator,
            "month_names": web.month_names(),
        },
    )


class ObservationForm(Form):
    observed_on = DateField("Datum", [validators.InputRequired("Skriv datum som åååå-mm-dd.")])
    bed = SelectField("Var i parken", description=N_("Bädden eller området där du räknade."))
    taxon = SelectField(
        "Art eller grupp",
        choices=lambda: web.options((t.key, f"{_(t.name_sv)} ({t.scientific_name})") for t in TAXA_LIST),
    )
    count = IntegerField(
        "Antal individer",
        [
            validators.InputRequired("Skriv hur många du såg, till exempel 3."),
            validators.NumberRange(1, 10000, N_("Skriv ett antal mellan 1 och 10 000.")),
        ],
    )
    notes = StringField(
        "Anteckning", [validators.Length(max=300)], description=N_("Till exempel: på gurkörten, soligt och varmt.")
    )


def _log(request: Request, member: Member | None, user_id: int | None, back: str) -> Response:
    site = site_of(request)
    with site.session() as db:
        form = ObservationForm.bind(request)
        form.bed.choices = web.options(
            [("", _("Hela parken"))]
            + [(str(b.id), f"{b.code} {b.name}") for b in db.exec(select(Bed).order_by(col(Bed.code))).all()]
        )
        if request.method == "GET":
            form.observed_on.data = web.clock(site).today()
        if request.method == "POST" and form.validate():
            observed_on, count = form.observed_on.data, form.count.data
            assert observed_on is not None and count is not None  # InputRequired
            if observed_on > web.clock(site).today():
                form.observed_on.errors = [_("Datumet ligger i framtiden. Skriv dagen då du räknade.")]
            else:
                db.add(
                    Observation(
                        observed_on=observed_on,
                        bed_id=int(form.bed.data) if form.bed.data else None,
                        taxon=form.taxon.data,
                        count=count,
                        notes=(form.notes.data or "").strip(),
                        member_id=member.id if member else None,
                        user_id=user_id,
                    )
                )
                if member is not None:
                    members.touch(site, member)
                    db.add(member)
                db.commit()
                flash(
                    request,
                    _("Tack! Räkningen är sparad: %(taxon)s, %(count)s st.")
                    % {"taxon": taxon_name(form.taxon.data), "count": form.count.data},
                )
                return RedirectResponse(back, status_code=303)
    return site.render(
        request,
        "odling/observation_form.html",
        {"form": form, "member": member, "back": back},
        status_code=400 if request.method == "POST" else 200,
    )


def member_log(request: Request) -> Response:
    """A member logs from their personal page (no account needed)."""
    site = site_of(request)
    with site.session() as db:
        member = members.by_token(db, request.path_params["token"])
    return _log(request, member, None, members.member_url(site, member))


def user_log(request: Request) -> Response:
    """Anyone with an account (coordinators, staff) logs here."""
    user = require_user(request)
    site = site_of(request)
    return _log(request, None, user.id, url_for(site, "odling:pollinators"))


def darwin_core_rows(site: Site, db: Session, year: int | None = None) -> list[dict[str, object]]:
    settings = web.settings_of(site)
    beds = {b.id: f"{b.code} {b.name}" for b in db.exec(select(Bed)).all()}
    rows = []
    statement = select(Observation).order_by(col(Observation.observed_on), col(Observation.id))
    for obs in db.exec(statement).all():
        if year is not None and obs.observed_on.year != year:
            continue
        taxon = TAXA.get(obs.taxon)
        if taxon is None:
            continue
        place = beds.get(obs.bed_id)
        rows.append(
            {
                "occurrenceID": obs.occurrence_id,
                "basisOfRecord": "HumanObservation",
                "eventDate": obs.observed_on.isoformat(),
                "scientificName": taxon.scientific_name,
                "taxonRank": taxon.rank,
                "vernacularName": taxon.name_sv,  # Swedish: the portals it goes to are Swedish (and GBIF)
                "kingdom": "Animalia",
                "order": taxon.order,
                "family": taxon.family,
                "individualCount": obs.count,
                "occurrenceStatus": "present",
                "locality": f"{settings.park_name}, {place}" if place else settings.park_name,
                "municipality": settings.municipality,
                "countryCode": "SE",
                "decimalLatitude": f"{settings.latitude:.5f}",
                "decimalLongitude": f"{settings.longitude:.5f}",
                "geodeticDatum": "EPSG:4326",
                "coordinateUncertaintyInMeters": settings.coordinate_uncertainty_m,
                "occurrenceRemarks": obs.notes,
            }
        )
    return rows


def darwin_core_csv(request: Request) -> Response:
    """Darwin Core occurrences as CSV (UTF-8, comma, header row of DwC term
    names), the form GBIF's and Artportalen's importers read. No observer
    names leave the site."""
    site = site_of(request)
    year = query_int(request, "ar", minimum=1, maximum=9999)
    with site.session() as db:
        rows = darwin_core_rows(site, db, year)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DWC_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    name = f"pollinatorer-{year}.csv" if year else "pollinatorer.csv"
    return Response(
        buffer.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
