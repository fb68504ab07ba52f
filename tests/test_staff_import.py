"""Staff and departments imported from an HR export (CSV or XLSX) with a preview, per-row
errors and no half import (issue 12, point 9); a full import deactivates who left (issue 13)."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook

from nominations.models import AuditEvent, Department, User, db
from tests import factories

HEADER = "Name;E-mail;Department;Role\n"


def _upload(browser, content: bytes, filename: str = "hr.csv", full: bool = False):
    data = {"file": (io.BytesIO(content), filename)}
    if full:
        data["full"] = "y"
    return browser.submit("/admin/staff-import", data, content_type="multipart/form-data")


def _fields(preview_html: str) -> dict[str, str]:
    """The confirmation form's hidden fields, as the browser sends them back."""
    fields = dict(re.findall(r'name="(\w+)" type="hidden" value="([^"]*)"', preview_html))
    fields.update(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', preview_html))
    return fields


def _confirm(browser, preview_html: str, **changed: str):
    return browser.post("/admin/staff-import/confirm", data=_fields(preview_html) | changed)


def _html(response) -> str:
    """The page's text with every run of white space made one space."""
    return " ".join(response.get_data(as_text=True).split())


def _people() -> dict[str, User]:
    db.session.expire_all()
    return {u.email: u for u in db.session.execute(db.select(User)).scalars()}


def test_preview_then_confirm_adds_people_and_departments(make_client, admin):
    known = factories.user("kari@example.org", "Kari Old-Name", dept=factories.department("Dept A"))
    csv = (
        HEADER + "Per Hansen;PER@example.org;Department of Cancer Genetics;\n"
        "Kari Nordmann;kari@example.org;Department of Cancer Genetics;staff, reviewer\n"
    ).encode()
    browser = make_client(admin.email)
    preview = _upload(browser, csv)
    html = _html(preview)
    assert preview.status_code == 200
    assert "1 person to add, 1 to update, 0 unchanged, 1 new department" in html
    assert "name: Kari Old-Name → Kari Nordmann" in html
    assert "department: Dept A → Department of Cancer Genetics" in html
    # The preview stores nothing.
    assert "per@example.org" not in _people()

    done = _confirm(browser, html)
    assert done.status_code == 302
    page = _html(browser.get("/admin/users"))
    assert "Imported: 1 people added, 1 updated, 0 unchanged, 1 departments added" in page
    people = _people()
    assert people["per@example.org"].name == "Per Hansen"
    assert people["per@example.org"].roles == ["staff"]
    assert people["per@example.org"].department.name == "Department of Cancer Genetics"
    assert people["kari@example.org"].is_reviewer and people["kari@example.org"].id == known.id
    assert (
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "staff.import"))
        .scalar_one()
        .after["created"]
        == 1
    )


def test_one_bad_row_shows_every_error_and_stores_nothing(make_client, admin):
    csv = (
        HEADER + "Per Hansen;per@example.org;New Dept;\n"
        ";nobody@example.org;New Dept;\n"
        "Ola;not-an-address;New Dept;\n"
        "Eva;eva@example.org;New Dept;boss\n"
        "Per Again;PER@example.org;New Dept;\n"
    ).encode()
    browser = make_client(admin.email)
    preview = _upload(browser, csv)
    html = _html(preview)
    assert "4 of 5 rows have errors. Nothing will be imported" in html
    assert "The name is missing." in html
    assert "&#39;not-an-address&#39; is not an e-mail address." in html
    assert "Unknown role &#39;boss&#39;: use staff, reviewer or admin." in html
    assert "The e-mail per@example.org is also on row 2." in html
    assert "/admin/staff-import/confirm" not in html  # no button to import it
    assert "per@example.org" not in _people()
    assert db.session.execute(db.select(Department)).first() is None


