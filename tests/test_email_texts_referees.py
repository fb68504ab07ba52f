"""The referees' e-mails (request, reminder, letter received) and the notice to nominees as
e-mail texts the administrators own: an edited text in each language is what the next real
e-mail carries (real SMTP), the referee's link works from it and cannot be left out, unknown
placeholders are refused, the editors render, and the default texts read as the templates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from flask import template_rendered

from nominations.languages import in_language
from nominations.mail import deliver_due, texts
from nominations.models import EmailText, db
from nominations.timeutil import format_local, from_local, shift_local
from nominations.workflow.accounts import choose_language
from nominations.workflow.referees import letter_deadline
from tests import factories
from tests.review_setup import user
from tests.scheduler_support import outbox, tick
from tests.smtp import Sink
from tests.test_referees import LINK_RE, links_to, name, upload

REFEREE_KINDS = ("referee_request", "referee_reminder", "referee_received")
NEW_KINDS = (*REFEREE_KINDS, "nominee_notice")


@pytest.fixture
def app_overrides(smtp_server):
    return {**smtp_server.settings, "PRIVACY_CONTACT": "dpo@example.org"}


@pytest.fixture
def admin_client(make_client, admin):
    return make_client(admin.email)


@pytest.fixture
def nomination(app):
    nominator = user("nominator@example.org", "Nina Nominator")
    category = factories.category(factories.award_round(), "Researcher of the Year")
    category.required_letters = 1
    db.session.commit()
    return factories.nomination(category, nominator, "Tora Target", "tora@example.org")


def _save(client, kind, language="en", **fields):
    return client.submit(f"/admin/email-texts/{kind}/{language}", {"save": "Save", **fields})


def _stored(kind):
    return db.session.execute(db.select(EmailText).where(EmailText.kind == kind)).scalars().all()


EDITED = {
    "en": (
        "{{ name }}, a letter for {{ nominee }} please",
        "Dear {{ name }},\n\n{{ nominator }} asks for your letter on {{ nominee }} "
        "({{ category }}, {{ round }}) by {{ deadline }}.\n\nYour link: {{ link }}",
    ),
    "nb": (
        "{{ name }}, et anbefalingsbrev for {{ nominee }}",
        "Kjære {{ name }},\n\n{{ nominator }} ber om brevet ditt om {{ nominee }} "
        "({{ category }}, {{ round }}) innen {{ deadline }}.\n\nLenken din: {{ link }}",
    ),
}


def _name_referees(make_client, nomination):
    """Rita reads bokmål (her account); Walter has none: the nominator's language, English."""
    account = user("rita@example.org", "Rita Referee")
    choose_language(account, "nb")
    db.session.commit()
    nominator = make_client("nominator@example.org")
    assert name(nominator, nomination).status_code == 302
    assert name(nominator, nomination, "Walter Outside", "walter@example.org").status_code == 302


def _deliver(smtp_server, at=None):
    if at is None:
        deliver_due()
    else:
        with time_machine.travel(at, tick=False):
            deliver_due()
    return smtp_server.sink


def _trigger(kind, make_client, nomination):
    """Bring about the next message of ``kind`` to Rita and Walter; when to deliver it."""
    if kind == "referee_request":
        return None
    if kind == "referee_received":
        for address in ("rita@example.org", "walter@example.org"):
            assert upload(make_client(), links_to(address)[-1]).status_code == 302
        return None
    week_before = shift_local(letter_deadline(nomination.category), days=-7)
    tick(week_before + timedelta(minutes=1))
    return week_before + timedelta(minutes=2)


@pytest.mark.parametrize("kind", REFEREE_KINDS)
def test_an_edited_referee_text_is_the_next_real_email_in_each_language_and_its_link_works(
    kind, admin_client, make_client, nomination, smtp_server
):
    if kind != "referee_request":
        _name_referees(make_client, nomination)
    for language, (subject, body) in EDITED.items():
        assert _save(admin_client, kind, language, subject=subject, body=body).status_code == 302
    if kind == "referee_request":
        _name_referees(make_client, nomination)
    sink = _deliver(smtp_server, _trigger(kind, make_client, nomination))
    deadline = letter_deadline(nomination.category)

    [to_walter] = [m for m in sink.to("walter@example.org") if m["Subject"].startswith("Walter")]
    assert to_walter["Subject"] == "Walter Outside, a letter for Tora Target please"
    text = Sink.text(to_walter).replace("\r\n", "\n")
    assert text.startswith("Dear Walter Outside,\n\nNina Nominator asks for your letter on Tora")
    assert "(Researcher of the Year, " in text and "This message was sent automatically" in text
    link = LINK_RE.search(text).group(1)
    assert f'<a href="http://localhost{link}">' in to_walter.get_body(("html",)).get_content()

    [to_rita] = [m for m in sink.to("rita@example.org") if m["Subject"].startswith("Rita")]
    assert to_rita["Subject"] == "Rita Referee, et anbefalingsbrev for Tora Target"
    norwegian = Sink.text(to_rita).replace("\r\n", "\n")
    assert norwegian.startswith("Kjære Rita Referee,\n\nNina Nominator ber om brevet ditt")
    with in_language("nb"):
        assert f"innen {format_local(deadline)}." in norwegian
    assert "Denne meldingen ble sendt automatisk" in norwegian

    # The link in the edited message is the one that works: the referee uploads through it.
    referee = make_client()
    assert referee.get(link).status_code == 200
    assert upload(referee, link).status_code == 302


