"""The test stack: its own ports (shifted by BOXOFFICE_TEST_PORT_OFFSET, default 20000) and data under
var/test-<offset>, clean at every start. Used by tests/conftest.py's session fixture.

    stack = start_test_stack(ROOT, env_overrides={...})
    ...
    stop_test_stack(stack)          # skipped by the fixture when BOXOFFICE_KEEP_STACK=1

With BOXOFFICE_KEEP_STACK=1 the next run reuses the running PostgreSQL/Redis/Elasticsearch and
empties them instead (drop database, FLUSHALL, delete indices): that saves the Elasticsearch boot.
Services are always restarted, so they run the current code.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from boxoffice.stack.core import Ports, Stack, progress

DEFAULT_TEST_PORT_OFFSET = 20000


def port_offset() -> int:
    return int(os.environ.get("BOXOFFICE_TEST_PORT_OFFSET", DEFAULT_TEST_PORT_OFFSET))


def make_test_stack(
    root: Path | str,
    offset: int | None = None,
    instances: int = 1,
    env_overrides: dict[str, str] | None = None,
    *,
    redis_cluster: bool = False,
    durable_redis: bool = False,
) -> Stack:
    offset = port_offset() if offset is None else offset
    return Stack(
        Path(root),
        f"test-{offset}",
        Ports().shifted(offset),
        instances=instances,
        env_overrides=env_overrides,
        test=True,
        redis_cluster=redis_cluster,
        durable_redis=durable_redis,
    )


def start_test_stack(
    root: Path | str,
    offset: int | None = None,
    instances: int = 1,
    env_overrides: dict[str, str] | None = None,
    *,
    redis_cluster: bool = False,
    durable_redis: bool = False,
) -> Stack:
    """Start a clean test stack: empty PostgreSQL (migrated), Redis, Elasticsearch (index ensured),
    the four services and nginx. No seed data. On failure everything started is stopped again
    (unless BOXOFFICE_KEEP_STACK=1) and StackError is raised with the failing process's log tail."""
    stack = make_test_stack(
        root, offset, instances, env_overrides, redis_cluster=redis_cluster, durable_redis=durable_redis
    )
    t0 = time.monotonic()
    progress(f"test stack {stack.name} in {stack.var}")
    try:
        stack.stop_services()
        if stack.postgres_running() and stack.redis_running() and stack.elasticsearch_running():
            progress("reusing the running PostgreSQL, Redis and Elasticsearch; emptying them")
            stack.reset_postgres()
            stack.reset_redis()
            stack.reset_elasticsearch()
            stack.run_cli("migrate")
        else:
            stack.stop()
            stack.wipe()
            stack.launch_elasticsearch()
            stack.start_postgres()
            stack.start_redis()
            stack.run_cli("migrate")
            stack.wait_elasticsearch()
        stack.run_cli("index", "ensure")
        stack.start_services()
        stack.start_nginx()
    except BaseException:
        if os.environ.get("BOXOFFICE_KEEP_STACK") != "1":
            try:
                stack.stop()
            except Exception as e:  # the original error matters more
                progress(f"while stopping the failed test stack: {e}")
        raise
    progress(
        f"test stack ready in {time.monotonic() - t0:.1f} s "
        f"(http://127.0.0.1:{stack.ports.http}, gateway :{stack.ports.gateway})"
    )
    return stack


def stop_test_stack(stack: Stack) -> None:
    stack.stop()


__all__ = ["start_test_stack", "stop_test_stack", "make_test_stack", "port_offset"]


def bench_env() -> dict[str, str]:
    """Environment for a benchmark stack: limits opened up (the benchmarks measure the path, not the
    limiter's refusals, though every request still takes its token), cheap password hashing for the
    many accounts a benchmark makes, quiet logs."""
    unlimited = {"replenish_rate": 1_000_000, "burst_capacity": 1_000_000}
    return {
        "BOXOFFICE_RATE_LIMITS": json.dumps({g: unlimited for g in ("default", "booking_write", "search", "auth")}),
        "BOXOFFICE_NGINX_API_RATE": "1000000r/s",
        "BOXOFFICE_NGINX_API_BURST": "1000000",
        "BOXOFFICE_ARGON2_TIME_COST": "1",
        "BOXOFFICE_ARGON2_MEMORY_KIB": "8192",
        "BOXOFFICE_LOG_LEVEL": "WARNING",
        "BOXOFFICE_SSE_MAX_CONNECTIONS": "10000",
    }
