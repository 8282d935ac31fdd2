"""What a person reads on the newsletter's pages (a new-user test's
findings, December 2026), on both databases:

- the admin's list of issues says how many subscribers a sent issue went
  to, with the noun in the number's form ("till 1 prenumerant", "till 8
  prenumeranter"; in English too), and a draft of the demo says "utkast"
  once, not in its title and again beside it;
- the subscribe form asks for the address in an e-mail field the browser
  can fill in, the frequency radios are a group named by a legend, and the
  form sent wrong still gets the site's own Swedish messages (the form has
  ``novalidate``, as every form of the project); the error summary links
  to the consent box with a short message, not the whole consent sentence.
"""

from __future__ import annotations

import re
from datetime import timedelta

from core.demo import load_demo
from core.models import Role
from plugins.nyhetsbrev.models import Issue, IssueState
from plugins.nyhetsbrev.views import CONSENT
from tests.conftest import add_user, text_of
from tests.nyhetsbrev.conftest import NOW


def _summary(html: str) -> str:
    found = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert found, "the page has no error summary"
    return found.group(1)


def _issue(title: str, recipients: int | None) -> Issue:
    return Issue(
        title=title,
        period_start=NOW - timedelta(days=30),
        period_end=NOW,
        items="[]",
        created_at=NOW,
        state=IssueState.SENT if recipients is not None else IssueState.DRAFT,
        sent_at=NOW if recipients is not None else None,
        recipients=recipients or 0,
    )


def test_the_admin_list_says_how_many_subscribers_a_sent_issue_went_to(letter_site, make_client):
    site = letter_site
    with site.session() as db:
        db.add(_issue("Nyhetsbrev januari", 8))
        db.add(_issue("Nyhetsbrev februari", 1))
        db.add(_issue("Nyhetsbrev mars", None))
        db.commit()
    add_user(site, "ada@test.example", Role.ADMIN)
    admin = make_client(site)
    admin.login("ada@test.example")

    page = text_of(admin.get("/nyhetsbrev/admin").text)
    assert "Nyhetsbrev januari – skickat 31 mars 2026 till 8 prenumeranter" in page, page
    assert re.search(r"Nyhetsbrev februari – skickat 31 mars 2026 till 1 prenumerant\b(?!er)", page), page
    assert "Nyhetsbrev mars – utkast ( förhandsgranska )" in page, page

    english = text_of(admin.get("/nyhetsbrev/admin?lang=en").text)
    assert "to 8 subscribers" in english and re.search(r"to 1 subscriber\b(?!s)", english), english


def test_a_draft_of_the_demo_says_utkast_once(letter_site, make_client):
    site = letter_site
    load_demo(site, echo=lambda _: None)
    add_user(site, "ada@test.example", Role.ADMIN)
    admin = make_client(site)
    admin.login("ada@test.example")

    html = admin.get("/nyhetsbrev/admin").text
    items = [text_of(li) for li in re.findall(r"<li><a href=\"/nyhetsbrev/admin/\d+\">.*?</li>", html, re.S)]
    drafts = [item for item in items if "förhandsgranska" in item]
    sent = [item for item in items if "skickat" in item]
    assert len(drafts) == 1 and len(sent) == 1, items
    assert drafts[0].lower().count("utkast") == 1, drafts
    assert sent[0].endswith("till 8 prenumeranter"), sent


def test_the_subscribe_form_asks_for_an_email_address_and_groups_the_frequency(letter_site, make_client):
    html = make_client(letter_site).get("/nyhetsbrev/prenumerera").text

    (email,) = re.findall(r"<input[^>]*\bid=\"email\"[^>]*>", html)
    assert 'type="email"' in email and 'autocomplete="email"' in email, email
    form = re.search(r"<form method=\"post\"[^>]*>", html)
    assert form and "novalidate" in form.group(0), "the site's own messages, not the browser's bubble"
    groups = re.findall(r"<fieldset[^>]*>\s*<legend>(.*?)</legend>(.*?)</fieldset>", html, re.S)
    radios = [(text_of(legend), body) for legend, body in groups if 'type="radio"' in body]
    assert len(radios) == 1, groups
    legend, body = radios[0]
    assert legend == "Hur ofta nyheter och evenemang kommer"
    assert re.findall(r'<label for="frequency-\d">([^<]+)</label>', body) == ["Veckovis (måndagar)", "Dagligen"]


def test_the_subscribe_form_sent_wrong_says_so_in_swedish_with_a_short_summary(letter_site, make_client):
    visitor = make_client(letter_site)
    sent = visitor.submit("/nyhetsbrev/prenumerera", {"email": "vera@"})
    assert sent.status_code == 400

    summary = _summary(sent.text)
    links = dict(re.findall(r'<a href="#([\w-]+)">(.*?)</a>', summary))
    assert links == {
        "email": "E-postadress: Skriv en giltig e-postadress, till exempel namn@exempel.se.",
        "consent": "Kryssa i rutan för att prenumerera.",
    }, links
    assert CONSENT not in text_of(summary)
    # The consent sentence is still the box's label, once, with the message beside it.
    page = text_of(sent.text)
    assert page.count(CONSENT) == 1 and page.count("Kryssa i rutan för att prenumerera.") == 2
    assert 'type="email"' in re.search(r"<input[^>]*\bid=\"email\"[^>]*>", sent.text).group(0)
