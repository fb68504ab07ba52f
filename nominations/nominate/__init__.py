from flask import Blueprint

bp = Blueprint("nominate", __name__)

from nominations.nominate import views  # noqa: E402,F401
