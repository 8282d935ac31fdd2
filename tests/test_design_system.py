"""Plugins use core's design system (core/static/paraply.css) instead of
redefining its components: a plugin's stylesheet keeps only what is its
own (a park map, charts, label sheets, print layouts).

A rule in a plugin's stylesheet redefines a component when its selector
names nothing of the plugin's own: only classes that core's stylesheet
defines (``.notice``, ``.tag-list li``) or only elements (``fieldset``,
``details``, ``input[type=file]``). A selector scoped by a class of the
plugin's own (``.lisa-filters .field``, ``.badge.status-on_loan``) adjusts
a component in one place and is fine. Print layouts (``@media print``,
``@page``) are each plugin's own. The living style page ``/-/stil`` shows
every component; docs/plugins.md ("The look") says which to use.

Nor does a plugin draw a component under a name of its own: a rule that
gives something rounded corners and a border or a background is a card, a
tag, a pill or a notice, which core has (``.card``, ``.tag-list``,
``.pill-list``, ``.key-figures``, ``.notice``). Rounded images are fine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import text_of

REPO = Path(__file__).resolve().parents[1]
CORE_CSS = REPO / "core" / "static" / "paraply.css"
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
#: Attribute selectors that say only what kind of element it is, not which one.
GENERIC_ATTRIBUTE = re.compile(r"\[(type|aria-current)(=[^\]]*)?\]")


def rules(css: str, skip_print: bool = True) -> Iterator[str]:
    """Every selector list in a stylesheet, @media blocks opened (print ones
    left out when asked), @page, @font-face and @keyframes left out."""
    for selectors, _body in rule_bodies(css, skip_print):
        yield selectors


def rule_bodies(css: str, skip_print: bool = True) -> Iterator[tuple[str, str]]:
    """Each rule's selector list and declarations, as ``rules`` finds them."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    pos = 0
    while pos < len(css):
        brace = css.find("{", pos)
        if brace < 0:
            return
        head = css[pos:brace].strip()
        depth, end = 1, brace + 1
        while depth and end < len(css):
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        body = css[brace + 1 : end - 1]
        if head.startswith("@media") or head.startswith("@supports"):
            if not (skip_print and "print" in head):
                yield from rule_bodies(body, skip_print)
        elif not head.startswith("@"):
            yield head, body
        pos = end


def core_classes() -> set[str]:
    return {
        name for selectors in rules(CORE_CSS.read_text(encoding="utf-8"), False) for name in CLASS.findall(selectors)
    }


def redefinitions(css: str, core: set[str]) -> list[str]:
    """The selectors in a plugin's stylesheet that name nothing of the plugin's own."""
    found = []
    for selectors in rules(css):
        for selector in (s.strip() for s in selectors.split(",")):
            own = [c for c in CLASS.findall(selector) if c not in core]
            specific = "#" in selector or re.search(r"\[", GENERIC_ATTRIBUTE.sub("", selector))
            if not own and not specific:
                found.append(selector)
    return found


#: Boxes a plugin may draw itself, and why they are no component of core's.
OWN_BOXES = {
    ".lisa-card": "the card LISA prints for a patient to take home: a thick frame, large type",
    ".park-plan": "the park's map (an SVG), framed",
    ".nyhetsbrev-mail": "the frame in which staff preview the newsletter's HTML e-mail, white as in a mail program",
}


def boxes(css: str) -> list[str]:
    """Selectors of rules that round the corners of something with a border
    or a background: a component's look under another name."""
    found = []
    for selectors, body in rule_bodies(css):
        properties = {d.split(":", 1)[0].strip() for d in body.split(";") if ":" in d}
        if "border-radius" in properties and any(
            p.startswith(("border", "background")) for p in properties - {"border-radius"}
        ):
            found += [s.strip() for s in selectors.split(",") if s.strip() not in OWN_BOXES]
    return found


def plugin_stylesheets() -> list[Path]:
    """Every plugin's stylesheets, federation's (a built-in plugin) too."""
    return sorted([*(REPO / "plugins").glob("*/static/**/*.css"), *(REPO / "federation").glob("static/**/*.css")])


def test_the_check_finds_what_it_looks_for() -> None:
    core = {"notice", "field", "badge", "tag-list", "button-group"}
    css = """
    /* a comment .notice{} */
    .notice{color:red} .tag-list li{margin:0} fieldset,legend{border:0} input[type=file]{padding:0}
    .lisa-filters .field{margin:0} .badge.status-on_loan{background:#fde7c8} textarea[name=numbers]{font-size:1.2rem}
    @media (max-width:40rem){details{margin:0}.park-plan{width:100%}}
    @media print{main{padding:0}} @page{size:A4}
    """
    assert redefinitions(css, core) == [
        ".notice",
        ".tag-list li",
        "fieldset",
        "legend",
        "input[type=file]",
        "details",
    ]


def test_the_box_check_finds_what_it_looks_for() -> None:
    css = """
    .my-card{border:1px solid #ccc;border-radius:6px;padding:1rem} .my-pill a{border-radius:2rem;background:#fff}
    .photo{border-radius:4px;max-width:100%} .strip{border-left:6px solid red;background:#eee}
    .lisa-card{border:3px solid #000;border-radius:8px} @media print{.print-box{border:1px solid;border-radius:2px}}
    """
    assert boxes(css) == [".my-card", ".my-pill a"]


def test_no_plugin_stylesheet_draws_a_component_of_its_own() -> None:
    found = {
        str(sheet.relative_to(REPO)): boxes(sheet.read_text(encoding="utf-8"))
        for sheet in plugin_stylesheets()
        if boxes(sheet.read_text(encoding="utf-8"))
    }
    assert not found, (
        "plugin stylesheets that draw a card, tag, pill or notice of their own; use core's (.card, .tag-list, "
        ".pill-list, .key-figures, .notice: /-/stil shows them) or, when it is truly the plugin's own, "
        f"list it in OWN_BOXES: {found}"
    )


