"""Stacks of the multi-instance, waiting-room, Redis Cluster and outage tests, started once per session.

Their port offsets are their own so they can run in one session with the default `stack`:
BOXOFFICE_MULTI_PORT_OFFSET (default: the test offset + 1000) for two instances of every service,
BOXOFFICE_CLUSTER_PORT_OFFSET (default: the test offset + 2000) for one instance of each on a
three-primary Redis Cluster, BOXOFFICE_OUTAGE_PORT_OFFSET (default: the test offset + 3000) for one
instance of each whose stores the outage tests stop and start, and which Schemathesis fuzzes.
"""

from __future__ import annotations

import atexit
import json
import os

from boxoffice.stack.testing import port_offset, start_test_stack, stop_test_stack
from tests.conftest import ROOT, TEST_ENV

_started: dict[str, object] = {}


def multi_offset() -> int:
    return int(os.environ.get("BOXOFFICE_MULTI_PORT_OFFSET", port_offset() + 1000))


def cluster_offset() -> int:
    return int(os.environ.get("BOXOFFICE_CLUSTER_PORT_OFFSET", port_offset() + 2000))


def outage_offset() -> int:
    return int(os.environ.get("BOXOFFICE_OUTAGE_PORT_OFFSET", port_offset() + 3000))


UNLIMITED = {"replenish_rate": 100_000, "burst_capacity": 100_000}
OUTAGE_ENV = TEST_ENV | {
    # Generated requests by the thousand: no limit of the gateway or nginx may answer for the services.
    "BOXOFFICE_RATE_LIMITS": json.dumps({group: UNLIMITED for group in ("auth", "default", "search", "booking_write")}),
    "BOXOFFICE_NGINX_API_RATE": "100000r/s",
    "BOXOFFICE_NGINX_API_BURST": "100000",
    "BOXOFFICE_NGINX_AUTH_RATE": "100000r/s",
    "BOXOFFICE_NGINX_AUTH_BURST": "100000",
    # Few attempts: an outage that used them up would leave rows dead, and the tests would see it.
    "BOXOFFICE_OUTBOX_MAX_ATTEMPTS": "3",
}


def _once(name: str, start):
    if name not in _started:
        _started[name] = start()
        if os.environ.get("BOXOFFICE_KEEP_STACK") != "1":
            atexit.register(stop_test_stack, _started[name])
    return _started[name]


def multi_stack():
    """Two instances of every service behind nginx (instance i on port + 100 * i)."""
    return _once("multi", lambda: start_test_stack(ROOT, multi_offset(), instances=2, env_overrides=TEST_ENV))


def cluster_stack():
    """One instance of every service, Redis as a three-primary cluster."""
    return _once(
        "cluster", lambda: start_test_stack(ROOT, cluster_offset(), env_overrides=TEST_ENV, redis_cluster=True)
    )


def outage_stack():
    """One instance of every service, no rate limits, Redis with its append-only file (as in production,
    so a restarted Redis still has its holds)."""
    return _once(
        "outage", lambda: start_test_stack(ROOT, outage_offset(), env_overrides=OUTAGE_ENV, durable_redis=True)
    )
