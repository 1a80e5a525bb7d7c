"""axe-core in the browser tests: ``await assert_accessible(page, "admin-keys")``.

axe (tests/e2e/vendor/axe.min.js, see VERSIONS.md there) is injected into the page under test,
never served by the application. The app's CSP forbids inline scripts, so
``page.add_script_tag(path=...)`` (which inlines the file) would be refused; ``page.evaluate``
runs the source over CDP in the page's main world, which CSP does not govern, and leaves the
page's own policy untouched so the tests still catch the app's CSP violations.

Only ``serious`` and ``critical`` violations fail a test; ``violations()`` returns everything
for a caller that wants to look at the minor ones too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from playwright.async_api import Page

AXE_JS: Final = Path(__file__).parent / "vendor" / "axe.min.js"
FAILING_IMPACTS: Final = frozenset({"serious", "critical"})

_RUN: Final = """async ([within, options]) => {
  const context = within === null ? document : { include: [within] };
  const result = await window.axe.run(context, options);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String).join(" "), html: n.html, summary: n.failureSummary || "",
    })),
  }));
}"""


@dataclass(frozen=True, slots=True)
class Violation:
    """One axe rule broken on one page, with the elements that break it."""

    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]
    elements: tuple[str, ...]
    summaries: tuple[str, ...]

    def describe(self, limit: int = 5) -> str:
        """A few readable lines: rule, impact, what to fix, and where."""
        lines = [f"- {self.rule} ({self.impact}): {self.help} <{self.help_url}>"]
        nodes = zip(self.targets, self.elements, self.summaries, strict=True)
        for target, element, summary in list(nodes)[:limit]:
            reason = " ".join(line.strip() for line in summary.splitlines()[1:]) or summary
            lines.append(f"    at {target}: {_shorten(element)}")
            lines.append(f"       {reason}")
        if len(self.targets) > limit:
            lines.append(f"    ... and {len(self.targets) - limit} more")
        return "\n".join(lines)


def _shorten(html: str, limit: int = 160) -> str:
    flat = " ".join(html.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


async def violations(
    page: Page, *, within: str | None = None, disable: tuple[str, ...] = ()
) -> list[Violation]:
    """Run axe on the document as it is now (or only inside the CSS selector ``within``);
    ``disable`` names rules to skip."""
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(_axe_source())
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    found = await page.evaluate(_RUN, [within, options])
    return [
        Violation(
            rule=v["id"],
            impact=v["impact"] or "unknown",
            help=v["help"],
            help_url=v["helpUrl"],
            targets=tuple(n["target"] for n in v["nodes"]),
            elements=tuple(n["html"] for n in v["nodes"]),
            summaries=tuple(n["summary"] for n in v["nodes"]),
        )
        for v in found
    ]


async def assert_accessible(
    page: Page, name: str, *, within: str | None = None, disable: tuple[str, ...] = ()
) -> None:
    """Fail with a readable list when axe finds a serious or critical violation on ``page``.

    ``name`` says which page or state was checked (it heads the failure message), e.g.
    ``await assert_accessible(page, "chat after an answer")``; ``within`` limits the check to
    the elements matching a CSS selector (``within=".message.assistant"``).
    """
    found = await violations(page, within=within, disable=disable)
    failing = [v for v in found if v.impact in FAILING_IMPACTS]
    if failing:
        report = "\n".join(v.describe() for v in failing)
        raise AssertionError(
            f"axe: {len(failing)} serious/critical on {name} ({page.url}):\n{report}"
        )
