from flask import current_app, jsonify, render_template
from flask_login import current_user

from nominations import health
from nominations.models import AwardCategory, AwardRound, db
from nominations.public import bp, reads
from nominations.timeutil import now, to_local
from nominations.workflow import start_page
from nominations.workflow.calls import OPEN_CALL_ORDER, open_categories_query, open_round_conditions


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


# The open calls as plain rows (the feed needs no objects), in one statement built once.
OPEN_CALL_ROWS = (
    db.select(
        AwardRound.id.label("round_id"),
        AwardRound.name.label("round_name"),
        AwardRound.name_nb.label("round_name_nb"),
        AwardRound.year,
        AwardRound.organiser,
        AwardRound.opens_at,
        AwardRound.closes_at,
        AwardCategory.id,
        AwardCategory.name,
        AwardCategory.prize_amount,
        AwardCategory.currency,
        AwardCategory.prize_count,
        AwardCategory.funder,
        AwardCategory.eligibility_text,
        AwardCategory.name_nb,
        AwardCategory.description,
        AwardCategory.description_nb,
        AwardCategory.eligibility_text_nb,
    )
    .join_from(AwardCategory, AwardRound, AwardCategory.round_id == AwardRound.id)
    .where(*open_round_conditions(db.bindparam("at")))
    .order_by(*OPEN_CALL_ORDER)
)


@bp.route("/calls.json")
def calls_json():
    """The open calls for the institute's website, in both languages whatever the visitor's:
    each text once in English (``round``, ``category``, ``description``, ``eligibility``) and
    once in bokmål (the same names with ``_nb``); a text missing in one language is given in
    the other (as the pages show it).

    The list is serialized once per content: the rows read now (one statement) are the key,
    so a change made anywhere shows on the next request (see calls.listing for the reasoning);
    only ``generated_at`` is written per request."""
    at = now()
    rows = tuple(reads.rows(OPEN_CALL_ROWS, {"at": at}))
    calls = reads.kept("calls.json").get(rows, lambda: _serialized_calls(rows))
    # As jsonify writes it (keys sorted, compact), with the kept list spliced in.
    # (an ISO time is plain ASCII: it needs no escaping to be a JSON string)
    body = f'{{"calls":{calls},"generated_at":"{at.isoformat()}"}}\n'
    return current_app.response_class(body, mimetype="application/json")


def _serialized_calls(rows) -> str:
    rounds: dict[int, tuple[str, str]] = {}  # local times, once per round
    for row in rows:
        if row.round_id not in rounds:
            rounds[row.round_id] = (
                to_local(row.opens_at).isoformat(),
                to_local(row.closes_at).isoformat(),
            )
    calls = []
    for row in rows:
        opens, closes = rounds[row.round_id]
        calls.append(
            {
                **_in_both_languages(row),
                "round_id": row.round_id,
                "organiser": row.organiser,
                "category_id": row.id,
                "prize_amount": row.prize_amount,
                "currency": row.currency,
                "number_of_prizes": row.prize_count,
                "funder": row.funder,
                "opens_at": opens,
                "closes_at": closes,
            }
        )
    return current_app.json.dumps(calls, separators=(",", ":"))


def _in_both_languages(row) -> dict[str, str]:
    """Each text in English and in bokmål; a text missing in one is given in the other."""
    texts = {}
    pairs = {
        "round": (row.round_name, row.round_name_nb),
        "category": (row.name, row.name_nb),
        "description": (row.description, row.description_nb),
        "eligibility": (row.eligibility_text, row.eligibility_text_nb),
    }
    for key, (english, bokmal) in pairs.items():
        texts[key] = english or bokmal
        texts[f"{key}_nb"] = bokmal or english
    texts["round"] = AwardRound.title_of(texts["round"], row.year)
    texts["round_nb"] = AwardRound.title_of(texts["round_nb"], row.year)
    return texts
