"""Personal outcomes: the administrator previews who gets which message, then sends them once
the results are published, exactly once; each in the recipient's language, in the
administrators' words when edited, never telling a nominee who nominated them."""

import pytest

from nominations.mail import deliver_due
from nominations.models import AuditEvent, OutboxMessage, RoundStatus, db
from nominations.workflow.results import publish_round
from tests import factories
from tests.results_helpers import closed_round, decide, set_status
from tests.scheduler_support import only_rules


@pytest.fixture
def app_overrides(smtp_server):
    return {**smtp_server.settings, "BASE_URL": "https://awards.example.org"}


@pytest.fixture
def admin_client(make_client, admin):
    return make_client(admin.email)


@pytest.fixture
def world(app, admin):
    """A decided round: Wenche won (citation), Nils was not selected, Olav was nominated
    twice in one category (one message to him); nominators read English and bokmål."""
    award_round = closed_round("ICR Prizes", 2026)
    only_rules(award_round)  # no general "results published" message: only the outcomes
    category = factories.category(award_round, "Researcher of the Year", 100_000)
    nina = factories.user("nina@example.org", "Nina Nominator")
    nina.locale = "nb"
    eric = factories.user("eric@example.org", "Eric English")
    eric.locale = "en"
    wenche = factories.user("wenche@example.org", "Wenche Winner")
    wenche.locale = "nb"
    db.session.commit()
    won = factories.nomination(category, nina, "Wenche Winner", "wenche@example.org")
    lost = factories.nomination(category, eric, "Nils Notchosen", "nils@example.org")
    factories.nomination(category, eric, "Olav Twice", "olav@example.org")
    factories.nomination(category, nina, "Olav Twice", "olav@example.org")
    factories.nomination(category, eric, "No Address")
    decide(won, citation="For decisive work on radiation biology.")
    set_status(award_round, RoundStatus.DECIDED)
    return {"round": award_round, "won": won, "lost": lost}


def _url(world) -> str:
    return f"/admin/rounds/{world['round'].id}/outcomes"


def _outcome_messages():
    return list(
        db.session.execute(
            db.select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.startswith("outcome:"))
            .order_by(OutboxMessage.id)
        ).scalars()
    )


def _publish(world, admin):
    publish_round(world["round"], actor=admin)
    db.session.commit()


def test_the_preview_lists_who_gets_which_message_with_samples_and_counts(admin_client, world):
    page = admin_client.get(_url(world)).get_data(as_text=True)
    # Nominees with an address: Wenche, Nils, Olav (once); nominators: one per nomination.
    assert page.count("&lt;olav@example.org&gt;") == 1
    assert "&lt;nils@example.org&gt;" in page and "No Address &lt;" not in page
    assert page.count("&lt;eric@example.org&gt;") == 3
    assert "Send 8 messages" not in page  # not published yet: nothing can be sent
    assert "The results are not published yet" in page
    # A rendered sample per kind and language, as sent (Wenche reads bokmål).
    assert "Gratulerer" in page or "Congratulations" in page
    assert "For decisive work on radiation biology." in page
    assert _outcome_messages() == []


def test_outcomes_are_refused_before_publication(admin_client, world):
    response = admin_client.submit(_url(world) + "/send", page=_url(world))
    assert response.status_code == 302
    assert "Publish the results of ICR Prizes 2026 first" in admin_client.get(_url(world)).get_data(
        as_text=True
    )
    assert _outcome_messages() == []


def test_sent_exactly_once_with_the_right_text_per_recipient_and_language(
    admin_client, admin, world, smtp_server
):
    _publish(world, admin)
    page = admin_client.get(_url(world)).get_data(as_text=True)
    assert "Send 8 messages" in page

    response = admin_client.submit(_url(world) + "/send", page=_url(world))
    assert response.status_code == 302
    assert len(_outcome_messages()) == 8
    # Pressing again (or a reload of the POST) sends nothing twice.
    admin_client.submit(_url(world) + "/send", page=_url(world))
    assert len(_outcome_messages()) == 8
    page = admin_client.get(_url(world)).get_data(as_text=True)
    assert "8 messages sent (queued last on" in page
    assert "nothing was sent twice" in page
    [event] = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "round.outcomes_sent")
    ).scalars()
    assert event.after["queued"] == 8

    outbox = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert "Outcome of your nomination: Nils Notchosen, Researcher of the Year" in outbox
    assert "Kandidaten din har fått prisen: Wenche Winner, Researcher of the Year" in outbox

    assert deliver_due().sent == 8
    sink = smtp_server.sink
    [to_wenche] = sink.to("wenche@example.org")  # bokmål, awarded, with the citation
    text = sink.text(to_wenche)
    assert to_wenche["Subject"] == "Gratulerer: Researcher of the Year, ICR Prizes 2026"
    assert "Hei Wenche Winner," in text
    assert "For decisive work on radiation biology." in text
    assert "Nina" not in text and "poeng" not in text  # never the nominator, never scores

    [to_nils] = sink.to("nils@example.org")  # no account: the institute's default language
    assert to_nils["Subject"] == "Your nomination for Researcher of the Year, ICR Prizes 2026"
    assert "this time you were not selected" in sink.text(to_nils)
    assert "Eric" not in sink.text(to_nils)
    [to_olav] = sink.to("olav@example.org")
    assert "Olav Twice" in sink.text(to_olav)

    eric = sink.to("eric@example.org")
    subjects = sorted(m["Subject"] for m in eric)
    assert subjects == [
        "Outcome of your nomination: Nils Notchosen, Researcher of the Year",
        "Outcome of your nomination: No Address, Researcher of the Year",
        "Outcome of your nomination: Olav Twice, Researcher of the Year",
    ]
    assert "Thank you for taking the time to nominate a colleague." in sink.text(eric[0])
    nina = {m["Subject"]: sink.text(m) for m in sink.to("nina@example.org")}
    awarded = nina["Kandidaten din har fått prisen: Wenche Winner, Researcher of the Year"]
    assert "For decisive work on radiation biology." in awarded


def test_an_edited_outcome_text_is_used(admin_client, admin, world, smtp_server):
    _publish(world, admin)
    admin_client.submit(
        "/admin/email-texts/outcome_nominee_awarded/nb",
        {
            "save": "Save",
            "subject": "Du vant {{ category }}!",
            "body": "Kjære {{ name }}.\n\nBegrunnelse: {{ citation }}",
        },
    )
    page = admin_client.get(_url(world)).get_data(as_text=True)
    assert "Du vant Researcher of the Year!" in page  # the sample shows the edited text
    admin_client.submit(_url(world) + "/send", page=_url(world))
    deliver_due()
    [to_wenche] = smtp_server.sink.to("wenche@example.org")
    assert to_wenche["Subject"] == "Du vant Researcher of the Year!"
    assert smtp_server.sink.text(to_wenche).startswith(
        "Kjære Wenche Winner.\r\n\r\nBegrunnelse: For decisive work on radiation biology."
    )
