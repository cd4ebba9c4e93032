"""Choosing which pair of items to show next, as pure functions (the service reads the counts and calls them).

The choice depends only on how often items and pairs have been shown, never on who won: a chooser that
pairs items close in their running rating (the earlier design) makes which pairs are asked depend on the
answers so far, and when residents disagree that pulls every score towards 50 (about 4 simulation standard
errors at moderate disagreement; docs/validation.md). Balancing exposure alone keeps the design close to
uniformly random pairs, which is what the 0-100 "beats a random other" score assumes, while still catching
up new items and rarely shown pairs quickly.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def first_item_weights(shown: ArrayLike) -> NDArray[np.float64]:
    """Chance weights for the first item: items shown less often come first (1 / (1 + shown)^2)."""
    return 1.0 / (1.0 + np.asarray(shown, dtype=np.float64)) ** 2


def partner_weights(shown_together: ArrayLike) -> NDArray[np.float64]:
    """Chance weights for the second item, from how often each candidate has been shown with the first:
    rarely shown pairs come first (1 / (1 + shown together)^2). No rating, no outcome: see the module."""
    return 1.0 / (1.0 + np.asarray(shown_together, dtype=np.float64)) ** 2
