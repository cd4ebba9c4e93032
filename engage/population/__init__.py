"""Population margins for the partnership's area (age band, sex, ward...), used to weight results."""

import logging

from flask import Blueprint

bp = Blueprint("population", __name__)
logger = logging.getLogger(__name__)
