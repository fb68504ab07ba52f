"""Admin: charts of nominations per category and per department over the years."""

from flask import render_template
from flask_babel import gettext as _

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
        unit=_("nominations"),
        note=_("The same numbers are in the table below the chart."),
    )


@bp.route("/charts")
def charts():
    per_category = nominations_per_category(YEARS_SHOWN)
    per_department = nominations_per_department(YEARS_SHOWN)
    return render_template(
        "admin/charts.html",
        sections=[
            (
                _("Nominations per category"),
                _("Category"),
                per_category,
                _chart(_("Nominations per category and year"), per_category, "chart-category"),
            ),
            (
                _("Nominations per department (of the nominee)"),
                _("Department"),
                per_department,
                _chart(
                    _("Nominations per department and year"), per_department, "chart-department"
                ),
            ),
        ],
        years_shown=YEARS_SHOWN,
    )
