"""Themed boards, the organisations that sit on them, and their priorities."""

import logging

from flask import Blueprint

bp = Blueprint("boards", __name__)
logger = logging.getLogger(__name__)
