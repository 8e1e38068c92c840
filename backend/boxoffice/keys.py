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


# --- seats and holds (booking) --------------------------------------------------------------------

EVENT_KEY_PARTS = (
    "state",
    "seat_row",
    "rows",
    "free",
    "cats",
    "expiry",
    "changes",
    "bought",
    "loaded",
    "trimmed",
    "holds",
    "buyers",
    "ended",
    "closed",
)


def event_keys(event_id: str) -> tuple[str, ...]:
    """The keys every seat script receives first, in EVENT_KEY_PARTS order (one hash tag)."""
    prefix = event_prefix(event_id)
    return tuple(f"{prefix}{part}" for part in EVENT_KEY_PARTS)


def event_prefix(event_id: str) -> str:
    """Prefix of every key of one event."""
    return f"seats:{event_tag(event_id)}:"


def seat_changes(event_id: str) -> str:
    """The event's seat-change stream (entries: type, seats, reason)."""
    return f"{event_prefix(event_id)}changes"


def seat_states(event_id: str) -> str:
    return f"{event_prefix(event_id)}state"


def holds(event_id: str) -> str:
    """hash: "<hold id>:<field>" -> value, every hold of the event (fields: seats_lib.lua)."""
    return f"{event_prefix(event_id)}holds"


def hold_field(hold_id: str, name: str) -> str:
    """A hold's field in the event's `holds` hash."""
    return f"{hold_id}:{name}"


def buyers(event_id: str) -> str:
    """hash: user id -> that buyer's current hold at the event."""
    return f"{event_prefix(event_id)}buyers"


def seats_loaded(event_id: str) -> str:
    return f"{event_prefix(event_id)}loaded"


def seats_layout(event_id: str) -> str:
    """The fingerprint (catalog.EventInfo.layout) of the seat layout loaded into Redis."""
    return f"{event_prefix(event_id)}layout"


def hold_expiries(event_id: str) -> str:
    """zset: hold id -> expiry (ms) of one event's holds."""
    return f"{event_prefix(event_id)}expiry"


def changes_trimmed(event_id: str) -> str:
    """The newest seat-change id trimmed away (a cursor older than it cannot be replayed)."""
    return f"{event_prefix(event_id)}trimmed"


HOLD_EXPIRIES = "holds:events"  # zset: event id -> earliest hold expiry (ms) of that event
LOADED_EVENTS = "seats:loaded-events"  # set of event ids whose seats are in Redis
SEARCH_DIRTY = "search:dirty-events"  # set of event ids whose availability changed
SEARCH_FLUSH_LOCK = "search:flush-lock"
RECONCILE_LOCK = "orders:reconcile-lock"


def simulated_payment(reference: str) -> str:
    """The simulated provider's charge (or void) record of one reference, written once."""
    return f"payments:simulated:{reference}"


def simulated_refund(reference: str) -> str:
    """The simulated provider's refund record of one reference, written once."""
    return f"payments:simulated:{reference}:refund"


# --- waiting room (gateway) -----------------------------------------------------------------------

QUEUE_KEY_PARTS = ("line", "joined", "admitted", "state", "admissions")


def queue_keys(event_id: str) -> tuple[str, ...]:
    """The keys every waiting-room script receives, in QUEUE_KEY_PARTS order (one hash tag):
    line (zset buyer -> place score), joined (hash buyer -> ms), admitted (hash buyer ->
    "admitted_ms,expires_ms"), state (hash: seq, credit, tick, admitted), admissions (stream of
    admitted batches, read by every gateway to push admissions at once)."""
    prefix = f"queue:{event_tag(event_id)}:"
    return tuple(f"{prefix}{part}" for part in QUEUE_KEY_PARTS)


QUEUE_EVENTS = "queue:events"  # set of event ids whose waiting room may have someone in line
