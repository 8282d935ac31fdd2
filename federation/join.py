"""Joining the network from the web (issue 19).

An admin enters a neighbour's address under Nätverket; the site reads the
neighbour's ``/.well-known/paraply`` with the runtime's guarded fetcher,
shows who it is, and on confirmation POSTs a signed join request
(``keys.sign``) to the neighbour's ``/-/federation/join``. The neighbour
checks it against the key the requester publishes (fetched from the address
in the request), its time and its nonce (``Nonce``), rate-limited per
address and per client (core's ``within_limit``, counted in the database so
every worker shares it), and stores it as a pending ``JoinRequest``. When the
neighbour's admin accepts, it adds the requester as a peer (``Peer.joined``)
and POSTs a signed acceptance to the requester's ``/-/federation/accepted``,
which adds the acceptor only if it had asked. Both runtimes then poll,
subscribe and backfill as for peers in site.toml.

A join request names a site and when it asked, nothing about a person, but
it is kept only while it is of use: the daily job (``forget_old_requests``)
deletes an answered request (accepted or declined, incoming or outgoing)
``ANSWERED_DAYS`` after its answer, and a pending one nobody answered
``PENDING_DAYS`` after it was made. An accepted neighbour stays a peer
(``Peer``); only the request goes.

Addresses on a loopback network are fetched only by a site that itself
runs on one (a demo or test on one machine); otherwise the fetcher's rules
(no private, loopback or link-local addresses) apply unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from anyio import from_thread
from sqlalchemy import and_, delete, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from core.api import (
    FetchError,
    Site,
    flash,
    http_url,
    read_form,
    require_admin,
    site_of,
    throttle_key,
    utcnow,
    within_limit,
)
from core.api import gettext as _
from federation import PROTOCOL, keys
from federation.models import JoinRequest, Nonce, Peer

JOIN_PATH = "/-/federation/join"
ACCEPTED_PATH = "/-/federation/accepted"
MAX_BODY = 8 * 1024
#: Signed requests (join, accept, leave) per sender address and per client
#: within ``RATE_WINDOW``, counted by core's rate limit as ``RATE_SCOPE``.
RATE_SCOPE = "federation-join"
RATE_LIMIT = 10
RATE_WINDOW = timedelta(minutes=10)
#: Days an answered join request is kept after its answer, and an unanswered one after it came.
ANSWERED_DAYS = 90
PENDING_DAYS = 180


@dataclass(frozen=True)
class Neighbour:
    url: str
    name: str
    key: dict[str, Any]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.key)


class JoinError(Exception):
    """Why a join step failed, in Swedish, with the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def fingerprint(key: dict[str, Any]) -> str:
    """The first 16 bytes of SHA-256 of the published key, in groups of four."""
    digest = hashlib.sha256(str(key.get("public", "")).encode()).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise(address: str) -> str:
    """A neighbour's base URL from what an admin typed, or ``""``."""
    text = address.strip()
    if text and "://" not in text:
        text = "https://" + text
    url = http_url(text) if text else ""
    if not url:
        return ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def allow_local(site: Site, url: str) -> None:
    """Let the runtime's fetcher reach ``url`` on loopback when this site
    itself runs on loopback (a demo or test); nothing changes otherwise."""
    from federation.runtime import Federation

    if _loopback(site.base_url) and _loopback(url):
        Federation.of(site).fetcher.allow(url)


async def discover(site: Site, url: str) -> Neighbour:
    """The neighbour at ``url`` as its discovery document says, or JoinError."""
    from federation.runtime import Federation

    allow_local(site, url)
    try:
        result = await Federation.of(site).fetcher.get(url + "/.well-known/paraply", accept="application/json")
        data = json.loads(result.body)
    except FetchError as exc:
        raise JoinError(_("Adressen kunde inte nås: %(error)s") % {"error": _(str(exc))}) from exc
    except ValueError as exc:
        raise JoinError(_("Adressen är inte en Paraply-sajt: den svarar inte med någon nätverksbeskrivning.")) from exc
    if not isinstance(data, dict) or data.get("protocol") != PROTOCOL:
        raise JoinError(_("Adressen är inte en Paraply-sajt: den svarar inte med någon nätverksbeskrivning."))
    if normalise(str(data.get("base_url") or "")) != url:
        raise JoinError(
            _("Sajten på adressen säger att den har en annan adress (%(other)s).")
            % {"other": str(data.get("base_url"))[:200]}
        )
    key = data.get("key")
    if not isinstance(key, dict) or key.get("type") != keys.ALGORITHM:
        raise JoinError(_("Adressen publicerar ingen nyckel för signerade förfrågningar."))
    name = str(data.get("name") or "").strip()[:200] or url
    return Neighbour(url, name, {"type": key["type"], "public": str(key.get("public", ""))[:100]})


