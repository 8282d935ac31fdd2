"""Server-side sessions (issue 13, point 1), through the real app on both
databases: a copied cookie stops working the moment its session ends, by
logout, password change, deactivation, an admin's "logga ut överallt" or
"Mina inloggningar"; keys rotate at login and at a role change; old rows
are deleted by the daily job."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core import sessions
from core.app import SESSION_COOKIE
from core.csrf import cookie_suffix
from core.daily import run_due
from core.hooks import clean_accounts
from core.models import LoginSession, Role
from core.proxies import network_of
from core.sessions import summarise_user_agent
from tests.conftest import PASSWORD, Client, add_user, text_of

FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0"
CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
)


def _cookie(site) -> str:
    return f"{SESSION_COOKIE}_{cookie_suffix(site.slug)}"


def _copy(client: Client, make_client, site) -> Client:
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = make_client(site)
    thief.cookies.set(_cookie(site), client.cookies[_cookie(site)])
    return thief


def _signed_in(client: Client) -> bool:
    return client.get("/konto/losenord", follow_redirects=False).status_code == 200


def test_a_copied_cookie_stops_working_at_logout(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    client = make_client(site)
    client.login("ada@test.example")
    thief = _copy(client, make_client, site)
    assert _signed_in(thief), "the copy works while the session lives (it is the same session)"
    client.submit("/konto/logga-ut")
    assert not _signed_in(client)
    assert not _signed_in(thief), "a cookie copied before logout must not sign anyone in afterwards"


def test_password_change_ends_every_other_session_and_keeps_this_one(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    laptop, phone = make_client(site), make_client(site)
    laptop.login("ada@test.example")
    phone.login("ada@test.example")
    changed = laptop.submit(
        "/konto/losenord", {"current": PASSWORD, "new": "ett-nytt-langt-losenord", "repeat": "ett-nytt-langt-losenord"}
    )
    assert changed.status_code == 303
    assert _signed_in(laptop)
    assert not _signed_in(phone)


def test_deactivation_and_log_out_everywhere_end_sessions_at_once(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    bo = add_user(site, "bo@test.example", Role.EDITOR, "Bo Redaktör")
    admin, bo_client = make_client(site), make_client(site)
    admin.login("admin@test.example")
    bo_client.login("bo@test.example")

    page = admin.get(f"/-/admin/anvandare/{bo.id}")
    assert "Kontot är inloggat på 1 ställe." in text_of(page.text)
    ended = admin.submit(f"/-/admin/anvandare/{bo.id}/logga-ut")
    assert ended.status_code == 303
    assert "Bo Redaktör är utloggad överallt (1 inloggningar)." in text_of(admin.get(ended.headers["location"]).text)
    assert not _signed_in(bo_client)

    bo_client.login("bo@test.example")
    assert _signed_in(bo_client)
    closed = admin.submit(
        f"/-/admin/anvandare/{bo.id}", {"name": "Bo Redaktör", "email": "bo@test.example", "role": "editor"}
    )
    assert closed.status_code == 303
    assert not _signed_in(bo_client), "a closed account's sessions end at once"


def test_my_sessions_lists_each_browser_and_ends_one(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example", name="Ada")
    laptop = Client(
        make_client(site).app,
        base_url=site.base_url,
        client=("203.0.113.77", 5000),
        headers={"User-Agent": CHROME_WINDOWS},
    )
    phone = Client(
        make_client(site).app,
        base_url=site.base_url,
        client=("2001:db8:aa:bb::5", 5000),
        headers={"User-Agent": FIREFOX_ANDROID},
    )
    laptop.login("ada@test.example")
    phone.login("ada@test.example")
    page = text_of(laptop.get("/konto/inloggningar").text)
    assert "Chrome på Windows Den här" in page
    assert "203.0.113.0/24" in page and "203.0.113.77" not in page
    assert "Firefox på Android" in page
    assert "2001:db8:aa::/48" in page and "2001:db8:aa:bb" not in page

    with site.session() as db:
        rows = db.exec(select(LoginSession).where(LoginSession.browser == "Firefox")).all()
    assert len(rows) == 1
    ended = laptop.submit(f"/konto/inloggningar/{rows[0].id}/avsluta")
    assert ended.status_code == 303
    assert not _signed_in(phone)
    assert _signed_in(laptop)
    assert "Firefox på Android" not in text_of(laptop.get("/konto/inloggningar").text)


def test_ending_someone_elses_session_is_not_found(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    add_user(site, "bo@test.example")
    ada, bo = make_client(site), make_client(site)
    ada.login("ada@test.example")
    bo.login("bo@test.example")
    with site.session() as db:
        bo_row = db.exec(select(LoginSession).where(LoginSession.user_id == 2)).one()
    assert ada.submit(f"/konto/inloggningar/{bo_row.id}/avsluta").status_code == 404
    assert ada.submit(f"/konto/inloggningar/{2**64}/avsluta").status_code == 404
    assert _signed_in(bo)


def test_the_key_rotates_at_login_and_at_a_role_change(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "admin@test.example", Role.ADMIN)
    bo = add_user(site, "bo@test.example")
    visitor = make_client(site)
    visitor.get("/konto/logga-in")
    before = visitor.cookies.get(_cookie(site))
    planted = _copy(visitor, make_client, site) if before else None
    visitor.login("bo@test.example")
    if planted is not None:
        assert not _signed_in(planted), "a cookie from before login (session fixation) signs nobody in"

    early_copy = _copy(visitor, make_client, site)
    admin = make_client(site)
    admin.login("admin@test.example")
    admin.submit(
        f"/-/admin/anvandare/{bo.id}", {"name": "Bo", "email": "bo@test.example", "role": "admin", "is_active": "y"}
    )
    assert visitor.get("/-/admin").status_code == 200, "the new role works at once"
    assert not _signed_in(early_copy), "the key from before the role change no longer works"


def test_last_seen_is_written_at_most_once_a_minute(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    start = site.clock.now()
    site.clock.set(start)
    client = make_client(site)
    client.login("ada@test.example")

    def last_seen():
        with site.session() as db:
            return db.exec(select(LoginSession)).one().last_seen_at

    site.clock.advance(timedelta(seconds=30))
    client.get("/konto/losenord")
    assert last_seen() == start
    site.clock.advance(timedelta(seconds=40))
    client.get("/konto/losenord")
    assert last_seen() == start + timedelta(seconds=70)


def test_an_unused_session_expires_and_the_daily_job_deletes_it(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    start = site.clock.now()
    site.clock.set(start)
    client = make_client(site)
    client.login("ada@test.example")
    site.clock.advance(sessions.LIFETIME + timedelta(minutes=1))
    assert not _signed_in(client)

    other = make_client(site)
    other.login("ada@test.example")
    site.clock.advance(sessions.LIFETIME + timedelta(minutes=1))
    summary = clean_accounts(site, site.clock.now())
    assert summary.startswith("2 utgångna inloggningar")
    with site.session() as db:
        assert db.exec(select(LoginSession)).all() == []
    # ... and the job is one of the site's daily jobs.
    runs = run_due(site, site.clock.now(), any_hour=True)
    assert "core-accounts" in {run.job for run in runs}


def test_user_agent_summary_and_network():
    assert summarise_user_agent(FIREFOX_ANDROID) == ("Firefox", "Android")
    assert summarise_user_agent(CHROME_WINDOWS) == ("Chrome", "Windows")
    edge = CHROME_WINDOWS + " Edg/120.0"
    assert summarise_user_agent(edge) == ("Edge", "Windows")
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1"
    assert summarise_user_agent(iphone) == ("Safari", "iPhone")
    assert summarise_user_agent("curl/8.0") == ("", "")
    assert network_of("192.0.2.200") == "192.0.2.0/24"
    assert network_of("2001:db8:1:2:3::4") == "2001:db8:1::/48"
    assert network_of("testclient") == "testclient"
