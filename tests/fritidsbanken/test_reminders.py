"""The daily job from the command line: due-soon and overdue reminders
(never a fee), what it prints, and a real SMTP sender talking to an SMTP
server on 127.0.0.1."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from core import cli as cli_module
from plugins.fritidsbanken.reminders import run_daily
from plugins.fritidsbanken.senders import Outgoing, SendError, SmtpSender
from plugins.fritidsbanken.settings import FritidsbankenSettings
from tests.fritidsbanken.conftest import add_borrower, add_item


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The ``paraply`` command group with the plugins' commands, as ``main`` builds it."""
    monkeypatch.setattr(cli_module.cli, "commands", dict(cli_module.cli.commands))
    cli_module._register_plugin_commands()
    return cli_module.cli


def _out_on_monday(world, site, make_client):  # type: ignore[no-untyped-def]
    add_item(site, "1101", "Kanot", "Vattensport", "", world.branch)
    vera = add_borrower(site, "Vera Vuxen", "+46701740612", birth_year=1980, email="vera@test.example")
    counter = make_client(site)
    counter.login(world.staff.email)
    counter.submit(f"/fritidsbanken/disk/lantagare/{vera.id}/lana", {"numbers": "1101"})
    return vera


def test_overdue_reminders_are_spaced_and_capped(world, fb_site, make_client, sent, fake_clock):
    _out_on_monday(world, fb_site, make_client)  # due Monday 16 March
    fake_clock.set(datetime(2026, 3, 17, 7, tzinfo=UTC))
    assert run_daily(fb_site).overdue == 1
    first = sent.to("+46701740612")[-1]
    assert "skulle ha lämnats tillbaka 2026-03-16" in first and "Det kostar ingenting." in first
    assert sent.to("vera@test.example"), "the e-mail copy went out too"
    fake_clock.advance(timedelta(days=1))
    assert run_daily(fb_site).overdue == 0
    counts = []
    for _ in range(4):
        fake_clock.advance(timedelta(days=7))
        counts.append(run_daily(fb_site).overdue)
    assert counts == [1, 1, 0, 0]  # three reminders at most
    assert not any("avgift" in m.lower() and "ingen" not in m.lower() for m in sent.all())


def test_cli_daily_runs_as_of_a_day(world, fb_site, make_client, sent, monkeypatch, cli):
    _out_on_monday(world, fb_site, make_client)
    monkeypatch.setenv("PARAPLY_DATABASE_URL", fb_site.database_url)
    runner = CliRunner()
    result = runner.invoke(cli, ["fritidsbanken", "daily", "--site", str(fb_site.folder), "--today", "2026-03-14"])
    assert result.exit_code == 0, result.output
    assert "Påminnelser om snart återlämning: 1" in result.output
    assert any("senast 2026-03-16" in m for m in sent.to("+46701740612"))
    again = runner.invoke(cli, ["fritidsbanken", "daily", "--site", str(fb_site.folder), "--today", "2026-03-14"])
    assert "Påminnelser om snart återlämning: 0" in again.output
    wrong = runner.invoke(cli, ["fritidsbanken", "daily", "--site", str(fb_site.folder), "--today", "14/3"])
    assert wrong.exit_code != 0 and "ÅÅÅÅ-MM-DD" in wrong.output


def test_cli_refuses_a_site_without_the_plugin(make_site, monkeypatch, cli):
    site = make_site()
    monkeypatch.setenv("PARAPLY_DATABASE_URL", site.database_url)
    result = CliRunner().invoke(cli, ["fritidsbanken", "daily", "--site", str(site.folder)])
    assert result.exit_code != 0 and "har inte Fritidsbanken påslaget" in result.output


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to receive one message and keep it."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        mail: dict[str, object] = {"rcpt": []}
        while line := self.rfile.readline():
            verb = line.decode().strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif verb.startswith("MAIL FROM"):
                mail["from"] = line.decode().strip()
                self.wfile.write(b"250 ok\r\n")
            elif verb.startswith("RCPT TO"):
                mail["rcpt"].append(line.decode().strip())  # type: ignore[union-attr]
                self.wfile.write(b"250 ok\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go on\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    data += self.rfile.readline()
                mail["data"] = data.decode()
                self.server.received.append(mail)  # type: ignore[attr-defined]
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 no\r\n")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_smtp_sender_mails_and_texts_through_a_gateway(smtp_server):
    port = smtp_server.server_address[1]
    settings = FritidsbankenSettings(
        sender="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="fritidsbanken@karlskoga.example",
        sms_gateway="{number}@sms.example.se",
    )
    sender = SmtpSender(settings, password="")
    sender.send(Outgoing("sms", "+46701740612", "Fritidsbanken: påminnelse", "Lämna tillbaka kanoten senast 16/3."))
    sender.send(Outgoing("email", "vera@test.example", "Fritidsbanken: påminnelse", "Hej Vera!"))
    sms, mail = smtp_server.received
    assert [r.upper() for r in sms["rcpt"]] == ["RCPT TO:<46701740612@SMS.EXAMPLE.SE>"]
    assert "To: 46701740612@sms.example.se" in sms["data"] and "kanoten senast 16/3" in sms["data"]
    assert [r.upper() for r in mail["rcpt"]] == ["RCPT TO:<VERA@TEST.EXAMPLE>"] and "Hej Vera!" in mail["data"]
    assert "<fritidsbanken@karlskoga.example>" in mail["from"]

    no_gateway = SmtpSender(FritidsbankenSettings(sender="smtp", smtp_port=port, smtp_starttls=False), password="")
    with pytest.raises(SendError, match="sms_gateway"):
        no_gateway.send(Outgoing("sms", "+46701740612", "x", "y"))
    closed = SmtpSender(FritidsbankenSettings(sender="smtp", smtp_host="127.0.0.1", smtp_port=1), password="")
    with pytest.raises(SendError):
        closed.send(Outgoing("email", "vera@test.example", "x", "y"))


def test_settings_refuse_an_unknown_sender():
    with pytest.raises(ValueError, match="log"):
        FritidsbankenSettings(sender="pigeon")
    with pytest.raises(ValueError, match="number"):
        FritidsbankenSettings(sms_gateway="sms.example.se")
