"""The header's layout on every demo site, anonymous and as the admin, at
desktop and phone widths (issue 17): what a person sees before any content.

- On a phone (375 × 740) the header, with its menu folded, takes at most a
  quarter of the screen's height.
- No part of the header (name, menu button, search field and button, each
  link of the account row and of the main menu) overlaps another or lies
  under a layer that takes its clicks, none
  reaches past the window's edge and the page does not scroll sideways (at
  desktop width too); on a phone also with the menu open.
- On a desktop the main menu starts in line with the logo and the content,
  and keeps to one line (staff's own links have a row of their own); no
  row of the menu holds a single link (a lone tool link, a visitor's "Mina
  lån", sits in the account row);
  the account and language links stay on one line, their text on one level
  (a "Logga ut" button is no lower than the links beside it).
- The header's search is a labelled field with a filled button.
- The phone menu opens and closes from its button, and without JavaScript
  (core sends none) the menu still opens on a phone and shows on a desktop.

And every text field, select and text area on every page the role walk
opens has the form component's look (border, corner, height).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from core.models import Role
from tests.browser.conftest import CHECKED, PHONE, VIEWPORTS, login
from tests.browser.server import REPO, LiveSite, demo_site_slugs
from tests.browser.test_axe import ROLES, pages_to_check

#: Pages whose header is measured: the front page and a search (the header's field filled in).
PAGES = ["/", "/sok?q=k%C3%B6r"]
MAX_PHONE_SHARE = 0.25

#: The header's parts as boxes, and what is wrong with them: overlaps, parts
#: past the window's edge, and on a desktop the alignment rules.
HEADER = """(desktop) => {
  const header = document.querySelector('header.site-header');
  const problems = [];
  if (!header) return {height: 0, problems: ['the page has no header.site-header']};
  const visible = el => el && el.checkVisibility() && el.getBoundingClientRect().width > 1
                        && el.getBoundingClientRect().height > 1;
  const name = el => {
    const text = (el.textContent || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
    return `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ').join('.') : ''}`
           + (text ? ` "${text.slice(0, 30)}"` : '');
  };
  const parts = [...header.querySelectorAll(
    '.site-name, .site-menu-toggle, .header-search input, .header-search button, .user-nav li, .main-nav li, '
    + '.tool-nav li'
  )].filter(visible);
  const boxes = parts.map(el => el.getBoundingClientRect());
  for (let i = 0; i < parts.length; i++) {
    const a = boxes[i];
    if (a.left < -1 || a.right > window.innerWidth + 1) {
      problems.push(`${name(parts[i])} reaches past the window (${Math.round(a.left)}-${Math.round(a.right)}px)`);
    }
    for (let j = i + 1; j < parts.length; j++) {
      const b = boxes[j];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) {
        problems.push(`${name(parts[i])} overlaps ${name(parts[j])} (${Math.round(w)}×${Math.round(h)}px)`);
      }
    }
  }
  // Each part takes a click where it is drawn: nothing (a band, a pseudo-element's layer) lies over it.
  for (const part of parts) {
    const r = part.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (y < 0 || y > window.innerHeight) continue;
    const hit = document.elementFromPoint(x, y);
    if (hit && !part.contains(hit) && !hit.contains(part)) {
      problems.push(`${name(part)} is covered by ${name(hit)} (a click lands there)`);
    } else if (hit && hit !== part && hit.contains(part)) {
      problems.push(`${name(part)} is covered by a layer of ${name(hit)} (a click lands there)`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px in ${window.innerWidth}px)`);
  }
  const input = header.querySelector('.header-search input');
  const button = header.querySelector('.header-search button');
  if (!input || !input.labels || !input.labels.length || !input.labels[0].textContent.trim()) {
    problems.push('the header search field has no label');
  }
  if (visible(input)) {
    const bg = getComputedStyle(button).backgroundColor;
    if (bg === 'transparent' || bg === 'rgba(0, 0, 0, 0)' || bg === getComputedStyle(header).backgroundColor) {
      problems.push(`the header search button is not filled (background ${bg})`);
    }
  }
  const textBox = el => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return range.getBoundingClientRect();
  };
  if (desktop) {
    const logo = header.querySelector('.site-name').getBoundingClientRect().left;
    const first = header.querySelector('.main-nav a');
    const heading = document.querySelector('main h1');
    if (first && Math.abs(textBox(first).left - logo) > 2) {
      problems.push(`the main menu starts at x=${Math.round(textBox(first).left)}, the logo at x=${Math.round(logo)}`);
    }
    if (heading && Math.abs(textBox(heading).left - logo) > 2) {
      problems.push(`the content starts at x=${Math.round(textBox(heading).left)}, the logo at x=${Math.round(logo)}`);
    }
    // The main menu keeps one line: staff's own links (NavItem.tool) stand in a row of their own.
    const menu = [...header.querySelectorAll('.main-nav li')].filter(visible);
    const menuTops = menu.map(li => li.getBoundingClientRect().top);
    if (menuTops.length && Math.max(...menuTops) - Math.min(...menuTops) > 1) {
      const lines = new Set(menuTops.map(Math.round)).size;
      problems.push(`the main menu wraps onto ${lines} lines: ` + menu.map(name).join(', '));
    }
    // No bar of the menu holds one link alone (a lone tool link joins the account row instead).
    for (const bar of header.querySelectorAll('.main-nav, .tool-nav')) {
      const lines = new Map();
      for (const li of [...bar.querySelectorAll('li')].filter(visible)) {
        const top = Math.round(li.getBoundingClientRect().top);
        lines.set(top, [...(lines.get(top) || []), li]);
      }
      for (const line of lines.values()) {
        if (line.length === 1) problems.push(`${name(line[0])} stands alone on a row of the menu`);
      }
    }
    const items = [...header.querySelectorAll('.user-nav li')].filter(visible);
    const texts = items.map(li => textBox(li.querySelector('a, button')));
    const tops = items.map(li => li.getBoundingClientRect().top);
    if (tops.length && Math.max(...tops) - Math.min(...tops) > 1) {
      problems.push('the account and language links wrap: ' + items.map(name).join(', '));
    }
    if (texts.length && Math.max(...texts.map(t => t.top)) - Math.min(...texts.map(t => t.top)) > 1) {
      problems.push('the account and language links are not on one level: ' +
                    items.map((li, i) => `${name(li)} at y=${texts[i].top.toFixed(1)}`).join(', '));
    }
  }
  return {height: header.getBoundingClientRect().height, problems};
}"""


def header_problems(page: Any, where: str, desktop: bool, max_height: float | None) -> list[str]:
    found = page.evaluate(HEADER, desktop)
    problems = [f"{where}: {p}" for p in found["problems"]]
    if max_height is not None and found["height"] > max_height:
        problems.append(f"{where}: the header is {found['height']:.0f}px tall, more than {max_height:.0f}px")
    return problems


def test_the_header_check_finds_what_it_looks_for(browser: Any) -> None:
    """A header made to fail: a menu item over the name, an account row on
    two levels, a search without a label and with a bare button."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    try:
        page.set_content(
            '<html lang="sv"><body><header class="site-header" style="background:#123">'
            '<a class="site-name" href="/" style="display:block;margin-left:100px;width:200px">Namn</a>'
            '<form class="header-search"><input><button style="background:transparent">Sök</button></form>'
            '<nav class="user-nav"><ul><li><a href="/a">Logga in</a></li>'
            '<li style="margin-top:3px"><a href="/b">English</a></li></ul></nav>'
            '<nav class="main-nav"><ul><li style="position:absolute;top:0;left:120px"><a href="/c">Meny</a></li>'
            '<li style="margin-left:300px"><a href="/d">Andra raden</a></li>'
            '</ul></nav><nav class="tool-nav"><ul><li><a href="/e">Ensam</a></li></ul></nav>'
            "</header><main><h1>Rubrik</h1></main></body></html>"
        )
        problems = page.evaluate(HEADER, True)["problems"]
        assert any("overlaps" in p and '"Namn"' in p and '"Meny"' in p for p in problems), problems
        assert "the header search field has no label" in problems, problems
        assert any(p.startswith("the header search button is not filled") for p in problems), problems
        assert any(p.startswith("the account and language links wrap") for p in problems), problems
        assert any(p.startswith("the main menu starts at") for p in problems), problems
        assert any(p.startswith("the main menu wraps onto 2 lines") for p in problems), problems
        assert any(p.startswith("the content starts at") for p in problems), problems
        assert any(p.endswith('"Ensam" stands alone on a row of the menu') for p in problems), problems
    finally:
        context.close()


@pytest.mark.parametrize("role", ["anonymous", "admin"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("slug", demo_site_slugs())
def test_the_header_fits_and_nothing_in_it_overlaps(
    browser: Any, demo_site: Callable[[str], LiveSite], slug: str, viewport: str, role: str
) -> None:
    live = demo_site(slug)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    phone = viewport == "phone"
    limit = PHONE["height"] * MAX_PHONE_SHARE if phone else None
    problems: list[str] = []
    try:
        if role == "admin":
            login(page, live, Role.ADMIN)
        for url in PAGES:
            page.goto(live.url + url)
            where = f"{url} ({slug}, {viewport}, {role})"
            problems += header_problems(page, where, desktop=not phone, max_height=limit)
            if phone:
                toggle = page.locator(".site-menu-toggle")
                toggle.click()
                if not page.locator(".main-nav a").first.is_visible():
                    problems.append(f"{where}: the menu button does not show the main menu")
                problems += header_problems(page, f"{where}, menu open", desktop=False, max_height=None)
                toggle.click()
                if page.locator(".main-nav a").first.is_visible():
                    problems.append(f"{where}: the menu button does not close the menu again")
    finally:
        context.close()
    CHECKED.append(f"header layout: {slug}, {viewport}, {role}: {len(PAGES)} pages")
    assert not problems, f"{len(problems)} header layout problems:\n" + "\n".join(problems)


#: The header's links, in rows by where they are drawn: [[text, ...], ...], top to bottom.
MENU_ROWS = """() => {
  const rows = new Map();
  for (const li of document.querySelectorAll('header .user-nav li, header .main-nav li, header .tool-nav li')) {
    const box = li.getBoundingClientRect();
    if (!li.checkVisibility() || box.width < 1 || box.height < 1) continue;
    const top = Math.round(box.top);
    rows.set(top, [...(rows.get(top) || []), li.textContent.trim()]);
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, texts]) => texts);
}"""


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_mina_lan_shares_a_row_of_the_menu_at_1280(browser: Any, mockeln: LiveSite, role: str) -> None:
    """At 1280 px "Mina lån" (Fritidsbanken's link for borrowers, a tool
    link everyone sees) was alone on a third bar under the main menu when it
    was a visitor's only tool: now no row of the header's links holds a
    single link, and the menu is two rows (the account row and the main
    menu) for a visitor, three for a signed-in editor with several tools."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        if role == "editor":
            login(page, mockeln, Role.EDITOR)
        page.goto(mockeln.url + "/")
        rows = page.evaluate(MENU_ROWS)
    finally:
        context.close()
    assert any("Mina lån" in row for row in rows), rows
    alone = [row for row in rows if len(row) == 1]
    assert not alone, f"alone on a row of the menu at 1280 px ({role}): {alone}; rows: {rows}"
    assert len(rows) == (2 if role == "anonymous" else 3), rows


def test_a_long_word_in_a_news_card_title_is_hyphenated_not_cut(page: Any, mockeln: LiveSite) -> None:
    """A narrow news card on the front page at 1280 px broke a long title word
    anywhere ("Styrelseutbildnin/g"): a card's title is hyphenated by the
    page's language (``hyphens: auto``, lang="sv"), and still breaks rather
    than overflows where the browser has no hyphenation for the language
    (Debian's Chromium has none: there it breaks as before)."""
    page.goto(mockeln.url + "/")
    titles = page.evaluate(
        """() => [...document.querySelectorAll('.front-news .card h3')].map(h => {
             const style = getComputedStyle(h);
             return {text: h.textContent.trim(), hyphens: style.hyphens, wrap: style.overflowWrap,
                     lang: h.closest('[lang]').lang};
           })"""
    )
    assert len(titles) == 3, titles
    for title in titles:
        assert title["hyphens"] == "auto" and title["wrap"] == "break-word" and title["lang"] == "sv", title


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_menu_works_without_javascript(browser: Any, demo_site: Callable[[str], LiveSite], viewport: str) -> None:
    live = demo_site("mockeln")
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live.url + "/")
        first = page.locator(".main-nav a").first
        if viewport == "phone":
            assert not first.is_visible(), "the phone menu is open before anyone opens it"
            page.locator(".site-menu-toggle").click()
        assert first.is_visible(), f"without JavaScript the main menu cannot be seen ({viewport})"
        assert page.locator(".header-search input").is_visible()
    finally:
        context.close()


#: Every visible text field, select and text area whose look differs from
#: core's form component, with what differs. The component's look is read
#: from a text field the design system styles, made on the page itself
#: (border, corner, least height); a field left to the browser's default
#: differs in all of them. (The font is a plugin's to choose: the counter's
#: box for scanned numbers is monospaced.)
FIELDS = """() => {
  const skip = ['hidden', 'checkbox', 'radio', 'submit', 'button', 'image', 'reset', 'range', 'color'];
  const main = document.querySelector('main');
  if (!main) return ['the page has no main'];
  const ref = document.createElement('input');
  ref.type = 'text';
  main.appendChild(ref);
  const want = getComputedStyle(ref);
  const look = {
    border: `${want.borderTopWidth} ${want.borderTopStyle}`, corner: want.borderTopLeftRadius,
    height: parseFloat(want.minHeight),
  };
  ref.remove();
  const problems = [];
  if (look.border !== '2px solid' || look.corner !== '4px' || look.height < 43.5) {
    problems.push(`the design system's text field itself is ${JSON.stringify(look)}`);
  }
  for (const el of main.querySelectorAll('input, select, textarea')) {
    if (el.tagName === 'INPUT' && skip.includes(el.type)) continue;
    if (!el.checkVisibility() || el.closest('.hp')) continue;
    const s = getComputedStyle(el);
    const wrong = [];
    const border = `${s.borderTopWidth} ${s.borderTopStyle}`;
    if (border !== look.border) wrong.push(`border ${border}`);
    if (s.borderTopLeftRadius !== look.corner) wrong.push(`corner ${s.borderTopLeftRadius}`);
    const height = el.getBoundingClientRect().height;
    if (height < look.height - 0.5) wrong.push(`height ${height}px`);
    if (wrong.length) problems.push(`${el.tagName.toLowerCase()}#${el.id || el.name}: ${wrong.join(', ')}`);
  }
  return problems;
}"""

#: A button beside a field in the same form (a one-row form: "Byt ställe"
#: beside its list) whose bottom edge is not level with the field's.
ROWS = """() => {
  const skip = ['hidden', 'checkbox', 'radio', 'submit', 'button', 'image', 'reset'];
  const problems = [];
  for (const form of document.querySelectorAll('main form')) {
    const fields = [...form.querySelectorAll('input, select, textarea')]
      .filter(el => !(el.tagName === 'INPUT' && skip.includes(el.type)) && el.checkVisibility());
    for (const button of form.querySelectorAll('button, input[type=submit]')) {
      // A visually hidden default submit (aria-hidden) is seen by no one.
      if (!button.checkVisibility() || button.getAttribute('aria-hidden') === 'true') continue;
      const b = button.getBoundingClientRect();
      for (const field of fields) {
        const f = field.getBoundingClientRect();
        const beside = f.right <= b.left + 1 || b.right <= f.left + 1;
        const overlap = Math.min(f.bottom, b.bottom) - Math.max(f.top, b.top);
        if (beside && overlap > 0 && Math.abs(f.bottom - b.bottom) > 1.5) {
          problems.push(`"${button.textContent.trim()}" sits ${Math.round(b.bottom - f.bottom)}px below `
                        + `the bottom of ${field.tagName.toLowerCase()}#${field.id || field.name}`);
        }
      }
    }
  }
  return problems;
}"""


def test_the_form_checks_find_what_they_look_for(browser: Any) -> None:
    """A field left to the browser's default and a button below the level of
    the field beside it, on a page with core's stylesheet."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    css = (REPO / "core" / "static" / "paraply.css").read_text(encoding="utf-8")
    try:
        page.set_content(
            f'<html lang="sv"><head><style>{css}</style></head><body><main>'
            '<form class="form search-form"><div class="field"><label for="a">A</label>'
            '<select id="a"><option>1</option></select></div><button>Byt</button></form>'
            '<form class="form form-row"><div class="field"><label for="b">B</label>'
            '<select id="b"><option>1</option></select></div><button>Byt</button></form>'
            '<p><input id="bare" style="all:revert"></p></main></body></html>'
        )
        fields = page.evaluate(FIELDS)
        rows = page.evaluate(ROWS)
        assert [p for p in fields if p.startswith("input#bare")], fields
        assert len(fields) == 1, fields
        assert len(rows) == 1 and "select#a" in rows[0], rows
    finally:
        context.close()


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("slug", demo_site_slugs())
def test_every_form_field_has_the_components_look(
    browser: Any, demo_site: Callable[[str], LiveSite], slug: str, role: str
) -> None:
    """Every text field, select and text area on every page the role walk
    opens looks like core's form component (a field left to the browser's
    default was 177 px wide beside a styled one), and a button beside a
    field is level with it ("Byt ställe" sat lower than its list)."""
    live = demo_site(slug)
    pages = sorted(pages_to_check(live, role))
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        if ROLES[role]:
            login(page, live, ROLES[role])
        for url in pages:
            page.goto(live.url + url)
            problems += [f"{url}: {p}" for p in page.evaluate(FIELDS)]
            problems += [f"{url}: {p}" for p in page.evaluate(ROWS)]
    finally:
        context.close()
    CHECKED.append(f"form fields: {slug}, {role}: {len(pages)} pages")
    assert not problems, f"{len(problems)} form fields without the component's look on {slug}:\n" + "\n".join(problems)


#: On a phone: table cells no one can reach (cut off, not in a box that
#: scrolls and takes focus), and map labels drawn smaller than 12 px.
REACH = """async () => {
  // Scroll timelines (the swipe hint below) take effect on an animation frame after layout.
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const problems = [];
  const width = document.documentElement.clientWidth;
  const scroller = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll'].includes(s.overflowX)) return p;
    }
    return null;
  };
  for (const table of document.querySelectorAll('main table')) {
    if (!table.checkVisibility()) continue;
    const box = scroller(table);
    const name = (table.caption ? table.caption.textContent : table.id || 'table').trim().slice(0, 40);
    if (box) {
      if (box.scrollWidth > box.clientWidth + 1 && box.tabIndex < 0) {
        problems.push(`table "${name}" scrolls in a box the keyboard cannot reach (no tabindex)`);
      }
      continue;
    }
    for (const cell of table.querySelectorAll('th, td')) {
      const r = cell.getBoundingClientRect();
      if (cell.checkVisibility() && r.width > 0 && (r.right > width + 1 || r.left < -1)) {
        problems.push(`table "${name}": a cell (${cell.textContent.trim().slice(0, 20)}) lies outside the screen`);
        break;
      }
    }
  }
  // The line "svep i sidled" above a table box shows exactly while the box scrolls (paraply.css: a
  // scroll-driven animation, no script).
  for (const wrap of document.querySelectorAll('main .table-scroll > .table-wrap')) {
    if (!wrap.checkVisibility()) continue;
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    const hint = getComputedStyle(wrap.parentElement, '::before');
    const shown = hint.visibility === 'visible' && parseFloat(hint.height) > 0;
    const name = (wrap.querySelector('caption') || wrap).textContent.trim().slice(0, 40);
    if (scrolls && !shown) problems.push(`the box of "${name}" scrolls, but the hint to swipe is not shown`);
    if (!scrolls && shown) problems.push(`the box of "${name}" does not scroll, but the hint to swipe is shown`);
  }
  // Charts (svg.chart) are drawn for a phone too (tests/browser/test_charts.py measures them closer).
  for (const text of document.querySelectorAll('main svg:not([aria-hidden=true]) text')) {
    if (!text.checkVisibility() || !text.textContent.trim()) continue;
    const ctm = text.getScreenCTM();
    const size = parseFloat(getComputedStyle(text).fontSize) * Math.hypot(ctm.a, ctm.b);
    if (size < 11.5) problems.push(`the label "${text.textContent.trim().slice(0, 20)}" is drawn ${size.toFixed(1)}px`);
  }
  return problems;
}"""


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("slug", demo_site_slugs())
def test_every_column_and_label_can_be_read_on_a_phone(
    browser: Any, demo_site: Callable[[str], LiveSite], slug: str, role: str
) -> None:
    """At 375 px: every column of every table is on screen or in a scroll box
    the keyboard reaches (admin tables showed only Namn and Kategori), and
    every label of a drawing (the park map, charts) is at least 11.5 px (the
    map's bed names were about 5 px)."""
    live = demo_site(slug)
    pages = sorted(pages_to_check(live, role))
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        if ROLES[role]:
            login(page, live, ROLES[role])
        for url in pages:
            page.goto(live.url + url)
            problems += [f"{url}: {p}" for p in page.evaluate(REACH)]
    finally:
        context.close()
    CHECKED.append(f"phone reach: {slug}, {role}: {len(pages)} pages")
    assert not problems, f"{len(problems)} things cannot be read on a phone on {slug}:\n" + "\n".join(problems)
