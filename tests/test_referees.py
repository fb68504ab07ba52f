"""Referee letters over HTTP with CSRF: naming referees, the personal link (no account, once
per upload, replaceable until the letter deadline, the same page for every link that does not
work), who sees the letters (the panel and admins, never the nominator nor a conflicted
reviewer), removing a referee, the required number of letters, and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from nominations.models import AuditEvent, Nomination, OutboxMessage, Referee, User, db
from nominations.timeutil import now, shift_local
from nominations.workflow.referees import letter_deadline
from tests import factories
from tests.documents import BOTH, stored_bytes, stored_names
from tests.nominating import PDF, PNG, errors, pdf, text
from tests.review_setup import user

pytestmark = pytest.mark.parametrize("document_storage", BOTH)

LINK_RE = re.compile(r"http://localhost(/referee/[A-Za-z0-9_\-]+)")
LETTER = PDF + b"% Rita's letter: CONFIDENTIAL-LETTER-TEXT\n"


@pytest.fixture
def world(app):
    dept = factories.department()
    nominator = user("nominator@example.org", "Nina Nominator", dept=dept)
    award_round = factories.award_round()
    category = factories.category(award_round, "Researcher of the Year", required_letters=2)
    nomination = factories.nomination(category, nominator, "Tora Target", "tora@example.org")
    return nomination


@pytest.fixture
def nominator(make_client, world):
    return make_client("nominator@example.org")


def name(client, nomination, referee_name="Rita Referee", email="rita@example.org", **extra):
    url = f"/nominations/{nomination.id}/referees"
    data = {"name": referee_name, "email": email, "relation": "Former supervisor", **extra}
    return client.submit(url, data)


def links_to(email: str) -> list[str]:
    """The referee links e-mailed to ``email``, oldest first (from the outbox)."""
    bodies = db.session.execute(
        db.select(OutboxMessage.body_text)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id)
    ).scalars()
    return [m.group(1) for body in bodies for m in [LINK_RE.search(body)] if m]


def page_of(response) -> str:
    """The page without its CSRF tokens (fresh in every answer) and its own address (the
    language switch comes back to it)."""
    page = re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", response.get_data(as_text=True))
    return re.sub(r"/referee/[^\"]*", "/referee/...", page)


def upload(client, link: str, content: bytes = LETTER, filename: str = "my letter.pdf"):
    return client.submit(
        link, {"letter": pdf(filename, content)}, content_type="multipart/form-data"
    )


def referee_named(nominator, world) -> str:
    assert name(nominator, world).status_code == 302
    return links_to("rita@example.org")[-1]


def test_naming_a_referee_mails_a_personal_link_and_is_audited(nominator, world):
    response = name(nominator, world)
    assert response.status_code == 302
    page = text(nominator.get(response.headers["Location"]))
    assert "Rita Referee is named as a referee" in page
    assert "Pending" in page
    message = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.recipient == "rita@example.org")
    ).scalar_one()
    assert "Letter of reference requested: Tora Target" in message.subject
    assert LINK_RE.search(message.body_text)
    referee = db.session.execute(db.select(Referee)).scalar_one()
    # Only the hash of the secret is kept.
    secret = LINK_RE.search(message.body_text).group(1).rsplit("/", 1)[1]
    assert secret not in (referee.token_hash or "") and len(referee.token_hash) == 64
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "referee.add")
    ).scalar_one()
    assert event.after["email"] == "rita@example.org"
    # The same address twice is refused with a message; nothing is doubled.
    again = name(nominator, world)
    assert "rita@example.org is a referee of this nomination already." in errors(again)
    assert db.session.execute(db.select(db.func.count(Referee.id))).scalar() == 1


def test_the_request_is_written_in_the_referees_language(nominator, world):
    account = user("rita@example.org", "Rita Referee")
    account.locale = "nb"
    db.session.commit()
    name(nominator, world)
    name(nominator, world, "Walter Outside", "walter@example.org")
    norwegian = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.recipient == "rita@example.org")
    ).scalar_one()
    english = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.recipient == "walter@example.org")
    ).scalar_one()
    assert "Anbefalingsbrev" in norwegian.subject or "anbefalingsbrev" in norwegian.subject
    assert "Letter of reference requested" in english.subject


def test_the_link_needs_no_account_and_works_once_per_upload(make_client, nominator, world):
    link = referee_named(nominator, world)
    referee_browser = make_client()  # no account, not signed in
    page = referee_browser.get(link)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]
    assert "We have not received a letter from you yet." in text(page)

    response = upload(referee_browser, link)
    assert response.status_code == 302
    new_link = response.headers["Location"]
    assert new_link != link and new_link.startswith("/referee/")
    confirmation = text(referee_browser.get(new_link))
    assert "Thank you: your letter has been received." in confirmation
    assert "We received your letter on" in confirmation
    # The used link is dead: the same page as any wrong link.
    used = referee_browser.get(link)
    wrong = referee_browser.get("/referee/not-a-link-at-all")
    assert used.status_code == wrong.status_code == 404
    assert page_of(used) == page_of(wrong)
    # ... and it cannot upload again: nothing replaced.
    referee = db.session.execute(db.select(Referee)).scalar_one()
    stored = referee.stored_name
    assert stored_bytes(stored) == LETTER
    assert upload(referee_browser, link, PDF + b"% again\n").status_code == 404
    db.session.expire_all()
    assert db.session.execute(db.select(Referee.stored_name)).scalar_one() == stored
    # The confirmation e-mail carries the new link, which works.
    assert links_to("rita@example.org")[-1] == new_link
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "referee.letter_received")
    ).scalar_one()
    assert "my letter" not in str(event.after) and "CONFIDENTIAL" not in str(event.after)


def test_the_referee_replaces_his_letter_until_the_deadline(make_client, nominator, world):
    link = referee_named(nominator, world)
    referee_browser = make_client()
    second = upload(referee_browser, link).headers["Location"]
    first_stored = db.session.execute(db.select(Referee.stored_name)).scalar_one()
    third = upload(referee_browser, second, PDF + b"% the better letter\n")
    assert third.status_code == 302
    db.session.expire_all()
    referee = db.session.execute(db.select(Referee)).scalar_one()
    assert stored_bytes(referee.stored_name) == PDF + b"% the better letter\n"
    assert first_stored not in stored_names()  # the old letter is gone
    assert (
        "It replaces the one you sent before."
        in db.session.execute(
            db.select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc()).limit(1)
        ).scalar_one()
    )


def test_a_file_that_is_not_a_pdf_is_refused_and_the_link_keeps_working(
    make_client, nominator, world
):
    link = referee_named(nominator, world)
    referee_browser = make_client()
    refused = upload(referee_browser, link, PNG, "letter.png")
    assert refused.status_code == 200
    assert "“letter.png” is not a PDF document. Upload the letter as a PDF file." in errors(refused)
    assert stored_names() == []
    assert referee_browser.get(link).status_code == 200  # not used up by a refused file


def test_the_link_expires_at_the_letter_deadline(make_client, nominator, world):
    link = referee_named(nominator, world)
    deadline = letter_deadline(world.category)
    assert deadline == shift_local(world.category.round.closes_at, days=7)
    referee_browser = make_client()
    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        assert referee_browser.get(link).status_code == 200
    wrong = page_of(referee_browser.get("/referee/" + "x" * 43))
    with time_machine.travel(deadline, tick=False):
        expired = referee_browser.get(link)
        assert expired.status_code == 404 and page_of(expired) == wrong
        token = referee_browser.csrf_token("/login")
        refused = referee_browser.post(
            link, data={"csrf_token": token, "letter": pdf("late.pdf", LETTER)}
        )
        assert refused.status_code == 404
    assert stored_names() == []
    # The nominator can no longer change the referees either.
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        page = text(nominator.get(f"/nominations/{world.id}/referees"))
        assert "The referees can no longer be changed" in page


def test_the_upload_form_needs_its_csrf_token(make_client, nominator, world):
    link = referee_named(nominator, world)
    referee_browser = make_client()
    referee_browser.get(link)
    response = referee_browser.post(
        link, data={"letter": pdf("x.pdf", LETTER)}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert stored_names() == []


def test_the_nominator_sees_received_and_pending_never_the_letter(make_client, nominator, world):
    link = referee_named(nominator, world)
    name(nominator, world, "Paul Pending", "paul@example.org")
    upload(make_client(), link, filename="SECRET-NAME.pdf")
    page = text(nominator.get(f"/nominations/{world.id}/referees"))
    assert "Received" in page and "Pending" in page
    assert "1 of the 2 required letters of reference received." in page
    # No file name, no size ("12 KB"; a bare "KB" may be part of the page's random token).
    assert "SECRET-NAME" not in page and not re.search(r"\d\s?KB\b", page)
    edit_page = text(nominator.get(f"/nominations/{world.id}"))
    assert "1 of 2 letters received" in edit_page and "SECRET-NAME" not in edit_page
    referee = db.session.execute(
        db.select(Referee).where(Referee.email == "rita@example.org")
    ).scalar_one()
    # Not through the review pages (not a reviewer), not by guessing an attachment URL.
    download = nominator.get(f"/review/nominations/{world.id}/letters/{referee.id}")
    assert download.status_code == 403
    assert b"CONFIDENTIAL-LETTER-TEXT" not in download.get_data()


def test_an_admin_who_nominated_does_not_read_the_letters(make_client, app):
    admin = user("boss@example.org", "Bo Boss", roles=("staff", "admin"))
    award_round = factories.award_round()
    category = factories.category(award_round)
    nomination = factories.nomination(category, admin, "Tora Target", "tora@example.org")
    browser = make_client("boss@example.org")
    name(browser, nomination)
    upload(make_client(), links_to("rita@example.org")[-1])
    referee = db.session.execute(db.select(Referee)).scalar_one()
    assert (
        browser.get(f"/review/nominations/{nomination.id}/letters/{referee.id}").status_code == 404
    )


def test_the_panel_reads_the_letters_a_conflicted_reviewer_does_not(make_client, app):
    from tests.review_setup import world as review_world

    setup = review_world()
    nomination = setup.target
    nominator = make_client(nomination.nominator.email)
    # Named and uploaded while the letters are open (a week after the close).
    assert name(nominator, nomination).status_code == 302
    upload(make_client(), links_to("rita@example.org")[-1])
    referee = db.session.execute(db.select(Referee)).scalar_one()
    url = f"/review/nominations/{nomination.id}/letters/{referee.id}"
    reviewer = make_client(setup.reviewer.email)
    page = text(reviewer.get(f"/review/nominations/{nomination.id}"))
    assert "Rita Referee" in page and url in page
    letter = reviewer.get(url)
    assert letter.status_code == 200 and letter.get_data() == LETTER
    assert "attachment" in letter.headers["Content-Disposition"]
    assert "no-store" in letter.headers["Cache-Control"]
    conflicted = make_client(setup.conflicted.email)
    assert conflicted.get(url).status_code == 404
    admin = make_client(setup.admin.email)
    assert admin.get(url).status_code == 200
    assert url in text(admin.get(f"/admin/nominations/{nomination.id}"))


def test_removing_a_referee_revokes_the_link_and_deletes_the_letter(make_client, nominator, world):
    link = referee_named(nominator, world)
    new_link = upload(make_client(), link).headers["Location"]
    referee = db.session.execute(db.select(Referee)).scalar_one()
    stored = referee.stored_name
    url = f"/nominations/{world.id}/referees/{referee.id}/remove"
    asked = nominator.submit(url, page=f"/nominations/{world.id}/referees")
    assert asked.status_code == 200 and "Remove this referee?" in text(asked)
    assert db.session.get(Referee, referee.id) is not None  # asking changed nothing
    done = nominator.submit(url, {"confirmed": "1"}, page=f"/nominations/{world.id}/referees")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referee, referee.id) is None
    assert stored not in stored_names()
    assert make_client().get(new_link).status_code == 404
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "referee.remove")
    ).scalar_one()
    assert event.before["letter_received"] is True


def test_a_category_requiring_letters_needs_its_referees_named_to_submit(nominator, world, app):
    draft = factories.nomination(
        world.category,
        db.session.execute(
            db.select(User).where(User.email == "nominator@example.org")
        ).scalar_one(),
        "Dora Draft",
        "dora@example.org",
        status="draft",
        department=factories.department(),
    )
    submit = {"submit_nomination": "Submit nomination"}
    form = {
        "nominee_name": "Dora Draft",
        "nominee_email": "dora@example.org",
        "nominee_department_id": str(draft.nominee_department_id),
        "nominee_position": "Researcher",
        "statement": "Dora did it.",
        "cv": pdf("cv.pdf"),
        **submit,
    }
    refused = nominator.submit(f"/nominations/{draft.id}", form, content_type="multipart/form-data")
    assert any(
        "requires 2 letters of reference: name 2 more referees" in e for e in errors(refused)
    )
    name(nominator, draft)
    name(nominator, draft, "Paul Pending", "paul@example.org")
    form.pop("cv")
    accepted = nominator.submit(f"/nominations/{draft.id}", form)
    assert accepted.status_code == 302
    db.session.expire_all()
    assert db.session.get(Nomination, draft.id).status == "submitted"


def test_the_token_page_is_rate_limited(make_client, nominator, world, app):
    app.config["RATELIMIT_ENABLED"] = True
    app.config["REFEREE_RATE_LIMIT"] = "3 per minute"
    # The limiter reads its switch when the app is built: build one with the limit on.
    from tests.conftest import make_test_app

    limited = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["UPLOAD_FOLDER"],
        RATELIMIT_ENABLED=True,
        REFEREE_RATE_LIMIT="3 per minute",
        DOCUMENT_STORAGE=app.config["DOCUMENT_STORAGE"],
    )
    link = referee_named(nominator, world)
    with limited.test_client() as browser:
        answers = [browser.get("/referee/guess-" + str(n)) for n in range(3)]
        assert [a.status_code for a in answers] == [404, 404, 404]
        assert answers[0].headers["Referrer-Policy"] == "no-referrer"
        assert browser.get(link).status_code == 429  # even the right link, once over


def test_the_sweep_of_orphan_files_keeps_the_letters(make_client, nominator, world):
    from nominations.workflow.nominations.documents import sweep_orphan_files

    upload(make_client(), referee_named(nominator, world))
    stored = db.session.execute(db.select(Referee.stored_name)).scalar_one()
    assert sweep_orphan_files(now() + timedelta(days=1)) == []
    assert stored_bytes(stored) == LETTER


def test_the_demo_has_a_nomination_with_letters_and_a_category_requiring_two(make_client, app):
    from nominations.demo import DEMO_PASSWORD, load_demo
    from nominations.models import AwardCategory

    load_demo()
    db.session.commit()
    assert db.session.execute(
        db.select(AwardCategory).where(AwardCategory.required_letters == 2)
    ).first()
    referees = db.session.execute(db.select(Referee).order_by(Referee.id)).scalars().all()
    assert [r.received for r in referees] == [True, False]
    reviewer = make_client()
    reviewer.login("reviewer@example.org", DEMO_PASSWORD)
    page = text(reviewer.get(f"/review/nominations/{referees[0].nomination_id}"))
    assert "Kari Nordmann" in page and "Ola Hansen" in page
    letter = reviewer.get(
        f"/review/nominations/{referees[0].nomination_id}/letters/{referees[0].id}"
    )
    assert letter.status_code == 200 and letter.get_data().startswith(b"%PDF-")
