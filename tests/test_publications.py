"""Publication lists and co-authorship conflicts: import (CSV, BibTeX, RIS) with a preview
and a clear problem per entry, re-import changes nothing; a shared publication proposes a
conflict to the chair, who accepts (the reviewer no longer sees the nomination) or dismisses
(never proposed again)."""

from __future__ import annotations

import re
from io import BytesIO

from nominations.models import (
    AuditEvent,
    CoauthorDecision,
    ConflictOfInterest,
    Publication,
    PublicationHolder,
    db,
)
from nominations.workflow.panels import create_panel
from nominations.workflow.publications.keys import title_key
from nominations.workflow.publications.parsers import read_publication_file
from tests import factories, review_setup
from tests.nominating import text

SHARED_TITLE = "Single-cell atlas of the tumour micro-environment"

REVIEWER_CSV = f"""Title;Year;DOI
{SHARED_TITLE};2024;https://doi.org/10.1000/SHARED.1
An old paper together;2001;10.1000/old.2
Missing its year;;
;2020;
A paper with a bad DOI;2022;11.99/nope
""".encode()

NOMINEE_BIB = rb"""@article{olga2024,
  title = {Single-Cell Atlas of the {Tumour} Micro-Environment},
  year = {2024},
}
@article{olga2001,
  title = {An old paper together},
  year = {2001},
  doi = {10.1000/old.2}
}
@article{broken, title = {Never closed
@misc{noyear, title = {No year here}}
"""

NOMINEE_RIS = b"""TY  - JOUR
TI  - Olga's own paper
PY  - 2023///
DO  - 10.1000/olga.3
ER  -
TY  - JOUR
TI  - A record without a year
ER  -
stray text
TY  - JOUR
TI  - Never ended
"""


