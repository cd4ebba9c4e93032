"""The one form on the downloads pages: a button (asking for a download, or trying a failed one again)."""

from __future__ import annotations

from engage.forms import EngageForm


class ConfirmForm(EngageForm):
    """Nothing to fill in: the CSRF token, and the button."""
