"""Notification settings (``core.notices``) and the outbox's state for admins.

``/aviseringar/<token>`` is the link in every notice: it opens that
recipient's settings without an account (an unknown token gets the same
kind of page, saying the link does not work). ``/konto/aviseringar`` is the
same for the signed-in person's own address. ``/-/admin/e-post`` shows the
outbox (waiting, sent, set aside, in doubt after a crash) and the paused
addresses, with the two things an admin may do about them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core import mail
from core.forms import read_form
from core.i18n import gettext as _
from core.models import MailAddress, OutboxMessage
from core.notices import muted_kinds, notice_kinds, recipient_by_token, set_muted
from core.paging import page_link, page_number, paged
from core.permissions import require_admin, require_user
from core.site import Site
from core.templating import flash

#: Rows per page on the admin page's lists.
PER_PAGE = 25


def _site(request: Request) -> Site:
    site: Site = request.app.state.site  # Starlette's app state is untyped
    return site


def _chosen(request: Request, site: Site) -> set[str]:
    """The kinds the posted form switches off: every known kind not ticked."""
    ticked = {str(v) for v in read_form(request).getlist("kind")}
    return {k.key for k in notice_kinds(site)} - ticked


def notice_settings(request: Request) -> Response:
    site = _site(request)
    token = request.path_params["token"]
    with site.session() as db:
        recipient = recipient_by_token(db, token)
        if recipient is None:
            return site.render(request, "accounts/notices.html", {"known": False}, status_code=404)
        if request.method == "POST":
            set_muted(site, db, recipient.address, _chosen(request, site))
            db.commit()
            flash(request, _("Dina val är sparade."))
            return RedirectResponse(request.url.path, status_code=303)
        muted = set(recipient.muted.split())
    return site.render(
        request, "accounts/notices.html", {"known": True, "kinds": notice_kinds(site), "muted": muted, "own": False}
    )


def my_notices(request: Request) -> Response:
    site = _site(request)
    user = require_user(request)
    with site.session() as db:
        if request.method == "POST":
            set_muted(site, db, user.email, _chosen(request, site))
            db.commit()
            flash(request, _("Dina val är sparade."))
            return RedirectResponse("/konto/aviseringar", status_code=303)
        muted = muted_kinds(db, user.email)
    return site.render(
        request, "accounts/notices.html", {"known": True, "kinds": notice_kinds(site), "muted": muted, "own": True}
    )


def outbox_state(request: Request) -> Response:
    site = _site(request)
    require_admin(request)
    now = site.clock.now()
    with site.session() as db:

        def count(*where: object) -> int:
            return int(db.exec(select(func.count()).select_from(OutboxMessage).where(*where)).one())  # type: ignore[arg-type]

        unsent = col(OutboxMessage.sent_at).is_(None)
        figures = {
            "waiting": count(
                unsent, col(OutboxMessage.failed_at).is_(None), col(OutboxMessage.claimed_until).is_(None)
            ),
            "sending": count(unsent, col(OutboxMessage.claimed_until) >= now),
            "sent_day": count(col(OutboxMessage.sent_at) >= now - timedelta(days=1)),
            "failed": count(
                unsent, col(OutboxMessage.failed_at).is_not(None), col(OutboxMessage.claimed_until).is_(None)
            ),
        }
        doubt = list(
            db.exec(
                select(OutboxMessage)
                .where(unsent, col(OutboxMessage.claimed_until) < now)
                .order_by(col(OutboxMessage.id))
                .limit(100)
            ).all()
        )
        set_aside = list(
            db.exec(
                select(OutboxMessage)
                .where(unsent, col(OutboxMessage.failed_at).is_not(None), col(OutboxMessage.claimed_until).is_(None))
                .order_by(col(OutboxMessage.id).desc())
                .limit(100)
            ).all()
        )
        addresses = list(
            db.exec(
                select(MailAddress).order_by(col(MailAddress.paused_at).desc(), col(MailAddress.failures).desc())
            ).all()
        )
    shown, page, pages = paged(addresses, page_number(request), PER_PAGE)
    return site.render(
        request,
        "admin/mail.html",
        {
            "figures": figures,
            "doubt": doubt,
            "set_aside": set_aside,
            "addresses": shown,
            "page": page,
            "pages": pages,
            "bounce_address": site.config.mail.bounce_address,
            "page_link": page_link("/-/admin/e-post", {}),
            "per_minute": site.config.mail.per_minute,
            "pause_after": mail.PAUSE_AFTER,
        },
    )


def resume(request: Request) -> Response:
    site = _site(request)
    require_admin(request)
    with site.session() as db:
        record = db.get(MailAddress, request.path_params["address_id"])
        address = record.address if record is not None else None
    if address is None:
        flash(request, _("Adressen finns inte längre i listan."), "error")
    else:
        moved = mail.resume_address(site, address)
        flash(
            request,
            _("%(address)s är återupptagen; %(n)s väntande brev skickas nu.") % {"address": address, "n": moved},
        )
    return RedirectResponse("/-/admin/e-post", status_code=303)


def send_again(request: Request) -> Response:
    site = _site(request)
    require_admin(request)
    if mail.send_again(site, request.path_params["message_id"]):
        flash(request, _("Brevet skickas igen."))
    else:
        flash(request, _("Brevet är redan skickat eller finns inte längre."), "error")
    return RedirectResponse("/-/admin/e-post", status_code=303)
