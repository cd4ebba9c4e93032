"""Ranking exercises: residents put the items in order; the results and the ranking page."""