# -- the admin's side ------------------------------------------------------------------------


def join_lookup(request: Request) -> Response:
    """Who is at the address the admin typed, with a button to send the request."""
    site = site_of(request)
    require_admin(request)
    typed = (request.query_params.get("adress") or "")[:500]
    url = normalise(typed)
    neighbour, error = None, ""
    if not typed.strip():
        return site.render(request, "federation/join.html", {"typed": "", "neighbour": None, "error": ""})
    if not url:
        error = _("Skriv grannens adress, till exempel https://förening.example.")
    elif url == site.base_url:
        error = _("Det är den här sajtens egen adress.")
    else:
        try:
            neighbour = from_thread.run(discover, site, url)
        except JoinError as exc:
            error = str(exc)
    return site.render(
        request,
        "federation/join.html",
        {"typed": typed, "neighbour": neighbour, "error": error},
        status_code=200 if neighbour else 400,
    )


async def _send(site: Site, neighbour: Neighbour, path: str, kind: str) -> None:
    from federation.runtime import Federation

    message = keys.sign(site, {"type": kind, "from": site.base_url, "name": site.name, "to": neighbour.url})
    try:
        result = await Federation.of(site).fetcher.request(
            "POST",
            neighbour.url + path,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            content=json.dumps(message, ensure_ascii=False).encode(),
            follow_redirects=False,
            any_status=True,
        )
    except FetchError as exc:
        raise JoinError(_("Grannen kunde inte nås: %(error)s") % {"error": _(str(exc))}) from exc
    if not 200 <= result.status < 300:
        try:
            said = str(json.loads(result.body).get("error", ""))[:300]
        except (ValueError, AttributeError):
            said = ""
        raise JoinError(_("Grannen tog inte emot förfrågan: %(error)s") % {"error": said or str(result.status)})


def join_send(request: Request) -> Response:
    """Send the signed join request to the neighbour the admin confirmed."""
    site = site_of(request)
    require_admin(request)
    form = read_form(request)
    url = normalise(str(form.get("adress") or "")[:500])
    try:
        if not url or url == site.base_url:
            raise JoinError(_("Skriv grannens adress, till exempel https://förening.example."))
        neighbour = from_thread.run(discover, site, url)
        from_thread.run(_send, site, neighbour, JOIN_PATH, "join")
    except JoinError as exc:
        return site.render(
            request, "federation/join.html", {"typed": url, "neighbour": None, "error": str(exc)}, status_code=400
        )
    with site.session() as db:
        asked = db.exec(
            select(JoinRequest).where(
                JoinRequest.url == url, JoinRequest.status == "pending", col(JoinRequest.outgoing).is_(True)
            )
        ).first()
        row = asked or JoinRequest(url=url, name=neighbour.name, outgoing=True)
        row.name, row.created_at = neighbour.name, utcnow()
        db.add(row)
    flash(
        request,
        _("Förfrågan är skickad till %(name)s. När deras administratör godtar den blir ni grannar.")
        % {"name": neighbour.name},
    )
    return RedirectResponse("/-/admin/natverket", status_code=303)


def add_peer(site: Site, url: str, name: str) -> None:
    """``url`` as a peer added from the web (unless site.toml has it), polled now."""
    from federation.runtime import Federation

    allow_local(site, url)
    if url not in {p.url for p in site.config.federation.peers}:
        with site.session() as db:
            row = db.exec(select(Peer).where(Peer.url == url)).first() or Peer(url=url, name=name)
            row.name, row.joined, row.external, row.next_attempt_at = name, True, False, utcnow()
            db.add(row)
    Federation.of(site).ensure_running()


def join_answer(request: Request) -> Response:
    """The admin accepts or declines a pending request."""
    site = site_of(request)
    require_admin(request)
    form = read_form(request)
    answer = str(form.get("svar") or "")
    if answer not in ("godta", "avboj"):
        raise HTTPException(400, _("Välj om förfrågan ska godtas eller avböjas."))
    with site.session() as db:
        row = db.get(JoinRequest, request.path_params["request_id"])
        if row is None or row.outgoing or row.status != "pending":
            raise HTTPException(404, _("Förfrågan finns inte eller är redan besvarad."))
        url, name = row.url, row.name
        row.status, row.answered_at = ("accepted" if answer == "godta" else "declined"), utcnow()
        db.add(row)
    if answer == "avboj":
        flash(request, _("Förfrågan från %(name)s är avböjd.") % {"name": name})
        return RedirectResponse("/-/admin/natverket", status_code=303)
    add_peer(site, url, name)
    try:
        neighbour = from_thread.run(discover, site, url)
        from_thread.run(_send, site, neighbour, ACCEPTED_PATH, "accept")
        flash(request, _("%(name)s är nu granne. Nyheterna börjar hämtas.") % {"name": name})
    except JoinError as exc:
        flash(
            request,
            _("%(name)s är nu granne här, men de kunde inte meddelas: %(error)s") % {"name": name, "error": str(exc)},
            "error",
        )
    return RedirectResponse("/-/admin/natverket", status_code=303)


