"""Exports: CSV, XLSX and ZIP hold what the page shows, only for those who may see it, and
never let a spreadsheet run what a user typed."""

import csv
import io
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook

from nominations.models import AttachmentKind, ConflictOfInterest, NominationStatus, User, db
from nominations.workflow import access
from nominations.workflow.conflicts import declare_conflict
from nominations.workflow.exports import COLUMNS, PAGE_COLUMNS, exportable_rounds
from tests import documents, factories
from tests import results_helpers as h
from tests.documents import BOTH
from tests.ranking_setup import table

INJECTIONS = {
    '=HYPERLINK("http://evil.example","click")': "'=HYPERLINK(",
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1:A2)": "'@SUM(A1:A2)",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
}


@pytest.fixture
def exported(app, admin):
    """A round whose call closed yesterday, with a chair, a member, and nominations."""
    award_round = h.closed_round("ICR Prizes")
    researcher = factories.category(award_round, "Researcher of the Year", 100_000)
    employee = factories.category(award_round, "Employee of the Year", 50_000)
    dept = factories.department("Department of Radiation Biology")
    nominator = factories.user("nora@example.org", "Nora Nominator", dept=dept)
    chair = factories.user("chair@example.org", "Chris Chair", roles=("staff", "reviewer"))
    member = factories.user("rita@example.org", "Rita Reviewer", roles=("staff", "reviewer"))
    h.panel(award_round, [(chair, h.CHAIR), (member, h.MEMBER)])
    aase = factories.nomination(
        researcher,
        nominator,
        "Åse Ødegård",
        "aase@example.org",
        department=dept,
        position="Senior scientist",
        phd=date(2015, 6, 1),
        statement="She built the lab.",
    )
    conflicted = factories.nomination(
        researcher, nominator, "Conny Conflict", "conny@example.org", statement="Private."
    )
    evil = factories.nomination(
        employee,
        nominator,
        "=cmd|' /C calc'!A0",
        "evil@example.org",
        statement="@SUM(1+1)*cmd|' /C calc'!A0",
    )
    withdrawn = factories.nomination(
        employee, nominator, "Walter Withdrawn", status=NominationStatus.WITHDRAWN
    )
    draft = factories.nomination(employee, nominator, "Dora Draft", status=NominationStatus.DRAFT)
    h.attach(aase, "CV Åse.pdf", b"%PDF-1.4 aase cv")
    h.attach(aase, "Letter.pdf", b"%PDF-1.4 aase letter", kind=AttachmentKind.SUPPORT_LETTER)
    h.attach(conflicted, "CV Conny.pdf", b"%PDF-1.4 conny cv")
    h.attach(draft, "CV Dora.pdf", b"%PDF-1.4 dora cv")
    # A real conflict of interest, declared by the chair through the workflow.
    declare_conflict(conflicted, kind="collaborator", reason="We share a grant.", actor=chair)
    db.session.commit()  # the test is the edge: workflow functions only flush
    return {
        "round": award_round,
        "researcher": researcher,
        "employee": employee,
        "aase": aase,
        "conflicted": conflicted,
        "evil": evil,
        "withdrawn": withdrawn,
        "draft": draft,
        "chair": chair,
    }


def page_rows(client, award_round) -> list[list[str]]:
    response = client.get(f"/exports/rounds/{award_round.id}")
    assert response.status_code == 200
    header, *rows = table(response.get_data(as_text=True), "export-rows")
    assert header[: len(PAGE_COLUMNS)] == list(PAGE_COLUMNS)
    return [row[: len(PAGE_COLUMNS)] for row in rows]


