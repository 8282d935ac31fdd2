"""The site's mailer: every plugin's e-mail goes through one outbox.

``queue_mail(site, Mail(...), session)`` writes the message to the
``core_outbox`` table in the caller's transaction: if the transaction rolls
back nothing is sent, and once it commits the message is not lost whatever
happens to the relay. Right after the commit the worker in the app's
lifespan (``OutboxWorker``) is woken to send it at once, in its own thread,
so a slow relay never holds up the page (a one-time code still goes within
moments); where no worker runs (a CLI command) it is sent in the committing
thread. A message that fails stays in the outbox and the worker tries it
again with growing pauses, up to ``MAX_ATTEMPTS``. ``paraply mail flush`` sends
everything still waiting at once.

Nothing is sent twice (issue 20): a worker claims one message at a time
and marks it sent the moment the relay took it. A message claimed by a
worker that died before it could say how the sending went (the process was
killed mid-send) is *in doubt*: the relay may have it. It is never tried
again by itself; the admin page (``/-/admin/e-post``) shows it and an admin
may send it again. At most one message per dead worker is in doubt.

Delivery per address (``MailAddress``): each failure counts against the
address; a permanent refusal (a 5xx bounce) is not tried again; after
``PAUSE_AFTER`` failures in a row the address is paused and its messages
wait (``held``) until an admin resumes it. ``[mail] per_minute`` paces the
worker so a newsletter does not trip the relay's limits.

Each message carries its own language (``Content-Language``): mail is read
later and elsewhere, so the caller words it in the language it chose (the
site's, as a rule), not in whatever language the page that caused it had.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from ipaddress import ip_address
from pathlib import Path

from sqlalchemy import event, func, update
from sqlmodel import Session, col, delete, select

from core.bounce_address import envelope_sender
from core.mail_senders import FileSender, Sender, SendError, SmtpSender
from core.models import MailAddress, OutboxMessage
from core.periodic import PeriodicTask
from core.site import Site

log = logging.getLogger("paraply.mail")

#: Where the file sender writes, under the site's data folder.
MAIL_FOLDER = "mail"
#: Failures after which a message is set aside (kept, marked failed).
MAX_ATTEMPTS = 12
#: The pause after the first failure; it doubles up to ``LONGEST_PAUSE``.
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)
#: How long one worker holds a message it is sending, so no other sends it too.
CLAIM_FOR = timedelta(minutes=5)
#: Failures in a row after which an address is paused.
PAUSE_AFTER = 5
#: ``last_error`` of a message held because its address is paused.
HELD = "Adressen är pausad efter upprepade fel."
#: How long a sent message is kept in the outbox (for the admin and a complaint), then deleted.
KEEP_SENT = timedelta(days=30)
#: Seconds between the worker's looks at the outbox.
CHECK_EVERY = 30.0

_PENDING = "paraply_mail_pending"
#: Where the running worker is kept on ``site.state``.
_WORKER = "mail_outbox_worker"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a ``Mail``: a booking's ``.ics`` (``text/calendar``)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    """A plain-text e-mail. ``language`` is the language it is written in;
    ``from_address`` defaults to the site's ``[mail] from_address``."""

    to: str
    subject: str
    body: str
    language: str
    from_address: str = ""
    reply_to: str = ""
    attachments: tuple[Attachment, ...] = ()
    #: An HTML alternative of ``body`` (a newsletter); the plain text stays the first part.
    html: str = ""
    #: Extra headers, e.g. ``(("List-Unsubscribe", "<https://...>"),)``.
    headers: tuple[tuple[str, str], ...] = ()


def mail_folder(site: Site) -> Path:
    """Where the file sender writes its .eml files."""
    return site.data_dir / MAIL_FOLDER


def default_from(site: Site) -> str:
    """``[mail] from_address``, else ``noreply@`` the site's host name; a
    site served on a bare IP address (a new site, the demo) has no name to
    put there (``noreply@127.0.0.1`` is no address), so its contact address
    stands in, or else the address-literal form ``noreply@[127.0.0.1]``."""
    if site.config.mail.from_address:
        return site.config.mail.from_address
    try:
        ip_address(site.host)
    except ValueError:
        return f"noreply@{site.host}"
    return site.config.site.contact_email or f"noreply@[{site.host}]"


def sender_for(site: Site) -> Sender:
    settings = site.config.mail
    if settings.sender == "smtp":
        return SmtpSender(settings)
    return FileSender(mail_folder(site))


