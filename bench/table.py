"""One row per figure of issue 16, and the table they make."""

from __future__ import annotations

from dataclasses import dataclass

HEADER = ("measure", "project", "reference", "ratio", "goal", "pass")


@dataclass
class Row:
    measure: str
    project: str
    reference: str
    ratio: str
    goal: str
    passed: bool | None  # None: not judged (a QUICK run, or not measured)
    note: str = ""

    def cells(self) -> tuple[str, ...]:
        verdict = "-" if self.passed is None else "pass" if self.passed else "FAIL"
        return (self.measure, self.project, self.reference, self.ratio, self.goal, verdict)


def render(rows: list[Row]) -> str:
    """A Markdown table (it reads in a terminal and pastes into the README as it is)."""
    lines = [HEADER, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(HEADER), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row.cells()) for row in rows]
    notes = [f"- {row.measure}: {row.note}" for row in rows if row.note]
    return "\n".join(out + ([""] + notes if notes else []))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
