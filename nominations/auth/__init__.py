from flask import Blueprint

bp = Blueprint("auth", __name__)

from nominations.auth import oidc, password_reset, views  # noqa: E402,F401