def test_a_referee_text_without_its_link_is_refused_with_a_clear_message(admin_client, app):
    message = "The message must contain {{ link }}"
    for kind in REFEREE_KINDS:
        for body in (
            "Dear {{ name }}, please send your letter.",
            "Dear {{ name }}{% if nominee == 'Nobody' %} {{ link }}{% endif %}",
            "Dear {{ name }}: {{ link|upper }}",
        ):
            for button in ("save", "preview"):
                response = admin_client.submit(
                    f"/admin/email-texts/{kind}/nb",
                    {button: button, "subject": "{{ link }}", "body": body},
                )
                assert response.status_code == 200
                page = response.get_data(as_text=True)
                assert "There is a problem" in page and message in page
        assert _stored(kind) == []
    # The same text with the link is saved.
    assert (
        _save(admin_client, "referee_request", subject="Hi", body="{{ link }}").status_code == 302
    )


def test_a_nominee_notice_without_the_privacy_link_is_refused(admin_client, app):
    """The notice the law asks for (GDPR article 14) always points to the privacy page."""
    for button in ("save", "preview"):
        response = admin_client.submit(
            "/admin/email-texts/nominee_notice/en",
            {button: button, "subject": "Nominated", "body": "Dear {{ name }}, you are nominated."},
        )
        page = response.get_data(as_text=True)
        assert "There is a problem" in page and "must contain {{ privacy_link }}" in page
    assert _stored("nominee_notice") == []
    saved = _save(
        admin_client, "nominee_notice", subject="Nominated", body="Read {{ privacy_link }}"
    )
    assert saved.status_code == 302


@pytest.mark.parametrize(
    ("kind", "body", "unknown"),
    [
        ("referee_request", "Dear {{ name }}: {{ score }} {{ link }}", "score"),
        ("referee_reminder", "Dear {{ name }}: {{ letter }} {{ link }}", "letter"),
        ("referee_received", "Dear {{ name }}: {{ nominee_email }} {{ link }}", "nominee_email"),
        # A nominee is never told who nominated him: the notice has no such placeholder.
        ("nominee_notice", "Dear {{ name }}, {{ nominator }} nominated you.", "nominator"),
    ],
)
def test_an_unknown_placeholder_is_refused(admin_client, kind, body, unknown):
    response = _save(admin_client, kind, "en", subject="Hello", body=body)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Unknown placeholder: {{{{ {unknown} }}}}" in page
    assert _stored(kind) == []


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_the_editor_of_each_new_kind_shows_the_standard_text_and_a_preview(admin_client, kind):
    listing = admin_client.get("/admin/email-texts").get_data(as_text=True)
    assert f"/admin/email-texts/{kind}/nb" in listing
    english = admin_client.get(f"/admin/email-texts/{kind}/en").get_data(as_text=True)
    norwegian = admin_client.get(f"/admin/email-texts/{kind}/nb").get_data(as_text=True)
    assert "Hello {{ name }}," in english and "Hei {{ name }}," in norwegian
    if kind == "nominee_notice":
        assert "Hello Ola Hansen," in english and "{{ privacy_link }}" in english
        assert "{{ nominator }}" not in english
        assert "Questions about your personal data: dpo@example.org" in english
    else:
        assert "Hei Kari Nordmann," in norwegian  # the sample referee
        assert "{{ link }}" in english and "Required in the message." in english
        assert "http://localhost/referee/Sample-personal-link" in english


def test_a_text_that_loses_the_link_with_real_values_sends_the_standard_text(
    admin_client, make_client, nomination, caplog
):
    # Passes with the sample nominee "Ola Hansen"; the real one is Tora Target.
    body = "Dear {{ name }}{% if nominee == 'Ola Hansen' %}: {{ link }}{% endif %}"
    for language in ("en", "nb"):
        assert (
            _save(admin_client, "referee_request", language, subject="Hi", body=body).status_code
            == 302
        )
    _name_referees(make_client, nomination)
    messages = outbox("referee-request")
    assert len(messages) == 2
    for message in messages:
        assert not message.subject.startswith("Hi") and LINK_RE.search(message.body_text)
    assert "referee_request (en) left out link; the standard text is sent" in caplog.text