def xlsx_rows(data: bytes) -> tuple[list, list[list]]:
    sheet = load_workbook(io.BytesIO(data)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return header, rows


def csv_rows(data: bytes) -> tuple[list, list[list]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return header, rows


def as_text(value, column: str) -> str:
    """An XLSX value as the page writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if column == "PhD date" else f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def unquote(text: str) -> str:
    """What a spreadsheet shows for a neutralised cell."""
    triggers = ("=", "+", "-", "@", "\t", "\r")
    return text[1:] if text.startswith("'") and text[1:2] in triggers else text


def test_admin_xlsx_and_csv_match_the_page(client, exported):
    award_round = exported["round"]
    client.login("admin@example.org")
    page = page_rows(client, award_round)
    names = [row[2] for row in page]
    # Drafts are not nominations yet; the withdrawn one is there with its status.
    assert names == ["Conny Conflict", "Åse Ødegård", "=cmd|' /C calc'!A0", "Walter Withdrawn"]

    response = client.get(f"/exports/rounds/{award_round.id}/nominations.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment;" in response.headers["Content-Disposition"]
    header, rows = xlsx_rows(response.get_data())
    assert header == list(COLUMNS)
    shown = [row[: len(PAGE_COLUMNS)] for row in rows]
    assert [
        [unquote(as_text(v, c)) for v, c in zip(row, PAGE_COLUMNS, strict=True)] for row in shown
    ] == page

    aase = rows[1]
    record = dict(zip(COLUMNS, aase, strict=True))
    assert record["Nominee"] == "Åse Ødegård" and record["Category"] == "Researcher of the Year"
    assert record["Nominee department"] == "Department of Radiation Biology"
    assert record["Position"] == "Senior scientist"
    assert record["PhD date"] == datetime(2015, 6, 1)
    assert record["Nominated by"] == "Nora Nominator"
    assert record["Status"] == "submitted" and record["Attachments"] == 2
    assert record["Statement"] == "She built the lab." and record["Words"] == 4
    assert isinstance(record["Submitted"], datetime)
    assert dict(zip(COLUMNS, rows[3], strict=True))["Status"] == "withdrawn"

    csv_response = client.get(f"/exports/rounds/{award_round.id}/nominations.csv")
    assert csv_response.mimetype == "text/csv"
    csv_header, csv_data = csv_rows(csv_response.get_data())
    assert csv_header == list(COLUMNS)
    assert [[unquote(cell) for cell in row[: len(PAGE_COLUMNS)]] for row in csv_data] == page
    assert csv_data[1][-1] == "She built the lab."


def test_category_export_holds_that_category_only(client, exported):
    client.login("admin@example.org")
    employee = exported["employee"]
    _, rows = xlsx_rows(client.get(f"/exports/categories/{employee.id}/nominations.xlsx").data)
    assert {row[1] for row in rows} == {"Employee of the Year"}
    assert len(rows) == 2
    _, rows = csv_rows(client.get(f"/exports/categories/{employee.id}/nominations.csv").data)
    assert [row[0] for row in rows] == [str(exported["evil"].id), str(exported["withdrawn"].id)]


def test_user_text_never_runs_as_a_formula(client, exported, admin):
    award_round = exported["round"]
    category = exported["employee"]
    for index, (text, _) in enumerate(INJECTIONS.items()):
        factories.nomination(category, admin, f"Person {index}", statement=text, position=text)
    client.login("admin@example.org")
    data = client.get(f"/exports/rounds/{award_round.id}/nominations.xlsx").data
    _, rows = xlsx_rows(data)
    workbook = load_workbook(io.BytesIO(data))
    formulas = [
        cell.coordinate
        for row in workbook.active.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []
    by_name = {row[2]: dict(zip(COLUMNS, row, strict=True)) for row in rows}
    assert "'=cmd|' /C calc'!A0" in by_name
    assert by_name["'=cmd|' /C calc'!A0"]["Statement"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    _, csv_data = csv_rows(client.get(f"/exports/rounds/{award_round.id}/nominations.csv").data)
    csv_by_name = {row[2]: dict(zip(COLUMNS, row, strict=True)) for row in csv_data}
    for index, (text, expected) in enumerate(INJECTIONS.items()):
        for values in (by_name[f"Person {index}"], csv_by_name[f"Person {index}"]):
            assert values["Statement"].startswith(expected), (text, values["Statement"])
            assert values["Statement"] == "'" + text
            assert values["Position"] == "'" + text
    # Ordinary text is left alone.
    assert csv_by_name["Walter Withdrawn"]["Statement"] == "An outstanding colleague."


@pytest.mark.parametrize("document_storage", BOTH)
def test_nomination_zip_holds_its_files(client, exported):
    client.login("admin@example.org")
    aase = exported["aase"]
    assert len(documents.stored_names()) == 4  # in the back-end under test
    response = client.get(f"/exports/nominations/{aase.id}/attachments.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["cv - CV Åse.pdf", "support letter - Letter.pdf"]
    assert archive.read("cv - CV Åse.pdf") == b"%PDF-1.4 aase cv"
    assert archive.read("support letter - Letter.pdf") == b"%PDF-1.4 aase letter"
    # A draft's documents are not exported.
    response = client.get(f"/exports/nominations/{exported['draft'].id}/attachments.zip")
    assert response.status_code == 404


@pytest.mark.parametrize("document_storage", BOTH)
def test_category_zip_has_a_folder_per_nomination_and_reports_missing_files(client, exported, app):
    researcher = exported["researcher"]
    aase, conny = exported["aase"], exported["conflicted"]
    # One file lost on the server, one changed since upload, one name that would escape.
    h.attach(aase, "Publications.pdf", b"%PDF pubs", kind=AttachmentKind.PUBLICATIONS)
    lost = h.attach(conny, "Lost.pdf", b"%PDF lost", kind=AttachmentKind.SUPPORT_LETTER)
    documents.remove(lost.stored_name)
    changed = h.attach(conny, "Changed.pdf", b"%PDF original", kind=AttachmentKind.SUPPORT_LETTER)
    documents.put(changed.stored_name, b"tampered")
    outside = Path(app.config["UPLOAD_FOLDER"]).parent / "secret.pdf"
    outside.write_bytes(b"not an upload")
    h.attach(conny, "Escape.pdf", b"not an upload", stored_name="../secret.pdf")

    client.login("admin@example.org")
    response = client.get(f"/exports/categories/{researcher.id}/attachments.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    aase_folder, conny_folder = f"{aase.id} Åse Ødegård", f"{conny.id} Conny Conflict"
    assert sorted(archive.namelist()) == sorted(
        [
            f"{aase_folder}/cv - CV Åse.pdf",
            f"{aase_folder}/support letter - Letter.pdf",
            f"{aase_folder}/publications - Publications.pdf",
            f"{conny_folder}/cv - CV Conny.pdf",
            "MISSING.txt",
        ]
    )
    assert archive.read(f"{conny_folder}/cv - CV Conny.pdf") == b"%PDF-1.4 conny cv"
    missing = archive.read("MISSING.txt").decode()
    assert "Lost.pdf: the file is missing" in missing
    assert "Changed.pdf: the file does not match its checksum" in missing
    assert "Escape.pdf: the file is missing" in missing
    assert b"not an upload" not in response.get_data()


EXPORT_URLS = (
    "/exports/rounds/{round}",
    "/exports/rounds/{round}/nominations.csv",
    "/exports/rounds/{round}/nominations.xlsx",
    "/exports/categories/{category}/nominations.csv",
    "/exports/categories/{category}/nominations.xlsx",
    "/exports/categories/{category}/attachments.zip",
    "/exports/nominations/{nomination}/attachments.zip",
)


def _urls(exported) -> list[str]:
    return [
        url.format(
            round=exported["round"].id,
            category=exported["researcher"].id,
            nomination=exported["aase"].id,
        )
        for url in EXPORT_URLS
    ]


def test_exports_refuse_anonymous_staff_and_reviewers_who_do_not_chair(
    client, exported, make_client
):
    for url in _urls(exported) + ["/exports/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=")
    factories.user("staff@example.org")
    staff = make_client("staff@example.org")
    member = make_client("rita@example.org")
    for url in _urls(exported):
        assert staff.get(url).status_code == 403, url
        assert member.get(url).status_code == 403, url  # a member, not the chair
    assert "nothing you can export" in member.get("/exports/").get_data(as_text=True)


def test_chair_exports_only_after_the_call_has_closed(client, exported):
    award_round = exported["round"]
    with time_machine.travel(award_round.closes_at - timedelta(minutes=1), tick=False):
        client.login("chair@example.org")
        for url in _urls(exported):
            assert client.get(url).status_code == 403, url
        assert "nothing you can export" in client.get("/exports/").get_data(as_text=True)
    assert client.get(f"/exports/rounds/{award_round.id}/nominations.xlsx").status_code == 200
    assert award_round.title in client.get("/exports/").get_data(as_text=True)


def test_the_exports_list_holds_exactly_the_rounds_whose_exports_open(make_client, exported):
    """The list asks the rule in one query (access.progress_clause); every round it shows
    opens, every round it leaves out is refused, for every kind of person."""
    closed, chair = exported["round"], exported["chair"]
    still_open = factories.award_round("OUH Research Awards")  # its call has not closed
    factories.category(still_open, "Early Career Award")
    other = h.closed_round("Innovation Awards")
    h.panel(still_open, [(chair, h.CHAIR)])
    h.panel(other, [(chair, h.MEMBER)], name="Members only")
    former = factories.user("former@example.org", "Fred Former", roles=("staff", "reviewer"))
    h.panel(other, [(former, h.CHAIR)], name="Former chair")
    former.active = False  # deactivated: signed out, yet his seat is still stored
    nonreviewer = factories.user("plain@example.org", "Paula Plain")
    h.panel(closed, [(nonreviewer, h.CHAIR)], name="Chair without the reviewer role")
    db.session.commit()
    rounds = [closed, still_open, other]
    expected = {
        "admin@example.org": {closed.id, still_open.id, other.id},
        "chair@example.org": {closed.id},
        "rita@example.org": set(),
        "plain@example.org": set(),
    }
    for email, ids in expected.items():
        client = make_client(email)
        listed = client.get("/exports/").get_data(as_text=True)
        shown = {r.id for r in rounds if f'/exports/rounds/{r.id}"' in listed}
        assert shown == ids, email
        for award_round in rounds:
            status = client.get(f"/exports/rounds/{award_round.id}").status_code
            assert status == (200 if award_round.id in ids else 403), (email, award_round.name)
    # The same answers from the rule asked round by round, the deactivated chair included.
    for person in db.session.execute(db.select(User)).scalars():
        by_rule = {r.id for r in rounds if access.can_view_progress(person, r)}
        assert {r.id for r in exportable_rounds(person)} == by_rule, person.email


@pytest.mark.parametrize("document_storage", BOTH)
def test_a_conflicted_chair_gets_neither_the_rows_nor_the_files(client, exported, make_client):
    award_round, researcher = exported["round"], exported["researcher"]
    conflicted, chair = exported["conflicted"], exported["chair"]
    declared = db.session.execute(
        db.select(ConflictOfInterest).where(ConflictOfInterest.reviewer_id == chair.id)
    ).scalar_one()
    assert (declared.nomination_id, declared.automatic) == (conflicted.id, False)
    # An automatic conflict too: the chair is this nominee (no row stored: the rule decides).
    own = factories.nomination(
        researcher, exported["aase"].nominator, "Chris Chair", "chair@example.org"
    )
    h.attach(own, "CV Chris.pdf", b"%PDF-1.4 chris cv")
    client.login("chair@example.org")
    names = [row[2] for row in page_rows(client, award_round)]
    # The panel sees submitted nominations only; without the two conflicted ones.
    assert names == ["Åse Ødegård", "=cmd|' /C calc'!A0"]
    for url in (
        f"/exports/rounds/{award_round.id}/nominations.csv",
        f"/exports/categories/{researcher.id}/nominations.csv",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "Åse Ødegård" in body and "Conny" not in body and "Private." not in body
        assert "Chris Chair" not in body
    _, rows = xlsx_rows(client.get(f"/exports/rounds/{award_round.id}/nominations.xlsx").data)
    assert [unquote(row[2]) for row in rows] == names
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/exports/categories/{researcher.id}/attachments.zip").data)
    )
    assert all("Conny" not in name and "Chris" not in name for name in archive.namelist())
    assert any("CV Åse.pdf" in name for name in archive.namelist())
    for hidden in (conflicted, own):
        response = client.get(f"/exports/nominations/{hidden.id}/attachments.zip")
        assert response.status_code == 404
    # The admin, without a conflict, gets both.
    admin = make_client("admin@example.org")
    body = admin.get(f"/exports/categories/{researcher.id}/nominations.csv").get_data(as_text=True)
    assert "Conny Conflict" in body and "Chris Chair" in body


def test_a_chair_exports_only_the_categories_their_panel_covers(client, exported, admin):
    award_round, researcher, employee = (
        exported["round"],
        exported["researcher"],
        exported["employee"],
    )
    carl = factories.user("carl@example.org", "Carl Chair", roles=("staff", "reviewer"))
    h.panel(award_round, [(carl, h.CHAIR)], name="Employee panel", category=employee)
    client.login("carl@example.org")
    _, rows = xlsx_rows(client.get(f"/exports/rounds/{award_round.id}/nominations.xlsx").data)
    assert {row[1] for row in rows} == {"Employee of the Year"}
    assert client.get(f"/exports/categories/{employee.id}/nominations.csv").status_code == 200
    for url in (
        f"/exports/categories/{researcher.id}/nominations.csv",
        f"/exports/categories/{researcher.id}/attachments.zip",
        f"/exports/nominations/{exported['aase'].id}/attachments.zip",
    ):
        assert client.get(url).status_code in (403, 404), url


def test_export_queries_do_not_grow_with_the_rows(client, exported, admin, count_queries):
    award_round = exported["round"]
    client.login("admin@example.org")
    url = f"/exports/rounds/{award_round.id}/nominations.xlsx"
    db.session.expire_all()
    with count_queries() as few:
        client.get(url)
    for index in range(6):
        item = factories.nomination(exported["employee"], admin, f"Extra {index}")
        h.attach(item, f"Extra {index}.pdf", f"%PDF {index}".encode())
    db.session.expire_all()
    with count_queries() as many:
        client.get(url)
    assert many.count == few.count, "\n".join(many.statements)


def test_chair_export_queries_do_not_grow_with_the_rows(client, exported, admin, count_queries):
    """The chair's rows come from one query with the visibility rule in SQL, not from a check
    per row: the same number of queries for 2 rows and for 12."""
    award_round, chair = exported["round"], exported["chair"]
    client.login("chair@example.org")
    urls = (
        f"/exports/rounds/{award_round.id}/nominations.xlsx",
        f"/exports/rounds/{award_round.id}",
        f"/exports/categories/{exported['researcher'].id}/attachments.zip",
    )
    counts = {}
    for size in ("few", "many"):
        if size == "many":
            for index in range(12):
                item = factories.nomination(exported["researcher"], admin, f"Extra {index:02d}")
                h.attach(item, f"Extra {index}.pdf", f"%PDF {index}".encode())
                if index % 4 == 0:
                    declare_conflict(item, kind="other", reason="Friends.", actor=chair)
                    db.session.commit()  # the test is the edge: workflow functions only flush
        for url in urls:
            db.session.expire_all()
            with count_queries() as counter:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[size, url] = counter.count
    _, rows = xlsx_rows(client.get(urls[0]).data)
    assert len(rows) == 2 + 12 - 3  # three extra ones hidden by the chair's conflicts
    for url in urls:
        assert counts["few", url] == counts["many", url], (url, counts)


def test_a_category_name_excel_would_refuse_as_a_sheet_name(client, exported):
    """Excel sheet names allow no \\ / * ? : [ ] and at most 31 characters."""
    employee = exported["employee"]
    employee.name = "Employee/Team of the Year: [2025] *special*?"
    db.session.commit()
    client.login("admin@example.org")
    response = client.get(f"/exports/categories/{employee.id}/nominations.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Employee-Team of the Year- -202"]
    assert len(workbook.active["A"]) == 3  # the header and two rows
