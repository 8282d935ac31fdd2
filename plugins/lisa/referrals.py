"""Referrals: a health-centre or organisation user hands a person on to a
service that accepts referrals, with the person's recorded consent.

Lawful and minimal (GDPR art. 9, OSL 25:1): only a first name or alias, how
to reach them and what they need; who consented, when, to what. The list
pages show no personal data; only the referral's own page does, and every
view of it is written to the access log. Each referral is deleted when its
retention period (``referral_retention_days``) ends: ``purge_expired`` runs
whenever a referral page is opened, every night in the site's daily jobs
(core.daily) and from ``paraply lisa-purge``. Referrals never reach feeds, search, exports or logs.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, delete, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import (
    BooleanField,
    Field,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
    validators,
)

from core.api import (
    N_,
    Forbidden,
    Form,
    Mail,
    SelectChoice,
    Site,
    User,
    absolute_url_for,
    flash,
    in_language,
    notify,
    read_form,
    recipient_language,
    require_user,
    url_for,
)
from core.api import gettext as _
from plugins.lisa import roles
from plugins.lisa.directory import settings_of, site_of
from plugins.lisa.forms import translate_choices
from plugins.lisa.models import (
    HealthCentre,
    Membership,
    Organisation,
    Referral,
    ReferralAccess,
    ReferralStatus,
    Service,
    ServiceStatus,
)
from plugins.lisa.public import common

#: Status names, translated where shown (the status is stored as its code).
STATUS_LABELS = {
    ReferralStatus.SENT.value: N_("Skickad, väntar på svar"),
    ReferralStatus.ACCEPTED.value: N_("Antagen"),
    ReferralStatus.DECLINED.value: N_("Avböjd"),
    ReferralStatus.COMPLETED.value: N_("Avslutad"),
}
#: Who consented. The Swedish words are what a referral stores, and they are
#: translated where shown.
CONSENT_BY = [
    ("personen", N_("Personen själv")),
    ("vardnadshavare", N_("Vårdnadshavare")),
    ("foretradare", N_("God man eller förvaltare")),
]
#: What the access log's codes mean, for the referral page and the admin's log.
ACCESS_LABELS = {
    "created": N_("skickade"),
    "read": N_("läste"),
    "deleted": N_("raderades när lagringstiden gick ut"),
}
#: What the person consents to, recorded with the referral. Kept as one
#: message so the form can show it in the visitor's language.
CONSENT_TEXT = N_(
    "Att %(sender)s lämnar förnamn eller alias, kontaktväg och behov till %(organisation)s "
    "(%(service)s) så att de kan kontakta personen. Uppgifterna raderas automatiskt efter %(days)s dagar."
)
_PERSONNUMMER = re.compile(r"\b(19|20)?\d{6}[-+ ]?\d{4}\b")


def no_personnummer(form: Form, field: Field) -> None:
    if _PERSONNUMMER.search(field.data or ""):
        raise ValidationError(
            _("Ta bort personnumret. En remiss i LISA ska bara ha förnamn eller alias, kontaktväg och behov.")
        )


class ReferralForm(Form):
    sender = SelectField("Skickas från", validators=[validators.InputRequired("Välj vem som skickar remissen.")])
    person_name = StringField(
        "Förnamn eller alias",
        description=N_("Bara förnamn eller ett alias som personen själv valt. Inget efternamn, inget personnummer."),
        validators=[
            validators.InputRequired("Skriv personens förnamn eller ett alias."),
            validators.Length(max=60),
            no_personnummer,
        ],
    )
    contact = StringField(
        "Hur personen vill bli kontaktad",
        description=N_("Till exempel ett telefonnummer eller en e-postadress, och när det passar."),
        validators=[
            validators.InputRequired("Skriv hur organisationen kan nå personen."),
            validators.Length(max=120),
            no_personnummer,
        ],
    )
    need = TextAreaField(
        "Vad personen behöver hjälp med",
        description=N_("Kort och med personens egna ord. Skriv inga diagnoser eller journaluppgifter."),
        validators=[
            validators.InputRequired("Beskriv kort vad personen behöver hjälp med."),
            validators.Length(max=1000),
            no_personnummer,
        ],
    )
    consent_by = SelectField("Vem gav samtycket", choices=[SelectChoice(k, v) for k, v in CONSENT_BY])
    consent = BooleanField(
        "Samtycke är inhämtat",
        validators=[
            validators.InputRequired(
                "Kryssa i rutan när personen har samtyckt. Utan samtycke kan remissen inte skickas."
            )
        ],
    )


def consent_text(
    sender_name: str, organisation: Organisation, service: Service, days: int, *, localise: bool = True
) -> str:
    """What the person consents to. The form shows it in the visitor's
    language; the referral records it (``localise=False``) in Swedish, the
    site's language, which both parties and a later reviewer read."""
    template = _(CONSENT_TEXT) if localise else CONSENT_TEXT
    return template % {"sender": sender_name, "organisation": organisation.name, "service": service.name, "days": days}


