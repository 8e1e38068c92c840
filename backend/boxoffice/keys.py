"""Every Redis key and stream name in one place.

Keys of one event share the hash tag `{ev:<event_id>}` so one Lua script can touch all of them on a
Redis Cluster. Rate-limit buckets are tagged per identity.
"""

from __future__ import annotations


def event_tag(event_id: str) -> str:
    return f"{{ev:{event_id}}}"


def rate_limit_bucket(group: str, identity: str) -> tuple[str, str]:
    """(tokens key, timestamp key) of one identity's bucket for one route group."""
    tag = f"{{rl:{group}:{identity}}}"
    return f"rl:{tag}:tokens", f"rl:{tag}:ts"
