"""E-mail texts the administrators own: the editor (CSRF, audit, refusals, preview, reset),
the sandbox, and the edited text in the next real e-mail (real SMTP), in each language."""

from datetime import date, time

import pytest
import time_machine
from flask import template_rendered

from nominations.mail import deliver_due, texts
from nominations.models import AuditEvent, EmailText, Nomination, ReminderKind, db
from nominations.timeutil import from_local
from nominations.workflow.nominations.notifications import notify_nominator
from tests import factories
from tests.scheduler_support import only_rules, outbox, tick

OPENS = from_local(date(2027, 2, 1), time(9, 0))
CLOSES = from_local(date(2027, 3, 7))
EDITOR = "/admin/email-texts/call_opened/{language}"


@pytest.fixture
def app_overrides(smtp_server):
    return {**smtp_server.settings, "BASE_URL": "https://awards.example.org"}


@pytest.fixture
def admin_client(make_client, admin):
    return make_client(admin.email)


def _save(client, kind="call_opened", language="en", **fields):
    url = f"/admin/email-texts/{kind}/{language}"
    return client.submit(url, {"save": "Save", **fields})


def _stored(kind="call_opened", language="en"):
    return db.session.execute(
        db.select(EmailText).where(EmailText.kind == kind, EmailText.language == language)
    ).scalar_one_or_none()


def _events(action):
    return list(
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def test_the_list_names_every_kind_and_the_editor_shows_placeholders_and_preview(admin_client):
    page = admin_client.get("/admin/email-texts").get_data(as_text=True)
    for key in ("call_opened", "review_due", "nomination_submitted", "outcome_nominee_awarded"):
        assert f"/admin/email-texts/{key}/nb" in page
    assert "password_reset" not in page and "password reset message" in page

    page = admin_client.get(EDITOR.format(language="nb")).get_data(as_text=True)
    assert "{{ name }}" in page and "{{ categories }}" in page
    assert "The page of open calls" in page  # the placeholder's description
    # The editor holds today's template text in bokmål; the preview fills in sample data.
    assert "Hei {{ name }}," in page
    assert "Hei Kari Nordmann," in page
    assert "Utlysningen er åpnet: OUH Research Awards 2027" in page


def test_saving_needs_the_csrf_token_and_is_audited_with_before_and_after(admin_client):
    body = "Dear {{ name }},\n\n{{ round }} is open until {{ closes }}.\n\n{{ link }}"
    refused = admin_client.post(
        EDITOR.format(language="en"), data={"subject": "Open: {{ round }}", "body": body}
    )
    assert refused.status_code == 400 and _stored() is None

    response = _save(admin_client, subject="Open: {{ round }}", body=body)
    assert response.status_code == 302
    assert _stored().body == body
    [event] = _events("email_text.edit")
    assert event.before["edited"] is False
    assert event.before["subject"] == "Call for nominations open: {{ round }}"
    assert event.after == {
        "kind": "call_opened",
        "language": "en",
        "subject": "Open: {{ round }}",
        "body": body,
        "edited": True,
    }
    # The same text again changes nothing and logs nothing.
    _save(admin_client, subject="Open: {{ round }}", body=body)
    assert len(_events("email_text.edit")) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hello {{ name }}, your score is {{ score }}", "Unknown placeholder: {{ score }}"),
        ("Hello {% if name %}{{ name }}", "Line 1: Unexpected end of template"),
        ("{{ name | nosuchfilter }}", "No filter named"),
        ("{{ ''.__class__ }}", "Not allowed in an e-mail text"),
        ("{{ name.__class__.__mro__ }}", "Not allowed in an e-mail text"),
        ("{{ name.upper.__globals__ }}", "cannot be filled in"),
        ("{{ name.nominator }}", "cannot be filled in"),
        ("{{ 'x' * 100000000 }}", "Not allowed in an e-mail text"),
        ("{{ config }}", "Unknown placeholder: {{ config }}"),
    ],
)
def test_a_text_that_cannot_be_used_is_refused_naming_the_problem(admin_client, body, message):
    response = _save(admin_client, subject="Open: {{ round }}", body=body)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert message.replace("'", "&#39;") in page or message in page
    assert _stored() is None and not _events("email_text.edit")


def test_an_unknown_placeholder_in_the_subject_is_refused(admin_client):
    response = _save(admin_client, subject="{{ nominee }} for {{ round }}", body="{{ name }}")
    assert "Unknown placeholder: {{ nominee }}" in response.get_data(as_text=True)
    assert _stored() is None


