"""Every mutating route, walked as four people: anonymous, the editor of
another association, the association's own editor and a site admin.

The table below names, for each POST route, the form a browser would send,
a probe that reads the database to tell whether the change happened, and the
outcome per role. The first test fails if a POST route exists that the table
does not cover, so a new route cannot ship without saying who may use it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import select
from starlette.routing import Mount, Route

from core import sessions, tokens
from core.accounts import create_invited_user, get_user_by_email, verify_password
from core.app import create_app
from core.models import AccountToken, LoginSession, Role, User
from core.search import index_text
from core.site import Site
from plugins.webportal.models import Association, AssociationEditor, Featured, News, Page, Status
from tests.conftest import DEFAULT_WEBPORTAL, PASSWORD, Client, add_user
from tests.webportal_fixtures import add_association

ROLES = ("anonymous", "other_editor", "editor", "admin")
EMAILS = {"other_editor": "annan@test.example", "editor": "egen@test.example", "admin": "admin@test.example"}
GUEST = "gast@test.example"  # an account nobody is logged in as, for the login case

# Outcomes: the change happens; the person is sent to log in; refused with 403;
# refused with a form error (400) because what they chose is not theirs.
OK, LOGIN, FORBIDDEN, REFUSED = "ok", "login", "forbidden", "refused"
#: Refused with 404: the thing named is not this person's (another's session).
NOT_FOUND = "not found"
ADMIN_ONLY = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": FORBIDDEN, "admin": OK}
OWN_EDITOR = {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": OK, "admin": OK}
LOGGED_IN = {"anonymous": LOGIN, "other_editor": OK, "editor": OK, "admin": OK}
ANYONE = dict.fromkeys(ROLES, OK)


@dataclass
class World:
    """What each case starts from: the editor's association ``own``, the other
    editor's ``theirs``, a pending application, a news item and a page."""

    site: Site
    own: int
    theirs: int
    pending: int
    news: int
    page: int
    editor: int
    #: The answer to the walk's POST, for probes of changes only the browser sees.
    response: httpx.Response | None = None


PHONE = "Mozilla/5.0 (Android 14) Gecko/120.0 Firefox/120.0"


def _guest(db) -> User:
    user = get_user_by_email(db, GUEST)
    assert user is not None
    return user


def build_world(site: Site) -> World:
    users = {
        role: add_user(site, email, Role.ADMIN if role == "admin" else Role.EDITOR) for role, email in EMAILS.items()
    }
    add_user(site, GUEST, Role.EDITOR, "Gustav Gäst")
    now = datetime.now(UTC)
    own = add_association(site, "Egna klubben", editor=users["editor"])
    theirs = add_association(site, "Andra klubben", editor=users["other_editor"])
    pending = add_association(site, "Nya klubben", status=Status.PENDING)
    with site.session() as db:
        news = News(
            title="Egna klubbens nyhet",
            summary="Kort.",
            body="Text.",
            association_id=own.id,
            author_id=users["editor"].id,
            published=True,
            published_at=now,
            updated_at=now,
            search_text=index_text("Egna klubbens nyhet"),
        )
        page = Page(slug="om-oss", title="Om oss", body="Vi är paraplyet.", in_nav=True)
        db.add(news)
        db.add(page)
        # Signed in on another browser (a phone), as people are.
        for person in [*users.values(), _guest(db)]:
            sessions.start(db, person, now, PHONE, "192.0.2.7")
        db.commit()
        return World(site, own.id, theirs.id, pending.id, news.id, page.id, users["editor"].id)


def get(world: World, model: type, key: int) -> object | None:
    with world.site.session() as db:
        return db.get(model, key)


def count(world: World, model: type) -> int:
    with world.site.session() as db:
        return len(db.exec(select(model)).all())


@dataclass
class Case:
    """One POST route: the form to send, a probe that says whether the change
    happened, and the expected outcome per role."""

    path: Callable[[World], str]
    form: Callable[[World], dict[str, str]]
    changed: Callable[[World, str, Client], bool]
    expect: dict[str, str]


