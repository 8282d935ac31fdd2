"""Uploaded images (association logos, news pictures, Fritidsbanken's item photos): checked and re-encoded.

An upload is accepted only if Pillow can open it as PNG, JPEG, GIF or WebP
within the size limit; it is then re-encoded (which drops metadata such as
GPS positions and anything smuggled after the image data), scaled down to at
most ``MAX_SIDE`` pixels, and stored under a random name in the site's
uploads folder. SVG is refused: it can carry scripts.

A picture of more than ``MAX_PIXELS`` is refused from its header, before any
pixel is decoded: a 300 kB PNG can hold 8900 × 8900 pixels, and decoding it
takes seconds of CPU and 300 MB of memory. The check and the re-encoding are
CPU work, so views call ``store_upload`` from a plain ``def`` view (which runs in
the thread pool); ``save_upload`` does the same for an ``async def`` view.
"""

from __future__ import annotations

import glob
import io
import re
import secrets
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from core.i18n import gettext as _

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "png", "WEBP": "webp"}
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000  # refuse decompression bombs early

# Pillow warns above this many pixels and raises DecompressionBombError above
# twice as many. We refuse above MAX_PIXELS ourselves, from the header, so
# its warning would only repeat what the visitor is told.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


class ImageError(ValueError):
    """Why an upload was refused, in the visitor's language, for the form."""


async def read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    return _checked_size(await upload.read(max_bytes + 1), max_bytes)


