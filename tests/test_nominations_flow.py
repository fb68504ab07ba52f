"""Nominating over HTTP with CSRF on: drafts, submission, edits, withdrawal, the deadline,
the statement's word limit, eligibility rules, duplicates and who may see what."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from nominations.models import AuditEvent, Nomination, NominationStatus, OutboxMessage, db
from nominations.timeutil import from_local, now, to_local
from tests import factories
from tests.nominating import PDF, errors, fields, only_nomination, pdf, text

SAVE = {"save_draft": "Save draft"}
SUBMIT = {"submit_nomination": "Submit nomination"}
CHANGE = {"save_changes": "Save changes"}


@pytest.fixture
def dept(app):
    return factories.department("Department of Tumor Biology")


@pytest.fixture
def category(app):
    award_round = factories.award_round("ICR Prizes")
    return factories.category(
        award_round,
        "Researcher of the Year",
        100_000,
        funder="The Radium Hospital Foundation",
        word_limit=20,
        max_support_letters=2,
    )


@pytest.fixture
def nominator(make_client, staff):
    return make_client("staff@example.org")


def new_url(category) -> str:
    return f"/calls/{category.id}/nominate"


def actions() -> list[str]:
    """The audit trail of nominations and their documents, oldest first."""
    return list(
        db.session.execute(
            db.select(AuditEvent.action)
            .where(AuditEvent.object_type.in_(["Nomination", "Attachment"]))
            .order_by(AuditEvent.id)
        ).scalars()
    )


def test_draft_submit_edit_withdraw_cycle(nominator, category, dept, staff):
    calls = text(nominator.get("/calls"))
    assert f'href="{new_url(category)}"' in calls

    # A draft with only a name: nothing is required yet.
    response = nominator.submit(new_url(category), {"nominee_name": "Nora Nominee", **SAVE})
    assert response.status_code == 302
    nomination = only_nomination()
    assert nomination.status == NominationStatus.DRAFT and nomination.nominee_name == "Nora Nominee"
    url = f"/nominations/{nomination.id}"
    assert response.headers["Location"] == url
    page = text(nominator.get(url))
    assert "Draft saved at" in page and 'value="Nora Nominee"' in page
    assert "Nora Nominee" in text(nominator.get("/nominations/mine"))

    # Come back, complete it, add the CV and submit.
    response = nominator.submit(url, {**fields(dept), "cv": pdf(), **SUBMIT})
    assert response.status_code == 302, errors(response)
    nomination = only_nomination()
    assert nomination.status == NominationStatus.SUBMITTED
    assert nomination.submitted_at is not None
    assert [a.kind for a in nomination.attachments] == ["cv"]
    page = text(nominator.get(url))
    assert "Nomination submitted" in page and "Withdraw nomination" in page

    # Edit after submitting, until the closing time; the audit log keeps before and after.
    moved = factories.department("Department of Cancer Genetics")
    response = nominator.submit(
        url,
        {
            **fields(dept, nominee_position="Group leader"),
            "nominee_department_id": moved.id,
            **CHANGE,
        },
    )
    assert response.status_code == 302, errors(response)
    nomination = only_nomination()
    assert (nomination.nominee_position, nomination.nominee_department_id) == (
        "Group leader",
        moved.id,
    )
    assert nomination.status == NominationStatus.SUBMITTED
    edit = (
        db.session.execute(
            db.select(AuditEvent)
            .where(AuditEvent.action == "nomination.update")
            .order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert edit.before == {
        "nominee_department_id": dept.id,
        "nominee_position": "Postdoctoral fellow",
    }
    assert edit.after == {"nominee_department_id": moved.id, "nominee_position": "Group leader"}
    assert edit.actor_id == staff.id

    # Withdraw (confirmed: the question itself is tested in tests/test_confirming.py).
    response = nominator.submit(
        f"{url}/withdraw", {"confirmed": "1"}, page=url, follow_redirects=True
    )
    assert "Nomination withdrawn" in text(response)
    nomination = only_nomination()
    assert nomination.status == NominationStatus.WITHDRAWN and nomination.withdrawn_at
    mine = text(nominator.get("/nominations/mine"))
    assert "withdrawn" in mine and "Researcher of the Year" in mine

    # Confirmation e-mails for the submission and the withdrawal, to the nominator.
    messages = db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
    assert [(m.recipient, m.subject.split(":")[0]) for m in messages] == [
        (staff.email, "Nomination received"),
        (staff.email, "Nomination withdrawn"),
    ]
    assert actions() == [
        "nomination.create",
        # A draft saved again: its documents first, then what changed of the nomination
        # (known only once the documents are in: a change to either makes it a draft).
        "attachment.add",
        "nomination.update",
        "nomination.submit",
        "nomination.update",
        "nomination.withdraw",
    ]

    # Submitted again after withdrawal: a new submission, confirmed again.
    response = nominator.submit(url, {**fields(dept), **SUBMIT})
    assert response.status_code == 302, errors(response)
    assert only_nomination().status == NominationStatus.SUBMITTED
    assert db.session.execute(db.select(db.func.count(OutboxMessage.id))).scalar() == 3


def test_refused_submit_keeps_the_draft_and_shows_every_missing_field(nominator, category, dept):
    response = nominator.submit(
        new_url(category), {"nominee_name": "Nora Nominee", "statement": "Great.", **SUBMIT}
    )
    assert response.status_code == 200
    shown = errors(response)
    assert "Enter the nominee's e-mail address." in shown
    assert "Choose a department." in shown
    assert "Upload the nominee's CV (PDF)." in shown
    assert any("cannot be submitted until" in message for message in shown)
    # The typed values are saved as a draft and still in the form.
    nomination = only_nomination()
    assert nomination.status == NominationStatus.DRAFT
    assert (nomination.nominee_name, nomination.statement) == ("Nora Nominee", "Great.")
    page = text(response)
    assert 'value="Nora Nominee"' in page and "Great.</textarea>" in page
    assert f'action="/nominations/{nomination.id}"' in page
    assert db.session.execute(db.select(OutboxMessage)).first() is None


def test_editing_a_submitted_nomination_is_all_or_nothing(nominator, category, dept):
    nominator.submit(new_url(category), {**fields(dept), "cv": pdf(), **SUBMIT})
    nomination = only_nomination()
    response = nominator.submit(
        f"/nominations/{nomination.id}",
        {**fields(dept, nominee_position="Professor", nominee_name=""), **CHANGE},
    )
    assert "Enter the nominee's name." in errors(response)
    assert 'value="Professor"' in text(response)  # what was typed is still there
    nomination = only_nomination()
    assert nomination.nominee_name == "Nora Nominee"
    assert nomination.nominee_position == "Postdoctoral fellow"
    assert nomination.status == NominationStatus.SUBMITTED


def test_word_limit_is_counted_on_the_server(nominator, category, dept):
    page = text(nominator.get(new_url(category)))
    assert 'data-word-limit="20"' in page and 'id="statement-count"' in page
    too_long = " ".join(["word"] * 21)
    response = nominator.submit(
        new_url(category), {**fields(dept, statement=too_long), "cv": pdf(), **SUBMIT}
    )
    assert any("The statement has 21 words; the limit" in e for e in errors(response))
    assert only_nomination().status == NominationStatus.DRAFT
    assert only_nomination().statement == too_long  # kept, to be shortened
    response = nominator.submit(
        f"/nominations/{only_nomination().id}",
        {**fields(dept, statement=" ".join(["word"] * 20)), **SUBMIT},
    )
    assert response.status_code == 302, errors(response)
    assert only_nomination().status == NominationStatus.SUBMITTED


@pytest.fixture
def early_career(app):
    award_round = factories.award_round("OUH Research Awards")
    return factories.category(
        award_round, "Early Career Award", 200_000, prize_count=2, phd_within_years=8
    )


def test_career_stage_rule_measured_at_the_closing_date(nominator, early_career, dept):
    closing_day = to_local(early_career.round.closes_at).date()
    earliest = closing_day.replace(year=closing_day.year - 8)
    page = text(nominator.get(new_url(early_career)))
    assert "Date of the nominee's PhD" in page
    assert f"on or after {earliest.day} {earliest:%B %Y}" in page

    def attempt(phd):
        data = {**fields(dept), "cv": pdf(), **SUBMIT}
        if phd is not None:
            data["nominee_phd_date"] = phd.isoformat()
        nominator.submit(new_url(early_career), {**fields(dept), **SAVE})
        nomination = (
            db.session.execute(db.select(Nomination).order_by(Nomination.id.desc()))
            .scalars()
            .first()
        )
        return nominator.submit(f"/nominations/{nomination.id}", data)

    missing = attempt(None)
    assert "Enter the date of the nominee's PhD." in errors(missing)
    too_early = attempt(earliest - timedelta(days=1))
    assert any("within the last 8 years" in e for e in errors(too_early))
    after_closing = attempt(closing_day + timedelta(days=1))
    assert any("must not be after the closing date" in e for e in errors(after_closing))
    on_the_day = attempt(earliest)
    assert on_the_day.status_code == 302, errors(on_the_day)
    statuses = db.session.execute(db.select(Nomination.status).order_by(Nomination.id)).scalars()
    assert list(statuses) == ["draft", "draft", "draft", "submitted"]


@pytest.mark.parametrize("allowed", [False, True])
def test_self_nomination_only_where_the_category_allows_it(nominator, dept, allowed):
    award_round = factories.award_round()
    category = factories.category(award_round, "Open Prize", 5_000, self_nomination_allowed=allowed)
    response = nominator.submit(
        new_url(category),
        {**fields(dept, nominee_email="Staff@Example.org"), "cv": pdf(), **SUBMIT},
    )
    nomination = only_nomination()
    assert nomination.nominee_email == "staff@example.org"
    if allowed:
        assert response.status_code == 302, errors(response)
        assert nomination.status == NominationStatus.SUBMITTED
    else:
        assert any("does not accept self-nominations" in e for e in errors(response))
        assert nomination.status == NominationStatus.DRAFT


def test_department_nominates_only_where_allowed_and_only_its_own(make_client, dept):
    other = factories.department("Department of Radiation Biology")
    factories.user("head@example.org", "Hedda Head", dept=other)
    client = make_client("head@example.org")
    award_round = factories.award_round()
    employee = factories.category(
        award_round, "Employee of the Year", 50_000, department_nomination_allowed=True
    )
    researcher = factories.category(award_round, "Researcher of the Year", 100_000)

    page = text(client.get(new_url(employee)))
    assert "Who nominates" in page and "Department of Radiation Biology (on its behalf)" in page
    assert "Who nominates" not in text(client.get(new_url(researcher)))

    # Not a department the nominator acts for: refused at the field, nothing stored.
    response = client.submit(
        new_url(employee), {**fields(dept, on_behalf_of_department_id=str(dept.id)), **SAVE}
    )
    assert response.status_code == 200 and errors(response)
    assert db.session.execute(db.select(Nomination)).first() is None

    response = client.submit(
        new_url(employee),
        {**fields(dept, on_behalf_of_department_id=str(other.id)), "cv": pdf(), **SUBMIT},
    )
    assert response.status_code == 302, errors(response)
    nomination = only_nomination()
    assert nomination.on_behalf_of_department_id == other.id
    assert nomination.status == NominationStatus.SUBMITTED

    # A category without departmental nominations ignores the field.
    client.submit(
        new_url(researcher),
        {**fields(dept, on_behalf_of_department_id=str(other.id)), **SAVE},
    )
    latest = db.session.execute(
        db.select(Nomination).where(Nomination.category_id == researcher.id)
    ).scalar_one()
    assert latest.on_behalf_of_department_id is None


# --- the deadline ------------------------------------------------------------------------


def _round_closing_at(closes_at: datetime):
    award_round = factories.award_round(
        "Deadline Prizes",
        opens_at=closes_at - timedelta(days=30),
        closes_at=closes_at,
        review_deadline=closes_at + timedelta(days=30),
    )
    return factories.category(award_round, "Researcher of the Year", 100_000)


@pytest.mark.parametrize(
    ("closes_at", "shown"),
    [
        # The end of the closing day in winter (UTC+1).
        (from_local(date(2026, 3, 7)), "7 March 2026, 23:59:59 CET"),
        # Just after the spring change: 02:00 CET jumps to 03:00 CEST on 29 March 2026,
        # so one second before 03:00 CEST is 01:59:59 CET, one hour earlier than a naive
        # wall-clock subtraction would say.
        (from_local(date(2026, 3, 29), time(3, 0)), "29 March 2026, 03:00 CEST"),
    ],
    ids=["end-of-day", "after-dst-change"],
)
def test_closing_boundary_to_the_second(make_client, staff, dept, closes_at, shown):
    category = _round_closing_at(closes_at)
    # Sign in within the moved clock: a session cookie from the future is not accepted.
    with time_machine.travel(closes_at - timedelta(hours=3), tick=False) as clock:
        nominator = make_client("staff@example.org")
        nominator.submit(new_url(category), {**fields(dept), "cv": pdf(), **SAVE})
        first = only_nomination()
        second = nominator.submit(new_url(category), {**fields(dept), "cv": pdf(), **SAVE})
        assert second.status_code == 302
        url = f"/nominations/{first.id}"
        other_url = second.headers["Location"]

        # One second before the closing time: accepted.
        clock.move_to(closes_at - timedelta(seconds=1))
        response = nominator.submit(url, {**fields(dept), **SUBMIT})
        assert response.status_code == 302, errors(response)
        assert db.session.get(Nomination, first.id).status == NominationStatus.SUBMITTED

        # At the closing time and after it: refused, the draft kept, the time in Oslo time.
        for offset in (timedelta(0), timedelta(seconds=1), timedelta(days=2)):
            clock.move_to(closes_at + offset)
            response = nominator.submit(
                other_url, {**fields(dept, nominee_name="Changed Late"), **SUBMIT}
            )
            assert response.status_code == 200
            message = " ".join(errors(response))
            assert f"The call closed at {shown}." in message
            assert "Your nomination is kept as it was saved" in message
            assert 'value="Changed Late"' in text(response)  # typed values are not lost
            db.session.expire_all()
            kept = db.session.get(Nomination, int(other_url.rsplit("/", 1)[1]))
            assert kept.status == NominationStatus.DRAFT
            assert kept.nominee_name == "Nora Nominee"
            # Edits and withdrawal of the submitted one are refused as well.
            response = nominator.submit(url, {**fields(dept, nominee_name="X"), **CHANGE})
            assert f"The call closed at {shown}." in " ".join(errors(response))
            response = nominator.submit(f"{url}/withdraw", {}, page=url, follow_redirects=True)
            assert f"The call closed at {shown}." in text(response)
            # And new nominations.
            response = nominator.submit(new_url(category), {**fields(dept), **SAVE}, page="/calls")
            assert "Nothing was saved" in " ".join(errors(response))

        # After closing the nominator still reads the nomination, without a form.
        page = text(nominator.get(url))
        assert "Nora Nominee" in page and "Save changes" not in page and "Withdraw" not in page
        assert f"The call closed at {shown}." in page

    db.session.expire_all()
    submitted = db.session.get(Nomination, first.id)
    assert (submitted.status, submitted.nominee_name) == ("submitted", "Nora Nominee")
    assert db.session.execute(db.select(db.func.count(Nomination.id))).scalar() == 2


def test_the_dst_boundary_is_not_the_naive_one(make_client, staff, dept):
    # 02:30 local on 29 March 2026 does not exist; 01:30 UTC is already 03:30 CEST.
    closes_at = from_local(date(2026, 3, 29), time(3, 0))
    assert closes_at == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    category = _round_closing_at(closes_at)
    with time_machine.travel(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), tick=False) as clock:
        nominator = make_client("staff@example.org")
        # 01:30 CET: the wall clock says "before 03:00", and it is.
        response = nominator.submit(new_url(category), {**fields(dept), **SAVE})
        assert response.status_code == 302
        # 01:30 UTC is 03:30 CEST: closed, though 02:30 "local winter time" would not be.
        clock.move_to(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
        response = nominator.submit(new_url(category), {**fields(dept), **SAVE}, page="/calls")
    assert "The call closed at 29 March 2026, 03:00 CEST." in " ".join(errors(response))


def test_a_call_not_yet_open_takes_no_nominations(nominator, dept):
    award_round = factories.award_round(
        "Later", opens_at=now() + timedelta(days=2), closes_at=now() + timedelta(days=30)
    )
    category = factories.category(award_round, "Not yet", 1_000)
    response = nominator.get(new_url(category), follow_redirects=True)
    assert "The call opens at" in text(response)
    response = nominator.submit(new_url(category), {**fields(dept), **SAVE}, page="/calls")
    assert "The call opens at" in " ".join(errors(response))
    assert db.session.execute(db.select(Nomination)).first() is None


# --- duplicates and privacy ----------------------------------------------------------------


def test_duplicate_nominee_is_shown_to_the_nominator_and_never_merged(
    make_client, nominator, category, dept
):
    nominator.submit(new_url(category), {**fields(dept), "cv": pdf(), **SUBMIT})
    factories.user("colleague@example.org", "Cole League")
    colleague = make_client("colleague@example.org")
    response = colleague.submit(
        new_url(category),
        {**fields(dept, nominee_email="NORA@example.org"), "cv": pdf(), **SUBMIT},
        follow_redirects=True,
    )
    page = text(response)
    assert "Nora Nominee already has another nomination in Researcher of the Year" in page
    assert "This nominee already has another nomination" in page
    nominations = db.session.execute(db.select(Nomination)).scalars().all()
    assert len(nominations) == 2
    assert {n.status for n in nominations} == {NominationStatus.SUBMITTED}
    assert {n.nominee_email for n in nominations} == {"nora@example.org"}


def test_another_staff_member_gets_404_on_my_nomination(make_client, nominator, category, dept):
    nominator.submit(new_url(category), {**fields(dept), "cv": pdf(), **SUBMIT})
    nomination = only_nomination()
    url = f"/nominations/{nomination.id}"
    document = f"{url}/attachments/{nomination.attachments[0].id}"
    factories.user("nosy@example.org", "Nosy Parker")
    nosy = make_client("nosy@example.org")
    assert nosy.get(url).status_code == 404
    assert nosy.get(document).status_code == 404
    token = nosy.csrf_token("/calls")
    changed = nosy.post(
        url, data={**fields(dept, nominee_name="Hijacked"), **CHANGE, "csrf_token": token}
    )
    assert changed.status_code == 404
    assert nosy.post(f"{url}/withdraw", data={"csrf_token": token}).status_code == 404
    assert nominator.get(url).status_code == 200
    assert nominator.get(document).status_code == 200
    nomination = only_nomination()
    assert nomination.nominee_name == "Nora Nominee"
    assert nomination.status == NominationStatus.SUBMITTED
    assert "Nora Nominee" not in text(nosy.get("/nominations/mine"))
    # Signed out: sent to the login page.
    assert nosy.post("/logout", data={"csrf_token": token}).status_code == 302
    assert nosy.get(url).headers["Location"].startswith("/login")


def test_missing_nomination_is_404_too(nominator, category):
    assert nominator.get("/nominations/999999").status_code == 404
    assert nominator.get("/calls/999999/nominate").status_code == 404


def test_default_file_limit_is_ten_megabytes(nominator, category, dept, app):
    assert app.config["MAX_FILE_BYTES"] == 10 * 1024 * 1024
    limit = app.config["MAX_FILE_BYTES"]
    exactly = PDF + b"%" * (limit - len(PDF))
    response = nominator.submit(
        new_url(category),
        {
            **fields(dept),
            "cv": pdf("cv.pdf", exactly),
            "publications": pdf("publications.pdf", exactly + b"%"),
            **SAVE,
        },
    )
    assert "“publications.pdf” is larger than 10 MB" in " ".join(errors(response))
    [cv] = only_nomination().attachments
    assert (cv.original_name, cv.size_bytes) == ("cv.pdf", limit)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nominee_email": "not an e-mail"}, "nominee_email"),
        ({"nominee_email": "nóra@exämple.org"}, "nominee_email"),
        ({"nominee_name": "N" * 201}, "nominee_name"),
        ({"nominee_department_id": "abc"}, "nominee_department_id"),
        ({"nominee_department_id": "99999999999999999999"}, "nominee_department_id"),
        ({"remove_documents": "abc"}, "remove_documents"),
        ({"statement": "x" * 100_001}, "statement"),
    ],
    ids=["email", "unicode-email", "long-name", "department", "huge-id", "remove", "huge"],
)
def test_malformed_input_is_a_form_error_and_nothing_is_stored(
    nominator, category, dept, overrides, field
):
    response = nominator.submit(new_url(category), {**fields(dept, **overrides), **SUBMIT})
    assert response.status_code == 200
    assert errors(response)
    assert db.session.execute(db.select(Nomination)).first() is None


def test_control_characters_are_cleaned_not_stored(nominator, category, dept):
    response = nominator.submit(
        new_url(category),
        {
            **fields(dept, nominee_name="Nora\x00 \x07Nominee", statement="Line one\r\nTwo\x00"),
            **SAVE,
        },
    )
    assert response.status_code == 302, errors(response)
    nomination = only_nomination()
    assert nomination.nominee_name == "Nora Nominee"
    assert nomination.statement == "Line one\nTwo"
