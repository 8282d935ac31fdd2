"""Reflow and text spacing on every page of every demo site the role walk opens.

WCAG 1.4.10 (reflow): at 400 % zoom a 1280 px wide window is 320 CSS px
wide, so at a 320 × 256 viewport no page may scroll sideways. A wide table
may scroll inside its own container, if that container can take keyboard
focus (so a keyboard user can scroll it too).

WCAG 1.4.12 (text spacing): with line height 1.5, paragraph spacing 2em,
letter spacing 0.12em and word spacing 0.16em forced on everything, no text
may be cut off: no element's text overflows a box that hides what overflows
or that has a fixed height.

The pages come from the role walk (``pages.py``): the public ones, and for
the admin and an association editor the pages beyond them, so each
plugin's pages are checked as soon as a demo site enables it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import CHECKED, login
from tests.browser.server import LiveSite, demo_site_slugs
from tests.browser.steps import log_in_with
from tests.browser.test_axe import ROLES, pages_to_check
from tests.browser.test_reach import extra_walks, role_templates

ZOOM_400 = {"width": 320, "height": 256}

#: Everything a page scrolls sideways, or each scroll container that does and
#: cannot take focus ("table-wrap" without tabindex). Visually hidden text
#: (1 px boxes) is left out.
REFLOW = """() => {
  const doc = document.documentElement;
  const problems = [];
  if (doc.scrollWidth > window.innerWidth) {
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width > 1 && r.right > window.innerWidth + 1) {
        let inside = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if (o === 'auto' || o === 'scroll' || o === 'hidden') { inside = true; break; }
        }
        if (!inside) wide.push(describe(el) + ` reaches ${Math.round(r.right)}px`);
      }
    }
    problems.push(`scrolls sideways: ${doc.scrollWidth}px wide in a ${window.innerWidth}px window` +
                  (wide.length ? '; widest: ' + wide.slice(-3).join(', ') : ''));
  }
  for (const el of document.body.querySelectorAll('*')) {
    const s = getComputedStyle(el);
    if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1
        && el.tabIndex < 0) {
      problems.push(`${describe(el)} scrolls sideways but cannot take keyboard focus (add tabindex="0")`);
    }
  }
  return problems;
  function describe(el) {
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
           (el.classList.length ? '.' + [...el.classList].join('.') : '');
  }
}"""

#: Every table box (``.table-wrap``, from ``scroll_table`` in macros/tables.html)
#: that cannot take keyboard focus or has no accessible name, whether or not
#: it overflows with the demo data: with longer names or a larger text size it
#: will, and a focusable box without a name is read as a bare "region". The
#: name is what ``aria-labelledby`` points at (or ``aria-label``); the focus
#: ring must show when the box is focused from the keyboard. A box inside a
#: closed ``<details>`` is checked with it open, as a user meets it.
REGIONS = """() => {
  const problems = [];
  document.querySelectorAll('.table-wrap').forEach((el, i) => {
    // A table behind "Visa som tabell" is checked the way a user meets it: with its <details> open.
    const opened = [];
    for (let d = el.closest('details:not([open])'); d; d = el.closest('details:not([open])')) {
      d.open = true;
      opened.push(d);
    }
    const what = `table box ${i + 1}` + (el.querySelector('caption') ?
      ` ("${el.querySelector('caption').textContent.trim().slice(0, 40)}")` : '');
    if (el.tabIndex < 0) problems.push(`${what} cannot take keyboard focus (add tabindex="0")`);
    if (el.getAttribute('role') !== 'region') problems.push(`${what} is not a region (role="region")`);
    const ids = (el.getAttribute('aria-labelledby') || '').split(' ').filter(Boolean);
    const missing = ids.filter(id => !document.getElementById(id));
    if (missing.length) problems.push(`${what} is labelled by missing id(s) ${missing.join(', ')}`);
    const name = ids.length ? ids.map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim()
                            : (el.getAttribute('aria-label') || '').trim();
    if (!name) problems.push(`${what} has no accessible name (aria-labelledby its caption)`);
    if (el.tabIndex >= 0) {
      el.focus();
      if (document.activeElement !== el) {
        problems.push(`${what} does not take focus`);
      } else if (el.matches(':focus-visible')) {
        const s = getComputedStyle(el);
        if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) {
          problems.push(`${what} shows no focus ring (outline ${s.outlineStyle} ${s.outlineWidth})`);
        }
      }
      el.blur();
    }
    opened.forEach(d => { d.open = false; });
  });
  return problems;
}"""

TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

#: Elements whose own text no longer fits after the spacing CSS: a box that
#: hides overflow, or one whose height is fixed (growing it would show more).
CLIPPED = """() => {
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!text) continue;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden') continue;
    if (el.clientWidth <= 1 || el.clientHeight <= 1 || s.clip !== 'auto' && s.position === 'absolute') continue;
    const tall = el.scrollHeight > el.clientHeight + 1;
    const wide = el.scrollWidth > el.clientWidth + 1;
    if (!tall && !wide) continue;
    const hides = ['hidden', 'clip'];
    let clipped = (tall && hides.includes(s.overflowY)) || (wide && hides.includes(s.overflowX));
    if (!clipped && tall && s.overflowY === 'visible') {
      const before = el.offsetHeight, inline = el.style.height;
      el.style.height = 'auto';
      clipped = el.offsetHeight > before + 1;
      el.style.height = inline;
    }
    if (clipped) {
      found.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') +
                 ` "${text.slice(0, 40)}"`);
    }
  }
  return found;
}"""


def test_the_checks_find_what_they_look_for(browser: Any) -> None:
    """A page made to fail: a wide box, a wide table in an unfocusable
    scroll container, and text in a fixed-height box that clips."""
    context = browser.new_context(viewport=ZOOM_400)
    page = context.new_page()
    try:
        table = '<table style="width:600px"><tr><td>tabell</td></tr></table>'
        page.set_content(
            '<html lang="sv"><body><div id="bred" style="width:500px">Bred</div>'
            f'<div class="table-wrap" style="overflow-x:auto">{table}</div>'
            f'<div class="ok" tabindex="0" style="overflow-x:auto">{table}</div>'
            '<p class="lag" style="height:1.2em;overflow:hidden">Två rader text som inte får plats i en smal ruta</p>'
            '<p class="fast" style="height:20px;width:200px">Text i en ruta med fast höjd, som radavståndet</p>'
            "</body></html>"
        )
        reflow = page.evaluate(REFLOW)
        assert any("scrolls sideways: " in p and "div#bred" in p for p in reflow), reflow
        assert any(p.startswith("div.table-wrap scrolls sideways") for p in reflow), reflow
        assert not any(p.startswith("div.ok") for p in reflow), reflow
        page.add_style_tag(content=TEXT_SPACING_CSS)
        clipped = page.evaluate(CLIPPED)
        assert any(c.startswith("p.lag") for c in clipped) and any(c.startswith("p.fast") for c in clipped), clipped
    finally:
        context.close()


def test_the_region_check_finds_what_it_looks_for(browser: Any) -> None:
    """Table boxes made to fail: one that cannot take focus and has no
    name (though it does not overflow), one named by a missing id, one whose
    focus ring is taken away; and one done right."""
    context = browser.new_context(viewport=ZOOM_400)
    page = context.new_page()
    try:
        page.set_content(
            '<html lang="sv"><head><style>.table-wrap{overflow-x:auto}'
            ":focus-visible{outline:3px solid #111}</style></head><body>"
            '<div class="table-wrap"><table><tr><td>smal</td></tr></table></div>'
            '<div class="table-wrap" role="region" tabindex="0" aria-labelledby="borta"><table></table></div>'
            '<div class="table-wrap" role="region" tabindex="0" aria-label="Ringlös" style="outline:none"></div>'
            '<div class="table-wrap" role="region" tabindex="0" aria-labelledby="t">'
            '<table><caption id="t">Lån</caption><tr><td>smal</td></tr></table></div>'
            '<details><summary>Visa som tabell</summary><div class="table-wrap"><table></table></div></details>'
            "</body></html>"
        )
        page.keyboard.press("Tab")  # keyboard use, so focus() shows the ring as it does for a keyboard user
        regions = page.evaluate(REGIONS)
        assert 'table box 1 cannot take keyboard focus (add tabindex="0")' in regions, regions
        assert "table box 1 has no accessible name (aria-labelledby its caption)" in regions, regions
        assert "table box 2 is labelled by missing id(s) borta" in regions, regions
        assert any(p.startswith("table box 3 shows no focus ring") for p in regions), regions
        assert not any(p.startswith("table box 4") for p in regions), regions
        assert 'table box 5 cannot take keyboard focus (add tabindex="0")' in regions, regions
        assert page.evaluate("document.querySelector('details').open") is False
    finally:
        context.close()


def check_reflow(page: Any, live: LiveSite, urls: list[str]) -> list[str]:
    """Each page at 320 px: no sideways scrolling, then no clipped text with
    the text spacing CSS applied."""
    problems: list[str] = []
    for url in urls:
        page.goto(live.url + url)
        problems += [f"{url}: {p}" for p in page.evaluate(REFLOW)]
        if page.locator(".table-wrap").count():
            page.keyboard.press("Tab")  # as a keyboard user, so a box focused next shows its focus ring
            problems += [f"{url}: {p}" for p in page.evaluate(REGIONS)]
        page.add_style_tag(content=TEXT_SPACING_CSS)
        clipped = page.evaluate(CLIPPED)
        problems += [f"{url}: with WCAG 1.4.12 text spacing, text is cut off in {c}" for c in clipped]
    return problems


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("slug", demo_site_slugs())
def test_pages_reflow_at_400_percent_zoom(
    browser: Any, demo_site: Callable[[str], LiveSite], slug: str, role: str
) -> None:
    """The public pages, and the pages beyond them the admin and an editor
    open (signed in through the form)."""
    live = demo_site(slug)
    pages = sorted(pages_to_check(live, role))
    # The text-spacing CSS is the reader's own style (a bookmarklet or an extension), which a
    # browser applies whatever the site's Content-Security-Policy says: so does this context.
    context = browser.new_context(viewport=ZOOM_400, locale="sv-SE", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        if ROLES[role]:
            login(page, live, ROLES[role])
        problems = check_reflow(page, live, pages)
    finally:
        context.close()
    CHECKED.append(f"reflow: {slug}, {role}: {len(pages)} pages at 320×256, reflow and text spacing")
    assert not problems, f"{len(problems)} reflow/text spacing problems on {slug} (320×256):\n" + "\n".join(problems)


@pytest.mark.parametrize("slug", demo_site_slugs())
def test_other_visitors_pages_reflow_at_400_percent_zoom(
    browser: Any, demo_site: Callable[[str], LiveSite], slug: str
) -> None:
    """The pages only the other visitors open (``test_reach.py``): a
    borrower's loans, a park member's page, referrals, the counter's
    borrower page, each in that visitor's own session."""
    live = demo_site(slug)
    checked = role_templates(live)
    problems: list[str] = []
    counts: list[str] = []
    for visitor, w in extra_walks(live):
        pages = sorted({url for url, t in w.pages.items() if t not in checked} | set(w.redirects.values()))
        if not pages:
            continue
        counts.append(f"{visitor.name}: {len(pages)}")
        context = browser.new_context(viewport=ZOOM_400, locale="sv-SE", bypass_csp=True)  # as above: the reader's CSS
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            if visitor.login:
                log_in_with(page, live, *visitor.login)
            for url in visitor.enter:
                page.goto(live.url + url)
            problems += [f"{p} ({visitor.name})" for p in check_reflow(page, live, pages)]
        finally:
            context.close()
    CHECKED.append(f"reflow: {slug}: other visitors' pages at 320×256: " + (", ".join(counts) or "none on this site"))
    assert not problems, f"{len(problems)} reflow/text spacing problems on {slug} (320×256):\n" + "\n".join(problems)