def test_the_sandbox_gives_a_text_nothing_but_its_placeholders(app):
    kind = texts.KINDS["call_opened"]
    attempts = ("{{ self._TemplateReference__context }}", "{{ range(3) }}", "{{ lipsum() }}")
    for attempt in (*attempts, "{{ cycler }}", "{{ name.__len__() }}"):
        with pytest.raises(texts.TextProblem):
            texts.check(kind, attempt)
    # What passes is harmless: string methods on a placeholder's plain value.
    texts.check(kind, "{{ name.upper() }} {{ name|title }}")
    assert texts.SANDBOX.from_string("{{ self }}").render() == "<TemplateReference None>"


def test_preview_shows_the_typed_text_filled_in_without_saving(admin_client):
    response = admin_client.submit(
        EDITOR.format(language="en"),
        {"preview": "Preview", "subject": "Open: {{ round }}", "body": "Dear {{ name }} <b>"},
    )
    page = response.get_data(as_text=True)
    assert "Open: OUH Research Awards 2027" in page
    assert "Dear Kari Nordmann &lt;b&gt;" in page  # escaped in both versions
    assert "<b>" not in page.split("Preview with sample data")[1]
    assert _stored() is None


def test_reset_brings_back_the_default_in_one_click_and_is_audited(admin_client):
    _save(admin_client, subject="Open: {{ round }}", body="Dear {{ name }}")
    response = admin_client.submit(
        EDITOR.format(language="en") + "/reset", page=EDITOR.format(language="en")
    )
    assert response.status_code == 302
    assert _stored() is None
    [event] = _events("email_text.reset")
    assert event.before["body"] == "Dear {{ name }}"
    assert event.after["body"].startswith("Hello {{ name }},")
    page = admin_client.get(EDITOR.format(language="en")).get_data(as_text=True)
    assert "This is the standard text" in page
    again = admin_client.submit(
        EDITOR.format(language="en") + "/reset", page=EDITOR.format(language="en")
    )
    assert again.status_code == 302 and len(_events("email_text.reset")) == 1


def test_only_known_kinds_and_languages_have_an_editor(admin_client):
    assert admin_client.get("/admin/email-texts/password_reset/en").status_code == 404
    assert admin_client.get("/admin/email-texts/call_opened/de").status_code == 404


# --- the edited text in real e-mail -----------------------------------------------------------


@pytest.fixture
def award_round(app, admin):
    award_round = factories.award_round(
        "OUH Research Awards", 2027, opens_at=OPENS, closes_at=CLOSES
    )
    factories.category(award_round, "Excellent Researcher Award", 400_000)
    only_rules(award_round, (ReminderKind.CALL_OPENED, None))
    return award_round


def _readers(admin):
    english = factories.user("eva@example.org", 'Eva "E" <Evans>')
    norwegian = factories.user("nils@example.org", "Nils Nordmann")
    norwegian.locale = "nb"
    admin.locale = "en"
    db.session.commit()
    return english, norwegian


def test_the_next_mailing_uses_the_edited_text_in_each_language(
    admin_client, admin, award_round, smtp_server
):
    english, norwegian = _readers(admin)
    _save(
        admin_client,
        subject="Nominate now: {{ round }}",
        body="Dear {{ name }},\n\nNominate by {{ closes }}:\n{{ categories }}\n\n{{ link }}",
    )
    _save(admin_client, language="nb", subject="Nominer nå: {{ round }}", body="Kjære {{ name }}.")
    templates: list[str] = []

    def record(sender, template, context, **extra):
        templates.append(template.name)

    template_rendered.connect(record)
    try:
        tick(OPENS)
    finally:
        template_rendered.disconnect(record)
    # Still rendered once per language, not once per person.
    assert templates.count("emails/_edited.html") == 2
    assert "emails/call_opened.txt" not in templates
    with time_machine.travel(OPENS, tick=False):
        assert deliver_due().sent == 3

    [to_eva] = smtp_server.sink.to(english.email)
    assert to_eva["Subject"] == "Nominate now: OUH Research Awards 2027"
    text = smtp_server.sink.text(to_eva).replace("\r\n", "\n")
    assert text.startswith('Dear Eva "E" <Evans>,\n\nNominate by 7 March 2027, 23:59:59 CET:')
    assert "- Excellent Researcher Award: NOK 400,000" in text
    assert "This message was sent automatically" in text  # the footer stays
    html = to_eva.get_body(preferencelist=("html",)).get_content()
    assert "Dear Eva &#34;E&#34; &lt;Evans&gt;," in html
    assert '<a href="https://awards.example.org/calls">https://awards.example.org/calls</a>' in html

    [to_nils] = smtp_server.sink.to(norwegian.email)
    assert to_nils["Subject"] == "Nominer nå: OUH Research Awards 2027"
    assert smtp_server.sink.text(to_nils).startswith("Kjære Nils Nordmann.")
    assert "Denne meldingen ble sendt automatisk" in smtp_server.sink.text(to_nils)


