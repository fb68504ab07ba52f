"""Flask extensions, created unbound and initialised in create_app()."""

from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from nominations.models.base import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mailer = Mail()
bootstrap = Bootstrap5()

__all__ = ["db", "migrate", "login_manager", "csrf", "mailer", "bootstrap"]