def pending(site: Site) -> list[JoinRequest]:
    with site.session() as db:
        return list(
            db.exec(
                select(JoinRequest)
                .where(JoinRequest.status == "pending", col(JoinRequest.outgoing).is_(False))
                .order_by(col(JoinRequest.id))
            ).all()
        )


def forget_old_requests(site: Site, now: datetime) -> int:
    """Delete the join requests past their date (the daily job): answered
    ones ``ANSWERED_DAYS`` after the answer, pending ones ``PENDING_DAYS``
    after they were made. Returns how many went."""
    now = now.astimezone(UTC)
    answered = and_(
        col(JoinRequest.status) != "pending",
        func.coalesce(col(JoinRequest.answered_at), col(JoinRequest.created_at)) < now - timedelta(days=ANSWERED_DAYS),
    )
    unanswered = and_(
        col(JoinRequest.status) == "pending", col(JoinRequest.created_at) < now - timedelta(days=PENDING_DAYS)
    )
    with site.session() as db:
        result = db.exec(delete(JoinRequest).where(or_(answered, unanswered)))
    return int(getattr(result, "rowcount", 0) or 0)


def forget_job(site: Site, now: datetime) -> str:
    return _("Gamla grannförfrågningar borttagna: %(n)s") % {"n": forget_old_requests(site, now)}


# -- the machines' side ----------------------------------------------------------------------


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _remember(site: Site, nonce: str) -> bool:
    """Store ``nonce``; False if it was seen before (a replay)."""
    now = utcnow()
    with site.session() as db:
        db.exec(delete(Nonce).where(col(Nonce.expires_at) < now))
        db.commit()
        db.add(Nonce(value=nonce[:100], expires_at=now + keys.WINDOW * 2 + timedelta(minutes=1)))
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            return False
    return True


async def _verified(request: Request, kind: str) -> tuple[Site, dict[str, Any], Neighbour]:
    """A signed message of ``kind`` from a Paraply site, checked, or JoinError."""
    site = site_of(request)
    body = await request.body()
    if len(body) > MAX_BODY:
        raise JoinError(_("Förfrågan är för stor."), 413)
    try:
        message = json.loads(body)
    except ValueError as exc:
        raise JoinError(_("Förfrågan är inte giltig JSON.")) from exc
    if not isinstance(message, dict) or message.get("type") != kind:
        raise JoinError(_("Förfrågan har fel form."))
    sender = normalise(str(message.get("from") or "")[:500])
    client = throttle_key(request.client.host if request.client else "")
    counted = {"client": client, "from": sender}
    if not await asyncio.to_thread(within_limit, site, RATE_SCOPE, counted, RATE_LIMIT, RATE_WINDOW):
        raise JoinError(_("För många förfrågningar. Vänta en stund och försök igen."), 429)
    if not sender or sender == site.base_url:
        raise JoinError(_("Förfrågan saknar avsändarens adress."))
    if normalise(str(message.get("to") or "")) != site.base_url:
        raise JoinError(_("Förfrågan är ställd till en annan sajt."))
    neighbour = await discover(site, sender)
    problem = keys.check(message, neighbour.key)
    if problem:
        raise JoinError(problem, 403)
    if not await asyncio.to_thread(_remember, site, str(message.get("nonce"))):
        raise JoinError(_("Förfrågan har redan tagits emot en gång (samma engångsvärde) och tas inte emot igen."), 403)
    return site, message, neighbour


def _store_request(site: Site, neighbour: Neighbour) -> None:
    with site.session() as db:
        known = db.exec(
            select(JoinRequest).where(
                JoinRequest.url == neighbour.url,
                JoinRequest.status == "pending",
                col(JoinRequest.outgoing).is_(False),
            )
        ).first()
        row = known or JoinRequest(url=neighbour.url, name=neighbour.name)
        row.name = neighbour.name
        db.add(row)


