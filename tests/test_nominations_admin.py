"""Administrators see every nomination: filters, search, duplicates, the detail page and
marking a nomination ineligible. Plus the fixed number of queries of the list pages."""

import html
import re
from datetime import timedelta

import pytest

from nominations.models import (
    AuditEvent,
    Nomination,
    NominationStatus,
    OutboxMessage,
    db,
)
from nominations.timeutil import now
from nominations.workflow.nominations.commands import save_draft, submit
from nominations.workflow.nominations.details import NominationData
from tests import factories
from tests.nominating import errors, fields, only_nomination, pdf, text


@pytest.fixture
def setting(app, staff):
    dept = factories.department()
    award_round = factories.award_round("ICR Prizes")
    researcher = factories.category(award_round, "Researcher of the Year", 100_000)
    employee = factories.category(award_round, "Employee of the Year", 50_000, requires_cv=False)
    colleague = factories.user("colleague@example.org", "Cole League")
    return dept, award_round, researcher, employee, colleague


def nominate(category, actor, dept, name, email, *, submitted=True) -> Nomination:
    data = NominationData(
        nominee_name=name,
        nominee_email=email,
        nominee_department_id=dept.id,
        nominee_position="Engineer",
        statement="Keeps the institute running.",
    )
    result = save_draft(category, data, actor=actor)
    if submitted:
        submit(result.nomination, actor=actor)
    db.session.commit()  # the test is the edge
    return result.nomination


def rows(response) -> list[str]:
    """The nominee names listed, in order."""
    return re.findall(
        r'href="/admin/nominations/\d+"><bdi>([^<]+)</bdi></a>', response.get_data(as_text=True)
    )


def test_admin_lists_filters_and_searches(make_client, admin, staff, setting):
    dept, award_round, researcher, employee, colleague = setting
    nominate(employee, staff, dept, "Nora Nominee", "nora@example.org")
    nominate(employee, colleague, dept, "Nora N.", "NORA@example.org")  # same person
    nominate(employee, staff, dept, "Per Person", "per@example.org", submitted=False)
    nominate(employee, staff, dept, "Nora Elsewhere", "nora@example.org", submitted=False)
    other_round = factories.award_round("OUH Research Awards")
    other = factories.category(other_round, "Early Career Award", 200_000, requires_cv=False)
    nominate(other, staff, dept, "Ola Other", "ola@example.org")

    client = make_client(admin.email)
    everything = client.get("/admin/nominations")
    assert sorted(rows(everything)) == [
        "Nora Elsewhere",
        "Nora N.",
        "Nora Nominee",
        "Ola Other",
        "Per Person",
    ]
    by_round = client.get(f"/admin/nominations?round={award_round.id}")
    assert "Ola Other" not in rows(by_round)
    submitted = client.get(f"/admin/nominations?round={award_round.id}&status=submitted")
    assert sorted(rows(submitted)) == ["Nora N.", "Nora Nominee"]
    drafts = client.get(f"/admin/nominations?category={employee.id}&status=draft")
    assert sorted(rows(drafts)) == ["Nora Elsewhere", "Per Person"]
    assert rows(client.get(f"/admin/nominations?category={researcher.id}")) == []
    assert rows(client.get("/admin/nominations?q=PER")) == ["Per Person"]
    assert rows(client.get("/admin/nominations?q=ola@example")) == ["Ola Other"]
    assert rows(client.get("/admin/nominations?q=%25")) == []  # wildcards are literal

    # Duplicates: flagged, listed apart, never merged.
    page = text(everything)
    assert page.count("possible duplicate") == 3  # two submitted ones and the draft
    duplicates = client.get("/admin/nominations?duplicates=1")
    assert sorted(rows(duplicates)) == ["Nora Elsewhere", "Nora N.", "Nora Nominee"]
    assert db.session.execute(db.select(db.func.count(Nomination.id))).scalar() == 5


def _link(response, label: str) -> str | None:
    """The href of a pagination link ("First", "Previous", "Next", "Last"); None when it is
    shown disabled (no link)."""
    found = re.search(rf'<a class="page-link" href="([^"]+)"[^>]*>{label}</a>', text(response))
    return html.unescape(found.group(1)) if found else None


