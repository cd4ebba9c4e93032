"""The read-only JSON API for partners' systems (/api/v1): boards, priorities and published weights, read
with a token an administrator issues to a partner organisation. Every call is logged."""

import logging

from flask import Blueprint

bp = Blueprint("api", __name__)
logger = logging.getLogger(__name__)
