"""Demo data: a few invented, confirmed subscribers, one sent issue and a draft,
composed from the site's own demo news and events (idempotent). The issue
is marked sent without queuing mail: the demo's outbox stays quiet."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import Session, select

from core.api import Site, member_associations
from plugins.nyhetsbrev.letters import gather
from plugins.nyhetsbrev.models import Issue, IssueState, Subscriber

SUBSCRIBERS = [
    "karin.lindqvist@exempel.se",
    "ahmed.yusuf@exempel.se",
    "birgitta.ek@exempel.se",
    "jonas.holm@exempel.se",
    "sara.nilsson@exempel.se",
    "leila.karimi@exempel.se",
    "per-olof.strand@exempel.se",
    "elin.berg@exempel.se",
]

#: What some of them chose besides the monthly newsletter (topics, frequency).
CHOICES = {
    "ahmed.yusuf@exempel.se": ("nyhetsbrev,nyheter,evenemang", "veckovis"),
    "jonas.holm@exempel.se": ("evenemang", "dagligen"),
    "leila.karimi@exempel.se": ("nyheter", "veckovis"),
    "per-olof.strand@exempel.se": ("nyhetsbrev,natverket", "veckovis"),
}

#: Who follows associations: the first ``n`` the member directory lists.
FOLLOWERS = {"birgitta.ek@exempel.se": 2, "elin.berg@exempel.se": 1}

EDITORIAL = (
    "Hej alla föreningsvänner!\n\nVåren är här och föreningslivet i Karlskoga och Degerfors sjuder. "
    "Här är månadens nyheter och det som händer framöver. Glöm inte att anmäla er till vårens "
    "styrelseutbildning i Föreningarnas hus.\n\n*Kansliet, Möckelnföreningarna*"
)


def load(site: Site, session: Session) -> None:
    now = site.clock.now()
    for n, email in enumerate(SUBSCRIBERS):
        if session.exec(select(Subscriber).where(Subscriber.email == email)).first() is None:
            session.add(
                Subscriber(
                    email=email,
                    token=secrets.token_urlsafe(24),
                    language="en" if n == 5 else "sv",
                    created_at=now - timedelta(days=40 - n),
                    consent_text="Jag vill få nyhetsbrevet och vet att jag kan avsluta det när jag vill.",
                    confirmed_at=now - timedelta(days=40 - n, hours=-1),
                    topics=CHOICES.get(email, ("nyhetsbrev", "veckovis"))[0],
                    frequency=CHOICES.get(email, ("nyhetsbrev", "veckovis"))[1],
                )
            )
    session.flush()
    listed = [a.slug for a in member_associations(site, session)]
    for email, n in FOLLOWERS.items():
        row = session.exec(select(Subscriber).where(Subscriber.email == email)).first()
        if row is not None and not row.associations and listed:
            row.associations = ",".join(listed[:n])
            session.add(row)
    if session.exec(select(Issue)).first() is None:
        start, end = now - timedelta(days=60), now - timedelta(days=1)
        session.add(
            Issue(
                title=f"Nyhetsbrev från {site.name}",
                editorial=EDITORIAL,
                period_start=start,
                period_end=end,
                items=gather(site, session, start, end),
                state=IssueState.SENT,
                created_at=end,
                sent_at=end,
                recipients=len(SUBSCRIBERS),
            )
        )
        session.add(
            Issue(
                title=f"Nästa nyhetsbrev från {site.name}",  # the admin's list says "utkast" beside it
                editorial="Det här numret är inte skickat ännu: förhandsgranska det och skicka ett provutskick.",
                period_start=end,
                period_end=now + timedelta(days=29),
                items=gather(site, session, end, now + timedelta(days=29)),
                created_at=now,
            )
        )
    session.flush()
