"""Prioritisation exercises: residents say which priorities matter most (pairwise, budget, ranking)."""

import logging

from flask import Blueprint

bp = Blueprint("prioritise", __name__)
logger = logging.getLogger(__name__)
