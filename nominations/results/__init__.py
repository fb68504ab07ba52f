"""Public results: each published round's winners, the award history, and the feeds for the
institute's website (/calls.ics, /results.atom; /calls.json lives in the public blueprint)."""

from flask import Blueprint

bp = Blueprint("results", __name__)

from nominations.results import views  # noqa: E402,F401
