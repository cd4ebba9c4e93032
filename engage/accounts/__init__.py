"""Partner organisations, users, roles and signing in."""

import logging

from flask import Blueprint

bp = Blueprint("accounts", __name__)
logger = logging.getLogger(__name__)
