"""What a signed-in person sees, and every download, stays out of caches (``no-store``);
public pages may be cached."""

from __future__ import annotations

from tests import factories


def test_every_answer_to_a_signed_in_user_says_no_store(make_client, admin, staff):
    award_round = factories.award_round()
    factories.category(award_round)
    for email, url in [
        ("staff@example.org", "/"),
        ("staff@example.org", "/nominations/mine"),
        ("staff@example.org", "/calls"),
        ("admin@example.org", "/admin/users"),
        ("admin@example.org", "/exports/"),
        ("admin@example.org", f"/exports/rounds/{award_round.id}"),
    ]:
        response = make_client(email).get(url)
        assert response.status_code == 200, url
        assert response.headers.get("Cache-Control") == "no-store", (email, url)


def test_exports_are_never_stored(make_client, admin):
    award_round = factories.award_round()
    factories.category(award_round)
    chief = make_client("admin@example.org")
    for fmt in ("csv", "xlsx"):
        response = chief.get(f"/exports/rounds/{award_round.id}/nominations.{fmt}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_for_anonymous_visitors_may_be_cached(client):
    for url in ("/", "/calls", "/calls.json", "/results.atom"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.headers.get("Cache-Control", ""), url
