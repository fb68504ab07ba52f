"""The demo's people: its departments and one user per role, each with the language he reads;
all share one password (DEMO_PASSWORD)."""

from __future__ import annotations

from nominations.models import Department, User
from nominations.policy import SYSTEM  # the loader sets up users before any admin exists
from nominations.workflow.accounts import choose_language, create_user, get_or_create_department

DEMO_PASSWORD = "demo-awards-2026"

DEPARTMENTS = (
    "Department of Cancer Immunology",
    "Department of Cancer Genetics",
    "Department of Molecular Oncology",
    "Department of Tumor Biology",
    "Department of Radiation Biology",
    "Department of Core Facilities",
    "Department of Research Support",
)

# (e-mail, name, department index, staff, reviewer, admin, language)
USERS = (
    ("admin@example.org", "Ada Admin", 6, True, False, True, "nb"),
    ("staff@example.org", "Sam Staff", 0, True, False, False, "en"),
    ("reviewer@example.org", "Rita Reviewer", 1, True, True, False, "nb"),
    ("chair@example.org", "Chris Chair", 2, True, True, False, "en"),
)


def create_people() -> tuple[list[Department], dict[str, User]]:
    """The departments, in the order of DEPARTMENTS, and the users by e-mail."""
    departments = [get_or_create_department(name) for name in DEPARTMENTS]
    users = {}
    for email, name, dept, staff, reviewer, admin, language in USERS:
        users[email] = create_user(
            email=email,
            name=name,
            password=DEMO_PASSWORD,
            department=departments[dept],
            is_staff=staff,
            is_reviewer=reviewer,
            is_admin=admin,
            actor=SYSTEM,
        )
        choose_language(users[email], language)
    return departments, users
