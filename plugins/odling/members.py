"""Members of the park organisation: the public join form, each member's
personal page (reached by a secret link, no account needed), the
coordinators' member list, and the retention rule.

Personal data is minimal: a name, an e-mail address or a phone number, how
they want to take part, and the consent they gave (its text and time). A
member inactive for ``retention_months`` is deleted by ``paraply
odling-gallra`` (or the button on the member list); members can delete
themselves at any time from their page.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date

from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import BooleanField, EmailField, StringField, TextAreaField, validators

from core.api import N_, Form, Site, flash, ngettext, read_form, site_of, url_for, utcnow
from core.api import gettext as _
from plugins.odling import mail, web
from plugins.odling.crops import CheckboxList
from plugins.odling.models import Member, Observation, Signup, WorkSession

#: Stored as the keys; the labels are translated where they are shown.
INTERESTS = {
    "odla": N_("Odla och sköta bäddar"),
    "arbetspass": N_("Komma på arbetspass"),
    "pollinatorer": N_("Räkna bin och andra pollinatörer"),
    "evenemang": N_("Skördefester och visningar"),
}


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return date(year, month, min(day.day, last[month - 1]))


def consent_text(site: Site) -> str:
    """The consent in the language of the join page. It is stored as shown,
    not as a message id: the record must keep the words the person agreed to."""
    settings = web.settings_of(site)
    return _(
        "Jag samtycker till att %(park)s sparar mitt namn och mina kontaktuppgifter för att "
        "kunna höra av sig om parken och arbetspassen. Bara parkens samordnare ser dem. Uppgifterna raderas "
        "%(months)s månader efter att jag senast var aktiv, eller när jag själv tar bort dem."
    ) % {"park": settings.park_name, "months": settings.retention_months}


def touch(site: Site, member: Member) -> None:
    """Activity keeps a member: move the deletion date forward."""
    member.last_active_at = utcnow()
    member.delete_after = add_months(web.clock(site).today(), web.settings_of(site).retention_months)


def by_token(db: Session, token: str) -> Member:
    member = db.exec(select(Member).where(Member.token == token)).first() if token else None
    if member is None:
        raise web.not_found(
            _(
                "Länken fungerar inte. Den kan vara felskriven, eller så är uppgifterna redan raderade. "
                "Bli medlem igen eller be om en ny länk."
            )
        )
    return member


def member_url(site: Site, member: Member) -> str:
    return url_for(site, "odling:my_page", token=member.token)


def send_link(site: Site, member: Member) -> bool:
    # In the site's language (Swedish), not the page's: an e-mail may be read
    # anywhere, later, and we do not know the member's language.
    settings = web.settings_of(site)
    body = (
        f"Hej {member.name}!\n\n"
        f"Här är din personliga länk till {settings.park_name}. Där anmäler du dig till arbetspass, "
        "avbokar, ser dina timmar och kan radera dina uppgifter:\n\n"
        f"{site.absolute_url(member_url(site, member))}\n\n"
        "Dela inte länken: den som har den kommer åt dina anmälningar.\n"
    )
    return mail.send(site, member.email, f"Din länk till {settings.park_name}", body)


# -- joining -----------------------------------------------------------------------------


class JoinForm(Form):
    name = StringField("Namn", [validators.InputRequired("Skriv ditt namn."), validators.Length(max=120)])
    email = EmailField(
        "E-postadress",
        [
            validators.Optional(),
            validators.Email(N_("Skriv en e-postadress som namn@exempel.se.")),
            validators.Length(max=254),
        ],
        description=N_("Vi behöver e-post eller telefon, inte båda."),
    )
    phone = StringField("Telefon", [validators.Optional(), validators.Length(max=40)])
    interests = CheckboxList(
        N_("Hur vill du vara med?"),
        choices=web.translated_options(INTERESTS),
        validators=[validators.InputRequired("Kryssa i minst ett sätt som du vill vara med på.")],
    )
    message = TextAreaField("Något du vill berätta?", [validators.Length(max=500)], description=N_("Frivilligt."))
    consent = BooleanField(
        "Jag samtycker till att mina uppgifter sparas",
        [
            validators.InputRequired(
                "Kryssa i rutan för att vi ska få spara dina uppgifter. Utan dem kan vi inte nå dig."
            )
        ],
    )
    homepage = StringField("Lämna tomt")  # honeypot: people leave it empty


def join(request: Request) -> Response:
    site = site_of(request)
    form = JoinForm.bind(request)
    if request.method == "POST" and form.validate():
        email = (form.email.data or "").strip().lower()
        phone = (form.phone.data or "").strip()
        if form.homepage.data:
            return RedirectResponse(url_for(site, "odling:park"), status_code=303)
        if not email and not phone:
            form.email.errors = [_("Skriv din e-postadress eller ditt telefonnummer, så att vi kan nå dig.")]
        else:
            with site.session() as db:
                member = Member(
                    name=form.name.data.strip(),
                    email=email,
                    phone=phone,
                    interests=",".join(form.interests.data),
                    message=(form.message.data or "").strip(),
                    consent_text=consent_text(site),
                    token=secrets.token_urlsafe(24),
                    delete_after=web.clock(site).today(),
                )
                touch(site, member)
                db.add(member)
                db.commit()
                sent = send_link(site, member)
            if sent:
                welcome = _(
                    "Välkommen som medlem! Det här är din egen sida. Spara länken (bokmärk sidan), "
                    "vi har också skickat den till din e-post."
                )
            else:
                welcome = _("Välkommen som medlem! Det här är din egen sida. Spara länken (bokmärk sidan).")
            flash(request, welcome)
            return RedirectResponse(member_url(site, member), status_code=303)
    return site.render(
        request,
        "odling/join.html",
        {"form": form, "consent_text": consent_text(site)},
        status_code=400 if request.method == "POST" else 200,
    )


class LinkForm(Form):
    email = EmailField(
        "E-postadress",
        [
            validators.InputRequired("Skriv e-postadressen du anmälde dig med."),
            validators.Email(N_("Skriv en e-postadress som namn@exempel.se.")),
        ],
    )


def resend_link(request: Request) -> Response:
    """Mail the personal link again. The answer is the same whether or not
    the address is a member's, so the form tells nobody who is a member."""
    site = site_of(request)
    form = LinkForm.bind(request)
    if request.method == "POST" and form.validate():
        with site.session() as db:
            member = db.exec(select(Member).where(Member.email == form.email.data.strip().lower())).first()
            if member is not None:
                send_link(site, member)
        flash(request, _("Om adressen finns hos oss har vi skickat din länk dit. Titta även i skräpposten."))
        return RedirectResponse(url_for(site, "odling:resend_link"), status_code=303)
    return site.render(
        request,
        "odling/resend_link.html",
        {"form": form, "mail_on": mail.can_send(site)},
        status_code=400 if request.method == "POST" else 200,
    )


