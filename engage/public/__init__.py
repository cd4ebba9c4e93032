"""Public pages: home, language choice, accessibility and privacy; the signed-in landing page."""

from flask import Blueprint

bp = Blueprint("public", __name__)
