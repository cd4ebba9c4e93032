"""Extension objects, created once and bound to an app in ``create_app``."""

from typing import TYPE_CHECKING

from flask import current_app, request, session
from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import COOKIE_NAME
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from engage.database import Base

db = SQLAlchemy(model_class=Base)
# Models subclass ``Model``: at run time Flask-SQLAlchemy's ``db.Model`` (made from Base), which a type
# checker cannot follow, so it is told the declarative base itself.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()


class StaffLoginManager(LoginManager):
    """Flask-Login's manager, with "strong" session protection only where there is a sign-in to protect.

    Strong protection compares the browser with the one that signed in, and on a session that has no
    signed-in user it clears the sign-in keys again on every request. That rewrites a resident's session
    cookie on every response, so two requests at once each send back the session as it was when they began:
    an htmx running total answered after "Continue" wiped the budget draft that "Continue" had just saved,
    and the resident was sent back to the form (the browser tests caught it on PostgreSQL). A session with
    no signed-in user and no remember-me cookie has nothing to protect, and is now left alone.
    """

    def _session_protection_failed(self) -> bool:
        remember = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        if "_user_id" not in session and remember not in request.cookies:
            return False
        return super()._session_protection_failed()


login_manager = StaffLoginManager()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address)