def _password_changed(world: World, role: str, client: Client) -> bool:
    if role == "anonymous":
        return False
    with world.site.session() as db:
        user = get_user_by_email(db, EMAILS[role])
        assert user is not None
        return verify_password(user.password_hash, "ett-nytt-langt-losenord")


def _language_saved(world: World, role: str, client: Client) -> bool:
    if role == "anonymous":
        return False
    with world.site.session() as db:
        user = get_user_by_email(db, EMAILS[role])
        assert user is not None
        return user.locale == "en"


def _logged_in_name(client: Client) -> str | None:
    """The name the page header shows for whoever is logged in."""
    found = re.search(r'<li class="nav-user"><a href="/konto/losenord">([^<]+)</a>', client.get("/").text)
    return found.group(1) if found else None


def _peer_to_poll(world: World) -> int:
    """A federation peer in back-off, made on first use (the walk does not
    start the poller that would make it)."""
    from federation.models import Peer

    with world.site.session() as db:
        peer = db.exec(select(Peer)).first()
        if peer is None:
            peer = Peer(url="https://granne.example", name="Grannföreningarna", failures=3)
            db.add(peer)
            db.commit()
            db.refresh(peer)
        assert peer.id is not None
        return peer.id


def _peer_due_now(world: World, role: str, client: Client) -> bool:
    from federation.models import Peer

    with world.site.session() as db:
        peer = db.exec(select(Peer)).first()
        return peer is not None and peer.failures == 0


def _join_request(world: World) -> int:
    """A pending join request from a neighbour, made on first use."""
    from federation.models import JoinRequest

    with world.site.session() as db:
        row = db.exec(select(JoinRequest)).first()
        if row is None:
            row = JoinRequest(url="https://granne.example", name="Grannföreningarna")
            db.add(row)
            db.commit()
            db.refresh(row)
        assert row.id is not None
        return row.id


def _joined_peer(world: World) -> int:
    """A peer added from the web (federation.join), made on first use."""
    from federation.models import Peer

    with world.site.session() as db:
        peer = db.exec(select(Peer).where(Peer.url == "https://granne.invalid")).first()
        if peer is None:
            peer = Peer(url="https://granne.invalid", name="Webbgrannen", joined=True)
            db.add(peer)
            db.commit()
            db.refresh(peer)
        assert peer.id is not None
        world.joined_peer = peer.id  # type: ignore[attr-defined]
        return peer.id


def _joined_peer_gone(world: World) -> bool:
    """The peer ``_joined_peer`` made is no longer there (left, copies deleted)."""
    from federation.models import Peer

    made = getattr(world, "joined_peer", None)
    with world.site.session() as db:
        return made is not None and db.get(Peer, made) is None


def _join_requests(world: World, outgoing: bool = False, status: str = "") -> int:
    from federation.models import JoinRequest

    with world.site.session() as db:
        rows = db.exec(select(JoinRequest).where(JoinRequest.outgoing == outgoing)).all()
        return len([r for r in rows if not status or r.status == status])


def _user(world: World, email: str) -> User:
    with world.site.session() as db:
        user = get_user_by_email(db, email)
        assert user is not None
        return user


def _phone_session(world: World, email: str) -> int:
    """The account's session on its phone (made in ``build_world``)."""
    user = _user(world, email)
    with world.site.session() as db:
        row = db.exec(select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)).first()
        assert row is not None and row.id is not None
        return row.id


def _session_count(world: World, email: str) -> int:
    user = _user(world, email)
    with world.site.session() as db:
        return len(db.exec(select(LoginSession).where(LoginSession.user_id == user.id)).all())


def _link(world: World, email: str, purpose: tokens.Purpose) -> str:
    with world.site.session() as db:
        user = get_user_by_email(db, email)
        if user is None:
            user = create_invited_user(db, email, "Inbjuden Person")
        token = tokens.issue(db, user, purpose, world.site.clock.now())
        db.commit()
        return token


def _has_password(world: World, email: str, password: str) -> bool:
    with world.site.session() as db:
        user = get_user_by_email(db, email)
        return user is not None and verify_password(user.password_hash, password)


