"""What the plugin's views share: settings, lookups that 404, the checked
PDF documents of consultation answers."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session, SQLModel
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from core.api import Site
from core.api import gettext as _
from plugins.samverkan.settings import SamverkanSettings

T = TypeVar("T", bound=SQLModel)
PER_PAGE = 20
MAX_PDF_BYTES = 5 * 1024 * 1024


def settings_of(site: Site) -> SamverkanSettings:
    return site.plugin_settings("samverkan", SamverkanSettings)


def get_or_404(db: Session, model: type[T], row_id: int) -> T:
    row = db.get(model, row_id)
    if row is None:
        raise HTTPException(404)
    return row


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class DocumentError(ValueError):
    """An upload that is not a PDF we keep; the message is Swedish (a msgid)."""


def documents_dir(site: Site) -> Path:
    folder = site.uploads_dir / "samverkan"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_pdf(site: Site, upload: UploadFile) -> str:
    """Check and keep an uploaded PDF; returns its file name. Like core's
    image check it reads at most the limit, and trusts neither the name nor
    the content type: the bytes must start as a PDF and end with its trailer."""
    upload.file.seek(0)
    data = upload.file.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise DocumentError(_("Dokumentet är större än 5 MB. Förminska det och försök igen."))
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise DocumentError(_("Filen är inte en PDF. Spara dokumentet som PDF och försök igen."))
    name = f"remissvar-{secrets.token_hex(8)}.pdf"
    (documents_dir(site) / name).write_bytes(data)
    return name


def document_path(site: Site, name: str) -> Path | None:
    if not name or "/" in name or not name.endswith(".pdf"):
        return None
    path = documents_dir(site) / name
    return path if path.is_file() else None
