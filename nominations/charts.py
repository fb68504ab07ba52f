"""Charts as SVG drawn on the server: no JavaScript, no CDN, no inline styles.

Only SVG presentation attributes (fill, stroke, font-size ...) are used, which the
Content-Security-Policy allows. Each chart has a title and a description for screen readers;
pages show the same numbers in a table as well.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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
    width: int = 760,
    height: int = 320,
) -> Markup:
    """A grouped bar chart: one group per label in ``groups``, one bar per series in each."""
    margin_left, margin_right, margin_top, margin_bottom = 48, 16, 36, 40
    legend_rows = math.ceil(len(series) / 3) if series else 0
    legend_height = legend_rows * 20 + (8 if legend_rows else 0)
    total_height = height + legend_height
    plot_w = width - margin_left - margin_right
    plot_h = height - margin_top - margin_bottom
    largest = max((v for s in series for v in s.values), default=0)
    top, step = nice_max(largest)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    description = (
        f"{len(series)} series over {len(groups)} groups; the largest value is {_number(largest)}"
        f"{' ' + unit if unit else ''}."
    )
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
            f'text-anchor="middle" fill="#6c757d">No data yet</text>'
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
