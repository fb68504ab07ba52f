from flask import Blueprint

bp = Blueprint("public", __name__)

from nominations.public import language, privacy, views  # noqa: E402,F401
