"""Notifications (issue 20): the e-mails a workflow sends a person about
something that happened to them (an application approved, a booking
confirmed, a referral received), each of a declared kind that is on by
default and that its recipient can switch off.

Plugins declare their kinds with the ``notice_kinds`` hook and send with
``notify(site, session, kind, mail)``: the message goes through core's
outbox in the caller's transaction unless the recipient switched the kind
off, and carries a footer with a link to the recipient's settings
(``/aviseringar/<token>``), which works without an account; a person with
an account also finds them on ``/konto/aviseringar``. The caller words the
message in ``recipient_language(site, session, address)`` (the language the
recipient chose for the site, else the site's).

Only a recipient who switched something off is remembered for long: the
daily job deletes settings rows that switch nothing off after
``KEEP_UNUSED``.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from sqlmodel import Session, col, delete, select

from core.contributions import NoticeKind
from core.i18n import gettext as _
from core.i18n import in_language
from core.mail import Mail, queue_mail
from core.models import NoticeRecipient, OutboxMessage, User
from core.site import Site
from core.urls import absolute_url_for

#: How long a settings row that switches nothing off is kept (its link in old mail works that long).
KEEP_UNUSED = timedelta(days=180)


def notice_kinds(site: Site) -> list[NoticeKind]:
    """Every kind the site's enabled plugins declare, in plugin order."""
    from core.plugins import collect

    found: list[NoticeKind] = collect(site.pm, "notice_kinds", site=site)
    return found


def recipient_language(site: Site, session: Session, address: str) -> str:
    """The language to write to ``address`` in: the one its account chose,
    else the site's."""
    user = session.exec(select(User).where(col(User.email) == address.strip().lower())).first()
    return (user.locale if user is not None else None) or site.locale


def _recipient(session: Session, address: str, site: Site, *, create: bool) -> NoticeRecipient | None:
    found = session.exec(select(NoticeRecipient).where(NoticeRecipient.address == address)).first()
    if found is None and create:
        found = NoticeRecipient(address=address, token=secrets.token_urlsafe(24), created_at=site.clock.now())
        session.add(found)
        session.flush()
    return found


def muted_kinds(session: Session, address: str) -> set[str]:
    """The kinds ``address`` switched off."""
    found = session.exec(select(NoticeRecipient).where(NoticeRecipient.address == address.strip().lower())).first()
    return set(found.muted.split()) if found is not None else set()


def set_muted(site: Site, session: Session, address: str, muted: set[str]) -> None:
    """Switch off exactly ``muted`` (known kinds only) for ``address``."""
    known = {k.key for k in notice_kinds(site)}
    recipient = _recipient(session, address.strip().lower(), site, create=True)
    assert recipient is not None
    recipient.muted = " ".join(sorted(muted & known))
    session.add(recipient)


def recipient_by_token(session: Session, token: str) -> NoticeRecipient | None:
    if not token or len(token) > 64:
        return None
    return session.exec(select(NoticeRecipient).where(NoticeRecipient.token == token)).first()


def notify(site: Site, session: Session, kind: str, mail: Mail, *, origin: str = "core") -> OutboxMessage | None:
    """Send ``mail`` as a notice of ``kind`` through the outbox in
    ``session``'s transaction, with the footer that lets its recipient
    switch the kind off; None (nothing sent) when they already did.
    Raises ``ValueError`` for a kind no enabled plugin declares."""
    kinds = {k.key: k for k in notice_kinds(site)}
    if kind not in kinds:
        raise ValueError(f"no plugin declares the notice kind {kind!r} (notice_kinds hook)")
    address = mail.to.strip().lower()
    recipient = _recipient(session, address, site, create=True)
    assert recipient is not None
    if kind in recipient.muted.split():
        return None
    link = absolute_url_for(site, "notice_settings", token=recipient.token)
    with in_language(mail.language):
        footer = _(
            "Du får det här meddelandet från %(site)s (%(kind)s). Vill du inte få sådana meddelanden "
            "kan du stänga av dem här:\n%(link)s"
        ) % {"site": site.name, "kind": _(kinds[kind].label), "link": link}
    body = mail.body.rstrip("\n") + "\n\n-- \n" + footer + "\n"
    return queue_mail(site, replace(mail, body=body), session, origin=origin)


def forget_unused(site: Site, session: Session) -> int:
    """The daily job: delete settings rows that switch nothing off and are
    older than ``KEEP_UNUSED``; returns how many."""
    cutoff = site.clock.now() - KEEP_UNUSED
    result = session.exec(
        delete(NoticeRecipient).where(col(NoticeRecipient.muted) == "", col(NoticeRecipient.created_at) < cutoff)
    )
    return int(result.rowcount or 0)