async def join_endpoint(request: Request) -> Response:
    """``POST /-/federation/join``: a neighbour asks to join."""
    try:
        site, _message, neighbour = await _verified(request, "join")
    except JoinError as exc:
        return _error(str(exc), exc.status)
    await asyncio.to_thread(_store_request, site, neighbour)
    return JSONResponse({"ok": True, "message": _("Förfrågan är mottagen och väntar på administratörens svar.")}, 202)


def _take_acceptance(site: Site, neighbour: Neighbour) -> bool:
    with site.session() as db:
        asked = db.exec(
            select(JoinRequest).where(
                JoinRequest.url == neighbour.url,
                JoinRequest.status == "pending",
                col(JoinRequest.outgoing).is_(True),
            )
        ).first()
        if asked is None:
            return False
        asked.status, asked.answered_at, asked.name = "accepted", utcnow(), neighbour.name
        db.add(asked)
    add_peer(site, neighbour.url, neighbour.name)
    return True


async def _signed_notice(
    request: Request, kind: str, take: Callable[[Site, Neighbour], bool], refusal: str, status: int
) -> Response:
    """A verified notice of ``kind`` from a neighbour, taken by ``take``; when
    it does not fit what we know, ``refusal`` with ``status``."""
    try:
        site, _message, neighbour = await _verified(request, kind)
    except JoinError as exc:
        return _error(str(exc), exc.status)
    if not await asyncio.to_thread(take, site, neighbour):
        return _error(refusal, status)
    return JSONResponse({"ok": True}, 200)


async def accepted_endpoint(request: Request) -> Response:
    """``POST /-/federation/accepted``: a neighbour we asked has accepted."""
    return await _signed_notice(
        request, "accept", _take_acceptance, _("Den här sajten har inte bett att få gå med hos er."), 403
    )


# -- leaving -------------------------------------------------------------------------------------

LEAVE_PATH = "/-/federation/leave"


def remove_peer(site: Site, peer_id: int, delete_copies: bool) -> None:
    """Stop following a peer added from the web. With ``delete_copies`` its
    copies (entries, feed states, search documents) and its row go; without,
    they stay in the database, unshown, and come back if the sites join again."""
    from core.api import search_put
    from federation.models import Entry, FeedState

    with site.session() as db:
        peer = db.get(Peer, peer_id)
        if peer is None:
            return
        if not delete_copies:
            peer.joined = False
            db.add(peer)
            return
        kinds = set(db.exec(select(Entry.kind).where(Entry.peer_id == peer_id)).all())
        for kind in kinds:
            ids = db.exec(select(Entry.entry_id).where(Entry.peer_id == peer_id, Entry.kind == kind)).all()
            search_put(db, kind, dict.fromkeys(ids), origin=peer_id)
        db.exec(delete(Entry).where(col(Entry.peer_id) == peer_id))
        db.exec(delete(FeedState).where(col(FeedState.peer_id) == peer_id))
        db.delete(peer)


def leave(request: Request) -> Response:
    """The admin leaves a neighbour added from the web; the neighbour is told."""
    site = site_of(request)
    require_admin(request)
    form = read_form(request)
    copies = str(form.get("kopior") or "")
    if copies not in ("behall", "ta-bort"):
        raise HTTPException(400, _("Välj om grannens nyheter och föreningar ska behållas eller tas bort."))
    with site.session() as db:
        peer = db.get(Peer, request.path_params["peer_id"])
        if peer is None or not peer.joined or peer.id is None:
            raise HTTPException(404, _("Grannen finns inte bland dem som lagts till här."))
        peer_id, url, name = peer.id, peer.url, peer.name
    remove_peer(site, peer_id, copies == "ta-bort")
    try:
        from_thread.run(_send, site, Neighbour(url, name, {}), LEAVE_PATH, "leave")
        flash(request, _("Ni är inte längre grannar med %(name)s, och de har fått veta det.") % {"name": name})
    except JoinError as exc:
        flash(
            request,
            _("Ni är inte längre grannar med %(name)s, men de kunde inte meddelas: %(error)s")
            % {"name": name, "error": str(exc)},
            "error",
        )
    return RedirectResponse("/-/admin/natverket", status_code=303)


def _take_leave(site: Site, neighbour: Neighbour) -> bool:
    with site.session() as db:
        peer = db.exec(select(Peer).where(Peer.url == neighbour.url, col(Peer.joined).is_(True))).first()
        if peer is None:
            return False
        peer.joined = False  # its copies are kept, unshown, as when our admin chooses to keep them
        db.add(peer)
    return True


async def leave_endpoint(request: Request) -> Response:
    """``POST /-/federation/leave``: a neighbour stops federating with us."""
    return await _signed_notice(request, "leave", _take_leave, _("Sajten är inte granne här."), 404)
