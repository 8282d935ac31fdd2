"""Security headers on every response (issue 18, fault 6), set once in core
(core.security_headers): a strict Content-Security-Policy with no inline
script or style anywhere, nosniff, no framing, a Referrer-Policy that sends
nothing from pages whose address holds a secret, a Permissions-Policy, and
HSTS only over HTTPS as the visitor sees it (a trusted proxy's
``X-Forwarded-Proto``). And BREACH: the CSRF token in a gzipped page is
masked afresh in every response."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from core.app import form_targets
from core.csrf import csrf_cookie_name, unmask_token
from core.models import Role
from core.security_headers import content_security_policy
from tests.conftest import DEFAULT_WEBPORTAL, PASSWORD, add_user
from tests.test_throttle import served

REPO = Path(__file__).resolve().parent.parent
STRICT = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}


def directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


def assert_protected(response: httpx.Response, referrer: str = "strict-origin-when-cross-origin") -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    policy = directives(response.headers.get("content-security-policy", ""))
    for name, value in STRICT.items():
        assert policy.get(name) == value, f"{where}: {name} is {policy.get(name)!r}"
    assert policy["form-action"].startswith("'self'"), where
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("x-frame-options") == "DENY", where
    assert response.headers.get("referrer-policy") == referrer, where
    permissions = response.headers.get("permissions-policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions, where
    assert "strict-transport-security" not in response.headers, f"{where}: HSTS over plain http"


@pytest.fixture
def portal(make_site):
    site = make_site(plugins=["webportal", "odling", "evenemang"], plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    return site


def test_every_kind_of_response_carries_the_headers(portal, make_client):
    client = make_client(portal)
    page = client.get("/")
    assert page.status_code == 200
    assert_protected(page)
    css = re.search(r'href="(/static/-/site\.[^"]+\.css)"', page.text)
    assert css
    for path in (css.group(1), "/favicon.ico", "/-/federation/news.atom", "/.well-known/paraply", "/finns-inte"):
        assert_protected(client.get(path))
    assert_protected(client.head("/"))
    # An error page from the middleware in front of the routes: a refused form.
    refused = client.post("/konto/logga-in", data={"csrftoken": "fel", "email": "x", "password": "y"})
    assert refused.status_code == 403
    assert_protected(refused)
    # A page that needs signing in answers a redirect: it too.
    assert_protected(client.get("/-/admin", follow_redirects=False))


@pytest.mark.parametrize(
    "path",
    [
        "/konto/nytt-losenord/hemlig-nyckel",
        "/konto/inbjudan/hemlig-nyckel",
        "/konto/inloggningslank/hemlig-nyckel",
        "/evenemang/avboka/hemlig-nyckel",
        "/parken/mitt/hemlig-nyckel",
        "/konto/oidc/natverket/tillbaka?code=hemlig&state=hemlig",
    ],
)
def test_pages_whose_address_holds_a_secret_send_no_referrer(portal, make_client, path):
    response = make_client(portal).get(path, follow_redirects=False)
    assert response.status_code < 500
    assert_protected(response, referrer="no-referrer")


def test_form_action_lets_the_openid_flows_leave_for_the_configured_peers(make_site):
    site = make_site(plugins=[])
    assert form_targets(site) == []
    policy = directives(content_security_policy(["https://mockeln.example/", "https://login.example:8443/x?y=1"]))
    assert policy["form-action"] == "'self' https://login.example:8443 https://mockeln.example"
    assert directives(content_security_policy(["javascript:alert(1)", "http://[x]/"]))["form-action"] == "'self'"


def test_hsts_only_over_https_as_a_trusted_proxy_says(make_site):
    trusting = make_site(plugins=[], extra='[server]\ntrusted_proxies = ["127.0.0.1"]\n')
    with served(trusting) as base:
        plain = httpx.get(base + "/konto/logga-in")
        assert "strict-transport-security" not in plain.headers
        proxied = httpx.get(base + "/konto/logga-in", headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers["strict-transport-security"].startswith("max-age=31536000")
        assert_protected(plain)


def test_a_proxy_not_trusted_cannot_claim_https(make_site):
    site = make_site(plugins=[])
    with served(site) as base:
        claimed = httpx.get(base + "/konto/logga-in", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in claimed.headers


# -- no inline script or style --------------------------------------------------------

TEMPLATE_DIRS = [REPO / "core", REPO / "federation", REPO / "plugins"]
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["'{]""", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
EVENT_ATTRIBUTE = re.compile(r"""<[a-z][^>]*\son[a-z]+\s*=\s*["']""", re.I)


