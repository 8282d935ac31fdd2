"""Invitations and password reset by e-mail (issue 13, point 3), through
the real app, core's outbox and a real SMTP server, on both databases: the
link in the mail works once, not twice, not after expiry; the reset form
never tells whether an address has an account; each message is in its
recipient's language."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core.accounts import NO_PASSWORD, get_user_by_email, verify_password
from core.models import OutboxMessage, Role
from core.testing import smtp_settings
from core.tokens import LIFETIMES, Purpose
from tests.account_fixtures import link_in, wait_for_mail
from tests.conftest import PASSWORD, add_user, text_of

NEW = "ett-helt-nytt-losenord"
DEAD = "Länken har redan använts, är för gammal eller är inte hel. Inget har ändrats."


def _password_is(site, email: str, password: str) -> bool:
    with site.session() as db:
        user = get_user_by_email(db, email)
        return user is not None and verify_password(user.password_hash, password)


def _ask_for_reset(client, email: str):
    return client.submit("/konto/glomt-losenord", {"email": email})


def test_login_page_offers_a_forgotten_password_link(make_site, make_client):
    site = make_site(plugins=[])
    page = make_client(site).get("/konto/logga-in")
    assert '<a href="/konto/glomt-losenord">Glömt lösenord?</a>' in page.text
    assert make_client(site).get("/konto/glomt-losenord").status_code == 200


def test_reset_link_works_once_and_ends_other_sessions(make_site, make_client, smtp_inbox):
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "ada@test.example", name="Ada")
    phone = make_client(site)
    phone.login("ada@test.example")

    visitor = make_client(site)
    asked = _ask_for_reset(visitor, "ADA@test.example ")
    assert asked.status_code == 303
    assert "Om adressen hör till ett konto här har vi skickat en länk" in text_of(
        visitor.get(asked.headers["location"]).text
    )
    (mail,) = wait_for_mail(smtp_inbox)
    assert mail["To"] == "ada@test.example"
    assert mail["Subject"] == "Nytt lösenord till Testföreningarna testsite" and mail["Content-Language"] == "sv"
    link = link_in(mail, "/konto/nytt-losenord/")

    assert "Välj ett nytt lösenord för ada@test.example" in text_of(visitor.get(link).text)
    assert visitor.get(link).status_code == 200, "opening the link (a mail scanner) spends nothing"
    short = visitor.submit(link, {"new": "kort", "repeat": "kort"})
    assert short.status_code == 400 and "minst 10 tecken" in text_of(short.text)
    done = visitor.submit(link, {"new": NEW, "repeat": NEW})
    assert done.status_code == 303
    assert "Ditt nya lösenord är sparat och du är inloggad" in text_of(visitor.get("/").text)
    assert _password_is(site, "ada@test.example", NEW)
    assert phone.get("/konto/losenord", follow_redirects=False).status_code == 303, "other sessions ended"

    # Not twice: the page and the form both refuse, and nothing changes.
    assert visitor.get(link).status_code == 400
    replay = make_client(site).submit(link, {"new": "ett-tredje-losenord", "repeat": "ett-tredje-losenord"})
    assert replay.status_code == 400 and DEAD in text_of(replay.text)
    assert _password_is(site, "ada@test.example", NEW)


def test_reset_link_expires(make_site, make_client, smtp_inbox):
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "ada@test.example")
    site.clock.set(site.clock.now())
    client = make_client(site)
    _ask_for_reset(client, "ada@test.example")
    link = link_in(wait_for_mail(smtp_inbox)[0], "/konto/nytt-losenord/")
    site.clock.advance(LIFETIMES[Purpose.RESET] + timedelta(seconds=1))
    late = client.submit(link, {"new": NEW, "repeat": NEW})
    assert late.status_code == 400 and DEAD in text_of(late.text)
    assert _password_is(site, "ada@test.example", PASSWORD)


def test_reset_never_tells_whether_an_address_exists(make_site, make_client, smtp_inbox):
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "ada@test.example")
    known = _ask_for_reset(make_client(site), "ada@test.example")
    unknown = _ask_for_reset(make_client(site), "ingen@test.example")
    assert (known.status_code, known.headers["location"]) == (unknown.status_code, unknown.headers["location"])
    client = make_client(site)
    assert text_of(client.get(known.headers["location"]).text) == text_of(client.get(unknown.headers["location"]).text)
    wait_for_mail(smtp_inbox)
    with site.session() as db:
        assert [m.to_address for m in db.exec(select(OutboxMessage)).all()] == ["ada@test.example"]


def test_asking_again_and_again_sends_one_mail(make_site, make_client, smtp_inbox):
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "ada@test.example")
    for _ in range(4):
        _ask_for_reset(make_client(site), "ada@test.example")
    with site.session() as db:
        assert len(db.exec(select(OutboxMessage)).all()) == 1, "nobody can flood a person with reset mail"


def test_junk_links_get_a_clear_message(make_site, make_client):
    site = make_site(plugins=[])
    client = make_client(site)
    for path in ("/konto/nytt-losenord/x", "/konto/inbjudan/" + "a" * 5000, "/konto/inloggningslank/%00%ff"):
        page = client.get(path)
        assert page.status_code == 400 and DEAD in text_of(page.text), path
    assert client.submit("/konto/nytt-losenord/x", {"new": NEW, "repeat": NEW}).status_code == 400
    assert client.submit("/konto/glomt-losenord", {"email": "inte en adress"}).status_code == 400


def test_an_admin_invites_an_editor_who_chooses_their_own_password(make_site, make_client, smtp_inbox):
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    admin = make_client(site)
    admin.login("admin@test.example")
    form = admin.get("/-/admin/anvandare/ny")
    assert 'name="password"' not in form.text, "an admin no longer sets a password for someone else"
    created = admin.submit(
        "/-/admin/anvandare/ny", {"name": "Sara Sångare", "email": "sara@test.example", "role": "editor"}
    )
    assert created.status_code == 303
    assert "en inbjudan är skickad till sara@test.example" in text_of(admin.get("/-/admin/anvandare").text)
    with site.session() as db:
        sara = get_user_by_email(db, "sara@test.example")
        assert sara is not None and sara.password_hash == NO_PASSWORD
    refused = make_client(site).submit("/konto/logga-in", {"email": "sara@test.example", "password": NO_PASSWORD})
    assert refused.status_code == 400, "an invited account has no password anyone can use"

    (mail,) = wait_for_mail(smtp_inbox)
    assert mail["To"] == "sara@test.example" and "Du är inbjuden till" in mail["Subject"]
    assert "Ada Admin har skapat ett konto åt dig" in mail.get_content()
    link = link_in(mail, "/konto/inbjudan/")
    sara_browser = make_client(site)
    assert "Välkommen, Sara Sångare!" in text_of(sara_browser.get(link).text)
    assert sara_browser.submit(link, {"new": NEW, "repeat": NEW}).status_code == 303
    assert "Sara Sångare" in sara_browser.get("/konto/losenord").text
    assert _password_is(site, "sara@test.example", NEW)
    assert (
        make_client(site).submit(link, {"new": "ett-annat-losenord", "repeat": "ett-annat-losenord"}).status_code == 400
    )

    # An invitation not yet taken up can be sent again; the page says which it is.
    admin.submit("/-/admin/anvandare/ny", {"name": "Bo", "email": "bo@test.example", "role": "editor"})
    with site.session() as db:
        bo = get_user_by_email(db, "bo@test.example")
        assert bo is not None
    assert "Skicka inbjudan igen" in admin.get(f"/-/admin/anvandare/{bo.id}").text
    admin.submit(f"/-/admin/anvandare/{bo.id}/skicka-lank")
    wait_for_mail(smtp_inbox, 3)
    assert [m["To"] for m in smtp_inbox.messages] == ["sara@test.example", "bo@test.example", "bo@test.example"]


def test_an_expired_invitation_changes_nothing(make_site, make_client, smtp_inbox):
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "admin@test.example", Role.ADMIN)
    site.clock.set(site.clock.now())
    admin = make_client(site)
    admin.login("admin@test.example")
    admin.submit("/-/admin/anvandare/ny", {"name": "Sara", "email": "sara@test.example", "role": "editor"})
    link = link_in(wait_for_mail(smtp_inbox)[0], "/konto/inbjudan/")
    site.clock.advance(LIFETIMES[Purpose.INVITE] + timedelta(minutes=1))
    late = make_client(site).submit(link, {"new": NEW, "repeat": NEW})
    assert late.status_code == 400 and "Be webbplatsens administratör skicka en ny inbjudan" in text_of(late.text)
    assert not _password_is(site, "sara@test.example", NEW)


def test_mail_is_in_the_recipients_language(make_site, make_client, smtp_inbox):
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "ada@test.example")
    add_user(site, "emma@test.example", name="Emma")
    with site.session() as db:
        emma = get_user_by_email(db, "emma@test.example")
        assert emma is not None
        emma.locale = "en"
        db.add(emma)
        db.commit()
    # Asked from a page shown in English, for a Swedish reader, and the other way round.
    english_page = make_client(site)
    english_page.get("/konto/glomt-losenord?lang=en")
    _ask_for_reset(english_page, "ada@test.example")
    _ask_for_reset(make_client(site), "emma@test.example")
    swedish, english = sorted(wait_for_mail(smtp_inbox, 2), key=lambda m: m["To"])
    assert swedish["Content-Language"] == "sv" and swedish["Subject"].startswith("Nytt lösenord till")
    assert english["Content-Language"] == "en" and english["Subject"].startswith("New password for")
    assert "Choose a new password here" in english.get_content()


def test_the_applicant_hears_that_the_association_is_approved(make_site, make_client, smtp_inbox):
    """Found missing by the issue: approving an application sent no e-mail."""
    from tests.conftest import DEFAULT_WEBPORTAL

    site = make_site(plugin_settings={"webportal": DEFAULT_WEBPORTAL}, extra=smtp_settings(smtp_inbox.port))
    add_user(site, "admin@test.example", Role.ADMIN)
    make_client(site).submit(
        "/foreningar/ansok",
        {
            "name": "Degerfors Körsällskap",
            "category": "Kultur",
            "municipality": "Degerfors",
            "short_description": "Vi sjunger.",
            "applicant_name": "Sara Sångare",
            "applicant_email": "sara@test.example",
            "consent": "y",
        },
    )
    from plugins.webportal.models import Association

    with site.session() as db:
        choir = db.exec(select(Association)).one()
    admin = make_client(site)
    admin.login("admin@test.example")
    admin.get("/?lang=en")  # the admin reads the site in English; the applicant's mail is in the site's language
    assert admin.submit(f"/admin/foreningar/{choir.id}/beslut", {"beslut": "godkann"}).status_code == 303
    (mail,) = wait_for_mail(smtp_inbox)
    assert mail["To"] == "sara@test.example" and mail["Content-Language"] == "sv"
    assert mail["Subject"] == "Degerfors Körsällskap är godkänd av Testföreningarna testsite"
    assert "Hej Sara Sångare!" in mail.get_content()
    assert "http://testsite.example/foreningar/degerfors-korsallskap" in mail.get_content()
    # Deciding again sends nothing more (the applicant's address is erased once decided).
    admin.submit(f"/admin/foreningar/{choir.id}/beslut", {"beslut": "godkann"})
    with site.session() as db:
        assert len(db.exec(select(OutboxMessage)).all()) == 1


def _apply(site, make_client) -> int:
    """A member application from Sara Sångare, as the public form posts it; its id."""
    from plugins.webportal.models import Association

    make_client(site).submit(
        "/foreningar/ansok",
        {
            "name": "Degerfors Körsällskap",
            "category": "Kultur",
            "municipality": "Degerfors",
            "short_description": "Vi sjunger.",
            "applicant_name": "Sara Sångare",
            "applicant_email": "sara@test.example",
            "consent": "y",
        },
    )
    with site.session() as db:
        choir = db.exec(select(Association)).one()
    assert choir.id is not None
    return choir.id


def test_the_applicant_hears_that_the_application_is_declined(make_site, make_client, smtp_inbox):
    """Issue 20: declining sends the applicant a notice (``webportal.application``)
    before their details are erased; its footer link opens their settings."""
    from tests.conftest import DEFAULT_WEBPORTAL

    site = make_site(plugin_settings={"webportal": DEFAULT_WEBPORTAL}, extra=smtp_settings(smtp_inbox.port))
    add_user(site, "admin@test.example", Role.ADMIN)
    choir = _apply(site, make_client)
    admin = make_client(site)
    admin.login("admin@test.example")
    admin.get("/?lang=en")  # the admin's language is not the applicant's
    assert admin.submit(f"/admin/foreningar/{choir}/beslut", {"beslut": "avsla"}).status_code == 303
    (mail,) = wait_for_mail(smtp_inbox)
    assert mail["To"] == "sara@test.example" and mail["Content-Language"] == "sv"
    assert mail["Subject"] == "Om er ansökan till Testföreningarna testsite"
    body = mail.get_content()
    assert body.startswith("Hej Sara Sångare!")
    assert "Ansökan om medlemskap för Degerfors Körsällskap är tyvärr inte godkänd." in body
    assert "Era kontaktuppgifter från ansökan är nu raderade." in body
    assert "/foreningar/degerfors-korsallskap" not in body  # nothing to link to: it is not listed
    assert "(en medlemsansökan är godkänd eller avslagen)" in body
    settings = make_client(site).get(link_in(mail, "/aviseringar/"))
    assert settings.status_code == 200
    assert "Mejla mig när en medlemsansökan är godkänd eller avslagen" in text_of(settings.text)
    # Deciding again sends nothing more (the address is erased with the decline).
    admin.submit(f"/admin/foreningar/{choir}/beslut", {"beslut": "avsla"})
    with site.session() as db:
        assert len(db.exec(select(OutboxMessage)).all()) == 1


def test_a_person_hears_they_were_made_an_association_editor(make_site, make_client, smtp_inbox):
    """Issue 20: linking an account as editor sends it a notice
    (``webportal.editor``) in the account's language with the link to the
    association's edit page, which the person can then open."""
    from tests.conftest import DEFAULT_WEBPORTAL

    site = make_site(plugin_settings={"webportal": DEFAULT_WEBPORTAL}, extra=smtp_settings(smtp_inbox.port))
    add_user(site, "admin@test.example", Role.ADMIN)
    add_user(site, "ida@test.example", Role.EDITOR, name="Ida Inglis")
    add_user(site, "eva@test.example", Role.EDITOR, name="Eva Ek")
    with site.session() as db:
        ida = get_user_by_email(db, "ida@test.example")
        assert ida is not None
        ida.locale = "en"
        db.add(ida)
        db.commit()
    choir = _apply(site, make_client)
    admin = make_client(site)
    admin.login("admin@test.example")
    assert admin.submit(f"/admin/foreningar/{choir}/beslut", {"beslut": "godkann"}).status_code == 303
    wait_for_mail(smtp_inbox)  # the approval, to Sara
    for email in ("eva@test.example", "ida@test.example"):
        linked = admin.submit(f"/admin/foreningar/{choir}/redaktorer", {"action": "add", "email": email})
        assert linked.status_code == 303
    mails = wait_for_mail(smtp_inbox, 3)
    swedish = next(m for m in mails if m["To"] == "eva@test.example")
    assert swedish["Content-Language"] == "sv"
    assert swedish["Subject"] == "Du är redaktör för Degerfors Körsällskap"
    body = swedish.get_content().replace("\r\n", "\n")
    assert body.startswith("Hej Eva Ek!")
    assert "Du kan nu sköta sidan för Degerfors Körsällskap på Testföreningarna testsite." in body
    assert "http://testsite.example/foreningar/degerfors-korsallskap/redigera\n" in body
    assert "(jag blir redaktör för en förening)" in body
    english = next(m for m in mails if m["To"] == "ida@test.example")
    assert english["Content-Language"] == "en"
    assert english["Subject"] == "You are an editor of Degerfors Körsällskap"
    assert english.get_content().startswith("Hello Ida Inglis!")
    assert "Log in and edit it here:" in english.get_content()
    # The link works for the new editor once signed in.
    eva = make_client(site)
    eva.login("eva@test.example")
    assert eva.get(link_in(swedish, "/foreningar/degerfors-korsallskap/")).status_code == 200
    # Linking the same person again tells them nothing new.
    admin.submit(f"/admin/foreningar/{choir}/redaktorer", {"action": "add", "email": "eva@test.example"})
    with site.session() as db:
        assert len(db.exec(select(OutboxMessage)).all()) == 3


