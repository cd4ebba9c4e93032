"""Extension objects, created once and bound to an app in ``create_app``."""

import threading
import time
from typing import TYPE_CHECKING

from flask import current_app, request, session
from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import COOKIE_NAME
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.storage import MemoryStorage

from engage.database import Base
from engage.rate_limits import EngageLimiter

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
limiter = EngageLimiter(key_func=get_remote_address)


class SweptMemoryStorage(MemoryStorage):
    """The rate limits' in-process storage (no Redis: ``engage-memory://``), with expired counters swept at
    most once a minute by the request that finds a sweep due.

    ``limits``' own memory storage starts a new timer thread to sweep them whenever its last one has
    finished, 10 ms after it started: under steady traffic a thread start (which waits for the thread to
    run) in about every request, and a pass over every counter every 10 ms. Reading a counter already
    ignores an expired one; the sweep only frees memory.
    """

    STORAGE_SCHEME = ["engage-memory"]
    #: Seconds between sweeps.
    SWEEP_EVERY = 60.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + self.SWEEP_EVERY
        self._sweeping = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - the parent's private timer start
        now = time.monotonic()
        if now >= self._next_sweep and self._sweeping.acquire(blocking=False):
            try:
                self._next_sweep = now + self.SWEEP_EVERY
                self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
            finally:
                self._sweeping.release()
