from flask import jsonify, render_template
from flask_login import current_user

from nominations import health
from nominations.languages import in_language, localized
from nominations.models import AwardCategory, db
from nominations.public import bp
from nominations.timeutil import now, to_local
from nominations.workflow import start_page
from nominations.workflow.calls import open_categories_query


@bp.route("/")
def index():
    """Everyone's start page: the open calls, and for a signed-in person what they have to do
    in each of their roles (sign-in lands here)."""
    categories = db.session.execute(open_categories_query()).scalars().all()
    todo = {}
    if current_user.is_authenticated:
        todo = {
            "drafts": start_page.open_drafts(current_user) if current_user.is_staff else [],
            "reviews": start_page.reviews_due(current_user),
            "chaired": start_page.chaired_rounds(current_user),
            "rounds": start_page.admin_rounds() if current_user.is_admin else [],
        }
    return render_template("public/index.html", categories=categories, user=current_user, todo=todo)


@bp.route("/healthz")
def healthz():
    body, healthy = health.report()
    return jsonify(body), 200 if healthy else 503


@bp.route("/calls.json")
def calls_json():
    """The open calls for the institute's website, in both languages whatever the visitor's:
    each text once in English (``round``, ``category``, ``description``, ``eligibility``) and
    once in bokmål (the same names with ``_nb``); a text missing in one language is given in
    the other (as the pages show it)."""
    at = now()
    categories = db.session.execute(open_categories_query(at)).scalars().all()
    return jsonify(
        generated_at=at.isoformat(),
        calls=[
            {
                **_in_both_languages(c),
                "round_id": c.round.id,
                "organiser": c.round.organiser,
                "category_id": c.id,
                "prize_amount": c.prize_amount,
                "currency": c.currency,
                "number_of_prizes": c.prize_count,
                "funder": c.funder,
                "opens_at": to_local(c.round.opens_at).isoformat(),
                "closes_at": to_local(c.round.closes_at).isoformat(),
            }
            for c in categories
        ],
    )


def _in_both_languages(category: AwardCategory) -> dict[str, str]:
    texts = {}
    for language, suffix in (("en", ""), ("nb", "_nb")):
        with in_language(language):
            texts[f"round{suffix}"] = category.round.title
            texts[f"category{suffix}"] = localized(category, "name")
            texts[f"description{suffix}"] = localized(category, "description")
            texts[f"eligibility{suffix}"] = localized(category, "eligibility_text")
    return texts