# -- a member's own page -------------------------------------------------------------------


def hours_by_member(db: Session) -> dict[int, float]:
    """Hours worked: the length of every session a member attended."""
    hours: dict[int, float] = defaultdict(float)
    rows = db.exec(
        select(Signup.member_id, WorkSession)
        .join(WorkSession, col(Signup.session_id) == col(WorkSession.id))
        .where(Signup.attended == True)  # noqa: E712
    ).all()
    for member_id, session in rows:
        hours[member_id] += session.hours
    return hours


def my_page(request: Request) -> Response:
    from plugins.odling import sessions

    site = site_of(request)
    with site.session() as db:
        member = by_token(db, request.path_params["token"])
        upcoming = sessions.upcoming_with_counts(db, site)
        mine = {s.session_id: s for s in db.exec(select(Signup).where(Signup.member_id == member.id)).all()}
        past = db.exec(
            select(WorkSession, Signup)
            .join(Signup, col(Signup.session_id) == col(WorkSession.id))
            .where(Signup.member_id == member.id, col(WorkSession.starts_at) < web.clock(site).now())
            .order_by(col(WorkSession.starts_at).desc())
        ).all()
        hours = hours_by_member(db).get(member.id or 0, 0.0)
        observations = len(db.exec(select(Observation.id).where(Observation.member_id == member.id)).all())
    return site.render(
        request,
        "odling/my_page.html",
        {
            "member": member,
            "upcoming": upcoming,
            "mine": mine,
            "past": past,
            "hours": hours,
            "observations": observations,
            "interests": INTERESTS,
            "here": member_url(site, member),
        },
    )


def delete_me(request: Request) -> Response:
    site = site_of(request)
    form = read_form(request)
    with site.session() as db:
        member = by_token(db, request.path_params["token"])
        if form.get("bekrafta") != "ja":
            flash(request, _("Kryssa i rutan om du verkligen vill radera dina uppgifter."), "error")
            return RedirectResponse(member_url(site, member) + "#radera", status_code=303)
        db.delete(member)
        db.commit()
    flash(request, _("Dina uppgifter är raderade. Tack för att du var med!"))
    return RedirectResponse(url_for(site, "odling:park"), status_code=303)


# -- coordinators ----------------------------------------------------------------------------


def member_list(request: Request) -> Response:
    web.require_coordinator(request)
    site = site_of(request)
    with site.session() as db:
        members = db.exec(select(Member).order_by(col(Member.name))).all()
        hours = hours_by_member(db)
        signups: dict[int, int] = defaultdict(int)
        for member_id in db.exec(select(Signup.member_id)).all():
            signups[member_id] += 1
    today = web.clock(site).today()
    return site.render(
        request,
        "odling/members.html",
        {
            "members": members,
            "coordinator": True,
            "hours": hours,
            "signups": signups,
            "total_hours": sum(hours.values()),
            "expired": [m for m in members if m.delete_after < today],
            "interests": INTERESTS,
            "retention_months": web.settings_of(site).retention_months,
        },
    )


def member_delete(request: Request) -> Response:
    web.require_coordinator(request)
    site = site_of(request)
    with site.session() as db:
        member = db.get(Member, request.path_params["member_id"])
        if member is None:
            raise web.not_found(_("Medlemmen finns inte längre."))
        name = member.name
        db.delete(member)
        db.commit()
    flash(request, _("%(name)s och hens anmälningar är raderade.") % {"name": name})
    return RedirectResponse(url_for(site, "odling:members"), status_code=303)


def prune(site: Site, db: Session) -> list[str]:
    """Apply the retention rule: delete members whose ``delete_after`` has
    passed. Their observations stay, without a name. Returns the names."""
    expired = db.exec(select(Member).where(col(Member.delete_after) < web.clock(site).today())).all()
    names = [m.name for m in expired]
    for member in expired:
        db.delete(member)
    db.commit()
    return names


def prune_now(request: Request) -> Response:
    web.require_coordinator(request)
    site = site_of(request)
    with site.session() as db:
        names = prune(site, db)
    if names:
        message = ngettext(
            "%(count)s medlem som inte varit aktiv på länge är raderad.",
            "%(count)s medlemmar som inte varit aktiva på länge är raderade.",
            len(names),
        ) % {"count": len(names)}
    else:
        message = _("Ingen behövde raderas.")
    flash(request, message)
    return RedirectResponse(url_for(site, "odling:members"), status_code=303)
