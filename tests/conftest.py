"""Session fixtures: one real stack (PostgreSQL, Redis, Elasticsearch, four services, nginx) per run.

The stack runs on ports shifted by BOXOFFICE_TEST_PORT_OFFSET (default 20000) with its own data
under var/test-<offset>, so it never touches the development stack.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import Api

ROOT = Path(__file__).resolve().parents[1]

# Generous limits for the suite as a whole; tests of the limits themselves use their own groups/users
# (`auth_email`, per target account, keeps its default).
TEST_ENV = {
    "BOXOFFICE_RATE_LIMITS": '{"auth": {"replenish_rate": 1000, "burst_capacity": 2000},'
    ' "default": {"replenish_rate": 1000, "burst_capacity": 2000},'
    ' "search": {"replenish_rate": 1000, "burst_capacity": 2000}}',
    "BOXOFFICE_ARGON2_TIME_COST": "1",
    "BOXOFFICE_ARGON2_MEMORY_KIB": "8192",
    "BOXOFFICE_NGINX_API_RATE": "2000r/s",
    "BOXOFFICE_NGINX_API_BURST": "4000",
    "BOXOFFICE_NGINX_AUTH_RATE": "20r/s",
    "BOXOFFICE_NGINX_AUTH_BURST": "40",
}


@pytest.fixture(scope="session")
def stack():
    from boxoffice.stack.testing import start_test_stack, stop_test_stack

    running = start_test_stack(ROOT, env_overrides=TEST_ENV)
    yield running
    if os.environ.get("BOXOFFICE_KEEP_STACK") != "1":
        stop_test_stack(running)


@pytest.fixture(scope="module")
def api(stack) -> Api:
    """The public API through nginx (HTTP) of the stack this module's tests use (some test packages
    override `stack`: two instances of everything, or a Redis Cluster; a wider scope would keep the
    first stack's client for all of them)."""
    client = Api(f"http://127.0.0.1:{stack.ports.http}")
    yield client
    client.close()


@pytest.fixture(scope="module")
def gateway(stack) -> Api:
    client = Api(f"http://127.0.0.1:{stack.ports.gateway}")
    yield client
    client.close()


@pytest.fixture
def buyer(api):
    return api.new_user("buyer")


@pytest.fixture
def organizer(api):
    return api.new_user("organizer")