def _walk(client, url: str, label: str) -> list[list[str]]:
    """The rows of each page, following ``label`` links from ``url`` to the end."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(rows(response))
        url = _link(response, label)
        assert len(pages) < 20, "the links go round in circles"
    return pages


def _expected_order(sort: str) -> list[str]:
    """The list's order for ``sort``, worked out here from the rows, not by the database."""
    items = db.session.execute(db.select(Nomination)).scalars().all()
    keys = {
        "round": lambda n: (
            -n.category.round.closes_at.timestamp(),
            n.category.round.id,
            n.category.position,
            n.category.id,
            n.nominee_name.lower(),
            n.id,
        ),
        "changed": lambda n: (-n.updated_at.timestamp(), -n.id),
        "name": lambda n: (n.nominee_name.lower(), n.id),
    }[sort]
    return [n.nominee_name for n in sorted(items, key=keys)]


@pytest.fixture
def long_list(app, setting, staff):
    """Eleven nominations in three rounds, unevenly over four categories (five, two, three,
    one) beside an empty one, with names in mixed case and distinct last changes."""
    dept, _, researcher, employee, _ = setting
    earlier = factories.award_round(
        "OUH Research Awards",
        opens_at=now() - timedelta(days=400),
        closes_at=now() - timedelta(days=370),
    )
    early = factories.category(earlier, "Early Career Award", 200_000)
    factories.category(earlier, "Nobody nominated", 1_000)
    oldest = factories.award_round(
        "Innovation Awards",
        opens_at=now() - timedelta(days=800),
        closes_at=now() - timedelta(days=760),
    )
    lone = factories.category(oldest, "Lone prize", 1_000)
    names = ["Åse Berg", "de Vries", "Ola", "bjørn", "Kari", "Anne", "anne", "Zed", "Per", "Ida"]
    where = [researcher, researcher, employee, researcher, early, early, researcher, lone]
    where += [early, employee, researcher]
    for index, (name, category) in enumerate(zip([*names, "Anne"], where, strict=True)):
        item = Nomination(
            category_id=category.id,
            nominator_id=staff.id,
            nominee_name=name,
            nominee_email=f"{index}@x.no",  # no letter the search below looks for
            nominee_department_id=dept.id,
            statement="Good.",
            status=NominationStatus.SUBMITTED,
            updated_at=now() - timedelta(minutes=(index * 7) % 11),
        )
        db.session.add(item)
    db.session.commit()


@pytest.mark.parametrize("per_page", [2, 3, 5])
@pytest.mark.parametrize("sort", ["round", "changed", "name"])
def test_admin_list_pages_through_every_row_both_ways(
    make_client, app, admin, long_list, sort, per_page
):
    app.config["PER_PAGE"] = per_page
    client = make_client(admin.email)
    expected = _expected_order(sort)
    count = len(expected)
    forward = _walk(client, f"/admin/nominations?sort={sort}", "Next")
    assert forward == [expected[n : n + per_page] for n in range(0, count, per_page)]
    first = client.get(f"/admin/nominations?sort={sort}")
    assert f"{count} in all." in text(first)
    assert _link(first, "Previous") is None and _link(first, "First") is None
    # From the last page (the last rows) back to the start: every row once, in order.
    last_url = _link(first, "Last")
    backward = _walk(client, last_url, "Previous")
    ends = range(count, 0, -per_page)
    assert backward == [expected[max(end - per_page, 0) : end] for end in ends]
    last = client.get(last_url)
    assert _link(last, "Next") is None and _link(last, "Last") is None
    assert rows(client.get(_link(last, "First"))) == expected[:per_page]


def test_admin_list_links_keep_the_filters_and_the_order(
    make_client, app, admin, long_list, setting
):
    _, award_round, *_ = setting
    app.config["PER_PAGE"] = 3
    client = make_client(admin.email)
    url = f"/admin/nominations?round={award_round.id}&sort=name&q=E"
    matching = db.session.execute(
        db.select(Nomination).where(Nomination.nominee_name.ilike("%e%"))
    ).scalars()
    expected = sorted(
        (n.nominee_name.lower(), n.id, n.nominee_name)
        for n in matching
        if n.category.round_id == award_round.id
    )
    expected = [name for *_, name in expected]
    assert len(expected) > 3  # more than a page
    pages = _walk(client, url, "Next")
    assert [name for page in pages for name in page] == expected
    response = client.get(url)
    for label in ("Next", "Last"):
        link = _link(response, label)
        assert f"round={award_round.id}" in link and "sort=name" in link and "q=E" in link
    assert 'value="name" selected' in text(response)


