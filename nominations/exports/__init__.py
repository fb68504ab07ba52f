"""Exports for administrators and panel chairs: nominations as CSV and XLSX, attachments as
ZIP. Who may export what is decided in ``nominations.workflow.exports``."""

from flask import Blueprint

bp = Blueprint("exports", __name__)

from nominations.exports import views  # noqa: E402,F401
