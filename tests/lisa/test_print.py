"""For health centres: the A4 print view, the poster with a QR code made
locally, and nothing loaded from other hosts."""

from __future__ import annotations

import io
import re

import segno

from tests.conftest import text_of
from tests.lisa.conftest import ADMIN


def test_print_view_is_laid_out_for_a4_and_groups_by_need(lisa_site, login):
    client = login(lisa_site, None)
    whole = client.get("/hjalp/skriv-ut/lista")
    assert whole.status_code == 200
    css = client.get("/static/lisa/lisa.css").text
    assert "@page{size:A4" in css and "@media print" in css
    text = text_of(whole.text)
    for need in ("Ensamhet", "Våld i nära relationer", "Fritid för barn och unga"):
        assert need in text
    assert "Jourtelefon" in text and "0586-577 77" in text
    one = text_of(client.get("/hjalp/skriv-ut/lista", params={"behov": "juridik"}).text)
    assert "Hitta rätt hjälp: Juridik" in one and "Juridisk vägledning" in one and "Matkassar" not in one
    degerfors = text_of(client.get("/hjalp/skriv-ut/lista", params={"kommun": "Degerfors"}).text)
    assert "Mötesplats Svartå" in degerfors and "Matkassar" not in degerfors
    assert client.get("/hjalp/skriv-ut/lista", params={"behov": "finns-inte"}).status_code == 404


def test_nurse_prints_the_poster_with_a_local_qr_code(lisa_site, login):
    client = login(lisa_site, None)
    index = client.get("/hjalp/skriv-ut")
    assert 'href="/hjalp/affisch/Degerfors"' in index.text
    poster = client.get("/hjalp/affisch/Degerfors")
    assert poster.status_code == 200
    text = text_of(poster.text)
    assert "Hitta rätt hjälp i Degerfors" in text and "http://lisa.example/hjalp/?kommun=Degerfors" in text
    svg = re.search(r"<svg.*?</svg>", poster.text, re.S).group(0)
    # The code is made here and says what the poster says: the same URL encoded by segno gives the same matrix.
    expected = io.BytesIO()
    segno.make("http://lisa.example/hjalp/?kommun=Degerfors", error="m").save(
        expected, kind="svg", scale=8, xmldecl=False, svgns=True, title="http://lisa.example/hjalp/?kommun=Degerfors"
    )
    assert svg == expected.getvalue().decode().strip()
    download = client.get("/hjalp/affisch/degerfors/qr.svg")
    assert download.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/hjalp/affisch/Oslo").status_code == 404


def test_lisa_pages_load_nothing_from_other_hosts(lisa_site, login):
    client = login(lisa_site, ADMIN)
    for path in (
        "/hjalp/",
        "/hjalp/affisch/Karlskoga",
        "/hjalp/skriv-ut/lista",
        "/hjalp/tjanst/1/kort",
        "/hjalp/admin",
    ):
        html = client.get(path).text
        for attr in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
            assert not re.search(r"\.(css|js|png|svg|woff2?)(\?|$)", attr), (path, attr)
        # Core's one script (the header menu) comes from the site's own static folder.
        assert all(src.startswith("/static/") for src in re.findall(r'<script src="([^"]+)"', html)), path
        assert 'lang="sv"' in html
