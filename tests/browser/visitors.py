"""The people the role walk (visitor, admin, association editor) does not
stand for: LISA's nurse and volunteer, a Fritidsbanken borrower who signed in
with the link in a text message, counter staff looking at a borrower, a park
member with their personal link, a newsletter subscriber and a person with
core's mailed links (the links in their mails), and a machine reading the
open data API.

Each is built from the site's own data with the plugins' own functions (a
signed link from ``link_token``, ids from the HSDS serializer, a referral
sent through the real form), so the pages they reach are the pages a person
in that role reaches. Only the plugins a site enables contribute visitors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select

from core.accounts import create_user
from core.csrf import csrf_cookie_name
from core.demo import DEMO_PASSWORD
from core.models import Role, User
from tests.browser.pages import http_client
from tests.browser.server import LiveSite


@dataclass
class Visitor:
    name: str
    login: tuple[str, str] | None = None  # e-mail and password for the login form
    enter: list[str] = field(default_factory=list)  # opened first: the link that signs the visitor in
    seeds: list[str] = field(default_factory=list)  # URLs the visitor has from outside the site


def visitors_for(live: LiveSite) -> list[Visitor]:
    """Every extra visitor this site's plugins call for, with their data ready."""
    found = [Visitor("open data client", seeds=_feed_seeds(live) + _api_seeds(live)), _mailed_links(live)]
    enabled = live.site.enabled
    if "lisa" in enabled:
        found += _lisa(live)
    if "fritidsbanken" in enabled:
        found += _fritidsbanken(live)
    if "odling" in enabled:
        found += _odling(live)
    if "nyhetsbrev" in enabled:
        found += _nyhetsbrev(live)
    return [v for v in found if v.login or v.enter or v.seeds]


def _feed_seeds(live: LiveSite) -> list[str]:
    """Each federated kind's current Atom feed, as the discovery document
    lists them for peers (the walk follows their archive links)."""
    client = http_client(live, None)
    try:
        feeds = client.get("/.well-known/paraply").json()["feeds"]
    finally:
        client.close()
    base = live.site.absolute_url("")
    return [feed["atom"].removeprefix(base) for feed in feeds.values()]


def _api_seeds(live: LiveSite) -> list[str]:
    """One record of each kind from LISA's HSDS API, by its published id."""
    if "lisa" not in live.site.enabled:
        return []
    from plugins.lisa.hsds.serialize import taxonomy_uid
    from plugins.lisa.models import Organisation, Service, Term

    prefix = live.site.prefix("lisa")
    with live.site.session() as db:
        service = db.exec(select(Service).order_by(col(Service.id))).first()
        organisation = db.exec(select(Organisation).order_by(col(Organisation.id))).first()
        term = db.exec(select(Term).order_by(col(Term.id))).first()
    assert service and organisation and term, "the LISA demo data is missing"
    return [
        f"{prefix}/api/services/{service.uid}",
        f"{prefix}/api/organizations/{organisation.uid}",
        f"{prefix}/api/taxonomies/{taxonomy_uid(live.site)}",
        f"{prefix}/api/taxonomy_terms/{term.uid}",
    ]


def _lisa(live: LiveSite) -> list[Visitor]:
    """The nurse (after sending one referral through the form, so there is a
    referral to open) and the volunteer whose organisation receives it."""
    from plugins.lisa.demo import demo_users
    from plugins.lisa.models import Membership, Referral, Service

    users = demo_users(live.site)
    (nurse, _), (volunteer, _) = users
    prefix = live.site.prefix("lisa")
    with live.site.session() as db:
        ids = {u.email: u.id for u in db.exec(select(User).where(col(User.email).in_([nurse, volunteer]))).all()}
        if len(ids) < 2:
            return []  # the site's demo has no health centre or no organisation taking referrals
        centre = db.exec(select(Membership.health_centre_id).where(Membership.user_id == ids[nurse])).one()
        org = db.exec(select(Membership.organisation_id).where(Membership.user_id == ids[volunteer])).one()
        service = db.exec(
            select(Service)
            .where(Service.organisation_id == org, Service.accepts_referrals == True)  # noqa: E712
            .order_by(col(Service.id))
        ).first()
        assert service is not None
        sent = db.exec(select(Referral.id).where(Referral.service_id == service.id)).first()
    form = f"{prefix}/tjanst/{service.id}/remiss"
    if sent is None:
        client = http_client(live, (nurse, DEMO_PASSWORD))
        try:
            assert client.get(form).status_code == 200
            response = client.post(
                form,
                data={
                    "csrftoken": client.cookies.get(csrf_cookie_name(live.site.slug)) or "",
                    "sender": f"vc:{centre}",
                    "person_name": "Alex",
                    "contact": "070-174 06 98, förmiddagar",
                    "need": "Vill ha sällskap på promenader.",
                    "consent_by": "personen",
                    "consent": "y",
                },
            )
            assert response.status_code == 303, f"the referral form answered {response.status_code}"
        finally:
            client.close()
    return [
        Visitor("LISA nurse (health centre)", login=(nurse, DEMO_PASSWORD), seeds=[form]),
        Visitor("LISA volunteer (organisation)", login=(volunteer, DEMO_PASSWORD)),
    ]


