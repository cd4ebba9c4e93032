"""Weight sets per board: what residents said, blended into published, versioned weights for the partners'
performance-management systems; their downloads and the JSON API."""

import logging

from flask import Blueprint

bp = Blueprint("weights", __name__)
logger = logging.getLogger(__name__)
