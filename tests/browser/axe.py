"""axe-core in a page: the WCAG 2.0/2.1 A and AA rules, and a readable line
per violation that names the page, where it was checked, the rule and the
elements. Shared by the page walk (``test_axe.py``), the flows and the pages
reached with tokens or roles (``test_reach.py``).

axe-core comes from ``node_modules`` (npm, pinned in package.json), never
from another host.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                              summary: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ')})),
  }));
}"""


def describe(url: str, where: str, violation: dict[str, Any]) -> str:
    lines = [f"{url} ({where}): {violation['id']} [{violation['impact']}] {violation['help']}"]
    for node in violation["nodes"][:5]:
        lines.append(f"    at {node['target']}: {node['html']}")
        if node["summary"]:
            lines.append(f"       {node['summary']}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def axe_problems(page: Any, axe_source: Path, where: str, url: str | None = None) -> list[str]:
    """The violations on the page as it is now (one line each, empty when clean)."""
    # Evaluated, not added as a <script>: the site's Content-Security-Policy
    # (script-src 'self') rightly refuses an inline script tag.
    page.evaluate(axe_source.read_text(encoding="utf-8") + "\n;true")
    shown = url or page.url
    return [describe(shown, where, violation) for violation in page.evaluate(RUN_AXE, AXE_TAGS)]


def assert_accessible(page: Any, axe_source: Path, where: str) -> None:
    """Fail with every violation on the page as it is now, named by URL and rule."""
    problems = axe_problems(page, axe_source, where)
    assert not problems, f"{len(problems)} axe violations:\n" + "\n".join(problems)