def test_a_link_spent_by_another_request_a_moment_ago_opens_nothing(make_site):
    """Two clicks at once: both requests find the link unused, only the
    first may spend it (the check and the write are apart)."""
    from core import tokens

    site = make_site(plugins=[])
    user = add_user(site, "eva@test.example", Role.EDITOR)
    now = site.clock.now()
    with site.session() as db:
        token = tokens.issue(db, user, Purpose.SIGN_IN, now)
        db.commit()
    with site.session() as first, site.session() as second:
        row_a = tokens.valid(first, token, Purpose.SIGN_IN, now)
        row_b = tokens.valid(second, token, Purpose.SIGN_IN, now)
        assert row_a is not None and row_b is not None
        assert tokens.use(first, row_a, now)
        first.commit()
        assert not tokens.use(second, row_b, now), "the second request must not spend it again"


def test_links_sent_to_an_old_address_open_nothing_after_it_changes(make_site, make_client, smtp_inbox):
    """An admin corrects an invited person's address: the invitation that
    went to the old (wrong) mailbox no longer sets the password."""
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    admin = make_client(site)
    admin.login("admin@test.example")
    admin.submit("/-/admin/anvandare/ny", {"name": "Sara", "email": "sara@fel.example", "role": "editor"})
    link = link_in(wait_for_mail(smtp_inbox)[0], "/konto/inbjudan/")
    with site.session() as db:
        sara = get_user_by_email(db, "sara@fel.example")
        assert sara is not None
    fixed = admin.submit(
        f"/-/admin/anvandare/{sara.id}",
        {"name": "Sara", "email": "sara@test.example", "role": "editor", "is_active": "y"},
    )
    assert fixed.status_code == 303, text_of(fixed.text)[:300]
    stranger = make_client(site)
    assert stranger.submit(link, {"new": NEW, "repeat": NEW}).status_code == 400
    assert not _password_is(site, "sara@test.example", NEW)


