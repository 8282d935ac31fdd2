"""LISA's admin pages, for the umbrella's staff: services, organisations,
the taxonomy of needs, proposals from organisations, who acts for whom
(memberships), health centres, and services due for verification."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import SelectChoice

from core.api import Site, User, flash, get_user_by_email, read_form, require_admin, url_for
from core.api import gettext as _
from plugins.lisa import confirm, directory, editing, referrals
from plugins.lisa.directory import settings_of, site_of
from plugins.lisa.forms import (
    HealthCentreForm,
    MembershipForm,
    OrganisationForm,
    ServiceForm,
    TermForm,
    translate_choices,
)
from plugins.lisa.models import (
    HealthCentre,
    Membership,
    MembershipKind,
    Organisation,
    Proposal,
    ProposalStatus,
    ReferralAccess,
    Service,
    Term,
)
from plugins.lisa.public import common
from plugins.lisa.slugs import term_code


def _organisations(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.name))).all())


def overview(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as session:
        unverified = directory.unverified_services(site, session)
        proposals = list(
            session.exec(
                select(Proposal).where(Proposal.status == ProposalStatus.PENDING).order_by(col(Proposal.submitted_at))
            ).all()
        )
        services = {s.id: s for s in session.exec(select(Service)).all()}
        orgs = {o.id: o for o in _organisations(session)}
        diffs = []
        for p in proposals:
            service = services[p.service_id]
            now = editing.current_values(session, service)
            changes = json.loads(p.changes)
            shown = {k: editing.comparable(k, v) for k, v in changes.items()}
            diffs.append((p, service, [(k, now.get(k, ""), v) for k, v in shown.items() if now.get(k, "") != v]))
        accesses = session.exec(
            select(ReferralAccess, User)
            .join(User, col(User.id) == ReferralAccess.user_id, isouter=True)
            .order_by(col(ReferralAccess.at).desc())
            .limit(30)
        ).all()
    return site.render(
        request,
        "lisa/admin.html",
        {
            **common(site),
            "unverified": unverified,
            "diffs": diffs,
            "services": sorted(services.values(), key=lambda s: directory.fold(s.name)),
            "orgs": orgs,
            "accesses": accesses,
            "months": settings_of(site).verify_after_months,
            "links": {
                o.id: site.absolute_url(confirm.confirm_url(site, o))
                for o in {s.organisation_id: orgs[s.organisation_id] for s in unverified}.values()
            },
            "field_labels": {f.name: f.label.text for f in ServiceForm()},
            "access_label": referrals.access_label,
        },
    )


def _service_form_choices(site: Site, session: Session, form: ServiceForm, service: Service | None) -> None:
    form.organisation_id.choices = [SelectChoice(o.id, o.name) for o in _organisations(session)]
    form.terms.choices = [SelectChoice(t.id, t.name) for t in directory.all_terms(session)]
    municipalities = list(settings_of(site).municipalities)
    if service is not None and service.municipality and service.municipality not in municipalities:
        municipalities.append(service.municipality)  # an imported service keeps its place when edited
    form.municipality.choices = [SelectChoice(m) for m in municipalities]


def service_edit(request: Request) -> Response:
    site = site_of(request)
    admin = require_admin(request)
    service_id = request.path_params.get("service_id")
    with site.session() as session:
        service = session.get(Service, service_id) if service_id is not None else None
        if service_id is not None and service is None:
            raise HTTPException(404, _("Tjänsten finns inte."))
        if request.method == "POST":
            form = ServiceForm.bind(request)
        elif service is not None:
            form = ServiceForm(
                obj=service,
                terms=editing.existing_term_ids(session, service),
                languages=service.language_list,
                contact_methods=service.method_list,
                openings_text=editing.openings_text(session, service),
            )
        else:
            form = ServiceForm(languages=["sv"], free=True, contact_methods=["dropin"])
        _service_form_choices(site, session, form, service)
        translate_choices(form)
        if not _organisations(session):
            flash(request, _("Lägg först till organisationen som ger tjänsten."), "error")
            return RedirectResponse(url_for(site, "lisa:organisation_new"), status_code=303)
        if request.method == "POST" and form.validate():
            if service is None:
                service = Service(organisation_id=form.organisation_id.data, name=form.name.data)
                session.add(service)
                session.flush()
            for name in (
                "organisation_id",
                "name",
                "eligibility",
                "min_age",
                "max_age",
                "free",
                "cost_description",
                "accepts_referrals",
                "open_on_holidays",
                "municipality",
                "location_name",
                "postal_code",
                "city",
            ):
                setattr(
                    service,
                    name,
                    getattr(form, name).data
                    if getattr(form, name).data is not None
                    else (None if name in ("min_age", "max_age") else ""),
                )
            service.languages = ",".join(form.languages.data or [])
            service.contact_methods = ",".join(form.contact_methods.data or [])
            editing.set_terms(session, service, form.terms.data or [])
            editing.apply_changes(
                session, service, {name: getattr(form, name).data for name in editing.PROPOSABLE}, site.clock.now()
            )
            if form.verified.data:
                editing.mark_verified(service, f"{admin.name} ({site.name})", site.clock.now())
            session.commit()
            flash(request, _("”%(name)s” är sparad.") % {"name": service.name})
            return RedirectResponse(url_for(site, "lisa:service", service_id=service.id), status_code=303)
        return site.render(
            request,
            "lisa/admin_service_form.html",
            {**common(site), "form": form, "service": service},
            status_code=400 if form.errors else 200,
        )


def service_verify(request: Request) -> Response:
    site = site_of(request)
    admin = require_admin(request)
    with site.session() as session:
        service = session.get(Service, request.path_params["service_id"])
        if service is None:
            raise HTTPException(404, _("Tjänsten finns inte."))
        editing.mark_verified(service, f"{admin.name} ({site.name})", site.clock.now())
        session.add(service)
        session.commit()
    flash(request, _("”%(name)s” är markerad som kontrollerad i dag.") % {"name": service.name})
    return RedirectResponse(url_for(site, "lisa:admin"), status_code=303)


def organisation_list(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as session:
        orgs = _organisations(session)
        counts: dict[int, int] = {}
        for s in session.exec(select(Service)).all():
            counts[s.organisation_id] = counts.get(s.organisation_id, 0) + 1
    links = {o.id: site.absolute_url(confirm.confirm_url(site, o)) for o in orgs}
    return site.render(
        request, "lisa/admin_organisations.html", {**common(site), "orgs": orgs, "counts": counts, "links": links}
    )


def organisation_edit(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    org_id = request.path_params.get("organisation_id")
    with site.session() as session:
        org = session.get(Organisation, org_id) if org_id is not None else None
        if org_id is not None and org is None:
            raise HTTPException(404, _("Organisationen finns inte."))
        form = OrganisationForm.bind(request, obj=org)
        form.municipality.choices = [SelectChoice(m) for m in settings_of(site).municipalities]
        # keep values that came from an import or an older setting, so saving never changes them silently
        kinds = [c.value for c in form.kind.choices]  # type: ignore[union-attr]
        if org is not None and org.kind and org.kind not in kinds:
            form.kind.choices = [*form.kind.choices, SelectChoice(org.kind)]  # type: ignore[misc]
        if org is not None and org.municipality and org.municipality not in settings_of(site).municipalities:
            form.municipality.choices = [*form.municipality.choices, SelectChoice(org.municipality)]
        translate_choices(form)
        if request.method == "POST" and form.validate():
            if org is None:
                org = Organisation(name=form.name.data)
            form.populate_obj(org)
            org.updated_at = site.clock.now()
            session.add(org)
            session.flush()
            for service in session.exec(select(Service).where(Service.organisation_id == org.id)).all():
                directory.refresh_search_text(session, service)
                session.add(service)
            session.commit()
            flash(request, _("”%(name)s” är sparad.") % {"name": org.name})
            return RedirectResponse(url_for(site, "lisa:admin_organisations"), status_code=303)
        link = site.absolute_url(confirm.confirm_url(site, org)) if org else ""
        return site.render(
            request,
            "lisa/admin_organisation_form.html",
            {**common(site), "form": form, "organisation": org, "confirm_link": link},
            status_code=400 if form.errors else 200,
        )


def terms_page(request: Request) -> Response:
    """The taxonomy of needs: add a need, or rename and reorder one."""
    site = site_of(request)
    require_admin(request)
    with site.session() as session:
        form = TermForm.bind(request)
        if request.method == "POST" and form.validate():
            code = term_code(form.name.data)
            if session.exec(select(Term).where(Term.code == code)).first() is not None:
                form.name.errors = [*form.name.errors, _("Det behovet finns redan. Välj ett annat namn.")]
            else:
                session.add(
                    Term(
                        code=code,
                        name=form.name.data.strip(),
                        description=form.description.data or "",
                        position=form.position.data,
                        updated_at=site.clock.now(),
                    )
                )
                session.commit()
                flash(request, _("Behovet ”%(name)s” är tillagt.") % {"name": form.name.data})
                return RedirectResponse(url_for(site, "lisa:admin_terms"), status_code=303)
        terms = directory.all_terms(session)
        edit_forms = {t.id: TermForm(obj=t, prefix=f"t{t.id}") for t in terms}
    return site.render(
        request,
        "lisa/admin_terms.html",
        {**common(site), "form": form, "terms": terms, "edit_forms": edit_forms},
        status_code=400 if form.errors else 200,
    )


def term_edit(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as session:
        term = session.get(Term, request.path_params["term_id"])
        if term is None:
            raise HTTPException(404, _("Behovet finns inte."))
        form = TermForm.bind(request, prefix=f"t{term.id}")
        if not form.validate():
            errors = " ".join(_(e) for f in form for e in f.errors)
            flash(request, _("Behovet sparades inte: %(errors)s") % {"errors": errors}, "error")
            return RedirectResponse(url_for(site, "lisa:admin_terms"), status_code=303)
        term.name = form.name.data.strip()
        term.description = form.description.data or ""
        term.position = form.position.data
        term.updated_at = site.clock.now()
        session.add(term)
        session.flush()
        for service in session.exec(select(Service)).all():
            directory.refresh_search_text(session, service)
            session.add(service)
        session.commit()
    flash(request, _("Behovet ”%(name)s” är sparat.") % {"name": term.name})
    return RedirectResponse(url_for(site, "lisa:admin_terms"), status_code=303)


def proposal_decide(request: Request) -> Response:
    site = site_of(request)
    admin = require_admin(request)
    data = read_form(request)
    decision = data.get("beslut")
    with site.session() as session:
        proposal = session.get(Proposal, request.path_params["proposal_id"])
        if proposal is None or proposal.status != ProposalStatus.PENDING:
            raise HTTPException(404, _("Förslaget finns inte eller är redan avgjort."))
        service = session.get(Service, proposal.service_id)
        assert service is not None
        if decision == "godkann":
            editing.apply_changes(session, service, json.loads(proposal.changes), site.clock.now())
            editing.mark_verified(service, proposal.submitted_by or admin.name, site.clock.now())
            proposal.status = ProposalStatus.APPROVED
            message = _("Ändringarna i ”%(name)s” är godkända och syns nu.") % {"name": service.name}
        elif decision == "avsla":
            proposal.status = ProposalStatus.REJECTED
            message = _("Förslaget för ”%(name)s” är avslaget.") % {"name": service.name}
        else:
            raise HTTPException(400, _("Välj godkänn eller avslå."))
        proposal.decided_at = site.clock.now()
        session.add(proposal)
        session.commit()
    flash(request, message)
    return RedirectResponse(url_for(site, "lisa:admin"), status_code=303)


def _targets(session: Session) -> list[tuple[str, str]]:
    targets = [
        (f"vc:{h.id}", _("Vårdcentral: %(name)s") % {"name": h.name})
        for h in session.exec(select(HealthCentre).order_by(col(HealthCentre.name))).all()
    ]
    targets += [(f"org:{o.id}", _("Organisation: %(name)s") % {"name": o.name}) for o in _organisations(session)]
    return targets


def roles_page(request: Request) -> Response:
    """Who acts for which health centre or organisation."""
    site = site_of(request)
    require_admin(request)
    with site.session() as session:
        form = MembershipForm.bind(request)
        form.target.choices = [SelectChoice(v, label) for v, label in _targets(session)]
        hc_form = HealthCentreForm(prefix="vc")
        hc_form.municipality.choices = [SelectChoice(m) for m in settings_of(site).municipalities]
        if request.method == "POST" and form.validate():
            user = get_user_by_email(session, form.email.data)
            kind, _sep, raw = (form.target.data or "").partition(":")
            if user is None:
                form.email.errors = [
                    *form.email.errors,
                    _("Det finns inget konto med den adressen. Skapa kontot först under Administration → Användare."),
                ]
            else:
                membership = Membership(
                    user_id=user.id,
                    kind=MembershipKind.HEALTH_CENTRE if kind == "vc" else MembershipKind.ORGANISATION,
                    health_centre_id=int(raw) if kind == "vc" else None,
                    organisation_id=int(raw) if kind == "org" else None,
                )
                exists = session.exec(
                    select(Membership).where(
                        Membership.user_id == user.id,
                        Membership.health_centre_id == membership.health_centre_id,
                        Membership.organisation_id == membership.organisation_id,
                    )
                ).first()
                if exists is None:
                    session.add(membership)
                    session.commit()
                flash(request, _("%(name)s är kopplad.") % {"name": user.name})
                return RedirectResponse(url_for(site, "lisa:admin_roles"), status_code=303)
        rows = session.exec(
            select(Membership, User).join(User, col(User.id) == Membership.user_id).order_by(col(User.name))
        ).all()
        names = dict(_targets(session))
    return site.render(
        request,
        "lisa/admin_roles.html",
        {**common(site), "form": form, "hc_form": hc_form, "rows": rows, "names": names},
        status_code=400 if form.errors else 200,
    )


def role_delete(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as session:
        membership = session.get(Membership, request.path_params["membership_id"])
        if membership is None:
            raise HTTPException(404, _("Kopplingen finns inte."))
        session.delete(membership)
        session.commit()
    flash(request, _("Kopplingen är borttagen."))
    return RedirectResponse(url_for(site, "lisa:admin_roles"), status_code=303)


def health_centre_add(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as session:
        form = HealthCentreForm.bind(request, prefix="vc")
        form.municipality.choices = [SelectChoice(m) for m in settings_of(site).municipalities]
        if not form.validate():
            errors = " ".join(_(e) for f in form for e in f.errors)
            flash(request, _("Vårdcentralen sparades inte: %(errors)s") % {"errors": errors}, "error")
        elif session.exec(select(HealthCentre).where(HealthCentre.name == form.name.data.strip())).first():
            flash(request, _("Den vårdcentralen finns redan."), "error")
        else:
            session.add(HealthCentre(name=form.name.data.strip(), municipality=form.municipality.data))
            session.commit()
            flash(request, _("%(name)s är tillagd.") % {"name": form.name.data})
    return RedirectResponse(url_for(site, "lisa:admin_roles"), status_code=303)
