from tests import factories

BAD = "The e-mail address or password is not right, or the account is not active."


def test_login_and_logout(client, staff):
    response = client.submit(
        "/login", {"email": "STAFF@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Sam Staff" in page and "Sign out" in page
    response = client.submit("/logout", page="/", follow_redirects=True)
    assert "You are signed out." in response.get_data(as_text=True)
    assert "Sam Staff" not in client.get("/").get_data(as_text=True)


def test_wrong_email_password_and_inactive_get_the_same_message(client, staff):
    factories.user("gone@example.org", active=False)
    attempts = [
        ("nobody@example.org", factories.PASSWORD),
        ("staff@example.org", "wrong password"),
        ("gone@example.org", factories.PASSWORD),
    ]
    for email, password in attempts:
        response = client.submit("/login", {"email": email, "password": password})
        assert response.status_code == 200
        assert BAD in response.get_data(as_text=True)
    # And the session stayed anonymous.
    assert client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_refused(client, staff):
    response = client.post(
        "/login", data={"email": "staff@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)


def test_next_redirects_only_within_the_site(client, staff):
    for target, expected in [
        ("/admin/rounds", "/admin/rounds"),
        ("https://evil.example.com/", "/"),
        ("//evil.example.com/", "/"),
        ("/\\evil.example.com", "/"),
    ]:
        client.get("/")  # fresh page each time
        response = client.submit(
            f"/login?next={target}",
            {"email": "staff@example.org", "password": factories.PASSWORD},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == expected, target
        client.submit("/logout", page="/")


def test_deactivated_user_is_signed_out_on_next_request(client, admin, staff):
    client.login("staff@example.org")
    assert "Sam Staff" in client.get("/").get_data(as_text=True)
    from nominations.models import db

    staff.active = False
    db.session.commit()
    assert "Sam Staff" not in client.get("/").get_data(as_text=True)