def _invited_user(world: World) -> int:
    """The id of an account invited and not yet accepted."""
    _link(world, INVITED, tokens.Purpose.INVITE)
    with world.site.session() as db:
        user = get_user_by_email(db, INVITED)
        assert user is not None and user.id is not None
        return user.id


def _tokens_for(world: World, email: str) -> int:
    with world.site.session() as db:
        user = get_user_by_email(db, email)
        if user is None:
            return 0
        return len(db.exec(select(AccountToken).where(AccountToken.user_id == user.id)).all())


def _site_name(world: World) -> str:
    from core.web_settings import refresh

    refresh(world.site)
    return world.site.name


def _plugins_chosen(world: World) -> str | None:
    """The plugins saved from the web for the site's next start."""
    from core.web_settings import PLUGINS_KEY, latest_overrides

    with world.site.session() as db:
        return latest_overrides(db).get(PLUGINS_KEY)


def _settings_undone(world: World) -> bool:
    """A change was saved and then undone (a second row, back to site.toml's name)."""
    from core.setting_changes import SettingChange

    with world.site.session() as db:
        count = len(db.exec(select(SettingChange)).all())
    return count >= 2 and _site_name(world) != "Namn att ångra"


def _settings_change(world: World) -> int:
    """A saved change of the site's name, for the undo route."""
    from core.web_settings import save

    with world.site.session() as db:
        admin = get_user_by_email(db, EMAILS["admin"])
        assert admin is not None
        change = save(world.site, db, admin, {"name": "Namn att ångra"})
    assert change.id is not None
    return change.id


def _muted(world: World, email: str) -> bool:
    from core.notices import muted_kinds

    with world.site.session() as db:
        return bool(muted_kinds(db, email))


def _notice_token(world: World, email: str) -> str:
    from core.notices import _recipient

    with world.site.session() as db:
        recipient = _recipient(db, email, world.site, create=True)
        assert recipient is not None
        token = recipient.token
        db.commit()
        return token


def _paused_address(world: World) -> int:
    from core.models import MailAddress

    with world.site.session() as db:
        row = MailAddress(address="pausad@test.example", failures=5, paused_at=world.site.clock.now())
        db.add(row)
        db.commit()
        assert row.id is not None
        return row.id


def _address_paused(world: World) -> bool:
    from core.models import MailAddress

    with world.site.session() as db:
        return db.exec(select(MailAddress).where(MailAddress.address == "pausad@test.example")).first() is not None


def _set_aside_message(world: World) -> int:
    from core.models import OutboxMessage

    now = world.site.clock.now()
    with world.site.session() as db:
        row = OutboxMessage(
            to_address="at-sidan@test.example", subject="Brev", body="Hej", language="sv", failed_at=now
        )
        db.add(row)
        db.commit()
        assert row.id is not None
        return row.id


def _message_set_aside(world: World) -> bool:
    from core.models import OutboxMessage

    with world.site.session() as db:
        row = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "at-sidan@test.example")).first()
        return row is not None and row.failed_at is not None


NEW_PASSWORD = {"new": "ett-nytt-langt-losenord", "repeat": "ett-nytt-langt-losenord"}
INVITED = "inbjuden@test.example"

