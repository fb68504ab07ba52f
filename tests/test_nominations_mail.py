"""Confirmation e-mails of nominations reach a real SMTP server (aiosmtpd on 127.0.0.1)."""

from datetime import date

import pytest

from nominations.mail import deliver_due
from nominations.timeutil import from_local
from tests import factories
from tests.nominating import errors, fields, only_nomination, pdf

SUBMIT = {"submit_nomination": "Submit nomination"}


@pytest.fixture
def app_overrides(smtp_server):
    return {**smtp_server.settings, "BASE_URL": "https://awards.example.org"}


@pytest.fixture
def category(app):
    # Closes at the end of a summer day: 23:59:59 CEST.
    award_round = factories.award_round(
        "ICR Prizes", year=2027, closes_at=from_local(date(2027, 6, 30))
    )
    return factories.category(
        award_round, "Researcher of the Year", 100_000, funder="The Radium Hospital Foundation"
    )


def test_submission_and_withdrawal_confirmed_by_email(
    app, smtp_server, make_client, staff, category
):
    dept = factories.department()
    client = make_client(staff.email)
    response = client.submit(
        f"/calls/{category.id}/nominate", {**fields(dept), "cv": pdf(), **SUBMIT}
    )
    assert response.status_code == 302, errors(response)
    nomination = only_nomination()
    assert deliver_due().sent == 1

    [message] = smtp_server.sink.to("staff@example.org")
    assert message["To"] == "staff@example.org"
    assert message["Subject"] == "Nomination received: Nora Nominee for Researcher of the Year"
    body = smtp_server.sink.text(message)
    assert "Hello Sam Staff," in body
    assert "Researcher of the Year (ICR Prizes 2027)" in body
    assert "NOK 100,000" in body
    assert "30 June 2027, 23:59:59 CEST" in body
    assert f"https://awards.example.org/nominations/{nomination.id}" in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'href="https://awards.example.org/nominations/{nomination.id}"' in html

    url = f"/nominations/{nomination.id}"
    client.submit(f"{url}/withdraw", {"confirmed": "1"}, page=url)
    assert deliver_due().sent == 1
    withdrawn = smtp_server.sink.to("staff@example.org")[-1]
    assert withdrawn["Subject"] == "Nomination withdrawn: Nora Nominee for Researcher of the Year"
    assert "has been withdrawn" in smtp_server.sink.text(withdrawn)
    assert len(smtp_server.sink.messages) == 2  # nothing to the nominee, nothing twice
    assert deliver_due().sent == 0


def test_ineligible_nominator_is_told_the_reason(
    app, smtp_server, make_client, staff, admin, category
):
    dept = factories.department()
    make_client(staff.email).submit(
        f"/calls/{category.id}/nominate", {**fields(dept), "cv": pdf(), **SUBMIT}
    )
    nomination = only_nomination()
    admin_client = make_client(admin.email)
    url = f"/admin/nominations/{nomination.id}"
    response = admin_client.submit(
        f"{url}/ineligible", {"reason": "The nominee left the institute in 2024."}, page=url
    )
    assert response.status_code == 302
    deliver_due()
    [message] = [
        m for m in smtp_server.sink.to("staff@example.org") if "ineligible" in m["Subject"]
    ]
    body = smtp_server.sink.text(message)
    assert "The nominee left the institute in 2024." in body
    assert f"https://awards.example.org/nominations/{nomination.id}" in body
