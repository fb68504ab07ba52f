from flask import Response, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from nominations.exports import bp
from nominations.exports.archives import build_zip, safe_name
from nominations.exports.ranking import ranking_workbook
from nominations.exports.spreadsheets import display, to_csv, to_xlsx
from nominations.extensions import login_manager
from nominations.languages import localized
from nominations.models import AwardCategory, AwardRound, Nomination, db
from nominations.policy import authorize
from nominations.timeutil import now, to_local
from nominations.workflow import NotFound, PermissionDenied, access
from nominations.workflow.exports import (
    COLUMNS,
    PAGE_COLUMNS,
    answer_cells,
    column_names,
    exportable_nomination,
    exportable_rounds,
    letter_readers_ids,
    nomination_row,
    question_columns,
    ranking_for_export,
    visible_nominations,
)
from nominations.workflow.questions.reading import answers_by_nomination, file_answer_labels

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def require_login():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _refused(error: Exception):
    """A workflow's refusal: NotFound is a 404; the rest is the policy's (nominations.errors)."""
    if isinstance(error, NotFound):
        abort(404)
    raise error


def _stamp() -> str:
    return f"{to_local(now()):%Y-%m-%d}"


def _download(body: bytes, fmt: str, filename: str) -> Response:
    mimetype = XLSX if fmt == "xlsx" else "text/csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _spreadsheet(
    nominations: list[Nomination],
    categories: list[AwardCategory],
    fmt: str,
    title: str,
    filename: str,
) -> Response:
    # A column per question of the categories, after the statement (two queries in all).
    questions, headings = question_columns(categories)
    answers = answers_by_nomination([n.id for n in nominations])
    rows = [nomination_row(n) + answer_cells(n, questions, answers) for n in nominations]
    columns = column_names(COLUMNS) + headings  # in the reader's language; file names ASCII
    if fmt == "csv":
        return _download(to_csv(columns, rows), "csv", filename)
    return _download(to_xlsx(title, columns, rows), "xlsx", filename)


def _ascii(name: str) -> str:
    return safe_name(name).encode("ascii", "replace").decode().replace("?", "_").replace(" ", "-")


@bp.route("/")
def index():
    return render_template("exports/index.html", rounds=exportable_rounds(current_user))


@bp.route("/rounds/<int:round_id>")
def round_nominations(round_id: int):
    award_round = db.session.get(AwardRound, round_id) or abort(404)
    authorize("progress.view", current_user, award_round)
    try:
        nominations = visible_nominations(current_user, award_round)
    except (PermissionDenied, NotFound) as error:
        _refused(error)
    return render_template(
        "exports/round.html",
        award_round=award_round,
        ranking_ids={
            c.id for c in award_round.categories if access.can_view_ranking(current_user, c)
        },
        columns=column_names(PAGE_COLUMNS),
        rows=[[display(v) for v in nomination_row(n)[: len(PAGE_COLUMNS)]] for n in nominations],
        nominations=nominations,
    )


@bp.route("/rounds/<int:round_id>/nominations.<any(csv, xlsx):fmt>")
def round_spreadsheet(round_id: int, fmt: str):
    award_round = db.session.get(AwardRound, round_id) or abort(404)
    authorize("progress.view", current_user, award_round)
    try:
        nominations = visible_nominations(current_user, award_round)
    except (PermissionDenied, NotFound) as error:
        _refused(error)
    name = f"nominations-{_ascii(award_round.title)}-{_stamp()}"
    return _spreadsheet(nominations, award_round.categories, fmt, _("Nominations"), name)


@bp.route("/categories/<int:category_id>/nominations.<any(csv, xlsx):fmt>")
def category_spreadsheet(category_id: int, fmt: str):
    category = db.session.get(AwardCategory, category_id) or abort(404)
    authorize("ranking.view", current_user, category)
    try:
        nominations = visible_nominations(current_user, category.round, category)
    except (PermissionDenied, NotFound) as error:
        _refused(error)
    name = f"nominations-{_ascii(category.round.title)}-{_ascii(category.name)}-{_stamp()}"
    return _spreadsheet(nominations, [category], fmt, localized(category, "name"), name)


@bp.route("/categories/<int:category_id>/ranking.xlsx")
def category_ranking(category_id: int):
    """The ranking with every reviewer's scores; ``sort`` and ``dir`` as on the ranking page."""
    category = db.session.get(AwardCategory, category_id) or abort(404)
    authorize("ranking.view", current_user, category)
    direction = request.args.get("dir")
    try:
        details = ranking_for_export(
            current_user,
            category,
            sort=request.args.get("sort", "normalised"),
            descending=None if direction not in ("asc", "desc") else direction == "desc",
        )
    except PermissionDenied as error:
        _refused(error)
    body = ranking_workbook(
        details, exported_at=to_local(now()).replace(tzinfo=None, microsecond=0)
    )
    name = f"ranking-{_ascii(category.round.title)}-{_ascii(category.name)}-{_stamp()}"
    return _download(body, "xlsx", name)


@bp.route("/categories/<int:category_id>/attachments.zip")
def category_attachments(category_id: int):
    category = db.session.get(AwardCategory, category_id) or abort(404)
    authorize("ranking.view", current_user, category)
    try:
        nominations = visible_nominations(current_user, category.round, category)
    except (PermissionDenied, NotFound) as error:
        _refused(error)
    name = f"attachments-{_ascii(category.round.title)}-{_ascii(category.name)}.zip"
    letters = letter_readers_ids(current_user, nominations)
    return _send_zip(
        build_zip(nominations, folders=True, labels=_labels(nominations), letters_of=letters),
        name,
    )


@bp.route("/nominations/<int:nomination_id>/attachments.zip")
def nomination_attachments(nomination_id: int):
    nomination = db.session.get(Nomination, nomination_id) or abort(404)
    authorize("progress.view", current_user, nomination.category.round)
    try:
        exportable_nomination(current_user, nomination)
    except (PermissionDenied, NotFound) as error:
        _refused(error)
    name = f"attachments-{nomination.id}-{_ascii(nomination.nominee_name)}.zip"
    letters = letter_readers_ids(current_user, [nomination])
    return _send_zip(
        build_zip([nomination], folders=False, labels=_labels([nomination]), letters_of=letters),
        name,
    )


def _labels(nominations: list[Nomination]) -> dict[int, str]:
    """The question each file answer answers, by attachment id (for its name in the ZIP)."""
    return file_answer_labels(
        [a.id for n in nominations for a in n.attachments if a.kind == "answer"]
    )


def _send_zip(archive, filename: str) -> Response:
    response = send_file(
        archive, mimetype="application/zip", as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    current_app.logger.info("Attachments exported by %s: %s", current_user.email, filename)
    return response
