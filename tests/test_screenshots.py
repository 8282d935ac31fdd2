"""``paraply screenshots``: every page type, both widths, both languages, as
a visitor and as the admin (issue 17, visual review).

The page-type walk runs in-process on a demo site; the command itself runs
for real (a subprocess, uvicorn and Debian's Chromium) on a small page list
and must leave the PNG files and the index.html that shows them.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from core.app import create_app
from core.demo import load_demo
from core.screenshots import chromium_path, log_in, page_types, route_patterns, start_paths
from tests.conftest import DEFAULT_WEBPORTAL, Client, write_site


def test_the_walk_finds_one_address_per_page_type(make_site):
    site = make_site(plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    load_demo(site, echo=lambda _msg: None)
    app = create_app(site)
    patterns = route_patterns(app)
    with Client(app, base_url=site.base_url) as visitor:
        public = page_types(visitor, patterns, start_paths(site, "anonymous"), limit=200)
    with Client(app, base_url=site.base_url) as admin:
        log_in(admin, site, "admin")
        everything = page_types(admin, patterns, start_paths(site, "admin"), limit=300)
    routes = [shot.route for shot in public]
    assert len(routes) == len(set(routes)), "one address per page type"
    for expected in ("/", "/foreningar", "/foreningar/{slug}", "/nyheter", "/nyheter/{news_id:id}", "/sok"):
        assert expected in routes, f"{expected} not found among {routes}"
    assert not any(r.startswith(("/admin", "/-/admin")) for r in routes), "a visitor reaches no admin page"
    admin_routes = {shot.route for shot in everything}
    for expected in ("/-/admin", "/admin/foreningar", "/admin/foreningar/ny", "/admin/sidor", "/-/admin/anvandare"):
        assert expected in admin_routes, f"{expected} not found among {sorted(admin_routes)}"
    for shot in everything:
        assert re.fullmatch(r"/[^\s]*", shot.path) and "lang=" not in shot.path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.skipif(chromium_path() is None, reason="Chromium not found (apt-get install chromium)")
def test_the_command_photographs_a_page_list(tmp_path: Path) -> None:
    pytest.importorskip("playwright.sync_api")
    folder = write_site(tmp_path / "sites", "bildsajt", ["webportal"], {"webportal": DEFAULT_WEBPORTAL})
    out = tmp_path / "bilder"
    env = {**os.environ, "PARAPLY_SECRET_KEY": "bara-for-testet", "PARAPLY_DAILY_JOBS": "0"}
    args = ["screenshots", str(out), "--site", str(folder), "--path", "/", "--path", "/admin/foreningar"]
    args += ["--as", "anonymous", "--as", "admin", "--lang", "sv", "--lang", "en"]
    done = subprocess.run(
        [str(Path(sys.executable).parent / "paraply"), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr

    pngs = sorted(p.name for p in out.glob("*.png"))
    # 2 roles × 2 pages × 2 languages × 2 widths
    assert len(pngs) == 16, pngs
    for role in ("anonymous", "admin"):
        for number, page in (("00", "start"), ("01", "admin-foreningar")):
            for lang in ("sv", "en"):
                for width, pixels in (("desktop", 1280), ("phone", 375)):
                    name = f"bildsajt-{role}-{number}-{page}-{lang}-{width}.png"
                    assert name in pngs, f"{name} missing from {pngs}"
                    assert png_size(out / name)[0] == pixels
    # The admin sees the admin list, the visitor is sent to log in: not the same picture.
    assert (out / "bildsajt-admin-01-admin-foreningar-sv-phone.png").read_bytes() != (
        out / "bildsajt-anonymous-01-admin-foreningar-sv-phone.png"
    ).read_bytes()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'src="{name}"' in index for name in pngs)
    assert "<h3>anonymous</h3>" in index and "<h3>admin</h3>" in index
    assert "16 bilder" in index
