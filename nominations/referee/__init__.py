"""The referees' page: reached by the personal link of the e-mail, no account needed."""

from flask import Blueprint

bp = Blueprint("referee", __name__)

from nominations.referee import views  # noqa: E402,F401
