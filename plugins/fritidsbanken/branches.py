"""Branches (utlåningsställen): their details, opening hours and staff.
Admins only: linking a site account to a branch makes it counter staff."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import User, flash, get_user_by_email, read_form, require_admin, url_for
from core.api import gettext as _
from plugins.fritidsbanken.catalogue import branches_with_hours
from plugins.fritidsbanken.forms import BranchForm
from plugins.fritidsbanken.models import Branch, OpeningHours, Staff
from plugins.fritidsbanken.web import render, site_of, weekday

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_hours(form: dict[str, str]) -> tuple[list[tuple[int, str, str]], dict[int, str]]:
    """Opening hours from fields ``opens_<weekday>``/``closes_<weekday>``;
    an empty pair means closed that day. Returns rows and errors by weekday."""
    rows, errors = [], {}
    for day in range(7):
        opens, closes = form.get(f"opens_{day}", "").strip(), form.get(f"closes_{day}", "").strip()
        if not opens and not closes:
            continue
        a, b = _TIME.match(opens), _TIME.match(closes)
        if not a or not b:
            errors[day] = _(
                "Skriv tiderna för %(day)s som 15:00 och 18:00, eller lämna båda tomma om det är stängt."
            ) % {"day": weekday(day)}
            continue
        start, end = f"{int(a.group(1)):02d}:{a.group(2)}", f"{int(b.group(1)):02d}:{b.group(2)}"
        if start >= end:
            errors[day] = _("På %(day)s måste stängningstiden komma efter öppningstiden.") % {"day": weekday(day)}
            continue
        rows.append((day, start, end))
    return rows, errors


def branch_list(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        branches = branches_with_hours(db)
        staff = _staff_by_branch(db)
    return render(request, "fritidsbanken/admin_branches.html", {"branches": branches, "staff": staff})


def _staff_by_branch(db: Session) -> dict[int, list[User]]:
    rows = db.exec(select(Staff, User).join(User, col(User.id) == col(Staff.user_id)).order_by(col(User.name))).all()
    out: dict[int, list[User]] = {}
    for link, user in rows:
        out.setdefault(link.branch_id, []).append(user)
    return out


def branch_edit(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        branch_id = request.path_params.get("branch_id")
        branch = db.get(Branch, branch_id) if branch_id is not None else None
        if branch_id is not None and branch is None:
            raise HTTPException(404, _("Utlåningsstället finns inte."))
        form = BranchForm.bind(request, obj=branch)
        hours_errors: dict[int, str] = {}
        raw_hours: dict[str, str] = {}
        if request.method == "POST":
            data = read_form(request)
            raw_hours = {k: str(v) for k, v in data.items() if k.startswith(("opens_", "closes_"))}
            rows, hours_errors = parse_hours(raw_hours)
            valid = form.validate()
            name = (form.name.data or "").strip()
            clash = db.exec(select(Branch).where(Branch.name == name)).first()
            if clash is not None and (branch is None or clash.id != branch.id):
                form.name.errors = [*form.name.errors, _("Det finns redan ett utlåningsställe med det namnet.")]
                valid = False
            if valid and not hours_errors:
                branch = branch or Branch(name=name)
                branch.name = name
                branch.address = (form.address.data or "").strip()
                branch.phone = (form.phone.data or "").strip()
                branch.email = (form.email.data or "").strip()
                branch.info = (form.info.data or "").strip()
                db.add(branch)
                db.flush()
                for old in db.exec(select(OpeningHours).where(OpeningHours.branch_id == branch.id)).all():
                    db.delete(old)
                for day, opens, closes in rows:
                    assert branch.id is not None
                    db.add(OpeningHours(branch_id=branch.id, weekday=day, opens=opens, closes=closes))
                db.commit()
                flash(request, _("%(name)s är sparat.") % {"name": branch.name})
                return RedirectResponse(
                    url_for(site, "fritidsbanken:branch_edit", branch_id=branch.id), status_code=303
                )
        elif branch is not None:
            for h in db.exec(select(OpeningHours).where(OpeningHours.branch_id == branch.id)).all():
                raw_hours[f"opens_{h.weekday}"] = h.opens
                raw_hours[f"closes_{h.weekday}"] = h.closes
        staff = _staff_by_branch(db).get(branch.id, []) if branch and branch.id else []
    return render(
        request,
        "fritidsbanken/admin_branch_form.html",
        {"form": form, "branch": branch, "hours": raw_hours, "hours_errors": hours_errors, "staff": staff},
        status_code=400 if form.errors or hours_errors else 200,
    )


def branch_staff(request: Request) -> Response:
    """Link a site account to the branch (``action=add``, by e-mail) or unlink it."""
    site = site_of(request)
    require_admin(request)
    data = read_form(request)
    with site.session() as db:
        branch = db.get(Branch, request.path_params["branch_id"])
        if branch is None:
            raise HTTPException(404, _("Utlåningsstället finns inte."))
        target = RedirectResponse(url_for(site, "fritidsbanken:branch_edit", branch_id=branch.id), status_code=303)
        if data.get("action") == "remove":
            raw = str(data.get("user_id", ""))
            link = db.exec(
                select(Staff).where(Staff.branch_id == branch.id, Staff.user_id == (int(raw) if raw.isdigit() else -1))
            ).first()
            if link is not None:
                db.delete(link)
                db.commit()
                flash(request, _("Personen arbetar inte längre på stället."))
            return target
        user = get_user_by_email(db, str(data.get("email", "")).strip())
        if user is None:
            flash(
                request,
                _("Det finns inget konto med den e-postadressen. Skapa kontot under Administration → Användare först."),
                "error",
            )
            return target
        exists = db.exec(select(Staff).where(Staff.branch_id == branch.id, Staff.user_id == user.id)).first()
        if exists is None:
            assert branch.id is not None and user.id is not None
            db.add(Staff(branch_id=branch.id, user_id=user.id))
            db.commit()
        flash(request, _("%(person)s arbetar nu på %(branch)s.") % {"person": user.name, "branch": branch.name})
    return target
