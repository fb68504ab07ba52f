"""Admin: charts of nominations per category and per department over the years."""

from flask import render_template

from nominations.admin import bp
from nominations.charts import Series, grouped_bars
from nominations.workflow.reports import (
    YearlyCounts,
    nominations_per_category,
    nominations_per_department,
)

YEARS_SHOWN = 10


def _chart(title: str, counts: YearlyCounts, chart_id: str):
    return grouped_bars(
        title,
        [str(year) for year in counts.years],
        [Series(name, values) for name, values in counts.series.items()],
        chart_id=chart_id,
        unit="nominations",
        note="The same numbers are in the table below the chart.",
    )


@bp.route("/charts")
def charts():
    per_category = nominations_per_category(YEARS_SHOWN)
    per_department = nominations_per_department(YEARS_SHOWN)
    return render_template(
        "admin/charts.html",
        sections=[
            (
                "Nominations per category",
                "Category",
                per_category,
                _chart("Nominations per category and year", per_category, "chart-category"),
            ),
            (
                "Nominations per department (of the nominee)",
                "Department",
                per_department,
                _chart("Nominations per department and year", per_department, "chart-department"),
            ),
        ],
        years_shown=YEARS_SHOWN,
    )
