import pytest


@pytest.mark.parametrize("url", ["/admin/", "/admin/rounds", "/admin/users", "/admin/rounds/new"])
def test_anonymous_visitor_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("url", ["/admin/", "/admin/rounds", "/admin/users", "/admin/users/new"])
def test_staff_gets_403_on_admin_pages(client, staff, url):
    client.login("staff@example.org")
    response = client.get(url)
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_staff_cannot_post_to_admin_either(client, staff, admin):
    client.login("staff@example.org")
    token = client.csrf_token("/")
    response = client.post("/admin/users/new", data={"csrf_token": token, "email": "x@example.org"})
    assert response.status_code == 403


def test_admin_sees_admin_pages_and_nav(client, admin):
    client.login("admin@example.org")
    page = client.get("/admin/rounds")
    assert page.status_code == 200
    assert "Award rounds" in page.get_data(as_text=True)
    assert 'href="/admin/users"' in client.get("/").get_data(as_text=True)


def test_error_pages_are_styled_without_traces(client):
    response = client.get("/no/such/page")
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Not found" in body and "Traceback" not in body
    assert "/static/css/app.css" in body
