"""Charts as SVG drawn on the server: no JavaScript, no CDN, no inline styles.

Only SVG presentation attributes (fill, stroke, font-size ...) are used, which the
Content-Security-Policy allows. Each chart has a title and a description for screen readers;
pages show the same numbers in a table as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext, ngettext
from markupsafe import Markup, escape

# Okabe-Ito: told apart by people with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)


@dataclass
class Series:
    name: str
    values: list[float]


def nice_max(value: float, ticks: int = 5) -> tuple[float, float]:
    """A round axis maximum at or above ``value`` and its tick step (1, 2 or 5 times 10^n)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    if step < 1 and value >= 1:
        step = 1
    return step * math.ceil(value / step), step


def _number(value: float) -> str:
    return f"{value:g}"


def grouped_bars(
    title: str,
    groups: Sequence[str],
    series: Sequence[Series],
    *,
    chart_id: str,
    unit: str = "",
    note: str = "",
    width: int = 760,
    height: int = 320,
) -> Markup:
    """A grouped bar chart: one group per label in ``groups``, one bar per series in each.
    ``note`` ends the description read by screen readers (e.g. where the same numbers are)."""
    margin_left, margin_right, margin_top, margin_bottom = 48, 16, 36, 40
    legend_rows = math.ceil(len(series) / 3) if series else 0
    legend_height = legend_rows * 20 + (8 if legend_rows else 0)
    total_height = height + legend_height
    plot_w = width - margin_left - margin_right
    plot_h = height - margin_top - margin_bottom
    largest = max((v for s in series for v in s.values), default=0)
    top, step = nice_max(largest)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    largest_text = f"{_number(largest)} {unit}" if unit else _number(largest)
    description = ngettext(
        "%(num)d series over %(groups)d groups; the largest value is %(largest)s.",
        "%(num)d series over %(groups)d groups; the largest value is %(largest)s.",
        len(series),
        groups=len(groups),
        largest=largest_text,
    ) + (" " + note if note else "")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {total_height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="system-ui, sans-serif" '
        f'font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<text x="{margin_left}" y="20" font-size="15" font-weight="600" fill="#212529">'
        f"{escape(title)}</text>",
    ]
    # Horizontal grid lines and the value axis.
    tick = 0.0
    while tick <= top + 1e-9:
        y = margin_top + plot_h - (tick / top) * plot_h
        out.append(
            f'<line x1="{margin_left}" x2="{width - margin_right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{margin_left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#495057">'
            f"{_number(tick)}</text>"
        )
        tick += step
    baseline = margin_top + plot_h
    out.append(
        f'<line x1="{margin_left}" x2="{width - margin_right}" y1="{baseline}" y2="{baseline}" '
        f'stroke="#495057" stroke-width="1"/>'
    )
    if groups and series:
        group_w = plot_w / len(groups)
        bar_w = min(40.0, group_w * 0.8 / len(series))
        for g, label in enumerate(groups):
            group_x = margin_left + g * group_w
            start = group_x + (group_w - bar_w * len(series)) / 2
            for s, item in enumerate(series):
                value = item.values[g] if g < len(item.values) else 0
                bar_h = (value / top) * plot_h
                x = start + s * bar_w
                out.append(
                    f'<rect class="bar" x="{x:.1f}" y="{baseline - bar_h:.1f}" '
                    f'width="{max(bar_w - 2, 1):.1f}" height="{bar_h:.1f}" '
                    f'fill="{PALETTE[s % len(PALETTE)]}" data-series="{escape(item.name)}" '
                    f'data-group="{escape(label)}" data-value="{_number(value)}">'
                    f"<title>{escape(item.name)}, {escape(label)}: {_number(value)}"
                    f"{' ' + escape(unit) if unit else ''}</title></rect>"
                )
            out.append(
                f'<text x="{group_x + group_w / 2:.1f}" y="{baseline + 18}" '
                f'text-anchor="middle" fill="#212529">{escape(label)}</text>'
            )
    else:
        out.append(
            f'<text x="{margin_left + plot_w / 2:.1f}" y="{margin_top + plot_h / 2:.1f}" '
            f'text-anchor="middle" fill="#6c757d">{escape(gettext("No data yet"))}</text>'
        )
    # Legend below the plot, three entries a row.
    column_w = (width - margin_left - margin_right) / 3
    for s, item in enumerate(series):
        x = margin_left + (s % 3) * column_w
        y = height + (s // 3) * 20
        name = item.name if len(item.name) <= 38 else item.name[:37] + "…"
        out.append(
            f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" '
            f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{x + 18:.1f}" y="{y}" fill="#212529">{escape(name)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


# --------------------------------------------------------------------------------------------
# Dot rows: one row per item, one mark per value on a shared scale


SHAPES = ("circle", "square", "triangle", "diamond")
MARK_RADIUS = 5.0


@dataclass
class Mark:
    """One value in a row. ``key`` picks the colour and shape (the same key, the same mark in
    every chart); ``label`` is its tooltip; ``data`` becomes ``data-*`` attributes."""

    value: float
    key: int
    label: str
    data: dict[str, str | int]


@dataclass
class DotRow:
    label: str
    marks: list[Mark]
    mean: float | None = None
    # Lower quartile, median and upper quartile: drawn as a box behind the marks.
    box: tuple[float, float, float] | None = None
    # Draw the line from the lowest to the highest mark thick and in a warning colour.
    emphasis: bool = False
    note: str = ""  # written at the right end of the row
    data: dict[str, str | int] | None = None


@dataclass
class LegendEntry:
    name: str
    key: int


def mark_style(key: int) -> tuple[str, str]:
    """(fill colour, shape) for ``key``: eight colours, then the next shape."""
    return PALETTE[key % len(PALETTE)], SHAPES[(key // len(PALETTE)) % len(SHAPES)]


def _attributes(data: dict[str, str | int] | None) -> str:
    if not data:
        return ""
    return "".join(f' data-{escape(name)}="{escape(str(value))}"' for name, value in data.items())


def _shape(key: int, x: float, y: float, extra: str, tooltip: str, css_class: str = "mark") -> str:
    fill, shape = mark_style(key)
    r = MARK_RADIUS
    common = f'class="{css_class}" fill="{fill}" stroke="#212529" stroke-width="0.8"{extra}'
    inner = f"<title>{escape(tooltip)}</title>"
    if shape == "square":
        side = r * 1.7
        return (
            f'<rect {common} x="{x - side / 2:.1f}" y="{y - side / 2:.1f}" '
            f'width="{side:.1f}" height="{side:.1f}">{inner}</rect>'
        )
    if shape in ("triangle", "diamond"):
        if shape == "triangle":
            corners = ((0, -1.1), (1, 0.8), (-1, 0.8))
        else:
            corners = ((0, -1.2), (1, 0), (0, 1.2), (-1, 0))
        points = " ".join(f"{x + dx * r:.1f},{y + dy * r:.1f}" for dx, dy in corners)
        return f'<polygon {common} points="{points}">{inner}</polygon>'
    return f'<circle {common} cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}">{inner}</circle>'


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ticks(low: float, high: float) -> list[float]:
    """Whole-number ticks for a small scale (e.g. 1 to 7), else about six round ones."""
    if high - low <= 12 and float(low).is_integer():
        return [float(v) for v in range(int(low), int(math.floor(high)) + 1)]
    _, step = nice_max(high - low, 6)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def dot_rows(
    title: str,
    rows: Sequence[DotRow],
    *,
    chart_id: str,
    axis_min: float,
    axis_max: float,
    description: str,
    axis_label: str = "",
    legend: Sequence[LegendEntry] = (),
    reference: float | None = None,
    reference_label: str = "",
    width: int = 760,
    row_height: int = 24,
) -> Markup:
    """A dot plot: one row per ``DotRow`` (label on the left), each value a mark on a shared
    horizontal scale, with the row's range as a line, an optional box (quartiles), a mean
    marker (a short vertical bar) and a note at the right. ``reference`` draws a dashed
    vertical line across every row (e.g. the mean of all the values)."""
    if axis_max <= axis_min:
        axis_max = axis_min + 1
    margin_left, margin_right = 220, 96
    plot_w = width - margin_left - margin_right
    legend_columns = 3
    legend_rows = math.ceil(len(legend) / legend_columns)
    legend_top = 40
    plot_top = legend_top + legend_rows * 20 + (10 if legend_rows else 0) + 24
    plot_h = max(len(rows), 1) * row_height
    total_height = plot_top + plot_h + (44 if axis_label else 30)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"

    def x_of(value: float) -> float:
        clamped = min(max(value, axis_min), axis_max)
        return margin_left + (clamped - axis_min) / (axis_max - axis_min) * plot_w

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {width} {total_height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="system-ui, sans-serif" '
        f'font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<text x="8" y="20" font-size="15" font-weight="600" fill="#212529">'
        f"{escape(title)}</text>",
    ]
    # Legend: the mark of each key, three entries a row.
    column_w = (width - 16) / legend_columns
    for index, entry in enumerate(legend):
        x = 8 + (index % legend_columns) * column_w + MARK_RADIUS
        y = legend_top + (index // legend_columns) * 20
        out.append(_shape(entry.key, x, y, "", entry.name, css_class="legend-mark"))
        out.append(
            f'<text x="{x + 12:.1f}" y="{y + 4:.1f}" fill="#212529">'
            f"{escape(_shorten(entry.name, 36))}</text>"
        )
    # Alternate row bands, then the grid and tick labels above and below the rows.
    for index in range(len(rows)):
        if index % 2:
            out.append(
                f'<rect x="{margin_left - 4}" y="{plot_top + index * row_height}" '
                f'width="{plot_w + 8}" height="{row_height}" fill="#f8f9fa"/>'
            )
    bottom = plot_top + plot_h
    for tick in _ticks(axis_min, axis_max):
        x = x_of(tick)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{plot_top}" y2="{bottom}" stroke="#dee2e6" '
            f'stroke-width="1"/>'
        )
        for y in (plot_top - 8, bottom + 16):
            out.append(
                f'<text x="{x:.1f}" y="{y}" text-anchor="middle" fill="#495057">'
                f"{_number(tick)}</text>"
            )
    if axis_label:
        out.append(
            f'<text x="{margin_left + plot_w / 2:.1f}" y="{bottom + 36}" text-anchor="middle" '
            f'fill="#212529">{escape(axis_label)}</text>'
        )
    if reference is not None:
        x = x_of(reference)
        out.append(
            f'<line class="reference" x1="{x:.1f}" x2="{x:.1f}" y1="{plot_top - 4}" '
            f'y2="{bottom}" stroke="#6c757d" stroke-width="1.5" stroke-dasharray="5 4">'
            f"<title>{escape(reference_label)}</title></line>"
        )
    if not rows:
        out.append(
            f'<text x="{margin_left + plot_w / 2:.1f}" y="{plot_top + row_height / 2 + 4:.1f}" '
            f'text-anchor="middle" fill="#6c757d">{escape(gettext("No scores yet"))}</text>'
        )
    for index, row in enumerate(rows):
        y = plot_top + index * row_height + row_height / 2
        out.append(f'<g class="row"{_attributes(row.data)}><title>{escape(row.label)}</title>')
        out.append(
            f'<text x="{margin_left - 10}" y="{y + 4:.1f}" text-anchor="end" fill="#212529">'
            f"{escape(_shorten(row.label, 32))}</text>"
        )
        if row.marks:
            low = x_of(min(m.value for m in row.marks))
            high = x_of(max(m.value for m in row.marks))
            colour, thickness = ("#D55E00", 4) if row.emphasis else ("#adb5bd", 2)
            out.append(
                f'<line class="range" x1="{low:.1f}" x2="{high:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{colour}" stroke-width="{thickness}"/>'
            )
        if row.box is not None:
            q1, median, q3 = (x_of(v) for v in row.box)
            out.append(
                f'<rect class="box" x="{q1:.1f}" y="{y - 6:.1f}" width="{max(q3 - q1, 1):.1f}" '
                f'height="12" fill="#e9ecef" stroke="#495057" stroke-width="1"/>'
                f'<line x1="{median:.1f}" x2="{median:.1f}" y1="{y - 6:.1f}" y2="{y + 6:.1f}" '
                f'stroke="#495057" stroke-width="1.5"/>'
            )
        # Marks at (nearly) the same value are nudged up and down so that each stays visible.
        placed: list[float] = []
        for mark in sorted(row.marks, key=lambda m: (m.value, m.key)):
            x = x_of(mark.value)
            crowd = sum(1 for other in placed if abs(other - x) < MARK_RADIUS * 1.6)
            placed.append(x)
            offset = ((crowd + 1) // 2) * 5 * (-1 if crowd % 2 else 1)
            offset = max(min(offset, row_height / 2 - MARK_RADIUS), -(row_height / 2 - MARK_RADIUS))
            out.append(_shape(mark.key, x, y + offset, _attributes(mark.data), mark.label))
        if row.mean is not None:
            x = x_of(row.mean)
            tooltip = gettext("Mean %(mean)s", mean=format(row.mean, ".2f"))
            out.append(
                f'<line class="mean" x1="{x:.1f}" x2="{x:.1f}" y1="{y - 9:.1f}" '
                f'y2="{y + 9:.1f}" stroke="#212529" stroke-width="2.5" '
                f'data-value="{row.mean:.4f}"><title>{escape(tooltip)}</title></line>'
            )
        if row.note:
            out.append(
                f'<text x="{margin_left + plot_w + 10}" y="{y + 4:.1f}" fill="#212529">'
                f"{escape(row.note)}</text>"
            )
        out.append("</g>")
    out.append("</svg>")
    return Markup("".join(out))
