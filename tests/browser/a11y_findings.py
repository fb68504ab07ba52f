"""What the accessibility audit found (tests/browser/a11y.py), and how it is told.

A finding names the page (route, role, state, URL), the rule and the offending elements. A
module's findings are written to test-output/a11y/<module>/findings.json (tests/a11y/report.py
turns all of them into a work list), and each kind of problem becomes one failure message.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nominations import PROJECT_ROOT

VNU = PROJECT_ROOT / "tests" / "a11y" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

CHECKS = {
    "page": "pages that did not open as expected",
    "axe": "axe-core violations (WCAG 2.1 A and AA)",
    "nu": "Nu HTML checker errors",
    "width": "pages that scroll sideways (or whose navigation wraps at 1280 px)",
}


@dataclass(frozen=True)
class Where:
    """A page as a person meets it: the route (the access table's name), who, in which state."""

    route: str
    role: str
    state: str  # "empty", "data" or "errors"
    url: str

    def __str__(self) -> str:
        url = self.url if len(self.url) <= 60 else self.url[:59] + "…"  # a reset link's token
        return f"{self.route} [{self.role}, {self.state}] {url}"


@dataclass
class Finding:
    check: str  # a key of CHECKS
    where: Where
    rule: str
    summary: str
    elements: list[str] = field(default_factory=list)


def short(html: str, limit: int = 120) -> str:
    html = re.sub(r"\s+", " ", html).strip()
    return html if len(html) <= limit else html[: limit - 1] + "…"


def nu_findings(folder: Path, pages: dict[str, Where]) -> list[Finding]:
    """The Nu HTML checker, once, over every page kept in ``folder`` (file name -> page)."""
    run = subprocess.run(
        # Quick to start (the client compiler only; the checker needs a deeper stack than
        # the default): about 1 s instead of 2.5 s for 50 pages, the same messages.
        ["java", "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU)]
        + ["--errors-only", "--format", "json", "--stdout", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(run.stdout)["messages"]
    except (ValueError, KeyError):
        raise AssertionError(f"vnu.jar failed: {run.stdout[-2000:]}{run.stderr[-2000:]}") from None
    findings = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        url = message.get("url", "")
        where = pages.get(url.rsplit("/", 1)[-1]) or Where("(not a page)", "", "", url)
        extract = short(message.get("extract", ""), 100)
        findings.append(
            Finding(
                "nu",
                where,
                message["message"],
                "",
                [f"{extract}  (line {message.get('lastLine', '?')})"],
            )
        )
    return findings


def write_json(path: Path, module: str, audited: list[Where], findings: list[Finding]) -> None:
    data = {
        "module": module,
        "audited": [asdict(where) for where in audited],
        "findings": [asdict(finding) for finding in findings],
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def failure_message(check: str, findings: list[Finding], audited: int, folder: Path) -> str:
    """Every finding of one kind: by rule, then by element (selector, short HTML), each with
    the pages it is on; "" when there is none."""
    found = [f for f in findings if f.check == check]
    if not found:
        return ""
    rules: dict[tuple[str, str], dict[str, list[Where]]] = defaultdict(dict)
    for finding in found:
        for element in finding.elements or [""]:
            rules[(finding.rule, finding.summary)].setdefault(element, []).append(finding.where)
    pages = {finding.where for finding in found}
    count = sum(len(wheres) for elements in rules.values() for wheres in elements.values())
    lines = [
        f"{CHECKS[check]}: {count} on {len(pages)} of {audited} pages audited, by rule and "
        f"element (all in {folder / 'findings.json'}; screenshots beside it)"
    ]
    for (rule, summary), elements in sorted(rules.items()):
        lines.append(f"\n{rule} {summary}".rstrip())
        for element, wheres in elements.items():
            if element:
                lines.append(f"  {element}")
            lines += [f"    on {where}" for where in wheres]
    return "\n".join(lines)
