"""Who may see an indicator's values and history, and who may enter or correct them."""

from __future__ import annotations

from engage.accounts.models import Role, User
from engage.accounts.permissions import can_read_results, sits_on
from engage.api.models import ApiToken, TokenScope
from engage.indicators.models import Indicator

#: The staff of the owning organisation who enter its figures.
ENTERING_ROLES = (Role.ANALYST, Role.BOARD_OFFICER)


def can_see_values(user: User, indicator: Indicator) -> bool:
    """Admins, and staff of any organisation on the indicator's board (partners see each other's figures
    and how they were corrected)."""
    return can_read_results(user, indicator.priority.board)


def can_enter_values(user: User, indicator: Indicator) -> bool:
    """Admins, and analysts or board officers of the organisation that owns the indicator, while it sits on
    the indicator's board. An indicator with no owner yet: admins only."""
    if user.is_admin:
        return True
    return (
        indicator.owner_organisation_id is not None
        and user.organisation_id == indicator.owner_organisation_id
        and user.has_role(*ENTERING_ROLES)
        and sits_on(user, indicator.priority.board)
    )


def token_can_enter_values(token: ApiToken, indicator: Indicator) -> bool:
    """A write token of the owning organisation, while it sits on the indicator's board."""
    return (
        token.scope is TokenScope.WRITE
        and indicator.owner_organisation_id is not None
        and token.organisation_id == indicator.owner_organisation_id
        and sits_on(token, indicator.priority.board)  # type: ignore[arg-type]
    )
