"""Resident consultations: surveys of sections and questions, answered online (and later on paper)."""

import logging

from flask import Blueprint

bp = Blueprint("surveys", __name__)
logger = logging.getLogger(__name__)
