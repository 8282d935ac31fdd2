"""The daily job from the command line: due-soon and overdue reminders
(never a fee), what it prints, and messages through the site's mailer to a
real SMTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from core import cli as cli_module
from core.testing import smtp_settings
from plugins.fritidsbanken import messages
from plugins.fritidsbanken.reminders import run_daily
from plugins.fritidsbanken.senders import Outgoing, SendError, mail_address
from plugins.fritidsbanken.settings import FritidsbankenSettings
from tests.conftest import DEFAULT_WEBPORTAL
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
    counter.submit(f"/fritidsbanken/disk/lantagare/{vera.id}/lana", {"numbers": "1101"}, follow_redirects=True)
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


def test_mail_sender_mails_and_texts_through_a_gateway(make_site, smtp_inbox):
    """With ``sender = "mail"`` messages go through the site's mailer: e-mail
    to the borrower, text messages to the SMS gateway's address, and a
    number without a gateway is not sent (and says so)."""
    fb = 'sender = "mail"\nmail_from = "fritidsbanken@karlskoga.example"\nsms_gateway = "{number}@sms.example.se"\n'
    site = make_site(
        plugins=["webportal", "fritidsbanken"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "fritidsbanken": fb},
        extra=smtp_settings(smtp_inbox.port),
    )
    vera = add_borrower(site, "Vera Vuxen", "+46701740612", birth_year=1980, email="vera@test.example")
    with site.session() as db:
        assert messages.send_to_borrower(db, site, vera, "reminder", "Fritidsbanken: påminnelse", "Lämna kanoten.")
        db.commit()
    sms, mail = smtp_inbox.messages
    assert smtp_inbox.envelopes[0][1] == ["46701740612@sms.example.se"] and "Lämna kanoten." in sms.get_content()
    assert mail["To"] == "vera@test.example" and mail["From"] == "fritidsbanken@karlskoga.example"
    assert mail["Content-Language"] == "sv" and mail["Subject"] == "Fritidsbanken: påminnelse"

    no_gateway = FritidsbankenSettings(sender="mail")
    with pytest.raises(SendError, match="sms_gateway"):
        mail_address(no_gateway, Outgoing("sms", "+46701740612", "x", "y"))
    assert FritidsbankenSettings(sender="smtp").sender == "mail", "the older name still works"


def test_settings_refuse_an_unknown_sender():
    with pytest.raises(ValueError, match="log"):
        FritidsbankenSettings(sender="pigeon")
    with pytest.raises(ValueError, match="number"):
        FritidsbankenSettings(sms_gateway="sms.example.se")
