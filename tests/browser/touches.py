"""Count what a person does on a page: the inputs they touch and the clicks they make.

The browser tests of the everyday forms and benchmarks/core_tasks.py drive the pages through
this wrapper, so that "a household of two in under 40 inputs" is a number, not an impression.
Filling, choosing or ticking an input is one input touched; pressing a button or following a
link is one click. Pressing Enter in a field counts as neither (it is part of typing).
"""

from typing import Any


class Touches:
    """A Playwright page whose form actions are counted."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.inputs = 0
        self.clicks = 0

    def fill(self, selector: str, value: str) -> None:
        self.page.fill(selector, value)
        self.inputs += 1

    def select(self, selector: str, **option: Any) -> None:
        self.page.select_option(selector, **option)
        self.inputs += 1

    def check(self, selector: str) -> None:
        self.page.check(selector)
        self.inputs += 1

    def pick(self, selector: str, text: str) -> None:
        """Type into a search box and press Enter to pick the first match (one input)."""
        self.page.fill(selector, text)
        self.page.press(selector, "Enter")
        self.inputs += 1

    def click(self, target: Any) -> None:
        """Click a locator or a selector."""
        (self.page.locator(target) if isinstance(target, str) else target).click()
        self.clicks += 1

    def height(self) -> int:
        """Return the page's full height in CSS pixels: all a phone scrolls, header to footer."""
        return int(self.page.evaluate("document.scrollingElement.scrollHeight"))

    def __str__(self) -> str:
        return f"{self.inputs} inputs touched, {self.clicks} clicks"