def _upload(client, email: str, name: str, content: bytes):
    return client.submit(
        "/admin/publications",
        {"email": email, "file": (BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _confirm(client, preview):
    page = preview.get_data(as_text=True)
    payload = re.search(r'name="payload" type="hidden" value="([^"]+)"', page)
    payload = payload or re.search(r'name="payload" value="([^"]+)"', page)
    assert payload, "no import button on the preview"
    return client.submit(
        "/admin/publications/confirm",
        {"payload": payload.group(1)},
        page="/admin/publications",
        follow_redirects=True,
    )


def _held(email: str) -> set[str]:
    return set(
        db.session.execute(
            db.select(Publication.title)
            .join(PublicationHolder, PublicationHolder.publication_id == Publication.id)
            .where(PublicationHolder.email == email)
        ).scalars()
    )


def test_the_parsers_report_each_unusable_entry_with_its_line(app):
    csv = read_publication_file("reviewer.csv", REVIEWER_CSV)
    assert [(e.line, e.year, e.doi) for e in csv.entries] == [
        (2, 2024, "10.1000/shared.1"),
        (3, 2001, "10.1000/old.2"),
    ]
    assert [(p.line, p.message) for p in csv.problems] == [
        (4, "The year is missing."),
        (5, "The title is missing."),
        (6, "“11.99/nope” is not a DOI (they start with 10.)."),
    ]
    bib = read_publication_file("olga.bib", NOMINEE_BIB)
    assert [(e.line, e.title) for e in bib.entries] == [
        (1, "Single-Cell Atlas of the Tumour Micro-Environment"),
        (5, "An old paper together"),
    ]
    assert [p.line for p in bib.problems] == [10, 11]
    assert "could not be read" in bib.problems[0].message
    assert bib.problems[1].message == "The year is missing."
    ris = read_publication_file("olga.ris", NOMINEE_RIS)
    assert [(e.line, e.title, e.year, e.doi) for e in ris.entries] == [
        (1, "Olga's own paper", 2023, "10.1000/olga.3")
    ]
    assert [(p.line, p.message) for p in ris.problems] == [
        (6, "The year is missing."),
        (9, "This line is outside a record (TY  - … ER  -)."),
        (10, "This record has no end (ER  -)."),
    ]
    # Case, accents, braces and punctuation do not make two titles different.
    assert title_key("Single-Cell Atlas of the {Tumour} Micro-Environment") == title_key(
        SHARED_TITLE
    )


def _setting(app):
    """The review world (call closed, chair and reviewer on the round's panel, Olga's
    nomination under review) with the admin's browser."""
    world = review_setup.world()
    return world, review_setup.browser(app, world.admin.email)


def test_import_previews_then_attaches_and_a_second_import_changes_nothing(app):
    world, admin = _setting(app)
    preview = _upload(admin, world.reviewer.email.upper(), "reviewer.csv", REVIEWER_CSV)
    assert preview.status_code == 200
    page = text(preview)
    assert "Line 4: The year is missing." in page
    assert "Line 5: The title is missing." in page
    assert "Line 6: “11.99/nope” is not a DOI" in page
    assert "2 new publications" in page and "(<bdi>Rita Reviewer</bdi>)" in page
    assert _held(world.reviewer.email) == set()  # a preview stores nothing

    done = _confirm(admin, preview)
    assert "2 publications attached to reviewer@example.org" in text(done)
    assert _held(world.reviewer.email) == {SHARED_TITLE, "An old paper together"}
    events = (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "publications.import"))
        .scalars()
        .all()
    )
    assert len(events) == 1 and events[0].after["added"] == 2

    # The same file again: the preview says so, and importing changes nothing.
    again = _upload(admin, world.reviewer.email, "reviewer.csv", REVIEWER_CSV)
    assert "2 attached already" in text(again) and "Nothing new to import." in text(again)
    rows = db.session.execute(db.select(db.func.count(PublicationHolder.id))).scalar_one()
    assert db.session.execute(db.select(db.func.count(Publication.id))).scalar_one() == 2
    assert rows == 2

    # BibTeX and RIS for the nominee: the same papers are found by title and year or DOI.
    bib = _upload(admin, "olga@example.org", "olga.bib", NOMINEE_BIB)
    assert "Line 10: This entry could not be read" in text(bib)
    assert "Line 11: The year is missing." in text(bib)
    _confirm(admin, bib)
    ris = _upload(admin, "olga@example.org", "olga.ris", NOMINEE_RIS)
    assert "Line 9: This line is outside a record" in text(ris)
    _confirm(admin, ris)
    assert db.session.execute(db.select(db.func.count(Publication.id))).scalar_one() == 3
    assert _held("olga@example.org") == {SHARED_TITLE, "An old paper together", "Olga's own paper"}

    # A file that cannot be read at all is refused at the upload field.
    refused = _upload(admin, "olga@example.org", "empty.csv", b"Name,Year\nx,2020\n")
    assert "The first row must name the columns" in text(refused)
    # Only administrators import.
    reviewer = review_setup.browser(app, world.chair.email)
    assert reviewer.get("/admin/publications").status_code == 403


def _import_both(admin, world):
    _confirm(admin, _upload(admin, world.reviewer.email, "reviewer.csv", REVIEWER_CSV))
    _confirm(admin, _upload(admin, "olga@example.org", "olga.bib", NOMINEE_BIB))


def test_accepting_a_proposal_hides_the_nomination_from_the_reviewer(app):
    world, admin = _setting(app)
    _import_both(admin, world)
    target = world.nominations["other"]  # Olga Other
    reviewer = review_setup.browser(app, world.reviewer.email)
    assert reviewer.get(f"/review/nominations/{target.id}").status_code == 200

    chair = review_setup.browser(app, world.chair.email)
    url = f"/review/rounds/{world.award_round.id}/coauthors"
    page = text(chair.get(url))
    # Only the recent shared paper (the 2001 one is outside the window).
    assert "Rita Reviewer" in page and SHARED_TITLE in page
    assert "An old paper together" not in page
    # Not for other reviewers or a chair of nothing here.
    assert reviewer.get(url).status_code == 403
    assert review_setup.browser(app, world.outsider.email).get(url).status_code == 403

    action = f"/review/coauthors/{target.id}/{world.reviewer.id}"
    missing = chair.submit(action, {"reason": "", "accept": "1"}, page=url)
    assert missing.status_code == 400
    assert "Give the reason" in text(missing)
    done = chair.submit(
        action,
        {"reason": "They wrote the atlas together.", "accept": "1"},
        page=url,
        follow_redirects=True,
    )
    assert "no longer sees the nomination of Olga Other" in text(done)
    assert "No open co-authorship proposals in this round." in text(done)
    conflict = db.session.execute(
        db.select(ConflictOfInterest).where(
            ConflictOfInterest.nomination_id == target.id,
            ConflictOfInterest.reviewer_id == world.reviewer.id,
        )
    ).scalar_one()
    assert conflict.kind == "collaborator" and not conflict.automatic
    assert SHARED_TITLE in conflict.reason and "wrote the atlas together" in conflict.reason
    # The one assignment rule: the reviewer no longer sees it, anywhere.
    assert reviewer.get(f"/review/nominations/{target.id}").status_code == 404
    listing = reviewer.get(f"/review/categories/{world.category.id}").get_data(as_text=True)
    assert "Olga Other" not in listing
    actions = set(
        db.session.execute(
            db.select(AuditEvent.action).where(
                AuditEvent.action.in_(["coauthor.accept", "conflict.coauthor"])
            )
        ).scalars()
    )
    assert actions == {"coauthor.accept", "conflict.coauthor"}
    # Sent twice: decided already, nothing doubled.
    twice = chair.submit(
        action, {"reason": "again", "accept": "1"}, page=url, follow_redirects=True
    )
    assert "no longer open" in text(twice)
    assert db.session.execute(db.select(db.func.count(CoauthorDecision.id))).scalar_one() == 1


def test_a_dismissed_proposal_is_not_proposed_again(app):
    world, admin = _setting(app)
    _import_both(admin, world)
    target = world.nominations["other"]
    chair = review_setup.browser(app, world.chair.email)
    url = f"/review/rounds/{world.award_round.id}/coauthors"
    done = chair.submit(
        f"/review/coauthors/{target.id}/{world.reviewer.id}",
        {"reason": "A consortium paper of 200 authors.", "dismiss": "1"},
        page=url,
        follow_redirects=True,
    )
    assert "are not proposed again" in text(done)
    decision = db.session.execute(db.select(CoauthorDecision)).scalar_one()
    assert decision.outcome == "dismissed" and decision.decided_by_id == world.chair.id
    # A new shared paper imported later does not bring the pair back.
    more = b"Title,Year\nAnother joint paper,2025\n"
    _confirm(admin, _upload(admin, world.reviewer.email, "more.csv", more))
    _confirm(admin, _upload(admin, "olga@example.org", "more.csv", more))
    assert "No open co-authorship proposals" in text(chair.get(url))
    # The reviewer still reviews it.
    reviewer = review_setup.browser(app, world.reviewer.email)
    assert reviewer.get(f"/review/nominations/{target.id}").status_code == 200
    assert (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "coauthor.dismiss"))
        .scalar_one()
        .after["reason"]
        == "A consortium paper of 200 authors."
    )