def test_a_new_password_spends_every_link_in_the_mailbox(make_site, make_client, smtp_inbox):
    """A reset link asked for, then the password changed another way: the
    link opens nothing (an invitation or sign-in link would not either)."""
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "eva@test.example", Role.EDITOR)
    _ask_for_reset(make_client(site), "eva@test.example")
    link = link_in(wait_for_mail(smtp_inbox)[0], "/konto/nytt-losenord/")
    eva = make_client(site)
    eva.login("eva@test.example")
    changed = eva.submit("/konto/losenord", {"current": PASSWORD, "new": NEW, "repeat": NEW})
    assert changed.status_code == 303, text_of(changed.text)[:300]
    other = "ett-helt-annat-losenord"
    assert make_client(site).submit(link, {"new": other, "repeat": other}).status_code == 400
    assert _password_is(site, "eva@test.example", NEW)


def _status_of(admin, name: str) -> str:
    """The status cell of ``name``'s row in the admin's user list."""
    import re

    page = admin.get("/-/admin/anvandare").text
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if f">{name}</a>" in r)
    return text_of(re.findall(r"<td>(.*?)</td>", row, re.S)[3])


def test_an_invitation_not_yet_accepted_shows_as_such_and_can_be_resent_or_withdrawn(
    make_site, make_client, smtp_inbox
):
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    admin = make_client(site)
    admin.login("admin@test.example")
    for name, email in (("Sara Sångare", "sara@test.example"), ("Bo Bas", "bo@test.example")):
        admin.submit("/-/admin/anvandare/ny", {"name": name, "email": email, "role": "editor"})
    sara_link, bo_link = (link_in(m, "/konto/inbjudan/") for m in wait_for_mail(smtp_inbox, 2))
    assert _status_of(admin, "Sara Sångare") == "Inbjuden (ej accepterad)"
    assert _status_of(admin, "Ada Admin") == "Aktivt"
    english = make_client(site)
    english.login("admin@test.example")
    english.get("/?lang=en")
    assert _status_of(english, "Sara Sångare") == "Invited (not accepted)"

    # Accepted: active.
    make_client(site).submit(sara_link, {"new": NEW, "repeat": NEW})
    assert _status_of(admin, "Sara Sångare") == "Aktivt"
    with site.session() as db:
        bo = get_user_by_email(db, "bo@test.example")
        sara = get_user_by_email(db, "sara@test.example")
        assert bo is not None and sara is not None
    page = admin.get(f"/-/admin/anvandare/{bo.id}")
    assert "Dra tillbaka inbjudan" in page.text and "Skicka inbjudan igen" in page.text
    assert "Dra tillbaka inbjudan" not in admin.get(f"/-/admin/anvandare/{sara.id}").text

    # Resent: a new mail, the status unchanged.
    assert admin.submit(f"/-/admin/anvandare/{bo.id}/skicka-lank").status_code == 303
    wait_for_mail(smtp_inbox, 3)
    assert _status_of(admin, "Bo Bas") == "Inbjuden (ej accepterad)"

    # Withdrawn: the account is gone, and the link in the mail opens nothing.
    withdrawn = admin.submit(f"/-/admin/anvandare/{bo.id}/dra-tillbaka-inbjudan")
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == "/-/admin/anvandare"
    listing = text_of(admin.get("/-/admin/anvandare").text)
    assert "Inbjudan till Bo Bas (bo@test.example) är tillbakadragen." in listing
    assert "bo@test.example" not in listing.split("är tillbakadragen.")[1]  # not in the list any more
    late = make_client(site).get(bo_link)
    assert late.status_code == 400 and DEAD in text_of(late.text)
    with site.session() as db:
        assert get_user_by_email(db, "bo@test.example") is None

    # An accepted invitation is not withdrawn: the account stays.
    refused = admin.submit(f"/-/admin/anvandare/{sara.id}/dra-tillbaka-inbjudan")
    assert refused.status_code == 303
    assert "har redan tagit emot inbjudan" in text_of(admin.get(refused.headers["location"]).text)
    with site.session() as db:
        assert get_user_by_email(db, "sara@test.example") is not None
    # Without CSRF nothing happens; an editor may not.
    sara_browser = make_client(site)
    sara_browser.login("sara@test.example", NEW)
    assert sara_browser.submit(f"/-/admin/anvandare/{sara.id}/dra-tillbaka-inbjudan").status_code == 403