def test_a_text_that_changes_the_name_still_reaches_each_person_right(
    admin_client, admin, award_round
):
    _readers(admin)
    _save(admin_client, subject="{{ name|upper }}: {{ round }}", body="Dear {{ name|upper }}")
    tick(OPENS)
    messages = {m.recipient: m for m in outbox("reminder:call_opened")}
    assert messages["eva@example.org"].subject == 'EVA "E" <EVANS>: OUH Research Awards 2027'
    assert "&lt;EVANS&gt;" in messages["eva@example.org"].body_html
    assert messages["admin@example.org"].body_text.startswith("Dear ADA ADMIN")
    assert all("\x00" not in m.body_text + m.body_html + m.subject for m in messages.values())


def test_queued_messages_keep_their_text_and_the_next_one_uses_the_edit(
    admin_client, admin, smtp_server
):
    award_round = factories.award_round("ICR Prizes", 2027)
    category = factories.category(award_round, "Researcher of the Year")
    admin.locale = "nb"
    db.session.commit()
    item = factories.nomination(category, admin, "Nora Nominee")
    notify_nominator(item, "submitted", "first")
    db.session.commit()

    _save(
        admin_client,
        kind="nomination_submitted",
        language="nb",
        subject="Mottatt: {{ nominee }}",
        body="Hei {{ name }}, vi har fått nominasjonen av {{ nominee }} ({{ category }}).",
    )
    item = db.session.get(Nomination, item.id)
    notify_nominator(item, "submitted", "second")
    db.session.commit()
    assert deliver_due().sent == 2
    first, second = smtp_server.sink.to(admin.email)
    assert first["Subject"] == "Nominasjon mottatt: Nora Nominee til Researcher of the Year"
    assert "Takk! Nominasjonen din er mottatt." in smtp_server.sink.text(first)
    assert second["Subject"] == "Mottatt: Nora Nominee"
    assert smtp_server.sink.text(second).startswith(
        "Hei Ada Admin, vi har fått nominasjonen av Nora Nominee (Researcher of the Year)."
    )


def test_every_default_text_passes_its_own_check_in_both_languages(app):
    for kind in texts.KINDS.values():
        for language in ("en", "nb"):
            subject, body = texts.default_source(kind, language)
            texts.check(kind, subject)
            texts.check(kind, body)
            assert texts.preview(kind, language, subject, body).subject


def test_the_opening_announcement_shows_the_edited_text(admin_client, admin):
    award_round = factories.award_round("OUH Research Awards", 2031, confirmed=False)
    factories.category(award_round, "Excellent Researcher Award", 400_000)
    admin.locale = "en"
    db.session.commit()
    _save(admin_client, subject="Nominate now: {{ round }}", body="Dear {{ name }}: {{ link }}")
    page = admin_client.get(f"/admin/rounds/{award_round.id}/open").get_data(as_text=True)
    assert "Nominate now: OUH Research Awards 2031" in page
    assert "Dear Ada Admin: https://awards.example.org/calls" in page


def test_a_text_that_fails_with_real_values_never_stops_a_submission(admin_client, admin, caplog):
    # Saved: the sample nominee "Ola Hansen" has a ninth letter; the real "Li Na" has not.
    award_round = factories.award_round("ICR Prizes", 2027)
    category = factories.category(award_round, "Researcher of the Year")
    admin.locale = "en"
    db.session.commit()
    _save(
        admin_client,
        kind="nomination_submitted",
        subject="Received: {{ nominee }}",
        body="Hello {{ name }}: {{ nominee[8] }}",
    )
    assert _stored("nomination_submitted") is not None
    item = factories.nomination(category, admin, "Li Na")
    notify_nominator(item, "submitted", "first")
    db.session.commit()
    [message] = outbox("nomination-submitted")
    assert message.subject == "Nomination received: Li Na for Researcher of the Year"
    assert "The edited e-mail text nomination_submitted (en) failed" in caplog.text