def access_label(action: str) -> str:
    """An access-log entry in words, in the visitor's language."""
    if action.startswith("status:"):
        status = action.partition(":")[2]
        return _("satte status %(status)s") % {"status": _(STATUS_LABELS.get(status, status)).lower()}
    return _(ACCESS_LABELS[action]) if action in ACCESS_LABELS else action


def log_access(session: Session, referral: Referral, user: User | None, action: str, now: datetime) -> None:
    assert referral.id is not None
    session.add(ReferralAccess(referral_id=referral.id, user_id=user.id if user else None, action=action, at=now))


def purge_expired(session: Session, now: datetime) -> int:
    """Delete every referral whose retention period has ended. Returns how many."""
    expired = session.exec(select(Referral.id).where(col(Referral.delete_after) <= now)).all()
    for referral_id in expired:
        assert referral_id is not None  # a primary key
        session.add(ReferralAccess(referral_id=referral_id, user_id=None, action="deleted", at=now))
    if expired:
        session.exec(delete(Referral).where(col(Referral.id).in_(list(expired))))
    session.commit()
    return len(expired)


def _sender_name(session: Session, referral: Referral) -> str:
    if referral.sender_health_centre_id:
        hc = session.get(HealthCentre, referral.sender_health_centre_id)
        if hc:
            return hc.name
    if referral.sender_organisation_id:
        org = session.get(Organisation, referral.sender_organisation_id)
        if org:
            return org.name
    return _("Okänd avsändare")


#: The notice kind of a referral received (the ``notice_kinds`` hook).
REFERRAL_NOTICE = "lisa.referral"


def notify_receivers(site: Site, session: Session, organisation: Organisation, referral: Referral) -> None:
    """Tell the receiving organisation's people a referral has come (issue
    20). No health data and no name in the mail: only the organisation and
    a link that needs a login, each in the reader's language."""
    members = session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(col(Membership.organisation_id) == organisation.id, col(User.is_active).is_(True))
    ).all()
    link = absolute_url_for(site, "lisa:referral", referral_id=referral.id)
    for member in members:
        lang = recipient_language(site, session, member.email)
        with in_language(lang):
            subject = _("Ny remiss till %(name)s") % {"name": organisation.name}
            body = _(
                "Hej!\n\nEn ny remiss har kommit till %(name)s via %(site)s. Logga in för att läsa den:\n%(link)s\n"
            ) % {"name": organisation.name, "site": site.name, "link": link}
        notify(site, session, REFERRAL_NOTICE, Mail(member.email, subject, body, lang), origin="lisa")


def new_referral(request: Request) -> Response:
    site = site_of(request)
    user = require_user(request)
    with site.session() as session:
        service = session.get(Service, request.path_params["service_id"])
        if service is None or service.id is None or service.status == ServiceStatus.ENDED:
            raise HTTPException(404, _("Tjänsten finns inte längre. Sök en annan tjänst."))
        roles.require_referrer(session, user)
        if not service.accepts_referrals:
            raise Forbidden(_("Den här tjänsten tar inte emot remisser. Ge personen kontaktuppgifterna i stället."))
        organisation = session.get(Organisation, service.organisation_id)
        assert organisation is not None
        choices = roles.sender_choices(session, user)
        form = ReferralForm.bind(request)
        form.sender.choices = [SelectChoice(v, label) for v, label in choices]
        translate_choices(form)
        days = settings_of(site).referral_retention_days
        names = dict(choices)
        if request.method == "POST" and form.validate():
            kind, _sep, raw_id = (form.sender.data or "").partition(":")
            now = site.clock.now()
            referral = Referral(
                service_id=service.id,
                sender_user_id=user.id,
                sender_health_centre_id=int(raw_id) if kind == "vc" else None,
                sender_organisation_id=int(raw_id) if kind == "org" else None,
                person_name=(form.person_name.data or "").strip(),
                contact=(form.contact.data or "").strip(),
                need=(form.need.data or "").strip(),
                consent_by=dict(CONSENT_BY)[form.consent_by.data],
                consent_scope=consent_text(names[form.sender.data], organisation, service, days, localise=False),
                consent_at=now,
                created_at=now,
                delete_after=now + timedelta(days=days),
            )
            session.add(referral)
            session.flush()
            log_access(session, referral, user, "created", site.clock.now())
            notify_receivers(site, session, organisation, referral)
            session.commit()
            flash(
                request,
                _("Remissen är skickad till %(name)s. Du ser svaret under Remisser.") % {"name": organisation.name},
            )
            return RedirectResponse(url_for(site, "lisa:referral", referral_id=referral.id), status_code=303)
        sample_sender = names.get(form.sender.data or "", choices[0][1] if choices else "")
        return site.render(
            request,
            "lisa/referral_form.html",
            {
                **common(site),
                "form": form,
                "service": service,
                "organisation": organisation,
                "consent_text": consent_text(sample_sender, organisation, service, days),
                "days": days,
            },
            status_code=400 if form.errors else 200,
        )


