"""Charts can be read on a phone (issue 17): at 375 px every label of every
chart (Fritidsbanken's statistics, the park's pollinators) is drawn at
least 12 px high, no two labels overlap, and each chart has a table of the
same figures beside it. At 720 units wide the labels had been about 6 px.

Measured in Chromium on Möckeln's demo site (it has both plugins and counts
in both), as the admin, who sees the statistics: the size is the text's
computed font size times the scale the SVG is drawn at (its screen matrix).
"""

from __future__ import annotations

from typing import Any

from core.models import Role
from core.urls import url_for
from tests.browser.conftest import CHECKED, VIEWPORTS, login
from tests.browser.server import LiveSite

MIN_PX = 12.0

#: Every chart's labels: their drawn size, their boxes on screen, and whether a table follows the chart.
LABELS = """() => {
  const charts = [];
  for (const svg of document.querySelectorAll('main svg.chart')) {
    const labels = [];
    for (const text of svg.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      const ctm = text.getScreenCTM();
      const r = text.getBoundingClientRect();
      labels.push({
        text: text.textContent.trim(),
        px: parseFloat(getComputedStyle(text).fontSize) * Math.hypot(ctm.a, ctm.b),
        box: [r.left, r.top, r.right, r.bottom],
      });
    }
    // The same figures as a table: the next table after the chart, in the same section.
    const scope = svg.closest('section') || svg.parentElement;
    const table = [...scope.querySelectorAll('table')].some(
      t => svg.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
    charts.push({
      name: (svg.querySelector('title') || {}).textContent || '?',
      width: svg.getBoundingClientRect().width,
      labels, table,
    });
  }
  return {charts, pageWidth: document.documentElement.scrollWidth, window: window.innerWidth};
}"""


def _overlaps(a: list[float], b: list[float]) -> bool:
    # A pixel of slack: neighbouring month names may touch at their edges.
    return a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1


def chart_problems(measured: dict[str, Any]) -> list[str]:
    problems = []
    if measured["pageWidth"] > measured["window"] + 1:
        problems.append(f"the page is {measured['pageWidth']} px wide in a {measured['window']} px window")
    for chart in measured["charts"]:
        name = chart["name"][:40]
        if not chart["table"]:
            problems.append(f"{name}: no table of the same figures beside it")
        for label in chart["labels"]:
            if label["px"] < MIN_PX:
                problems.append(f"{name}: the label {label['text']!r} is drawn {label['px']:.1f} px")
        labels = chart["labels"]
        for i, one in enumerate(labels):
            for other in labels[i + 1 :]:
                if _overlaps(one["box"], other["box"]):
                    problems.append(f"{name}: the labels {one['text']!r} and {other['text']!r} overlap")
    return problems


def test_the_check_finds_small_and_overlapping_labels() -> None:
    measured = {
        "pageWidth": 375,
        "window": 375,
        "charts": [
            {
                "name": "Lån per månad",
                "table": False,
                "labels": [
                    {"text": "jan", "px": 5.7, "box": [0, 0, 20, 8]},
                    {"text": "feb", "px": 12.5, "box": [10, 2, 30, 14]},
                ],
            }
        ],
    }
    assert chart_problems(measured) == [
        "Lån per månad: no table of the same figures beside it",
        "Lån per månad: the label 'jan' is drawn 5.7 px",
        "Lån per månad: the labels 'jan' and 'feb' overlap",
    ]


def test_chart_labels_are_readable_on_a_phone(browser: Any, mockeln: LiveSite) -> None:
    site = mockeln.site
    pages = [url_for(site, "fritidsbanken:statistics"), url_for(site, "odling:pollinators")]
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    counted = 0
    try:
        login(page, mockeln, Role.ADMIN)
        for path in pages:
            page.goto(mockeln.url + path)
            measured = page.evaluate(LABELS)
            charts = measured["charts"]
            assert charts, f"{path} shows no chart"
            counted += len(charts)
            assert all(chart["labels"] for chart in charts), f"{path}: a chart without labels"
            problems += [f"{path}: {p}" for p in chart_problems(measured)]
    finally:
        context.close()
    CHECKED.append(f"chart labels at 375 px: {counted} charts on {len(pages)} pages")
    assert counted >= 6  # five on the statistics page, one of pollinators
    assert not problems, "\n".join(problems)
