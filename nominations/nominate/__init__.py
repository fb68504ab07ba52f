from flask import Blueprint

bp = Blueprint("nominate", __name__)

from nominations.nominate import again, kept, views  # noqa: E402,F401
