"""Command-line commands: `flask --app nominations create-user`, `demo`, ..."""

from __future__ import annotations

import click
from flask import Flask
from flask_babel import gettext as _

from nominations.models import Role, User, db
from nominations.unit_of_work import transaction


def init_app(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option(
        "--role",
        "roles",
        multiple=True,
        type=click.Choice([r.value for r in Role]),
        default=["staff", "admin"],
        show_default=True,
        help="Repeat for several roles.",
    )
    def create_user_command(email: str, name: str, password: str, roles: tuple[str, ...]) -> None:
        """Create a user (the first administrator, for instance)."""
        from nominations.policy import SYSTEM
        from nominations.workflow import WorkflowError
        from nominations.workflow.accounts import create_user

        try:
            with transaction():
                user = create_user(
                    email=email,
                    name=name,
                    password=password,
                    actor=SYSTEM,  # the operator at the shell: creates the first admin
                    is_staff="staff" in roles,
                    is_reviewer="reviewer" in roles,
                    is_admin="admin" in roles,
                )
        except WorkflowError as error:
            raise click.ClickException(error.message) from error
        from nominations.workflow.accounts import role_names

        click.echo(
            _(
                "Created %(email)s with roles: %(roles)s",
                email=user.email,
                roles=role_names(user.roles),
            )
        )

    @app.cli.command("demo")
    @click.option(
        "--if-empty", is_flag=True, help="Load only when the database holds no users yet."
    )
    def demo_command(if_empty: bool) -> None:
        """Load demo data: departments, the four awards, one open round, a user per role."""
        from nominations.demo import DEMO_PASSWORD, load_demo

        if if_empty and db.session.execute(db.select(User.id).limit(1)).first() is not None:
            click.echo(_("The database already has data; demo data not loaded."))
            return
        with transaction():  # all of the demo or nothing
            summary = load_demo()
        click.echo(summary)
        emails = [u.email for u in db.session.execute(db.select(User).order_by(User.id)).scalars()]
        click.echo(
            _(
                "Demo users (password %(password)s): %(emails)s",
                password=repr(DEMO_PASSWORD),
                emails=", ".join(emails),
            )
        )

    @app.cli.group("documents")
    def documents_group() -> None:
        """Supporting documents in the storage back-ends (DOCUMENT_STORAGE)."""

    @documents_group.command("move")
    @click.option(
        "--to", "to", required=True, type=click.Choice(["local", "database"]), help="The target."
    )
    @click.option("--batch-size", default=20, show_default=True, help="Documents per commit.")
    def move_documents_command(to: str, batch_size: int) -> None:
        """Move every document to one back-end, verifying each copy's SHA-256 before the
        source copy is removed. Safe to run again; exits 1 when a document is missing or
        damaged (those are left where they are)."""
        from nominations.models import Attachment, Referee
        from nominations.storage import backend
        from nominations.storage.moving import MoveReport, move_one

        target = backend(to)
        source = backend("database" if to == "local" else "local")
        report = MoveReport()
        # Attachments, then referees' letters (stored alike; nominations.models.referees).
        for model in (Attachment, Referee):
            after_id = 0  # keyset paging by id
            while True:
                # A batch per commit: a crash loses at most one batch's work, never a document.
                with transaction():
                    batch = (
                        db.session.execute(
                            db.select(model)
                            .where(model.id > after_id, model.stored_name.is_not(None))
                            .order_by(model.id)
                            .limit(batch_size)
                        )
                        .scalars()
                        .all()
                    )
                    for document in batch:
                        report.add(document, *move_one(document, source, target))
                    after_id = batch[-1].id if batch else None
                if after_id is None:
                    break
        click.echo(report.summary(to))
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
        if report.problems:
            raise click.exceptions.Exit(1)

    @app.cli.group("retention")
    def retention_group() -> None:
        """Retention of personal data (README, "Personal data")."""

    @retention_group.command("run")
    def retention_run_command() -> None:
        """Delete what the rounds' retention rules say is due now: documents of nominations
        that did not win, review comments, drafts never submitted. Safe to run again, and
        beside the scheduler: each thing is deleted and recorded once."""
        from nominations.workflow.retention_run import apply_due

        with transaction():  # all that is due, or nothing
            report = apply_due()
        click.echo(str(report).capitalize() + ".")
        for error in report.errors:
            click.echo(f"  {error}", err=True)
        if report.errors:
            raise click.exceptions.Exit(1)