def test_core_defines_the_components() -> None:
    core = core_classes()
    components = ("button-group", "card", "notice", "empty-state", "tag-list", "pager", "table-wrap", "field")
    for component in (*components, "pill-list", "key-figures"):
        assert component in core, f"core/static/paraply.css has no .{component}"


@pytest.mark.parametrize("stylesheet", plugin_stylesheets(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_plugin_stylesheet_redefines_a_component(stylesheet: Path) -> None:
    found = redefinitions(stylesheet.read_text(encoding="utf-8"), core_classes())
    assert not found, (
        f"{stylesheet.relative_to(REPO)} redefines core's components; use the macros and classes of the design "
        "system (docs/plugins.md, 'The look'; /-/stil shows them) or scope the rule by a class of the plugin's own:\n"
        + "\n".join(f"  {s}" for s in found)
    )


def test_no_template_lists_buttons_as_bullets() -> None:
    """Actions stand in a button group (macros/buttons.html), never as items of a bulleted list."""
    folders = [REPO / "core" / "templates", *sorted((REPO / "plugins").glob("*/templates"))]
    found = []
    for folder in folders:
        for template in sorted(folder.rglob("*.html")):
            html = template.read_text(encoding="utf-8")
            for ul in re.findall(r"<ul(?![^>]*\bclass=\"[^\"]*button-group)[^>]*>(.*?)</ul>", html, flags=re.S):
                items = re.findall(r"<li[^>]*>(.*?)</li>", ul, flags=re.S)
                if items and all(re.fullmatch(r'\s*<a class="button[^"]*"[^>]*>.*?</a>\s*', i, re.S) for i in items):
                    found.append(str(template.relative_to(REPO)))
    assert not found, "bulleted lists of buttons (use button_group from macros/buttons.html):\n" + "\n".join(found)


def test_the_style_page_is_for_admins_only(site, client, make_client, admin, editor) -> None:
    anonymous = client.get("/-/stil", follow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/konto/logga-in" in anonymous.headers["location"]
    as_editor = make_client(site)
    as_editor.login(editor.email)
    assert as_editor.get("/-/stil").status_code == 403
    client.login(admin.email)
    page = client.get("/-/stil")
    assert page.status_code == 200
    text = text_of(page.text)
    for heading in ("Knappar", "Formulär", "Kort", "Bilder", "Tabeller", "Taggar", "Meddelanden", "Sidnumrering"):
        assert heading in text
    assert "Tomt läge" in text
    # The picture example is the real markup: sizes drawn into the uploads folder, WebP first.
    assert '<source type="image/webp" srcset="/uploads/stil-exempel-0000000000000000.320.webp 320w' in page.text
    # The example form shows WTForms' Swedish messages beside their fields, linked for screen readers.
    assert "Det här fältet är obligatoriskt." in text and "Inte ett giltigt heltal" in text
    assert 'aria-describedby="exempel-name-hint exempel-name-error"' in page.text
    assert 'href="/-/stil"' in client.get("/-/admin").text


def test_every_plugin_with_a_stylesheet_is_checked_the_events_plugin_too() -> None:
    """The checks above read every stylesheet a plugin ships, so a new plugin (the events plugin was the
    last: its lists, month grid and programme print) is held to the components the day it arrives."""
    checked = {sheet.relative_to(REPO).parts[1] for sheet in plugin_stylesheets() if sheet.parts[-4] == "plugins"}
    shipping = {folder.parent.name for folder in (REPO / "plugins").glob("*/static") if any(folder.rglob("*.css"))}
    assert checked == shipping and "evenemang" in checked
    events = {sheet.name for sheet in plugin_stylesheets() if "evenemang" in sheet.parts}
    assert events == {"evenemang.css", "programme.css"}


def test_uploaded_pictures_are_drawn_by_the_picture_macro() -> None:
    """An uploaded picture (a logo, a news image, an event's picture, a thing to borrow) is shown with
    macros/images.html's picture: the sizes made on upload, WebP, width and height. A hand-written
    <img src="/uploads/..."> loads the full original and makes the page jump (the event page did)."""
    folders = [REPO / "core" / "templates", REPO / "federation" / "templates", *(REPO / "plugins").glob("*/templates")]
    found = [
        f"{template.relative_to(REPO)}: {match.group(0)[:60]}"
        for folder in folders
        for template in sorted(folder.rglob("*.html"))
        for match in re.finditer(r"<img\b[^>]*\bsrc=\"/uploads/", template.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)


def test_a_cards_title_hyphenates_a_long_word_in_the_served_stylesheet(site, client) -> None:
    """A narrow card (the front page's news, three across) broke a long title word anywhere
    ("Styrelseutbildnin/g"): the site's one stylesheet, as served, hyphenates card titles by the page's
    language (every page has lang="sv" or "en"), with overflow-wrap to break where a browser has no
    hyphenation for it."""
    page = client.get("/")
    assert re.search(r'<html lang="sv"', page.text)
    found = re.search(r'<link rel="stylesheet" href="([^"]+)">', page.text)
    assert found, "the page links the site's stylesheet"
    sheet = client.get(found.group(1)).text
    declarations = " ".join(
        body
        for selectors, body in rule_bodies(sheet)
        if {".card h2", ".card h3"} <= {s.strip() for s in selectors.split(",")}
    ).replace(" ", "")
    assert "hyphens:auto" in declarations and "overflow-wrap:break-word" in declarations, declarations
