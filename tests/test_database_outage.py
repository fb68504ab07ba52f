"""A PostgreSQL outage: pages answer 503 with Retry-After, a sent form shows what was typed
and can be sent again, and the site comes back by itself when the database does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from sqlalchemy.engine import make_url

from nominations.models import Nomination, NominationStatus, db
from tests import factories
from tests.conftest import Client, make_test_app
from tests.multiprocess_support import own_database, rebuild_schema
from tests.tcp_proxy import CuttableProxy

pytestmark = pytest.mark.postgres

STATEMENT = "Forty years of work on DNA repair.\nA second paragraph, typed with care."


@pytest.fixture
def outage(tmp_path) -> Iterator[tuple]:
    """An app on its own PostgreSQL database, reached through a proxy the test can cut."""
    with own_database("OUTAGE_DATABASE_URL", "postgresql://127.0.0.1:5432/test_outage") as url:
        real = make_url(url)
        proxy = CuttableProxy((real.host or "127.0.0.1", real.port or 5432))
        through_proxy = real.set(host="127.0.0.1", port=proxy.port)
        app = make_test_app(
            through_proxy.render_as_string(hide_password=False),
            tmp_path / "uploads",
            SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        )
        try:
            with app.app_context():
                rebuild_schema()
                yield app, proxy
                db.session.remove()
                db.engine.dispose()
        finally:
            proxy.close()


def _open_call(app) -> int:
    award_round = factories.award_round()
    category = factories.category(award_round)
    factories.user("staff@example.org", "Sam Staff")
    db.session.commit()
    return category.id


def test_pages_answer_503_with_retry_after_while_the_database_is_down(outage):
    app, proxy = outage
    _open_call(app)
    client: Client = app.test_client()
    assert client.get("/calls").status_code == 200

    token = client.csrf_token("/login")
    proxy.cut()
    for path in ("/calls", "/calls.json"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert int(response.headers["Retry-After"]) > 0
    assert "cannot be reached just now" in client.get("/calls").get_data(as_text=True)
    sign_in = client.post(
        "/login",
        data={"csrf_token": token, "email": "staff@example.org", "password": "s3cret-Passw0rd"},
    )
    assert sign_in.status_code == 503
    assert "staff@example.org" in sign_in.get_data(as_text=True)
    assert "s3cret-Passw0rd" not in sign_in.get_data(as_text=True)  # never echoed

    proxy.restore()
    assert client.get("/calls").status_code == 200


def test_a_nomination_sent_during_the_outage_keeps_its_text_and_can_be_sent_again(outage):
    app, proxy = outage
    category_id = _open_call(app)
    client: Client = app.test_client()
    client.login("staff@example.org")
    form_page = f"/calls/{category_id}/nominate"
    token = client.csrf_token(form_page)
    form = {
        "csrf_token": token,
        "nominee_name": "Rita Researcher",
        "nominee_email": "rita@example.org",
        "nominee_position": "Senior scientist",
        "statement": STATEMENT,
        "save_draft": "Save draft",
    }

    proxy.cut()
    response = client.post(form_page, data=form)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert STATEMENT in unescape(page)  # what was typed is on the page, to copy
    assert "password" not in page.lower()
    # ... and in a form that sends it all again, the CSRF token included.
    resend = {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }
    assert resend["statement"] == STATEMENT
    assert resend["csrf_token"] == token

    proxy.restore()
    again = client.post(form_page, data=resend)
    assert again.status_code == 302
    stored = db.session.execute(db.select(Nomination)).scalar_one()
    assert stored.statement == STATEMENT
    assert stored.status == NominationStatus.DRAFT
