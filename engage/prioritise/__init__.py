"""Prioritisation exercises: residents say which priorities matter most (pairwise today)."""

import logging

from flask import Blueprint

bp = Blueprint("prioritise", __name__)
logger = logging.getLogger(__name__)

from engage.prioritise import views_manage, views_resident  # noqa: E402,F401  (registers the routes on bp)
