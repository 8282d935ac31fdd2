"""The site's mailer against a real SMTP server (aiosmtpd on 127.0.0.1):
headers and language arrive, a message sent while the relay is down waits in
the outbox and goes out on the retry, STARTTLS and implicit TLS with login,
the transaction decides whether anything is sent, the file sender, the
worker in the lifespan and ``paraply mail-flush``. Both databases."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from sqlmodel import select

from core import mail
from core.cli import cli
from core.mail import Mail, OutboxWorker, queue_mail
from core.models import OutboxMessage
from core.site import Site
from core.testing import SmtpInbox, free_port, smtp_settings

NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)


@pytest.fixture
def inbox() -> SmtpInbox:
    return SmtpInbox()


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def smtp_server(inbox: SmtpInbox, smtp_port: int) -> Iterator[Controller]:
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield controller
    controller.stop()


def mail_site(make_site: Any, port: int, security: str = "none", user: str = "") -> Site:
    site = make_site(plugins=[], extra=smtp_settings(port, security, user, "info@testsite.example"))
    site.clock.set(NOON)
    return site


def outbox(site: Site) -> list[OutboxMessage]:
    with site.session() as db:
        return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())  # type: ignore[arg-type]


def test_a_message_arrives_with_its_headers_and_language(make_site, smtp_server, smtp_port, inbox):
    site = mail_site(make_site, smtp_port)
    with site.session() as db:
        queue_mail(site, Mail("vera@test.example", "Påminnelse: kanoten", "Hej Vera!\nLämna åran.", "sv"), db)
        queue_mail(
            site,
            Mail("sam@test.example", "Reminder", "Hello Sam!", "en", from_address="parken@testsite.example"),
            db,
            origin="odling",
        )
        assert inbox.messages == [], "nothing leaves before the transaction commits"
    swedish, english = inbox.messages
    assert swedish["To"] == "vera@test.example" and swedish["From"] == "info@testsite.example"
    assert swedish["Subject"] == "Påminnelse: kanoten" and swedish["Content-Language"] == "sv"
    assert swedish.get_content().splitlines() == ["Hej Vera!", "Lämna åran."]
    assert swedish["Message-ID"].endswith("@testsite.example>") and swedish["Date"]
    assert english["Content-Language"] == "en" and english["From"] == "parken@testsite.example"
    assert inbox.envelopes[1] == ("parken@testsite.example", ["sam@test.example"])
    assert all(row.sent_at is not None and row.attempts == 1 for row in outbox(site))


def test_a_rolled_back_transaction_sends_nothing(make_site, smtp_server, smtp_port, inbox):
    site = mail_site(make_site, smtp_port)
    with pytest.raises(RuntimeError), site.session() as db:
        queue_mail(site, Mail("vera@test.example", "Kod", "Din kod är 123456.", "sv"), db)
        raise RuntimeError("the view failed after queueing")
    assert inbox.messages == [] and outbox(site) == []


def test_a_send_while_the_relay_is_down_waits_and_goes_out_on_the_retry(make_site, smtp_port, inbox):
    site = mail_site(make_site, smtp_port)  # nothing listens on the port yet
    queue_mail(site, Mail("vera@test.example", "Påminnelse", "Hej Vera!", "sv"))
    (row,) = outbox(site)
    assert row.sent_at is None and row.attempts == 1 and "Connection" in row.last_error
    assert row.next_attempt_at == NOON + mail.FIRST_PAUSE
    assert mail.send_due(site) == 0, "not due before its pause is over"
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        site.clock.advance(timedelta(minutes=1))
        assert mail.send_due(site) == 1
        assert mail.send_due(site) == 0, "sent once"
    finally:
        controller.stop()
    (row,) = outbox(site)
    assert row.sent_at == NOON + timedelta(minutes=1) and row.attempts == 2
    assert [m["Subject"] for m in inbox.messages] == ["Påminnelse"]


def test_pauses_grow_and_a_message_is_set_aside_but_kept(make_site, smtp_port):
    site = mail_site(make_site, smtp_port)
    queue_mail(site, Mail("vera@test.example", "Påminnelse", "Hej!", "sv"))
    pauses = []
    for _ in range(mail.MAX_ATTEMPTS - 1):
        (row,) = outbox(site)
        pauses.append(row.next_attempt_at - site.clock.now())
        site.clock.set(row.next_attempt_at)
        mail.send_due(site)
    assert pauses[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)] and max(pauses) == mail.LONGEST_PAUSE
    (row,) = outbox(site)
    assert row.failed_at is not None and row.attempts == mail.MAX_ATTEMPTS
    site.clock.advance(timedelta(days=1))
    assert mail.waiting(site) == [] and mail.waiting(site, due_only=False) == [row.id]


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


class Logins:
    def __init__(self) -> None:
        self.seen: list[tuple[bytes, bytes]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"hemligt-fran-miljon")


@pytest.fixture
def server_tls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """The relay's TLS with a certificate for 127.0.0.1 that the sender
    trusts (SSL_CERT_FILE), and the relay's password in the environment, as
    in production."""
    cert, key = _self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    monkeypatch.setenv("PARAPLY_SMTP_PASSWORD", "hemligt-fran-miljon")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def test_starttls_with_login(make_site, server_tls, smtp_port, inbox):
    logins = Logins()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=smtp_port,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=logins,
        auth_required=True,
    )
    controller.start()
    try:
        site = mail_site(make_site, smtp_port, security="starttls", user="portal@testsite.example")
        queue_mail(site, Mail("vera@test.example", "Kod", "Din kod är 123456.", "sv"))
    finally:
        controller.stop()
    assert logins.seen == [(b"portal@testsite.example", b"hemligt-fran-miljon")]
    assert [m["Subject"] for m in inbox.messages] == ["Kod"]
    assert "PARAPLY_SMTP_PASSWORD" not in site.config_path.read_text() and "hemligt" not in site.config_path.read_text()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls_and_a_refused_login_keeps_the_message(make_site, server_tls, smtp_port, inbox, monkeypatch):
    logins = Logins()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=smtp_port,
        ssl_context=server_tls,
        authenticator=logins,
        auth_required=True,
        auth_require_tls=False,  # aiosmtpd does not count implicit TLS as TLS for AUTH; the socket is TLS
    )
    controller.start()
    try:
        site = mail_site(make_site, smtp_port, security="tls", user="portal@testsite.example")
        monkeypatch.setenv("PARAPLY_SMTP_PASSWORD", "fel")
        queue_mail(site, Mail("vera@test.example", "Kod", "Din kod är 123456.", "sv"))
        assert inbox.messages == [] and outbox(site)[0].sent_at is None
        monkeypatch.setenv("PARAPLY_SMTP_PASSWORD", "hemligt-fran-miljon")
        site.clock.advance(mail.FIRST_PAUSE)
        assert mail.send_due(site) == 1
    finally:
        controller.stop()
    assert [m["Subject"] for m in inbox.messages] == ["Kod"]


def test_the_file_sender_writes_eml_files_in_the_data_folder(make_site):
    site = make_site(plugins=[])
    assert site.config.mail.sender == "file"
    queue_mail(site, Mail("vera@test.example", "Påminnelse", "Hej Vera!", "sv"))
    (written,) = mail.mail_folder(site).glob("*.eml")
    message = message_from_bytes(written.read_bytes(), policy=default_policy)
    assert message["To"] == "vera@test.example" and message["From"] == "noreply@testsite.example"
    assert message["Content-Language"] == "sv" and "Hej Vera!" in message.get_content()
    assert mail.mail_folder(site).parent == site.data_dir


def test_the_worker_in_the_lifespan_sends_what_is_due(make_site, smtp_port, inbox):
    site = mail_site(make_site, smtp_port)
    queue_mail(site, Mail("vera@test.example", "Påminnelse", "Hej!", "sv"))
    site.clock.advance(timedelta(minutes=5))
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()

    async def one_round() -> None:
        worker = OutboxWorker(site, every=0.05)
        await worker.start()
        for _ in range(100):
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
        await worker.stop()

    try:
        asyncio.run(one_round())
    finally:
        controller.stop()
    assert [m["Subject"] for m in inbox.messages] == ["Påminnelse"]


def test_paraply_mail_flush_sends_what_waits(make_site, smtp_port, inbox, monkeypatch):
    site = mail_site(make_site, smtp_port)
    queue_mail(site, Mail("vera@test.example", "Påminnelse", "Hej!", "sv"))
    monkeypatch.setenv("PARAPLY_DATABASE_URL", site.database_url)
    down = CliRunner().invoke(cli, ["mail-flush", "--site", str(site.folder)])
    assert down.exit_code == 1 and "0 e-brev skickade, 1 väntar kvar." in down.output
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        result = CliRunner().invoke(cli, ["mail-flush", "--site", str(site.folder)])
    finally:
        controller.stop()
    assert result.exit_code == 0 and "1 e-brev skickade, 0 väntar kvar." in result.output
    assert len(inbox.messages) == 1


def test_with_a_worker_running_a_commit_wakes_it_and_a_hanging_relay_holds_up_nobody(make_site):
    """A view commits in a thread of the pool; the worker is woken to send at
    once (not after its pause), in its own thread, so a relay that accepts the
    connection but never answers costs the committing thread nothing."""
    import socket
    import time

    hanging = socket.socket()
    hanging.bind(("127.0.0.1", 0))
    hanging.listen()  # takes connections into the backlog, never says a word
    settings = smtp_settings(hanging.getsockname()[1]).replace("timeout_seconds = 5", "timeout_seconds = 2")
    site = make_site(plugins=[], extra=settings)
    took: list[float] = []

    def commit_one() -> None:
        started = time.monotonic()
        with site.session() as db:
            queue_mail(site, Mail("vera@test.example", "Kod", "Din kod är 123456.", "sv"), db)
        took.append(time.monotonic() - started)

    async def serve() -> float:
        worker = OutboxWorker(site, every=60)
        await worker.start()
        await asyncio.sleep(0.1)  # its first round finds nothing; the next is 60 s away
        started = time.monotonic()
        await asyncio.to_thread(commit_one)
        while not outbox(site)[0].attempts and time.monotonic() - started < 10:
            await asyncio.sleep(0.05)
        await worker.stop()
        return time.monotonic() - started

    try:
        tried_after = asyncio.run(serve())
    finally:
        hanging.close()
    assert took[0] < 0.5, f"the committing thread waited {took[0]:.1f} s for a hanging relay"
    (stuck,) = outbox(site)
    assert stuck.sent_at is None and stuck.attempts == 1 and "timed out" in stuck.last_error
    assert tried_after < 10, "the worker tried at once, not after its 60 s pause"


def test_a_site_on_a_bare_ip_address_sends_from_a_real_address(make_site):
    """``noreply@127.0.0.1`` is no address: a new site served on an IP
    address sends from its contact address, or the address-literal form."""
    from email.headerregistry import Address

    site = make_site(plugins=[])
    assert mail.default_from(site) == "noreply@testsite.example"
    for contact, expected in (("info@nyforening.example", "info@nyforening.example"), ("", "noreply@[127.0.0.1]")):
        moved = site.config.site.model_copy(update={"base_url": "http://127.0.0.1:8000", "contact_email": contact})
        site.config = site.config.model_copy(update={"site": moved})
        assert mail.default_from(site) == expected
        assert Address(addr_spec=expected).addr_spec == expected


def test_a_message_email_cannot_carry_is_set_aside_at_once_and_holds_up_nothing(make_site):
    """A subject with a line break (made from what someone typed) can never
    be sent: it is set aside on the first try, with the reason, and the
    messages after it go out in the same round (found in review: it was
    retried forever and cut every round short)."""
    site = make_site(plugins=[])
    site.clock.set(NOON)
    bad = queue_mail(site, Mail("vera@test.example", "Påminnelse: gräva\nbädden", "Hej!", "sv"))
    good = queue_mail(site, Mail("sam@test.example", "Påminnelse", "Hej!", "sv"))
    by_id = {row.id: row for row in outbox(site)}
    assert by_id[good.id].sent_at is not None, "sent after its commit, past the bad one"
    stuck = by_id[bad.id]
    assert stuck.failed_at == NOON and stuck.attempts == 1 and "ValueError" in stuck.last_error
    site.clock.advance(timedelta(hours=2))
    assert mail.send_due(site) == 0 and mail.waiting(site) == []