CASES: dict[str, Case] = {
    # reach (issue 20): notification settings, one's own or by the mailed link; the outbox's admin page.
    "/konto/aviseringar": Case(
        lambda w: "/konto/aviseringar",
        lambda w: {},  # every kind unticked
        lambda w, role, client: role != "anonymous" and _muted(w, EMAILS[role]),
        LOGGED_IN,
    ),
    "/aviseringar/{token}": Case(
        lambda w: f"/aviseringar/{_notice_token(w, GUEST)}",
        lambda w: {},
        lambda w, role, client: _muted(w, GUEST),
        ANYONE,
    ),
    "/-/admin/e-post/adress/{address_id:id}/ateruppta": Case(
        lambda w: f"/-/admin/e-post/adress/{_paused_address(w)}/ateruppta",
        lambda w: {},
        lambda w, role, client: w.response is not None and not _address_paused(w),  # made by the path
        ADMIN_ONLY,
    ),
    "/-/admin/e-post/brev/{message_id:id}/skicka-igen": Case(
        lambda w: f"/-/admin/e-post/brev/{_set_aside_message(w)}/skicka-igen",
        lambda w: {},
        lambda w, role, client: w.response is not None and not _message_set_aside(w),
        ADMIN_ONLY,
    ),
    "/konto/logga-in": Case(
        lambda w: "/konto/logga-in",
        lambda w: {"email": GUEST, "password": PASSWORD},
        lambda w, role, client: _logged_in_name(client) == "Gustav Gäst",
        ANYONE,
    ),
    "/konto/logga-ut": Case(
        lambda w: "/konto/logga-ut",
        lambda w: {},
        # Anonymous has nobody to log out: the probe says "done" when nobody is logged in.
        lambda w, role, client: role == "anonymous" or _logged_in_name(client) is None,
        {"anonymous": OK, "other_editor": OK, "editor": OK, "admin": OK},
    ),
    "/konto/losenord": Case(
        lambda w: "/konto/losenord",
        lambda w: {"current": PASSWORD, "new": "ett-nytt-langt-losenord", "repeat": "ett-nytt-langt-losenord"},
        _password_changed,
        LOGGED_IN,
    ),
    "/konto/sprak": Case(
        lambda w: "/konto/sprak",
        lambda w: {"lang": "en"},
        _language_saved,
        LOGGED_IN,
    ),
    "/-/admin/anvandare/ny": Case(
        lambda w: "/-/admin/anvandare/ny",
        lambda w: {"name": "Ny Person", "email": "ny@test.example", "role": "editor"},
        lambda w, role, client: _user_exists(w, "ny@test.example"),
        ADMIN_ONLY,
    ),
    "/-/admin/anvandare/{user_id:id}": Case(
        lambda w: f"/-/admin/anvandare/{w.editor}",
        lambda w: {"name": "Nytt Namn", "email": EMAILS["editor"], "role": "admin", "is_active": "y"},
        lambda w, role, client: getattr(get(w, User, w.editor), "role", None) == Role.ADMIN,
        ADMIN_ONLY,
    ),
    "/foreningar/ansok": Case(
        lambda w: "/foreningar/ansok",
        lambda w: {
            "name": "Ansökande förening",
            "category": "Kultur",
            "municipality": "Degerfors",
            "short_description": "Vi sjunger.",
            "applicant_name": "Sara Sökande",
            "applicant_email": "sara@test.example",
            "consent": "y",
            "homepage": "",
        },
        lambda w, role, client: _association_named(w, "Ansökande förening") is not None,
        ANYONE,
    ),
    "/foreningar/{slug}/redigera": Case(
        lambda w: "/foreningar/egna-klubben/redigera",
        lambda w: {
            "name": "Egna klubben",
            "category": "Idrott",
            "municipality": "Karlskoga",
            "short_description": "Ändrad beskrivning.",
            "visibility": "public",
        },
        lambda w, role, client: getattr(get(w, Association, w.own), "short_description", "") == "Ändrad beskrivning.",
        OWN_EDITOR,
    ),
    "/nyheter/ny": Case(
        lambda w: "/nyheter/ny",
        lambda w: {
            "title": "Ny nyhet",
            "summary": "Kort.",
            "body": "Text.",
            "association": str(w.own),
            "published": "y",
        },
        lambda w, role, client: _news_titled(w, "Ny nyhet"),
        {"anonymous": LOGIN, "other_editor": REFUSED, "editor": OK, "admin": OK},
    ),
    "/nyheter/{news_id:id}/redigera": Case(
        lambda w: f"/nyheter/{w.news}/redigera",
        lambda w: {
            "title": "Ändrad nyhet",
            "summary": "Kort.",
            "body": "Text.",
            "association": str(w.own),
            "published": "y",
        },
        lambda w, role, client: getattr(get(w, News, w.news), "title", "") == "Ändrad nyhet",
        OWN_EDITOR,
    ),
    "/nyheter/{news_id:id}/ta-bort": Case(
        lambda w: f"/nyheter/{w.news}/ta-bort",
        lambda w: {"bekrafta": "ja"},
        lambda w, role, client: get(w, News, w.news) is None,
        OWN_EDITOR,
    ),
    "/admin/foreningar/ny": Case(
        lambda w: "/admin/foreningar/ny",
        lambda w: {
            "name": "Adminskapad förening",
            "category": "Socialt",
            "municipality": "Karlskoga",
            "short_description": "Skapad av kansliet.",
            "visibility": "public",
            "status": "approved",
        },
        lambda w, role, client: _association_named(w, "Adminskapad förening") is not None,
        ADMIN_ONLY,
    ),
    "/admin/foreningar/{association_id:id}/beslut": Case(
        lambda w: f"/admin/foreningar/{w.pending}/beslut",
        lambda w: {"beslut": "godkann"},
        lambda w, role, client: getattr(get(w, Association, w.pending), "status", None) == Status.APPROVED,
        ADMIN_ONLY,
    ),
    "/admin/foreningar/{association_id:id}/redaktorer": Case(
        lambda w: f"/admin/foreningar/{w.own}/redaktorer",
        lambda w: {"action": "add", "email": EMAILS["other_editor"]},
        lambda w, role, client: count(w, AssociationEditor) == 3,
        ADMIN_ONLY,
    ),
    "/admin/foreningar/{association_id:id}/ta-bort": Case(
        lambda w: f"/admin/foreningar/{w.own}/ta-bort",
        lambda w: {"bekrafta": "ja"},
        lambda w, role, client: get(w, Association, w.own) is None,
        ADMIN_ONLY,
    ),
    "/admin/sidor/ny": Case(
        lambda w: "/admin/sidor/ny",
        lambda w: {"title": "Kontakt", "slug": "kontakt", "body": "Ring oss.", "nav_order": "10"},
        lambda w, role, client: _page_slugged(w, "kontakt"),
        ADMIN_ONLY,
    ),
    "/admin/sidor/{page_id:id}": Case(
        lambda w: f"/admin/sidor/{w.page}",
        lambda w: {"title": "Om paraplyet", "slug": "om-oss", "body": "Ny text.", "in_nav": "y", "nav_order": "10"},
        lambda w, role, client: getattr(get(w, Page, w.page), "title", "") == "Om paraplyet",
        ADMIN_ONLY,
    ),
    "/admin/sidor/{page_id:id}/ta-bort": Case(
        lambda w: f"/admin/sidor/{w.page}/ta-bort",
        lambda w: {"bekrafta": "ja"},
        lambda w, role, client: get(w, Page, w.page) is None,
        ADMIN_ONLY,
    ),
    "/admin/manadens-forening": Case(
        lambda w: "/admin/manadens-forening",
        lambda w: {"month": "2026-12", "association_id": str(w.own), "motivation": "Flitiga."},
        lambda w, role, client: count(w, Featured) == 1,
        ADMIN_ONLY,
    ),
    # accounts (issue 13): sessions, e-mailed links, own data
    "/konto/inloggningar/andra/avsluta": Case(
        lambda w: "/konto/inloggningar/andra/avsluta",
        lambda w: {},
        # Ends one's own other sessions, nobody else's.
        lambda w, role, client: (
            role != "anonymous" and _session_count(w, EMAILS[role]) == 1 and _session_count(w, GUEST) == 1
        ),
        {"anonymous": LOGIN, "other_editor": OK, "editor": OK, "admin": OK},
    ),
    "/konto/inloggningar/{session_id:id}/avsluta": Case(
        lambda w: f"/konto/inloggningar/{_phone_session(w, EMAILS['editor'])}/avsluta",
        lambda w: {},
        lambda w, role, client: _session_count(w, EMAILS["editor"]) == (1 if role == "editor" else 0),
        {"anonymous": LOGIN, "other_editor": NOT_FOUND, "editor": OK, "admin": NOT_FOUND},
    ),
    # ops (issue 19): settings from the web (core.web_settings)
    "/-/admin/installningar": Case(
        lambda w: "/-/admin/installningar",
        lambda w: {
            "name": "Nytt namn från webben",
            "description": "",
            "contact_email": "",
            "locale": "sv",
            "timezone": "Europe/Stockholm",
            "primary": "#1d4e89",
            "accent": "#f2b705",
            "background": "#ffffff",
            "text": "#1a1a1a",
        },
        lambda w, role, client: _site_name(w) == "Nytt namn från webben",
        ADMIN_ONLY,
    ),
    "/-/admin/installningar/tillagg": Case(
        lambda w: "/-/admin/installningar/tillagg",
        lambda w: {"plugin": ["webportal", "nyhetsbrev"]},
        lambda w, role, client: _plugins_chosen(w) == "webportal,nyhetsbrev",
        ADMIN_ONLY,
    ),
    "/-/admin/installningar/{change_id:id}/angra": Case(
        lambda w: f"/-/admin/installningar/{_settings_change(w)}/angra",
        lambda w: {},
        lambda w, role, client: _settings_undone(w),
        ADMIN_ONLY,
    ),
    "/-/admin/anvandare/{user_id:id}/logga-ut": Case(
        lambda w: f"/-/admin/anvandare/{_user(w, GUEST).id}/logga-ut",
        lambda w: {},
        lambda w, role, client: _session_count(w, GUEST) == 0,
        ADMIN_ONLY,
    ),
    "/-/admin/anvandare/{user_id:id}/skicka-lank": Case(
        lambda w: f"/-/admin/anvandare/{_user(w, GUEST).id}/skicka-lank",
        lambda w: {},
        lambda w, role, client: _tokens_for(w, GUEST) == 1,
        ADMIN_ONLY,
    ),
    "/-/admin/anvandare/{user_id:id}/ta-bort": Case(
        lambda w: f"/-/admin/anvandare/{_user(w, GUEST).id}/ta-bort",
        lambda w: {"confirm": "y"},
        lambda w, role, client: not _user_exists(w, GUEST),
        ADMIN_ONLY,
    ),
    # An admin withdraws an invitation not yet accepted: the account goes.
    "/-/admin/anvandare/{user_id:id}/dra-tillbaka-inbjudan": Case(
        lambda w: f"/-/admin/anvandare/{_invited_user(w)}/dra-tillbaka-inbjudan",
        lambda w: {},
        # (before the request nobody is invited yet: the path makes the invitation)
        lambda w, role, client: w.response is not None and not _user_exists(w, INVITED),
        ADMIN_ONLY,
    ),
    "/konto/glomt-losenord": Case(
        lambda w: "/konto/glomt-losenord",
        lambda w: {"email": GUEST},
        lambda w, role, client: _tokens_for(w, GUEST) == 1,
        ANYONE,
    ),
    "/konto/nytt-losenord/{token}": Case(
        lambda w: f"/konto/nytt-losenord/{_link(w, GUEST, tokens.Purpose.RESET)}",
        lambda w: NEW_PASSWORD,
        lambda w, role, client: _has_password(w, GUEST, NEW_PASSWORD["new"]),
        ANYONE,
    ),
    "/konto/inbjudan/{token}": Case(
        lambda w: f"/konto/inbjudan/{_link(w, INVITED, tokens.Purpose.INVITE)}",
        lambda w: NEW_PASSWORD,
        lambda w, role, client: _has_password(w, INVITED, NEW_PASSWORD["new"]),
        ANYONE,
    ),
    "/konto/inloggningslank/{token}": Case(
        lambda w: f"/konto/inloggningslank/{_link(w, GUEST, tokens.Purpose.SIGN_IN)}",
        lambda w: {},
        lambda w, role, client: _logged_in_name(client) == "Gustav Gäst",
        ANYONE,
    ),
    "/konto/mina-uppgifter": Case(
        lambda w: "/konto/mina-uppgifter",
        lambda w: {"password": PASSWORD, "confirm": "y"},
        lambda w, role, client: role != "anonymous" and not _user_exists(w, EMAILS[role]),
        # The site's only admin may not delete the account: someone must run the site.
        {"anonymous": LOGIN, "other_editor": OK, "editor": OK, "admin": REFUSED},
    ),
    "/-/admin/natverket/{peer_id:id}/hamta": Case(
        lambda w: f"/-/admin/natverket/{_peer_to_poll(w)}/hamta",
        lambda w: {},
        _peer_due_now,
        ADMIN_ONLY,
    ),
    # issue 19: joining the network from the web. Sending needs a neighbour
    # that answers; here none does, so the admin gets the form back with why.
    "/-/admin/natverket/ga-med": Case(
        lambda w: "/-/admin/natverket/ga-med",
        lambda w: {"adress": "https://granne.invalid"},
        lambda w, role, client: _join_requests(w, outgoing=True) > 0,
        {"anonymous": LOGIN, "other_editor": FORBIDDEN, "editor": FORBIDDEN, "admin": REFUSED},
    ),
    "/-/admin/natverket/forfragan/{request_id:id}": Case(
        lambda w: f"/-/admin/natverket/forfragan/{_join_request(w)}",
        lambda w: {"svar": "avboj"},
        lambda w, role, client: _join_requests(w, status="declined") > 0,
        ADMIN_ONLY,
    ),
    "/-/admin/natverket/{peer_id:id}/lamna": Case(
        lambda w: f"/-/admin/natverket/{_joined_peer(w)}/lamna",
        lambda w: {"kopior": "ta-bort"},
        lambda w, role, client: _joined_peer_gone(w),
        ADMIN_ONLY,
    ),
    # oidc (issue 13): starting a sign-in changes only the visitor's own session.
    "/konto/oidc/{name}/start": Case(
        lambda w: _with_oidc(w, "/konto/oidc/walk/start"),
        lambda w: {"next": "/"},
        lambda w, role, client: _sent_to(w, WALK_ISSUER + "/auth?"),
        ANYONE,
    ),
    # Accepting an invitation with a provider: anyone holding the link is sent
    # to the provider (the link is spent only when they come back).
    "/konto/inbjudan/{token}/oidc/{name}": Case(
        lambda w: _with_oidc(w, f"/konto/inbjudan/{_link(w, INVITED, tokens.Purpose.INVITE)}/oidc/walk"),
        lambda w: {},
        lambda w, role, client: _sent_to(w, WALK_ISSUER + "/auth?"),
        ANYONE,
    ),
    # The network's provider: anyone signed in may let a registered peer sign them in.
    "/oidc/authorize": Case(
        lambda w: _with_oidc(w, "/oidc/authorize?" + _WALK_AUTHORIZE),
        lambda w: {"choice": "continue"},
        lambda w, role, client: _sent_to(w, "https://peer.example/cb?code=") and _codes(w) == 1,
        LOGGED_IN,
    ),
}

