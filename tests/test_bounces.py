"""Late bounces (issue 20, core.bounces), on both databases: mail leaves a
real SMTP server's (aiosmtpd) envelope with the signed bounce address; a
delivery report that comes back to it, piped to ``paraply bounce`` as a mail
server's alias would, pauses the address, which the admin sees with the
reason and resumes. A delay, an auto-reply, a forged tag and a Maildir."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlmodel import select

from core import mail
from core.bounce_address import envelope_sender, outbox_id_of
from core.cli import cli
from core.mail import Mail, queue_mail
from core.models import MailAddress, OutboxMessage, Role
from core.site import Site
from core.testing import SmtpInbox, smtp_settings
from tests.conftest import add_user, text_of

NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
BOUNCES = "studs@testsite.example"


def bounce_site(make_site: Any, port: int) -> Site:
    extra = smtp_settings(port, from_address="info@testsite.example") + f'bounce_address = "{BOUNCES}"\n'
    site = make_site(plugins=[], extra=extra)
    site.clock.set(NOON)
    return site


def report(to: str, recipient: str, *, action: str = "failed", status: str = "5.1.1") -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one, as
    the bounce mailbox receives it (Delivered-To: the tagged address)."""
    diagnostic = f"550 5.1.1 <{recipient}>: Recipient address rejected: User unknown"
    return (
        f"Return-Path: <>\r\nDelivered-To: {to}\r\nFrom: MAILER-DAEMON@mx.test.example (Mail Delivery System)\r\n"
        f"To: {to}\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"\r\n\r\n'
        "--B1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not\r\n"
        f"be delivered to one or more recipients.\r\n\r\n<{recipient}>: host mx.test.example said: {diagnostic}\r\n\r\n"
        "--B1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.test.example\r\nArrival-Date: Mon,  2 Mar 2026 12:00:00 +0100 (CET)\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nOriginal-Recipient: rfc822;{recipient}\r\n"
        f"Action: {action}\r\nStatus: {status}\r\nDiagnostic-Code: smtp; {diagnostic}\r\n\r\n"
        "--B1\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: info@testsite.example\r\n"
        f"To: {recipient}\r\nSubject: Nyhetsbrev\r\n\r\n--B1--\r\n"
    ).encode()


def run_bounce(site: Site, monkeypatch: pytest.MonkeyPatch, raw: bytes) -> str:
    monkeypatch.setenv("PARAPLY_DATABASE_URL", site.database_url)
    result = CliRunner().invoke(cli, ["bounce", "--site", str(site.folder)], input=raw)
    assert result.exit_code == 0, result.output
    return result.output


def paused(site: Site) -> dict[str, str]:
    with site.session() as db:
        return {a.address: a.last_error for a in db.exec(select(MailAddress)).all() if a.paused_at is not None}


