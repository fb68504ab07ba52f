"""Memory across years: a nominee's earlier nominations shown to the panel and to
administrators (only published outcomes to the panel), and the category rule that excludes
earlier winners of the prize for N years."""

from __future__ import annotations

import re
from datetime import timedelta

from werkzeug.datastructures import MultiDict

from nominations.models import AuditEvent, AwardCategory, NominationStatus, RoundStatus, db
from nominations.timeutil import now
from nominations.workflow.cloning import open_next_year
from tests import factories, review_setup
from tests.nominating import errors, fields, text
from tests.page_forms import form_values

SUBMIT = {"submit_nomination": "Submit nomination"}


def _earlier_round(year: int, status: str, name: str = "ICR Prizes"):
    """A round of ``year`` whose results are at ``status`` (published or decided)."""
    opens = now().replace(year=year, month=1, day=10)
    award_round = factories.award_round(
        name=name,
        year=year,
        opens_at=opens,
        closes_at=opens + timedelta(days=30),
        review_deadline=opens + timedelta(days=60),
    )
    award_round.status = status
    if status == RoundStatus.PUBLISHED:
        award_round.published_at = opens + timedelta(days=90)
    db.session.commit()
    return award_round


def _history_table(page: str) -> str:
    match = re.search(
        r'<table class="table table-sm" id="history">.*?<tbody>(.*?)</tbody>', page, re.S
    )
    return match.group(1) if match else ""


def test_the_panel_sees_earlier_nominations_but_no_unpublished_outcome(app):
    world = review_setup.world()
    this_year = world.award_round.year
    target = world.nominations["other"]  # Olga Other, olga@example.org, under review
    someone = review_setup.user("sigrid@example.org", "Sigrid Secretnominator")
    published = _earlier_round(this_year - 2, RoundStatus.PUBLISHED)
    published_category = factories.category(published, "Researcher of the Year")
    factories.nomination(
        published_category,
        someone,
        "Olga Other",
        "OLGA@example.org",  # the same person, whatever the case of her address
        status=NominationStatus.NOT_AWARDED,
        statement="A confidential statement from two years ago.",
    )
    unpublished = _earlier_round(this_year - 1, RoundStatus.DECIDED, name="OUH Research Awards")
    factories.nomination(
        factories.category(unpublished, "Excellent Researcher Award"),
        someone,
        "Olga Other",
        "olga@example.org",
        status=NominationStatus.AWARDED,
    )
    # A draft never went in, and another person's nomination is not hers.
    factories.nomination(
        published_category,
        someone,
        "Olga Other",
        "olga@example.org",
        status=NominationStatus.DRAFT,
    )
    factories.nomination(
        published_category,
        someone,
        "Otto Else",
        "otto@example.org",
        status=NominationStatus.AWARDED,
    )

    reviewer = review_setup.browser(app, world.reviewer.email)
    page = reviewer.get(f"/review/nominations/{target.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = _history_table(html)
    assert rows.count("<tr>") == 2
    assert f"ICR Prizes {this_year - 2}" in rows and ">not awarded<" in rows
    assert f"OUH Research Awards {this_year - 1}" in rows and "not published" in rows
    assert ">awarded<" not in rows
    # Only the facts: not who nominated her then, not what they wrote.
    assert "Sigrid" not in html and "confidential statement" not in html

    # The administrator sees the unpublished outcome too, marked as such.
    admin = review_setup.browser(app, world.admin.email)
    rows = _history_table(admin.get(f"/admin/nominations/{target.id}").get_data(as_text=True))
    assert ">awarded<" in rows and "(results not published)" in rows
    assert ">not awarded<" in rows

    # A nominee nominated for the first time.
    first = world.nominations["target"]
    page = admin.get(f"/admin/nominations/{first.id}").get_data(as_text=True)
    assert "this is the first nomination of this person" in page


def _rule_setting(years: int | None):
    """This year's open call with the rule, and last years' published rounds of the same
    prize (one lineage) where Wenche Winner won two years ago."""
    current = factories.award_round(name="ICR Prizes")
    category = factories.category(
        current, "Researcher of the Year", exclude_winners_within_years=years, requires_cv=False
    )
    year = current.year
    for back, status in ((2, NominationStatus.AWARDED), (4, NominationStatus.AWARDED)):
        earlier = _earlier_round(year - back, RoundStatus.PUBLISHED)
        # Renamed since, but the same prize: its lineage (as cloning carries it).
        old = factories.category(earlier, f"Researcher of the Year {year - back}")
        old.lineage = category.lineage
        winner = factories.user(f"old{back}@example.org")
        factories.nomination(old, winner, "Wenche Winner", "wenche@example.org", status=status)
    db.session.commit()
    return category


def test_an_earlier_winner_within_n_years_is_refused_and_allowed_after(app, make_client, staff):
    dept = factories.department()
    category = _rule_setting(3)
    nominator = make_client(staff.email)
    calls = nominator.get("/calls").get_data(as_text=True)
    assert "Not open to those who won this prize in the last 3 years." in calls

    form = fields(dept, nominee_name="Wenche Winner", nominee_email="Wenche@Example.org")
    url = f"/calls/{category.id}/nominate"
    # Saving the draft keeps it, and says at once why it cannot be submitted.
    saved = nominator.submit(url, {**form, "save_draft": "Save draft"}, follow_redirects=True)
    assert saved.status_code == 200
    year = category.round.year
    assert f"this nominee won it in ICR Prizes {year - 2}" in text(saved)
    assert f"They can be nominated again from {year + 2}" in text(saved)
    draft_url = re.search(r'action="(/nominations/\d+)"', saved.get_data(as_text=True)).group(1)

    submitted = nominator.submit(draft_url, {**form, **SUBMIT})
    assert submitted.status_code == 200
    assert any("not open to those who won it in the last 3 years" in e for e in errors(submitted))
    db.session.expire_all()
    assert {n.status for n in category_nominations(category)} == {NominationStatus.DRAFT}

    # The administrator shortens the rule to one year (the form field, audited) ...
    admin = factories.user("admin@example.org", "Ada Admin", roles=("staff", "admin"))
    admin_client = make_client(admin.email)
    edit = f"/admin/categories/{category.id}/edit"
    pairs = [
        (k, v)
        for k, v in form_values(admin_client.get(edit).get_data(as_text=True), "")
        if k != "exclude_winners_within_years"
    ]
    pairs.append(("exclude_winners_within_years", "1"))
    assert admin_client.post(edit, data=MultiDict(pairs)).status_code == 302
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "category.update")
    ).scalar_one()
    assert event.before == {"exclude_winners_within_years": 3}
    assert event.after == {"exclude_winners_within_years": 1}

    # ... and the win two years ago no longer stands in the way.
    submitted = nominator.submit(draft_url, {**form, **SUBMIT})
    assert submitted.status_code == 302, errors(submitted)
    db.session.expire_all()
    assert {n.status for n in category_nominations(category)} == {NominationStatus.SUBMITTED}


