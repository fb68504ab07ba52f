from flask import Blueprint

bp = Blueprint("public", __name__)

from nominations.public import language, views  # noqa: E402,F401
