"""Structured logs (issue 19, core.logs): ``paraply serve`` with
``PARAPLY_LOG_FORMAT=json`` writes one JSON object a line, and no line
carries an e-mail address, a token from a link or a password in a URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.logs import redact
from core.testing import free_port
from tests.conftest import write_site

PARAPLY = str(Path(sys.executable).parent / "paraply")


def test_redact_masks_people_and_secrets():
    line = (
        "mail to anna.andersson@example.se failed; GET /konto/nytt-losenord/abc123DEF?x=1 "
        "Authorization: Bearer s3cr3t postgresql://paraply:hemligt@db/paraply"
    )
    masked = redact(line)
    for secret in ("anna.andersson", "abc123DEF", "s3cr3t", "hemligt"):
        assert secret not in masked
    assert "[e-post]" in masked and "/konto/nytt-losenord/[dold]" in masked


def test_serve_writes_json_lines(tmp_path, database_url):
    folder = write_site(tmp_path / "sites", "loggar")
    port = free_port()
    env = dict(
        os.environ,
        PARAPLY_DATABASE_URL=database_url,
        PARAPLY_DATA_DIR=str(tmp_path / "data"),
        PARAPLY_LOG_FORMAT="json",
    )
    subprocess.run([PARAPLY, "migrate", "--site", str(folder)], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [PARAPLY, "serve", "--site", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/-/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "paraply serve did not answer within 60 s"
            time.sleep(0.3)
        httpx.get(f"http://127.0.0.1:{port}/konto/nytt-losenord/hemlig-token-123", timeout=5)
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=30)
    lines = [line for line in err.splitlines() if line.strip().startswith("{")]
    records = [json.loads(line) for line in lines]
    assert records, err[-2000:]
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any("startup complete" in r["message"].lower() for r in records)
    assert "hemlig-token-123" not in err  # no access log with the link's token
