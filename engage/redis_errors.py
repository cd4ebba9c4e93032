"""What redis-py raises when Redis could not be reached (down, refusing connections, silent past its timeout),
rather than refusing a command: one definition for the job queue, the rate limits and the quotas, which
each answer that case differently from a bug."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

#: redis-py's connection and timeout errors, and OSError for a socket error it did not wrap.
UNREACHABLE: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` says Redis could not be reached."""
    return isinstance(error, UNREACHABLE)
