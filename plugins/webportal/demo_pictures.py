"""Pictures for the demo: a logo for each association (its initials on a
colour of its own) and a drawn picture for each news item, made with Pillow
when the demo loads, so the directory, the news and the front page look as
they will with real uploads. Deterministic (the colours and shapes follow
from the name), small (a logo is a few kB), and made once per data folder:
a marker file records that they were made, so a logo a demo visitor removed
stays removed. They are stored like uploads (``store_image``), sizes and all.
"""

from __future__ import annotations

import hashlib
import io
import random
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont
from sqlmodel import Session, col, select

from core.api import Site, store_image
from plugins.webportal.models import Association, News

#: Colours for logos: each has at least 4.5:1 contrast with white text.
PALETTE = (
    "#1d4e89", "#0b5d57", "#8a1c2b", "#5b2a86", "#7a4a00",
    "#2e6b1f", "#a0306e", "#00607a", "#4a4a8a", "#8a3b12",
)  # fmt: skip
#: Words left out of initials ("Föreningen för ..." is not "FF").
SMALL_WORDS = {"i", "och", "för", "av", "på", "med", "till", "de", "the", "of", "&", "-", "–"}
LOGO_SIDE = 240
NEWS_SIZE = (960, 640)
MARKER = "demo-pictures-webportal"


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w.casefold() not in SMALL_WORDS and w[:1].isalnum()]
    return "".join(w[0] for w in words[:3]).upper() or "?"


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's own font (no system font needed), loaded once per size."""
    return ImageFont.load_default(size=size)


def logo_png(name: str) -> bytes:
    """The association's initials, white on its colour, in a rounded square."""
    colour = PALETTE[_seed(name) % len(PALETTE)]
    img = Image.new("RGB", (LOGO_SIDE, LOGO_SIDE), "#ffffff")
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((8, 8, LOGO_SIDE - 8, LOGO_SIDE - 8), radius=36, fill=colour)
    text = initials(name)
    font = _font({1: 120, 2: 100}.get(len(text), 76))
    draw.text((LOGO_SIDE / 2, LOGO_SIDE / 2), text, fill="#ffffff", font=font, anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def news_jpeg(title: str) -> tuple[bytes, str]:
    """A drawn landscape (sky, sun, hills, spruces, a lake or not) and its
    description for the alt text, both from the title."""
    rng = random.Random(_seed(title))
    width, height = NEWS_SIZE
    season = rng.choice(("summer", "autumn", "winter"))
    sky, ground, tree = {
        "summer": ("#8fc7ef", "#5fa052", "#1f5a2c"),
        "autumn": ("#f2c38f", "#b8742c", "#5a3a12"),
        "winter": ("#c9dced", "#f4f7fa", "#2f4f3a"),
    }[season]
    img = Image.new("RGB", NEWS_SIZE, sky)
    draw = ImageDraw.Draw(img)
    sun_x, sun_y = rng.randint(120, width - 120), rng.randint(80, 200)
    draw.ellipse((sun_x - 60, sun_y - 60, sun_x + 60, sun_y + 60), fill="#ffd23f")
    for layer in range(3):
        base = height * (0.55 + 0.12 * layer)
        ridge = [(x, base - rng.randint(0, 90)) for x in range(0, width + 160, 160)]
        points = [(0, height), *ridge, (width, height)]
        shade = tuple(max(0, int(ground[i : i + 2], 16) - 25 * (2 - layer)) for i in (1, 3, 5))
        draw.polygon(points, fill=shade)
    lake = rng.random() < 0.5
    if lake:
        draw.ellipse((width * 0.45, height * 0.78, width * 1.1, height * 1.05), fill="#3b7fb8")
    for _ in range(rng.randint(4, 9)):
        x, y = rng.randint(20, width - 20), rng.randint(int(height * 0.62), height - 30)
        size = rng.randint(30, 70)
        if lake and x > width * 0.4 and y > height * 0.74:
            continue  # no spruce in the lake
        draw.polygon([(x, y - 2 * size), (x - size // 2, y), (x + size // 2, y)], fill=tree)
    words = {"summer": "sommar", "autumn": "höst", "winter": "vinter"}
    alt = f"Teckning: {words[season]}landskap med sol, kullar och granar" + (" vid en sjö." if lake else ".")
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue(), alt


def add(site: Site, session: Session) -> None:
    """Logos for the associations and pictures for the news that have none,
    the first time the demo loads into this data folder."""
    marker = site.data_dir / MARKER
    if marker.exists():
        return
    folder = site.uploads_dir
    for association in session.exec(select(Association).where(Association.logo == "")).all():
        association.logo = store_image(logo_png(association.name), folder, association.slug)
        session.add(association)
    for news in session.exec(select(News).where(News.image == "").order_by(col(News.id))).all():
        data, alt = news_jpeg(news.title)
        news.image, news.image_alt = store_image(data, folder, "nyhet"), alt
        session.add(news)
    session.flush()
    marker.write_text("Demobilderna är gjorda; ta bort filen för att göra dem igen.\n", encoding="utf-8")
