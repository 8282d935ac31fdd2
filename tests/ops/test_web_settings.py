"""Administration → Inställningar (issue 19, core.web_settings): an admin
changes the site's name, contact and colours from the web; it shows at once,
is recorded with who and when, can be undone, and a colour that fails
contrast is refused in Swedish with nothing changed. Both databases."""

from __future__ import annotations

import io
import re
from datetime import UTC
from zoneinfo import ZoneInfo

from sqlmodel import select

from core.models import Role
from core.setting_changes import SettingChange
from core.site import Site
from core.web_settings import REFRESH_SECONDS
from tests.conftest import add_user, text_of

URL = "/-/admin/installningar"
FORM = {
    "name": "Storfors föreningsråd",
    "description": "Föreningslivet i Storfors på ett ställe.",
    "contact_email": "info@storfors.example",
    "locale": "sv",
    "timezone": "Europe/Stockholm",
    "logo_alt": "",
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


# -- language, time zone, logo (issue 19, second part) ------------------------------------


def _png(size: int = 48) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), "#7a1f5c").save(out, format="PNG")
    return out.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="18" fill="#1d4e89"/></svg>'
)


def test_language_and_time_zone_saved_from_the_web_show_at_once(site, make_client):
    client = admin_client(site, make_client)
    visitor = make_client(site)
    assert "Hoppa till innehållet" in text_of(visitor.get("/").text)
    saved = client.submit(URL, {**FORM, "locale": "en", "timezone": "America/New_York"})
    assert saved.status_code == 303
    assert "Skip to content" in text_of(visitor.get("/").text)  # the site's language is now English
    page = text_of(client.get(URL).text)
    assert "Settings" in page and "Language: (as in site.toml) → English" in page
    with site.session() as db:
        at = db.exec(select(SettingChange)).one().at
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    assert utc.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") in page  # the change's time, in New York
    assert utc.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%H:%M") not in page
    assert str(site.clock.zone) == "America/New_York"
    assert "Hoppa till innehållet" in text_of(visitor.get("/?lang=sv").text)  # a visitor's own choice still wins


def test_an_unknown_time_zone_is_refused_in_swedish_and_nothing_changes(site, make_client):
    client = admin_client(site, make_client)
    for zone in ("Europe/Karlstad", "../../etc/passwd"):
        refused = client.submit(URL, {**FORM, "timezone": zone})
        assert refused.status_code == 400
        page = text_of(refused.text)
        assert f"Tidszonen {zone} finns inte. Skriv den som världsdel/stad, till exempel Europe/Stockholm." in page
        assert f'value="{zone}"' in refused.text  # what was typed stays
    assert "Inga ändringar ännu" in text_of(client.get(URL).text)
    assert str(site.clock.zone) == "Europe/Stockholm"


def _logo_src(html: str) -> str:
    found = re.search(r'<a class="site-name" href="/">\s*<img src="([^"]+)" alt="([^"]*)"', html)
    assert found, "the header shows the logo as an image"
    return found.group(1) + "|" + found.group(2)


def _undo_links(client) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r'action="(/-/admin/installningar/\d+/angra)"', client.get(URL).text)


