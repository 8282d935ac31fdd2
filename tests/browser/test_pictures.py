"""Pictures on the demo sites' pages (issue 17), in Chromium at desktop and
phone widths: every picture has loaded, has its width and height in the HTML
(so nothing jumps: the layout shift stays under Lighthouse's "good" 0.1),
lies inside the window, and loads lazily unless it is in the first screen;
no picture makes a page scroll sideways at 375 px. The demo draws its
pictures (logos, news pictures, item photos), so each page here has some.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import CHECKED, VIEWPORTS
from tests.browser.server import LiveSite, demo_site_slugs

#: Pages with pictures, and the first link of a kind on the directory and news list.
PAGES = ["/", "/foreningar", "/nyheter", "/fritidsbanken/", "/fritidsbanken/?sak=Fotboll"]
FOLLOW = {"/foreningar": r'href="(/foreningar/[a-z0-9-]+)"', "/nyheter": r'href="(/nyheter/\d+)"'}

#: Layout shifts since the page started loading (buffered), summed as CLS does.
SHIFTS = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(total), 100);
})"""

#: What is wrong with the page's pictures, first seen at the top of the page.
PICTURES = """() => {
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) problems.push(`the page scrolls sideways (${doc.scrollWidth}px)`);
  const imgs = [...document.querySelectorAll('main img')];
  for (const img of imgs) {
    const name = img.getAttribute('src');
    const r = img.getBoundingClientRect();
    if (!img.getAttribute('width') || !img.getAttribute('height')) problems.push(`${name} has no width/height`);
    if (r.right > window.innerWidth + 1 || r.left < -1) problems.push(`${name} reaches past the window`);
    const firstScreen = r.top + window.scrollY < window.innerHeight;
    if (!firstScreen && img.getAttribute('loading') !== 'lazy') problems.push(`${name} is below the fold but not lazy`);
  }
  return {count: imgs.length, problems};
}"""

SCROLL = """async () => {
  for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight / 2) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 30));
  }
}"""

LOADED = """() => [...document.querySelectorAll('main img')]
  .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.currentSrc || img.src)"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("slug", demo_site_slugs())
def test_pictures_load_keep_their_place_and_fit_the_screen(
    browser: Any, demo_site: Callable[[str], LiveSite], slug: str, viewport: str
) -> None:
    live = demo_site(slug)
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    checked = pictures = 0
    try:
        urls = list(PAGES)
        for url in PAGES:
            response = page.goto(live.url + url)
            if response is None or response.status != 200:
                urls.remove(url)
                continue
            if url in FOLLOW and (found := re.search(FOLLOW[url], page.content())):
                urls.append(found.group(1))
        for url in urls:
            page.goto(live.url + url, wait_until="load")
            where = f"{url} ({slug}, {viewport})"
            found = page.evaluate(PICTURES)
            problems += [f"{where}: {p}" for p in found["problems"]]
            page.evaluate(SCROLL)  # as a reader does, so each lazy picture comes near the screen
            page.wait_for_load_state("networkidle")
            problems += [f"{where}: {src} did not load" for src in page.evaluate(LOADED)]
            shift = page.evaluate(SHIFTS)
            if shift >= 0.1:
                problems.append(f"{where}: the layout shifted by {shift:.3f} as the page loaded")
            checked += 1
            pictures += found["count"]
    finally:
        context.close()
    CHECKED.append(f"pictures: {slug}, {viewport}: {checked} pages, {pictures} pictures")
    assert checked and pictures, f"no pictures found on {slug}'s pages"
    assert not problems, f"{len(problems)} picture problems:\n" + "\n".join(problems)
