"""Public pages: home, language choice, accessibility and privacy; the signed-in landing page."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from engage.public import views  # noqa: E402,F401  (registers the routes on bp)
