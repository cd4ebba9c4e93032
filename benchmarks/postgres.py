"""A PostgreSQL database of its own for a run (`make load`, `make deploy-check`)."""

from __future__ import annotations


def reset_postgres(url: str, redis_url: str | None = None, create: bool = True) -> None:
    """Drop the database at ``url`` (and empty the Redis database at ``redis_url``); make it again, empty,
    when ``create``. The server's own "postgres" database is used to do it."""
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
