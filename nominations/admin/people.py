"""Admin: a person's data. Find a person (nominee, nominator, reviewer; by name or e-mail),
see what is held about them, download it (the access export) or erase them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nominations.admin import bp
from nominations.admin.panel_forms import ActionForm
from nominations.confirming import Question, ask_first, asks
from nominations.forms import refuse
from nominations.privacy.erasure import erase_person, refusals
from nominations.privacy.export import export_person
from nominations.privacy.person_data import SOURCES, Person, counts, find_person, search_people
from nominations.timeutil import now, to_local
from nominations.workflow import WorkflowError


def _person(email: str) -> Person:
    if "@" not in email or len(email) > 254:
        abort(404)
    return find_person(email)


def _kinds(person: Person) -> list[tuple]:
    """(source, count) of every kind of data held about ``person``, in the registry's order."""
    held = counts(person)
    return [(SOURCES[key], number) for key, number in held.items() if number]


@bp.route("/people")
def people():
    query = request.args.get("q", "").strip()[:200]
    found = search_people(query) if query else []
    return render_template("admin/people.html", query=query, found=found)


@bp.route("/people/<email>")
def person(email: str):
    found = _person(email)
    return render_template(
        "admin/person.html", person=found, kinds=_kinds(found), action_form=ActionForm()
    )


@bp.route("/people/<email>/export", methods=["POST"])
def export_person_data(email: str):
    found = _person(email)
    if not ActionForm().validate_on_submit():
        return redirect(url_for("admin.person", email=email))
    archive = export_person(found, actor=current_user)
    stamp = to_local(now()).date().isoformat()
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"personal-data-{stamp}.zip",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@asks("admin.erase_person_data")
def _erasing(person: Person) -> Question:
    return Question(
        _("Erase %(name)s?", name=person.display_name),
        _(
            "Their name is replaced, their e-mail, documents and texts are removed; this "
            "cannot be undone."
        ),
        _("Erase %(name)s", name=person.display_name),
        url_for("admin.person", email=person.email),
    )


@bp.route("/people/<email>/erase", methods=["GET", "POST"])
def erase_person_data(email: str):
    found = _person(email)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            erased = erase_person(found, actor=current_user)
        except WorkflowError as error:
            refuse(error)
            return redirect(url_for("admin.person", email=email))
        if (page := ask_first(found)) is not None:
            return page
        flash(
            _(
                "The person is erased and now appears as “%(name)s”: %(rows)d records "
                "anonymised or removed.",
                name=erased.replacement,
                rows=sum(erased.counts.values()),
            ),
            "success",
        )
        return redirect(url_for("admin.people"))
    return render_template(
        "admin/person_erase.html",
        person=found,
        kinds=_kinds(found),
        refused=refusals(found, current_user),
        action_form=form,
    )