def _checked_size(data: bytes, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise ImageError(_("Bilden är för stor. Största tillåtna storlek är %(kb)s kB.") % {"kb": max_bytes // 1024})
    if not data:
        raise ImageError(_("Filen är tom. Välj en bildfil."))
    return data


def store_image(data: bytes, folder: Path, stem_hint: str = "bild") -> str:
    """Validate and re-encode ``data``; return the stored file name."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            # Image.open reads only the header: the size is known, no pixel decoded yet.
            fmt = probe.format or ""
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels()
            probe.verify()
        if fmt not in ALLOWED_FORMATS:
            raise ImageError(_("Filtypen stöds inte. Använd PNG, JPEG, GIF eller WebP."))
        with Image.open(io.BytesIO(data)) as opened:
            img = ImageOps.exif_transpose(opened)
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            ext = ALLOWED_FORMATS[fmt]
            if ext == "jpg" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            if ext == "png" and img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                img = img.convert("RGBA")
            out = io.BytesIO()
            save_format = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[ext]
            img.save(out, format=save_format, **({"quality": 85} if ext in ("jpg", "webp") else {}))
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(_("Filen kunde inte läsas som en bild. Välj en PNG-, JPEG-, GIF- eller WebP-bild.")) from exc
    name = f"{_safe_stem(stem_hint)}-{secrets.token_hex(8)}.{ext}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(out.getvalue())
        make_variants(folder, name)
    except OSError as exc:
        # A full disk or a quota (bench/soak.py's fault run found the 500):
        # nothing half-written is left, and the form says why and keeps the rest.
        delete_image(folder, name)
        raise ImageError(
            _("Bilden kunde inte sparas: servern saknar plats just nu. Försök igen senare eller spara utan bild.")
        ) from exc
    return name


def _safe_stem(hint: str) -> str:
    """The hint as a file-name stem without dots or slashes (variants are
    ``stem.<width>.webp``, so the stem must not hold a dot)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", hint)[:40].strip("-") or "bild"


def store_upload(upload: UploadFile, folder: Path, max_kb: int, stem_hint: str = "bild") -> str:
    """Read, check and store an uploaded image from a plain ``def`` view
    (in the thread pool); raises ``ImageError``. The form has been parsed,
    so the file is in memory or a temporary file and reading it is quick."""
    upload.file.seek(0)
    data = _checked_size(upload.file.read(max_kb * 1024 + 1), max_kb * 1024)
    return store_image(data, folder, stem_hint)


async def save_upload(upload: UploadFile, folder: Path, max_kb: int, stem_hint: str = "bild") -> str:
    """Read, check and store an uploaded image from an ``async def`` view;
    the check runs in the thread pool. Raises ``ImageError``."""
    data = await read_limited(upload, max_kb * 1024)
    return await run_in_threadpool(store_image, data, folder, stem_hint)


def _too_many_pixels() -> ImageError:
    return ImageError(
        _("Bilden har för många bildpunkter (högst %(megapixels)s megapixel). Förminska den och försök igen.")
        % {"megapixels": MAX_PIXELS // 1_000_000}
    )


def delete_image(folder: Path, name: str) -> None:
    """Delete a stored picture and its sizes."""
    if name and "/" not in name and "\\" not in name and not name.startswith("."):
        (folder / name).unlink(missing_ok=True)
        for variant in glob.glob(glob.escape(str(folder / _stem(name))) + ".*.*"):
            Path(variant).unlink(missing_ok=True)


# ---- Responsive sizes -------------------------------------------------------
# Each stored picture ``stem.ext`` gets variants ``stem.<width>.webp`` and a
# fallback ``stem.<width>.jpg`` (``.png`` when it has transparency) for each
# of ``WIDTHS`` narrower than itself, plus its own width up to the largest,
# so a phone loads a 320 or 640 px WebP and nothing is ever upscaled. Their
# names come from the stored name, so no table changes; a picture stored
# before variants existed is shown from its original until ``make_missing_variants``
# (the daily job, ``paraply images``) has made them.

#: Widths made on upload, in CSS pixels of a typical screen (a phone, a 2× phone, a desktop column).
WIDTHS = (320, 640, 1280)
WEBP_QUALITY = 75
#: libwebp effort (0-6): 2 is as small as 4 for these pictures and about twice as fast.
WEBP_METHOD = 2
JPEG_QUALITY = 80
#: URL prefix the site serves its uploads folder from (core.app).
UPLOADS_URL = "/uploads/"
#: Names of originals: ``stem.ext`` with no dot in the stem; variants have two dots.
_ORIGINAL = re.compile(r"^[^./\\]+\.(png|jpg|webp)$")


@dataclass(frozen=True)
class Source:
    """One size of a picture: its URL and width in pixels."""

    url: str
    width: int


@dataclass(frozen=True)
class Picture:
    """What a page needs to show a stored picture: ``src`` (the fallback's
    default), ``width`` and ``height`` (of that size, so the browser reserves
    the space and nothing jumps), and the WebP and fallback ``srcset``s.
    Without variants (an old upload) both sets are empty and ``src`` is the
    original. ``core/templates/macros/images.html`` renders it."""

    src: str
    width: int
    height: int
    webp: tuple[Source, ...] = ()
    fallback: tuple[Source, ...] = ()

    @staticmethod
    def srcset(sources: tuple[Source, ...]) -> str:
        return ", ".join(f"{s.url} {s.width}w" for s in sources)

    @property
    def webp_srcset(self) -> str:
        return self.srcset(self.webp)

    @property
    def fallback_srcset(self) -> str:
        return self.srcset(self.fallback)


def variant_widths(width: int) -> list[int]:
    """The widths made for a picture ``width`` pixels wide: never wider than it."""
    return sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0]


def _has_alpha(img: Image.Image) -> bool:
    """True if some pixel is not fully opaque (a logo on a transparent ground)."""
    if img.mode == "P":
        if "transparency" not in img.info:
            return False
        img = img.convert("RGBA")
    if img.mode not in ("RGBA", "LA", "PA"):
        return False
    extrema = img.getchannel("A").getextrema()
    return isinstance(extrema[0], int) and extrema[0] < 255


def make_variants(folder: Path, name: str) -> list[str]:
    """Make the missing variants of the stored picture ``name``; return the
    names made. CPU work: call it from the thread pool (``store_image`` does)."""
    if not _ORIGINAL.match(name) or not (folder / name).is_file():
        return []
    stem = _stem(name)
    made: list[str] = []
    with Image.open(folder / name) as opened:
        img = ImageOps.exif_transpose(opened)
        img.load()
    alpha = _has_alpha(img)
    fallback_ext = "png" if alpha else "jpg"
    base = img.convert("RGBA" if alpha else "RGB")
    width, height = base.size
    for w in variant_widths(width):
        webp_name, fallback_name = f"{stem}.{w}.webp", f"{stem}.{w}.{fallback_ext}"
        if (folder / webp_name).is_file() and (folder / fallback_name).is_file():
            continue
        h = max(1, round(height * w / width))
        sized = base if w == width else base.resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        _write(folder / webp_name, sized, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
        if alpha:
            _write(folder / fallback_name, sized, "PNG", optimize=True)
        else:
            _write(folder / fallback_name, sized, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        made += [webp_name, fallback_name]
    return made


def _write(path: Path, img: Image.Image, fmt: str, **options: Any) -> None:
    """Write through a temporary name, so a page never links a half-written file."""
    tmp = path.with_name(path.name + ".tmp")
    img.save(tmp, format=fmt, **options)
    tmp.replace(path)


def make_missing_variants(folder: Path) -> tuple[int, int]:
    """Variants for every stored picture that lacks them (uploads from before
    responsive sizes, or a copied data folder). Returns (pictures done,
    pictures that could not be read); an unreadable file is left as it is."""
    done = failed = 0
    if not folder.is_dir():
        return (0, 0)
    for path in sorted(folder.iterdir()):
        if not _ORIGINAL.match(path.name):
            continue
        try:
            if make_variants(folder, path.name):
                done += 1
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            failed += 1
    return (done, failed)


@lru_cache(maxsize=4096)
def _dimensions(path: str, mtime_ns: int) -> tuple[int, int] | None:
    """Width and height from the file's header (no pixel decoded), cached per
    file version: a page with 24 pictures reads no image data at all."""
    del mtime_ns  # part of the cache key only
    try:
        with Image.open(path) as probe:
            return probe.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def picture_of(folder: Path, name: str, url_prefix: str = UPLOADS_URL) -> Picture | None:
    """The ``Picture`` for a stored name, or None when there is no such
    readable file (an empty name, a file deleted by hand). Variants that
    exist are used; missing ones fall back to the original."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = folder / name
    try:
        mtime = path.stat().st_mtime_ns
    except (OSError, ValueError):  # ValueError: a NUL in a name that came from elsewhere
        return None
    size = _dimensions(str(path), mtime)
    if size is None:
        return None
    width, height = size
    stem = _stem(name)
    webp: list[Source] = []
    fallback: list[Source] = []
    for w in variant_widths(width):
        if not (folder / f"{stem}.{w}.webp").is_file():
            continue
        ext = next((e for e in ("jpg", "png") if (folder / f"{stem}.{w}.{e}").is_file()), None)
        if ext is None:
            continue
        webp.append(Source(f"{url_prefix}{stem}.{w}.webp", w))
        fallback.append(Source(f"{url_prefix}{stem}.{w}.{ext}", w))
    if not fallback:
        return Picture(src=url_prefix + name, width=width, height=height)
    # The default src is the middle size: enough for a card, light for a browser without srcset.
    default = fallback[min(1, len(fallback) - 1)]
    return Picture(
        src=default.url,
        width=default.width,
        height=max(1, round(height * default.width / width)),
        webp=tuple(webp),
        fallback=tuple(fallback),
    )
