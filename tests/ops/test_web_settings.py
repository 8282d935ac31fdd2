"""Administration → Inställningar (issue 19, core.web_settings): an admin
changes the site's name, contact and colours from the web; it shows at once,
is recorded with who and when, can be undone, and a colour that fails
contrast is refused in Swedish with nothing changed. Both databases."""

from __future__ import annotations

import re

from core.models import Role
from core.site import Site
from core.web_settings import REFRESH_SECONDS
from tests.conftest import add_user, text_of

URL = "/-/admin/installningar"
FORM = {
    "name": "Storfors föreningsråd",
    "description": "Föreningslivet i Storfors på ett ställe.",
    "contact_email": "info@storfors.example",
    "primary": "#1d4e89",
    "accent": "#f2b705",
    "background": "#ffffff",
    "text": "#1a1a1a",
}


def admin_client(site: Site, make_client):  # type: ignore[no-untyped-def]
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    client = make_client(site)
    client.login("admin@test.example")
    return client


def stylesheet(client) -> str:  # type: ignore[no-untyped-def]
    href = re.search(r'href="(/static/-/site\.[0-9a-f]+\.css)"', client.get("/").text)
    assert href, "the page links the site's stylesheet"
    return str(client.get(href.group(1)).text)


def test_an_admin_changes_name_contact_and_colour_and_sees_it_at_once(site, make_client):
    client = admin_client(site, make_client)
    form = client.get(URL)
    assert form.status_code == 200
    assert 'value="Testföreningarna testsite"' in form.text  # today's settings, from site.toml
    saved = client.submit(URL, {**FORM, "primary": "#7a1f5c"})
    assert saved.status_code == 303 and saved.headers["location"] == URL
    assert "Inställningarna är sparade och gäller nu på hela webbplatsen." in text_of(client.get(URL).text)
    front = client.get("/")
    assert "Storfors föreningsråd" in text_of(front.text)
    assert "info@storfors.example" in text_of(front.text)
    assert "--primary:#7a1f5c" in stylesheet(client)
    page = text_of(client.get(URL).text)
    assert "Ada Admin" in page
    assert "Webbplatsens namn: Testföreningarna testsite" not in page  # before: as in site.toml
    assert "Webbplatsens namn: (som i site.toml) → Storfors föreningsråd" in page
    assert "Huvudfärg: (som i site.toml) → #7a1f5c" in page


def test_a_colour_that_fails_contrast_is_refused_and_nothing_changes(site, make_client):
    client = admin_client(site, make_client)
    refused = client.submit(URL, {**FORM, "primary": "#f2e705", "text": "#dddddd"})
    assert refused.status_code == 400
    page = text_of(refused.text)
    assert "Vit text på #f2e705 får kontrasten 1,3:1, men det behövs minst 4,5:1. Välj en mörkare färg." in page
    assert "Texten #dddddd på bakgrunden #ffffff får kontrasten 1,4:1" in page
    assert 'value="Storfors föreningsråd"' in refused.text  # what was typed stays
    bad = text_of(client.submit(URL, {**FORM, "background": "white", "name": ""}).text)
    assert "Skriv färgen som #rrggbb, till exempel #1d4e89." in bad
    assert "Skriv webbplatsens namn." in bad
    assert "Testföreningarna testsite" in text_of(client.get("/").text)
    assert "Inga ändringar ännu" in text_of(client.get(URL).text)


def test_undo_goes_back_to_before_the_change(site, make_client):
    client = admin_client(site, make_client)
    client.submit(URL, FORM)
    client.submit(URL, {**FORM, "name": "Storfors föreningar"})
    assert "Storfors föreningar" in text_of(client.get("/").text)
    page = client.get(URL).text
    newest = re.findall(r'action="(/-/admin/installningar/(\d+)/angra)"', page)[0]
    undone = client.submit(newest[0])
    assert undone.status_code == 303
    assert "Storfors föreningsråd" in text_of(client.get("/").text)
    first = re.findall(r'action="(/-/admin/installningar/(\d+)/angra)"', client.get(URL).text)[-1]
    client.submit(first[0])
    assert "Inställningarna är återställda" in text_of(client.get(URL).text)
    assert "Testföreningarna testsite" in text_of(client.get("/").text)  # all the way back to site.toml
    assert client.submit("/-/admin/installningar/999999/angra").status_code == 404


def test_only_admins_may_see_or_change_the_settings(site, make_client):
    add_user(site, "editor@test.example", Role.EDITOR, "Edit Redaktör")
    anonymous = make_client(site)
    assert anonymous.get(URL, follow_redirects=False).status_code == 303
    editor = make_client(site)
    editor.login("editor@test.example")
    assert editor.get(URL).status_code == 403
    assert editor.submit(URL, FORM).status_code == 403
    assert "Testföreningarna testsite" in text_of(editor.get("/").text)


def test_another_worker_picks_up_the_change(site, make_client, monkeypatch):
    """Two apps on one database, as two uvicorn workers are."""
    other = Site.load(site.folder, database_url=site.database_url, data_dir=site.data_dir)
    try:
        reader = make_client(other)
        assert "Testföreningarna testsite" in text_of(reader.get("/").text)
        admin_client(site, make_client).submit(URL, FORM)
        monkeypatch.setattr("core.web_settings.REFRESH_SECONDS", 0.0)
        assert REFRESH_SECONDS > 0
        assert "Storfors föreningsråd" in text_of(reader.get("/").text)
    finally:
        other.dispose()
