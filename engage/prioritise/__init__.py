"""Prioritisation exercises: residents say which priorities matter most (pairwise, budget, ranking)."""

import logging

from flask import Blueprint

bp = Blueprint("prioritise", __name__)
logger = logging.getLogger(__name__)

# Importing the view modules registers their routes on bp.
from engage.prioritise import (  # noqa: E402,F401
    views_answers,
    views_budget,
    views_manage,
    views_ranking,
    views_resident,
)
