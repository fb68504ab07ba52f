"""Nominate again: last year's unsuccessful nomination starts this year's draft in one step,
with its text and documents (copied in either storage back-end), nothing submitted, one
draft however often the button is pressed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from nominations.models import AuditEvent, AwardRound, Nomination, NominationStatus, RoundStatus, db
from nominations.timeutil import now
from nominations.workflow.cloning import open_next_year
from tests import factories
from tests.documents import BOTH, stored_bytes
from tests.nominating import PDF, errors, fields, pdf, text

pytestmark = pytest.mark.parametrize("document_storage", BOTH)

LETTER = PDF + b"% a letter of support\n"


def _last_years_nomination(nominator, dept, status=NominationStatus.NOT_AWARDED):
    """A nomination submitted with a CV and a letter in a round that is then moved a year
    back and published with ``status``; this year's round cloned from it (open now)."""
    award_round = factories.award_round(name="ICR Prizes")
    category = factories.category(award_round, "Researcher of the Year", max_support_letters=2)
    response = nominator.submit(
        f"/calls/{category.id}/nominate",
        {
            **fields(dept),
            "cv": pdf("nora-cv.pdf"),
            "support_letters": pdf("letter.pdf", LETTER),
            "submit_nomination": "Submit nomination",
        },
    )
    assert response.status_code == 302, errors(response)
    earlier = db.session.execute(db.select(Nomination)).scalar_one()
    year = timedelta(days=365)
    db.session.execute(
        db.update(AwardRound)
        .where(AwardRound.id == award_round.id)
        .values(
            year=award_round.year - 1,
            opens_at=award_round.opens_at - year,
            closes_at=award_round.closes_at - year,
            review_deadline=award_round.review_deadline - year,
            status=RoundStatus.PUBLISHED,
            published_at=now() - timedelta(days=100),
        )
    )
    earlier.status = status
    db.session.commit()
    db.session.expire_all()
    admin = factories.user("admin@example.org", "Ada Admin", roles=("staff", "admin"))
    this_year = open_next_year(earlier.category.round, actor=admin)
    this_year.opening_confirmed_at = now()
    db.session.commit()
    return earlier, this_year.categories[0]


def _again_action(page: str) -> str | None:
    match = re.search(r'action="(/nominations/\d+/again/\d+)"', page)
    return match.group(1) if match else None


def test_nominate_again_copies_text_and_documents_and_submits_nothing(app, make_client, staff):
    dept = factories.department()
    nominator = make_client(staff.email)
    earlier, category = _last_years_nomination(nominator, dept)
    mine = nominator.get("/nominations/mine").get_data(as_text=True)
    assert f"Nominate again in Researcher of the Year (ICR Prizes {category.round.year})" in mine
    action = _again_action(mine)
    assert action == f"/nominations/{earlier.id}/again/{category.id}"

    first = nominator.submit(action, page="/nominations/mine")
    assert first.status_code == 302
    # A double click: the second request finds the first draft.
    second = nominator.submit(action, page="/nominations/mine", follow_redirects=True)
    assert "You started this nomination of Nora Nominee in Researcher of the Year already" in text(
        second
    )
    drafts = (
        db.session.execute(db.select(Nomination).where(Nomination.category_id == category.id))
        .scalars()
        .all()
    )
    assert len(drafts) == 1
    [draft] = drafts
    assert first.headers["Location"].endswith(f"/nominations/{draft.id}")
    assert draft.status == NominationStatus.DRAFT and draft.submitted_at is None
    assert draft.nominator_id == staff.id and draft.renominated_from_id == earlier.id
    for name in (
        "nominee_name",
        "nominee_email",
        "nominee_department_id",
        "nominee_position",
        "statement",
    ):
        assert getattr(draft, name) == getattr(earlier, name)
    copied = {(a.kind, a.original_name, a.sha256) for a in draft.attachments}
    assert copied == {(a.kind, a.original_name, a.sha256) for a in earlier.attachments}
    assert len(copied) == 2
    originals = {a.original_name: a for a in earlier.attachments}
    for attachment in draft.attachments:
        original = originals[attachment.original_name]
        assert attachment.stored_name != original.stored_name  # its own copy
        assert stored_bytes(attachment.stored_name) == stored_bytes(original.stored_name)
    # The copy downloads like any document of the draft.
    letter = next(a for a in draft.attachments if a.kind == "support_letter")
    download = nominator.get(f"/nominations/{draft.id}/attachments/{letter.id}")
    assert download.status_code == 200 and download.data == LETTER
    # The earlier nomination is as it was; the draft's page says nothing went in.
    assert earlier.status == NominationStatus.NOT_AWARDED
    page = text(nominator.get(f"/nominations/{draft.id}"))
    assert "Submit nomination" in page
    events = (
        db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "nomination.renominate")
        )
        .scalars()
        .all()
    )
    assert len(events) == 1 and events[0].after["from_nomination_id"] == earlier.id

    # Submitting is the nominator's own step, as for any draft.
    response = nominator.submit(
        f"/nominations/{draft.id}",
        {**fields(dept), "submit_nomination": "Submit nomination"},
    )
    assert response.status_code == 302, errors(response)
    db.session.expire_all()
    assert db.session.get(Nomination, draft.id).status == NominationStatus.SUBMITTED


def test_only_ones_own_unsuccessful_nomination_can_be_started_again(app, make_client, staff):
    dept = factories.department()
    nominator = make_client(staff.email)
    earlier, category = _last_years_nomination(nominator, dept, NominationStatus.AWARDED)
    # A winner's nomination offers no button, and the URL refuses.
    mine = nominator.get("/nominations/mine").get_data(as_text=True)
    assert _again_action(mine) is None
    action = f"/nominations/{earlier.id}/again/{category.id}"
    refused = nominator.submit(action, page="/nominations/mine", follow_redirects=True)
    assert "Only a nomination that was not awarded, withdrawn or ineligible" in text(refused)
    # Someone else's nomination does not exist for another nominator.
    earlier.status = NominationStatus.NOT_AWARDED
    db.session.commit()
    factories.user("other@example.org", "Olav Other")
    other = make_client("other@example.org")
    assert other.submit(action, page="/nominations/mine").status_code == 404
    assert (
        db.session.execute(
            db.select(db.func.count(Nomination.id)).where(Nomination.category_id == category.id)
        ).scalar_one()
        == 0
    )