def queue_mail(
    site: Site, mail: Mail, session: Session | None = None, *, origin: str = "core", at_once: bool = True
) -> OutboxMessage:
    """Put ``mail`` in the outbox, in ``session``'s transaction when given
    (it is sent after that commits), else in a transaction of its own.
    ``at_once=False`` leaves it to the worker's next round (a newsletter's
    thousands, which must not be sent by the request that queued them)."""
    if not mail.to.strip():
        raise ValueError("a message needs a recipient")
    now = site.clock.now()
    row = OutboxMessage(
        to_address=mail.to.strip(),
        from_address=mail.from_address or default_from(site),
        reply_to=mail.reply_to,
        subject=mail.subject[:300],
        body=mail.body,
        language=mail.language,
        origin=origin,
        created_at=now,
        next_attempt_at=now,
        attachments=_encode(mail.attachments),
        html_body=mail.html,
        headers=json.dumps([list(pair) for pair in mail.headers]) if mail.headers else "",
    )
    if not at_once:
        if session is not None:
            session.add(row)
            return row
        with site.session() as own:
            own.add(row)
            own.commit()
        return row
    if session is not None:
        _add(site, session, row)
        return row
    with site.session() as own:
        _add(site, own, row)
    return row


def _encode(attachments: Sequence[Attachment]) -> str:
    if not attachments:
        return ""
    return json.dumps(
        [
            {"filename": a.filename, "content_type": a.content_type, "data": base64.b64encode(a.data).decode("ascii")}
            for a in attachments
        ]
    )


def _decode(stored: str) -> list[Attachment]:
    if not stored:
        return []
    return [Attachment(a["filename"], a["content_type"], base64.b64decode(a["data"])) for a in json.loads(stored)]


def _add(site: Site, session: Session, row: OutboxMessage) -> None:
    session.add(row)
    session.flush()
    assert row.id is not None
    pending: list[int] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []

        def after_commit(committed: Session) -> None:
            ids = committed.info.pop(_PENDING, [])
            worker: OutboxWorker | None = getattr(site.state, _WORKER, None)
            if worker is not None and worker.wake():
                return
            try:
                deliver(site, ids)
            except Exception:  # the outbox keeps them; the worker tries again
                log.exception("%s: e-post kunde inte skickas direkt", site.slug)

        def after_rollback(rolled_back: Session) -> None:
            rolled_back.info.pop(_PENDING, None)

        event.listen(session, "after_commit", after_commit, once=True)
        event.listen(session, "after_rollback", after_rollback, once=True)
    pending.append(row.id)


def as_email(row: OutboxMessage, site: Site) -> EmailMessage:
    message = EmailMessage()
    message["From"] = row.from_address
    message["To"] = row.to_address
    if row.reply_to:
        message["Reply-To"] = row.reply_to
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = make_msgid(idstring=f"outbox{row.id}", domain=site.host)
    for name, value in json.loads(row.headers) if row.headers else []:
        message[name] = value
    message.set_content(row.body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    message["Content-Language"] = row.language  # after set_content, which drops Content-* headers
    for attachment in _decode(row.attachments):
        maintype, _slash, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype or "octet-stream", filename=attachment.filename
        )
    return message


def _claim(site: Site, row_id: int, now: datetime) -> OutboxMessage | None:
    """Take one unsent message for this worker, or None if another has it
    (or had it and died: then it is in doubt, see the module's docstring)."""
    with site.session() as db:
        claimed = db.exec(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == row_id,
                col(OutboxMessage.sent_at).is_(None),
                col(OutboxMessage.claimed_until).is_(None),
            )
            .values(claimed_until=now + CLAIM_FOR)
        )
        if claimed.rowcount != 1:
            return None
        db.commit()
        return db.get(OutboxMessage, row_id)


