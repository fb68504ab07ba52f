from flask import Blueprint

bp = Blueprint("nominate", __name__)

from nominations.nominate import again, documents, kept, referees, views  # noqa: E402,F401
