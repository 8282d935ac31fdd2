"""Subscriptions and issues: the rules, apart from the pages.

Subscribing (double opt-in): an address gets a row with a random token and
a confirmation mail; the row counts only once the link is used, and is
deleted after ``confirm_days`` if it never is. The same answer is given
whether an address was known or not, so the form tells nobody who
subscribes. Unsubscribing deletes the row at once, and the newsletter's mail
to the address in core's outbox, sent or waiting (the address is kept only
while subscribed); an unknown token gets the same answer as a known one.

Sending: ``send_issue`` turns a draft into a sent issue in one UPDATE that
only a draft passes (a double click, two admins, a retried POST: the second
finds nothing to do) and queues one message per confirmed subscriber in the
same transaction, each with its own ``List-Unsubscribe`` link; core's
outbox sends them at its pace (``[mail] per_minute``), retries, and sends
nothing twice.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import Session, col, delete, select

from core.api import (
    ONE_CLICK_SUFFIX,
    Mail,
    NewsletterItem,
    Site,
    absolute_url_for,
    forget_mail_to,
    in_language,
    member_associations,
    newsletter_items,
    queue_mail,
    received_entries,
)
from core.api import gettext as _
from plugins.nyhetsbrev.models import (
    MAX_FOLLOWED,
    NETWORK_KINDS,
    TOPICS,
    Issue,
    IssueState,
    Subscriber,
    followed_of,
    topics_of,
)
from plugins.nyhetsbrev.settings import NyhetsbrevSettings

PLUGIN = "nyhetsbrev"


def settings_of(site: Site) -> NyhetsbrevSettings:
    return site.plugin_settings(PLUGIN, NyhetsbrevSettings)


# -- subscribers ----------------------------------------------------------------------------------------


def subscribe(
    site: Site,
    db: Session,
    email: str,
    language: str,
    consent: str,
    topics: set[str] | None = None,
    frequency: str = "veckovis",
    associations: list[str] | None = None,
) -> None:
    """Start (or restart) a subscription and mail the confirmation link; an
    address already confirmed gets a mail with its settings link instead."""
    email = email.strip().lower()
    now = site.clock.now()
    found = db.exec(select(Subscriber).where(Subscriber.email == email)).first()
    if found is not None and found.confirmed_at is not None:
        _mail_already(site, db, found, known_associations(site, db, associations or []))
        return
    if found is None:
        found = Subscriber(email=email, token=secrets.token_urlsafe(24), language=language, created_at=now)
    found.created_at, found.consent_text, found.language = now, consent[:500], language
    chosen = {"nyhetsbrev"} if topics is None else topics
    found.topics = ",".join(t for t in TOPICS if t in chosen)
    found.frequency = frequency if frequency in ("dagligen", "veckovis") else "veckovis"
    found.associations = ",".join(known_associations(site, db, associations or []))
    db.add(found)
    db.flush()
    _mail_confirm(site, db, found)


def association_names(site: Site, db: Session) -> dict[str, str]:
    """Slug -> name of every association listed publicly (the member directory's)."""
    return {a.slug: a.name for a in member_associations(site, db)}


def known_associations(site: Site, db: Session, slugs: list[str]) -> list[str]:
    """``slugs`` that name a listed association, without repeats, at most ``MAX_FOLLOWED``."""
    if not slugs:
        return []
    names = association_names(site, db)
    return list(dict.fromkeys(s for s in slugs if s in names))[:MAX_FOLLOWED]


def by_token(db: Session, token: str) -> Subscriber | None:
    if not token or len(token) > 64:
        return None
    return db.exec(select(Subscriber).where(Subscriber.token == token)).first()


def link_expired(site: Site, subscriber: Subscriber) -> bool:
    if subscriber.confirmed_at is not None:
        return False
    created = subscriber.created_at if subscriber.created_at.tzinfo else subscriber.created_at.replace(tzinfo=UTC)
    return site.clock.now() - created > timedelta(days=settings_of(site).confirm_days)


def confirm(site: Site, db: Session, subscriber: Subscriber) -> bool:
    """Confirm; False when it already was (a link used twice)."""
    if subscriber.confirmed_at is not None:
        return False
    subscriber.confirmed_at = site.clock.now()
    db.add(subscriber)
    return True


def unsubscribe(db: Session, token: str) -> None:
    """Delete the subscriber of ``token``, if any, and the newsletter's mail
    to its address in the outbox (``forget``): the same for an unknown token."""
    found = db.exec(select(Subscriber).where(col(Subscriber.token) == token[:64])).first()
    if found is not None:
        forget(db, found)


def forget(db: Session, subscriber: Subscriber) -> None:
    """Delete ``subscriber`` and every message this plugin queued to its
    address, sent or not (confirmations, issues, digests, test copies): the
    address is kept only while subscribed, and the outbox would otherwise
    keep it for ``KEEP_SENT`` after the last send. Other plugins' and core's
    mail to the same address stays (``forget_mail_to`` is by origin)."""
    forget_mail_to(db, subscriber.email, origin=PLUGIN)
    db.exec(delete(Subscriber).where(col(Subscriber.id) == subscriber.id))


def confirmed_count(db: Session) -> int:
    return int(
        db.exec(select(func.count()).select_from(Subscriber).where(col(Subscriber.confirmed_at).is_not(None))).one()
    )


def purge_unconfirmed(site: Site, db: Session) -> int:
    """The daily job: addresses never confirmed are deleted after ``confirm_days``."""
    cutoff = site.clock.now() - timedelta(days=settings_of(site).confirm_days)
    stale = db.exec(
        select(Subscriber).where(col(Subscriber.confirmed_at).is_(None), col(Subscriber.created_at) < cutoff)
    ).all()
    for subscriber in stale:
        forget(db, subscriber)  # with its confirmation mail in the outbox
    return len(stale)


def _mail_confirm(site: Site, db: Session, subscriber: Subscriber) -> None:
    link = absolute_url_for(site, "nyhetsbrev:confirm", token=subscriber.token)
    with in_language(subscriber.language):
        subject = _("Bekräfta din prenumeration på %(site)s nyhetsbrev") % {"site": site.name}
        body = _(
            "Hej!\n\nNågon, förhoppningsvis du, vill få nyhetsbrevet från %(site)s till den här adressen. "
            "Bekräfta här (länken fungerar i %(days)s dagar):\n%(link)s\n\n"
            "Var det inte du? Gör ingenting, så raderas adressen.\n"
        ) % {"site": site.name, "days": settings_of(site).confirm_days, "link": link}
    queue_mail(site, Mail(subscriber.email, subject, body, subscriber.language), db, origin=PLUGIN)


def _mail_already(site: Site, db: Session, subscriber: Subscriber, follow: list[str] | None = None) -> None:
    """The settings link, with the associations asked for (if any) ticked
    there: the owner of the address adds them, nobody else can."""
    link = absolute_url_for(site, "nyhetsbrev:settings", token=subscriber.token)
    if follow:
        link += "?" + urlencode([("forening", slug) for slug in follow])
    with in_language(subscriber.language):
        subject = _("Du prenumererar redan på %(site)s nyhetsbrev") % {"site": site.name}
        body = _("Hej!\n\nDen här adressen får redan nyhetsbrevet. Ändra eller avsluta här:\n%(link)s\n") % {
            "link": link
        }
    queue_mail(site, Mail(subscriber.email, subject, body, subscriber.language), db, origin=PLUGIN)


# -- issues ------------------------------------------------------------------------------------------------


def gather(site: Site, db: Session, start: datetime, end: datetime) -> str:
    """The plugins' contributions for the period, as the JSON an issue keeps."""
    found = newsletter_items(site, db, start, end)
    return json.dumps([_item_json(item) for item in found], ensure_ascii=False)


def _item_json(item: NewsletterItem) -> dict[str, Any]:
    data = asdict(item)
    data["when"] = item.when.isoformat() if item.when else None
    return data


def items_of(issue: Issue) -> list[dict[str, Any]]:
    try:
        loaded = json.loads(issue.items or "[]")
    except ValueError:
        return []
    return [i for i in loaded if isinstance(i, dict) and i.get("title") and i.get("url")]


def sections(issue: Issue) -> list[tuple[str, list[dict[str, Any]]]]:
    """The issue's items grouped under their section headings, in order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for item in items_of(issue):
        grouped.setdefault(str(item.get("section") or ""), []).append(item)
    return list(grouped.items())


def plain_body(site: Site, issue: Issue, settings_link: str, unsubscribe_link: str) -> str:
    """The plain-text version: every client reads it, and screen readers like it."""
    lines = [issue.title, "=" * min(len(issue.title), 60), ""]
    if issue.editorial.strip():
        lines += [issue.editorial.strip(), ""]  # Markdown reads as plain text
    for heading, items in sections(issue):
        lines += [heading, "-" * len(heading)]
        for item in items:
            lines += [f"* {item['title']}", f"  {item['url']}"]
            if item.get("summary"):
                lines.append(f"  {item['summary']}")
        lines.append("")
    lines += [
        _("Läs numret på webben: %(link)s") % {"link": absolute_url_for(site, "nyhetsbrev:issue", issue_id=issue.id)},
        _("Ändra din prenumeration: %(link)s") % {"link": settings_link},
        _("Avsluta prenumerationen: %(link)s") % {"link": unsubscribe_link},
    ]
    return "\n".join(lines) + "\n"


def mail_for(site: Site, issue: Issue, subscriber: Subscriber) -> Mail:
    """The issue as one subscriber gets it: HTML and plain text, in their
    language, with RFC 8058 one-click unsubscribe. Both parts link to the
    unsubscribe page (a link opens with GET, which only asks); the header
    names the one-click address a mail client POSTs to."""
    settings_link = absolute_url_for(site, "nyhetsbrev:settings", token=subscriber.token)
    unsubscribe_link = absolute_url_for(site, "nyhetsbrev:unsubscribe", token=subscriber.token)
    one_click = absolute_url_for(site, "nyhetsbrev:one_click", token=subscriber.token)
    assert one_click.endswith(ONE_CLICK_SUFFIX)
    with in_language(subscriber.language):
        text = plain_body(site, issue, settings_link, unsubscribe_link)
        html = site.templates.env.get_template("nyhetsbrev/mail.html").render(
            site=site,
            issue=issue,
            sections=sections(issue),
            web_link=absolute_url_for(site, "nyhetsbrev:issue", issue_id=issue.id),
            settings_link=settings_link,
            unsubscribe_link=unsubscribe_link,
            lang=subscriber.language,
        )
    headers = (("List-Unsubscribe", f"<{one_click}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return Mail(subscriber.email, issue.title, text, subscriber.language, html=html, headers=headers)


def preview_mail(site: Site, issue: Issue, address: str, language: str) -> Mail:
    """The test copy of ``issue`` to ``address`` (the admin's own), marked as
    a test: what a subscriber gets, with a stand-in token in its links. The
    preview shows exactly this message (plain text and HTML), so what staff
    look at in the browser is what the test send puts in their inbox."""
    stand_in = Subscriber(email=address, token="provutskick", language=language)
    mail = mail_for(site, issue, stand_in)
    with in_language(language):
        subject = _("Provutskick: %(title)s") % {"title": issue.title}
    return Mail(mail.to, subject, mail.body, mail.language, html=mail.html)


def send_test(site: Site, db: Session, issue: Issue, address: str, language: str) -> None:
    """Queue the test copy (``preview_mail``) to ``address``."""
    queue_mail(site, preview_mail(site, issue, address, language), db, origin=PLUGIN)


def send_issue(site: Site, db: Session, issue_id: int) -> int | None:
    """Send the draft ``issue_id`` to every confirmed subscriber; the number
    queued, or None when it is not a draft any more (sent already)."""
    now = site.clock.now()
    claimed = db.exec(
        update(Issue)
        .where(col(Issue.id) == issue_id, col(Issue.state) == IssueState.DRAFT)
        .values(state=IssueState.SENT, sent_at=now)
    )
    if claimed.rowcount != 1:
        return None
    issue = db.get(Issue, issue_id)
    assert issue is not None
    db.refresh(issue)
    count = 0
    subscribers = db.exec(
        select(Subscriber).where(col(Subscriber.confirmed_at).is_not(None)).order_by(col(Subscriber.id))
    ).all()
    for subscriber in subscribers:
        if "nyhetsbrev" not in topics_of(subscriber):
            continue
        queue_mail(site, mail_for(site, issue, subscriber), db, origin=PLUGIN, at_once=False)
        count += 1
    issue.recipients = count
    db.add(issue)
    return count


# -- digests ---------------------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class NetworkItem:
    """A neighbouring site's news item or event in a digest: ``url`` goes to
    its home site; ``when`` and ``place`` an event's, as the peer sent them."""

    section: str
    title: str
    url: str
    site: str
    summary: str = ""
    when: datetime | None = None
    place: str = ""


def _peer_start(fields: Mapping[str, str], default_zone: str) -> datetime | None:
    """A peer event's start, in UTC: ``starts`` is the wall clock in its
    ``tz`` (or carries an offset); None when either is unreadable, or the
    year is one no event has (near year 1 or 9999 a time zone overflows)."""
    try:
        starts = datetime.fromisoformat(fields.get("starts", "")[:25])
        if not 1900 <= starts.year <= 2999:
            return None
        zone = starts.tzinfo or ZoneInfo(fields.get("tz") or default_zone)
        return starts.replace(tzinfo=zone).astimezone(UTC)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


def network_items(site: Site, db: Session, since: datetime, now: datetime) -> list[NetworkItem]:
    """What the neighbouring sites published in [since, now), as federation received it."""
    found = []
    for kind, heading in NETWORK_KINDS.items():
        for entry in received_entries(site, db, kind, limit=200):
            published = _aware(entry.published)
            if since <= published < now and entry.link.startswith(("https://", "http://")):
                event = kind == "events"
                when = _peer_start(entry.fields, site.config.site.timezone) if event else None
                place = ", ".join(p[:200] for p in (entry.fields.get("place"), entry.fields.get("municipality")) if p)
                item = NetworkItem(heading, entry.title, entry.link, entry.source.name, entry.summary, when, place)
                found.append(item)
    return found


def send_digests(site: Site, db: Session) -> int:
    """The daily job: one digest per confirmed subscriber of news, events,
    followed associations or the network whose turn it is (every day for
    "dagligen", Mondays for "veckovis"), listing what is new since their
    last digest in their topics; nothing when nothing is new. A followed
    association's items come whether or not the site's news or events are
    chosen. ``last_digest_at`` is stamped in the same transaction as the
    mail is queued, so a second run the same day finds nothing new to send.
    The number of digests queued."""
    now = site.clock.now()
    monday = site.clock.today().weekday() == 0
    count = 0
    subscribers = db.exec(
        select(Subscriber).where(col(Subscriber.confirmed_at).is_not(None)).order_by(col(Subscriber.id))
    ).all()
    for subscriber in subscribers:
        topics = topics_of(subscriber)
        sections = {TOPICS[t] for t in topics if TOPICS[t]}
        followed = set(followed_of(subscriber))
        network = "natverket" in topics
        if not (sections or followed or network) or (subscriber.frequency == "veckovis" and not monday):
            continue
        since = _aware(subscriber.last_digest_at or subscriber.confirmed_at or now)
        if now - since > timedelta(days=8):
            since = now - timedelta(days=8)
        found = [
            i
            for i in newsletter_items(site, db, since, now)
            if i.section in sections or followed.intersection(i.associations)
        ]
        others = network_items(site, db, since, now) if network else []
        if found or others:
            queue_mail(site, digest_mail(site, subscriber, found, others), db, origin=PLUGIN, at_once=False)
            count += 1
        subscriber.last_digest_at = now
        db.add(subscriber)
    return count


@dataclass(frozen=True)
class DigestLine:
    """One item as both parts of a digest show it: ``when`` (an event's
    start, in the site's time zone) and ``place`` for events, ``site`` the
    neighbour's name for the network's items ("Hos ‹site›")."""

    title: str
    url: str
    summary: str = ""
    when: str = ""
    place: str = ""
    site: str = ""

    def marks(self) -> list[str]:
        """What the plain text puts in brackets after the title."""
        where = _("Hos %(site)s") % {"site": self.site} if self.site else ""
        return [m for m in (self.when, self.place, where) if m]


def digest_sections(
    site: Site, found: list[NewsletterItem], others: list[NetworkItem]
) -> list[tuple[str, list[DigestLine]]]:
    """The digest's items under their headings (in the current language):
    the site's own first, in the order found, then the network's."""

    def start(moment: datetime | None) -> str:
        return f"{site.clock.local(moment):%Y-%m-%d %H:%M}" if moment else ""

    grouped: dict[str, list[DigestLine]] = {}
    for item in found:
        event = item.section == "Evenemang"
        line = DigestLine(item.title, item.url, item.summary, start(item.when) if event else "", item.place)
        grouped.setdefault(_(item.section), []).append(line)
    for other in others:
        line = DigestLine(other.title, other.url, other.summary, start(other.when), other.place, other.site)
        grouped.setdefault(_(other.section), []).append(line)
    return list(grouped.items())


def digest_plain(
    subject: str, sections: list[tuple[str, list[DigestLine]]], settings_link: str, unsubscribe_link: str
) -> str:
    lines = [subject, ""]
    for heading, items in sections:
        lines += [heading, "-" * len(heading)]
        for item in items:
            marks = item.marks()
            lines += [f"* {item.title}" + (f" ({', '.join(marks)})" if marks else ""), f"  {item.url}"]
            if item.summary:
                lines.append(f"  {item.summary}")
        lines.append("")
    lines += [
        _("Ändra din prenumeration: %(link)s") % {"link": settings_link},
        _("Avsluta prenumerationen: %(link)s") % {"link": unsubscribe_link},
    ]
    return "\n".join(lines) + "\n"


def digest_mail(
    site: Site, subscriber: Subscriber, found: list[NewsletterItem], others: list[NetworkItem] | None = None
) -> Mail:
    """A digest in plain text and HTML (multipart/alternative), in the
    subscriber's language, with RFC 8058 one-click unsubscribe; the
    network's items say which site they are from. Both parts link to the
    unsubscribe page (a link opens with GET, which only asks); the header
    names the one-click address a mail client POSTs to."""
    settings_link = absolute_url_for(site, "nyhetsbrev:settings", token=subscriber.token)
    unsubscribe_link = absolute_url_for(site, "nyhetsbrev:unsubscribe", token=subscriber.token)
    one_click = absolute_url_for(site, "nyhetsbrev:one_click", token=subscriber.token)
    with in_language(subscriber.language):
        subject = _("Nytt från %(site)s") % {"site": site.name}
        sections = digest_sections(site, found, others or [])
        text = digest_plain(subject, sections, settings_link, unsubscribe_link)
        html = site.templates.env.get_template("nyhetsbrev/digest.html").render(
            site=site,
            theme=site.config.theme,
            subject=subject,
            sections=sections,
            home_link=site.absolute_url("/"),
            settings_link=settings_link,
            unsubscribe_link=unsubscribe_link,
            lang=subscriber.language,
        )
    headers = (("List-Unsubscribe", f"<{one_click}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return Mail(subscriber.email, subject, text, subscriber.language, html=html, headers=headers)