def deliver(site: Site, ids: Sequence[int], sender: Sender | None = None) -> int:
    """Try to send these messages now; return how many went. A failure is
    recorded on the message with the time of its next try."""
    sender = sender or sender_for(site)
    per_minute = site.config.mail.per_minute
    gap = 60.0 / per_minute if per_minute else 0.0
    next_slot = time.monotonic()
    sent = 0
    failing = _failing(site)
    try:
        for row_id in ids:
            now = site.clock.now()
            row = _claim(site, row_id, now)
            if row is None:
                continue
            if failing.get(row.to_address.lower()):
                _hold(site, row_id, now)
                continue
            if gap:
                time.sleep(max(0.0, next_slot - time.monotonic()))
                next_slot = max(next_slot, time.monotonic() - gap) + gap
            try:
                sender.send(as_email(row, site), envelope_sender(site, row_id))
            except SendError as exc:
                _failed(site, row_id, str(exc), now, give_up=exc.permanent, address_fault=exc.recipient)
                continue
            except (ValueError, TypeError) as exc:  # headers email refuses (a newline in a subject): never sendable
                _failed(site, row_id, f"{type(exc).__name__}: {exc}", now, give_up=True)
                continue
            _sent(site, row_id, row.to_address if row.to_address.lower() in failing else "", now)
            sent += 1
    finally:
        sender.close()
    return sent


def _failing(site: Site) -> dict[str, bool]:
    """Addresses with failures on record, and whether each is paused (read
    once a round: the table is small, the outbox may be long)."""
    with site.session() as db:
        return {r.address: r.paused_at is not None for r in db.exec(select(MailAddress)).all()}


def _sent(site: Site, row_id: int, failing_address: str, now: datetime) -> None:
    """Mark the message sent, committed at once: the window in which a
    crash leaves it in doubt is this one statement. An address that had
    failures starts its count over."""
    with site.session() as db:
        db.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row_id)
            .values(sent_at=now, claimed_until=None, attempts=col(OutboxMessage.attempts) + 1)
        )
        db.commit()
        if not failing_address:
            return
        address = failing_address
        record = db.exec(select(MailAddress).where(MailAddress.address == address.lower())).first()
        if record is not None and record.failures and record.paused_at is None:
            record.failures = 0
            db.add(record)
            db.commit()


def record_late_bounce(site: Site, row_id: int, error: str) -> str | None:
    """A permanent bounce that came back after the relay took message
    ``row_id`` (core.bounces): its address is paused at once, the reason
    kept for the admin. Returns the address, or None if the message is no
    longer in the outbox (sent ones are kept ``KEEP_SENT``)."""
    now = site.clock.now()
    with site.session() as db:
        row = db.get(OutboxMessage, row_id)
        if row is None:
            return None
        address = row.to_address.lower()
        record = db.exec(select(MailAddress).where(MailAddress.address == address)).first()
        record = record or MailAddress(address=address)
        record.failures += 1
        record.bounces += 1
        record.last_error, record.last_failed_at = error[:500], now
        if record.paused_at is None:
            record.paused_at = now
            log.warning("%s: adressen %s pausas: %s", site.slug, address, error)
        db.add(record)
        db.commit()
        return address


def _hold(site: Site, row_id: int, now: datetime) -> None:
    """Keep a message to a paused address, set aside, until an admin resumes it."""
    with site.session() as db:
        db.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row_id)
            .values(claimed_until=None, failed_at=now, last_error=HELD)
        )
        db.commit()


def resume_address(site: Site, address: str) -> int:
    """An admin resumes a paused address: its count starts over and its held
    messages go back in the queue; returns how many."""
    with site.session() as db:
        record = db.exec(select(MailAddress).where(MailAddress.address == address.lower())).first()
        if record is not None:
            db.delete(record)
        moved = db.exec(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.to_address) == address,
                col(OutboxMessage.sent_at).is_(None),
                col(OutboxMessage.last_error) == HELD,
            )
            .values(failed_at=None, last_error="", next_attempt_at=site.clock.now())
        )
        db.commit()
        return int(moved.rowcount or 0)


def in_doubt(site: Site) -> list[int]:
    """Messages a worker took and never finished: the process died mid-send
    (its claim ran out), so the relay may or may not have them."""
    now = site.clock.now()
    with site.session() as db:
        query = select(OutboxMessage.id).where(
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.claimed_until).is_not(None),
            col(OutboxMessage.claimed_until) < now,
        )
        return [i for i in db.exec(query.order_by(col(OutboxMessage.id))).all() if i is not None]


def send_again(site: Site, row_id: int) -> bool:
    """An admin decides a message in doubt (or set aside) should be tried
    again; False when it was sent after all or is not in the outbox."""
    with site.session() as db:
        changed = db.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.sent_at).is_(None))
            .values(claimed_until=None, failed_at=None, next_attempt_at=site.clock.now())
        )
        db.commit()
        return bool(changed.rowcount)