@pytest.fixture
def notice_round(app, staff):
    closes = from_local(date(2027, 3, 7))
    award_round = factories.award_round(
        "OUH Research Awards",
        2027,
        opens_at=closes - timedelta(days=30),
        closes_at=closes,
        inform_nominees=True,
        retain_documents_months=18,
        retain_comments_months=6,
    )
    award_round.name_nb = "OUS forskningspriser"
    category = factories.category(award_round, "Researcher of the Year", 400_000)
    category.name_nb = "Årets forsker"
    kari = factories.user("kari@example.org", "Kari Nordmann")
    choose_language(kari, "nb")
    db.session.commit()
    factories.nomination(category, staff, "Kari Nordmann", "kari@example.org")
    factories.nomination(category, staff, "Nora Nominee", "nora@example.org")
    return closes + timedelta(minutes=1)


def test_an_edited_nominee_notice_is_the_next_real_email_in_each_language(
    admin_client, notice_round, smtp_server
):
    body = (
        "{{ name }}: {{ categories }}, {{ round }}. {{ controller }} keeps documents "
        "{{ documents }} and comments {{ comments }} months. {{ privacy_link }} {{ contact }}"
    )
    _save(admin_client, "nominee_notice", "en", subject="Nominated: {{ round }}", body=body)
    _save(admin_client, "nominee_notice", "nb", subject="Nominert: {{ round }}", body=body)
    tick(notice_round)
    sink = _deliver(smtp_server, notice_round + timedelta(minutes=1))

    [english] = sink.to("nora@example.org")
    assert english["Subject"] == "Nominated: OUH Research Awards 2027"
    assert Sink.text(english).startswith(
        "Nora Nominee: Researcher of the Year, OUH Research Awards 2027. "
    )
    assert (
        "keeps documents 18 and comments 6 months. http://localhost/privacy dpo@example.org"
        in Sink.text(english)
    )
    [norwegian] = sink.to("kari@example.org")
    assert norwegian["Subject"] == "Nominert: OUS forskningspriser 2027"
    assert Sink.text(norwegian).startswith("Kari Nordmann: Årets forsker, OUS forskningspriser")
    assert "http://localhost/privacy dpo@example.org" in Sink.text(norwegian)


# --- the default texts read as the templates ----------------------------------------------------


def _standard_beside_default(kind, trigger, recipient_of):
    """Each standard message of ``kind`` that ``trigger`` queues, with the kind's default text
    filled with that message's values, in the language the message was written in."""
    contexts = []

    def record(sender, template, context, **extra):
        if template.name == f"emails/{kind}.txt":
            contexts.append(dict(context))

    template_rendered.connect(record)
    try:
        trigger()
    finally:
        template_rendered.disconnect(record)
    assert contexts
    by_recipient = {m.recipient: m for m in outbox()}  # the newest to each
    pairs = []
    for context in contexts:
        message = by_recipient[recipient_of(context)]
        language = "nb" if "Denne meldingen ble sendt automatisk" in message.body_text else "en"
        subject, body = texts.default_source(texts.KINDS[kind], language)
        values = texts.values_for(kind, language, context)
        pairs.append((message, texts.render_source(subject, body, values, language)))
    return pairs


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_default_referee_texts_read_as_todays_templates(make_client, nomination):
    def request():
        _name_referees(make_client, nomination)

    def received():
        upload(make_client(), links_to("rita@example.org")[-1])
        upload(make_client(), links_to("walter@example.org")[-1])

    def reminder():
        _trigger("referee_reminder", make_client, nomination)

    for kind, trigger in (
        ("referee_request", request),
        ("referee_reminder", reminder),
        ("referee_received", received),
    ):
        pairs = _standard_beside_default(kind, trigger, lambda c: c["referee"].email)
        assert {m.recipient for m, _ in pairs} == {"rita@example.org", "walter@example.org"}
        for message, default in pairs:
            assert message.subject == default.subject
            assert _words(message.body_text) == _words(default.text)
        for language in ("en", "nb"):  # the default text carries its link
            texts.check_required(
                texts.KINDS[kind], texts.default_source(texts.KINDS[kind], language)[1]
            )


def test_the_default_nominee_notice_reads_as_todays_template(notice_round):
    pairs = _standard_beside_default(
        "nominee_notice", lambda: tick(notice_round), lambda c: c["nominee"].email
    )
    assert {m.recipient for m, _ in pairs} == {"kari@example.org", "nora@example.org"}
    for message, default in pairs:
        assert message.subject == default.subject
        assert _words(message.body_text) == _words(default.text)
