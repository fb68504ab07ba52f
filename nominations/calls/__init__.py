from flask import Blueprint

bp = Blueprint("calls", __name__)

from nominations.calls import views  # noqa: E402,F401