def _failed(
    site: Site, row_id: int, error: str, now: datetime, *, give_up: bool = False, address_fault: bool = False
) -> None:
    """Record a failed try; one the relay blamed on the recipient
    (``address_fault``) also counts against the address (a permanent one is
    a bounce), which is paused after ``PAUSE_AFTER`` in a row."""
    with site.session() as db:
        row = db.get(OutboxMessage, row_id)
        if row is None:  # forgotten while it was being tried (``forget_mail_to``): nothing to record
            return
        if address_fault:
            address = row.to_address.lower()
            record = db.exec(select(MailAddress).where(MailAddress.address == address)).first()
            record = record or MailAddress(address=address)
            record.failures += 1
            record.bounces += 1 if give_up else 0
            record.last_error, record.last_failed_at = error[:500], now
            if record.failures >= PAUSE_AFTER and record.paused_at is None:
                record.paused_at = now
                log.warning("%s: adressen %s pausas efter %s fel i rad", site.slug, address, record.failures)
            db.add(record)
        row.attempts += 1
        row.claimed_until = None
        row.last_error = error[:500]
        row.next_attempt_at = now + min(FIRST_PAUSE * 2 ** (row.attempts - 1), LONGEST_PAUSE)
        if give_up or row.attempts >= MAX_ATTEMPTS:
            row.failed_at = now
        db.add(row)
        log.warning(
            "%s: e-post %s till %s kunde inte skickas (försök %s): %s",
            site.slug,
            row_id,
            row.to_address,
            row.attempts,
            error,
        )


def forget_mail_to(session: Session, address: str, *, origin: str) -> int:
    """Delete every message ``origin`` queued to ``address`` (compared without
    case), sent or still waiting, in ``session``'s transaction; returns how
    many. For a plugin that keeps an address only while a person wants its
    mail (a newsletter's subscriber who leaves): the outbox would otherwise
    keep the address ``KEEP_SENT`` after the last message. A message a
    worker is sending at this moment may still go; it is not sent again.
    Other origins' mail to the address stays."""
    address = address.strip().lower()
    if not address or not origin:
        raise ValueError("forget_mail_to needs an address and an origin")
    result = session.exec(
        delete(OutboxMessage).where(
            func.lower(col(OutboxMessage.to_address)) == address, col(OutboxMessage.origin) == origin
        )
    )
    return int(result.rowcount or 0)


def delete_old_sent(db: Session, now: datetime) -> int:
    """The daily job: delete messages sent longer than ``KEEP_SENT`` ago."""
    result = db.exec(delete(OutboxMessage).where(col(OutboxMessage.sent_at) < now - KEEP_SENT))
    return int(result.rowcount or 0)


def waiting(site: Site, *, due_only: bool = True) -> list[int]:
    """Ids of unsent messages, oldest first: those due for a try, or all
    (set-aside ones included) when not ``due_only``."""
    query = select(OutboxMessage.id).where(
        col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.claimed_until).is_(None)
    )
    if due_only:
        query = query.where(
            col(OutboxMessage.failed_at).is_(None), col(OutboxMessage.next_attempt_at) <= site.clock.now()
        )
    with site.session() as db:
        return [i for i in db.exec(query.order_by(col(OutboxMessage.id))).all() if i is not None]


def send_due(site: Site) -> int:
    """The worker's round: send what is due; return how many went."""
    return deliver(site, waiting(site))


def flush(site: Site) -> tuple[int, int]:
    """Send every unsent message now, pauses and set-aside ones included
    (``paraply mail flush``); return (sent, still waiting)."""
    sent = deliver(site, waiting(site, due_only=False))
    return sent, len(waiting(site, due_only=False))


class OutboxWorker(PeriodicTask):
    """Sends what is due every ``CHECK_EVERY`` seconds, in the app's
    lifespan; the sending runs in a thread, off the event loop."""

    name = "mail"
    failure = "utkorgen kunde inte gås igenom"

    def __init__(self, site: Site, every: float = CHECK_EVERY) -> None:
        super().__init__(site, every)

    async def start(self) -> None:
        await super().start()
        setattr(self.site.state, _WORKER, self)

    async def stop(self) -> None:
        if getattr(self.site.state, _WORKER, None) is self:
            delattr(self.site.state, _WORKER)
        await super().stop()

    def run(self) -> int:
        return send_due(self.site)