def _fritidsbanken(live: LiveSite) -> list[Visitor]:
    """A borrower with a loan, signed in by the link in a reminder, and the
    counter staff (the demo editor) looking at that borrower."""
    from plugins.fritidsbanken.models import Borrower, Loan
    from plugins.fritidsbanken.phone_login import link_token

    prefix = live.site.prefix("fritidsbanken")
    with live.site.session() as db:
        borrower = db.exec(
            select(Borrower)
            .join(Loan, col(Loan.borrower_id) == col(Borrower.id))
            .where(col(Loan.returned_at).is_(None), Borrower.mobile != "")
            .order_by(col(Borrower.id))
        ).first()
        assert borrower is not None, "no demo borrower with a mobile number has a loan"
    staff = live.login_for(Role.EDITOR)
    return [
        Visitor(
            "Fritidsbanken borrower (link in a text)",
            enter=[f"{prefix}/mina-lan/lank/{link_token(live.site, borrower.mobile)}"],
            seeds=[f"{prefix}/registrera"],
        ),
        Visitor("Fritidsbanken counter staff", login=staff, seeds=[f"{prefix}/disk/lantagare/{borrower.id}"]),
    ]


def _odling(live: LiveSite) -> list[Visitor]:
    """A park member with their personal link."""
    from plugins.odling.models import Member

    prefix = live.site.prefix("odling")
    with live.site.session() as db:
        member = db.exec(select(Member).order_by(col(Member.id))).first()
        assert member is not None, "the park's demo has no members"
    return [Visitor("park member (personal link)", enter=[f"{prefix}/mitt/{member.token}"])]


def _nyhetsbrev(live: LiveSite) -> list[Visitor]:
    """A newsletter subscriber with the links in its mails: the confirmation
    link of an address not yet confirmed, and the settings and unsubscribe
    links of a confirmed one (made by the plugin's own functions, as the
    form and the confirm button do). Opening them spends nothing: confirming
    and unsubscribing take a POST. tests/browser/test_nyhetsbrev.py walks the
    same pages through the real form, with axe and without JavaScript."""
    from plugins.nyhetsbrev import letters
    from plugins.nyhetsbrev.models import Subscriber

    tokens: dict[str, str] = {}
    with live.site.session() as db:
        for email, confirmed in (("vantar@demo.example", False), ("prenumerant@demo.example", True)):
            found = db.exec(select(Subscriber).where(Subscriber.email == email)).first()
            if found is None:
                letters.subscribe(live.site, db, email, "sv", "Jag vill få nyhetsbrevet.", {"nyhetsbrev", "nyheter"})
                found = db.exec(select(Subscriber).where(Subscriber.email == email)).one()
                if confirmed:
                    letters.confirm(live.site, db, found)
            tokens[email] = found.token
        db.commit()
    prefix = live.site.prefix("nyhetsbrev")
    confirmed_token = tokens["prenumerant@demo.example"]
    return [
        Visitor(
            "newsletter subscriber (links in the mails)",
            seeds=[
                f"{prefix}/bekrafta/{tokens['vantar@demo.example']}",
                f"{prefix}/prenumeration/{confirmed_token}",
                f"{prefix}/avsluta/{confirmed_token}",
            ],
        )
    ]


def _mailed_links(live: LiveSite) -> Visitor:
    """A person with the links core e-mails (core.tokens): a password reset,
    an invitation not yet taken up, a one-time sign-in link, and the
    settings link at the foot of every notice (core.notices). Opening them
    spends nothing, so the walk leaves them as they are."""
    from core import tokens
    from core.accounts import create_invited_user, get_user_by_email
    from core.models import NoticeRecipient
    from core.notices import set_muted

    now = live.site.clock.now()
    with live.site.session() as db:
        person = get_user_by_email(db, "lankar@demo.example") or create_user(
            db, "lankar@demo.example", "Lena Länk", DEMO_PASSWORD
        )
        invited = get_user_by_email(db, "inbjuden@demo.example") or create_invited_user(
            db, "inbjuden@demo.example", "Ivar Inbjuden"
        )
        seeds = [
            f"/konto/nytt-losenord/{tokens.issue(db, person, tokens.Purpose.RESET, now)}",
            f"/konto/inbjudan/{tokens.issue(db, invited, tokens.Purpose.INVITE, now)}",
            f"/konto/inloggningslank/{tokens.issue(db, person, tokens.Purpose.SIGN_IN, now)}",
        ]
        recipient = db.exec(select(NoticeRecipient).where(NoticeRecipient.address == person.email)).first()
        if recipient is None:
            set_muted(live.site, db, person.email, set())  # the row a first notice makes, nothing switched off
            recipient = db.exec(select(NoticeRecipient).where(NoticeRecipient.address == person.email)).one()
        seeds.append(f"/aviseringar/{recipient.token}")
        db.commit()
    return Visitor("person with e-mailed links", seeds=seeds)