def test_a_logo_uploaded_from_the_web_is_served_with_its_alt_text_and_can_be_undone(site, make_client):
    client = admin_client(site, make_client)
    alt = "Storfors föreningsråd: ett paraply över tre hus"
    saved = client.submit(URL, {**FORM, "logo_alt": alt}, files={"logo": ("logo.png", _png(), "image/png")})
    assert saved.status_code == 303
    visitor = make_client(site)
    src, shown_alt = _logo_src(visitor.get("/").text).split("|")
    assert shown_alt == alt and src.startswith("/uploads/logotyp-")
    served = visitor.get(src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert "Logotyp: (som i site.toml) → " + src.removeprefix("/uploads/") in text_of(client.get(URL).text)

    drawn = client.submit(URL, {**FORM, "logo_alt": alt}, files={"logo": ("logo.svg", SVG, "image/svg+xml")})
    assert drawn.status_code == 303
    front = visitor.get("/").text
    assert f'<span role="img" aria-label="{alt}"><svg' in front and "<circle" in front  # a small SVG, drawn inline

    client.submit(_undo_links(client)[0])  # back to the PNG
    assert _logo_src(visitor.get("/").text).split("|")[0] == src


def test_a_bad_logo_is_refused_in_swedish_and_nothing_is_lost(site, make_client):
    client = admin_client(site, make_client)
    client.submit(URL, FORM, files={"logo": ("logo.png", _png(), "image/png")})
    before = _logo_src(client.get("/").text)
    script = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><circle r="4"/></svg>'
    refusals = [
        (("logo.png", b"inte en bild, bara text", "image/png"), "Filen kunde inte läsas som en bild."),
        (
            ("logo.png", _png() + b"\0" * (1025 * 1024), "image/png"),
            "Bilden är för stor. Största tillåtna storlek är 1024 kB.",
        ),
        (("logo.svg", script, "image/svg+xml"), "SVG-bilden innehåller annat än ritning"),
    ]
    for upload, message in refusals:
        refused = client.submit(URL, {**FORM, "name": "Nytt namn"}, files={"logo": upload})
        assert refused.status_code == 400
        assert message in text_of(refused.text)
        assert 'value="Nytt namn"' in refused.text  # what was typed stays
    assert _logo_src(client.get("/").text) == before
    assert "Storfors föreningsråd" in text_of(client.get("/").text)  # the name was not saved either
    assert len(_undo_links(client)) == 1


def test_the_colours_are_previewed_with_their_contrasts_before_anything_is_saved(site, make_client):
    client = admin_client(site, make_client)
    page = client.get(URL)
    assert "Vit text på huvudfärgen: kontrast" in text_of(page.text)
    shown = client.submit(URL, {**FORM, "primary": "#f2e705", "background": "#fffbe6", "forhandsgranska": "1"})
    assert shown.status_code == 200
    text = text_of(shown.text)
    assert "Förhandsvisning av det du skrivit. Ingenting är sparat ännu." in text
    assert "Vit text på huvudfärgen: kontrast 1,3:1 (för lite, minst 4,5:1 behövs)" in text
    assert "Texten på bakgrunden: kontrast" in text and "(räcker, minst 4,5:1)" in text
    picture = re.search(r'src="(/-/admin/installningar/forhandsvisning\.svg\?[^"]+)"', shown.text)
    assert picture and "primary=%23f2e705" in picture.group(1) and "background=%23fffbe6" in picture.group(1)
    svg = client.get(picture.group(1).replace("&amp;", "&"))
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert 'fill="#f2e705"' in svg.text and 'fill="#fffbe6"' in svg.text and "Testföreningarna testsite" in svg.text
    with site.session() as db:
        assert db.exec(select(SettingChange)).all() == [], "a preview saves nothing"
    assert "#f2e705" not in stylesheet(client)
    assert client.get("/-/admin/installningar/forhandsvisning.svg?primary=red").status_code == 400


def test_a_long_site_name_takes_two_lines_of_the_preview_and_no_more(site, make_client):
    client = admin_client(site, make_client)
    name = "Idrottsföreningarna i Karlskoga och Degerfors med omnejd"
    assert client.submit(URL, {**FORM, "name": name}).status_code == 303
    picture = re.search(r'src="(/-/admin/installningar/forhandsvisning\.svg\?[^"]+)"', client.get(URL).text)
    assert picture
    svg = client.get(picture.group(1).replace("&amp;", "&")).text
    assert re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg) == ["Idrottsföreningarna i", "Karlskoga och …"]
    assert 'width="360"' in svg and 'viewBox="0 0 240 222"' in svg  # drawn narrow, so its text is large on a phone
    assert min(int(size) for size in re.findall(r'font-size="(\d+)"', svg)) >= 14


def test_only_admins_see_the_colour_preview(site, make_client):
    add_user(site, "editor@test.example", Role.EDITOR, "Edit Redaktör")
    editor = make_client(site)
    editor.login("editor@test.example")
    query = "primary=%231d4e89&accent=%23f2b705&background=%23ffffff&text=%231a1a1a"
    assert editor.get(f"/-/admin/installningar/forhandsvisning.svg?{query}").status_code == 403
