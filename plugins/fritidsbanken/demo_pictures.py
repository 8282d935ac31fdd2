"""Photos for the demo's items: a simple drawing of each kind of thing (a
ball, skis, a helmet, a bike ...) on a light ground, made with Pillow when
the demo loads. Identical items share one picture, as a counter would photograph
one football for all twelve; ``items._shared`` keeps a shared file when one
item gets a photo of its own. Deterministic, a few kB each in every size,
made once per data folder (a marker file), stored like uploads with their sizes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

from PIL import Image, ImageDraw
from sqlmodel import Session, col, select

from core.api import Site, store_image
from plugins.fritidsbanken.models import Item

SIZE = (720, 480)
MARKER = "demo-pictures-fritidsbanken"
GROUNDS = ("#e9f1f8", "#f4efe4", "#eaf4ea", "#f6ecf0", "#eeeef6")
Draw = ImageDraw.ImageDraw


def _ball(d: Draw, c: str) -> None:
    d.ellipse((240, 120, 480, 360), fill="#ffffff", outline="#222222", width=6)
    d.regular_polygon((360, 240, 44), 5, fill="#222222")
    for x, y in ((290, 170), (430, 170), (270, 290), (450, 290), (360, 345)):
        d.regular_polygon((x, y, 22), 5, fill=c)


def _skis(d: Draw, c: str) -> None:
    for dx in (0, 70):
        d.rounded_rectangle((300 + dx, 40, 336 + dx, 440), radius=18, fill=c, outline="#222222", width=4)
        d.rectangle((296 + dx, 230, 340 + dx, 262), fill="#222222")


def _skate(d: Draw, c: str) -> None:
    d.polygon([(220, 120), (330, 120), (340, 250), (500, 280), (500, 330), (220, 330)], fill=c, outline="#222222")
    d.line((190, 380, 530, 380), fill="#555555", width=10)
    for x in (250, 470):
        d.line((x, 330, x, 380), fill="#555555", width=8)


def _sled(d: Draw, c: str) -> None:
    d.rounded_rectangle((180, 200, 540, 300), radius=40, fill=c, outline="#222222", width=5)
    d.arc((120, 180, 260, 360), 90, 270, fill="#222222", width=8)
    d.line((190, 330, 540, 330), fill="#222222", width=8)


def _helmet(d: Draw, c: str) -> None:
    d.pieslice((200, 110, 520, 430), 180, 360, fill=c, outline="#222222", width=5)
    d.rectangle((200, 262, 540, 290), fill="#222222")
    for x in (300, 360, 420):
        d.rectangle((x, 150, x + 20, 200), fill="#ffffff")


def _bike(d: Draw, c: str) -> None:
    for x in (230, 490):
        d.ellipse((x - 90, 250, x + 90, 430), outline="#222222", width=10)
    d.line([(230, 340), (340, 220), (490, 340), (380, 340), (230, 340)], fill=c, width=12)
    d.line([(340, 220), (320, 180), (370, 180)], fill="#222222", width=10)
    d.line([(490, 340), (450, 200), (490, 180)], fill="#222222", width=10)


def _racket(d: Draw, c: str) -> None:
    d.ellipse((260, 60, 460, 300), outline=c, width=16, fill="#ffffff")
    for x in range(290, 440, 30):
        d.line((x, 80, x, 280), fill="#999999", width=2)
    d.rounded_rectangle((345, 296, 375, 440), radius=10, fill="#222222")


def _tent(d: Draw, c: str) -> None:
    d.polygon([(360, 90), (170, 390), (550, 390)], fill=c, outline="#222222")
    d.polygon([(360, 200), (310, 390), (410, 390)], fill="#222222")
    d.line((120, 392, 600, 392), fill="#6b4f2a", width=8)


def _boat(d: Draw, c: str) -> None:
    d.rectangle((0, 300, 720, 480), fill="#7fb3da")
    d.chord((120, 170, 600, 330), 0, 180, fill=c, outline="#222222", width=5)
    d.line((250, 140, 470, 360), fill="#6b4f2a", width=10)


def _blocks(d: Draw, c: str) -> None:
    for x, y, w, h in ((200, 260, 70, 130), (320, 230, 80, 160), (450, 270, 70, 120)):
        d.rectangle((x, y, x + w, y + h), fill=c, outline="#222222", width=4)
    d.ellipse((340, 150, 380, 190), fill="#222222")


DRAWINGS: dict[str, Callable[[Draw, str], None]] = {
    "Bollar": _ball,
    "Skidor": _skis,
    "Skridskor": _skate,
    "Vintersport": _sled,
    "Hjälmar och skydd": _helmet,
    "Cyklar": _bike,
    "Racketsport": _racket,
    "Friluftsliv": _tent,
    "Vattensport": _boat,
    "Lek och spel": _blocks,
}
COLOURS = ("#c0392b", "#1d4e89", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f")


def photo_jpeg(category: str, name: str) -> bytes:
    seed = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")
    img = Image.new("RGB", SIZE, GROUNDS[seed % len(GROUNDS)])
    DRAWINGS.get(category, _blocks)(ImageDraw.Draw(img), COLOURS[seed % len(COLOURS)])
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()


def add(site: Site, session: Session) -> None:
    """One photo per kind of item (name), shared by the items of that kind
    that have none, the first time the demo loads into this data folder."""
    marker = site.data_dir / MARKER
    if marker.exists():
        return
    photos: dict[str, str] = {}
    for item in session.exec(select(Item).where(Item.photo == "").order_by(col(Item.number))).all():
        if item.name not in photos:
            photos[item.name] = store_image(photo_jpeg(item.category, item.name), site.uploads_dir, "fritid")
        item.photo = photos[item.name]
        session.add(item)
    session.flush()
    marker.write_text("Demobilderna är gjorda; ta bort filen för att göra dem igen.\n", encoding="utf-8")
