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

import io
import secrets
import warnings
from pathlib import Path

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
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img)
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
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{stem_hint[:40]}-{secrets.token_hex(8)}.{ext}"
    (folder / name).write_bytes(out.getvalue())
    return name


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
    if name and "/" not in name and "\\" not in name:
        (folder / name).unlink(missing_ok=True)
