"""Facilitated workshops: a room of residents joins with a code, follows the facilitator's rounds on their
phones, and their answers land in the same exercises as online answers, tagged as workshop (or paper)."""

import logging

from flask import Blueprint

bp = Blueprint("workshops", __name__)
logger = logging.getLogger(__name__)