def test_without_the_rule_an_earlier_winner_can_be_nominated(app, make_client, staff):
    dept = factories.department()
    category = _rule_setting(None)
    nominator = make_client(staff.email)
    form = fields(dept, nominee_name="Wenche Winner", nominee_email="wenche@example.org")
    response = nominator.submit(f"/calls/{category.id}/nominate", {**form, **SUBMIT})
    assert response.status_code == 302, errors(response)


def test_an_unpublished_win_does_not_refuse_a_nomination(app, make_client, staff):
    # Refusing would tell the nominator a result that is not published yet.
    dept = factories.department()
    category = _rule_setting(3)
    db.session.execute(
        db.update(type(category.round))
        .values(status=RoundStatus.DECIDED)
        .where(type(category.round).id != category.round_id)
    )
    db.session.commit()
    response = make_client(staff.email).submit(
        f"/calls/{category.id}/nominate",
        {**fields(dept, nominee_name="W", nominee_email="wenche@example.org"), **SUBMIT},
    )
    assert response.status_code == 302, errors(response)


def test_cloning_carries_the_rule_and_the_prize(app):
    award_round = factories.award_round(name="ICR Prizes")
    category = factories.category(award_round, exclude_winners_within_years=5)
    other = factories.category(award_round, "Employee of the Year")
    assert category.lineage and other.lineage and category.lineage != other.lineage
    admin = factories.user("admin@example.org", "Ada Admin", roles=("staff", "admin"))
    clone = open_next_year(award_round, actor=admin)
    db.session.commit()
    copies = {c.name: c for c in clone.categories}
    assert copies[category.name].lineage == category.lineage
    assert copies[category.name].exclude_winners_within_years == 5
    assert copies[other.name].lineage == other.lineage


def category_nominations(category: AwardCategory):
    return list(category_nomination_rows(category))


def category_nomination_rows(category: AwardCategory):
    from nominations.models import Nomination

    return db.session.execute(
        db.select(Nomination).where(Nomination.category_id == category.id)
    ).scalars()


def test_categories_written_without_a_lineage_are_not_one_prize(app):
    # Rows written outside the ORM get the column's default "": never taken for one prize.
    from nominations.workflow.history import earlier_win

    category = _rule_setting(3)
    assert earlier_win(category, "wenche@example.org") is not None
    db.session.execute(db.update(AwardCategory).values(lineage=""))
    db.session.commit()
    db.session.expire_all()
    assert earlier_win(category, "wenche@example.org") is None
