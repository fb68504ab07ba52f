"""The SQL queries per page of every route x role: counted by a test of the suite at two data
sizes (issue 16); the benchmark runs that test and reports its outcome, so the table has all
the issue's figures. QUICK leaves it to `make test`, which runs it anyway."""

from __future__ import annotations

import re
import subprocess

from bench import project
from bench.settings import Scale
from bench.table import Row

MEASURE = "SQL queries per page, every route x role"
GOAL = "<= 12, same at 10x data"


def query_count_row(scale: Scale) -> Row:
    tests = [path for path in project.QUERY_COUNT_TESTS if path.exists()]
    if scale.quick:
        return Row(MEASURE, "not run (QUICK)", "-", "-", GOAL, None, note="make test runs it")
    if not tests:
        names = ", ".join(path.name for path in project.QUERY_COUNT_TESTS)
        return Row(MEASURE, "no test yet", "-", "-", GOAL, False, note=f"{names} is missing")
    result = subprocess.run(
        [
            str(project.VENV_BIN / "python"),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            *map(str, tests),
        ],
        cwd=project.PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    summary = re.findall(r"^=*\s*(\d+ (?:passed|failed).*?)\s*=*$", result.stdout, re.M)
    outcome = summary[-1] if summary else f"exit {result.returncode}"
    return Row(
        MEASURE,
        outcome,
        "-",
        "-",
        GOAL,
        result.returncode == 0,
        note=f"pytest {' '.join(path.name for path in tests)}",
    )
