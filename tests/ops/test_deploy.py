"""``paraply deploy`` (issue 19, core.deploy): the files a small Debian
server needs, checked by the tools that will read them (Caddy's own
validator, systemd-analyze)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from core import cli as cli_module


def deploy(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli_module.cli, ["deploy", "--site", "storfors", "--out", str(tmp_path / "deploy"), *args]
    )
    return result.exit_code, result.output


def test_deploy_writes_caddy_systemd_secrets_and_a_checklist(tmp_path):
    code, output = deploy(tmp_path, "--domain", "Storfors.Example.se", "--workers", "3", "--port", "8100")
    assert code == 0, output
    out = tmp_path / "deploy"
    env = out / "paraply-storfors.env"
    assert env.stat().st_mode & 0o777 == 0o600
    values = dict(line.split("=", 1) for line in env.read_text().splitlines() if line and not line.startswith("#"))
    assert len(values["PARAPLY_SECRET_KEY"]) >= 60 and len(values["PARAPLY_METRICS_TOKEN"]) >= 40
    assert values["PARAPLY_DATABASE_URL"].startswith("postgresql://paraply@/paraply_storfors")
    caddyfile = (out / "Caddyfile").read_text()
    assert "storfors.example.se {" in caddyfile and "reverse_proxy 127.0.0.1:8100 {" in caddyfile
    unit = (out / "paraply-storfors.service").read_text()
    assert "--workers 3" in unit and "EnvironmentFile=/etc/paraply/storfors.env" in unit
    assert "paraply backup --site storfors" in (out / "paraply-storfors-daily.service").read_text()
    assert "OnCalendar=*-*-* 03:15:00" in (out / "paraply-storfors-daily.timer").read_text()
    checklist = (out / "CHECKLIST.md").read_text()
    assert 'base_url = "https://storfors.example.se"' in checklist
    assert "Nästa steg:" in output

    # Again: every file but the secrets is rewritten; the key stays, so nobody is logged out.
    code, output = deploy(tmp_path, "--domain", "storfors.example.se")
    assert code == 0
    assert "fanns redan och är orörd" in output
    again = dict(line.split("=", 1) for line in env.read_text().splitlines() if line and not line.startswith("#"))
    assert again["PARAPLY_SECRET_KEY"] == values["PARAPLY_SECRET_KEY"]


@pytest.mark.parametrize("domain", ["https://storfors.example.se", "storfors", "storfors.example.se/", "a b.se", ""])
def test_a_bad_domain_is_explained_in_swedish(tmp_path, domain):
    code, output = deploy(tmp_path, "--domain", domain)
    assert code != 0
    assert "är inte ett domännamn" in output
    assert not (tmp_path / "deploy").exists()


def test_caddy_and_systemd_accept_the_files(tmp_path):
    caddy = shutil.which("caddy")
    if caddy is None:
        if os.environ.get("CI"):
            pytest.fail("caddy is missing: .ci/run installs it")
        pytest.skip("caddy is not installed")
    code, output = deploy(tmp_path, "--domain", "storfors.example.se")
    assert code == 0, output
    out = tmp_path / "deploy"
    home = tmp_path / "caddy-home"
    checked = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", str(out / "Caddyfile")],
        capture_output=True,
        text=True,
        env=dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home), XDG_CONFIG_HOME=str(home)),
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]
    analyze = shutil.which("systemd-analyze")
    if analyze:
        # Unit syntax only: the binaries and users of a real server are not on this machine.
        for unit in ("paraply-storfors.service", "paraply-storfors-daily.service", "paraply-storfors-daily.timer"):
            result = subprocess.run(
                [analyze, "verify", "--man=no", str(out / unit)], capture_output=True, text=True, timeout=60
            )
            problems = [
                line
                for line in result.stderr.splitlines()
                if "nknown" in line or "syntax" in line.lower() or "Invalid" in line
            ]
            assert problems == [], "\n".join(problems)