WALK_ISSUER = "https://id.walk.example"
_WALK_AUTHORIZE = urlencode(
    {
        "response_type": "code",
        "client_id": "walkpeer",
        "redirect_uri": "https://peer.example/cb",
        "scope": "openid email",
        "state": "s",
        "nonce": "n",
        "code_challenge": "c" * 43,
        "code_challenge_method": "S256",
    }
)


def _with_oidc(world: World, path: str) -> str:
    """The walk's site as an https site that trusts a provider (whose discovery
    is known, so no request leaves the test) and is a provider for one peer."""
    from core.oidc import client as oidc_client
    from core.oidc.settings import AuthSection

    site = world.site
    auth = AuthSection.model_validate(
        {
            "oidc": [{"name": "walk", "label": "Walk-ID", "issuer": WALK_ISSUER, "client_id": "testsite"}],
            "provider": {
                "enabled": True,
                "clients": [{"client_id": "walkpeer", "name": "Grannen", "redirect_uris": ["https://peer.example/cb"]}],
            },
        }
    )
    https = site.config.site.model_copy(update={"base_url": "https://testsite.example"})
    site.config = site.config.model_copy(update={"auth": auth, "site": https})
    os.environ["PARAPLY_OIDC_WALK_SECRET"] = "walk-secret"
    oidc_client._discovery[WALK_ISSUER] = (
        time.monotonic(),
        oidc_client.Discovery(
            WALK_ISSUER, WALK_ISSUER + "/auth", WALK_ISSUER + "/token", WALK_ISSUER + "/jwks", "", ("RS256",), True
        ),
    )
    return path