def test_a_change_made_after_the_preview_is_shown_not_stored(make_client, admin):
    browser = make_client(admin.email)
    html = _upload(browser, (HEADER + "Per Hansen;per@example.org;;\n").encode()).get_data(
        as_text=True
    )
    factories.user("per@example.org", "Per Someone-Else")  # another admin added him meanwhile
    response = _confirm(browser, html)
    assert response.status_code == 409
    assert "changed since the preview" in _html(response)
    assert _people()["per@example.org"].name == "Per Someone-Else"


def test_a_tampered_confirmation_is_refused(make_client, admin):
    browser = make_client(admin.email)
    html = _upload(browser, (HEADER + "Per Hansen;per@example.org;;admin\n").encode()).get_data(
        as_text=True
    )
    signed = _fields(html)["rows"]
    response = _confirm(
        browser, html, rows=signed.replace(signed[5], "A" if signed[5] != "A" else "B", 1)
    )
    assert response.status_code == 302
    assert "could not be read back; upload the file again" in _html(
        browser.get("/admin/staff-import")
    )
    assert "per@example.org" not in _people()


def test_xlsx_export_is_read(make_client, admin):
    book = Workbook()
    sheet = book.active
    sheet.append(["Navn", "E-post", "Avdeling", "Rolle"])
    sheet.append(["Åse Ødegård", "ase@example.org", "Avdeling for kreftimmunologi", "reviewer"])
    buffer = io.BytesIO()
    book.save(buffer)
    browser = make_client(admin.email)
    html = _upload(browser, buffer.getvalue(), "hr.xlsx").get_data(as_text=True)
    assert "1 person to add" in html
    _confirm(browser, html)
    person = _people()["ase@example.org"]
    assert person.name == "Åse Ødegård" and person.is_reviewer
    assert person.department.name == "Avdeling for kreftimmunologi"


def test_a_file_that_is_not_an_export_is_refused_with_a_reason(make_client, admin):
    browser = make_client(admin.email)
    response = _upload(browser, b"%PDF-1.7", "cv.pdf")
    assert "Upload a CSV file (.csv) or an Excel workbook (.xlsx)." in _html(response)
    response = _upload(browser, b"Who;Where\nPer;here\n")
    assert "found no column for name and e-mail" in _html(response)


def test_full_import_deactivates_who_left_after_a_preview_but_never_the_admin(make_client, admin):
    factories.user("stays@example.org", "Stina Stays")
    leaver = factories.user("left@example.org", "Leif Left")
    leaver_browser = make_client(leaver.email)
    assert leaver_browser.get("/nominations/mine").status_code == 200
    browser = make_client(admin.email)
    html = _upload(browser, (HEADER + "Stina Stays;stays@example.org;;\n").encode(), full=True)
    html = _html(html)
    listed = re.search(r'<ul id="deactivate">(.*?)</ul>', html, re.S).group(1)
    assert "Leif Left</bdi> (left@example.org)" in listed
    assert admin.email not in listed  # the administrator importing is never deactivated
    assert _people()["left@example.org"].active  # not before the confirmation

    assert _confirm(browser, html).status_code == 302
    people = _people()
    assert not people["left@example.org"].active
    assert people[admin.email].active and people["stays@example.org"].active
    # Deactivation ends the sessions the person had.
    assert leaver_browser.get("/nominations/mine").status_code == 302
    event = db.session.execute(
        db.select(AuditEvent).where(
            AuditEvent.action == "user.update", AuditEvent.object_id == leaver.id
        )
    ).scalar_one()
    assert event.after == {"active": False} and event.actor_id == admin.id


def test_an_import_without_full_deactivates_no_one(make_client, admin):
    factories.user("other@example.org", "Otto Other")
    browser = make_client(admin.email)
    html = _upload(browser, (HEADER + "Per Hansen;per@example.org;;\n").encode()).get_data(
        as_text=True
    )
    assert "To deactivate" not in html
    _confirm(browser, html)
    assert _people()["other@example.org"].active


def test_the_users_page_leads_to_the_import(make_client, admin):
    page = _html(make_client(admin.email).get("/admin/users"))
    assert 'href="/admin/staff-import">Import staff from a file</a>' in page
