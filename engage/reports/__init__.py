"""Partners pull their own reports: a report per organisation and a board pack per board, for a chosen
period, as a printable page, a PDF and an XLSX. ``data.py`` gathers what a report says, ``builders.py`` turns
it into bytes (plain functions a background job can call), ``views.py`` offers them to staff."""

import logging

from flask import Blueprint

bp = Blueprint("reports", __name__)
logger = logging.getLogger(__name__)