def test_admin_list_answers_a_stale_or_odd_link_with_a_page(make_client, app, admin, long_list):
    app.config["PER_PAGE"] = 3
    client = make_client(admin.email)
    expected = _expected_order("round")
    # A row that is not there (any more), an old numbered link, an unknown order: page one.
    for query in ("after=999999", "before=999999", "page=3", "sort=evil", "after=x&last=2"):
        assert rows(client.get(f"/admin/nominations?{query}")) == expected[:3], query
    # After the last row: the last page, not an empty one; before the first: the first.
    last_id = db.session.execute(
        db.select(Nomination.id).where(Nomination.nominee_name == expected[-1])
    ).scalar_one()
    first_id = db.session.execute(
        db.select(Nomination.id).where(Nomination.nominee_name == expected[0])
    ).scalar_one()
    assert rows(client.get(f"/admin/nominations?after={last_id}")) == expected[-3:]
    assert rows(client.get(f"/admin/nominations?before={first_id}")) == expected[:3]


def test_staff_cannot_see_admin_nominations(make_client, staff, setting):
    client = make_client(staff.email)
    assert client.get("/admin/nominations").status_code == 403


def test_detail_shows_every_field_and_document_and_marks_ineligible(
    make_client, admin, staff, setting
):
    dept, award_round, researcher, _, _ = setting
    nominator = make_client(staff.email)
    nominator.submit(
        f"/calls/{researcher.id}/nominate",
        {
            **fields(dept),
            "cv": pdf("nora-cv.pdf"),
            "support_letters": [pdf("letter.pdf")],
            "submit_nomination": "Submit nomination",
        },
    )
    nomination = only_nomination()
    client = make_client(admin.email)
    url = f"/admin/nominations/{nomination.id}"
    page = text(client.get(url))
    for shown in (
        "Nora Nominee",
        "nora@example.org",
        "Department of Tumor Biology",
        "Postdoctoral fellow",
        "Nora built the single-cell platform",
        "Sam Staff",
        "nora-cv.pdf",
        "letter.pdf",
        nomination.attachments[0].sha256,
        "nomination.submit",
    ):
        assert shown in page, shown
    cv = nomination.attachments[0]
    assert f'href="/nominations/{nomination.id}/attachments/{cv.id}"' in page
    assert client.get(f"/nominations/{nomination.id}/attachments/{cv.id}").status_code == 200

    # A reason is required.
    response = client.submit(f"{url}/ineligible", {"reason": "  "}, page=url)
    assert "Give the reason; the nominator will read it." in errors(response)
    assert only_nomination().status == NominationStatus.SUBMITTED

    response = client.submit(
        f"{url}/ineligible", {"reason": "The nominee is not employed here."}, page=url
    )
    assert response.status_code == 302
    nomination = only_nomination()
    assert nomination.status == NominationStatus.INELIGIBLE
    assert nomination.ineligible_reason == "The nominee is not employed here."
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "nomination.mark_ineligible")
    ).scalar_one()
    assert event.actor_id == admin.id and event.after["status"] == "ineligible"
    assert event.round_id == award_round.id
    message = db.session.execute(
        db.select(OutboxMessage).where(OutboxMessage.subject.like("%ineligible%"))
    ).scalar_one()
    assert message.recipient == staff.email

    # The nominator sees it, read-only; it cannot be marked twice.
    mine = text(nominator.get(f"/nominations/{nomination.id}"))
    assert "The nominee is not employed here." in mine and "Save changes" not in mine
    response = nominator.submit(
        f"/nominations/{nomination.id}",
        {**fields(dept), "save_changes": "Save changes"},
        page="/calls",
    )
    assert "can no longer be changed" in " ".join(errors(response))
    assert "Mark ineligible" not in text(client.get(url))
    response = client.submit(
        f"{url}/ineligible", {"reason": "Again"}, page="/admin/nominations", follow_redirects=True
    )
    assert "cannot be marked ineligible" in " ".join(errors(response))