#: Templates of e-mail, not of pages: mail clients drop stylesheets, so an
#: HTML mail is styled inline (the CSP is a page's; a mail has no script).
MAIL_TEMPLATES = {"plugins/nyhetsbrev/templates/nyhetsbrev/digest.html"}


def test_no_template_holds_inline_style_or_script():
    offenders = []
    for root in TEMPLATE_DIRS:
        for path in [*root.rglob("*.html"), *root.rglob("*.svg"), *root.rglob("*.py")]:
            if "static" in path.parts and path.suffix == ".py":
                continue
            if path.name in ("screenshots.py", "testing.py"):  # a local index file; test helpers' patterns
                continue
            if str(path.relative_to(REPO)) in MAIL_TEMPLATES:
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in (STYLE_ATTRIBUTE, INLINE_SCRIPT, EVENT_ATTRIBUTE, re.compile(r"<style[\s>]", re.I)):
                for found in pattern.finditer(text):
                    offenders.append(f"{path.relative_to(REPO)}: {found.group(0)[:60]}")
    assert offenders == [], "\n".join(offenders)


def test_pages_as_served_have_no_inline_style_and_the_theme_is_a_stylesheet(portal, make_client):
    client = make_client(portal)
    client.login("admin@test.example")
    for path in ("/", "/parken/pollinatorer", "/evenemang", "/-/stil", "/-/admin"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert not STYLE_ATTRIBUTE.search(page.text), f"{path}: {STYLE_ATTRIBUTE.search(page.text)}"
        assert not INLINE_SCRIPT.search(page.text), path
        assert "<style" not in page.text, path
    page = client.get("/")
    href = portal.stylesheet.url()
    assert f'href="{href}"' in page.text
    theme = client.get(href)
    assert theme.status_code == 200 and theme.headers["content-type"].startswith("text/css")
    assert f"--primary:{portal.config.theme.primary}" in theme.text


def test_the_pollinator_legend_colours_are_the_charts_colours():
    from plugins.odling.observations import COLOURS

    css = (REPO / "plugins" / "odling" / "static" / "odling.css").read_text(encoding="utf-8")
    for group, colour in COLOURS.items():
        assert f".swatch-{group}{{background:{colour};border-color:{colour}}}" in css, group


# -- BREACH ----------------------------------------------------------------------------


def test_each_page_carries_a_fresh_masked_token_and_each_one_is_accepted(portal, make_client):
    client = make_client(portal)
    tokens = []
    for _ in range(2):
        page = client.get("/konto/logga-in", headers={"Accept-Encoding": "gzip"})
        tokens.append(re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1))
    cookie = client.cookies.get(csrf_cookie_name(portal.slug))
    assert tokens[0] != tokens[1], "the same token bytes in two responses"
    assert cookie not in tokens[0] and cookie not in tokens[1], "the cookie's token is in the page as it is"
    assert unmask_token(tokens[0]) == unmask_token(tokens[1]) == cookie
    for token in tokens:
        signed_in = make_client(portal)
        signed_in.cookies.set(csrf_cookie_name(portal.slug), cookie)
        answer = signed_in.post(
            "/konto/logga-in",
            data={"csrftoken": token, "email": "admin@test.example", "password": PASSWORD},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text[:300]


@pytest.mark.parametrize("token", ["~", "~!!!", "~AAAA", "~" + "A" * 3000, "%ff%fe"])
def test_a_broken_masked_token_is_refused_not_a_500(portal, make_client, token):
    client = make_client(portal)
    client.get("/konto/logga-in")
    answer = client.post(
        "/konto/logga-in",
        content=f"csrftoken={token}&email=a".encode() + b"\xff\xfe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 403
