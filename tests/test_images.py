"""Responsive sizes of uploaded pictures (core/images.py): the files made on
upload (real files in a temporary folder, opened again with Pillow), the
fallback for pictures stored before sizes existed, the job that makes their
sizes later, and what pages put in their HTML."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from core.hooks import picture_sizes
from core.images import (
    ImageError,
    delete_image,
    make_missing_variants,
    picture_of,
    store_image,
    variant_widths,
)
from plugins.webportal.models import News
from tests.test_news import add_news


def jpeg(width: int, height: int, colour: str = "#3b7fb8") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return out.getvalue()


def png_rgba(width: int, height: int, alpha: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (200, 30, 30, alpha)).save(out, format="PNG")
    return out.getvalue()


def opened(path: Path) -> tuple[str, tuple[int, int], str]:
    """Format, size and mode of a file, after decoding every pixel."""
    with Image.open(path) as img:
        img.load()
        return img.format or "", img.size, img.mode


def test_an_upload_gets_three_widths_in_webp_and_jpeg(tmp_path: Path) -> None:
    name = store_image(jpeg(1500, 1000), tmp_path, "nyhet")
    stem = name.removesuffix(".jpg")
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted([name] + [f"{stem}.{w}.{ext}" for w in (320, 640, 1280) for ext in ("webp", "jpg")])
    for width, height in ((320, 213), (640, 427), (1280, 853)):
        assert opened(tmp_path / f"{stem}.{width}.webp") == ("WEBP", (width, height), "RGB")
        assert opened(tmp_path / f"{stem}.{width}.jpg") == ("JPEG", (width, height), "RGB")
    # Smaller widths are smaller files: a phone does not load the desktop's picture.
    sizes = [(tmp_path / f"{stem}.{w}.webp").stat().st_size for w in (320, 640, 1280)]
    assert sizes == sorted(sizes)


def test_a_small_picture_is_never_upscaled(tmp_path: Path) -> None:
    name = store_image(jpeg(200, 100), tmp_path, "logo")
    stem = name.removesuffix(".jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, f"{stem}.200.webp", f"{stem}.200.jpg"])
    assert opened(tmp_path / f"{stem}.200.webp")[1] == (200, 100)
    assert variant_widths(200) == [200]
    assert variant_widths(700) == [320, 640, 700]
    assert variant_widths(5000) == [320, 640, 1280]


def test_a_transparent_logo_keeps_its_transparency_in_png(tmp_path: Path) -> None:
    see_through = store_image(png_rgba(400, 400, alpha=0), tmp_path, "genomskinlig")
    stem = see_through.removesuffix(".png")
    assert opened(tmp_path / f"{stem}.320.png") == ("PNG", (320, 320), "RGBA")
    assert opened(tmp_path / f"{stem}.320.webp")[2] == "RGBA"
    assert not (tmp_path / f"{stem}.320.jpg").exists()
    # A PNG that merely has an alpha channel, all opaque, is a photo: JPEG.
    solid = store_image(png_rgba(400, 400, alpha=255), tmp_path, "hel").removesuffix(".png")
    assert opened(tmp_path / f"{solid}.320.jpg") == ("JPEG", (320, 320), "RGB")


def test_a_decompression_bomb_is_still_refused_and_nothing_is_written(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 9_000)).save(out, format="PNG")  # 90 megapixels in a few kB
    with pytest.raises(ImageError, match="för många bildpunkter"):
        store_image(out.getvalue(), tmp_path / "uploads")
    assert not (tmp_path / "uploads").exists()


def test_an_old_upload_is_shown_from_its_original_until_the_job_makes_its_sizes(tmp_path: Path) -> None:
    # Stored before sizes were made on upload: only the original is there.
    Image.new("RGB", (900, 600), "green").save(tmp_path / "gammal-0011223344556677.jpg", format="JPEG")
    before = picture_of(tmp_path, "gammal-0011223344556677.jpg")
    assert before is not None
    assert (before.src, before.width, before.height, before.webp, before.fallback) == (
        "/uploads/gammal-0011223344556677.jpg",
        900,
        600,
        (),
        (),
    )
    (tmp_path / "anteckning.txt").write_text("inte en bild")
    (tmp_path / "trasig-00.png").write_bytes(b"\x89PNG trasig")
    assert make_missing_variants(tmp_path) == (1, 1)  # the broken file is counted, not fatal
    after = picture_of(tmp_path, "gammal-0011223344556677.jpg")
    assert after is not None
    assert after.webp_srcset == (
        "/uploads/gammal-0011223344556677.320.webp 320w, /uploads/gammal-0011223344556677.640.webp 640w,"
        " /uploads/gammal-0011223344556677.900.webp 900w"
    )
    assert (after.src, after.width, after.height) == ("/uploads/gammal-0011223344556677.640.jpg", 640, 427)
    assert make_missing_variants(tmp_path) == (0, 1)  # nothing left to do


def test_no_picture_for_a_missing_file_or_a_name_that_leaves_the_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "sub" / "x.png")
    for name in ("", "saknas.png", "../x.png", "sub/x.png", ".dold.png", "sub\\x.png", "nul\x00.png"):
        assert picture_of(tmp_path, name) is None


def test_deleting_a_picture_deletes_its_sizes_and_nothing_else(tmp_path: Path) -> None:
    first = store_image(jpeg(700, 500), tmp_path, "nyhet")
    second = store_image(jpeg(700, 500), tmp_path, "nyhet")
    delete_image(tmp_path, first)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left and all(n.startswith(second.removesuffix(".jpg")) for n in left)


def test_the_daily_job_makes_sizes_for_the_sites_old_uploads(site) -> None:
    site.uploads_dir.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (500, 400), "blue").save(site.uploads_dir / "logo-aabbccddeeff0011.png")
    assert picture_sizes(site, datetime(2026, 3, 10, 3, tzinfo=UTC)) == "1 bilder fick nya storlekar."
    assert (site.uploads_dir / "logo-aabbccddeeff0011.320.webp").is_file()
    assert (site.uploads_dir / "logo-aabbccddeeff0011.500.jpg").is_file()


def test_pages_set_width_height_and_lazy_loading(site, client, admin) -> None:
    """The news list's thumbnails load lazily; the news item's picture is the
    page's main one, loaded at once; both have their size, so nothing jumps."""
    name = store_image(jpeg(1400, 700), site.uploads_dir, "nyhet")
    stem = name.removesuffix(".jpg")
    news: News = add_news(site, "Sommarläger", image=name, image_alt="Tält vid en sjö")
    listing = client.get("/nyheter").text
    pictures = re.findall(r"<picture.*?</picture>", listing, re.S)
    assert len(pictures) == 1
    assert (
        f'<source type="image/webp" srcset="/uploads/{stem}.320.webp 320w, /uploads/{stem}.640.webp 640w,'
        in (pictures[0])
    )
    img = re.search(r"<img [^>]*>", pictures[0]).group(0)  # type: ignore[union-attr]
    assert f'src="/uploads/{stem}.640.jpg"' in img and 'width="640" height="320"' in img
    assert 'alt="Tält vid en sjö"' in img and 'loading="lazy"' in img and 'decoding="async"' in img

    item = client.get(f"/nyheter/{news.id}").text
    img = re.search(r"<picture.*?(<img [^>]*>)", item, re.S).group(1)  # type: ignore[union-attr]
    assert 'width="640" height="320"' in img and 'fetchpriority="high"' in img and "loading=" not in img


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from core.images import ImageError, store_image
data = Path(sys.argv[1]).read_bytes()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
try:
    store_image(data, Path(sys.argv[2]))
except ImageError as exc:
    print("ImageError:", exc)
"""


def test_no_room_on_the_disk_is_a_plain_refusal_and_leaves_no_half_written_files(tmp_path: Path) -> None:
    """A full disk (here: the kernel's file-size limit, in a child process)
    while a picture and its sizes are written: the form gets a sentence
    instead of a 500 (bench/soak.py's fault run), and no part stays behind."""
    import subprocess
    import sys

    picture = tmp_path / "bild.jpg"
    picture.write_bytes(jpeg(1600, 1200, "#8a2be2"))
    folder = tmp_path / "uploads"
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(picture), str(folder)], capture_output=True, text=True, cwd=root
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("ImageError: Bilden kunde inte sparas: servern saknar plats just nu."), done.stdout
    assert list(folder.iterdir()) == []
