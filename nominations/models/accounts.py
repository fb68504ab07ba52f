"""People: users with their roles, and departments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import generate_password_hash

from nominations.models.base import UTCDateTime, db, utcnow


class Role(StrEnum):
    STAFF = "staff"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # A deactivated department keeps its people and nominations (history) but is no longer
    # offered for new ones, nor accepted by the staff import.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    def __repr__(self) -> str:
        return f"<Department {self.name}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint("locale IS NULL OR locale IN ('nb', 'en')", name="locale_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    is_staff: Mapped[bool] = mapped_column(default=True)
    is_reviewer: Mapped[bool] = mapped_column(default=False)
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # The generation of this user's sign-ins: part of the id in the session and remember
    # cookies (get_id), so raising it ends every session that was signed in before.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The OpenID Connect provider's subject ("sub") of this person, once signed in through it:
    # the provider's stable name for the person, which survives a changed e-mail address.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The language this person chose ("nb" or "en"); None: their browser's, else the default.
    locale: Mapped[str | None] = mapped_column(String(5))

    department: Mapped[Department | None] = relationship()

    # Flask-Login reads is_active; an inactive user cannot sign in or stay signed in.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """What the session and the remember cookie hold: "<id>:<session_version>"."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Every session and remember cookie issued so far stops signing this user in."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str, method: str) -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def has_role(self, role: Role | str) -> bool:
        return {
            Role.STAFF: self.is_staff,
            Role.REVIEWER: self.is_reviewer,
            Role.ADMIN: self.is_admin,
        }[Role(role)]

    @property
    def roles(self) -> list[str]:
        return [role.value for role in Role if self.has_role(role)]

    def __repr__(self) -> str:
        return f"<User {self.email}>"
