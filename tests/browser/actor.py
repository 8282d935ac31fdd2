"""A person at the browser, either with a pointer or with the keyboard only.

The keyboard actor reaches every control with Tab alone (never ``focus()``),
and checks on every stop that the focused element can be seen: it has a
size, and an outline or a focus ring. So a flow that passes with the keyboard
actor proves the tab order reaches the controls and that focus is visible.
"""

from __future__ import annotations

from typing import Any

# The focused element: what it is, whether it has a box, and whether its focus
# is drawn (a non-zero outline or a box-shadow ring, as :focus-visible gives).
FOCUS_INFO = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const ring = s.boxShadow && s.boxShadow !== 'none';
  const label = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || el.id || '').trim();
  return {
    tag: el.tagName.toLowerCase(), label: label.slice(0, 60),
    focusVisible: el.matches(':focus-visible'), drawn: outline || !!ring,
    sized: r.width > 0 && r.height > 0,
  };
}"""


TO_TOP = """b => {
  if (document.activeElement) document.activeElement.blur();
  b.tabIndex = -1; b.focus(); b.removeAttribute('tabindex');
}"""


class Actor:
    def __init__(self, page: Any, keyboard: bool, max_tabs: int = 120) -> None:
        self.page = page
        self.keyboard = keyboard
        self.max_tabs = max_tabs

    # -- keyboard helpers -----------------------------------------------------

    def focused(self) -> dict[str, Any] | None:
        return self.page.evaluate(FOCUS_INFO)  # type: ignore[no-any-return]

    def tab_to(self, target: Any) -> None:
        """Press Tab until ``target`` has focus, checking each stop on the way."""
        visited: list[str] = []
        if target.evaluate("el => el === document.activeElement"):
            return  # already there (a field the page focused on load)
        for _ in range(self.max_tabs):
            self.page.keyboard.press("Tab")
            info = self.focused()
            if info is None:
                visited.append("(body)")
                continue
            visited.append(f"{info['tag']} {info['label']!r}")
            assert info["sized"], f"Tab stop {visited[-1]} on {self.page.url} has no size: focus is invisible"
            assert info["drawn"], f"Tab stop {visited[-1]} on {self.page.url} has no visible focus indicator"
            if target.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(
            f"Tab never reached {target} on {self.page.url} after {self.max_tabs} presses; visited: "
            + " → ".join(visited[-25:])
        )

    def skip_to_content(self) -> None:
        """Use the skip link, as a keyboard user does on every page."""
        if not self.keyboard:
            return
        # Start from the top of the page, as after a load without autofocus:
        # a blur alone would leave Tab's starting point at the blurred field.
        self.page.locator("body").evaluate(TO_TOP)
        self.page.keyboard.press("Tab")
        info = self.focused()
        assert info and info["tag"] == "a" and "Hoppa till" in info["label"], (
            f"the first Tab stop on {self.page.url} is {info}, not the skip link"
        )
        assert info["drawn"] and info["sized"], "the skip link is not visible when focused"
        self.page.keyboard.press("Enter")
        assert self.page.evaluate("document.activeElement.id") == "innehall", "the skip link did not move focus"

    # -- actions --------------------------------------------------------------

    def fill(self, target: Any, text: str) -> None:
        if not self.keyboard:
            target.fill(text)
            return
        self.tab_to(target)
        if target.get_attribute("type") in ("date", "time"):
            # A date or time field is typed segment by segment in the browser's own order (Chromium's year
            # takes six digits), which a script cannot type blind: reached by Tab, its value is set whole.
            target.fill(text)
            return
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def press(self, target: Any) -> None:
        """Follow a link or press a button."""
        if not self.keyboard:
            target.click()
            return
        self.tab_to(target)
        self.page.keyboard.press("Enter")

    def check(self, target: Any) -> None:
        if not self.keyboard:
            target.check()
            return
        self.tab_to(target)
        if not target.is_checked():
            self.page.keyboard.press("Space")
        assert target.is_checked()