def test_a_chair_sees_no_proposal_about_himself_nor_of_another_panels_category(app):
    world, admin = _setting(app)
    chair_list = f"Title,Year\n{SHARED_TITLE},2024\n".encode()
    _confirm(admin, _upload(admin, world.chair.email, "chair.csv", chair_list))
    _confirm(admin, _upload(admin, "olga@example.org", "olga.bib", NOMINEE_BIB))
    url = f"/review/rounds/{world.award_round.id}/coauthors"
    chair = review_setup.browser(app, world.chair.email)
    assert "No open co-authorship proposals" in text(chair.get(url))
    # The administrator decides it.
    assert "Chris Chair" in text(admin.get(url))
    target = world.nominations["other"]
    refused = chair.submit(
        f"/review/coauthors/{target.id}/{world.chair.id}",
        {"reason": "mine", "dismiss": "1"},
        page=url,
        follow_redirects=True,
    )
    assert "A proposal about you is decided by an administrator." in text(refused)
    assert db.session.execute(db.select(db.func.count(CoauthorDecision.id))).scalar_one() == 0
    # A chair of a panel for another category of the round sees nothing of this one.
    other_category = factories.category(world.award_round, "Employee of the Year")
    other_chair = review_setup.user("oda@example.org", "Oda Otherchair", ("staff", "reviewer"))
    create_panel(
        world.award_round,
        name="Employees",
        chair=other_chair,
        actor=world.admin,
        category=other_category,
    )
    db.session.commit()
    page = review_setup.browser(app, other_chair.email).get(url)
    assert page.status_code == 200 and "Olga Other" not in text(page)


