"""A web worker starts without the libraries that only a few requests need (issue 16: the
worker's memory). Each is imported by the function that uses it; this checks it stays so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nominations import PROJECT_ROOT

# Spreadsheet exports, the calendar and Atom feeds, sign-in through an OpenID provider.
USED_BY_FEW_REQUESTS = ("openpyxl", "icalendar", "feedgen", "lxml", "authlib", "cryptography")

STARTUP = """
import json, sys
from nominations import create_app
app = create_app("production", {"SECRET_KEY": "a-long-enough-secret-for-the-check"})
with app.test_request_context("/"):
    pass
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after(code: str, instance: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(PROJECT_ROOT),
            "INSTANCE_PATH": str(instance),
        },
    )
    return {name.split(".")[0] for name in json.loads(result.stdout.splitlines()[-1])}


def test_the_app_starts_without_the_libraries_only_a_few_requests_need(tmp_path):
    loaded = _modules_after(STARTUP, tmp_path)
    assert "nominations" in loaded and "flask" in loaded
    assert sorted(loaded & set(USED_BY_FEW_REQUESTS)) == []


def test_writing_a_workbook_still_brings_openpyxl_in(tmp_path):
    loaded = _modules_after(
        STARTUP.replace(
            "print(",
            "from nominations.exports.spreadsheets import to_xlsx\n"
            "assert to_xlsx('Sheet', ['a'], [['=1']]).startswith(b'PK')\nprint(",
        ),
        tmp_path,
    )
    assert "openpyxl" in loaded


def test_the_control_characters_refused_are_those_openpyxl_refuses():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from nominations.exports.spreadsheets import ILLEGAL_CHARACTERS_RE as ours

    assert ours.pattern == ILLEGAL_CHARACTERS_RE.pattern
