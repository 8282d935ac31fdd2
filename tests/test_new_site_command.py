"""``paraply new-site`` as a new umbrella runs it (issue 17): the real
command in a fresh folder, then the steps it prints, then the site served by
a real uvicorn on a port of its own.

Found when it was tried: the next steps said ``paraply migrate`` though
``paraply`` is not on PATH after the README's set-up; the site kept
http://127.0.0.1:8000 in its links when served elsewhere; it had no Om oss,
Kontakt or accessibility statement and no contact in the footer.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from core.testing import free_port
from tests.conftest import text_of

PARAPLY = Path(sys.executable).parent / "paraply"


def run(folder: Path, *args: str) -> str:
    done = subprocess.run(
        [str(PARAPLY), *args], cwd=folder, env=environment(folder), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PARAPLY_SITES_DIR": str(folder / "sites"),
        "PARAPLY_DATA_DIR": str(folder / "data"),
        "PARAPLY_SECRET_KEY": "en-hemlighet-bara-for-testet",
        "PARAPLY_DAILY_JOBS": "0",
        "PARAPLY_NO_ENTRY_POINTS": "1",
    }


def test_a_new_site_from_the_command_line_to_its_first_page(tmp_path: Path) -> None:
    made = run(tmp_path, "new-site", "torsby", "--title", "Torsby Föreningsråd", "--contact-email", "info@torsby.se")
    steps = [line.strip() for line in made.splitlines() if line.startswith("  ")]
    assert steps == ["./run migrate --site torsby", "./run create-admin --site torsby", "./run serve --site torsby"]
    assert "base_url" in made and "http://127.0.0.1:8000" in made, "it says which address the site has"
    assert "site.toml" in made

    migrated = run(tmp_path, "migrate", "--site", "torsby")
    assert "startinnehåll" in migrated
    again = run(tmp_path, "migrate", "--site", "torsby")
    assert "startinnehåll" not in again, "only a new database gets the starter pages"

    port = free_port()
    server = subprocess.Popen(
        [str(PARAPLY), "serve", "--site", "torsby", "--port", str(port)],
        cwd=tmp_path,
        env=environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        front = None
        deadline = time.monotonic() + 60
        while front is None:
            try:
                front = httpx.get(url + "/", timeout=5)
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert front.status_code == 200
        header, footer = front.text.split("<main", 1)[0], front.text.split('<footer class="site-footer">', 1)[1]
        assert re.search(r'<a href="/sida/om-oss"[^>]*>Om oss</a>', header)
        assert re.search(r'<a href="/sida/kontakt"[^>]*>Kontakt</a>', header)
        assert 'href="mailto:info@torsby.se"' in footer, "the footer has the contact address"
        assert '<a href="/sida/kontakt">Kontakt</a>' in footer
        assert '<a href="/sida/tillganglighetsredogorelse">Tillgänglighetsredogörelse</a>' in footer
        statement = text_of(httpx.get(url + "/sida/tillganglighetsredogorelse").text)
        for heading in ("Hur tillgänglig är webbplatsen?", "Tillsyn", "Hur vi testat webbplatsen"):
            assert heading in statement
        assert "Torsby Föreningsråd" in statement
        # Served on another port than site.toml's base_url: links follow the server, and it says so.
        discovery = json.loads(httpx.get(url + "/.well-known/paraply").text)
        assert discovery["base_url"] == url
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"men servern svarar på {url}/" in output