def test_drafts_cannot_be_marked_ineligible(make_client, admin, staff, setting):
    dept, _, _, employee, _ = setting
    draft = nominate(employee, staff, dept, "Dora Draft", "dora@example.org", submitted=False)
    client = make_client(admin.email)
    url = f"/admin/nominations/{draft.id}"
    response = client.submit(
        f"{url}/ineligible", {"reason": "No."}, page=url, follow_redirects=True
    )
    assert "A nomination that is draft cannot be marked ineligible." in errors(response)
    assert db.session.get(Nomination, draft.id).status == NominationStatus.DRAFT


def test_round_page_counts_nominations_per_category(make_client, admin, staff, setting):
    dept, award_round, researcher, employee, colleague = setting
    nominate(employee, staff, dept, "A", "a@example.org")
    nominate(employee, colleague, dept, "B", "b@example.org")
    nominate(employee, staff, dept, "C", "c@example.org", submitted=False)
    page = make_client(admin.email).get(f"/admin/rounds/{award_round.id}").get_data(as_text=True)
    link = f"/admin/nominations?round={award_round.id}&amp;category={employee.id}"
    assert f'<a href="{link}&amp;status=submitted">2</a>' in page  # C is a draft
    assert f'<a href="{link}">Employee of the Year</a>' in page


# --- a fixed number of queries, however many nominations ---------------------------------


def _many_nominations(user_id, category_ids, dept_id, count: int, start: int = 0) -> None:
    """Rows straight into the table: the pages, not the workflow, are under test here."""
    statuses = list(NominationStatus)
    for index in range(start, start + count):
        db.session.add(
            Nomination(
                category_id=category_ids[index % len(category_ids)],
                nominator_id=user_id,
                nominee_name=f"Nominee {index}",
                nominee_email=f"nominee{index % 7}@example.org",
                nominee_department_id=dept_id,
                statement="Good.",
                status=statuses[index % len(statuses)],
                updated_at=now() - timedelta(minutes=index),
            )
        )
    db.session.commit()


def test_list_pages_use_a_fixed_number_of_queries(make_client, admin, staff, count_queries):
    dept = factories.department()
    open_round = factories.award_round("ICR Prizes")
    closed_round = factories.award_round(
        "OUH Research Awards",
        opens_at=now() - timedelta(days=60),
        closes_at=now() - timedelta(days=10),
    )
    categories = [
        factories.category(open_round, "Researcher of the Year", 100_000),
        factories.category(open_round, "Employee of the Year", 50_000),
        factories.category(closed_round, "Early Career Award", 200_000),
    ]
    nominator = make_client(staff.email)
    admin_client = make_client(admin.email)
    round_id = open_round.id
    pages = [
        (nominator, "/calls"),
        (nominator, "/nominations/mine"),
        (admin_client, "/admin/nominations"),
        (admin_client, f"/admin/rounds/{round_id}"),
    ]

    def measure() -> dict[str, int]:
        counts = {}
        for client, url in pages:
            # A fresh session, as a real request has: nothing comes from the identity map.
            db.session.expunge_all()
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200
            counts[url] = counter.count
        return counts

    ids = [c.id for c in categories]
    staff_id, dept_id = staff.id, dept.id
    _many_nominations(staff_id, ids, dept_id, 5)
    at_five = measure()
    # More nominations, and spread over more rounds and categories, as real data grows.
    for year in (1, 2, 3):
        later = factories.award_round(f"Round {year}", opens_at=now() - timedelta(days=year))
        ids += [factories.category(later, f"Prize {n}", 1_000).id for n in range(2)]
    _many_nominations(staff_id, ids, dept_id, 195, start=5)
    at_two_hundred = measure()
    assert at_five == at_two_hundred
    # The round page also holds the panel and results parts: a few more, still fixed.
    assert max(at_five.values()) <= 12, at_five
    assert "Nominee 0" in text(nominator.get("/nominations/mine"))
