from flask import Blueprint

bp = Blueprint("public", __name__)

from nominations.public import views  # noqa: E402,F401
from nominations.public import language  # noqa: E402,F401
