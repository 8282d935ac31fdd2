"""Too large is refused before it costs anything: a request body over
``MAX_FORM_BYTES`` before it is read, a picture over 40 megapixels before a
pixel of it is decoded."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from core import i18n
from core.app import create_app
from core.forms import MAX_FORM_BYTES
from core.images import ImageError, store_image
from core.site import Site
from tests.conftest import text_of

TOO_LARGE = "Det du skickade var för stort. Välj en mindre fil och försök igen."


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, format="PNG")
    return out.getvalue()


def test_a_body_announced_as_too_large_is_refused_without_being_read(site: Site) -> None:
    app = create_app(site)
    reads: list[int] = []
    sent: list[dict] = []

    async def receive() -> dict:
        reads.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/nyheter/ny",
        "raw_path": b"/nyheter/ny",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testsite.example"),
            (b"content-type", b"multipart/form-data; boundary=x"),
            (b"content-length", str(MAX_FORM_BYTES + 1).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testsite.example", 80),
    }
    asyncio.run(app(scope, receive, send))
    assert reads == []
    assert sent[0]["status"] == 413
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()
    assert TOO_LARGE in text_of(body)


def test_a_streamed_body_is_refused_when_it_passes_the_limit(site: Site, client, admin) -> None:
    client.login(admin.email)
    token = client.csrf()
    chunks_sent: list[int] = []

    def body() -> Iterator[bytes]:
        yield f"csrftoken={token}&title=".encode()
        for _ in range(MAX_FORM_BYTES // 65536 + 50):
            chunks_sent.append(1)
            yield b"a" * 65536

    response = client.post(
        "/nyheter/ny?lang=en",
        content=body(),
        headers={"content-type": "application/x-www-form-urlencoded", "referer": f"{site.base_url}/nyheter/ny"},
    )
    assert response.status_code == 413
    page = text_of(response.text)
    assert "What you sent was too large. Choose a smaller file and try again." in page
    assert "Log out" in page  # the visitor is still shown as logged in
    # Like the page for a refused form (test_csrf.py): a title and a way back to the form.
    assert "<h1>What you sent was too large</h1>" in response.text
    assert 'href="/nyheter/ny"' in response.text and "Back to the form" in page


def test_a_body_under_the_limit_goes_through(client, admin) -> None:
    response = client.submit("/konto/logga-in", {"email": admin.email, "password": "fel" * 1000})
    assert response.status_code == 400
    assert "Fel e-postadress eller lösenord" in text_of(response.text)


@pytest.mark.parametrize("size", [(8900, 8900), (10_000, 9_000)], ids=["issue-png-79mp", "bomb-90mp"])
def test_a_picture_over_40_megapixels_is_refused_with_a_message(tmp_path: Path, size: tuple[int, int]) -> None:
    data = png(*size)
    with pytest.raises(ImageError) as refused:
        store_image(data, tmp_path / "uploads")
    assert str(refused.value) == (
        "Bilden har för många bildpunkter (högst 40 megapixel). Förminska den och försök igen."
    )
    assert not (tmp_path / "uploads").exists()
    token = i18n.current_locale.set("en")
    try:
        with pytest.raises(ImageError, match="too many pixels"):
            store_image(data, tmp_path / "uploads")
    finally:
        i18n.current_locale.reset(token)


def test_a_picture_within_the_limit_is_scaled_and_stored(tmp_path: Path) -> None:
    name = store_image(png(3000, 2000), tmp_path)
    with Image.open(tmp_path / name) as stored:
        assert stored.size == (1600, 1067)
