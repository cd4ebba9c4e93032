"""Partner organisations, users, roles and signing in."""

import logging

from flask import Blueprint

bp = Blueprint("accounts", __name__)
logger = logging.getLogger(__name__)

from engage.accounts import views  # noqa: E402,F401  (registers the routes on bp)