def referral_list(request: Request) -> Response:
    site = site_of(request)
    user = require_user(request)
    with site.session() as session:
        purge_expired(session, site.clock.now())
        if not roles.can_refer(session, user):
            raise Forbidden(
                _(
                    "Remisser är för personal på vårdcentraler och organisationer i LISA. "
                    "Be administratören koppla ditt konto."
                )
            )
        received, sent = roles.visible_referrals(session, user)
        services = {s.id: s for s in session.exec(select(Service)).all()}
        senders = {r.id: _sender_name(session, r) for r in received + sent}
    return site.render(
        request,
        "lisa/referral_list.html",
        {
            **common(site),
            "received": received,
            "sent": sent,
            "services": services,
            "senders": senders,
            "status_labels_ref": STATUS_LABELS,
        },
    )


def _load_for_party(session: Session, request: Request, user: User) -> tuple[Referral, bool, bool]:
    referral = session.get(Referral, request.path_params["referral_id"])
    if referral is None:
        raise HTTPException(404, _("Remissen finns inte. Den kan ha raderats när lagringstiden gick ut."))
    receiver = roles.is_receiver(session, user, referral)
    sender = roles.is_sender(session, user, referral)
    if not (receiver or sender):
        raise Forbidden(_("Bara avsändaren och den mottagande organisationen kan se remissen."))
    return referral, receiver, sender


def referral_page(request: Request) -> Response:
    site = site_of(request)
    user = require_user(request)
    with site.session() as session:
        purge_expired(session, site.clock.now())
        referral, receiver, sender = _load_for_party(session, request, user)
        log_access(session, referral, user, "read", site.clock.now())
        session.commit()
        service = session.get(Service, referral.service_id)
        organisation = session.get(Organisation, service.organisation_id) if service else None
        accesses = session.exec(
            select(ReferralAccess, User)
            .join(User, col(User.id) == ReferralAccess.user_id, isouter=True)
            .where(ReferralAccess.referral_id == referral.id)
            .order_by(col(ReferralAccess.at))
        ).all()
        sender_name = _sender_name(session, referral)
    return site.render(
        request,
        "lisa/referral.html",
        {
            **common(site),
            "referral": referral,
            "service": service,
            "organisation": organisation,
            "receiver": receiver,
            "sender": sender,
            "sender_name": sender_name,
            "accesses": accesses,
            "status_labels_ref": STATUS_LABELS,
            "access_label": access_label,
            "next_statuses": [s for s in ReferralStatus if s != ReferralStatus.SENT],
        },
    )


def referral_status(request: Request) -> Response:
    """The receiving organisation answers: accepted, declined or completed."""
    site = site_of(request)
    user = require_user(request)
    form = read_form(request)
    new = str(form.get("status", ""))
    with site.session() as session:
        referral, receiver, _sender = _load_for_party(session, request, user)
        if not receiver:
            raise Forbidden(_("Bara den mottagande organisationen kan ändra remissens status."))
        if new not in {s.value for s in ReferralStatus} or new == ReferralStatus.SENT:
            raise HTTPException(400, _("Välj antagen, avböjd eller avslutad."))
        referral.status = new
        referral.status_changed_at = site.clock.now()
        session.add(referral)
        log_access(session, referral, user, f"status:{new}", site.clock.now())
        session.commit()
    flash(request, _("Remissens status är nu: %(status)s.") % {"status": _(STATUS_LABELS[new]).lower()})
    return RedirectResponse(url_for(site, "lisa:referral", referral_id=referral.id), status_code=303)


def referrals_sent_between(session: Session, start: date, end: date) -> int:
    """How many referrals were sent in a period: a count only, for the report."""
    rows = session.exec(select(ReferralAccess).where(ReferralAccess.action == "created")).all()
    return sum(1 for r in rows if start <= r.at.date() <= end)
