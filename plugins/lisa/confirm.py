"""Keeping the directory current: each organisation gets a signed link
(no account needed) where it confirms that its services are still right, or
proposes changes, which wait for an admin's approval before anyone sees them.

The link is an itsdangerous token signed with the site's secret key and
carrying only the organisation's id; it expires after
``confirm_link_days``. Logged-in organisation users find the same page under
"Mina tjänster".
"""

from __future__ import annotations

import json
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import StringField, validators

from core.api import N_, Forbidden, Site, flash, read_form, require_user, url_for
from core.api import gettext as _
from plugins.lisa import directory, editing, roles
from plugins.lisa.directory import settings_of, site_of
from plugins.lisa.forms import ProposalFields, translate_choices
from plugins.lisa.models import Organisation, Proposal, ProposalStatus, Service, ServiceStatus
from plugins.lisa.public import common

SALT = "lisa-confirm"


class ProposalForm(ProposalFields):
    submitter = StringField(
        "Ditt namn",
        description=N_("Så att kansliet vet vem som har kontrollerat uppgifterna."),
        validators=[validators.InputRequired("Skriv ditt namn."), validators.Length(max=120)],
    )


def _serializer(site: Site) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(site.secret_key, salt=SALT)


def make_token(site: Site, organisation: Organisation) -> str:
    signer = _serializer(site).make_signer()
    signer.get_timestamp = lambda: int(site.clock.now().timestamp())  # type: ignore[method-assign]
    payload = _serializer(site).dump_payload({"o": organisation.id})
    return signer.sign(payload).decode("ascii")


def confirm_url(site: Site, organisation: Organisation) -> str:
    return url_for(site, "lisa:confirm", token=make_token(site, organisation))


def _organisation_id(site: Site, token: str) -> int:
    """The organisation a link is for. The age is checked against LISA's
    site's clock (not itsdangerous's own), so expiry is testable."""
    max_age = timedelta(days=settings_of(site).confirm_link_days)
    try:
        data, signed_at = _serializer(site).loads(token, return_timestamp=True)
    except BadSignature as exc:
        raise Forbidden(
            _("Länken är inte giltig. Kontrollera att hela länken kom med, eller be kansliet om en ny.")
        ) from exc
    if site.clock.now() - signed_at > max_age:
        raise Forbidden(_("Länken har gått ut. Be kansliet om en ny länk."))
    return int(data["o"])


def confirm_page(request: Request) -> Response:
    site = site_of(request)
    token = request.path_params["token"]
    org_id = _organisation_id(site, token)
    with site.session() as session:
        organisation = session.get(Organisation, org_id)
        if organisation is None:
            raise HTTPException(404, _("Organisationen finns inte längre i LISA."))
        services = session.exec(
            select(Service).where(Service.organisation_id == org_id).order_by(col(Service.name))
        ).all()
        rows = []
        for s in services:
            pending = session.exec(
                select(Proposal).where(Proposal.service_id == s.id, Proposal.status == ProposalStatus.PENDING)
            ).first()
            rows.append(
                {
                    "service": s,
                    "form": translate_choices(ProposalForm(data=editing.current_values(session, s), prefix=f"s{s.id}")),
                    "pending": pending,
                    "due": directory.needs_verification(site, s),
                }
            )
    return site.render(
        request,
        "lisa/confirm.html",
        {**common(site), "organisation": organisation, "rows": rows, "token": token},
    )


def confirm_service(request: Request) -> Response:
    """Either "everything is right" (verified now) or a proposal for the admin."""
    site = site_of(request)
    token = request.path_params["token"]
    org_id = _organisation_id(site, token)
    with site.session() as session:
        service = session.get(Service, request.path_params["service_id"])
        if service is None or service.organisation_id != org_id:
            raise Forbidden(_("Länken gäller bara den egna organisationens tjänster."))
        organisation = session.get(Organisation, org_id)
        assert organisation is not None
        form = ProposalForm.bind(request, prefix=f"s{service.id}")
        data = read_form(request)
        action = data.get("atgard")
        if action not in ("stammer", "foresla"):
            raise HTTPException(400, _("Välj om uppgifterna stämmer eller om du föreslår ändringar."))
        if action == "stammer":
            if not form.submitter.data or not form.submitter.data.strip():
                flash(request, _("Skriv ditt namn så att kansliet vet vem som kontrollerade uppgifterna."), "error")
                return RedirectResponse(
                    url_for(site, "lisa:confirm", token=token) + f"#tjanst-{service.id}", status_code=303
                )
            editing.mark_verified(
                service, f"{form.submitter.data.strip()[:120]} ({organisation.name})", site.clock.now()
            )
            session.add(service)
            session.commit()
            flash(request, _("Tack! ”%(name)s” är markerad som kontrollerad.") % {"name": service.name})
            return RedirectResponse(url_for(site, "lisa:confirm", token=token), status_code=303)
        if not form.validate():
            translate_choices(form)
            return site.render(
                request,
                "lisa/confirm.html",
                {
                    **common(site),
                    "organisation": organisation,
                    "rows": [{"service": service, "form": form, "pending": None, "due": False}],
                    "token": token,
                },
                status_code=400,
            )
        now = editing.current_values(session, service)
        changes = {
            name: form[name].data or ""
            for name in editing.PROPOSABLE
            if editing.comparable(name, form[name].data or "") != now[name]
        }
        if not changes:
            flash(request, _("Du ändrade inget. Klicka på ”Uppgifterna stämmer” om allt är rätt."), "error")
            return RedirectResponse(
                url_for(site, "lisa:confirm", token=token) + f"#tjanst-{service.id}", status_code=303
            )
        session.add(
            Proposal(
                service_id=service.id,
                changes=json.dumps(changes, ensure_ascii=False),
                submitted_by=f"{form.submitter.data.strip()} ({organisation.name})",
                submitted_at=site.clock.now(),
            )
        )
        session.commit()
    flash(request, _("Tack! Ändringarna är skickade till kansliet och syns när de har godkänts."))
    return RedirectResponse(url_for(site, "lisa:confirm", token=token), status_code=303)


def my_services(request: Request) -> Response:
    """An organisation user's way in: their organisations and the link to
    confirm or update each one's services."""
    site = site_of(request)
    user = require_user(request)
    with site.session() as session:
        ids = roles.organisation_ids(session, user)
        if not ids:
            raise Forbidden(_("Ditt konto är inte kopplat till någon organisation i LISA. Kontakta kansliet."))
        orgs = session.exec(select(Organisation).where(col(Organisation.id).in_(ids)).order_by(col(Organisation.name)))
        rows = []
        for org in orgs:
            services = session.exec(
                select(Service).where(Service.organisation_id == org.id, Service.status != ServiceStatus.ENDED)
            ).all()
            rows.append((org, confirm_url(site, org), list(services)))
    return site.render(request, "lisa/my_services.html", {**common(site), "rows": rows})
