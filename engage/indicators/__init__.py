"""Performance indicators imported from the partners' performance-management systems (CSV or XLSX), linked to
board priorities, and the priority matrix that sets them beside the published weights."""

import logging

from flask import Blueprint

bp = Blueprint("indicators", __name__)
logger = logging.getLogger(__name__)
