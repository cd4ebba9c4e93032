"""Errors a service raises for a view to show on the form that caused them."""

from __future__ import annotations


class FieldConflict(Exception):
    """A write was refused because a value clashes with a stored one (e.g. a duplicate code).

    ``field`` names the form field to put ``message`` on; nothing was written.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class StateError(Exception):
    """An action the state of an exercise or consultation does not allow (closing a draft, changing
    questions people have answered...); ``message`` says why, for the page. Nothing was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
