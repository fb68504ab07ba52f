"""The accessibility work list: what tests/browser/test_a11y_*.py found, by rule and by page.

.venv/bin/python -m pytest tests/browser -k a11y      # writes test-output/a11y/*/findings.json
.venv/bin/python tests/a11y/report.py [OUT.md]        # the list, in Markdown (stdout by default)
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "a11y"
CHECKS = {
    "axe": "axe-core (WCAG 2.1 A and AA)",
    "nu": "Nu HTML checker",
    "width": "sideways scrolling (390 and 1280 px)",
    "page": "pages that did not open as expected (the harness's own problems)",
}


def page_name(where: dict) -> str:
    url = where["url"] if len(where["url"]) <= 60 else where["url"][:59] + "…"
    return f"{where['route']} [{where['role']}, {where['state']}] {url}".strip()


def load() -> tuple[list[dict], list[dict]]:
    audited, findings = [], []
    for path in sorted(OUTPUT.glob("*/findings.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        audited += data["audited"]
        findings += [dict(f, module=data["module"]) for f in data["findings"]]
    return audited, findings


def git(*args: str) -> str:
    run = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return run.stdout.strip() or "(unknown)"


def commit() -> str:
    """This checkout's commit, and where it left main."""
    here = git("log", "-1", "--format=%h %s")
    return f"{here}` (from main at `{git('merge-base', 'HEAD', 'main')[:7]}"


def report(audited: list[dict], findings: list[dict]) -> str:
    routes = {(w["route"], w["role"], w["state"]) for w in audited}
    states = Counter(w["state"] for w in audited)
    lines = [
        "# Accessibility work list (issue 14)",
        "",
        f"Measured {datetime.now():%Y-%m-%d %H:%M} on `{commit()}` by "
        "tests/browser/test_a11y_*.py;",
        f"{len(audited)} pages audited ({len(routes)} route x role x state; "
        + ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
        + "). Regenerate: `.venv/bin/python tests/a11y/report.py OUT.md` after the tests ran.",
        "",
        "## Counts",
        "",
        "| check | rule | elements | pages |",
        "|---|---|---:|---:|",
    ]
    by_rule: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for finding in findings:
        by_rule[(finding["check"], finding["rule"])].append(finding)
    for (check, rule), found in sorted(by_rule.items()):
        elements = sum(max(1, len(f["elements"])) for f in found)
        pages = len({page_name(f["where"]) for f in found})
        lines.append(f"| {check} | {rule.replace('|', '/')} | {elements} | {pages} |")
    if not findings:
        lines.append("| - | nothing found | 0 | 0 |")

    lines += ["", "## By rule (each element, and the pages it is on)"]
    for check, title in CHECKS.items():
        rules = {rule: found for (c, rule), found in sorted(by_rule.items()) if c == check}
        if not rules:
            continue
        lines += ["", f"### {title}"]
        for rule, found in rules.items():
            lines += ["", f"#### {rule} {found[0]['summary']}".rstrip(), ""]
            pages_of: dict[str, list[str]] = defaultdict(list)
            for finding in found:
                for element in finding["elements"] or ["(the page)"]:
                    pages_of[element].append(page_name(finding["where"]))
            for element, pages in pages_of.items():
                quoted = element.replace("`", "'")
                lines.append(f"- `{quoted}`")
                shown = pages if len(pages) <= 12 else pages[:12] + [f"... {len(pages) - 12} more"]
                lines += [f"  - {page}" for page in shown]

    lines += ["", "## By page (rule: elements)", ""]
    by_page: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        by_page[page_name(finding["where"])][f"{finding['check']} {finding['rule']}"] += max(
            1, len(finding["elements"])
        )
    for page, rules in sorted(by_page.items()):
        lines.append(f"- {page}: " + "; ".join(f"{r} ({n})" for r, n in sorted(rules.items())))
    clean = sorted({page_name(w) for w in audited} - set(by_page))
    lines += ["", f"Pages with nothing found: {len(clean)}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    audited, findings = load()
    if not audited:
        sys.exit(f"Nothing in {OUTPUT}: run the tests first (pytest tests/browser -k a11y).")
    text = report(audited, findings)
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