def _sent_to(world: World, prefix: str) -> bool:
    response = world.response
    return response is not None and response.headers.get("location", "").startswith(prefix)


def _codes(world: World) -> int:
    from core.oidc.models import OidcCode

    return count(world, OidcCode)


def _user_exists(world: World, email: str) -> bool:
    with world.site.session() as db:
        return get_user_by_email(db, email) is not None


def _association_named(world: World, name: str) -> Association | None:
    with world.site.session() as db:
        return db.exec(select(Association).where(Association.name == name)).first()


def _news_titled(world: World, title: str) -> bool:
    with world.site.session() as db:
        return db.exec(select(News).where(News.title == title)).first() is not None


def _page_slugged(world: World, slug: str) -> bool:
    with world.site.session() as db:
        return db.exec(select(Page).where(Page.slug == slug)).first() is not None


def post_routes(routes: list, prefix: str = "") -> Iterator[str]:
    """Every path template that takes POST, through every Mount."""
    for route in routes:
        if isinstance(route, Mount):
            yield from post_routes(route.routes or [], prefix + route.path)
        elif isinstance(route, Route) and "POST" in (route.methods or set()):
            yield prefix + route.path


def test_every_post_route_is_in_the_table(make_site):
    site = make_site(plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    app = create_app(site)
    found = set(post_routes(app.routes))
    assert found, "no POST routes found: the walk is broken"
    missing = found - set(CASES)
    assert not missing, f"POST routes with no permission case: {sorted(missing)}"
    assert set(CASES) <= found, f"cases for routes that no longer exist: {sorted(set(CASES) - found)}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(CASES))
def test_mutating_route_as(route, role, make_site, make_client):
    case = CASES[route]
    site = make_site(plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    world = build_world(site)
    client = make_client(site)
    if role != "anonymous":
        client.login(EMAILS[role])
    if not (route == "/konto/logga-ut" and role == "anonymous"):
        assert not case.changed(world, role, client), f"{route} as {role}: the probe says done before the request"

    response = client.submit(case.path(world), case.form(world))
    world.response = response
    expected = case.expect[role]
    if expected == OK:
        assert response.status_code in (200, 303), f"{route} as {role}: {response.status_code} {response.text[:300]}"
        if response.status_code == 303:
            assert not response.headers["location"].startswith("/konto/logga-in")
        assert case.changed(world, role, client), (
            f"{route} as {role}: answered {response.status_code} but changed nothing"
        )
    else:
        if expected == LOGIN:
            assert response.status_code == 303
            assert response.headers["location"].startswith("/konto/logga-in?next=")
        elif expected == FORBIDDEN:
            assert response.status_code == 403
        elif expected == NOT_FOUND:
            assert response.status_code == 404
        else:
            assert response.status_code == 400
        assert not case.changed(world, role, client), f"{route} as {role} was refused but the change happened anyway"


def test_login_and_logout_change_who_is_logged_in(make_site, make_client):
    site = make_site(plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    build_world(site)
    client = make_client(site)
    assert client.get("/mina-foreningar", follow_redirects=False).status_code == 303
    client.login(EMAILS["editor"])
    mine = client.get("/mina-foreningar", follow_redirects=False)
    assert mine.status_code == 200 and "Egna klubben" in mine.text and "Andra klubben" not in mine.text
    client.submit("/konto/logga-ut")
    assert client.get("/mina-foreningar", follow_redirects=False).status_code == 303