def _holder(email: str, title: str) -> PublicationHolder:
    return db.session.execute(
        db.select(PublicationHolder)
        .join(PublicationHolder.publication)
        .where(PublicationHolder.email == email, Publication.title == title)
    ).scalar_one()


def test_an_entry_that_is_not_the_persons_is_taken_off_their_list(app):
    """An import for the wrong address would propose a co-authorship for ever: the admin sees
    the person's list and removes the entry (asked first); its proposal goes, the other
    person's entry stays, and a paper on no one's list any more is deleted."""
    world, admin = _setting(app)
    _import_both(admin, world)
    chair = review_setup.browser(app, world.chair.email)
    proposals = f"/review/rounds/{world.award_round.id}/coauthors"
    assert SHARED_TITLE in text(chair.get(proposals))

    listed = "/admin/publications/held?email=OLGA@example.org"
    page = text(admin.get(listed))
    assert "2 publications attached to olga@example.org" in page
    assert SHARED_TITLE in page and "olga.bib" in page

    shared = _holder("olga@example.org", SHARED_TITLE)
    url = f"/admin/publications/held/{shared.id}/remove"
    asked = admin.submit(url, {}, page=listed)  # without JavaScript: a page asks first
    assert asked.status_code == 200
    assert f"Remove “{SHARED_TITLE}” from the list of olga@example.org?" in text(asked)
    assert SHARED_TITLE in _held("olga@example.org")

    done = admin.submit(url, {"confirmed": "1"}, page=listed, follow_redirects=True)
    assert f"“{SHARED_TITLE}” is removed from the list of olga@example.org." in text(done)
    assert "1 publication attached to olga@example.org" in text(done)
    assert _held("olga@example.org") == {"An old paper together"}
    assert SHARED_TITLE in _held(world.reviewer.email)  # the reviewer's entry stays
    assert SHARED_TITLE not in text(chair.get(proposals))
    [event] = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "publications.remove")
    ).scalars()
    assert event.before["email"] == "olga@example.org" and event.before["file"] == "olga.bib"

    # Sent again (a reload of the answer): the entry is gone, nothing else happens.
    assert admin.submit(url, {"confirmed": "1"}, page=listed).status_code == 404
    # The last list naming a paper: the paper goes with it.
    old = _holder("olga@example.org", "An old paper together")
    admin.submit(f"/admin/publications/held/{old.id}/remove", {"confirmed": "1"}, page=listed)
    mine = _holder(world.reviewer.email, "An old paper together")
    admin.submit(f"/admin/publications/held/{mine.id}/remove", {"confirmed": "1"}, page=listed)
    titles = set(db.session.execute(db.select(Publication.title)).scalars())
    assert titles == {SHARED_TITLE}


def test_the_list_page_says_what_is_wrong_with_an_address(app):
    world, admin = _setting(app)
    page = admin.get("/admin/publications/held?email=not-an-address")
    assert page.status_code == 200
    assert 'aria-invalid="true"' in page.get_data(as_text=True)
    assert "No publications are attached" not in text(page)
    empty = text(admin.get("/admin/publications/held?email=nobody@example.org"))
    assert "No publications are attached to this address." in empty


def test_each_round_sets_how_many_years_back_a_shared_paper_counts(app):
    """The 2024 paper is within the default five years before the 2026 round; a round that
    looks back one year does not propose it, and each page says how far it looks."""
    world, admin = _setting(app)
    _import_both(admin, world)
    chair = review_setup.browser(app, world.chair.email)
    url = f"/review/rounds/{world.award_round.id}/coauthors"
    page = text(chair.get(url))
    assert world.award_round.year == 2026 and world.award_round.coauthor_years == 5
    assert SHARED_TITLE in page and "a publication from the last 5 years may" in page
    world.award_round.coauthor_years = 1
    db.session.commit()
    page = text(chair.get(url))
    assert SHARED_TITLE not in page and "a publication from the last 1 year may" in page
    assert "No open co-authorship proposals in this round." in page
