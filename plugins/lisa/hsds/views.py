"""Export downloads (open data, no personal data) and the admin's import form."""

from __future__ import annotations

import json

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import flash, ngettext, read_form, require_admin, url_for
from core.api import gettext as _
from plugins.lisa.directory import site_of
from plugins.lisa.hsds import exchange
from plugins.lisa.public import common


def export_json(request: Request) -> Response:
    site = site_of(request)
    with site.session() as session:
        document = exchange.export_document(site, session)
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="lisa-hsds.json"'},
    )


def export_csv(request: Request) -> Response:
    site = site_of(request)
    with site.session() as session:
        document = exchange.export_document(site, session)
    return Response(
        exchange.export_zip(document),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="lisa-hsds-csv.zip"'},
    )


def import_form(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    error = ""
    if request.method == "POST":
        form = read_form(request)
        upload = form.get("fil")
        if not isinstance(upload, UploadFile) or not upload.filename:
            error = _("Välj en fil att läsa in: HSDS-JSON eller en zip med CSV-filer.")
        else:
            data = upload.file.read()
            try:
                document = exchange.read_document(data, upload.filename)
                with site.session() as session:
                    result = exchange.import_document(site, session, document)
            except exchange.ImportError_ as exc:
                error = str(exc)
            else:
                message = _(
                    "Inläst: %(services)s tjänster, %(organisations)s nya organisationer, %(terms)s nya behov."
                ) % {
                    "services": result.services,
                    "organisations": result.organisations,
                    "terms": result.terms,
                }
                if result.skipped:
                    skipped = ngettext(
                        "Hoppade över %(count)s tjänst utan namn eller organisation.",
                        "Hoppade över %(count)s tjänster utan namn eller organisation.",
                        len(result.skipped),
                    )
                    message += " " + skipped % {"count": len(result.skipped)}
                flash(request, message)
                return RedirectResponse(url_for(site, "lisa:admin"), status_code=303)
    return site.render(
        request, "lisa/admin_import.html", {**common(site), "error": error}, status_code=400 if error else 200
    )
