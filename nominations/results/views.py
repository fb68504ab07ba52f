from itertools import groupby

from flask import Response, abort, current_app, render_template, request

from nominations.models import AwardRound, RoundStatus, db
from nominations.results import bp, feeds
from nominations.timeutil import now
from nominations.workflow.calls import open_categories_query
from nominations.workflow.results import (
    history_query,
    published_results,
    published_years,
    winners_query,
)

# The Atom feed carries the latest winners; older ones are on the history page.
FEED_LIMIT = 100


def _published_round(round_id: int) -> AwardRound:
    """The round if its results are public; 404 otherwise, for everybody (admins included)."""
    award_round = db.session.get(AwardRound, round_id)
    if award_round is None or award_round.status != RoundStatus.PUBLISHED:
        abort(404)
    return award_round


@bp.route("/results/<int:round_id>")
def round_results(round_id: int):
    award_round = _published_round(round_id)
    return render_template(
        "results/round.html", award_round=award_round, results=published_results(award_round)
    )


@bp.route("/results/")
def history():
    name = request.args.get("name", "").strip()
    award = request.args.get("award", "").strip()
    year = request.args.get("year", type=int)
    page = db.paginate(
        history_query(name=name, award=award, year=year),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    # Group the page's winners by round, keeping the order of the query.
    groups = [
        (award_round, list(decisions))
        for award_round, decisions in groupby(page.items, key=lambda d: d.category.round)
    ]
    return render_template(
        "results/history.html",
        page=page,
        groups=groups,
        name=name,
        award=award,
        year=year,
        years=published_years(),
        searching=bool(name or award or year),
    )


@bp.route("/calls.ics")
def calls_ics():
    at = now()
    categories = db.session.execute(open_categories_query(at)).scalars().all()
    return Response(
        feeds.calls_calendar(categories, at),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'inline; filename="calls.ics"'},
    )


@bp.route("/results.atom")
def results_atom():
    winners = (
        db.session.execute(winners_query(newest_published_first=True).limit(FEED_LIMIT))
        .scalars()
        .all()
    )
    return Response(feeds.results_atom(winners), mimetype="application/atom+xml")