def test_a_late_bounce_pauses_the_address_and_the_admin_resumes_it(
    make_site: Any, make_client: Any, smtp_inbox: SmtpInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = bounce_site(make_site, smtp_inbox.port)
    with site.session() as db:
        queue_mail(site, Mail("vera@test.example", "Nyhetsbrev", "Hej Vera!", "sv"), db)
    [(envelope_from, recipients)] = smtp_inbox.envelopes
    [row] = _outbox(site)
    assert recipients == ["vera@test.example"]
    assert envelope_from == envelope_sender(site, row.id) and envelope_from.startswith("studs+b")
    assert outbox_id_of(site, envelope_from) == row.id
    assert smtp_inbox.messages[0]["From"] == "info@testsite.example", "people still see the site's address"

    output = run_bounce(site, monkeypatch, report(envelope_from, "vera@test.example"))
    assert output.startswith("paused vera@test.example")
    assert paused(site) == {"vera@test.example": "Studsade i efterhand: vera@test.example"}

    # The next letter to her waits instead of going out.
    with site.session() as db:
        queue_mail(site, Mail("vera@test.example", "Nästa nyhetsbrev", "Hej igen!", "sv"), db)
    assert len(smtp_inbox.messages) == 1
    add_user(site, "ada@test.example", Role.ADMIN)
    admin = make_client(site)
    admin.login("ada@test.example")
    page = text_of(admin.get("/-/admin/e-post").text)
    assert "vera@test.example" in page and "Pausad" in page and "Studsade i efterhand" in page
    assert f"en studs till {BOUNCES}" in page
    with site.session() as db:
        address = db.exec(select(MailAddress)).one()
    assert admin.submit(f"/-/admin/e-post/adress/{address.id}/ateruppta").status_code == 303
    mail.send_due(site)
    assert [m["Subject"] for m in smtp_inbox.messages] == ["Nyhetsbrev", "Nästa nyhetsbrev"]


def test_a_delay_an_auto_reply_and_a_forged_tag_change_nothing(
    make_site: Any, smtp_inbox: SmtpInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = bounce_site(make_site, smtp_inbox.port)
    with site.session() as db:
        queue_mail(site, Mail("vera@test.example", "Nyhetsbrev", "Hej Vera!", "sv"), db)
    [(envelope_from, _recipients)] = smtp_inbox.envelopes

    delayed = report(envelope_from, "vera@test.example", action="delayed", status="4.4.1")
    assert run_bounce(site, monkeypatch, delayed).strip() == "delayed"
    auto_reply = (
        f"Delivered-To: {envelope_from}\r\nFrom: vera@test.example\r\nTo: {envelope_from}\r\n"
        "Subject: Autosvar: Nyhetsbrev\r\n\r\nJag är på semester till den 20 mars.\r\n"
    ).encode()
    assert run_bounce(site, monkeypatch, auto_reply).strip() == "not-a-bounce"
    # A made-up tag (someone who would like another address paused) is not ours.
    forged = envelope_from[: envelope_from.index(".") + 1] + "0" * 16 + "@testsite.example"
    assert run_bounce(site, monkeypatch, report(forged, "vera@test.example")).startswith("not-ours")
    assert run_bounce(site, monkeypatch, report(BOUNCES, "vera@test.example")).startswith("not-ours")
    assert paused(site) == {}


def test_a_maildir_of_bounces_is_read_and_emptied(
    make_site: Any, smtp_inbox: SmtpInbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    site = bounce_site(make_site, smtp_inbox.port)
    with site.session() as db:
        for name in ("vera", "sam"):
            queue_mail(site, Mail(f"{name}@test.example", "Nyhetsbrev", "Hej!", "sv"), db)
    senders = {recipients[0]: sender for sender, recipients in smtp_inbox.envelopes}
    box = mailbox.Maildir(tmp_path / "studs", create=True)
    box.add(report(senders["sam@test.example"], "sam@test.example"))
    box.add(b"From: someone@test.example\r\nSubject: Hej\r\n\r\nInte en studs.\r\n")
    monkeypatch.setenv("PARAPLY_DATABASE_URL", site.database_url)
    result = CliRunner().invoke(cli, ["bounce", "--site", str(site.folder), "--maildir", str(tmp_path / "studs")])
    assert result.exit_code == 0, result.output
    assert sorted(line.split()[0] for line in result.output.splitlines()) == ["not-ours", "paused"]
    assert list(paused(site)) == ["sam@test.example"]
    assert len(box) == 0, "what was read is removed"


def test_without_a_bounce_address_mail_leaves_as_before_and_the_command_says_why(
    make_site: Any, smtp_inbox: SmtpInbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port, from_address="info@testsite.example"))
    with site.session() as db:
        queue_mail(site, Mail("vera@test.example", "Nyhetsbrev", "Hej!", "sv"), db)
    assert smtp_inbox.envelopes[0][0] == "info@testsite.example"
    monkeypatch.setenv("PARAPLY_DATABASE_URL", site.database_url)
    result = CliRunner().invoke(cli, ["bounce", "--site", str(site.folder)], input=b"")
    assert result.exit_code == 1 and "bounce_address är inte satt" in result.output


def _outbox(site: Site) -> list[OutboxMessage]:
    with site.session() as db:
        return list(db.exec(select(OutboxMessage)).all())
