"""Population margins for the partnership's area (age band, sex, ward...), used to weight results."""

import logging

logger = logging.getLogger(__name__)
