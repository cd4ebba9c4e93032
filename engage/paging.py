"""One page of a long list, for every paged list staff read (audit log, paper sheets, written answers)."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from engage.extensions import db


def one_page(query: Select, page: int, per_page: int) -> Pagination:
    """Page ``page`` (from 1) of ``query``'s rows, with the total. A page past the end (an old link, or a
    list that shrank since) is the last page, not an empty list with nothing to say where the rows went."""
    found = db.paginate(query, page=page, per_page=per_page, error_out=False)
    if found.pages and page > found.pages:
        found = db.paginate(query, page=found.pages, per_page=per_page, error_out=False)
    return found
